//! Fault-injection knobs and the request/fault counters.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::data::{Op, Vendor};
use crate::doubles as ops;

/// Most requests the log keeps per vendor (the oldest are dropped beyond it).
pub const REQUEST_LOG_CAP: usize = 200_000;

/// One request received, for rate tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestTime {
    /// Milliseconds since the sandbox started (monotonic clock).
    pub at_ms: u64,
    /// A data request (false: a token request).
    pub data: bool,
    /// Answered throttled (HTTP 429 by the rate limit).
    pub throttled: bool,
}

/// The log of the requests one vendor received, oldest first (at most [`REQUEST_LOG_CAP`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestTimes {
    /// Every request routed to the vendor's operations and token endpoint.
    pub entries: Vec<RequestTime>,
}

impl RequestTimes {
    /// Timestamps (ms) of the data requests.
    pub fn data_ms(&self) -> Vec<u64> {
        self.entries
            .iter()
            .filter(|e| e.data)
            .map(|e| e.at_ms)
            .collect()
    }

    /// The largest number of data requests received within any window of `window_ms`
    /// milliseconds (a sliding window: requests at `t` and `t + window_ms - 1` share one).
    ///
    /// ```
    /// use scrm_sandbox::{RequestTime, RequestTimes};
    /// let at = |ms| RequestTime { at_ms: ms, data: true, throttled: false };
    /// let log = RequestTimes { entries: vec![at(0), at(400), at(999), at(1000), at(1999)] };
    /// assert_eq!(log.max_in_window(1000), 3); // 0, 400, 999 (and 1000, 1999 with 999)
    /// ```
    pub fn max_in_window(&self, window_ms: u64) -> usize {
        self.max_in_window_of(window_ms, false)
    }

    /// [`RequestTimes::max_in_window`] counting token requests too when `include_tokens`
    /// (the sandbox's rate limit counts them).
    pub fn max_in_window_of(&self, window_ms: u64, include_tokens: bool) -> usize {
        let t: Vec<u64> = self
            .entries
            .iter()
            .filter(|e| e.data || include_tokens)
            .map(|e| e.at_ms)
            .collect();
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..t.len() {
            while t[hi].saturating_sub(t[lo]) >= window_ms {
                lo += 1;
            }
            best = best.max(hi + 1 - lo);
        }
        best
    }

    /// The largest number of data requests in any sliding one-second window.
    pub fn max_per_second(&self) -> usize {
        self.max_in_window(1000)
    }

    /// Data requests answered throttled.
    pub fn throttled(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.data && e.throttled)
            .count()
    }

    /// Data requests received.
    pub fn data_requests(&self) -> usize {
        self.entries.iter().filter(|e| e.data).count()
    }
}

/// Fault-injection knobs of one vendor. All faults are deterministic ("every Nth"), so a test
/// knows exactly which request fails. `Faults::default()` injects nothing.
///
/// Order of evaluation for a request: rate limit → latency → (data operations only) server
/// error / dropped connection → authentication → early token invalidation → handler → empty page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faults {
    /// Every Nth data-operation request (counted per vendor, from 1, since the last
    /// `set_faults`) is answered with HTTP [`Faults::server_error_status`] and an nginx HTML
    /// page. `Some(1)` fails every request.
    pub server_error_every: Option<u64>,
    /// Status of injected server errors (default 502).
    pub server_error_status: u16,
    /// Every Nth data-operation request (same count as `server_error_every`, which wins when
    /// both hit) has its connection closed without any response.
    pub drop_every: Option<u64>,
    /// Delay added before answering every request of the vendor (token requests included).
    pub latency: Duration,
    /// Every Nth page that would contain records is answered successfully but empty (weiban
    /// `result: []` with the true `total`; wshoto `records: []`; waiqin `[]`; tanma clue list
    /// `list: []` with `nextCursor` repeating the request's cursor; tanma files `result: []`).
    pub empty_page_every: Option<u64>,
    /// wshoto / weiban: after N successful uses of a token, revoke it; the next use is
    /// answered with the vendor's token-invalid code and a new token must be fetched.
    pub invalidate_token_every: Option<u64>,
    /// Requests per second per vendor (fixed one-second windows, token requests included);
    /// beyond it: HTTP 429, `Retry-After: 1`, the vendor's envelope with its "too frequent" code.
    pub rate_limit_per_sec: Option<u32>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            server_error_every: None,
            server_error_status: 502,
            drop_every: None,
            latency: Duration::ZERO,
            empty_page_every: None,
            invalidate_token_every: None,
            rate_limit_per_sec: None,
        }
    }
}

