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

/// Options of a page stream.
///
/// ```
/// use std::time::Duration;
/// use scrm_core::{PageOptions, Position};
/// let options = PageOptions::default()
///     .max_pages(Some(10))
///     .empty_page_retries(5)
///     .resume_from(Some(Position::Page { page: 3 }));
/// ```
#[derive(Clone, Debug)]
pub struct PageOptions {
    max_pages: Option<u64>,
    empty_page_retries: u32,
    empty_page_backoff: Duration,
    drift: DriftPolicy,
    resume_from: Option<Position>,
    concurrency: usize,
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
    pub fn max_pages(mut self, max: Option<u64>) -> Self {
        self.max_pages = max;
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

    /// Start from a saved position instead of the request's own.
    pub fn resume_from(mut self, position: Option<Position>) -> Self {
        self.resume_from = position;
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

    /// The drift policy.
    pub fn drift_policy(&self) -> DriftPolicy {
        self.drift
    }

    /// Pages in flight at once.
    pub fn get_concurrency(&self) -> usize {
        self.concurrency
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

/// What a paginator decided after a page.
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

/// An endpoint that pages. Implement it and the accessor trait of its style.
pub trait Paged: Operation + Clone + 'static {
    /// One record.
    type Item: Send + 'static;
    /// The paging style: [`PageNumber`], [`Offset`], [`PageRows`], [`Cursor`] or [`Keyset`].
    type Style: Paginator<Self> + Default;

    /// Moves the records out of a response.
    fn take_items(response: &mut Self::Response) -> Vec<Self::Item>;
}

/// Decides the next request from the last one and its page.
pub trait Paginator<Op: Paged>: Send + 'static {
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
        let seen = before + n;
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
        next.set_page(page + 1);
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
/// return fewer than asked) and ends when the total is reached.
#[derive(Debug, Default)]
pub struct Offset {
    total: TotalTracker,
}

impl<Op: OffsetPaged> Paginator<Op> for Offset {
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
                _ => Step::Done,
            });
        }
        self.total.observe(Op::total(response), &here, options)?;
        let next_offset = offset + n;
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
        let mut next = request.clone();
        next.set_page(request.page() + 1);
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
}

/// The keyset paginator: the next `lastId` is the id of the last record received; a short or
/// empty page ends it.
#[derive(Debug, Default)]
pub struct Keyset;

impl<Op: KeysetPaged> Paginator<Op> for Keyset {
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
            return Ok(Step::Done);
        };
        if (items.len() as u64) < request.page_size() {
            return Ok(Step::Done);
        }
        let mut next = request.clone();
        next.set_last_id(Some(&Op::key(last)))?;
        Ok(Step::Next(next))
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
            let items = Op::take_items(&mut response);
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

impl<V: crate::Vendor> Client<V> {
    /// A stream of the pages of `request`, with the client's default page options.
    ///
    /// The first error ends the stream; the last page received tells where to resume.
    pub fn pages<Op: Paged<Vendor = V>>(
        &self,
        request: Op,
    ) -> impl Stream<Item = Result<Page<Op>, Error>> + Send + 'static {
        self.pages_with(request, self.page_options().clone())
    }

    /// A stream of the pages of `request` with explicit options (page cap, resume position…).
    pub fn pages_with<Op: Paged<Vendor = V>>(
        &self,
        mut request: Op,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page<Op>, Error>> + Send + 'static {
        let mut style = Op::Style::default();
        let resumed = match &options.resume_from {
            Some(position) => style.resume(&mut request, position),
            None => Ok(()),
        };
        let first = style.position(&request);
        let driver = Driver::<Op> {
            client: self.clone(),
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
    }

    /// A stream of every record of every page of `request`, in order.
    pub fn items<Op: Paged<Vendor = V>>(
        &self,
        request: Op,
    ) -> impl Stream<Item = Result<Op::Item, Error>> + Send + 'static {
        self.items_with(request, self.page_options().clone())
    }

    /// [`Client::items`] with explicit page options.
    pub fn items_with<Op: Paged<Vendor = V>>(
        &self,
        request: Op,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Op::Item, Error>> + Send + 'static {
        self.pages_with(request, options)
            .map_ok(|page| futures::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
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
