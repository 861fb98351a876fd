//! Locating, reading and snapshotting fixtures.

use std::path::{Component, Path, PathBuf};

use insta::{Comparator, DefaultComparator, Snapshot};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Environment variable that overrides where the `fixtures/` directory is.
const FIXTURES_DIR_ENV: &str = "SCRM_FIXTURES_DIR";

/// The workspace `fixtures/` directory.
///
/// Found by walking up from the running test's `CARGO_MANIFEST_DIR` (set by cargo for the calling
/// crate), then from this crate's own manifest directory, to the first directory that has a
/// `fixtures/` subdirectory next to a workspace `Cargo.toml` (one with a `[workspace]` table).
/// `SCRM_FIXTURES_DIR`, if set, wins.
///
/// # Panics
/// If no such directory exists.
pub fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(FIXTURES_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let starts = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::iter::once(PathBuf::from(env!("CARGO_MANIFEST_DIR"))));
    let mut fallback = None;
    for start in starts {
        for dir in start.ancestors() {
            let fixtures = dir.join("fixtures");
            if !fixtures.is_dir() {
                continue;
            }
            let is_workspace = std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"));
            if is_workspace {
                return fixtures;
            }
            fallback.get_or_insert(fixtures);
        }
    }
    fallback.unwrap_or_else(|| {
        panic!("scrm-testkit: no `fixtures/` directory above CARGO_MANIFEST_DIR; set {FIXTURES_DIR_ENV}")
    })
}

/// Checks that `rel` is a plain relative path inside `fixtures/` and returns its absolute path.
fn fixture_path(rel: &str) -> PathBuf {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    assert!(
        plain,
        "fixture path {rel:?} must be relative to fixtures/, with `/` separators and no `..`"
    );
    fixtures_dir().join(path)
}

/// The bytes of `fixtures/<rel>`, e.g. `fixture_bytes("wshoto/access-token.response.json")`.
///
/// # Panics
/// If the path is not a plain relative path or the file cannot be read.
pub fn fixture_bytes(rel: &str) -> Vec<u8> {
    let path = fixture_path(rel);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {rel:?} at {}: {e}", path.display()))
}

/// The text of `fixtures/<rel>`.
///
/// # Panics
/// As [`fixture_bytes`], or if the file is not UTF-8.
pub fn fixture_str(rel: &str) -> String {
    String::from_utf8(fixture_bytes(rel))
        .unwrap_or_else(|e| panic!("fixture {rel:?} is not UTF-8: {e}"))
}

/// `fixtures/<rel>` parsed as JSON into `T` (with serde_json's line/column on failure).
///
/// # Panics
/// As [`fixture_bytes`], or if the bytes do not deserialize into `T`.
pub fn fixture_json<T: DeserializeOwned>(rel: &str) -> T {
    serde_json::from_slice(&fixture_bytes(rel)).unwrap_or_else(|e| {
        panic!(
            "fixture {rel:?} does not parse as {}: {e}",
            std::any::type_name::<T>()
        )
    })
}

/// What [`fixture_snapshot!`](crate::fixture_snapshot) hands to insta.
#[doc(hidden)]
#[derive(Debug)]
pub struct FixtureSnapshot {
    /// Snapshot name: the fixture path without its last extension, `/` → `__`, `@variant`.
    pub name: String,
    /// Absolute path of the fixture (insta stores it relative to the workspace).
    pub input_file: PathBuf,
    /// Snapshot content: fixture path, sha256 of its bytes, the value as pretty JSON.
    pub content: String,
}

impl FixtureSnapshot {
    /// Reads and hashes the fixture and renders `value`.
    pub fn new<T: Serialize + ?Sized>(rel: &str, variant: &str, value: &T) -> Self {
        let bytes = fixture_bytes(rel);
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let json = serde_json::to_string_pretty(value)
            .unwrap_or_else(|e| panic!("cannot serialize the value snapshotted for {rel:?}: {e}"));
        let stem = match rel.rsplit_once('.') {
            Some((stem, ext)) if !ext.contains('/') => stem,
            _ => rel,
        };
        let mut name = stem.replace('/', "__");
        if !variant.is_empty() {
            name.push('@');
            name.push_str(variant);
        }
        Self {
            name,
            input_file: fixture_path(rel),
            content: format!("fixture: {rel}\nsha256: {sha256}\nvalue:\n{json}\n"),
        }
    }
}

/// Compares a fixture snapshot by content **and** `input_file`, so a snapshot whose metadata
/// points at the wrong fixture is stale even though its content matches.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct FixtureComparator;

impl Comparator for FixtureComparator {
    fn matches(&self, reference: &Snapshot, test: &Snapshot) -> bool {
        DefaultComparator.matches(reference, test)
            && reference.metadata().input_file() == test.metadata().input_file()
    }

    fn matches_fully(&self, reference: &Snapshot, test: &Snapshot) -> bool {
        DefaultComparator.matches_fully(reference, test)
    }

    fn dyn_clone(&self) -> Box<dyn Comparator> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn finds_workspace_fixtures() {
        let dir = fixtures_dir();
        assert!(dir.join("README.md").is_file(), "{}", dir.display());
    }

    #[test]
    fn names_and_content() {
        let s = FixtureSnapshot::new("wshoto/access-token.response.json", "", &42);
        assert_eq!(s.name, "wshoto__access-token.response");
        assert!(
            s.content
                .starts_with("fixture: wshoto/access-token.response.json\nsha256: ")
        );
        assert!(s.content.ends_with("value:\n42\n"));
        let v = FixtureSnapshot::new("wshoto/access-token.response.json", "raw", &"慧琳");
        assert_eq!(v.name, "wshoto__access-token.response@raw");
        assert!(
            v.content.contains("\"慧琳\""),
            "non-ASCII must stay readable"
        );
    }

    #[test]
    #[should_panic(expected = "no `..`")]
    fn rejects_escaping_paths() {
        fixture_bytes("../Cargo.toml");
    }
}