impl Faults {
    /// No faults (same as `Default`).
    pub fn none() -> Self {
        Self::default()
    }
}

/// Faults injected, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// HTML 5xx answers.
    pub server_errors: u64,
    /// Connections closed without a response.
    pub dropped: u64,
    /// Requests delayed by `latency`.
    pub delayed: u64,
    /// Empty pages served before the end.
    pub empty_pages: u64,
    /// Tokens revoked early.
    pub tokens_invalidated: u64,
}

/// Counters of one vendor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VendorStats {
    /// HTTP requests routed to this vendor (all outcomes).
    pub requests: u64,
    /// Successful answers (code 0), token issues included.
    pub ok: u64,
    /// Tokens issued (wshoto, weiban), re-issues of a still valid token included.
    pub tokens_issued: u64,
    /// Requests rejected for an unknown, expired or revoked token.
    pub token_rejections: u64,
    /// Token requests rejected for wrong credentials.
    pub credential_rejections: u64,
    /// Requests rejected for a bad digest/signature or unknown openid/appId (waiqin, tanma).
    pub signature_rejections: u64,
    /// Requests rejected for a timestamp outside the window (waiqin, tanma).
    pub timestamp_rejections: u64,
    /// Requests rejected for bad parameters or body.
    pub param_errors: u64,
    /// Requests answered 429 by the rate limit.
    pub throttled: u64,
    /// Requests to an unknown path or with a wrong method under this vendor's prefix.
    pub not_found: u64,
    /// Records served in successful pages.
    pub records: u64,
    /// Faults injected.
    pub faults: FaultStats,
}

/// Counters of one operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpStats {
    /// Requests for this operation that reached the fault stage (all outcomes after it).
    pub requests: u64,
    /// Successful answers.
    pub ok: u64,
    /// Records served.
    pub records: u64,
}

/// A snapshot of the counters, from [`crate::Sandbox::stats`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// wshoto counters.
    pub wshoto: VendorStats,
    /// weiban counters.
    pub weiban: VendorStats,
    /// waiqin counters.
    pub waiqin: VendorStats,
    /// tanma counters.
    pub tanma: VendorStats,
    /// Requests to paths no vendor serves.
    pub unrouted: u64,
    ops: Vec<OpStats>,
    request_times: [RequestTimes; 4],
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            wshoto: VendorStats::default(),
            weiban: VendorStats::default(),
            waiqin: VendorStats::default(),
            tanma: VendorStats::default(),
            unrouted: 0,
            ops: vec![OpStats::default(); ops::OPS.len()],
            request_times: Default::default(),
        }
    }
}

static NO_OP_STATS: OpStats = OpStats {
    requests: 0,
    ok: 0,
    records: 0,
};

impl Stats {
    /// Counters of one vendor.
    pub fn vendor(&self, v: Vendor) -> &VendorStats {
        match v {
            Vendor::Wshoto => &self.wshoto,
            Vendor::Weiban => &self.weiban,
            Vendor::Waiqin => &self.waiqin,
            Vendor::Tanma => &self.tanma,
        }
    }

    /// Counters of one seed operation.
    pub fn op(&self, op: Op) -> &OpStats {
        self.ops.get(op.idx()).unwrap_or(&NO_OP_STATS)
    }

    /// Counters of `vendor`'s operation `op` (CLI name, see [`crate::Dataset::operations`]).
    pub fn operation(&self, vendor: &str, op: &str) -> Option<&OpStats> {
        let d = ops::find(vendor, op)?;
        Some(self.ops.get(ops::index_of(d)).unwrap_or(&NO_OP_STATS))
    }

