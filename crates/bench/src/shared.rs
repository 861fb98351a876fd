//! Sharing through Redis: the per-request overhead of the Redis rate budget and token lookup
//! (round trips, added latency p50/p99 on loopback) and the aggregate utilisation of 4
//! processes sharing one limit. Redis comes from `SCRM_BENCH_REDIS_URL` (default
//! `redis://127.0.0.1:6379/15`); without an answering Redis the section is skipped.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use scrm_core::{Configure, ConfigureTokens, Secret};
use scrm_redis::{RedisConfig, RedisShared};
use scrm_sandbox::{Faults, Sandbox, Vendor};
use scrm_wshoto::WshotoClient;
use scrm_wshoto::ops::CollectDetailPage;
use serde::{Deserialize, Serialize};

use crate::measure;

/// Latency of one sequential call, per configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overhead {
    /// What was shared.
    pub setup: String,
    /// Calls measured.
    pub calls: usize,
    /// Redis round trips per call.
    pub round_trips_per_call: f64,
    /// Median call latency, µs.
    pub p50_us: f64,
    /// 99th percentile call latency, µs.
    pub p99_us: f64,
    /// p50 minus the in-process p50, µs.
    pub added_p50_us: f64,
    /// p99 minus the in-process p99, µs.
    pub added_p99_us: f64,
}

/// 4 processes, one limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Processes.
    pub processes: usize,
    /// `--rps` of each process (the shared budget).
    pub rps: u32,
    /// The sandbox's limit (fixed one-second windows).
    pub sandbox_limit_per_sec: u32,
    /// Data requests in all.
    pub requests: usize,
    /// First to last data request, seconds.
    pub secs: f64,
    /// Requests per second over that span.
    pub achieved_per_sec: f64,
    /// achieved / rps.
    pub utilization: f64,
    /// Most data requests in any one-second window.
    pub busiest_second: usize,
    /// Throttled answers.
    pub throttled: u64,
    /// Token requests.
    pub token_requests: u64,
}

/// The Redis section of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedBench {
    /// Where Redis ran.
    pub redis: String,
    /// Per-call overhead rows (the first is in-process).
    pub overhead: Vec<Overhead>,
    /// The 4-process run.
    pub aggregate: Aggregate,
}

impl SharedBench {
    /// The markdown section.
    pub fn markdown(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "### Sharing through Redis ({}, loopback)\n\n\
             Sequential `collect_detail_page` calls against the sandbox; the rate budget is \
             consulted on every call.\n\n\
             | setup | calls | Redis round trips/call | p50 µs | p99 µs | added p50 µs | added p99 µs |\n\
             |---|---:|---:|---:|---:|---:|---:|",
            self.redis
        );
        for o in &self.overhead {
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {:.0} | {:.0} | {:+.0} | {:+.0} |",
                o.setup,
                o.calls,
                o.round_trips_per_call,
                o.p50_us,
                o.p99_us,
                o.added_p50_us,
                o.added_p99_us
            );
        }
        let a = &self.aggregate;
        let _ = writeln!(
            s,
            "\n{} processes at --rps {} each, sharing one budget, against a sandbox limit of {}/s: \
             {} data requests in {:.2} s = {:.2}/s (utilisation {:.3} of {}), at most {} in one \
             second, {} throttled, {} token request(s).",
            a.processes,
            a.rps,
            a.sandbox_limit_per_sec,
            a.requests,
            a.secs,
            a.achieved_per_sec,
            a.utilization,
            a.rps,
            a.busiest_second,
            a.throttled,
            a.token_requests
        );
        s
    }
}

fn url() -> String {
    std::env::var("SCRM_BENCH_REDIS_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6379/15".to_owned())
}

fn prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("scrm-bench:{}:{nanos}", std::process::id())
}

