//! The measurements: throughput and CPU per record (SDK vs baseline), peak RSS of an export in
//! a child process, rate-limit use, and concurrent paging.

use std::future::Future;
use std::time::{Duration, Instant};

use scrm_core::{PageOptions, RateLimit};
use scrm_sandbox::{Faults, Sandbox, SandboxConfig, Vendor};

use crate::baseline::{self, Decode};
use crate::cpu::{current_tid, thread_cpu, threads_cpu};
use crate::ops::{BenchOp, SdkClient, SdkRun, Setup, sdk_export};
use crate::report::{Concurrency, RateUse, Rss, Side, Throughput};

/// The client's runtime: single-threaded, on the calling (measured) thread.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

/// Starts a sandbox on its own thread and runtime.
pub fn sandbox(records: usize) -> Result<Sandbox, String> {
    Sandbox::start_background(SandboxConfig {
        records,
        ..SandboxConfig::default()
    })
    .map_err(|e| format!("cannot start the sandbox: {e}"))
}

/// One timed run: wall time, this thread's CPU, and the CPU of threads other than this one and
/// the sandbox's (which must stay near zero: all client work happens on this thread).
pub(crate) struct Timed<T> {
    pub(crate) wall: Duration,
    pub(crate) cpu: Duration,
    pub(crate) stray_cpu: Duration,
    pub(crate) value: T,
}

fn stray_cpu_now(me: u32) -> Duration {
    threads_cpu()
        .into_iter()
        .filter(|(tid, name, _)| *tid != me && name != "scrm-sandbox")
        .map(|(_, _, cpu)| cpu)
        .sum()
}

pub(crate) fn timed<T>(rt: &tokio::runtime::Runtime, fut: impl Future<Output = T>) -> Timed<T> {
    let me = current_tid();
    let stray0 = stray_cpu_now(me);
    let cpu0 = thread_cpu();
    let t0 = Instant::now();
    let value = rt.block_on(fut);
    let wall = t0.elapsed();
    let cpu = thread_cpu().saturating_sub(cpu0);
    let stray_cpu = stray_cpu_now(me).saturating_sub(stray0);
    Timed {
        wall,
        cpu,
        stray_cpu,
        value,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

pub(crate) fn side(records: u64, walls: Vec<Duration>, cpus: Vec<Duration>) -> Side {
    let wall = median(walls);
    let cpu = median(cpus);
    let n = records.max(1) as f64;
    Side {
        records_per_sec: n / wall.as_secs_f64().max(1e-9),
        cpu_ns_per_record: cpu.as_nanos() as f64 / n,
        wall_ms: wall.as_secs_f64() * 1e3,
        cpu_ms: cpu.as_secs_f64() * 1e3,
    }
}

/// Throughput of `op` over a sandbox of `records` records: one warm-up of each side, then
/// `runs` rounds of one run of each side, the order of the three sides rotating from round to
/// round; medians of each side, and the ratios as the median of the rounds' ratios (the runs of
/// one round are adjacent in time, so load from elsewhere on the machine weighs on both terms
/// of a ratio more often than on one).
pub fn throughput(
    rt: &tokio::runtime::Runtime,
    sandbox: &Sandbox,
    op: BenchOp,
    runs: usize,
) -> Result<Throughput, String> {
    let expected = op.expected(sandbox.dataset())?;
    let setup = Setup::new(
        sandbox.base_url(),
        sandbox.credentials().clone(),
        op.max_page_size(),
    );
    // Per side (SDK, `Value` baseline, typed baseline): wall and CPU of each measured run.
    let mut walls: [Vec<Duration>; 3] = Default::default();
    let mut cpus: [Vec<Duration>; 3] = Default::default();
    // SDK ÷ `Value` baseline and SDK ÷ typed baseline, per round.
    let mut ratios: [Vec<f64>; 2] = Default::default();
    let mut stray = Duration::ZERO;
    for round in 0..=runs {
        let mut this_round = [Duration::ZERO; 3];
        for k in 0..3 {
            let which = (round + k) % 3;
            let (wall, cpu, stray_cpu) = match which {
                // SDK: a fresh client each run (built outside the timed part, as the
                // baseline's is), so the token fetch and the connection are part of every run
                // on both sides.
                0 => {
                    let client = SdkClient::build(op, &setup)?;
                    let t = timed(rt, client.export(&setup));
                    let got: SdkRun = t.value?;
                    check(op, "sdk", got.records, expected)?;
                    (t.wall, t.cpu, t.stray_cpu)
                }
                _ => {
                    let (how, who) = if which == 1 {
                        (Decode::Value, "baseline")
                    } else {
                        (Decode::Typed, "typed baseline")
                    };
                    let http = baseline::http_client()?;
                    let t = timed(rt, baseline::export(&http, op, &setup, how));
                    check(op, who, t.value?, expected)?;
                    (t.wall, t.cpu, t.stray_cpu)
                }
            };
            if round > 0 {
                walls[which].push(wall);
                cpus[which].push(cpu);
                this_round[which] = cpu;
                stray += stray_cpu;
            }
        }
        if round > 0 {
            ratios[0].push(ratio(this_round[0], this_round[1]));
            ratios[1].push(ratio(this_round[0], this_round[2]));
        }
    }
    let [sdk_wall, base_wall, typed_wall] = walls;
    let [sdk_cpu, base_cpu, typed_cpu] = cpus;
    let [value_ratios, typed_ratios] = ratios;
    Ok(Throughput {
        op: op.name(),
        records: expected,
        page_size: op.max_page_size(),
        runs,
        cpu_ratio: median_f64(value_ratios),
        typed_cpu_ratio: Some(median_f64(typed_ratios)),
        sdk: side(expected, sdk_wall, sdk_cpu),
        baseline: side(expected, base_wall, base_cpu),
        typed: Some(side(expected, typed_wall, typed_cpu)),
        other_threads_cpu_ms: stray.as_secs_f64() * 1e3,
    })
}

/// `a / b` of two CPU times.
fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

/// The median of `v` (the upper one of an even count, as [`median`]).
fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn check(op: BenchOp, who: &str, got: u64, expected: u64) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "{} {who}: exported {got} records, the sandbox holds {expected}",
            op.name()
        ))
    }
}

