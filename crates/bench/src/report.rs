//! The summary (`target/bench/summary.json`) and the markdown table on stdout.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::cpu::Machine;

/// One side (SDK or baseline) of a throughput measurement: medians over the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// Records per second of wall time.
    pub records_per_sec: f64,
    /// Client-thread CPU time per record, nanoseconds.
    pub cpu_ns_per_record: f64,
    /// Wall time of one export, milliseconds.
    pub wall_ms: f64,
    /// Client-thread CPU time of one export, milliseconds.
    pub cpu_ms: f64,
}

/// Throughput of one operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// `vendor operation`.
    pub op: String,
    /// Records per export.
    pub records: u64,
    /// Records per page (both sides).
    pub page_size: u64,
    /// Measured runs per side (after one warm-up each).
    pub runs: usize,
    /// The SDK's item stream.
    pub sdk: Side,
    /// The hand-written reqwest + `Value` baseline.
    pub baseline: Side,
    /// SDK / baseline client CPU per record.
    pub cpu_ratio: f64,
    /// The second baseline: the same loop with hand-written typed serde structs (absent in
    /// summaries written before it was measured).
    #[serde(default)]
    pub typed: Option<Side>,
    /// SDK / typed baseline client CPU per record.
    #[serde(default)]
    pub typed_cpu_ratio: Option<f64>,
    /// CPU used by threads other than the client thread and the sandbox's during the measured
    /// runs (should be ~0: everything the client does runs on the measured thread).
    pub other_threads_cpu_ms: f64,
}

/// SDK throughput of one registered operation through the registry's typed drain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryRow {
    /// `vendor operation`.
    pub op: String,
    /// Records per export (the sandbox's demo request of the operation).
    pub records: u64,
    /// Requests per export (token fetches included).
    pub requests: u64,
    /// Measured runs (after one warm-up).
    pub runs: usize,
    /// The SDK through `Connected::drain` (typed records, no JSON).
    pub sdk: Side,
}

/// Peak RSS of exports (each in a fresh child process).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rss {
    /// The exported operation.
    pub op: String,
    /// Records per page.
    pub page_size: u64,
    /// Records of the small export.
    pub small_records: u64,
    /// Records of the large export.
    pub large_records: u64,
    /// `VmHWM` after the small export, MiB.
    pub peak_rss_mib_small: f64,
    /// `VmHWM` after the large export, MiB.
    pub peak_rss_mib_large: f64,
    /// `VmHWM` of the child before exporting (runtime up), MiB.
    pub baseline_rss_mib: f64,
    /// Wall time of the large export inside the child, seconds.
    pub large_export_secs: f64,
    /// Wall time of the large child process, seconds.
    pub large_child_wall_secs: f64,
}

/// Rate-limit use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateUse {
    /// The limited vendor.
    pub vendor: String,
    /// The sandbox's limit (requests per fixed one-second window).
    pub sandbox_limit_per_sec: u32,
    /// The client's configured rate.
    pub client_requests_per_sec: f64,
    /// Requests the sandbox answered successfully.
    pub requests_ok: u64,
    /// Requests the sandbox received (throttled included).
    pub requests_total: u64,
    /// Requests the client sent (`core().stats().requests`).
    pub client_requests: u64,
    /// Wall time of the export, seconds.
    pub secs: f64,
    /// Successful requests per second of wall time.
    pub achieved_per_sec: f64,
    /// `achieved_per_sec / sandbox_limit_per_sec`.
    pub utilization: f64,
    /// 429 answers counted by the sandbox.
    pub throttled_server: u64,
    /// Throttled answers counted by the client (`core().stats().throttled`).
    pub throttled_client: u64,
    /// Retries made by the client.
    pub retries: u64,
}

/// Concurrent vs sequential paging.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Concurrency {
    /// The exported operation.
    pub op: String,
    /// Pages exported.
    pub pages: u64,
    /// Records per page.
    pub page_size: u64,
    /// Sandbox latency per request, ms.
    pub latency_ms: f64,
    /// Client rate limit (same in both runs), requests/s.
    pub client_rate_per_sec: f64,
    /// Pages in flight (and the client's `max_concurrent`) of the concurrent run.
    pub concurrency: usize,
    /// Wall time with `concurrency(1)`, seconds.
    pub sequential_secs: f64,
    /// Wall time with `concurrency(n)`, seconds.
    pub concurrent_secs: f64,
    /// `sequential_secs / concurrent_secs`.
    pub speedup: f64,
}

