//! Pagination: five built-in styles and a driver that turns any of them into streams.
//!
//! An endpoint implements [`Paged`] (its item type, how to take the items out of a response,
//! which style it pages in) and the accessor trait of its style:
//!
//! | style | trait | paginator | ends when |
//! |---|---|---|---|
//! | page number from 1 + total | [`PageNumbered`] | [`PageNumber`] | total reached, short page |
//! | offset/limit + total | [`OffsetPaged`] | [`Offset`] | total reached |
//! | page/rows, no total | [`PageRowsPaged`] | [`PageRows`] | short or empty page |
//! | cursor | [`CursorPaged`] | [`Cursor`] | null/empty cursor, empty page |
//! | keyset by last id | [`KeysetPaged`] | [`Keyset`] | short or empty page |
//!
//! The driver keeps every filter of the first request on every later one (the next request is
//! the previous one with only its position changed), refuses to loop (a position requested
//! twice is an error), retries an empty page that arrives before the total is reached, stops at
//! an optional page cap, and tells after every page the [`Position`] to resume from.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use backon::BackoffBuilder;
use futures::{Stream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::operation::Operation;
use crate::{Error, ErrorKind};

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

/// Options of a page stream. Set them on what [`Client::pages`] and [`Client::items`] return
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

/// One page of an export.
#[non_exhaustive]
pub struct Page<Op: Paged> {
    /// The records of this page.
    pub items: Vec<Op::Item>,
    /// The rest of the response (totals, cursors), its item list taken out.
    pub response: Op::Response,
    /// 1 for the first page of this stream.
    pub number: u64,
    /// The position this page was requested at.
    pub position: Position,
    /// Where to resume after this page; `None` when the export is complete.
    pub next: Option<Position>,
}

impl<Op: Paged> fmt::Debug for Page<Op>
where
    Op::Item: fmt::Debug,
    Op::Response: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("number", &self.number)
            .field("position", &self.position)
            .field("next", &self.next)
            .field("items", &self.items)
            .field("response", &self.response)
            .finish()
    }
}

/// What a paginator decided after a page (for implementing [`Paginator`]).
#[derive(Debug)]
pub enum Step<Op> {
    /// Send this request next.
    Next(Op),
    /// The export is complete.
    Done,
    /// The page looked throttled (empty before the total): request it again after a backoff;
    /// the error is returned if the retries run out.
    Retry(Error),
}

/// How an operation pages, as the registry and `scrm ops` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PagingStyle {
    /// Page number from 1 with a total ([`PageNumber`]).
    PageNumber,
    /// Offset from 0 with a total ([`Offset`]).
    Offset,
    /// Page/rows from 1, no total ([`PageRows`]).
    PageRows,
    /// An opaque cursor handed out by each page ([`Cursor`]).
    Cursor,
    /// The last record's id ([`Keyset`]).
    Keyset,
    /// One answer, no paging ([`Single`]).
    Single,
}

impl PagingStyle {
    /// Every style.
    pub const ALL: [PagingStyle; 6] = [
        PagingStyle::PageNumber,
        PagingStyle::Offset,
        PagingStyle::PageRows,
        PagingStyle::Cursor,
        PagingStyle::Keyset,
        PagingStyle::Single,
    ];

    /// The style's name: `page-number`, `offset`, `page-rows`, `cursor`, `keyset`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            PagingStyle::PageNumber => "page-number",
            PagingStyle::Offset => "offset",
            PagingStyle::PageRows => "page-rows",
            PagingStyle::Cursor => "cursor",
            PagingStyle::Keyset => "keyset",
            PagingStyle::Single => "none",
        }
    }

    /// The style named `name` ([`PagingStyle::as_str`]).
    pub fn parse(name: &str) -> Option<PagingStyle> {
        PagingStyle::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for PagingStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An endpoint that pages. Declare it with [`paging!`](macro@crate::paging), or implement it and the
/// accessor trait of its style.
pub trait Paged: Operation + Clone + 'static {
    /// One record.
    type Item: Send + 'static;
    /// The paging style: [`PageNumber`], [`Offset`], [`PageRows`], [`Cursor`], [`Keyset`] or
    /// [`Single`].
    type Style: Paginator<Self> + Default;
    /// The style's name for the registry.
    const STYLE: PagingStyle = <Self::Style as Paginator<Self>>::STYLE;
    /// The Rust name of the request field holding the page size, if any.
    const PAGE_SIZE: Option<&'static str> = None;

    /// Moves the records out of a response.
    fn take_items(response: &mut Self::Response) -> Vec<Self::Item>;

    /// Moves the records out of the response to this request (what the driver calls): by
    /// default [`Paged::take_items`]; a request whose items' place is decided at run time
    /// ([`RawRequest`](crate::raw::RawRequest)) overrides it.
    fn items_of(&self, response: &mut Self::Response) -> Vec<Self::Item> {
        Self::take_items(response)
    }

    /// Fills in what a stream needs to be explicit (the first position, the page size), so
    /// every page asks for a known size. Called by [`Client::pages`] before the first page.
    fn prepare(&mut self) {}
}

