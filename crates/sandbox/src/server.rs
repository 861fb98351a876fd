//! The shared state, the token store, the router and the hyper accept loop.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::data::{Dataset, Vendor};
use crate::doubles as ops;
use crate::engine::{self, OpDecl, Rej};
use crate::faults::{C, Counters, FaultState, Injected, html_error_page};
use crate::util::{json_object, mix, query_pairs, unix_now};
use crate::{SandboxConfig, tanma, waiqin, weiban, wshoto};

const MAX_BODY: usize = 8 << 20;

/// An answer before it becomes an HTTP response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) html: bool,
    pub(crate) retry_after: bool,
}

impl Reply {
    pub(crate) fn json(body: String) -> Self {
        Self {
            status: 200,
            body,
            html: false,
            retry_after: false,
        }
    }

    pub(crate) fn throttled(body: String) -> Self {
        Self {
            status: 429,
            body,
            html: false,
            retry_after: true,
        }
    }

    fn plain(status: u16, body: &str) -> Self {
        Self {
            status,
            body: body.to_owned(),
            html: false,
            retry_after: false,
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let ctype = if self.html {
            "text/html"
        } else if self.status == 404 || self.status == 405 || self.status == 413 {
            "text/plain; charset=utf-8"
        } else {
            "application/json; charset=utf-8"
        };
        let mut b = Response::builder()
            .status(self.status)
            .header("content-type", ctype)
            .header("server", if self.html { "nginx" } else { "scrm-sandbox" });
        if self.retry_after {
            b = b.header("retry-after", "1");
        }
        match b.body(Full::new(Bytes::from(self.body))) {
            Ok(r) => r,
            Err(_) => Response::new(Full::new(Bytes::new())),
        }
    }
}

/// Result of checking an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Valid,
    /// Unknown (or superseded) token.
    Invalid,
    /// The current token, past its TTL.
    Expired,
    /// The current token, revoked early by the `invalidate_token_every` knob.
    Revoked,
}

#[derive(Debug)]
struct Token {
    value: String,
    expires: Instant,
    created_unix: i64,
    uses: u64,
}

#[derive(Debug, Default)]
struct TokenSlot {
    current: Option<Token>,
    revoked: Option<String>,
    generation: u64,
}

/// An issued token as the token endpoints report it.
pub(crate) struct Issued {
    pub(crate) token: String,
    pub(crate) expires_in: u64,
    pub(crate) create_at: i64,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct State {
    /// Arrival log, while `recording` is on.
    pub(crate) log: Mutex<Vec<crate::RequestRecord>>,
    pub(crate) recording: std::sync::atomic::AtomicBool,
    pub(crate) started: Instant,
    pub(crate) config: SandboxConfig,
    pub(crate) dataset: Dataset,
    pub(crate) faults: [FaultState; 4],
    pub(crate) counters: Counters,
    tokens: [Mutex<TokenSlot>; 2],
    nonce: u64,
}

impl State {
    pub(crate) fn new(config: SandboxConfig) -> Self {
        let mut dataset = Dataset::new(config.seed, config.records);
        dataset.tanma_files_newest_first = config.tanma_files_newest_first;
        let f = config.faults;
        let nonce = mix(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64));
        Self {
            dataset,
            faults: [
                FaultState::new(f),
                FaultState::new(f),
                FaultState::new(f),
                FaultState::new(f),
            ],
            counters: Counters::default(),
            tokens: [
                Mutex::new(TokenSlot::default()),
                Mutex::new(TokenSlot::default()),
            ],
            nonce,
            config,
            log: Mutex::new(Vec::new()),
            recording: std::sync::atomic::AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    fn slot(&self, v: Vendor) -> Option<&Mutex<TokenSlot>> {
        match v {
            Vendor::Wshoto => Some(&self.tokens[0]),
            Vendor::Weiban => Some(&self.tokens[1]),
            _ => None,
        }
    }

    pub(crate) fn fault(&self, v: Vendor) -> &FaultState {
        &self.faults[v.idx()]
    }

    /// Issues a token, or returns the current one while it is valid.
    pub(crate) fn issue_token(&self, v: Vendor) -> Issued {
        let ttl = self.config.token_ttl;
        let now = Instant::now();
        let fallback = || Issued {
            token: String::new(),
            expires_in: 0,
            create_at: unix_now(),
        };
        let Some(slot) = self.slot(v) else {
            return fallback();
        };
        let Ok(mut slot) = slot.lock() else {
            return fallback();
        };
        if let Some(t) = &slot.current
            && t.expires > now
        {
            let left = t.expires.duration_since(now);
            return Issued {
                token: t.value.clone(),
                expires_in: left.as_secs() + u64::from(left.subsec_nanos() > 0),
                create_at: t.created_unix,
            };
        }
        slot.generation += 1;
        let mut h = Sha256::new();
        h.update(self.config.seed.to_le_bytes());
        h.update(self.nonce.to_le_bytes());
        h.update([v as u8]);
        h.update(slot.generation.to_le_bytes());
        let value = match v {
            Vendor::Wshoto => format!("ws{}", hex::encode(h.finalize())),
            _ => hex::encode(h.finalize()),
        };
        let t = Token {
            value: value.clone(),
            expires: now + ttl,
            created_unix: unix_now(),
            uses: 0,
        };
        let create_at = t.created_unix;
        slot.current = Some(t);
        Issued {
            token: value,
            expires_in: ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0),
            create_at,
        }
    }