/// What the hidden `rss-child` subcommand prints (one JSON line) after its export.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ChildReport {
    /// Records exported.
    pub records: u64,
    /// `VmHWM` at the end of the export, KiB.
    pub vm_hwm_kib: u64,
    /// `VmHWM` before the export started (client built, runtime up), KiB.
    pub vm_hwm_start_kib: u64,
    /// Wall time of the export, seconds.
    pub secs: f64,
}

/// The RSS operation: weiban (offset paging, 1000 records a page, compact records).
pub const RSS_OP: BenchOp = BenchOp::WeibanSmartFormUsers;

/// Body of the hidden `rss-child OP BASE_URL` subcommand: exports everything through the SDK
/// and reports the peak RSS of this (fresh) process.
pub fn rss_child(op: BenchOp, base: String) -> Result<ChildReport, String> {
    let rt = runtime()?;
    let setup = Setup::new(
        base,
        scrm_sandbox::Credentials::default(),
        op.max_page_size(),
    );
    let start = crate::cpu::status_kib("VmHWM").unwrap_or(0);
    let t0 = Instant::now();
    let run = rt.block_on(sdk_export(op, &setup))?;
    let secs = t0.elapsed().as_secs_f64();
    Ok(ChildReport {
        records: run.records,
        vm_hwm_kib: crate::cpu::status_kib("VmHWM").ok_or("no VmHWM in /proc/self/status")?,
        vm_hwm_start_kib: start,
        secs,
    })
}

/// Runs [`rss_child`] in a fresh process of this binary against a sandbox of `records`.
pub fn rss_of(records: usize) -> Result<(ChildReport, f64), String> {
    let sandbox = sandbox(records)?;
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let t0 = Instant::now();
    let out = std::process::Command::new(exe)
        .args(["rss-child", RSS_OP.slug(), &sandbox.base_url()])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the RSS child: {e}"))?;
    let wall = t0.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("RSS child failed: {}", out.status));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let report: ChildReport =
        serde_json::from_str(line.trim()).map_err(|e| format!("RSS child output {line:?}: {e}"))?;
    let expected = RSS_OP.expected(sandbox.dataset())?;
    check(RSS_OP, "rss child", report.records, expected)?;
    Ok((report, wall))
}