/// Decides the next request from the last one and its page.
pub trait Paginator<Op: Paged>: Send + 'static {
    /// The style's name for the registry.
    const STYLE: PagingStyle;
    /// The position of `request`.
    fn position(&self, request: &Op) -> Position;
    /// Moves `request` to `position`.
    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error>;
    /// The next step after `request` returned `response` with `items`.
    fn next(
        &mut self,
        request: &Op,
        response: &Op::Response,
        items: &[Op::Item],
        options: &PageOptions,
    ) -> Result<Step<Op>, Error>;

    /// The request `k` pages after `next` (k ≥ 1), assuming full pages, if the style can address
    /// it up front and it lies before the known end. Used only to prefetch: the driver still
    /// asks [`Paginator::next`] for every step and discards a prefetched page it does not ask for.
    fn after(&self, next: &Op, k: u64) -> Option<Op> {
        let _ = (next, k);
        None
    }
}

fn wrong_style(position: &Position, style: &str) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("cannot resume from {position}: this operation pages by {style}"),
    )
}

/// The position after `position` is past `u64::MAX` (a resumed position or a vendor's total
/// out of any real range): an error instead of an overflow.
fn past_the_end(position: &Position) -> Error {
    Error::new(
        ErrorKind::Pagination,
        format!(
            "the page after {position} cannot be addressed (the next page number or offset is \
             past 2^64): the saved position or the vendor's total is out of range; resume from \
             an earlier position"
        ),
    )
}

fn empty_before_total(position: Position, total: u64) -> Error {
    Error::new(
        ErrorKind::Pagination,
        format!(
            "the page at {position} came back empty although the total is {total}; the vendor is \
             probably throttling: lower the request rate and resume from {position}"
        ),
    )
}

/// Tracks the total across pages and applies the drift policy.
#[derive(Debug, Default)]
struct TotalTracker(Option<u64>);

impl TotalTracker {
    fn observe(
        &mut self,
        total: Option<u64>,
        at: &Position,
        options: &PageOptions,
    ) -> Result<(), Error> {
        match (self.0, total) {
            (Some(before), Some(now)) if before != now => match options.drift {
                DriftPolicy::Fail => {
                    return Err(Error::new(
                        ErrorKind::Pagination,
                        format!(
                            "the total changed from {before} to {now} at {at}: rows were added or \
                             removed during the export, so some may be skipped or repeated; run \
                             the export again (or accept drift with DriftPolicy::Warn)"
                        ),
                    ));
                }
                DriftPolicy::Warn => {
                    tracing::warn!(before, now, position = %at, "total changed during export");
                    self.0 = Some(now);
                }
            },
            (None, Some(now)) => self.0 = Some(now),
            _ => {}
        }
        Ok(())
    }
}

/// Page number from 1 with a total (wshoto `current_index`/`page_size` → `total`).
pub trait PageNumbered: Paged {
    /// The page requested (1-based).
    fn page(&self) -> u64;
    /// Sets the page.
    fn set_page(&mut self, page: u64);
    /// The page size in effect.
    fn page_size(&self) -> u64;
    /// The total the response reports.
    fn total(response: &Self::Response) -> Option<u64>;
}

/// The page-number paginator.
#[derive(Debug, Default)]
pub struct PageNumber {
    total: TotalTracker,
}

impl<Op: PageNumbered> Paginator<Op> for PageNumber {
    const STYLE: PagingStyle = PagingStyle::PageNumber;

    fn position(&self, request: &Op) -> Position {
        Position::Page {
            page: request.page(),
        }
    }

    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error> {
        match position {
            Position::Page { page } if *page >= 1 => {
                request.set_page(*page);
                Ok(())
            }
            other => Err(wrong_style(other, "page number")),
        }
    }

    fn next(
        &mut self,
        request: &Op,
        response: &Op::Response,
        items: &[Op::Item],
        options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        let (page, size, n) = (request.page(), request.page_size(), items.len() as u64);
        let before = page.saturating_sub(1).saturating_mul(size);
        let here = Position::Page { page };
        if n == 0 {
            return Ok(match self.total.0.or(Op::total(response)) {
                Some(total) if before < total => Step::Retry(empty_before_total(here, total)),
                _ => Step::Done,
            });
        }
        self.total.observe(Op::total(response), &here, options)?;
        let seen = before.saturating_add(n);
        if n < size {
            if let Some(total) = self.total.0.filter(|t| seen < *t) {
                tracing::warn!(
                    page,
                    seen,
                    total,
                    "short page before the total: export ends here"
                );
            }
            return Ok(Step::Done);
        }
        if self.total.0.is_some_and(|t| seen >= t) {
            return Ok(Step::Done);
        }
        let mut next = request.clone();
        next.set_page(page.checked_add(1).ok_or_else(|| past_the_end(&here))?);
        Ok(Step::Next(next))
    }

