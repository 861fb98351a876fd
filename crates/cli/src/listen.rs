//! `scrm listen`: receive weiban, tanma and waiqin pushes, verify and decrypt them, write each
//! new event as one JSON line (flushed) before acknowledging it.
//!
//! Order per event: verify → claim `(vendor, id)` in the [`SeenStore`] → write and flush the
//! line → commit to the [`EventSink`] (the database, when there is one) → mark complete →
//! reply. A failure anywhere after the claim releases it and answers "retry", so the vendor
//! pushes again; an acknowledged event has always been written. Flushing hands the line to the
//! operating system (it survives a crash of this process, not of the machine).

use std::convert::Infallible;
use std::fs::OpenOptions;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use scrm_core::push::{
    Claim, MAX_BODY_BYTES, MemorySeenStore, PushError, PushEvent, PushReply, PushRequest, Received,
    SeenStore,
};
use scrm_core::{Error, Secret};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::fail;
use scrm_cli::args::ListenArgs;

/// A body over [`MAX_BODY_BYTES`] is still read (and dropped) up to this size so the pusher
/// gets its 413; past it the connection is closed.
const DRAIN_LIMIT: usize = 8 * MAX_BODY_BYTES;

/// Where committed events go after their line was written (the database of `--db`).
#[scrm_core::async_trait]
pub trait EventSink: Send + Sync + 'static {
    /// Durably stores `event`; an error makes the listener release the claim and ask the
    /// vendor to push again.
    async fn commit(&self, event: &PushEvent, received_at: &str) -> Result<(), Error>;
}

/// The receivers of the vendors that are configured.
#[derive(Clone, Default)]
pub struct Receivers {
    pub weiban: Option<scrm_weiban::push::PushReceiver>,
    pub tanma: Option<scrm_tanma::push::PushReceiver>,
    pub waiqin: Option<scrm_waiqin::push::PushReceiver>,
}

const WEIBAN_VARS: [&str; 3] = [
    "SCRM_WEIBAN_CALLBACK_TOKEN",
    "SCRM_WEIBAN_CALLBACK_AES_KEY",
    "SCRM_WEIBAN_CALLBACK_RECEIVE_ID",
];
const TANMA_VARS: [&str; 2] = ["SCRM_TANMA_APP_ID", "SCRM_TANMA_APP_KEY"];
const TANMA_CORP_VAR: &str = "SCRM_TANMA_CORP_ID";
const WAIQIN_VARS: [&str; 1] = ["SCRM_WAIQIN_PUSH_SECRET"];

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// All of `names`, none of them, or an error naming the missing ones.
fn all_or_none<const N: usize>(
    vendor: &str,
    names: [&str; N],
) -> Result<Option<[String; N]>, String> {
    let values = names.map(var);
    let set = values.iter().filter(|v| v.is_some()).count();
    if set == 0 {
        return Ok(None);
    }
    if set < N {
        let missing: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        return Err(format!(
            "{vendor} pushes need {}; {} unset",
            names.join(", "),
            missing.join(", ")
        ));
    }
    Ok(Some(values.map(Option::unwrap_or_default)))
}

impl Receivers {
    /// The receivers configured by the environment; a partly configured vendor or an invalid
    /// secret is an error naming the variable.
    pub fn from_env() -> Result<Self, String> {
        let mut r = Receivers::default();
        if let Some([token, key, receive_id]) = all_or_none("weiban", WEIBAN_VARS)? {
            r.weiban = Some(
                scrm_weiban::push::PushReceiver::builder()
                    .token(token)
                    .encoding_aes_key(Secret::new(key))
                    .receive_id(receive_id)
                    .build()
                    .map_err(|e| format!("{e} (from {})", WEIBAN_VARS.join(", ")))?,
            );
        }
        if let Some([app_id, app_key]) = all_or_none("tanma", TANMA_VARS)? {
            let mut b = scrm_tanma::push::PushReceiver::builder()
                .app_id(app_id)
                .app_key(app_key);
            if let Some(corp) = var(TANMA_CORP_VAR) {
                b = b.corp_id(corp);
            }
            r.tanma =
                Some(b.build().map_err(|e| {
                    format!("{e} (from {}, {TANMA_CORP_VAR})", TANMA_VARS.join(", "))
                })?);
        }
        if let Some([secret]) = all_or_none("waiqin", WAIQIN_VARS)? {
            r.waiqin = Some(
                scrm_waiqin::push::PushReceiver::builder()
                    .push_secret(secret)
                    .build()
                    .map_err(|e| format!("{e} (from {})", WAIQIN_VARS[0]))?,
            );
        }
        Ok(r)
    }

