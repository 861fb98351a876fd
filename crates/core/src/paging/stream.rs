//! The driver that turns any paginator into streams: [`Pages`] and [`Items`]. It sends its
//! requests through a [`PageSource`] (the client that made the stream), so it needs nothing
//! of the client but that.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use backon::BackoffBuilder;
use futures::future::BoxFuture;
use futures::{Stream, StreamExt, TryStreamExt};

use crate::error::{Error, ErrorKind};
use crate::operation::{Operation, Vendor};
use crate::paging::options::{DriftPolicy, PageOptions, Position};
use crate::paging::styles::{Paged, Paginator, Step};

/// Where a page stream sends its requests: the client that made it
/// ([`Client::pages`](crate::Client::pages)).
pub(crate) trait PageSource<Op: Operation>: Send + Sync + 'static {
    /// Sends one page request (every retry, rate limit and signature included).
    fn fetch<'a>(&'a self, request: &'a Op) -> BoxFuture<'a, Result<Op::Response, Error>>;
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

type Pending<Op> = BoxFuture<'static, (Position, Result<<Op as Operation>::Response, Error>)>;

/// The requests' way out: the client that made the stream.
type Source<Op> = Arc<dyn PageSource<Op>>;

struct Driver<Op: Paged> {
    source: Source<Op>,
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
        e.with_vendor(<Op::Vendor as Vendor>::NAME)
            .with_operation(Op::NAME)
    }

    fn send(&mut self, request: Op) {
        let position = self.style.position(&request);
        let source = self.source.clone();
        self.in_flight_positions.push_back(position.clone());
        self.in_flight.push_back(Box::pin(
            async move { (position, source.fetch(&request).await) },
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
                None => (position.clone(), self.source.fetch(&request).await),
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
    source: Source<Op>,
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
        source,
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
    source: Source<Op>,
    request: Option<Op>,
    options: PageOptions,
    stream: Option<futures::stream::BoxStream<'static, Result<Page<Op>, Error>>>,
}

impl<Op: Paged> Pages<Op> {
    /// The pages of `request`, sent through `source`, with `options` until set otherwise.
    pub(crate) fn new(source: Source<Op>, request: Op, options: PageOptions) -> Self {
        Pages {
            source,
            request: Some(request),
            options,
            stream: None,
        }
    }

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
            this.stream = Some(drive(this.source.clone(), request, options));
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