    /// The log of the requests `vendor` received (monotonic milliseconds; data or token;
    /// throttled or not), for rate tests: see [`RequestTimes::max_per_second`].
    pub fn request_times(&self, v: Vendor) -> &RequestTimes {
        &self.request_times[v.idx()]
    }

    /// Requests over all vendors (unrouted ones included).
    pub fn total_requests(&self) -> u64 {
        Vendor::ALL
            .iter()
            .map(|&v| self.vendor(v).requests)
            .sum::<u64>()
            + self.unrouted
    }
}

/// Internal counter slots of a vendor.
#[derive(Clone, Copy, Debug)]
pub(crate) enum C {
    Requests,
    Ok,
    TokensIssued,
    TokenRejections,
    CredentialRejections,
    SignatureRejections,
    TimestampRejections,
    ParamErrors,
    Throttled,
    NotFound,
    Records,
    ServerErrors,
    Dropped,
    Delayed,
    EmptyPages,
    TokensInvalidated,
}
const NC: usize = 16;

#[derive(Debug)]
pub(crate) struct Counters {
    v: [[AtomicU64; NC]; 4],
    ops: Vec<[AtomicU64; 3]>,
    unrouted: AtomicU64,
    start: Instant,
    log: [Mutex<std::collections::VecDeque<RequestTime>>; 4],
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            v: Default::default(),
            ops: (0..ops::OPS.len()).map(|_| Default::default()).collect(),
            unrouted: AtomicU64::new(0),
            start: Instant::now(),
            log: Default::default(),
        }
    }
}

impl Counters {
    pub(crate) fn add(&self, v: Vendor, c: C, n: u64) {
        self.v[v.idx()][c as usize].fetch_add(n, Ordering::Relaxed);
    }
    pub(crate) fn inc(&self, v: Vendor, c: C) {
        self.add(v, c, 1);
    }
    pub(crate) fn op_request(&self, op: usize) {
        if let Some(o) = self.ops.get(op) {
            o[0].fetch_add(1, Ordering::Relaxed);
        }
    }
    pub(crate) fn op_ok(&self, op: usize, v: Vendor, records: u64) {
        if let Some(o) = self.ops.get(op) {
            o[1].fetch_add(1, Ordering::Relaxed);
            o[2].fetch_add(records, Ordering::Relaxed);
        }
        self.add(v, C::Records, records);
        self.inc(v, C::Ok);
    }
    pub(crate) fn request_times(&self, v: Vendor) -> RequestTimes {
        RequestTimes {
            entries: self.log[v.idx()]
                .lock()
                .map(|l| l.iter().copied().collect())
                .unwrap_or_default(),
        }
    }
    pub(crate) fn log_request(&self, v: Vendor, data: bool, throttled: bool) {
        let at_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Ok(mut log) = self.log[v.idx()].lock() {
            if log.len() >= REQUEST_LOG_CAP {
                log.pop_front();
            }
            log.push_back(RequestTime {
                at_ms,
                data,
                throttled,
            });
        }
    }
    pub(crate) fn unrouted(&self) {
        self.unrouted.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let g = |v: Vendor, c: C| self.v[v.idx()][c as usize].load(Ordering::Relaxed);
        let vs = |v: Vendor| VendorStats {
            requests: g(v, C::Requests),
            ok: g(v, C::Ok),
            tokens_issued: g(v, C::TokensIssued),
            token_rejections: g(v, C::TokenRejections),
            credential_rejections: g(v, C::CredentialRejections),
            signature_rejections: g(v, C::SignatureRejections),
            timestamp_rejections: g(v, C::TimestampRejections),
            param_errors: g(v, C::ParamErrors),
            throttled: g(v, C::Throttled),
            not_found: g(v, C::NotFound),
            records: g(v, C::Records),
            faults: FaultStats {
                server_errors: g(v, C::ServerErrors),
                dropped: g(v, C::Dropped),
                delayed: g(v, C::Delayed),
                empty_pages: g(v, C::EmptyPages),
                tokens_invalidated: g(v, C::TokensInvalidated),
            },
        };
        let ops = self
            .ops
            .iter()
            .map(|o| OpStats {
                requests: o[0].load(Ordering::Relaxed),
                ok: o[1].load(Ordering::Relaxed),
                records: o[2].load(Ordering::Relaxed),
            })
            .collect();
        let log = |v: Vendor| self.request_times(v);
        Stats {
            wshoto: vs(Vendor::Wshoto),
            weiban: vs(Vendor::Weiban),
            waiqin: vs(Vendor::Waiqin),
            tanma: vs(Vendor::Tanma),
            unrouted: self.unrouted.load(Ordering::Relaxed),
            ops,
            request_times: [
                log(Vendor::Wshoto),
                log(Vendor::Weiban),
                log(Vendor::Waiqin),
                log(Vendor::Tanma),
            ],
        }
    }