    fn after(&self, next: &Op, k: u64) -> Option<Op> {
        let total = self.total.0?;
        let page = next.page().checked_add(k)?;
        if page.saturating_sub(1).saturating_mul(next.page_size()) >= total {
            return None;
        }
        let mut ahead = next.clone();
        ahead.set_page(page);
        Some(ahead)
    }
}

/// Offset from 0 with a total (weiban `offset`/`limit` → `total`).
pub trait OffsetPaged: Paged {
    /// The offset requested.
    fn offset(&self) -> u64;
    /// Sets the offset.
    fn set_offset(&mut self, offset: u64);
    /// The limit in effect.
    fn limit(&self) -> u64;
    /// The total the response reports.
    fn total(response: &Self::Response) -> Option<u64>;
}

/// The offset paginator: advances by the number of records actually received (a server may
/// return fewer than asked) and ends when the total is reached. Without a total, a short page
/// ends it, and an empty page is requested once more before it is taken as the end (a
/// throttled empty page and the end look alike then).
#[derive(Debug, Default)]
pub struct Offset {
    total: TotalTracker,
    confirming_end: bool,
}

impl<Op: OffsetPaged> Paginator<Op> for Offset {
    const STYLE: PagingStyle = PagingStyle::Offset;

    fn position(&self, request: &Op) -> Position {
        Position::Offset {
            offset: request.offset(),
        }
    }

    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error> {
        match position {
            Position::Offset { offset } => {
                request.set_offset(*offset);
                Ok(())
            }
            other => Err(wrong_style(other, "offset")),
        }
    }

    fn next(
        &mut self,
        request: &Op,
        response: &Op::Response,
        items: &[Op::Item],
        options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        let (offset, n) = (request.offset(), items.len() as u64);
        let here = Position::Offset { offset };
        if n == 0 {
            // An empty page's total is not trusted (throttled pages may say 0).
            return Ok(match self.total.0.or(Op::total(response)) {
                Some(total) if offset < total => Step::Retry(empty_before_total(here, total)),
                None if !self.confirming_end => {
                    self.confirming_end = true;
                    Step::Retry(Error::new(
                        ErrorKind::Pagination,
                        format!(
                            "the page at {here} came back empty, with no total to tell the end \
                             from throttling"
                        ),
                    ))
                }
                _ => Step::Done,
            });
        }
        self.confirming_end = false;
        self.total.observe(Op::total(response), &here, options)?;
        let next_offset = offset.checked_add(n).ok_or_else(|| past_the_end(&here))?;
        let done = match self.total.0 {
            Some(total) => next_offset >= total,
            None => n < request.limit(),
        };
        if done {
            return Ok(Step::Done);
        }
        let mut next = request.clone();
        next.set_offset(next_offset);
        Ok(Step::Next(next))
    }

    fn after(&self, next: &Op, k: u64) -> Option<Op> {
        let total = self.total.0?;
        let offset = next.offset().checked_add(k.checked_mul(next.limit())?)?;
        if offset >= total || next.limit() == 0 {
            return None;
        }
        let mut ahead = next.clone();
        ahead.set_offset(offset);
        Some(ahead)
    }
}

/// Page/rows from 1 with no total (waiqin `page`/`rows`): a short or empty page ends it.
pub trait PageRowsPaged: Paged {
    /// The page requested (1-based).
    fn page(&self) -> u64;
    /// Sets the page.
    fn set_page(&mut self, page: u64);
    /// Rows per page in effect.
    fn rows(&self) -> u64;
}

/// The page/rows paginator.
#[derive(Debug, Default)]
pub struct PageRows;

impl<Op: PageRowsPaged> Paginator<Op> for PageRows {
    const STYLE: PagingStyle = PagingStyle::PageRows;

    fn position(&self, request: &Op) -> Position {
        Position::Page {
            page: request.page(),
        }
    }

    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error> {
        match position {
            Position::Page { page } if *page >= 1 => {
                request.set_page(*page);
                Ok(())
            }
            other => Err(wrong_style(other, "page/rows")),
        }
    }

    fn next(
        &mut self,
        request: &Op,
        _response: &Op::Response,
        items: &[Op::Item],
        _options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        if (items.len() as u64) < request.rows() {
            return Ok(Step::Done);
        }
        let page = request.page();
        let next_page = page
            .checked_add(1)
            .ok_or_else(|| past_the_end(&Position::Page { page }))?;
        let mut next = request.clone();
        next.set_page(next_page);
        Ok(Step::Next(next))
    }
}

