//! What a page stream is told: where to start ([`Position`]), how far to go, and what to do
//! when the total moves ([`DriftPolicy`]). Plain data: the client keeps its defaults here
//! without knowing the paginators or the streams.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where an export stands: the position of the next request to send. Serialize it to resume an
/// interrupted export with [`PageOptions::resume_from`].
///
/// ```
/// use scrm_core::Position;
/// let p = Position::Offset { offset: 200 };
/// let json = serde_json::to_string(&p).unwrap();
/// assert_eq!(json, r#"{"style":"offset","offset":200}"#);
/// assert_eq!(serde_json::from_str::<Position>(&json).unwrap(), p);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Position {
    /// Page number (1-based) of page-number and page/rows styles.
    Page {
        /// The page to request.
        page: u64,
    },
    /// Offset (0-based) of the offset style.
    Offset {
        /// The offset to request.
        offset: u64,
    },
    /// Cursor of the cursor style (`None` for the first page).
    Cursor {
        /// The cursor to send.
        cursor: Option<String>,
    },
    /// Last id of the keyset style (`None` for the first page).
    LastId {
        /// The last id to send.
        last_id: Option<String>,
    },
    /// The one request of an operation that does not page.
    Single,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Page { page } => write!(f, "page {page}"),
            Position::Offset { offset } => write!(f, "offset {offset}"),
            Position::Cursor { cursor: None } => f.write_str("the first cursor page"),
            Position::Cursor { cursor: Some(c) } => write!(f, "cursor {c:?}"),
            Position::LastId { last_id: None } => f.write_str("the first keyset page"),
            Position::LastId { last_id: Some(id) } => write!(f, "last id {id}"),
            Position::Single => f.write_str("the single request"),
        }
    }
}

/// What to do when the total changes during an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DriftPolicy {
    /// Fail with a pagination error naming both totals (default): rows may have been skipped
    /// or repeated.
    #[default]
    Fail,
    /// Log a warning and continue to the new total.
    Warn,
}

/// Options of a page stream. Set them on what [`Client::pages`](crate::Client::pages) and [`Client::items`](crate::Client::items) return
/// (`client.pages(request).concurrency(4).resume_from(position)`), or as a client's defaults
/// ([`Configure::page_options`](crate::Configure::page_options)).
///
/// ```
/// use std::time::Duration;
/// use scrm_core::{PageOptions, Position};
/// let options = PageOptions::default()
///     .max_pages(10)
///     .empty_page_retries(5)
///     .resume_from(Position::Page { page: 3 });
/// assert_eq!(options.max_pages, Some(10));
/// assert_eq!(options.concurrency, 1);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PageOptions {
    /// Stop after this many pages (`None`: no cap).
    pub max_pages: Option<u64>,
    /// Re-requests of a page that came back empty before the total was reached.
    pub empty_page_retries: u32,
    /// First delay before re-requesting an empty page (doubling, jittered).
    pub empty_page_backoff: Duration,
    /// What to do when the total changes mid-export.
    pub drift: DriftPolicy,
    /// Where to start instead of the request's own position.
    pub resume_from: Option<Position>,
    /// Pages in flight at once.
    pub concurrency: usize,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            max_pages: None,
            empty_page_retries: 3,
            empty_page_backoff: Duration::from_secs(1),
            drift: DriftPolicy::Fail,
            resume_from: None,
            concurrency: 1,
        }
    }
}

impl PageOptions {
    /// Stop after this many pages (the last page's `next` says where to resume).
    pub fn max_pages(mut self, max: u64) -> Self {
        self.max_pages = Some(max);
        self
    }

    /// How often to re-request a page that came back empty before the total was reached
    /// (default 3) before failing.
    pub fn empty_page_retries(mut self, retries: u32) -> Self {
        self.empty_page_retries = retries;
        self
    }

    /// First delay before re-requesting an empty page (default 1 s, doubling, jittered).
    pub fn empty_page_backoff(mut self, delay: Duration) -> Self {
        self.empty_page_backoff = delay;
        self
    }

    /// What to do when the total changes mid-export (default: fail).
    pub fn on_total_change(mut self, policy: DriftPolicy) -> Self {
        self.drift = policy;
        self
    }

    /// Start from a saved position (a page's `next`) instead of the request's own.
    pub fn resume_from(mut self, position: Position) -> Self {
        self.resume_from = Some(position);
        self
    }

    /// How many pages may be in flight at once (default 1). Only styles whose later pages can
    /// be addressed once the first page is known (page number + total, offset + total) use it;
    /// pages are still yielded in order, with the same guarantees, and every request still
    /// passes the client's rate limiter. Sequential styles ignore it.
    pub fn concurrency(mut self, pages_in_flight: usize) -> Self {
        self.concurrency = pages_in_flight.max(1);
        self
    }
}