/// One target and whether it is met.
/// `scrm sync` into SQLite vs a hand-written rusqlite loop, and the peak RSS of a large sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncBench {
    /// Records per run.
    pub records: u64,
    /// Records per page.
    pub page_size: u64,
    /// Runs per side (medians reported).
    pub runs: usize,
    /// Rows/s of `scrm_sync::sync` with the SQLite sink.
    pub sdk_rows_per_sec: f64,
    /// Rows/s of the hand-written loop.
    pub baseline_rows_per_sec: f64,
    /// sdk / baseline.
    pub ratio: f64,
    /// Records of the large sync.
    pub large_records: u64,
    /// Its peak RSS (VmHWM), MiB.
    pub peak_rss_mib_large: f64,
    /// Its duration, seconds.
    pub large_secs: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// What is measured.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// The condition, as text.
    pub target: String,
    /// Whether it is met.
    pub pass: bool,
}

/// Everything a run measured (`target/bench/summary.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `quick` or `full`.
    pub mode: String,
    /// When the run finished (RFC 3339, UTC).
    pub timestamp: String,
    /// Where it ran.
    pub machine: Machine,
    /// The worst SDK/baseline CPU-per-record ratio over the operations.
    pub overhead_cpu_ratio: f64,
    /// Total SDK CPU / total baseline CPU over all operations (for information).
    pub overhead_cpu_ratio_aggregate: f64,
    /// The worst SDK/typed-baseline CPU-per-record ratio over the operations (absent in
    /// summaries written before the typed baseline existed).
    #[serde(default)]
    pub overhead_cpu_ratio_typed: Option<f64>,
    /// Peak RSS of the small export, MiB.
    pub peak_rss_mib_small: f64,
    /// Peak RSS of the large export, MiB.
    pub peak_rss_mib_large: f64,
    /// Achieved request rate / the sandbox's limit.
    pub rate_limit_utilization: f64,
    /// Throttled answers during the rate-limit run (sandbox count).
    pub rate_limit_throttled: u64,
    /// The smallest concurrent/sequential speed-up over the measured operations.
    pub concurrent_speedup: f64,
    /// Per operation throughput.
    pub throughput: Vec<Throughput>,
    /// Peak RSS details.
    pub rss: Rss,
    /// Rate-limit details.
    pub rate_limit: RateUse,
    /// Concurrent paging details.
    pub concurrency: Vec<Concurrency>,
    /// Verified pushes/s through `scrm listen` / a constant-reply hyper server's requests/s.
    #[serde(default)]
    pub push_verified_ratio: Option<f64>,
    /// Push receiver details.
    #[serde(default)]
    pub push: Option<crate::push::PushBench>,
    /// The targets.
    pub targets: Vec<Target>,
    /// Sharing through Redis (absent when no Redis answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis: Option<crate::shared::SharedBench>,
    /// `scrm sync` into SQLite (absent in summaries written before it was measured).
    #[serde(default)]
    pub sync: Option<SyncBench>,
    /// Every registered operation the sandbox serves, SDK side only (empty in summaries
    /// written before it was measured).
    #[serde(default)]
    pub registry: Vec<RegistryRow>,
}