    /// The vendors served, in route order.
    pub fn served(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.weiban.is_some() {
            v.push("weiban");
        }
        if self.tanma.is_some() {
            v.push("tanma");
        }
        if self.waiqin.is_some() {
            v.push("waiqin");
        }
        v
    }
}

/// Counters of a running listener.
#[derive(Debug, Default)]
pub struct Counters {
    /// New events written.
    pub written: AtomicU64,
    /// Repeated events acknowledged without writing.
    pub duplicates: AtomicU64,
    /// Pushes refused (bad signature, stale, malformed, …).
    pub refused: AtomicU64,
    /// URL verifications answered.
    pub handshakes: AtomicU64,
    /// Events answered "retry" (write failure, still in flight elsewhere).
    pub retry: AtomicU64,
}

/// Where lines go.
pub enum Out {
    Stdout,
    /// Appended to (created when missing).
    File(PathBuf),
    /// Any writer (the demo's file or a sink).
    Writer(Box<dyn Write + Send>),
}

/// Everything a listener needs.
pub struct Listener {
    pub receivers: Receivers,
    pub seen: Arc<dyn SeenStore>,
    pub sink: Option<Arc<dyn EventSink>>,
    pub out: Out,
    /// Log every refusal on stderr (the CLI does; the demo keeps its table clean).
    pub log_refusals: bool,
}

struct State {
    receivers: Receivers,
    seen: Arc<dyn SeenStore>,
    sink: Option<Arc<dyn EventSink>>,
    /// Lines go through one writer thread: a slow or full stdout never stalls the async
    /// workers, and lines waiting together are written and flushed together.
    writer: LineWriter,
    counters: Arc<Counters>,
    log_refusals: bool,
}

/// A listener serving in this process.
pub struct Running {
    pub addr: SocketAddr,
    pub counters: Arc<Counters>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish (up to 10 s), and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl Listener {
    /// Binds `bind` and serves until [`Running::shutdown`].
    pub async fn start(self, bind: SocketAddr) -> Result<Running, String> {
        let writer: Box<dyn Write + Send> = match self.out {
            Out::Stdout => Box::new(std::io::stdout()),
            Out::Writer(w) => w,
            Out::File(path) => Box::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| format!("cannot open {} for appending: {e}", path.display()))?,
            ),
        };
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let counters = Arc::new(Counters::default());
        let state = Arc::new(State {
            receivers: self.receivers,
            seen: self.seen,
            sink: self.sink,
            writer: LineWriter::start(writer)?,
            counters: counters.clone(),
            log_refusals: self.log_refusals,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, state, stopped));
        Ok(Running {
            addr,
            counters,
            stop,
            task,
        })
    }
}

async fn serve(listener: TcpListener, state: Arc<State>, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let state = state.clone();
                    let mut stop = stopped.clone();
                    connections.spawn(async move {
                        let svc = service_fn(move |req| handle(state.clone(), peer, req));
                        let conn = http1::Builder::new()
                            .keep_alive(true)
                            .serve_connection(TokioIo::new(stream), svc);
                        let mut conn = std::pin::pin!(conn);
                        tokio::select! {
                            _ = conn.as_mut() => {}
                            _ = stop.changed() => {
                                // Finish the request in progress, then close.
                                conn.as_mut().graceful_shutdown();
                                let _ = conn.await;
                            }
                        }
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = stopped.changed() => break,
        }
    }
    drop(listener);
    let deadline = tokio::time::sleep(Duration::from_secs(10));
    let mut deadline = std::pin::pin!(deadline);
    loop {
        tokio::select! {
            next = connections.join_next() => if next.is_none() { break },
            _ = deadline.as_mut() => { connections.abort_all(); break }
        }
    }
}

fn respond(reply: &PushReply) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(reply.body.clone())));
    *r.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = hyper::header::HeaderValue::from_str(reply.content_type) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

