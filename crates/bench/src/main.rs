//! `scrm-bench`: measures scrm-sdk against its sandbox on 127.0.0.1 — export throughput and
//! client CPU per record of the SDK's item streams vs a hand-written `reqwest` +
//! `serde_json::Value` baseline, peak RSS of a 10k and a 1M record export, rate-limit use, and
//! concurrent vs sequential paging — and writes a markdown table to stdout and
//! `target/bench/summary.json`. Run it with `cargo xtask bench [--quick]`.
//!
//! The client runs on a current-thread tokio runtime on the main thread, whose CPU time is read
//! with `CLOCK_THREAD_CPUTIME_ID`; the sandbox serves from its own thread and runtime, so its
//! work is not counted. The process exits 0 whether or not a target is met (it is a
//! measurement); failures to measure exit 1.

mod baseline;
mod cpu;
mod measure;
mod micro;
mod ops;
mod push;
mod registry;
mod report;
mod shared;
mod sync;
mod typed;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ops::BenchOp;
use report::Summary;

const USAGE: &str = "\
usage: scrm-bench [--quick] [--out PATH]
       scrm-bench sync [RECORDS [RUNS]]   only the scrm sync rows (no RSS)

  --quick     smaller exports and fewer runs (under 2 minutes on 2 cores)
  --out PATH  where to write the summary JSON (default: <workspace>/target/bench/summary.json)
";

/// Sizes of one mode.
#[derive(Clone, Copy, Debug)]
struct Plan {
    name: &'static str,
    throughput_records: usize,
    runs: usize,
    rss_small: usize,
    rss_large: usize,
    rate: u32,
    rate_requests: u64,
    conc_pages: u64,
    conc_page_size: u64,
    conc_latency: Duration,
    conc_n: usize,
    shared_calls: usize,
    shared_pages: u64,
    push_pushes: u64,
    push_runs: usize,
    push_concurrency: usize,
    sync_records: usize,
    sync_runs: usize,
}

const QUICK: Plan = Plan {
    name: "quick",
    throughput_records: 20_000,
    runs: 6,
    rss_small: 10_000,
    rss_large: 1_000_000,
    rate: 20,
    rate_requests: 100,
    conc_pages: 40,
    conc_page_size: 50,
    conc_latency: Duration::from_millis(50),
    conc_n: 8,
    shared_calls: 1000,
    shared_pages: 60,
    push_pushes: 1_500,
    push_runs: 7,
    push_concurrency: 32,
    sync_records: 100_000,
    sync_runs: 3,
};