impl Summary {
    /// Computes the headline figures and targets from the details.
    pub fn new(
        mode: &str,
        machine: Machine,
        throughput: Vec<Throughput>,
        rss: Rss,
        rate_limit: RateUse,
        concurrency: Vec<Concurrency>,
    ) -> Summary {
        let overhead_cpu_ratio = throughput.iter().map(|t| t.cpu_ratio).fold(0.0, f64::max);
        let overhead_cpu_ratio_typed = throughput
            .iter()
            .filter_map(|t| t.typed_cpu_ratio)
            .reduce(f64::max);
        let total = |f: fn(&Throughput) -> f64| throughput.iter().map(f).sum::<f64>();
        let overhead_cpu_ratio_aggregate =
            total(|t| t.sdk.cpu_ms) / total(|t| t.baseline.cpu_ms).max(1e-9);
        let concurrent_speedup = concurrency
            .iter()
            .map(|c| c.speedup)
            .fold(f64::INFINITY, f64::min);
        let concurrent_speedup = if concurrent_speedup.is_finite() {
            concurrent_speedup
        } else {
            0.0
        };
        let rss_limit = (1.5 * rss.peak_rss_mib_small).max(64.0);
        let targets = vec![
            Target {
                name: "overhead_cpu_ratio".into(),
                value: overhead_cpu_ratio,
                target: "<= 1.10".into(),
                pass: overhead_cpu_ratio <= 1.10,
            },
            Target {
                name: "overhead_cpu_ratio_typed".into(),
                value: overhead_cpu_ratio_typed.unwrap_or(0.0),
                target: "<= 1.05 (SDK vs hand-written typed serde structs)".into(),
                pass: overhead_cpu_ratio_typed.is_some_and(|r| r <= 1.05),
            },
            Target {
                name: "peak_rss_mib_large".into(),
                value: rss.peak_rss_mib_large,
                target: format!(
                    "<= max(64, 1.5 x {:.1}) = {rss_limit:.1}",
                    rss.peak_rss_mib_small
                ),
                pass: rss.peak_rss_mib_large <= rss_limit,
            },
            Target {
                name: "rate_limit_utilization".into(),
                value: rate_limit.utilization,
                target: format!(
                    ">= 0.90 with 0 throttled (got {} throttled)",
                    rate_limit.throttled_server
                ),
                pass: rate_limit.utilization >= 0.90 && rate_limit.throttled_server == 0,
            },
            Target {
                name: "concurrent_speedup".into(),
                value: concurrent_speedup,
                target: ">= 3".into(),
                pass: concurrent_speedup >= 3.0,
            },
        ];
        Summary {
            mode: mode.to_owned(),
            timestamp: now_rfc3339(),
            machine,
            overhead_cpu_ratio,
            overhead_cpu_ratio_aggregate,
            overhead_cpu_ratio_typed,
            peak_rss_mib_small: rss.peak_rss_mib_small,
            peak_rss_mib_large: rss.peak_rss_mib_large,
            rate_limit_utilization: rate_limit.utilization,
            rate_limit_throttled: rate_limit.throttled_server,
            concurrent_speedup,
            throughput,
            rss,
            rate_limit,
            concurrency,
            push_verified_ratio: None,
            push: None,
            targets,
            redis: None,
            sync: None,
            registry: Vec::new(),
        }
    }

    /// Adds the push receiver measurement and its target (ratio >= 0.5).
    pub fn with_push(mut self, push: crate::push::PushBench) -> Summary {
        self.targets.push(Target {
            name: "push_verified_ratio".into(),
            value: push.ratio,
            target: ">= 0.5".into(),
            pass: push.ratio >= 0.5,
        });
        self.push_verified_ratio = Some(push.ratio);
        self.push = Some(push);
        self
    }

    /// Adds the sync figures and their targets.
    pub fn with_sync(mut self, sync: SyncBench) -> Summary {
        self.targets.push(Target {
            name: "sync_sqlite_rows_ratio".into(),
            value: sync.ratio,
            target: ">= 0.80 (scrm sync rows/s / hand-written rusqlite loop rows/s)".into(),
            pass: sync.ratio >= 0.8,
        });
        let limit = (1.5 * self.rss.peak_rss_mib_small).max(64.0);
        self.targets.push(Target {
            name: "peak_rss_mib_sync_large".into(),
            value: sync.peak_rss_mib_large,
            target: format!(
                "<= max(64, 1.5 x {:.1}) = {limit:.1} (flat, as for export)",
                self.rss.peak_rss_mib_small
            ),
            pass: sync.peak_rss_mib_large <= limit,
        });
        self.sync = Some(sync);
        self
    }