fn text(status: u16, body: String) -> PushReply {
    let mut r = PushReply::text(body.into_bytes());
    r.status = status;
    r
}

/// The answer that makes the vendor push again later.
fn retry_reply(vendor: &str) -> PushReply {
    if vendor == "waiqin" {
        PushReply::json(scrm_waiqin::push::RETRY_REPLY)
    } else {
        text(503, format!("{vendor} push not stored yet: please retry\n"))
    }
}

async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(respond(&route(&state, peer, req).await))
}

async fn route(state: &State, peer: SocketAddr, req: Request<Incoming>) -> PushReply {
    let vendor: &'static str = match req.uri().path() {
        "/weiban" => "weiban",
        "/tanma" => "tanma",
        "/waiqin" => "waiqin",
        other => {
            return text(
                404,
                format!("no route {other}: scrm listen serves /weiban, /tanma and /waiqin\n"),
            );
        }
    };
    let configured = match vendor {
        "weiban" => state.receivers.weiban.is_some(),
        "tanma" => state.receivers.tanma.is_some(),
        _ => state.receivers.waiqin.is_some(),
    };
    if !configured {
        let vars = match vendor {
            "weiban" => WEIBAN_VARS.join(", "),
            "tanma" => TANMA_VARS.join(", "),
            _ => WAIQIN_VARS.join(", "),
        };
        return text(
            404,
            format!("{vendor} pushes are not served here: set {vars} to receive them\n"),
        );
    }
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let (parts, mut body) = req.into_parts();
    let mut buf: Vec<u8> = Vec::with_capacity(declared.min(MAX_BODY_BYTES));
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return text(400, "the request body could not be read\n".to_owned());
        };
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len());
            if total <= MAX_BODY_BYTES {
                buf.extend_from_slice(&data);
            } else if total > DRAIN_LIMIT {
                // Stop reading: the connection is closed after the answer.
                break;
            } else {
                // Over the limit: keep reading (and dropping) so the pusher sees the 413
                // instead of a reset connection.
                buf = Vec::new();
            }
        }
    }
    if total > MAX_BODY_BYTES {
        return refused(state, peer, &PushError::too_large(vendor, total));
    }
    let body = buf;
    let query = parts.uri.query().unwrap_or("");
    let request = PushRequest::new(&parts.method, query, &parts.headers, &body);
    let result = match vendor {
        "weiban" => receive(state.receivers.weiban.as_ref(), |r| r.receive(&request)),
        "tanma" => receive(state.receivers.tanma.as_ref(), |r| r.receive(&request)),
        _ => receive(state.receivers.waiqin.as_ref(), |r| r.receive(&request)),
    };
    match result {
        Err(e) => refused(state, peer, &e),
        Ok(Outcome::Handshake(reply)) => {
            state.counters.handshakes.fetch_add(1, Ordering::Relaxed);
            eprintln!("scrm listen: answered a {vendor} URL verification from {peer}");
            reply
        }
        Ok(Outcome::Event(event, reply)) => store(state, event, reply).await,
    }
}

/// A receiver's result without its vendor's typed payload.
enum Outcome {
    Handshake(PushReply),
    Event(PushEvent, PushReply),
}

fn receive<R, T>(
    receiver: Option<&R>,
    f: impl FnOnce(&R) -> Result<Received<T>, PushError>,
) -> Result<Outcome, PushError> {
    let Some(r) = receiver else {
        return Ok(Outcome::Handshake(text(404, "not served\n".to_owned())));
    };
    Ok(match f(r)? {
        Received::Event(v) => Outcome::Event(v.event, v.reply),
        Received::Handshake(reply) => Outcome::Handshake(reply),
        // `Received` may grow: answer what the receiver says, store nothing.
        other => Outcome::Handshake(other.reply().clone()),
    })
}

fn refused(state: &State, peer: SocketAddr, e: &PushError) -> PushReply {
    state.counters.refused.fetch_add(1, Ordering::Relaxed);
    if state.log_refusals {
        // The message is fixed text from the receiver: no secret, no payload.
        eprintln!("scrm listen: HTTP {} to {peer}: {e}", e.http_status());
    }
    e.reply()
}