/// Cursor paging (tanma `cursor`/`size` → `nextCursor`).
pub trait CursorPaged: Paged {
    /// The cursor sent (`None` for the first page).
    fn cursor(&self) -> Option<&str>;
    /// Sets the cursor.
    fn set_cursor(&mut self, cursor: Option<String>);
    /// The cursor the response hands out for the next page.
    fn next_cursor(response: &Self::Response) -> Option<&str>;
}

/// The cursor paginator: ends on a null/absent/empty cursor or an empty page; a cursor handed
/// out twice with records is caught by the driver's loop guard.
#[derive(Debug, Default)]
pub struct Cursor;

impl<Op: CursorPaged> Paginator<Op> for Cursor {
    const STYLE: PagingStyle = PagingStyle::Cursor;

    fn position(&self, request: &Op) -> Position {
        Position::Cursor {
            cursor: request.cursor().map(str::to_owned),
        }
    }

    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error> {
        match position {
            Position::Cursor { cursor } => {
                request.set_cursor(cursor.clone());
                Ok(())
            }
            other => Err(wrong_style(other, "cursor")),
        }
    }

    fn next(
        &mut self,
        request: &Op,
        response: &Op::Response,
        items: &[Op::Item],
        _options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        if items.is_empty() {
            return Ok(Step::Done);
        }
        match Op::next_cursor(response).filter(|c| !c.is_empty()) {
            None => Ok(Step::Done),
            Some(cursor) => {
                let mut next = request.clone();
                next.set_cursor(Some(cursor.to_owned()));
                Ok(Step::Next(next))
            }
        }
    }
}

/// Keyset paging by the last record's id (tanma `lastId` + `pageSize`).
pub trait KeysetPaged: Paged {
    /// The last id sent (`None` for the first page).
    fn last_id(&self) -> Option<String>;
    /// Sets the last id; fails if `id` is not a valid id for this endpoint.
    fn set_last_id(&mut self, id: Option<&str>) -> Result<(), Error>;
    /// The page size in effect.
    fn page_size(&self) -> u64;
    /// The id of a record.
    fn key(item: &Self::Item) -> String;

    /// The id of a record of the response to this request (what the paginator calls): by
    /// default [`KeysetPaged::key`].
    fn key_of(&self, item: &Self::Item) -> String {
        Self::key(item)
    }
}

/// The keyset paginator: the next `lastId` is the id of the last record received; a short page
/// ends it, and an empty page once it is requested again (keyset lists carry no total to tell a
/// throttled empty page from the end).
#[derive(Debug, Default)]
pub struct Keyset {
    confirming_end: bool,
}

impl<Op: KeysetPaged> Paginator<Op> for Keyset {
    const STYLE: PagingStyle = PagingStyle::Keyset;

    fn position(&self, request: &Op) -> Position {
        Position::LastId {
            last_id: request.last_id(),
        }
    }

    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error> {
        match position {
            Position::LastId { last_id } => request.set_last_id(last_id.as_deref()),
            other => Err(wrong_style(other, "last id")),
        }
    }

    fn next(
        &mut self,
        request: &Op,
        _response: &Op::Response,
        items: &[Op::Item],
        _options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        let Some(last) = items.last() else {
            if self.confirming_end {
                return Ok(Step::Done);
            }
            self.confirming_end = true;
            return Ok(Step::Retry(Error::new(
                ErrorKind::Pagination,
                format!(
                    "the page at {} came back empty, with no total to tell the end from throttling",
                    self.position(request)
                ),
            )));
        };
        self.confirming_end = false;
        if (items.len() as u64) < request.page_size() {
            return Ok(Step::Done);
        }
        let mut next = request.clone();
        next.set_last_id(Some(&request.key_of(last)))?;
        Ok(Step::Next(next))
    }
}

/// One answer, no paging: the response is the whole result.
#[derive(Debug, Default)]
pub struct Single;

impl<Op: Paged> Paginator<Op> for Single {
    const STYLE: PagingStyle = PagingStyle::Single;

    fn position(&self, _request: &Op) -> Position {
        Position::Single
    }

    fn resume(&mut self, _request: &mut Op, position: &Position) -> Result<(), Error> {
        match position {
            Position::Single => Ok(()),
            other => Err(wrong_style(other, "nothing (a single answer)")),
        }
    }

    fn next(
        &mut self,
        _request: &Op,
        _response: &Op::Response,
        _items: &[Op::Item],
        _options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        Ok(Step::Done)
    }
}

type Pending<Op> =
    futures::future::BoxFuture<'static, (Position, Result<<Op as Operation>::Response, Error>)>;

struct Driver<Op: Paged> {
    client: Client<Op::Vendor>,
    request: Option<Op>,
    style: Op::Style,
    options: PageOptions,
    seen: HashSet<Position>,
    pages: u64,
    empty_retries: u32,
    /// Requests in flight, consecutive from `request` on, yielded in order. Dropping the
    /// stream (or clearing this) cancels them.
    in_flight: futures::stream::FuturesOrdered<Pending<Op>>,
    in_flight_positions: std::collections::VecDeque<Position>,
}

