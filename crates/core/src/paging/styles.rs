//! The paging styles: the [`Paged`] trait of an endpoint, the accessor trait of each style and
//! its [`Paginator`], which decides the next request from the last one and its page.

use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::operation::Operation;
use crate::paging::options::{DriftPolicy, PageOptions, Position};

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
    /// every page asks for a known size. Called by [`Client::pages`](crate::Client::pages) before the first page.
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
