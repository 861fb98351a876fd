//! `scrm sync`: an operation into SQLite or PostgreSQL through `scrm-sync`, and the demo's
//! sync of every operation with a crash injected once.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use scrm_core::{ErrorKind, PageOptions};
use scrm_sync::{
    Interrupted, PageCounts, PageWrite, Sink, StreamSpec, Summary, SyncError, SyncErrorKind,
    SyncOptions,
};

use crate::output::{Failure, Summary as ExportSummary};
use crate::{explain, fail};
use scrm_cli::args::{SyncArgs, Tuning};
use scrm_cli::env::{UsageError, VendorEnv};
use scrm_cli::vendors::{Connected, OpRef};

/// The database when `--db` is not given: `$SCRM_DB`, else `sqlite:scrm.db`.
pub fn default_db() -> String {
    match std::env::var("SCRM_DB") {
        Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
        _ => "sqlite:scrm.db".to_owned(),
    }
}

/// Runs `op` through the driver on the client of its vendor.
async fn run_on(
    client: &Connected,
    op: OpRef,
    request: serde_json::Value,
    sink: &mut dyn Sink,
    options: SyncOptions,
) -> Result<Summary, Interrupted> {
    match (client, op) {
        (Connected::Wshoto(c), OpRef::Wshoto(op)) => {
            scrm_sync::sync(c.core(), op, request, sink, options).await
        }
        (Connected::Weiban(c), OpRef::Weiban(op)) => {
            scrm_sync::sync(c.core(), op, request, sink, options).await
        }
        (Connected::Waiqin(c), OpRef::Waiqin(op)) => {
            scrm_sync::sync(c.core(), op, request, sink, options).await
        }
        (Connected::Tanma(c), OpRef::Tanma(op)) => {
            scrm_sync::sync(c.core(), op, request, sink, options).await
        }
        _ => Err(Interrupted::from(SyncError::vendor(scrm_core::Error::new(
            ErrorKind::Config,
            format!("{op:?} cannot run on a {} client", client.vendor().as_str()),
        )))),
    }
}

/// The progress line on stderr (only when it is a terminal).
fn progress_line(enabled: bool) -> SyncOptions {
    let options = SyncOptions::default();
    if !enabled || !std::io::stderr().is_terminal() {
        return options;
    }
    options.on_progress(|p| {
        let secs = p.elapsed.as_secs_f64().max(1e-3);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{} records · {} pages · {:.0} records/s · {} retries",
            p.records,
            p.pages,
            p.records as f64 / secs,
            p.retries
        );
        let _ = err.flush();
    })
}

/// The one-line message and exit code of a failed sync.
fn explain_sync(op: OpRef, e: &Interrupted) -> (u8, String) {
    let s = &e.summary;
    let committed = if s.records() > 0 {
        format!(
            " after {} records ({} pages) were committed; run again to resume",
            s.records(),
            s.pages
        )
    } else {
        String::new()
    };
    if let Some(vendor) = e.error.vendor_error() {
        let summary = ExportSummary::default();
        let mut message = explain(op, &Failure::Vendor(vendor.clone()), &summary);
        message.push_str(&committed);
        return (scrm_cli::env::exit_code(vendor), message);
    }
    let code = match e.error.kind() {
        SyncErrorKind::Usage => 2,
        _ => 1,
    };
    let info = op.info();
    (
        code,
        format!("{} {}: {}{committed}", info.vendor, info.name, e.error),
    )
}