impl<Op: Paged> Driver<Op> {
    fn context(e: Error) -> Error {
        e.with_vendor(<Op::Vendor as crate::Vendor>::NAME)
            .with_operation(Op::NAME)
    }

    fn send(&mut self, request: Op) {
        let position = self.style.position(&request);
        let client = self.client.clone();
        self.in_flight_positions.push_back(position.clone());
        self.in_flight.push_back(Box::pin(
            async move { (position, client.call(&request).await) },
        ));
    }

    fn cancel_in_flight(&mut self) {
        self.in_flight = futures::stream::FuturesOrdered::new();
        self.in_flight_positions.clear();
    }

    /// Keeps up to `concurrency` consecutive pages from `next` on in flight.
    fn prefetch(&mut self, next: &Op) {
        let concurrency = self.options.concurrency as u64;
        if concurrency <= 1 {
            return;
        }
        let position = self.style.position(next);
        if self.in_flight_positions.front() != Some(&position) {
            self.cancel_in_flight();
            self.send(next.clone());
        }
        // Pages still allowed by the cap after the one being returned now.
        let cap = self
            .options
            .max_pages
            .map_or(u64::MAX, |max| max.saturating_sub(self.pages + 1));
        loop {
            let queued = self.in_flight_positions.len() as u64;
            if queued >= concurrency || queued >= cap {
                break;
            }
            match self.style.after(next, queued) {
                Some(request) => self.send(request),
                None => break,
            }
        }
    }

    async fn next_page(&mut self) -> Result<Option<Page<Op>>, Error> {
        loop {
            let Some(request) = self.request.take() else {
                return Ok(None);
            };
            if self.options.max_pages.is_some_and(|max| self.pages >= max) {
                self.cancel_in_flight();
                return Ok(None);
            }
            let position = self.style.position(&request);
            if self.in_flight_positions.front() != Some(&position) {
                self.cancel_in_flight();
                self.send(request.clone());
            }
            self.in_flight_positions.pop_front();
            let (_, result) = match self.in_flight.next().await {
                Some(done) => done,
                None => (position.clone(), self.client.call(&request).await),
            };
            let mut response = result?;
            let items = request.items_of(&mut response);
            let step = self
                .style
                .next(&request, &response, &items, &self.options)
                .map_err(Self::context)?;
            let next = match step {
                Step::Retry(reason) => {
                    self.empty_retries += 1;
                    if self.empty_retries > self.options.empty_page_retries {
                        return Err(Self::context(reason).with_attempts(self.empty_retries));
                    }
                    let delay = backon::ExponentialBuilder::default()
                        .with_min_delay(self.options.empty_page_backoff)
                        .with_max_delay(Duration::from_secs(60))
                        .with_jitter()
                        .without_max_times()
                        .build()
                        .nth(self.empty_retries as usize - 1)
                        .unwrap_or(self.options.empty_page_backoff);
                    tracing::warn!(
                        operation = Op::NAME,
                        position = %position,
                        retry = self.empty_retries,
                        delay_ms = delay.as_millis() as u64,
                        "empty page before the total: requesting it again"
                    );
                    // Pages prefetched after a throttled one may be throttled too.
                    self.cancel_in_flight();
                    tokio::time::sleep(delay).await;
                    self.request = Some(request);
                    continue;
                }
                Step::Done => {
                    self.cancel_in_flight();
                    None
                }
                Step::Next(next) => {
                    let next_position = self.style.position(&next);
                    if !self.seen.insert(next_position.clone()) {
                        return Err(Self::context(Error::new(
                            ErrorKind::Pagination,
                            format!(
                                "the vendor pointed back to {next_position}, which was already \
                                 requested; stopping instead of looping"
                            ),
                        )));
                    }
                    self.prefetch(&next);
                    self.request = Some(next);
                    Some(next_position)
                }
            };
            self.empty_retries = 0;
            self.pages += 1;
            return Ok(Some(Page {
                items,
                response,
                number: self.pages,
                position,
                next,
            }));
        }
    }
}

fn drive<Op: Paged>(
    client: Client<Op::Vendor>,
    mut request: Op,
    options: PageOptions,
) -> futures::stream::BoxStream<'static, Result<Page<Op>, Error>> {
    request.prepare();
    let mut style = Op::Style::default();
    let resumed = match &options.resume_from {
        Some(position) => style.resume(&mut request, position),
        None => Ok(()),
    };
    let first = style.position(&request);
    let driver = Driver::<Op> {
        client,
        request: Some(request),
        style,
        options,
        seen: HashSet::from([first]),
        pages: 0,
        empty_retries: 0,
        in_flight: futures::stream::FuturesOrdered::new(),
        in_flight_positions: std::collections::VecDeque::new(),
    };
    let init = match resumed {
        Ok(()) => Ok(driver),
        Err(e) => Err(Driver::<Op>::context(e)),
    };
    futures::stream::once(async move { init })
        .map_ok(|driver| {
            futures::stream::try_unfold(driver, |mut d| async move {
                Ok(d.next_page().await?.map(|page| (page, d)))
            })
        })
        .try_flatten()
        .boxed()
}