    /// Checks (and counts a use of) a token; applies the early-invalidation knob.
    pub(crate) fn check_token(&self, v: Vendor, token: &str) -> TokenCheck {
        let Some(slot) = self.slot(v) else {
            return TokenCheck::Invalid;
        };
        let Ok(mut slot) = slot.lock() else {
            return TokenCheck::Invalid;
        };
        if token.is_empty() {
            return TokenCheck::Invalid;
        }
        if slot.revoked.as_deref() == Some(token) {
            return TokenCheck::Revoked;
        }
        let every = self.fault(v).get().invalidate_token_every;
        let Some(t) = slot.current.as_mut().filter(|t| t.value == token) else {
            return TokenCheck::Invalid;
        };
        if Instant::now() >= t.expires {
            return TokenCheck::Expired;
        }
        if let Some(n) = every
            && t.uses >= n
        {
            slot.revoked = Some(token.to_owned());
            slot.current = None;
            self.counters.inc(v, C::TokensInvalidated);
            return TokenCheck::Revoked;
        }
        t.uses += 1;
        TokenCheck::Valid
    }

    /// Makes every current token expired now.
    pub(crate) fn expire_tokens(&self) {
        for s in &self.tokens {
            if let Ok(mut s) = s.lock()
                && let Some(t) = s.current.as_mut()
            {
                t.expires = Instant::now();
            }
        }
    }

    /// Revokes every current token.
    pub(crate) fn revoke_tokens(&self) {
        for s in &self.tokens {
            if let Ok(mut s) = s.lock()
                && let Some(t) = s.current.take()
            {
                s.revoked = Some(t.value);
            }
        }
    }