pub async fn run(args: SyncArgs) -> ExitCode {
    let prepared = (|| -> Result<(OpRef, VendorEnv, serde_json::Value), UsageError> {
        let op = OpRef::find(args.vendor, &args.operation)?;
        let request = op.request(&args.params, args.tuning.page_size)?;
        let env = VendorEnv::from_env(args.vendor)?;
        Ok((op, env, request))
    })();
    let (op, env, request) = match prepared {
        Ok(p) => p,
        Err(UsageError(message)) => return fail(2, &message),
    };
    // Refused before any database is opened (or an SQLite file created): e.g. an operation
    // whose registry entry declares no primary key.
    if let Err(e) = scrm_sync::StreamSpec::new(op.info(), &request) {
        return fail(2, &e.to_string());
    }
    let url = args.db.clone().unwrap_or_else(default_db);
    let database = match scrm_sync::DatabaseUrl::parse(&url) {
        Ok(d) => d,
        Err(e) => return fail(2, &format!("--db: {e}")),
    };
    // SCRM_REDIS_URL: the token and the --rps budget shared with other processes.
    match scrm_cli::shared::init(args.vendor, &env).await {
        Ok(()) => {}
        Err(scrm_cli::shared::SharedError::Usage(UsageError(message))) => return fail(2, &message),
        Err(scrm_cli::shared::SharedError::Unavailable(message)) => return fail(1, &message),
    }
    let client = match Connected::connect(op.vendor(), &env, &args.tuning, PageOptions::default()) {
        Ok(c) => c,
        Err(e) => {
            let (code, message) = explain_sync(op, &Interrupted::from(SyncError::vendor(e)));
            return fail(code, &message);
        }
    };
    let mut sink = match scrm_sync::connect(&url).await {
        Ok(s) => s,
        Err(e) => {
            let (code, message) = explain_sync(op, &Interrupted::from(e));
            return fail(code, &message);
        }
    };
    let options = progress_line(true).full(args.full);
    let terminal = std::io::stderr().is_terminal();
    let result = run_on(&client, op, request, sink.as_mut(), options).await;
    if terminal {
        eprintln!();
    }
    match result {
        Ok(summary) => {
            let info = op.info();
            let how = match (summary.mode, summary.resumed) {
                (_, true) => "resumed run",
                (Some(scrm_sync::Mode::Incremental), _) => "incremental run",
                _ => "full run",
            };
            println!(
                "scrm sync: {} {} into {} ({how}): {}",
                info.vendor,
                info.name,
                database.display(),
                summary.line()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let (code, message) = explain_sync(op, &e);
            fail(code, &message)
        }
    }
}

/// A sink whose commit of page `fail_at` fails once: a crash between two pages.
struct CrashOnce {
    inner: Box<dyn Sink>,
    commits: u32,
    fail_at: u32,
}

#[scrm_core::async_trait]
impl Sink for CrashOnce {
    fn database(&self) -> String {
        self.inner.database()
    }
    async fn open(&mut self, s: &StreamSpec) -> Result<Option<String>, SyncError> {
        self.inner.open(s).await
    }
    async fn commit_page(
        &mut self,
        s: &StreamSpec,
        page: PageWrite,
    ) -> Result<PageCounts, SyncError> {
        self.commits += 1;
        if self.commits == self.fail_at {
            return Err(SyncError::new(
                SyncErrorKind::Database,
                self.database(),
                "crash injected by the demo",
            ));
        }
        self.inner.commit_page(s, page).await
    }
    async fn close(&mut self, s: &StreamSpec) -> Result<(), SyncError> {
        self.inner.close(s).await
    }
}

/// One operation for the demo's sync: its request, credentials and expected record count.
pub struct DemoJob {
    pub op: OpRef,
    pub env: VendorEnv,
    pub request: serde_json::Value,
    pub expected: usize,
}

/// Syncs every job into one temporary SQLite database, the first run of each crashing at its
/// second page, then resumed; prints the row counts. Returns whether every table matched.
pub async fn demo(jobs: Vec<DemoJob>, tuning: &Tuning) -> bool {
    let dir = std::env::temp_dir().join(format!("scrm-demo-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("scrm: cannot create {}: {e}", dir.display());
        return false;
    }
    let path = dir.join("scrm.db");
    let url = format!("sqlite:{}", path.display());
    println!(
        "\nscrm sync of every operation into {url} (a crash injected at the second page, then resumed):"
    );
    println!("\n| table | rows | expected | crashed after | resumed pages | requests | check |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    let mut ok = true;
    for job in jobs {
        let info = job.op.info();
        let pages = PageOptions::default().empty_page_backoff(Duration::from_millis(100));
        let client = match Connected::connect(job.op.vendor(), &job.env, tuning, pages.clone()) {
            Ok(c) => c,
            Err(e) => {
                println!(
                    "| {} | - | {} | - | - | - | FAILED: {e} |",
                    info.table(),
                    job.expected
                );
                ok = false;
                continue;
            }
        };
        let row =
            |rows: String, crashed: String, resumed: String, requests: String, check: String| {
                println!(
                    "| {} | {rows} | {} | {crashed} | {resumed} | {requests} | {check} |",
                    info.table(),
                    job.expected
                );
            };
        let inner = match scrm_sync::connect(&url).await {
            Ok(s) => s,
            Err(e) => {
                row(
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    format!("FAILED: {e}"),
                );
                ok = false;
                continue;
            }
        };
        let mut crashing = CrashOnce {
            inner,
            commits: 0,
            fail_at: 2,
        };
        let options = || SyncOptions::default().pages(pages.clone());
        let first = run_on(
            &client,
            job.op,
            job.request.clone(),
            &mut crashing,
            options(),
        )
        .await;
        let crashed = match &first {
            Err(e) if e.error.kind() == SyncErrorKind::Database => {
                format!("{} records", e.summary.records())
            }
            Err(e) => {
                row(
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    format!("FAILED: {e}"),
                );
                ok = false;
                continue;
            }
            // A single page: nothing to crash between.
            Ok(_) => "(1 page)".to_owned(),
        };
        let mut sink = crashing.inner;
        let second = run_on(
            &client,
            job.op,
            job.request.clone(),
            sink.as_mut(),
            options(),
        )
        .await;
        let summary = match second {
            Ok(s) => s,
            Err(e) => {
                row(
                    "-".into(),
                    crashed,
                    "-".into(),
                    "-".into(),
                    format!("FAILED: {e}"),
                );
                ok = false;
                continue;
            }
        };
        let count = match scrm_sync::SqliteSink::open(&path) {
            Ok(s) => s.count_rows(&info.table()).await,
            Err(e) => Err(e),
        };
        let (rows, check) = match count {
            Ok(n) if n as usize == job.expected => (n.to_string(), "exact".to_owned()),
            Ok(n) => {
                ok = false;
                (n.to_string(), "MISMATCH".to_owned())
            }
            Err(e) => {
                ok = false;
                ("-".into(), format!("FAILED: {e}"))
            }
        };
        row(
            rows,
            crashed,
            summary.pages.to_string(),
            summary.requests.to_string(),
            check,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    ok
}