fn client(
    base: &str,
    redis: Option<&RedisShared>,
    rps: f64,
    concurrency: usize,
) -> Result<WshotoClient, String> {
    let secret = Secret::new(scrm_sandbox::SANDBOX_WSHOTO_APP_SECRET.to_owned());
    let mut b = WshotoClient::builder()
        .app_id(scrm_sandbox::SANDBOX_WSHOTO_APP_ID)
        .app_secret(secret.clone())
        .base_url(base)
        .requests_per_second(rps)
        .max_concurrent(concurrency);
    if let Some(r) = redis {
        b = b
            .token_store(r.token_store(&secret))
            .rate_budget(r.rate_budget(&format!("wshoto:{}", scrm_sandbox::SANDBOX_WSHOTO_APP_ID)));
    }
    b.build().map_err(|e| e.to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

/// Measures everything; `Ok(None)` when no Redis answers.
pub fn run(calls: usize, pages_per_process: u64) -> Result<Option<SharedBench>, String> {
    let rt = measure::runtime()?;
    let url = url();
    let probe = rt.block_on(RedisShared::connect(&url, RedisConfig::default()));
    let place = match probe {
        Ok(r) => r.place().to_owned(),
        Err(e) => {
            eprintln!("scrm-bench: Redis benchmark skipped ({e}); set SCRM_BENCH_REDIS_URL");
            return Ok(None);
        }
    };
    let sandbox = measure::sandbox(100)?;
    let base = sandbox.base_url();
    let setups = [
        ("in-process (no Redis, no rate limit)", None),
        (
            "Redis budget + token (token memo 1 s, default)",
            Some(Duration::from_secs(1)),
        ),
        (
            "Redis budget + token (token memo off: GET per call)",
            Some(Duration::ZERO),
        ),
    ];
    let mut clients = Vec::new();
    for (_, memo) in setups {
        let redis = match memo {
            None => None,
            Some(m) => Some(
                rt.block_on(RedisShared::connect(
                    &url,
                    RedisConfig::default().key_prefix(prefix()).token_memo(m),
                ))
                .map_err(|e| e.to_string())?,
            ),
        };
        // Redis: a rate so high the budget never waits, but is asked on every call.
        let rps = if redis.is_some() { 1_000_000.0 } else { 0.0 };
        let c = client(&base, redis.as_ref(), rps, 1)?;
        clients.push((c, redis));
    }
    let page = CollectDetailPage::new().page_size(1);
    let mut lat: Vec<Vec<Duration>> = vec![Vec::with_capacity(calls); setups.len()];
    let mut trips = vec![0u64; setups.len()];
    rt.block_on(async {
        // Warm up: token fetched, scripts loaded, connections open.
        for (c, _) in &clients {
            for _ in 0..50 {
                c.call(&page).await.map_err(|e| e.to_string())?;
            }
        }
        // Interleaved rounds, so drift of the machine affects every setup alike.
        let rounds = 10;
        for _ in 0..rounds {
            for (i, (c, redis)) in clients.iter().enumerate() {
                let before = redis.as_ref().map_or(0, RedisShared::round_trips);
                for _ in 0..calls / rounds {
                    let t = Instant::now();
                    c.call(&page).await.map_err(|e| e.to_string())?;
                    lat[i].push(t.elapsed());
                }
                trips[i] += redis.as_ref().map_or(0, RedisShared::round_trips) - before;
            }
        }
        Ok::<_, String>(())
    })?;
    let mut overhead: Vec<Overhead> = Vec::new();
    for (i, (setup, _)) in setups.iter().enumerate() {
        let l = &mut lat[i];
        l.sort_unstable();
        let (p50, p99) = (percentile(l, 0.5), percentile(l, 0.99));
        let (b50, b99) = overhead
            .first()
            .map_or((p50, p99), |b| (b.p50_us, b.p99_us));
        overhead.push(Overhead {
            setup: (*setup).to_owned(),
            calls: l.len(),
            round_trips_per_call: trips[i] as f64 / l.len() as f64,
            p50_us: p50,
            p99_us: p99,
            added_p50_us: p50 - b50,
            added_p99_us: p99 - b99,
        });
    }
    drop(sandbox);
    let aggregate = aggregate(&url, pages_per_process)?;
    Ok(Some(SharedBench {
        redis: place,
        overhead,
        aggregate,
    }))
}

const PROCESSES: usize = 4;
const RPS: u32 = 20;
const LIMIT: u32 = 30;

fn aggregate(url: &str, pages: u64) -> Result<Aggregate, String> {
    let sandbox: Sandbox = measure::sandbox((pages as usize) * 10)?;
    sandbox.set_vendor_faults(
        Vendor::Wshoto,
        Faults {
            rate_limit_per_sec: Some(LIMIT),
            ..Faults::none()
        },
    );
    sandbox.record_requests(true);
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let p = prefix();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&me)
                .args([
                    "shared-child",
                    url,
                    &p,
                    &sandbox.base_url(),
                    &pages.to_string(),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start a child: {e}"))
        })
        .collect::<Result<_, _>>()?;
    for mut c in children {
        let status = c.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("a shared-child failed: {status}"));
        }
    }
    let stats = sandbox.stats().wshoto;
    let mut at: Vec<Duration> = sandbox
        .requests()
        .iter()
        .filter(|r| r.vendor == Vendor::Wshoto && !r.token && !r.throttled)
        .map(|r| r.at)
        .collect();
    at.sort_unstable();
    if at.len() < 2 {
        return Err("the 4-process run sent no requests".into());
    }
    let busiest = (0..at.len())
        .map(|i| {
            at[i..]
                .iter()
                .take_while(|t| **t - at[i] < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    let secs = (at[at.len() - 1] - at[0]).as_secs_f64();
    let achieved = (at.len() - 1) as f64 / secs;
    Ok(Aggregate {
        processes: PROCESSES,
        rps: RPS,
        sandbox_limit_per_sec: LIMIT,
        requests: at.len(),
        secs,
        achieved_per_sec: achieved,
        utilization: achieved / f64::from(RPS),
        busiest_second: busiest,
        throttled: stats.throttled,
        token_requests: stats.tokens_issued,
    })
}

/// The hidden `shared-child URL PREFIX BASE PAGES` subcommand: `PAGES` page calls of 10
/// records at `RPS`, sharing tokens and the budget through Redis.
pub fn child(args: &[String]) -> Result<(), String> {
    let [url, prefix, base, pages] = args else {
        return Err("shared-child URL PREFIX BASE PAGES".into());
    };
    let pages: u64 = pages.parse().map_err(|_| "PAGES is a number".to_owned())?;
    let rt = measure::runtime()?;
    rt.block_on(async {
        let redis = RedisShared::connect(url, RedisConfig::default().key_prefix(prefix))
            .await
            .map_err(|e| e.to_string())?;
        let c = client(base, Some(&redis), f64::from(RPS), 2)?;
        let calls = (1..=pages).map(|i| {
            let c = c.clone();
            async move {
                c.call(&CollectDetailPage::new().page_size(10).current_index(i))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        });
        // Two in flight at a time, as `--concurrency 2` would.
        use futures::StreamExt;
        let results: Vec<_> = futures::stream::iter(calls)
            .buffer_unordered(2)
            .collect()
            .await;
        results.into_iter().collect::<Result<(), String>>()
    })
}