/// Setters of [`PageOptions`] on a stream that has not started yet.
macro_rules! page_option_setters {
    ($($path:ident).+) => {
        /// All page options at once, replacing the client's defaults.
        pub fn options(mut self, options: PageOptions) -> Self {
            self.$($path).+ = options;
            self
        }

        /// Pages in flight at once ([`PageOptions::concurrency`]).
        pub fn concurrency(mut self, pages_in_flight: usize) -> Self {
            let o = std::mem::take(&mut self.$($path).+);
            self.$($path).+ = o.concurrency(pages_in_flight);
            self
        }

        /// Stop after this many pages ([`PageOptions::max_pages`]).
        pub fn max_pages(mut self, max: u64) -> Self {
            let o = std::mem::take(&mut self.$($path).+);
            self.$($path).+ = o.max_pages(max);
            self
        }

        /// Start from a saved position ([`PageOptions::resume_from`]).
        pub fn resume_from(mut self, position: Position) -> Self {
            let o = std::mem::take(&mut self.$($path).+);
            self.$($path).+ = o.resume_from(position);
            self
        }

        /// What to do when the total changes ([`PageOptions::on_total_change`]).
        pub fn on_total_change(mut self, policy: DriftPolicy) -> Self {
            let o = std::mem::take(&mut self.$($path).+);
            self.$($path).+ = o.on_total_change(policy);
            self
        }

        /// Re-requests of an empty page before the total ([`PageOptions::empty_page_retries`]).
        pub fn empty_page_retries(mut self, retries: u32) -> Self {
            let o = std::mem::take(&mut self.$($path).+);
            self.$($path).+ = o.empty_page_retries(retries);
            self
        }

        /// First delay before re-requesting an empty page ([`PageOptions::empty_page_backoff`]).
        pub fn empty_page_backoff(mut self, delay: Duration) -> Self {
            let o = std::mem::take(&mut self.$($path).+);
            self.$($path).+ = o.empty_page_backoff(delay);
            self
        }
    };
}

/// The pages of a request: a [`Stream`] of [`Page`]s, each with the position to resume from.
/// Set options on it before polling; it starts on the first poll. `Unpin`, so `next().await`
/// works without pinning.
///
/// The first error ends the stream; the last page received tells where to resume.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<Op: Paged> {
    client: Client<Op::Vendor>,
    request: Option<Op>,
    options: PageOptions,
    stream: Option<futures::stream::BoxStream<'static, Result<Page<Op>, Error>>>,
}

impl<Op: Paged> Pages<Op> {
    page_option_setters!(options);

    /// The records of these pages, one by one.
    pub fn items(self) -> Items<Op> {
        Items {
            pages: self,
            buffer: Vec::new().into_iter(),
        }
    }

    /// The request the stream starts from.
    pub fn request(&self) -> Option<&Op> {
        self.request.as_ref()
    }
}

impl<Op: Paged> fmt::Debug for Pages<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &Op::NAME)
            .field("options", &self.options)
            .field("started", &self.stream.is_some())
            .finish()
    }
}

// No field is pinned structurally: the driver stream is boxed.
impl<Op: Paged> Unpin for Pages<Op> {}

impl<Op: Paged> Stream for Pages<Op> {
    type Item = Result<Page<Op>, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.stream.is_none() {
            let Some(request) = this.request.take() else {
                return std::task::Poll::Ready(None);
            };
            let options = std::mem::take(&mut this.options);
            this.stream = Some(drive(this.client.clone(), request, options));
        }
        match &mut this.stream {
            Some(stream) => stream.poll_next_unpin(cx),
            None => std::task::Poll::Ready(None),
        }
    }
}

/// Every record of every page of a request, in order: a [`Stream`] of items. Set options on
/// it before polling; `Unpin`.
#[must_use = "streams do nothing unless polled"]
pub struct Items<Op: Paged> {
    pages: Pages<Op>,
    buffer: std::vec::IntoIter<Op::Item>,
}

impl<Op: Paged> Items<Op> {
    page_option_setters!(pages.options);
}

impl<Op: Paged> fmt::Debug for Items<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").field("pages", &self.pages).finish()
    }
}

impl<Op: Paged> Unpin for Items<Op> {}

impl<Op: Paged> Stream for Items<Op> {
    type Item = Result<Op::Item, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffer.next() {
                return std::task::Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(this.pages.poll_next_unpin(cx)) {
                Some(Ok(page)) => this.buffer = page.items.into_iter(),
                Some(Err(e)) => return std::task::Poll::Ready(Some(Err(e))),
                None => return std::task::Poll::Ready(None),
            }
        }
    }
}

