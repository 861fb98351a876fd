//! `scrm sync` into SQLite: rows/s of the sync driver and the SQLite sink vs a hand-written
//! `rusqlite` loop writing the same records in the same transactions (one per page, with a
//! bookmark row), both fed by the same page stream from the sandbox; and the peak RSS of a
//! 1M-record sync in a fresh child process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::StreamExt;
use scrm_core::registry::DynOperation;
use scrm_core::{Configure, PageOptions, RateLimit};
use scrm_sandbox::{Credentials, Sandbox};
use scrm_weiban::{Weiban, WeibanClient};
use serde::Deserialize;

use crate::report::SyncBench;

/// Records per page (weiban's largest page in the sandbox).
pub const PAGE_SIZE: u64 = 1000;

fn op() -> Result<&'static dyn DynOperation<Weiban>, String> {
    scrm_weiban::OPERATIONS
        .iter()
        .copied()
        .find(|o| o.info().name == "smart-form-users")
        .ok_or_else(|| "weiban smart-form-users is not registered".to_owned())
}

fn client(base: &str) -> Result<WeibanClient, String> {
    let c = Credentials::default();
    WeibanClient::builder()
        .corp_id(c.weiban_corp_id.clone())
        .secret(c.weiban_secret.clone())
        .base_url(base.to_owned())
        .rate_limit(RateLimit::unlimited(4))
        .retry_policy(scrm_core::RetryPolicy::default().initial_delay(Duration::from_millis(50)))
        .build()
        .map_err(|e| e.to_string())
}

fn request() -> serde_json::Value {
    serde_json::json!({"status": "submit", "limit": PAGE_SIZE.to_string()})
}

fn temp_db(tag: &str) -> Result<(PathBuf, PathBuf), String> {
    let dir = std::env::temp_dir().join(format!("scrm-bench-sync-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = dir.join("scrm.db");
    Ok((dir, db))
}

/// One `scrm_sync::sync` run into a fresh database: (records, seconds).
async fn sdk_run(base: &str, db: &Path) -> Result<(u64, f64), String> {
    let client = client(base)?;
    let mut sink = scrm_sync::SqliteSink::open(db).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let summary = scrm_sync::sync(
        client.core(),
        op()?,
        request(),
        &mut sink,
        Default::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok((summary.records(), t0.elapsed().as_secs_f64()))
}

#[derive(Deserialize)]
struct Key<'a> {
    #[serde(borrow)]
    u_id: &'a serde_json::value::RawValue,
}

/// The hand-written loop: the same page stream, one transaction per page with an insert per
/// record (keyed by `u_id`) and the bookmark row.
async fn baseline_run(base: &str, db: &Path) -> Result<(u64, f64), String> {
    let client = client(base)?;
    let e = |e: rusqlite::Error| e.to_string();
    let mut conn = rusqlite::Connection::open(db).map_err(e)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .map_err(e)?;
    conn.execute_batch(
        "PRAGMA synchronous=NORMAL;
         CREATE TABLE t (u_id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, written_at TEXT NOT NULL);
         CREATE TABLE state (stream TEXT PRIMARY KEY, bookmark TEXT NOT NULL);",
    )
    .map_err(e)?;
    let t0 = Instant::now();
    let mut pages = op()?
        .pages(client.core(), request(), PageOptions::default())
        .map_err(|e| e.to_string())?;
    let mut records = 0u64;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| e.to_string())?;
        let tx = conn.transaction().map_err(e)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO t (u_id, record, written_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (u_id) DO UPDATE SET record = excluded.record, written_at = excluded.written_at",
                )
                .map_err(e)?;
            for record in &page.records {
                let key: Key<'_> = serde_json::from_str(record.get()).map_err(|e| e.to_string())?;
                let key = key.u_id.get().trim_matches('"');
                insert
                    .execute(rusqlite::params![key, record.get(), "2026-01-01T00:00:00Z"])
                    .map_err(e)?;
                records += 1;
            }
        }
        let bookmark = serde_json::to_string(&page.next).map_err(|e| e.to_string())?;
        tx.execute(
            "INSERT INTO state (stream, bookmark) VALUES ('s', ?1) \
             ON CONFLICT (stream) DO UPDATE SET bookmark = excluded.bookmark",
            [bookmark],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
    }
    Ok((records, t0.elapsed().as_secs_f64()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Rows/s of both sides over `runs` alternating runs (median).
pub fn throughput(
    rt: &tokio::runtime::Runtime,
    sandbox: &Sandbox,
    runs: usize,
) -> Result<(u64, f64, f64), String> {
    let base = sandbox.base_url();
    let (mut sdk, mut baseline) = (Vec::new(), Vec::new());
    let mut records = 0;
    for _ in 0..runs.max(1) {
        let (dir, db) = temp_db("sdk")?;
        let (n, secs) = rt.block_on(sdk_run(&base, &db))?;
        let _ = std::fs::remove_dir_all(dir);
        records = n;
        sdk.push(n as f64 / secs);
        let (dir, db) = temp_db("baseline")?;
        let (m, secs) = rt.block_on(baseline_run(&base, &db))?;
        let _ = std::fs::remove_dir_all(dir);
        if m != n {
            return Err(format!("the baseline wrote {m} rows, the sync {n}"));
        }
        baseline.push(m as f64 / secs);
    }
    Ok((records, median(sdk), median(baseline)))
}

/// What the `sync-rss-child` subcommand reports.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct ChildReport {
    /// Records synced.
    pub records: u64,
    /// Peak RSS, KiB.
    pub vm_hwm_kib: u64,
    /// Seconds.
    pub secs: f64,
}

/// Body of the hidden `sync-rss-child BASE_URL` subcommand.
pub fn rss_child(base: &str) -> Result<ChildReport, String> {
    let rt = crate::measure::runtime()?;
    let (dir, db) = temp_db("rss")?;
    let (records, secs) = rt.block_on(sdk_run(base, &db))?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(ChildReport {
        records,
        vm_hwm_kib: crate::cpu::status_kib("VmHWM").ok_or("no VmHWM in /proc/self/status")?,
        secs,
    })
}

/// The whole sync row of the report.
pub fn measure(
    rt: &tokio::runtime::Runtime,
    records: usize,
    runs: usize,
    large: usize,
) -> Result<SyncBench, String> {
    let (synced, sdk, baseline) = {
        let sandbox = crate::measure::sandbox(records)?;
        throughput(rt, &sandbox, runs)?
    };
    let sandbox = crate::measure::sandbox(large)?;
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let out = std::process::Command::new(exe)
        .args(["sync-rss-child", &sandbox.base_url()])
        .output()
        .map_err(|e| format!("sync-rss-child: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "sync-rss-child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let child: ChildReport =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("sync-rss-child output: {e}"))?;
    Ok(SyncBench {
        records: synced,
        page_size: PAGE_SIZE,
        runs,
        sdk_rows_per_sec: sdk,
        baseline_rows_per_sec: baseline,
        ratio: sdk / baseline.max(1e-9),
        large_records: child.records,
        peak_rss_mib_large: child.vm_hwm_kib as f64 / 1024.0,
        large_secs: child.secs,
    })
}
