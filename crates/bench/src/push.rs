//! Verified pushes per second through `scrm listen` (a child process, writing to a file) vs a
//! minimal hyper server answering every request with a constant body (`scrm-bench
//! push-baseline`, also a child process on a multi-thread runtime), driven by the same load
//! generator (the sandbox's [`Pusher`], `concurrency` requests in flight) in the same run.
//!
//! The pushes (weiban, tanma and waiqin in turn, every one a new event) are signed and
//! encrypted before the clock starts; each side gets its own fresh set of the same size and
//! shape. Every `scrm listen` reply is checked to be the vendor's acknowledgement, and the
//! output file must hold one line per push at the end.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use futures::StreamExt;
use scrm_sandbox::push::{Push, PushKeys, PushVendor, Pusher};
use serde::{Deserialize, Serialize};

/// The push measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushBench {
    /// Pushes per run and side.
    pub pushes: u64,
    /// Requests in flight.
    pub concurrency: usize,
    /// Measured runs per side (after one warm-up each), alternating.
    pub runs: usize,
    /// Median verified, decrypted, deduplicated, written and acknowledged pushes per second
    /// through `scrm listen`.
    pub listen_per_sec: f64,
    /// Median answered requests per second of the constant-reply hyper server.
    pub baseline_per_sec: f64,
    /// The median over runs of `listen / baseline` of the same run (adjacent in time, so load
    /// from other processes affects both alike).
    pub ratio: f64,
    /// Median CPU time of the `scrm listen` process per push, microseconds (all its threads,
    /// from `/proc/<pid>/task/*/schedstat`: not disturbed by other load on the machine).
    #[serde(default)]
    pub listen_cpu_us_per_push: f64,
    /// Median CPU time of the baseline server process per request, microseconds.
    #[serde(default)]
    pub baseline_cpu_us_per_request: f64,
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// CPU time used so far by every thread of the process, nanoseconds.
    fn cpu_ns(&self) -> u64 {
        let dir = format!("/proc/{}/task", self.child.id());
        let Ok(tasks) = std::fs::read_dir(dir) else {
            return 0;
        };
        tasks
            .filter_map(Result::ok)
            .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .filter_map(|s| {
                s.split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
            })
            .sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scrm_binary() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("SCRM_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let path = exe.with_file_name("scrm");
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: build it first (`cargo build --release -p scrm-cli`; `cargo xtask bench` does) or set SCRM_BIN",
            path.display()
        ))
    }
}

/// The first `http://…` word of the first line of `reader`.
fn address(reader: impl std::io::Read, what: &str) -> Result<String, String> {
    let mut line = String::new();
    BufReader::new(reader)
        .read_line(&mut line)
        .map_err(|e| format!("{what}: {e}"))?;
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(str::to_owned)
        .ok_or_else(|| format!("{what} did not print its address: {line}"))
}