    pub(crate) fn reset(&self) {
        for row in &self.v {
            for c in row {
                c.store(0, Ordering::Relaxed);
            }
        }
        for row in &self.ops {
            for c in row {
                c.store(0, Ordering::Relaxed);
            }
        }
        self.unrouted.store(0, Ordering::Relaxed);
        for l in &self.log {
            if let Ok(mut l) = l.lock() {
                l.clear();
            }
        }
    }
}

/// What the fault stage decided for a data-operation request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Injected {
    None,
    ServerError(u16),
    Drop,
}

/// Per-vendor fault state: the knobs and the sequence counters behind "every Nth".
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Mutex<Faults>,
    seq: AtomicU64,
    page_seq: AtomicU64,
    window: Mutex<(Instant, u32)>,
}

impl FaultState {
    pub(crate) fn new(f: Faults) -> Self {
        Self {
            faults: Mutex::new(f),
            seq: AtomicU64::new(0),
            page_seq: AtomicU64::new(0),
            window: Mutex::new((Instant::now(), 0)),
        }
    }

    pub(crate) fn get(&self) -> Faults {
        self.faults.lock().map(|f| *f).unwrap_or_default()
    }

    pub(crate) fn set(&self, f: Faults) {
        if let Ok(mut g) = self.faults.lock() {
            *g = f;
        }
        self.seq.store(0, Ordering::Relaxed);
        self.page_seq.store(0, Ordering::Relaxed);
        if let Ok(mut w) = self.window.lock() {
            *w = (Instant::now(), 0);
        }
    }

    /// Whether this request exceeds the rate limit.
    pub(crate) fn over_rate(&self, f: &Faults) -> bool {
        let Some(limit) = f.rate_limit_per_sec else {
            return false;
        };
        let Ok(mut w) = self.window.lock() else {
            return false;
        };
        let now = Instant::now();
        if now.duration_since(w.0) >= Duration::from_secs(1) {
            *w = (now, 0);
        }
        w.1 = w.1.saturating_add(1);
        w.1 > limit
    }

    /// The server-error / dropped-connection decision for the next data request.
    pub(crate) fn next_injection(&self, f: &Faults) -> Injected {
        if f.server_error_every.is_none() && f.drop_every.is_none() {
            return Injected::None;
        }
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        if f.server_error_every
            .is_some_and(|k| k > 0 && n.is_multiple_of(k))
        {
            Injected::ServerError(f.server_error_status)
        } else if f.drop_every.is_some_and(|k| k > 0 && n.is_multiple_of(k)) {
            Injected::Drop
        } else {
            Injected::None
        }
    }

    /// Whether the next non-empty page should be served empty.
    pub(crate) fn empty_page(&self) -> bool {
        let f = self.get();
        let Some(k) = f.empty_page_every.filter(|&k| k > 0) else {
            return false;
        };
        (self.page_seq.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(k)
    }
}

/// The nginx-style HTML page of an injected server error.
pub(crate) fn html_error_page(status: u16) -> String {
    let reason = match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "Error",
    };
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}