    /// Serves an empty page instead of a non-empty one? Counts the fault.
    pub(crate) fn empty_page(&self, v: Vendor) -> bool {
        let e = self.fault(v).empty_page();
        if e {
            self.counters.inc(v, C::EmptyPages);
        }
        e
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("injected dropped connection")
    }
}

impl std::error::Error for DropConnection {}

/// What a path addresses.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// The token endpoint of wshoto (GET) or weiban (POST).
    Token,
    /// A declared operation.
    Op(&'static OpDecl),
    /// A waiqin path whose interface the sandbox does not serve (answered after the signature
    /// checks, as the vendor's gateway would).
    WaiqinUnknown,
}

fn route(path: &str) -> Option<(Vendor, Option<Target>)> {
    let vendor = match path {
        "/openapi/access_token" => return Some((Vendor::Wshoto, Some(Target::Token))),
        "/open-api/access_token/get" => return Some((Vendor::Weiban, Some(Target::Token))),
        p if p.starts_with("/openapi/") => Vendor::Wshoto,
        p if p.starts_with("/open-api/") => Vendor::Weiban,
        p if p.starts_with("/api/v3/") || p == "/api/v2/customer/qw-details" => Vendor::Tanma,
        p if p.starts_with("/api/") => Vendor::Waiqin,
        _ => return None,
    };
    match ops::route(vendor, path) {
        Some(d) => Some((vendor, Some(Target::Op(d)))),
        None if vendor == Vendor::Waiqin => Some((vendor, Some(Target::WaiqinUnknown))),
        None => Some((vendor, None)),
    }
}

fn target_method(vendor: Vendor, t: Target) -> Method {
    match t {
        Target::Token if vendor == Vendor::Wshoto => Method::GET,
        Target::Token | Target::WaiqinUnknown => Method::POST,
        Target::Op(d) => match d.method {
            engine::Method::Get => Method::GET,
            engine::Method::Post => Method::POST,
        },
    }
}

fn too_frequent(v: Vendor) -> Reply {
    match v {
        Vendor::Wshoto => wshoto::too_frequent(),
        Vendor::Weiban => weiban::too_frequent(),
        Vendor::Waiqin => waiqin::too_frequent(),
        Vendor::Tanma => tanma::too_frequent(),
    }
}

fn header(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The request fields of a GET operation: its query parameters (strings), token excluded.
fn query_object(pairs: &[(String, String)]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        if k != "access_token" && !m.contains_key(k) {
            m.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::Value::Object(m)
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let path = req.uri().path().to_owned();
    let Some((vendor, target)) = route(&path) else {
        state.counters.unrouted();
        return Ok(Reply::plain(404, "not found").into_response());
    };
    let c = &state.counters;
    c.inc(vendor, C::Requests);
    let data = !matches!(target, Some(Target::Token));
    let arrived = Instant::now();
    let faults = state.fault(vendor).get();
    let throttled = state.fault(vendor).over_rate(&faults);
    if target.is_some() {
        c.log_request(vendor, data, throttled);
    }
    if state.recording.load(std::sync::atomic::Ordering::Relaxed)
        && let Ok(mut log) = state.log.lock()
    {
        log.push(crate::RequestRecord {
            vendor,
            at: arrived.duration_since(state.started),
            token: !data,
            throttled,
        });
    }
    if throttled {
        c.inc(vendor, C::Throttled);
        return Ok(too_frequent(vendor).into_response());
    }
    if !faults.latency.is_zero() {
        c.inc(vendor, C::Delayed);
        tokio::time::sleep(faults.latency).await;
    }
    let Some(target) = target else {
        c.inc(vendor, C::NotFound);
        return Ok(Reply::plain(404, "not found").into_response());
    };
    if req.method() != target_method(vendor, target) {
        c.inc(vendor, C::NotFound);
        return Ok(Reply::plain(405, "method not allowed").into_response());
    }
    let query = req.uri().query().unwrap_or("").to_owned();
    let tanma_headers = if vendor == Vendor::Tanma {
        Some(tanma::SignHeaders {
            app_id: header(&req, "appid"),
            timestamp: header(&req, "timestamp"),
            sign: header(&req, "sign"),
        })
    } else {
        None
    };
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            c.inc(vendor, C::ParamErrors);
            return Ok(Reply::plain(413, "body too large or unreadable").into_response());
        }
    };
    if data {
        if let Target::Op(d) = target {
            c.op_request(ops::index_of(d));
        }
        match state.fault(vendor).next_injection(&faults) {
            Injected::None => {}
            Injected::ServerError(status) => {
                c.inc(vendor, C::ServerErrors);
                let status = if (500..600).contains(&status) {
                    status
                } else {
                    502
                };
                return Ok(Reply {
                    status,
                    body: html_error_page(status),
                    html: true,
                    retry_after: false,
                }
                .into_response());
            }
            Injected::Drop => {
                c.inc(vendor, C::Dropped);
                return Err(DropConnection);
            }
        }
    }
    let st = &*state;
    let reply = match target {
        Target::Token => match vendor {
            Vendor::Wshoto => wshoto::token(st, &query),
            _ => weiban::token(st, &body),
        },
        Target::WaiqinUnknown => match waiqin::authenticate(st, &path, &body) {
            Ok(msg_id) => waiqin::unknown_api(st, msg_id),
            Err(r) => r,
        },
        Target::Op(d) => serve_op(st, d, &path, &query, tanma_headers.as_ref(), &body),
    };
    Ok(reply.into_response())
}

/// Authenticates a data request the vendor's way, parses its fields and serves it.
fn serve_op(
    st: &State,
    d: &'static OpDecl,
    path: &str,
    query: &str,
    tanma_headers: Option<&tanma::SignHeaders>,
    body: &[u8],
) -> Reply {
    let pairs = query_pairs(query);
    let mut msg_id = "";
    let auth = match d.vendor {
        Vendor::Wshoto => wshoto::authenticate(st, &pairs),
        Vendor::Weiban => weiban::authenticate(st, &pairs),
        Vendor::Waiqin => waiqin::authenticate(st, path, body).map(|m| msg_id = m),
        Vendor::Tanma => tanma::authenticate(st, tanma_headers, body),
    };
    if let Err(r) = auth {
        return r;
    }
    let rejected = |rej: &Rej| match d.vendor {
        Vendor::Wshoto => wshoto::rejected(st, rej),
        Vendor::Weiban => weiban::rejected(st, rej),
        Vendor::Waiqin => waiqin::rejected(st, rej, msg_id),
        Vendor::Tanma => tanma::rejected(st, rej),
    };
    let request = match d.method {
        engine::Method::Get => query_object(&pairs),
        engine::Method::Post => match json_object(body) {
            Ok(v) => v,
            Err(e) => return rejected(&Rej::param(e)),
        },
    };
    match engine::serve(st, d, &request, msg_id) {
        Ok(served) => {
            st.counters
                .op_ok(ops::index_of(d), d.vendor, served.records as u64);
            Reply::json(served.body)
        }
        Err(rej) => rejected(&rej),
    }
}

/// Accepts connections until `shutdown` changes or its sender is dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let state = state.clone();
                    let mut stop = shutdown.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| handle(state.clone(), req));
                        let conn = http1::Builder::new()
                            .keep_alive(true)
                            .serve_connection(TokioIo::new(stream), svc);
                        tokio::select! {
                            _ = conn => {}
                            _ = stop.changed() => {}
                        }
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            _ = shutdown.changed() => break,
        }
    }
}