/// The JSON line of one event, keys in the documented order.
#[derive(Serialize)]
struct Line<'a> {
    vendor: &'a str,
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    received_at: &'a str,
    event: &'a serde_json::Value,
}

async fn store(state: &State, event: PushEvent, reply: PushReply) -> PushReply {
    let vendor = event.vendor;
    // Another handler may hold the same id (a concurrent redelivery): wait for its outcome
    // for a short while rather than answer "retry" at once.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match state.seen.claim(vendor, &event.id).await {
            Ok(Claim::Seen) => {
                state.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                return reply;
            }
            Ok(Claim::New) => break,
            Ok(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Ok(_) => {
                state.counters.retry.fetch_add(1, Ordering::Relaxed);
                return retry_reply(vendor);
            }
            Err(e) => {
                eprintln!("scrm listen: {vendor} event not stored (deduplication store): {e}");
                state.counters.retry.fetch_add(1, Ordering::Relaxed);
                return retry_reply(vendor);
            }
        }
    }
    let received_at = now_rfc3339();
    let written = write_line(state, &event, &received_at).await;
    let committed = match (written, &state.sink) {
        (Err(e), _) => Err(format!("cannot write the event line: {e}")),
        (Ok(()), Some(sink)) => sink
            .commit(&event, &received_at)
            .await
            .map_err(|e| format!("cannot commit the event: {e}")),
        (Ok(()), None) => Ok(()),
    };
    if let Err(why) = committed {
        eprintln!("scrm listen: {vendor} event not stored, asking for a retry: {why}");
        let _ = state.seen.release(vendor, &event.id).await;
        state.counters.retry.fetch_add(1, Ordering::Relaxed);
        return retry_reply(vendor);
    }
    if let Err(e) = state.seen.complete(vendor, &event.id).await {
        // Written and committed: acknowledge. A redelivery may be written again.
        eprintln!("scrm listen: {vendor} event stored, but not marked as seen: {e}");
    }
    state.counters.written.fetch_add(1, Ordering::Relaxed);
    reply
}

async fn write_line(state: &State, event: &PushEvent, received_at: &str) -> std::io::Result<()> {
    let line = Line {
        vendor: event.vendor,
        id: &event.id,
        event_type: &event.event_type,
        received_at,
        event: &event.payload,
    };
    let mut bytes = serde_json::to_vec(&line).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    state.writer.write(bytes).await
}

/// A line and who waits for it to be written and flushed.
type Job = (Vec<u8>, tokio::sync::oneshot::Sender<std::io::Result<()>>);

/// The writer thread's handle (group commit: every line waiting when the thread wakes is
/// written with one `write` and one flush, then each waiter hears the outcome).
struct LineWriter {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl LineWriter {
    /// At most this many bytes are gathered into one write.
    const BATCH_BYTES: usize = 1 << 20;

    fn start(mut out: Box<dyn Write + Send>) -> Result<Self, String> {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("scrm-listen-writer".into())
            .spawn(move || {
                let mut buf = Vec::new();
                let mut waiters = Vec::new();
                // Ends when the listener (every sender) is gone.
                while let Ok((line, done)) = queue.recv() {
                    buf.extend_from_slice(&line);
                    waiters.push(done);
                    while buf.len() < Self::BATCH_BYTES {
                        match queue.try_recv() {
                            Ok((line, done)) => {
                                buf.extend_from_slice(&line);
                                waiters.push(done);
                            }
                            Err(_) => break,
                        }
                    }
                    let result = out.write_all(&buf).and_then(|()| out.flush());
                    for w in waiters.drain(..) {
                        let r = match &result {
                            Ok(()) => Ok(()),
                            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                        };
                        let _ = w.send(r);
                    }
                    buf.clear();
                }
            })
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        Ok(LineWriter { jobs })
    }

