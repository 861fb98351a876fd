//! The sync driver: full, resumed and incremental runs of any registered operation.

use std::time::{Duration, Instant};

use futures::StreamExt;
use scrm_core::registry::{ChangeKind, DynOperation, Granularity};
use scrm_core::{Client, PageOptions, Vendor};

use crate::bookmark::{Bookmark, Mode, format_bound, now, window_start};
use crate::error::{SyncError, SyncErrorKind};
use crate::sink::{PageCounts, PageWrite, Sink};
use crate::stream::{CursorValue, StreamSpec};

/// The default safety window: an incremental run re-reads this much before the previous
/// run's start.
pub const DEFAULT_LAG: Duration = Duration::from_secs(300);

/// Progress after each committed page.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct Progress {
    /// Records committed by this run.
    pub records: u64,
    /// Pages committed by this run.
    pub pages: u64,
    /// HTTP requests sent by the client since the run started.
    pub requests: u64,
    /// Retries since the run started.
    pub retries: u64,
    /// Since the run started.
    pub elapsed: Duration,
}

/// A progress callback.
pub type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

/// How to run a sync.
///
/// ```
/// let options = scrm_sync::SyncOptions::default().full(true);
/// assert!(options.full);
/// ```
#[non_exhaustive]
pub struct SyncOptions {
    /// Re-read everything (ignoring the bookmark) and rewrite every row.
    pub full: bool,
    /// The safety window re-read before the previous run's start ([`DEFAULT_LAG`]).
    pub lag: Duration,
    /// Page options (concurrency, empty-page retries, drift policy); `None`: the client's
    /// own. The driver sets `resume_from` itself.
    pub pages: Option<PageOptions>,
    /// Called after every committed page.
    pub progress: Option<ProgressFn>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            full: false,
            lag: DEFAULT_LAG,
            pages: None,
            progress: None,
        }
    }
}

impl std::fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncOptions")
            .field("full", &self.full)
            .field("lag", &self.lag)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl SyncOptions {
    /// Re-read everything and rewrite every row.
    pub fn full(mut self, full: bool) -> Self {
        self.full = full;
        self
    }

    /// The safety window of incremental runs.
    pub fn lag(mut self, lag: Duration) -> Self {
        self.lag = lag;
        self
    }

    /// Page options instead of the client's.
    pub fn pages(mut self, pages: PageOptions) -> Self {
        self.pages = Some(pages);
        self
    }

    /// Called after every committed page.
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(f));
        self
    }
}

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Rows that did not exist.
    pub inserted: u64,
    /// Rows whose record changed.
    pub updated: u64,
    /// Rows already stored as they are.
    pub unchanged: u64,
    /// Pages committed.
    pub pages: u64,
    /// HTTP requests sent (every attempt, token fetches included).
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// `full` or `incremental`.
    pub mode: Option<Mode>,
    /// Whether this run resumed an interrupted one.
    pub resumed: bool,
    /// Whether a newest-first list stopped at a record already stored.
    pub stopped_early: bool,
}

impl Summary {
    /// Records written (inserted + updated + unchanged).
    pub fn records(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }

    /// Adds a committed page's counts.
    fn count(&mut self, page: PageCounts) {
        let PageCounts {
            inserted,
            updated,
            unchanged,
        } = page;
        self.inserted += inserted;
        self.updated += updated;
        self.unchanged += unchanged;
    }

    /// The summary line: `1000 inserted, 0 updated, 0 unchanged, 10 pages, 11 requests`.
    pub fn line(&self) -> String {
        format!(
            "{} inserted, {} updated, {} unchanged, {} pages, {} requests",
            self.inserted, self.updated, self.unchanged, self.pages, self.requests
        )
    }
}

/// A sync that stopped early, with what it had committed.
#[derive(Debug)]
#[non_exhaustive]
pub struct Interrupted {
    /// Why.
    pub error: SyncError,
    /// What was committed before (kept: the next run resumes after it).
    pub summary: Summary,
}

