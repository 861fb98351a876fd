//! # scrm-sync
//!
//! Incremental, crash-safe sync of any registered scrm-sdk operation into SQLite or
//! PostgreSQL — the library behind `scrm sync`, usable inside your own service.
//!
//! - One table per operation, named by the registry ([`OpInfo::table`]:
//!   `weiban_smart_form_users`), one row per record keyed by the operation's primary key, the
//!   record in a `record` column (TEXT holding JSON in SQLite, `jsonb` in PostgreSQL) exactly
//!   as `scrm export` prints it, typed columns for the key (text) and the cursor field, and
//!   `_scrm_written_at` (when the row was last written), `_scrm_version` (how many times its
//!   record changed, from 1) and `_scrm_changed`.
//! - Bookmarks in `_scrm_state` (vendor, operation, filters, bookmark, updated_at), committed
//!   **in the same transaction** as the page they follow: a crash replays at most one page,
//!   and the upsert makes the replay change nothing.
//! - A rerun after a crash resumes; after a completed run it is incremental where the
//!   vendor documents a filter ([`OpInfo::incremental`]); see [`sync`].
//! - One run per stream at a time: a lock row (`_scrm_locks`, with holder, pid and lease) in
//!   SQLite, an advisory lock in PostgreSQL; a second run is refused with
//!   [`SyncErrorKind::Locked`].
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use scrm_weiban::prelude::*;
//! let client = WeibanClient::builder().corp_id("corp").secret("secret").build()?;
//! let op = scrm_core::registry::find(scrm_weiban::OPERATIONS, "smart-form-users")?;
//! let mut sink = scrm_sync::connect("sqlite:scrm.db").await?;
//! let request = serde_json::json!({"status": "submit"});
//! let summary = scrm_sync::sync(client.core(), op, request, sink.as_mut(), Default::default()).await?;
//! println!("{}", summary.line()); // 1000 inserted, 0 updated, 0 unchanged, 10 pages, 11 requests
//! # Ok(()) }
//! ```
//!
//! [`OpInfo::table`]: scrm_core::registry::OpInfo::table
//! [`OpInfo::incremental`]: scrm_core::registry::OpInfo

mod bookmark;
mod describe;
mod driver;
mod error;
#[cfg(feature = "postgres")]
mod postgres;
pub mod seen;
mod sink;
#[cfg(feature = "sqlite")]
mod sqlite;
mod stream;
mod url;

pub use bookmark::{BOOKMARK_VERSION, Bookmark, Mode};
pub use describe::describe;
pub use driver::{DEFAULT_LAG, Interrupted, Progress, ProgressFn, Summary, SyncOptions, sync};
pub use error::{SyncError, SyncErrorKind};
#[cfg(feature = "postgres")]
pub use postgres::PostgresSink;
pub use sink::{PageCounts, PageWrite, Sink};
#[cfg(feature = "sqlite")]
pub use sqlite::{LOCK_LEASE, SqliteSink};
pub use stream::{Column, ColumnType, CursorValue, KeyPart, Row, StreamSpec};
pub use url::{DatabaseUrl, connect, redact_url};

/// The README's code, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