const FULL: Plan = Plan {
    name: "full",
    throughput_records: 100_000,
    runs: 9,
    rss_small: 10_000,
    rss_large: 1_000_000,
    rate: 20,
    rate_requests: 300,
    conc_pages: 100,
    conc_page_size: 50,
    conc_latency: Duration::from_millis(50),
    conc_n: 8,
    shared_calls: 3000,
    shared_pages: 120,
    push_pushes: 4_000,
    push_runs: 11,
    push_concurrency: 32,
    sync_records: 100_000,
    sync_runs: 5,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("rss-child") {
        return rss_child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("sync-rss-child") {
        let Some(base) = args.get(1) else {
            return usage("sync-rss-child BASE_URL");
        };
        return match sync::rss_child(base)
            .and_then(|r| serde_json::to_string(&r).map_err(|e| e.to_string()))
        {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("scrm-bench sync-rss-child: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("micro") {
        return match micro::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("scrm-bench micro: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("decode") {
        return match micro::decode() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("scrm-bench decode: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("shared-child") {
        return match shared::child(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("scrm-bench shared-child: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("push-baseline") {
        return match push::baseline_server() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("scrm-bench push-baseline: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("shared") {
        // Only the Redis section (`shared [CALLS [PAGES]]`).
        let calls = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
        let pages = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
        return match shared::run(calls, pages) {
            Ok(Some(r)) => {
                print!("{}", r.markdown());
                ExitCode::SUCCESS
            }
            Ok(None) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("scrm-bench shared: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("push") {
        let pushes = args
            .get(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(QUICK.push_pushes);
        let runs = args
            .get(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(QUICK.push_runs);
        return match measure::runtime().and_then(|rt| push::measure(&rt, pushes, runs, 32)) {
            Ok(p) => {
                println!(
                    "scrm listen {:.0} pushes/s, baseline {:.0} requests/s, ratio {:.3}; server CPU {:.1} vs {:.1} µs per request",
                    p.listen_per_sec,
                    p.baseline_per_sec,
                    p.ratio,
                    p.listen_cpu_us_per_push,
                    p.baseline_cpu_us_per_request
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("scrm-bench push: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("sync") {
        let records = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
        let runs = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
        let result = measure::runtime().and_then(|rt| {
            let sandbox = measure::sandbox(records)?;
            sync::throughput(&rt, &sandbox, runs)
        });
        return match result {
            Ok((n, sdk, baseline)) => {
                println!(
                    "{n} records: scrm sync {sdk:.0} rows/s, hand-written rusqlite {baseline:.0} rows/s, ratio {:.3}",
                    sdk / baseline.max(1e-9)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("scrm-bench sync: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("throughput") {
        return throughput_only(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("profile") {
        return profile(&args[1..]);
    }
    let mut plan = FULL;
    let mut out = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => plan = QUICK,
            "--out" => match it.next() {
                Some(p) => out = Some(PathBuf::from(p)),
                None => return usage("--out needs a path"),
            },
            "-h" | "--help" => {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument `{other}`")),
        }
    }
    let out = out.unwrap_or_else(default_out);
    match run(plan, &out) {
        Ok(summary) => {
            print!("{}", summary.markdown());
            println!("\nsummary: {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scrm-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprint!("error: {message}\n{USAGE}");
    ExitCode::from(2)
}

fn default_out() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    root.join("target").join("bench").join("summary.json")
}

/// Progress on stderr, so stdout stays the report.
fn step(what: &str, started: Instant) {
    eprintln!("[{:6.1}s] {what}", started.elapsed().as_secs_f64());
}

fn run(plan: Plan, out: &std::path::Path) -> Result<Summary, String> {
    let started = Instant::now();
    let rt = measure::runtime()?;

    let mut throughput = Vec::new();
    let mut registered = Vec::new();
    {
        let sandbox = measure::sandbox(plan.throughput_records)?;
        for op in BenchOp::ALL {
            step(&format!("throughput: {}", op.name()), started);
            throughput.push(measure::throughput(&rt, &sandbox, op, plan.runs)?);
        }
        for op in registry::served(&sandbox) {
            step(&format!("registry: {op:?}"), started);
            registered.push(registry::throughput(&rt, &sandbox, op, plan.runs)?);
        }
    }

    step(
        &format!(
            "peak RSS: {} and {} records",
            plan.rss_small, plan.rss_large
        ),
        started,
    );
    let rss = measure::rss(plan.rss_small, plan.rss_large)?;

    step(
        &format!(
            "rate limit: {} requests at {}/s",
            plan.rate_requests, plan.rate
        ),
        started,
    );
    let rate = measure::rate_use(&rt, plan.rate, plan.rate_requests, f64::from(plan.rate))?;

    let mut conc = Vec::new();
    for op in [BenchOp::WshotoCollectDetails, BenchOp::WeibanSmartFormUsers] {
        step(&format!("concurrent paging: {}", op.name()), started);
        conc.push(measure::concurrency(
            &rt,
            op,
            plan.conc_pages,
            plan.conc_page_size,
            plan.conc_latency,
            plan.conc_n,
        )?);
    }

    step(
        &format!(
            "Redis: overhead per call ({} calls), then 4 processes × {} pages",
            plan.shared_calls, plan.shared_pages
        ),
        started,
    );
    let redis = shared::run(plan.shared_calls, plan.shared_pages)?;

    step(
        &format!(
            "pushes: {} through scrm listen vs a constant-reply hyper server, {} in flight",
            plan.push_pushes, plan.push_concurrency
        ),
        started,
    );
    let pushes = push::measure(&rt, plan.push_pushes, plan.push_runs, plan.push_concurrency)?;

    step(
        &format!(
            "scrm sync into SQLite: {} records × {} runs, peak RSS of {}",
            plan.sync_records, plan.sync_runs, plan.rss_large
        ),
        started,
    );
    let synced = sync::measure(&rt, plan.sync_records, plan.sync_runs, plan.rss_large)?;

    let mut summary = Summary::new(
        plan.name,
        cpu::Machine::current(),
        throughput,
        rss,
        rate,
        conc,
    )
    .with_push(pushes)
    .with_sync(synced);
    summary.redis = redis;
    summary.registry = registered;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    step("done", started);
    Ok(summary)
}

/// The hidden `rss-child OP BASE_URL` subcommand (run by the RSS measurement).
fn rss_child(args: &[String]) -> ExitCode {
    let (Some(op), Some(base)) = (
        args.first().and_then(|s| BenchOp::from_slug(s)),
        args.get(1),
    ) else {
        return usage("rss-child OP BASE_URL");
    };
    match measure::rss_child(op, base.clone())
        .and_then(|r| serde_json::to_string(&r).map_err(|e| e.to_string()))
    {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scrm-bench rss-child: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Hidden `profile OP SIDE [RUNS]` (SIDE: `sdk`, `value` or `typed`): runs one side's export
/// of OP over a 20 000-record sandbox RUNS times (default 20) and prints its client CPU per
/// record, so that a profiler sees that side alone (`perf record scrm-bench profile …`).
fn profile(args: &[String]) -> ExitCode {
    let (Some(op), Some(side)) = (
        args.first().and_then(|s| BenchOp::from_slug(s)),
        args.get(1),
    ) else {
        return usage("profile OP sdk|value|typed [RUNS]");
    };
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let result = measure::runtime().and_then(|rt| {
        let sandbox = measure::sandbox(20_000)?;
        let setup = ops::Setup::new(
            sandbox.base_url(),
            sandbox.credentials().clone(),
            op.max_page_size(),
        );
        let mut cpu = Duration::ZERO;
        let mut records = 0u64;
        for _ in 0..runs {
            let http = baseline::http_client()?;
            let t0 = cpu::thread_cpu();
            records += match side.as_str() {
                "sdk" => {
                    let client = ops::SdkClient::build(op, &setup)?;
                    rt.block_on(client.export(&setup))?.records
                }
                "value" => {
                    rt.block_on(baseline::export(&http, op, &setup, baseline::Decode::Value))?
                }
                "typed" => {
                    rt.block_on(baseline::export(&http, op, &setup, baseline::Decode::Typed))?
                }
                other => return Err(format!("unknown side `{other}`")),
            };
            cpu += cpu::thread_cpu().saturating_sub(t0);
        }
        println!(
            "{} {side}: {records} records, {:.3} µs CPU per record",
            op.name(),
            cpu.as_secs_f64() * 1e6 / records.max(1) as f64
        );
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scrm-bench profile: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The hidden `throughput [RECORDS [OP...]]` subcommand: only the throughput rows (profiling).
fn throughput_only(args: &[String]) -> ExitCode {
    let records = args.first().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let ops: Vec<BenchOp> = args
        .iter()
        .skip(1)
        .filter_map(|s| BenchOp::from_slug(s))
        .collect();
    let ops = if ops.is_empty() {
        BenchOp::ALL.to_vec()
    } else {
        ops
    };
    let result = measure::runtime().and_then(|rt| {
        let sandbox = measure::sandbox(records)?;
        for op in ops {
            let t = measure::throughput(&rt, &sandbox, op, 6)?;
            println!(
                "{:<26} sdk {:>6.2} µs/rec  baseline {:>6.2} µs/rec  ratio {:.3}  typed {:>6.2} µs/rec  ratio {:.3}",
                t.op,
                t.sdk.cpu_ns_per_record / 1e3,
                t.baseline.cpu_ns_per_record / 1e3,
                t.cpu_ratio,
                t.typed.as_ref().map_or(f64::NAN, |s| s.cpu_ns_per_record / 1e3),
                t.typed_cpu_ratio.unwrap_or(f64::NAN)
            );
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scrm-bench throughput: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use report::{Concurrency, RateUse, Rss};

    fn rss() -> Rss {
        Rss {
            op: "weiban smart-form-users".into(),
            page_size: 1000,
            small_records: 10_000,
            large_records: 1_000_000,
            peak_rss_mib_small: 8.0,
            peak_rss_mib_large: 70.0,
            baseline_rss_mib: 3.5,
            large_export_secs: 3.0,
            large_child_wall_secs: 3.2,
        }
    }

    fn rate(throttled: u64) -> RateUse {
        RateUse {
            vendor: "waiqin".into(),
            sandbox_limit_per_sec: 20,
            client_requests_per_sec: 20.0,
            requests_ok: 100,
            requests_total: 100 + throttled,
            client_requests: 100 + throttled,
            secs: 5.1,
            achieved_per_sec: 19.6,
            utilization: 0.98,
            throttled_server: throttled,
            throttled_client: throttled,
            retries: throttled,
        }
    }

    fn conc(speedup: f64) -> Concurrency {
        Concurrency {
            op: "wshoto collect-details".into(),
            pages: 40,
            page_size: 50,
            latency_ms: 50.0,
            client_rate_per_sec: 500.0,
            concurrency: 8,
            sequential_secs: 2.0,
            concurrent_secs: 2.0 / speedup,
            speedup,
        }
    }

    /// A tiny in-process measurement of every operation (no timing asserted), then the summary
    /// through JSON and back, with the targets judged from the figures.
    #[test]
    fn smoke_measures_every_operation_and_the_summary_round_trips() {
        let rt = measure::runtime().unwrap();
        let sandbox = measure::sandbox(30).unwrap();
        let throughput: Vec<_> = BenchOp::ALL
            .into_iter()
            .map(|op| measure::throughput(&rt, &sandbox, op, 1).unwrap())
            .collect();
        for (op, t) in BenchOp::ALL.into_iter().zip(&throughput) {
            let expected = op.expected(sandbox.dataset()).unwrap();
            assert_eq!(t.records, expected, "{}", t.op);
            assert!(t.records > 0, "{}", t.op);
            assert!(t.cpu_ratio.is_finite() && t.cpu_ratio > 0.0, "{}", t.op);
            // The typed baseline exported the same records (checked inside) and was measured.
            assert!(
                t.typed_cpu_ratio.is_some_and(|r| r.is_finite() && r > 0.0),
                "{}",
                t.op
            );
        }
        // Every registered operation the sandbox serves, with no list of them here.
        let served = registry::served(&sandbox);
        assert_eq!(served.len(), scrm_cli::vendors::OpRef::all().len());
        for op in served {
            let row = registry::throughput(&rt, &sandbox, op, 1).unwrap();
            assert!(row.records > 0 && row.requests > 0, "{}", row.op);
            assert!(row.sdk.cpu_ns_per_record.is_finite(), "{}", row.op);
        }
        let summary = Summary::new(
            "quick",
            cpu::Machine::current(),
            throughput,
            rss(),
            rate(2),
            vec![conc(5.5), conc(2.5)],
        );
        let json = serde_json::to_string_pretty(&summary).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in [
            "overhead_cpu_ratio",
            "overhead_cpu_ratio_typed",
            "peak_rss_mib_small",
            "peak_rss_mib_large",
            "rate_limit_utilization",
            "concurrent_speedup",
        ] {
            assert!(value[key].is_number(), "{key} missing in {json}");
        }
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back.mode, summary.mode);
        assert_eq!(back.machine, summary.machine);
        assert_eq!(back.targets.len(), summary.targets.len());
        assert_eq!(back.throughput.len(), BenchOp::ALL.len());
        assert_eq!(
            back.concurrent_speedup, 2.5,
            "the smallest speed-up is reported"
        );
        let pass = |name: &str| back.targets.iter().find(|t| t.name == name).unwrap().pass;
        assert!(!pass("peak_rss_mib_large"), "70 MiB > max(64, 1.5 × 8)");
        assert!(
            !pass("rate_limit_utilization"),
            "throttled responses fail the target"
        );
        assert!(!pass("concurrent_speedup"));
        let md = back.markdown();
        assert!(
            md.contains("| rate_limit_utilization |") && md.contains("FAIL"),
            "{md}"
        );
    }

    #[test]
    fn rss_target_uses_the_64_mib_floor_and_the_ratio() {
        let mut r = rss();
        let s = |r: &Rss| {
            Summary::new(
                "full",
                cpu::Machine::current(),
                vec![],
                r.clone(),
                rate(0),
                vec![conc(4.0)],
            )
        };
        let judged = |r: &Rss| {
            s(r).targets
                .iter()
                .find(|t| t.name == "peak_rss_mib_large")
                .unwrap()
                .pass
        };
        r.peak_rss_mib_large = 64.0;
        assert!(judged(&r));
        r.peak_rss_mib_large = 64.5;
        assert!(!judged(&r));
        r.peak_rss_mib_small = 60.0;
        r.peak_rss_mib_large = 89.0;
        assert!(judged(&r));
    }
}