fn start_listen(out: &std::path::Path) -> Result<Server, String> {
    let mut cmd = Command::new(scrm_binary()?);
    cmd.env_clear()
        .args(["listen", "--bind", "127.0.0.1:0", "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in PushKeys::default().listen_env() {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start scrm listen: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let base = address(stderr, "scrm listen")?;
    Ok(Server { child, base })
}

fn start_baseline() -> Result<Server, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let mut child = Command::new(exe)
        .arg("push-baseline")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the baseline server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let base = address(stdout, "the baseline server")?;
    Ok(Server { child, base })
}

/// `pushes` new events (vendors in turn), numbered from `first`.
fn batch(pusher: &Pusher, first: u64, pushes: u64) -> Result<Vec<Push>, String> {
    (0..pushes)
        .map(|i| {
            let vendor = PushVendor::ALL[(i % 3) as usize];
            pusher.event(vendor, first + i / 3, 0)
        })
        .collect()
}

/// Sends `pushes` with `concurrency` in flight: (seconds, HTTP 200 answers, acknowledgements).
async fn drive(pusher: &Pusher, pushes: &[Push], concurrency: usize) -> (f64, u64, u64) {
    let started = Instant::now();
    let (ok, acked) = futures::stream::iter(pushes.iter())
        .map(|p| async move {
            match pusher.send(p).await {
                Ok((200, body)) => (1, u64::from(body == p.ack)),
                _ => (0, 0),
            }
        })
        .buffer_unordered(concurrency)
        .fold(
            (0u64, 0u64),
            |(o, a), (o2, a2)| async move { (o + o2, a + a2) },
        )
        .await;
    (started.elapsed().as_secs_f64(), ok, acked)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Runs the comparison.
pub fn measure(
    rt: &tokio::runtime::Runtime,
    pushes: u64,
    runs: usize,
    concurrency: usize,
) -> Result<PushBench, String> {
    let dir = std::env::temp_dir().join(format!("scrm-bench-push-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = dir.join("events.jsonl");
    let _ = std::fs::remove_file(&out);
    let listen = start_listen(&out)?;
    let baseline = start_baseline()?;
    let to_listen = Pusher::new(&listen.base, PushKeys::default())?;
    let to_baseline = Pusher::new(&baseline.base, PushKeys::default())?;
    let mut listen_rates = Vec::new();
    let mut baseline_rates = Vec::new();
    let mut ratios = Vec::new();
    let mut listen_cpu = Vec::new();
    let mut baseline_cpu = Vec::new();
    let timed = |server: &Server, pusher: &Pusher, pushes: &[Push]| {
        let cpu = server.cpu_ns();
        let r = rt.block_on(drive(pusher, pushes, concurrency));
        let used = server.cpu_ns().saturating_sub(cpu);
        (r, used as f64 / 1e3 / pushes.len().max(1) as f64)
    };
    let mut next = 1u64;
    let mut written = 0u64;
    for run in 0..=runs {
        // Fresh events every run: a repeat would measure the duplicate path.
        let a = batch(&to_listen, next, pushes)?;
        next += pushes;
        let b = batch(&to_baseline, next, pushes)?;
        next += pushes;
        let check = |acked: u64| {
            if acked == pushes {
                Ok(())
            } else {
                Err(format!(
                    "scrm listen acknowledged {acked} of {pushes} pushes"
                ))
            }
        };
        // Alternate which side goes first, so a trend in the machine's load favours neither.
        let (((secs, _, acked), lcpu), ((bsecs, answered, _), bcpu)) = if run % 2 == 0 {
            let l = timed(&listen, &to_listen, &a);
            (l, timed(&baseline, &to_baseline, &b))
        } else {
            let b = timed(&baseline, &to_baseline, &b);
            (timed(&listen, &to_listen, &a), b)
        };
        check(acked)?;
        written += pushes;
        if answered != pushes {
            return Err(format!(
                "the baseline server answered {answered} of {pushes} requests"
            ));
        }
        if run > 0 {
            let (l, b) = (pushes as f64 / secs, pushes as f64 / bsecs);
            listen_rates.push(l);
            baseline_rates.push(b);
            ratios.push(l / b.max(1e-9));
            listen_cpu.push(lcpu);
            baseline_cpu.push(bcpu);
        }
    }
    drop(listen);
    drop(baseline);
    let lines = std::fs::read_to_string(&out)
        .map(|t| t.lines().count() as u64)
        .unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);
    if lines != written {
        return Err(format!(
            "scrm listen wrote {lines} lines for {written} acknowledged pushes"
        ));
    }
    Ok(PushBench {
        pushes,
        concurrency,
        runs,
        listen_per_sec: median(listen_rates),
        baseline_per_sec: median(baseline_rates),
        ratio: median(ratios),
        listen_cpu_us_per_push: median(listen_cpu),
        baseline_cpu_us_per_request: median(baseline_cpu),
    })
}

/// The hidden `push-baseline` subcommand: a minimal hyper server on 127.0.0.1 that reads each
/// request's body and answers `{"errcode":0}`; prints its address, serves until killed.
pub fn baseline_server() -> Result<(), String> {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("bind: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("http://{addr}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let svc = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let _ = req.into_body().collect().await;
                    let mut r =
                        hyper::Response::new(Full::new(Bytes::from_static(br#"{"errcode":0}"#)));
                    r.headers_mut().insert(
                        hyper::header::CONTENT_TYPE,
                        hyper::header::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, std::convert::Infallible>(r)
                });
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    })
}
