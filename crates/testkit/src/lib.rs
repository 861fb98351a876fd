//! Test helpers shared by the scrm-sdk crates' own tests. Not published.
//!
//! - [`fixture_snapshot!`]: snapshot the typed parse of a documented vendor example from the
//!   workspace `fixtures/` directory. The snapshot records the fixture's path and sha256, so a
//!   changed fixture byte makes the snapshot stale. `cargo xtask fixtures [--check]` drives these.
//! - [`fixture_bytes`], [`fixture_str`], [`fixture_json`], [`fixtures_dir`]: read fixtures.
//! - [`CANARIES`] / `CANARY_*`, [`capture_logs`], [`LogCapture`], [`assert_no_canary`]: prove that
//!   secrets never reach a log line.
//!
//! Everything here reports failure by panicking: it only ever runs inside tests.

// A test helper's way to fail is to panic with a clear message.
#![allow(clippy::panic, clippy::expect_used)]

mod canary;
mod fixtures;
mod logs;
mod scripted;

pub use canary::{
    CANARIES, CANARY_ACCESS_TOKEN, CANARY_TANMA_APP_KEY, CANARY_WAIQIN_APPKEY,
    CANARY_WEIBAN_SECRET, CANARY_WSHOTO_APP_SECRET, assert_no_canary,
};
pub use fixtures::{fixture_bytes, fixture_json, fixture_str, fixtures_dir};
pub use logs::{LogCapture, capture_logs};
pub use scripted::{RecordedRequest, Reply, ScriptedServer, ScriptedServerBuilder};

/// Re-exported so that [`fixture_snapshot!`] works without the caller naming `insta`.
#[doc(hidden)]
pub use insta;

/// Implementation details of [`fixture_snapshot!`]; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::fixtures::{FixtureComparator, FixtureSnapshot};
}

/// Snapshot-test the typed parse of a fixture.
///
/// ```no_run
/// # #[derive(serde::Serialize)] struct Token { expires_in: u64 }
/// # let parsed = Token { expires_in: 7200 };
/// // in crates/<vendor>/tests/<file>.rs
/// scrm_testkit::fixture_snapshot!("wshoto/access-token.response.json", &parsed);
/// // a second snapshot of the same fixture needs a variant name:
/// scrm_testkit::fixture_snapshot!("wshoto/access-token.response.json", &parsed, "raw");
/// ```
///
/// - First argument: the fixture path relative to the workspace `fixtures/` directory.
/// - Second: any `impl Serialize` (normally the value parsed from [`fixture_bytes`] of that path).
/// - Optional third: a variant name, appended to the snapshot name as `@variant`.
///
/// The snapshot is named after the fixture path without its last extension, `/` replaced by
/// `__` (`wshoto__access-token.response`, `…@raw` with a variant), and stored by insta in the
/// `snapshots/` directory next to the calling test file. Its content is
///
/// ```text
/// fixture: wshoto/access-token.response.json
/// sha256: <hex of the fixture bytes>
/// value:
/// <the value as pretty JSON; non-ASCII text kept readable>
/// ```
///
/// and its insta metadata has `input_file: fixtures/<path>` (compared too: a snapshot pointing at
/// another fixture is stale), which `cargo xtask fixtures --check` uses to prove every fixture is
/// covered. Update snapshots with `cargo xtask fixtures`.
#[macro_export]
macro_rules! fixture_snapshot {
    ($fixture:expr, $value:expr $(,)?) => {
        $crate::fixture_snapshot!($fixture, $value, "")
    };
    ($fixture:expr, $value:expr, $variant:expr $(,)?) => {{
        let __scrm_snap = $crate::__private::FixtureSnapshot::new($fixture, $variant, &$value);
        let mut __scrm_settings = $crate::insta::Settings::clone_current();
        __scrm_settings.set_input_file(&__scrm_snap.input_file);
        __scrm_settings.set_omit_expression(true);
        __scrm_settings.set_prepend_module_to_snapshot(false);
        __scrm_settings
            .set_comparator(::std::boxed::Box::new($crate::__private::FixtureComparator));
        __scrm_settings.bind(|| {
            $crate::insta::assert_snapshot!(__scrm_snap.name.clone(), __scrm_snap.content.as_str());
        });
    }};
}