    /// The markdown report.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let m = &self.machine;
        let _ = writeln!(
            s,
            "## scrm-bench ({} mode, {})\n\n{} × {}, {} MiB, Linux {}\n",
            self.mode, self.timestamp, m.nproc, m.cpu_model, m.mem_total_mib, m.kernel
        );
        let _ = writeln!(
            s,
            "### Export throughput (client thread CPU; median of runs)\n\n\
             | operation | records | page | SDK rec/s | baseline rec/s | SDK CPU µs/rec | baseline CPU µs/rec | CPU ratio SDK/baseline | typed CPU µs/rec | CPU ratio SDK/typed |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for t in &self.throughput {
            let typed = t.typed.as_ref().map_or("-".to_owned(), |ty| {
                format!("{:.2}", ty.cpu_ns_per_record / 1e3)
            });
            let typed_ratio = t
                .typed_cpu_ratio
                .map_or("-".to_owned(), |r| format!("{r:.3}"));
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {:.3} | {typed} | {typed_ratio} |",
                t.op,
                t.records,
                t.page_size,
                t.sdk.records_per_sec,
                t.baseline.records_per_sec,
                t.sdk.cpu_ns_per_record / 1e3,
                t.baseline.cpu_ns_per_record / 1e3,
                t.cpu_ratio
            );
        }
        if !self.registry.is_empty() {
            let _ = writeln!(
                s,
                "\n### Every registered operation (SDK through the registry's typed drain, each \
                 operation's default page size, the sandbox's demo request)\n\n\
                 | operation | records | requests | SDK rec/s | SDK CPU µs/rec |\n|---|---:|---:|---:|---:|"
            );
            for r in &self.registry {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {:.0} | {:.2} |",
                    r.op,
                    r.records,
                    r.requests,
                    r.sdk.records_per_sec,
                    r.sdk.cpu_ns_per_record / 1e3
                );
            }
        }
        let stray: f64 = self.throughput.iter().map(|t| t.other_threads_cpu_ms).sum();
        let _ = writeln!(
            s,
            "\nCPU of other client-process threads during the measured runs: {stray:.0} ms in total \
             (the sandbox thread excluded).\n"
        );
        let r = &self.rss;
        let _ = writeln!(
            s,
            "### Peak RSS ({}, {} per page, fresh child process each)\n\n\
             | records | peak RSS (VmHWM) |\n|---:|---:|\n| {} | {:.1} MiB |\n| {} | {:.1} MiB |\n\n\
             Child RSS before exporting: {:.1} MiB; the large export took {:.1} s.\n",
            r.op,
            r.page_size,
            r.small_records,
            r.peak_rss_mib_small,
            r.large_records,
            r.peak_rss_mib_large,
            r.baseline_rss_mib,
            r.large_export_secs
        );
        let _ = writeln!(
            s,
            "### Rate-limit use (sandbox: fixed one-second windows)\n\n\
             | vendor | sandbox limit/s | client rate/s | ok requests | seconds | achieved/s | utilization | throttled (sandbox / client) | retries |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for u in std::iter::once(&self.rate_limit) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.2} | {:.2} | {:.3} | {} / {} | {} |",
                u.vendor,
                u.sandbox_limit_per_sec,
                u.client_requests_per_sec,
                u.requests_ok,
                u.secs,
                u.achieved_per_sec,
                u.utilization,
                u.throttled_server,
                u.throttled_client,
                u.retries
            );
        }
        let _ = writeln!(
            s,
            "\n### Concurrent paging (latency-bound)\n\n\
             | operation | pages × size | latency | client rate/s | concurrency | sequential s | concurrent s | speed-up |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|"
        );
        for c in &self.concurrency {
            let _ = writeln!(
                s,
                "| {} | {} × {} | {:.0} ms | {} | {} | {:.2} | {:.2} | {:.2} |",
                c.op,
                c.pages,
                c.page_size,
                c.latency_ms,
                c.client_rate_per_sec,
                c.concurrency,
                c.sequential_secs,
                c.concurrent_secs,
                c.speedup
            );
        }
        if let Some(p) = &self.push {
            let _ = writeln!(
                s,
                "\n### Push receiver (loopback, {} in flight, median of {} runs of {} pushes)\n\n\
                 | server | per second | server CPU µs per request |\n|---|---:|---:|\n\
                 | `scrm listen` (verify, decrypt, dedupe, write + flush, reply) | {:.0} | {:.1} |\n\
                 | minimal hyper server, constant reply | {:.0} | {:.1} |\n\n\
                 Ratio (median of per-run ratios): {:.3}.",
                p.concurrency,
                p.runs,
                p.pushes,
                p.listen_per_sec,
                p.listen_cpu_us_per_push,
                p.baseline_per_sec,
                p.baseline_cpu_us_per_request,
                p.ratio
            );
        }
        if let Some(y) = &self.sync {
            let _ = writeln!(
                s,
                "\n### scrm sync into SQLite (weiban smart-form-users, {} per page, median of {} runs)\n\n\
                 | records | scrm sync rows/s | hand-written rusqlite rows/s | ratio |\n|---:|---:|---:|---:|\n\
                 | {} | {:.0} | {:.0} | {:.3} |\n\n\
                 Peak RSS of a {}-record sync (fresh child process): {:.1} MiB ({:.1} s).",
                y.page_size,
                y.runs,
                y.records,
                y.sdk_rows_per_sec,
                y.baseline_rows_per_sec,
                y.ratio,
                y.large_records,
                y.peak_rss_mib_large,
                y.large_secs
            );
        }
        let _ = writeln!(
            s,
            "\n### Targets\n\n| figure | value | target | result |\n|---|---:|---|---|"
        );
        for t in &self.targets {
            let _ = writeln!(
                s,
                "| {} | {:.3} | {} | {} |",
                t.name,
                t.value,
                t.target,
                if t.pass { "PASS" } else { "FAIL" }
            );
        }
        if let Some(redis) = &self.redis {
            s.push('\n');
            s.push_str(&redis.markdown());
        }
        s
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