impl<V: crate::Vendor> Client<V> {
    /// The pages of `request`, with the client's default page options; set others on the
    /// returned stream (`.concurrency(4)`, `.resume_from(position)`, `.max_pages(10)`).
    ///
    /// Every filter of `request` is kept on every page; the operation's [`Paged::prepare`]
    /// fills in the first position and page size.
    pub fn pages<Op: Paged<Vendor = V>>(&self, request: Op) -> Pages<Op> {
        Pages {
            client: self.clone(),
            request: Some(request),
            options: self.page_options().clone(),
            stream: None,
        }
    }

    /// Every record of every page of `request`, in order ([`Client::pages`]`(request).items()`).
    pub fn items<Op: Paged<Vendor = V>>(&self, request: Op) -> Items<Op> {
        self.pages(request).items()
    }
}

/// Collects a stream of results into a `Vec`, stopping at the first error.
pub async fn collect_all<T, S>(stream: S) -> Result<Vec<T>, Error>
where
    S: Stream<Item = Result<T, Error>>,
{
    let mut out = Vec::new();
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        out.push(item?);
    }
    Ok(out)
}

/// A request field holding a page number, size or offset ([`paging!`](macro@crate::paging)).
#[doc(hidden)]
pub trait PageNum: Copy {
    /// As a `u64`.
    fn to_u64(self) -> u64;
    /// From a `u64` (saturating).
    fn from_u64(v: u64) -> Self;
}

macro_rules! page_num {
    ($($t:ty),*) => {$(
        impl PageNum for $t {
            fn to_u64(self) -> u64 {
                u64::try_from(self).unwrap_or(0)
            }
            fn from_u64(v: u64) -> Self {
                <$t>::try_from(v).unwrap_or(<$t>::MAX)
            }
        }
    )*};
}
page_num!(u32, u64, i32, i64);

impl PageNum for crate::de::Digits {
    fn to_u64(self) -> u64 {
        self.0
    }
    fn from_u64(v: u64) -> Self {
        crate::de::Digits(v)
    }
}

/// A record field usable as a keyset key ([`paging!`](macro@crate::paging)).
#[doc(hidden)]
pub trait PageKey: Sized {
    /// The key as text (what a [`Position::LastId`] holds).
    fn to_key(&self) -> String;
    /// The key from text.
    fn from_key(key: &str) -> Result<Self, Error>;
}

impl PageKey for crate::de::Id {
    fn to_key(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_key(key: &str) -> Result<Self, Error> {
        Ok(match key.parse::<u64>() {
            Ok(n) => crate::de::Id::number(n),
            Err(_) => crate::de::Id::string(key),
        })
    }
}

impl PageKey for String {
    fn to_key(&self) -> String {
        self.clone()
    }
    fn from_key(key: &str) -> Result<Self, Error> {
        Ok(key.to_owned())
    }
}

macro_rules! page_key_int {
    ($($t:ty),*) => {$(
        impl PageKey for $t {
            fn to_key(&self) -> String {
                self.to_string()
            }
            fn from_key(key: &str) -> Result<Self, Error> {
                key.trim().parse().map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidInput,
                        format!("last id {key:?} is not an integer"),
                    )
                })
            }
        }
    )*};
}
page_key_int!(u64, i64);

