//! Several `scrm export` processes sharing one credential through Redis (`SCRM_REDIS_URL`).
//!
//! Needs `SCRM_TEST_REDIS_URL` (e.g. `redis://127.0.0.1:6379/0`) and, for the outage tests,
//! `redis-server` on the PATH (they start and kill their own). Without the variable the tests
//! print a skip line and pass; under `CI=true` they fail instead.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

pub(crate) fn redis_url(test: &str) -> Option<String> {
    match std::env::var("SCRM_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("SCRM_TEST_REDIS_URL is not set under CI=true: the Redis tests must run")
        }
        _ => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped {test}: set SCRM_TEST_REDIS_URL=redis://127.0.0.1:6379/0 to run it"
            );
            None
        }
    }
}

/// Keys of their own per test run.
pub(crate) fn prefix(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("scrm-test:{test}:{}:{nanos}", std::process::id())
}

/// `scrm export wshoto collect-details` sharing through `url` under `prefix`.
fn shared_export(sandbox: &Sandbox, url: &str, prefix: &str, extra: &[&str]) -> Command {
    let mut cmd = scrm(sandbox);
    cmd.env("SCRM_REDIS_URL", url)
        .env("SCRM_REDIS_PREFIX", prefix)
        .args(["export", "wshoto", "collect-details"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn four_exports_share_one_rate_and_one_token() {
    let Some(url) = redis_url("four_exports_share_one_rate_and_one_token") else {
        return;
    };
    // Each process runs at --rps r; the account allows R with r < R < 2r: without sharing
    // the four would be throttled at once.
    let (r, limit) = (8u32, 12u32);
    let sandbox = sandbox(Faults::none());
    sandbox.set_vendor_faults(
        Vendor::Wshoto,
        Faults {
            rate_limit_per_sec: Some(limit),
            ..Faults::none()
        },
    );
    sandbox.record_requests(true);
    let p = prefix("four-exports");
    let rps = r.to_string();
    let args = [
        "--rps",
        rps.as_str(),
        "--page-size",
        "25",
        "--concurrency",
        "2",
    ];
    let children: Vec<Child> = (0..4)
        .map(|_| shared_export(&sandbox, &url, &p, &args).spawn().unwrap())
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert_exact(&sandbox, &CASES[0], out);
    }
    let stats = sandbox.stats().wshoto;
    assert_eq!(stats.throttled, 0, "{stats:?}");
    assert_eq!(
        stats.tokens_issued, 1,
        "token requests as if one process: {stats:?}"
    );
    let mut at: Vec<Duration> = sandbox
        .requests()
        .iter()
        .filter(|q| q.vendor == Vendor::Wshoto && !q.token)
        .map(|q| q.at)
        .collect();
    at.sort_unstable();
    assert!(at.len() >= 4 * 18, "{} data requests", at.len());
    // At most r + 1 starts in any one-second window…
    let mut busiest = 0;
    for (i, start) in at.iter().enumerate() {
        let within = at[i..]
            .iter()
            .take_while(|t| **t - *start < Duration::from_secs(1))
            .count();
        busiest = busiest.max(within);
        assert!(
            within <= r as usize + 1,
            "{within} requests in the second from {start:?}"
        );
    }
    // …and together they use at least 90% of r while they all have work.
    let span = (at[at.len() - 1] - at[0]).as_secs_f64();
    let rate = (at.len() - 1) as f64 / span;
    eprintln!(
        "4 processes at --rps {r}: {} data requests in {span:.2} s = {rate:.2}/s, at most {busiest} in one second",
        at.len()
    );
    assert!(
        rate >= 0.9 * f64::from(r),
        "aggregate {rate:.2} requests/s over {span:.1} s"
    );
}

/// A `redis-server` of the test's own on a free loopback port, without persistence.
struct OwnRedis {
    child: Child,
    port: u16,
}

impl OwnRedis {
    fn start() -> OwnRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed to run the Redis outage tests");
        // Dropping it (also on a failed start) kills and reaps the server.
        let redis = OwnRedis { child, port };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("redis-server did not start on port {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts an export through a Redis of its own, kills that Redis after 10 pages, and returns
/// what the export printed (and the sandbox).
fn export_with_redis_killed(fallback: Option<&str>) -> (Output, Sandbox) {
    let sandbox = sandbox(Faults::none());
    let mut redis = OwnRedis::start();
    let mut cmd = shared_export(
        &sandbox,
        &redis.url(),
        "scrm",
        &["--rps", "20", "--page-size", "10"],
    );
    if let Some(mode) = fallback {
        cmd.env("SCRM_REDIS_FALLBACK", mode);
    }
    let mut child = cmd.spawn().unwrap();
    // Drain stdout meanwhile, so the export never blocks on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).unwrap();
        buf
    });
    let mut pages = 0;
    for _ in 0..2000 {
        pages = sandbox.stats().wshoto.ok;
        if pages >= 10 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(pages >= 10, "the export never got going");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the export ended before Redis was killed; the test proves nothing"
    );
    redis.kill();
    let mut out = child.wait_with_output().unwrap();
    out.stdout = reader.join().unwrap();
    (out, sandbox)
}

#[test]
fn redis_killed_mid_export_fails_naming_redis_and_keeps_what_was_written() {
    if redis_url("redis_killed_mid_export_fails_naming_redis").is_none() {
        return;
    }
    let (out, _sandbox) = export_with_redis_killed(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("Redis at 127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("SCRM_REDIS_FALLBACK=local"), "{stderr}");
    // What was written is exact so far: no record twice, and as many as the message says.
    let got = keys(&out.stdout, CASES[0].key);
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "a record was written twice");
    assert!(!got.is_empty());
    assert!(
        stderr.contains(&format!("after {} records", got.len())),
        "{} records written: {stderr}",
        got.len()
    );
}

#[test]
fn redis_killed_mid_export_falls_back_with_a_warning_when_allowed() {
    if redis_url("redis_killed_mid_export_falls_back_with_a_warning").is_none() {
        return;
    }
    let (out, sandbox) = export_with_redis_killed(Some("local"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("falling back to per-process"), "{stderr}");
    assert_exact(&sandbox, &CASES[0], &out);
}

#[test]
fn an_unreachable_redis_at_start_fails_before_any_request() {
    let sandbox = sandbox(Faults::none());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:pa55word@127.0.0.1:{port}/2");
    let out = shared_export(&sandbox, &url, "scrm", &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("Redis at 127.0.0.1:{port} db 2")),
        "{stderr}"
    );
    assert!(!stderr.contains("pa55word"), "{stderr}");
    assert_eq!(sandbox.stats().total_requests(), 0);
    let out = shared_export(&sandbox, "http://127.0.0.1:1", "scrm", &[])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