    /// Writes and flushes `line`; returns once it is with the operating system.
    async fn write(&self, line: Vec<u8>) -> std::io::Result<()> {
        let (done, written) = tokio::sync::oneshot::channel();
        self.jobs
            .send((line, done))
            .map_err(|_| std::io::Error::other("the writer thread has stopped"))?;
        written
            .await
            .map_err(|_| std::io::Error::other("the writer thread has stopped"))?
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Waits for Ctrl-C or SIGTERM.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `--db`: the events and the seen ids in the database of `scrm sync`, so duplicates are
/// detected across restarts.
struct DbSink(Arc<scrm_sync::seen::DbSeenStore>);

#[scrm_core::async_trait]
impl EventSink for DbSink {
    async fn commit(&self, event: &PushEvent, received_at: &str) -> Result<(), Error> {
        let json = serde_json::to_string(&event.payload).map_err(|e| {
            Error::new(
                scrm_core::ErrorKind::Decode,
                format!("cannot write the event as JSON: {e}"),
            )
        })?;
        let row = scrm_sync::seen::PushEvent::new(
            event.vendor,
            &event.id,
            &event.event_type,
            received_at,
            &json,
        );
        self.0.record_event(&row).await
    }
}

/// `scrm listen`.
pub async fn run(args: ListenArgs) -> ExitCode {
    // SCRM_REDIS_URL: duplicates detected across processes and restarts, in Redis (also with
    // --db, whose database then keeps the events).
    let redis = match scrm_cli::shared::Shared::seen_store_from_env().await {
        Ok(store) => store,
        Err(scrm_cli::shared::SharedError::Usage(scrm_cli::env::UsageError(message))) => {
            return fail(2, &message);
        }
        Err(scrm_cli::shared::SharedError::Unavailable(message)) => return fail(1, &message),
    };
    let db = match &args.db {
        None => None,
        Some(url) => match scrm_sync::seen::DbSeenStore::connect(url).await {
            Ok(store) => Some(Arc::new(store)),
            Err(e) => {
                let usage = e.kind() == scrm_sync::SyncErrorKind::Usage;
                return fail(if usage { 2 } else { 1 }, &e.to_string());
            }
        },
    };
    let sink = db
        .clone()
        .map(|store| Arc::new(DbSink(store)) as Arc<dyn EventSink>);
    let seen: Arc<dyn SeenStore> = match (redis, db) {
        (Some(redis), _) => redis,
        (None, Some(db)) => db,
        (None, None) => Arc::new(MemorySeenStore::new()),
    };
    let bind: SocketAddr = match args.bind.parse() {
        Ok(a) => a,
        Err(_) => {
            return fail(
                2,
                &format!(
                    "--bind {:?} is not ADDR:PORT (e.g. 127.0.0.1:8787)",
                    args.bind
                ),
            );
        }
    };
    let receivers = match Receivers::from_env() {
        Ok(r) => r,
        Err(message) => return fail(2, &message),
    };
    let out = if args.out == "-" {
        Out::Stdout
    } else {
        Out::File(PathBuf::from(&args.out))
    };
    let served = receivers.served();
    let listener = Listener {
        receivers,
        seen,
        sink,
        out,
        log_refusals: true,
    };
    let running = match listener.start(bind).await {
        Ok(r) => r,
        Err(message) => return fail(1, &message),
    };
    let target = if args.out == "-" {
        "stdout".to_owned()
    } else {
        args.out.clone()
    };
    if served.is_empty() {
        eprintln!(
            "scrm listen: on http://{} serving no vendor (set {}; {}; or {}); events to {target}",
            running.addr,
            WEIBAN_VARS.join(", "),
            TANMA_VARS.join(", "),
            WAIQIN_VARS[0]
        );
    } else {
        let routes: Vec<String> = served
            .iter()
            .map(|v| {
                if *v == "weiban" {
                    "GET+POST /weiban".to_owned()
                } else {
                    format!("POST /{v}")
                }
            })
            .collect();
        eprintln!(
            "scrm listen: on http://{} serving {} ({}); events to {target}; Ctrl-C or SIGTERM stops",
            running.addr,
            served.join(", "),
            routes.join(", ")
        );
    }
    terminated().await;
    eprintln!("scrm listen: stopping (finishing requests in flight)");
    let counters = running.counters.clone();
    running.shutdown().await;
    eprintln!(
        "scrm listen: stopped; {} events written, {} duplicates dropped, {} pushes refused",
        counters.written.load(Ordering::Relaxed),
        counters.duplicates.load(Ordering::Relaxed),
        counters.refused.load(Ordering::Relaxed)
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    use scrm_sandbox::push::{PushKeys, PushVendor, Pusher};

    use super::*;

    /// A sink whose first `fail` commits fail.
    struct FlakySink {
        fail: AtomicUsize,
        committed: Mutex<Vec<String>>,
    }

    #[scrm_core::async_trait]
    impl EventSink for FlakySink {
        async fn commit(&self, event: &PushEvent, _received_at: &str) -> Result<(), Error> {
            if self
                .fail
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(Error::new(scrm_core::ErrorKind::Transport, "database down"));
            }
            self.committed.lock().unwrap().push(event.id.clone());
            Ok(())
        }
    }

    /// Lines written, shared with the test.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn receivers(keys: &PushKeys) -> Receivers {
        Receivers {
            weiban: None,
            tanma: Some(
                scrm_tanma::push::PushReceiver::builder()
                    .app_id(keys.tanma_app_id.as_str())
                    .app_key(keys.tanma_app_key.as_str())
                    .build()
                    .unwrap(),
            ),
            waiqin: Some(
                scrm_waiqin::push::PushReceiver::builder()
                    .push_secret(keys.waiqin_push_secret.as_str())
                    .build()
                    .unwrap(),
            ),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_commit_releases_the_claim_and_asks_for_a_retry() {
        let keys = PushKeys::default();
        let sink = Arc::new(FlakySink {
            fail: AtomicUsize::new(1),
            committed: Mutex::new(Vec::new()),
        });
        let lines = Shared::default();
        let running = Listener {
            receivers: receivers(&keys),
            seen: Arc::new(MemorySeenStore::new()),
            sink: Some(sink.clone()),
            out: Out::Writer(Box::new(lines.clone())),
            log_refusals: false,
        }
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
        let pusher = Pusher::new(&format!("http://{}", running.addr), keys).unwrap();

        // waiqin: the retry answer is {"return_code":1}; tanma: HTTP 503.
        let w = pusher.event(PushVendor::Waiqin, 1, 0).unwrap();
        assert_eq!(
            pusher.send(&w).await.unwrap(),
            (200, br#"{"return_code":1}"#.to_vec())
        );
        // The claim was released: the redelivery is processed and committed.
        let w2 = pusher.event(PushVendor::Waiqin, 1, 1).unwrap();
        assert_eq!(pusher.send(&w2).await.unwrap(), (200, w2.ack.clone()));
        // Now seen: acknowledged, neither written nor committed again.
        assert_eq!(pusher.send(&w2).await.unwrap(), (200, w2.ack.clone()));
        sink.fail.store(1, Ordering::SeqCst);
        let t = pusher.event(PushVendor::Tanma, 5, 0).unwrap();
        assert_eq!(pusher.send(&t).await.unwrap().0, 503);
        assert_eq!(pusher.send(&t).await.unwrap(), (200, t.ack.clone()));

        // 404 for the vendor without secrets, naming its variables.
        let wb = pusher.event(PushVendor::Weiban, 1, 0).unwrap();
        let (status, body) = pusher.send(&wb).await.unwrap();
        assert_eq!(status, 404);
        assert!(String::from_utf8_lossy(&body).contains("SCRM_WEIBAN_CALLBACK_TOKEN"));

        let c = running.counters.clone();
        running.shutdown().await;
        assert_eq!(
            *sink.committed.lock().unwrap(),
            ["wq-00000001", "5"],
            "committed once each"
        );
        // Each line is written (and flushed) before its commit: the failed attempts left a line.
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert_eq!(c.retry.load(Ordering::Relaxed), 2);
        assert_eq!(c.written.load(Ordering::Relaxed), 2);
        assert_eq!(c.duplicates.load(Ordering::Relaxed), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_of_one_event_write_it_once() {
        let keys = PushKeys::default();
        let lines = Shared::default();
        let running = Listener {
            receivers: receivers(&keys),
            seen: Arc::new(MemorySeenStore::new()),
            sink: None,
            out: Out::Writer(Box::new(lines.clone())),
            log_refusals: false,
        }
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
        let pusher = Pusher::new(&format!("http://{}", running.addr), keys).unwrap();
        let push = pusher.event(PushVendor::Waiqin, 9, 0).unwrap();
        let sends = (0..16).map(|_| pusher.send(&push));
        for r in futures::future::join_all(sends).await {
            assert_eq!(r.unwrap(), (200, push.ack.clone()));
        }
        running.shutdown().await;
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
    }
}