/// Declares how an operation pages: its item type, the request fields of its position and
/// page size (with the size a stream asks for when the request sets none), and the response
/// fields holding the items and the total, cursor or key.
///
/// ```text
/// scrm_core::paging!(Req => Item, page_number(current_index, page_size = 100), total(total), items(records));
/// scrm_core::paging!(Req => Item, offset(offset, limit = 100), total(total), items(result));
/// scrm_core::paging!(Req => Item, offset(offset, limit = 100), items(result));          // no total
/// scrm_core::paging!(Req => Item, page_rows(page, rows = 1000), items(list));
/// scrm_core::paging!(Req => Item, cursor(cursor, size = 100), next(next_cursor), items(list));
/// scrm_core::paging!(Req => Item, keyset(last_id, page_size = 100), key(id), items(result));
/// scrm_core::paging!(Req => Item, single, items(list));
/// scrm_core::paging!(Req => Item, single, item(detail));                                // one object
/// ```
///
/// `items(*)` says the response is the list itself (`Response = Vec<Item>`).
#[macro_export]
macro_rules! paging {
    (@items $r:ident, *) => { ::std::mem::take($r) };
    (@items $r:ident, $items:ident) => { $r.$items.take().unwrap_or_default() };
    (@common $req:ty => $item:ty, $style:ident, $size:expr, $items:tt) => {
        type Item = $item;
        type Style = $crate::$style;
        const PAGE_SIZE: ::core::option::Option<&'static str> = $size;
        fn take_items(r: &mut <Self as $crate::Operation>::Response) -> ::std::vec::Vec<$item> {
            $crate::paging!(@items r, $items)
        }
    };
    (@fill $self:ident . $field:ident = $value:expr) => {
        if $self.$field.is_none() {
            $self.$field = ::core::option::Option::Some($crate::paging::PageNum::from_u64($value));
        }
    };
    (@get $self:ident . $field:ident or $default:expr) => {
        $self.$field.map_or($default, $crate::paging::PageNum::to_u64)
    };
    (@total $r:ident $(, $total:ident)?) => {{
        let _ = $r;
        ::core::option::Option::<u64>::None $( .or($r.$total.map($crate::paging::PageNum::to_u64)) )?
    }};

    ($req:ty => $item:ty, page_number($page:ident, $size:ident = $default:expr) $(, total($total:ident))?, items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, PageNumber, Some(stringify!($size)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$page = 1);
                $crate::paging!(@fill self.$size = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::PageNumbered for $req {
            fn page(&self) -> u64 { $crate::paging!(@get self.$page or 1) }
            fn set_page(&mut self, page: u64) {
                self.$page = ::core::option::Option::Some($crate::paging::PageNum::from_u64(page));
            }
            fn page_size(&self) -> u64 { $crate::paging!(@get self.$size or $default) }
            fn total(r: &<Self as $crate::Operation>::Response) -> ::core::option::Option<u64> {
                $crate::paging!(@total r $(, $total)?)
            }
        }
    };
    ($req:ty => $item:ty, offset($offset:ident, $limit:ident = $default:expr) $(, total($total:ident))?, items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Offset, Some(stringify!($limit)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$offset = 0);
                $crate::paging!(@fill self.$limit = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::OffsetPaged for $req {
            fn offset(&self) -> u64 { $crate::paging!(@get self.$offset or 0) }
            fn set_offset(&mut self, offset: u64) {
                self.$offset = ::core::option::Option::Some($crate::paging::PageNum::from_u64(offset));
            }
            fn limit(&self) -> u64 { $crate::paging!(@get self.$limit or $default) }
            fn total(r: &<Self as $crate::Operation>::Response) -> ::core::option::Option<u64> {
                $crate::paging!(@total r $(, $total)?)
            }
        }
    };
    ($req:ty => $item:ty, page_rows($page:ident, $rows:ident = $default:expr), items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, PageRows, Some(stringify!($rows)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$page = 1);
                $crate::paging!(@fill self.$rows = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::PageRowsPaged for $req {
            fn page(&self) -> u64 { $crate::paging!(@get self.$page or 1) }
            fn set_page(&mut self, page: u64) {
                self.$page = ::core::option::Option::Some($crate::paging::PageNum::from_u64(page));
            }
            fn rows(&self) -> u64 { $crate::paging!(@get self.$rows or $default) }
        }
    };
    ($req:ty => $item:ty, cursor($cursor:ident, $size:ident = $default:expr), next($next:ident), items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Cursor, Some(stringify!($size)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$size = $default);
                $( let $r = &mut *self; $then )?
                // An empty cursor is the first page, as an empty `next` cursor is the end.
                if self.$cursor.as_deref() == ::core::option::Option::Some("") {
                    self.$cursor = ::core::option::Option::None;
                }
            }
        }
        impl $crate::CursorPaged for $req {
            fn cursor(&self) -> ::core::option::Option<&str> { self.$cursor.as_deref() }
            fn set_cursor(&mut self, cursor: ::core::option::Option<::std::string::String>) {
                self.$cursor = cursor;
            }
            fn next_cursor(r: &<Self as $crate::Operation>::Response) -> ::core::option::Option<&str> {
                r.$next.as_deref()
            }
        }
    };
    ($req:ty => $item:ty, keyset($last:ident, $size:ident = $default:expr), key($key:ident), items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Keyset, Some(stringify!($size)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$size = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::KeysetPaged for $req {
            fn last_id(&self) -> ::core::option::Option<::std::string::String> {
                self.$last.as_ref().map($crate::paging::PageKey::to_key)
            }
            fn set_last_id(&mut self, id: ::core::option::Option<&str>) -> ::core::result::Result<(), $crate::Error> {
                self.$last = id.map($crate::paging::PageKey::from_key).transpose()?;
                Ok(())
            }
            fn page_size(&self) -> u64 { $crate::paging!(@get self.$size or $default) }
            fn key(item: &Self::Item) -> ::std::string::String {
                item.$key.as_ref().map($crate::paging::PageKey::to_key).unwrap_or_default()
            }
        }
    };
    ($req:ty => $item:ty, single, items($items:tt)) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Single, None, $items);
        }
    };
    ($req:ty => $item:ty, single, item($field:ident)) => {
        impl $crate::Paged for $req {
            type Item = $item;
            type Style = $crate::Single;
            fn take_items(r: &mut <Self as $crate::Operation>::Response) -> ::std::vec::Vec<$item> {
                r.$field.take().into_iter().collect()
            }
        }
    };
}