impl From<SyncError> for Interrupted {
    fn from(error: SyncError) -> Self {
        Interrupted {
            error,
            summary: Summary::default(),
        }
    }
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Interrupted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Syncs `request` of `op` into `sink`.
///
/// - No bookmark, `--full`, or an operation the vendor offers no filter for: a full read.
/// - A bookmark of an unfinished run: resumes from its position, with the same window.
/// - A bookmark of a finished run of an operation with an incremental cursor
///   ([`OpInfo::incremental`](scrm_core::registry::OpInfo)): reads the window from the last
///   run's start (minus [`SyncOptions::lag`]; day filters re-read that whole day; id filters
///   from the last id) to now; a newest-first list reads from the start and stops at the
///   first record at or below the newest id already stored.
///
/// Every page's rows and the bookmark after it are committed in one transaction.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use scrm_weiban::prelude::*;
/// let client = WeibanClient::builder().corp_id("corp").secret("secret").build()?;
/// let op = scrm_weiban::OPERATIONS[0]; // smart-form-users
/// let mut sink = scrm_sync::SqliteSink::open("scrm.db")?;
/// let request = serde_json::json!({"status": "submit"});
/// let summary = scrm_sync::sync(client.core(), op, request, &mut sink, Default::default()).await?;
/// println!("{}", summary.line());
/// # Ok(()) }
/// ```
pub async fn sync<V: Vendor>(
    client: &Client<V>,
    op: &dyn DynOperation<V>,
    request: serde_json::Value,
    sink: &mut dyn Sink,
    options: SyncOptions,
) -> Result<Summary, Interrupted> {
    let spec = StreamSpec::new(op.info(), &request)?;
    let stored = sink.open(&spec).await?;
    let result = run(client, op, request, &spec, stored, sink, options).await;
    let closed = sink.close(&spec).await;
    match (result, closed) {
        (Ok(s), Ok(())) => Ok(s),
        (Ok(summary), Err(error)) => Err(Interrupted { error, summary }),
        (Err(e), _) => Err(e),
    }
}

fn integer(cursor: &Option<CursorValue>) -> Option<i64> {
    match cursor {
        Some(CursorValue::Integer(i)) => Some(*i),
        Some(CursorValue::Text(s)) => s.parse().ok(),
        None => None,
    }
}

async fn run<V: Vendor>(
    client: &Client<V>,
    op: &dyn DynOperation<V>,
    mut request: serde_json::Value,
    spec: &StreamSpec,
    stored: Option<String>,
    sink: &mut dyn Sink,
    mut options: SyncOptions,
) -> Result<Summary, Interrupted> {
    let started = Instant::now();
    let start_stats = client.stats();
    let info = op.info();
    let database = sink.database();
    let mut summary = Summary::default();
    let fail = |error: SyncError, summary: &Summary| Interrupted {
        error,
        summary: summary.clone(),
    };
    let previous = match &stored {
        None => None,
        // --full needs no bookmark: an unreadable one is replaced when the run completes.
        Some(text) if options.full => Bookmark::parse(text)
            .inspect_err(|why| tracing::warn!(why, "ignoring an unreadable bookmark (--full)"))
            .ok(),
        Some(text) => Some(Bookmark::parse(text).map_err(|why| {
            fail(
                SyncError::new(
                    SyncErrorKind::Bookmark,
                    database.clone(),
                    format!(
                        "the bookmark of {} {} (filters {}) in table _scrm_state cannot be read ({why}); no row was changed: run with --full to re-read everything (the stored rows are kept and upserted), or delete that _scrm_state row",
                        info.vendor,
                        info.name,
                        spec.filters()
                    ),
                ),
                &summary,
            )
        })?),
    };
    let inc = spec.incremental();
    let lag = options.lag.as_secs() as i64;
    // What this run reads.
    let mut bookmark = match previous {
        Some(b) if !b.complete && !options.full => {
            summary.resumed = true;
            b
        }
        previous => {
            let incremental = !options.full && spec.is_incremental();
            let prior = previous.filter(|_| incremental);
            match (inc, prior) {
                (Some(i), Some(prior)) if i.kind == ChangeKind::NewestFirst => {
                    let mut b = Bookmark::start(Mode::Incremental);
                    b.stop_at = prior.stop_at;
                    b.watermark = prior.watermark;
                    if b.stop_at.is_none() {
                        b.mode = Mode::Full;
                    }
                    b
                }
                (Some(i), Some(prior)) if prior.watermark.is_some() => {
                    let mut b = Bookmark::start(Mode::Incremental);
                    b.watermark = prior.watermark;
                    let from = window_start(i.granularity, prior.watermark.unwrap_or(0), lag);
                    if let (Some(param), Some(v)) =
                        (i.from_param, format_bound(i.granularity, from))
                    {
                        b.window.insert(param.to_owned(), v);
                    }
                    if i.granularity != Granularity::Id
                        && let (Some(param), Some(v)) =
                            (i.to_param, format_bound(i.granularity, now()))
                    {
                        b.window.insert(param.to_owned(), v);
                    }
                    b
                }
                _ => Bookmark::start(Mode::Full),
            }
        }
    };
    summary.mode = Some(bookmark.mode);
    if !summary.resumed {
        // Time cursors: the next window starts where this run started (minus the lag), so
        // whatever changes while it runs is read next time.
        bookmark.pending_watermark = match inc.map(|i| i.granularity) {
            Some(Granularity::Id) | None => bookmark.watermark,
            Some(_) => Some(now()),
        };
    }
    if let serde_json::Value::Object(object) = &mut request {
        for (k, v) in &bookmark.window {
            object.insert(k.clone(), v.clone());
        }
        if let Some(field) = info.page_size_field {
            if summary.resumed {
                if object.get(field) != bookmark.page_size.as_ref() {
                    tracing::info!(
                        field,
                        "resuming with the interrupted run's page size, not this one's"
                    );
                }
                match &bookmark.page_size {
                    Some(size) => object.insert(field.to_owned(), size.clone()),
                    None => object.remove(field),
                };
            } else {
                bookmark.page_size = object.get(field).cloned();
            }
        }
    }
    let mut pages_options = options
        .pages
        .clone()
        .unwrap_or_else(|| client.page_options().clone());
    if let Some(next) = bookmark.next.clone() {
        pages_options = pages_options.resume_from(next);
    }
    tracing::info!(
        vendor = info.vendor,
        operation = info.name,
        mode = bookmark.mode.as_str(),
        resumed = summary.resumed,
        window = %serde_json::Value::Object(bookmark.window.clone()),
        "sync starting"
    );
    let newest_first = inc.is_some_and(|i| i.kind == ChangeKind::NewestFirst);
    let id_cursor = inc.is_some_and(|i| i.granularity == Granularity::Id);
    let refresh = options.full;
    let mut pages = op
        .pages(client, request, pages_options)
        .map_err(|e| fail(SyncError::vendor(e), &summary))?;
    let stats = |summary: &mut Summary| {
        let s = client.stats();
        summary.requests = s.requests.saturating_sub(start_stats.requests);
        summary.retries = s.retries.saturating_sub(start_stats.retries);
    };
    let mut completed = false;
    // While page N is committed (on a blocking thread or the database's connection), page N+1
    // is fetched: its rows are only written after N's transaction succeeded.
    let mut next = pages.next().await;
    while let Some(page) = next.take() {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                stats(&mut summary);
                return Err(fail(SyncError::vendor(e), &summary));
            }
        };
        let mut rows = Vec::with_capacity(page.records.len());
        let mut stop = false;
        for record in page.records {
            let row = spec.row(record).map_err(|mut e| {
                if e.database().is_empty() {
                    e = SyncError::new(e.kind(), database.clone(), e.message().to_owned());
                }
                fail(e, &summary)
            })?;
            if newest_first {
                let id = integer(&row.cursor);
                if let (Some(stop_at), Some(id)) = (bookmark.stop_at, id)
                    && id <= stop_at
                {
                    // Everything from here on was stored by an earlier run.
                    rows.push(row);
                    stop = true;
                    break;
                }
                if let Some(id) = id {
                    bookmark.newest = Some(bookmark.newest.map_or(id, |n| n.max(id)));
                }
            } else if id_cursor && let Some(id) = integer(&row.cursor) {
                bookmark.pending_watermark =
                    Some(bookmark.pending_watermark.map_or(id, |w| w.max(id)));
            }
            rows.push(row);
        }
        let n = rows.len() as u64;
        bookmark.records += n;
        bookmark.next = page.next.clone();
        let end = stop || page.next.is_none();
        if end {
            finish(&mut bookmark, newest_first);
        }
        let write = PageWrite::new(rows, bookmark.to_json(), refresh);
        let committed = if end {
            sink.commit_page(spec, write).await
        } else {
            let (committed, following) =
                futures::join!(sink.commit_page(spec, write), pages.next());
            next = following;
            committed
        };
        let counts = match committed {
            Ok(counts) => counts,
            Err(e) => {
                stats(&mut summary);
                return Err(fail(e, &summary));
            }
        };
        summary.count(counts);
        summary.pages += 1;
        stats(&mut summary);
        if let Some(progress) = &mut options.progress {
            progress(&Progress {
                records: summary.records(),
                pages: summary.pages,
                requests: summary.requests,
                retries: summary.retries,
                elapsed: started.elapsed(),
            });
        }
        if end {
            summary.stopped_early = stop;
            completed = true;
            break;
        }
    }
    drop(pages);
    stats(&mut summary);
    if !completed {
        finish(&mut bookmark, newest_first);
        sink.commit_page(
            spec,
            PageWrite::new(Vec::new(), bookmark.to_json(), refresh),
        )
        .await
        .map_err(|e| fail(e, &summary))?;
    }
    tracing::info!(
        vendor = info.vendor,
        operation = info.name,
        summary = summary.line(),
        "sync complete"
    );
    Ok(summary)
}

/// Marks the run complete: the pending watermark becomes the watermark.
fn finish(bookmark: &mut Bookmark, newest_first: bool) {
    bookmark.complete = true;
    bookmark.next = None;
    if newest_first {
        bookmark.stop_at = match (bookmark.newest, bookmark.stop_at) {
            (Some(n), Some(s)) => Some(n.max(s)),
            (n, s) => n.or(s),
        };
    } else if bookmark.pending_watermark.is_some() {
        bookmark.watermark = bookmark.pending_watermark;
    }
}
