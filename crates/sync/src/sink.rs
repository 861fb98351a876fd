//! Where rows go: the [`Sink`] trait the SQLite and PostgreSQL sinks implement.

use crate::error::SyncError;
use crate::stream::{Row, StreamSpec};

/// What one page's transaction did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageCounts {
    /// Rows that did not exist.
    pub inserted: u64,
    /// Rows whose record changed.
    pub updated: u64,
    /// Rows whose record was already stored as it is.
    pub unchanged: u64,
}

impl PageCounts {
    /// Adds `other` to `self`.
    pub fn add(&mut self, other: PageCounts) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }

    /// Counts one upserted row from what its upsert returned: nothing (left as it was) or
    /// `(_scrm_version, _scrm_changed)` — unchanged when not changed, inserted at version 1,
    /// else updated.
    pub(crate) fn tally(&mut self, returned: Option<(i64, i64)>) {
        match returned {
            None | Some((_, 0)) => self.unchanged += 1,
            Some((1, _)) => self.inserted += 1,
            Some(_) => self.updated += 1,
        }
    }
}

/// One page to commit: its rows and the bookmark that follows them.
#[derive(Debug)]
#[non_exhaustive]
pub struct PageWrite {
    /// The rows, upserted on the primary key.
    pub rows: Vec<Row>,
    /// The bookmark (JSON) to store in `_scrm_state` in the same transaction.
    pub bookmark: String,
    /// Rewrite rows even when the record is unchanged (`--full`: refreshes the written-at
    /// time of every row; they still count as unchanged).
    pub refresh: bool,
}

impl PageWrite {
    /// A page of `rows` followed by `bookmark`.
    pub fn new(rows: Vec<Row>, bookmark: String, refresh: bool) -> Self {
        PageWrite {
            rows,
            bookmark,
            refresh,
        }
    }
}

/// A database a stream is synced into.
///
/// The driver ([`sync`](crate::sync)) calls [`open`](Sink::open) once (create or migrate the
/// table and `_scrm_state`, take the stream's lock, read the bookmark), then
/// [`commit_page`](Sink::commit_page) once per page — the page's rows upserted and its
/// bookmark saved in **one transaction**, so a crash replays at most one page and the upsert
/// makes that replay change nothing — and [`close`](Sink::close) at the end (release the
/// lock). A sink that is dropped without `close` (a crash) leaves a lock that the next run
/// recognizes as stale.
#[async_trait::async_trait]
pub trait Sink: Send {
    /// The database's display name (no password), for messages.
    fn database(&self) -> String;

    /// Prepares `stream`: creates its table when missing (migrating an older one), takes its
    /// lock (refusing with [`SyncErrorKind::Locked`](crate::SyncErrorKind::Locked) while
    /// another run holds it) and returns the stored bookmark, if any.
    async fn open(&mut self, stream: &StreamSpec) -> Result<Option<String>, SyncError>;

    /// Begins a transaction, upserts `page.rows`, saves `page.bookmark`, commits.
    async fn commit_page(
        &mut self,
        stream: &StreamSpec,
        page: PageWrite,
    ) -> Result<PageCounts, SyncError>;

    /// Releases the stream's lock.
    async fn close(&mut self, stream: &StreamSpec) -> Result<(), SyncError>;
}

/// `ident` as a quoted SQL identifier (`"` doubled), shared by the sinks.
pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}