/// Peak RSS of exports of `small` and `large` records.
pub fn rss(small: usize, large: usize) -> Result<Rss, String> {
    let (s, _) = rss_of(small)?;
    let (l, wall) = rss_of(large)?;
    Ok(Rss {
        op: RSS_OP.name(),
        page_size: RSS_OP.max_page_size(),
        small_records: s.records,
        large_records: l.records,
        peak_rss_mib_small: s.vm_hwm_kib as f64 / 1024.0,
        peak_rss_mib_large: l.vm_hwm_kib as f64 / 1024.0,
        baseline_rss_mib: s.vm_hwm_start_kib as f64 / 1024.0,
        large_export_secs: l.secs,
        large_child_wall_secs: wall,
    })
}

/// Rate-limit use: the sandbox limits waiqin to `rate` requests per (fixed, one-second)
/// window; the client is set to the same rate; `requests` one-record pages are fetched.
pub fn rate_use(
    rt: &tokio::runtime::Runtime,
    rate: u32,
    requests: u64,
    client_rate: f64,
) -> Result<RateUse, String> {
    let op = BenchOp::WaiqinTasks;
    let sandbox = sandbox(requests as usize + 10)?;
    sandbox.set_vendor_faults(
        Vendor::Waiqin,
        Faults {
            rate_limit_per_sec: Some(rate),
            ..Faults::none()
        },
    );
    sandbox.reset_stats();
    let mut setup = Setup::new(sandbox.base_url(), sandbox.credentials().clone(), 1);
    setup.rate_limit = RateLimit::new(client_rate, 1);
    setup.pages = PageOptions::default().max_pages(requests);
    let client = SdkClient::build(op, &setup)?;
    let t = timed(rt, client.export(&setup));
    let run = t.value?;
    let stats = sandbox.stats().waiqin;
    let secs = t.wall.as_secs_f64();
    let achieved = stats.ok as f64 / secs;
    Ok(RateUse {
        vendor: "waiqin".to_owned(),
        sandbox_limit_per_sec: rate,
        client_requests_per_sec: client_rate,
        requests_ok: stats.ok,
        requests_total: stats.requests,
        client_requests: run.requests,
        secs,
        achieved_per_sec: achieved,
        utilization: achieved / f64::from(rate),
        throttled_server: stats.throttled,
        throttled_client: run.throttled,
        retries: run.retries,
    })
}

/// Concurrent vs sequential paging of `op` with `latency` per request: `pages` pages of
/// `page_size`, the same client rate limit for both runs.
pub fn concurrency(
    rt: &tokio::runtime::Runtime,
    op: BenchOp,
    pages: u64,
    page_size: u64,
    latency: Duration,
    n: usize,
) -> Result<Concurrency, String> {
    let sandbox = sandbox((pages * page_size) as usize)?;
    sandbox.set_faults(Faults {
        latency,
        ..Faults::none()
    });
    let rate = 500.0;
    let mut setup = Setup::new(sandbox.base_url(), sandbox.credentials().clone(), page_size);
    let mut wall = |conc: usize| -> Result<Duration, String> {
        setup.rate_limit = RateLimit::new(rate, conc);
        setup.pages = PageOptions::default().concurrency(conc);
        let client = SdkClient::build(op, &setup)?;
        let t = timed(rt, client.export(&setup));
        let run = t.value?;
        check(op, "concurrent paging", run.records, pages * page_size)?;
        Ok(t.wall)
    };
    let seq = wall(1)?;
    let conc = wall(n)?;
    Ok(Concurrency {
        op: op.name(),
        pages,
        page_size,
        latency_ms: latency.as_secs_f64() * 1e3,
        client_rate_per_sec: rate,
        concurrency: n,
        sequential_secs: seq.as_secs_f64(),
        concurrent_secs: conc.as_secs_f64(),
        speedup: seq.as_secs_f64() / conc.as_secs_f64().max(1e-9),
    })
}
