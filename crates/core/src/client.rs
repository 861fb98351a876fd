//! The request pipeline: typed request → bytes → signed → sent → envelope → typed payload.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http::HeaderValue;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use tokio::time::Instant;
use tracing::Instrument;

use crate::clock::{Clock, SystemClock};
use crate::operation::{Encoding, Operation, Route, Vendor, looks_like_json};
use crate::paging::{Items, PageOptions, PageSource, Paged, Pages};
use crate::ratelimit::{RateBudget, RateLimit, RateLimiter};
use crate::retry::{Next, RetryPolicy, RetryState};
use crate::secret::{Secret, scrub};
use crate::sign::{SignContext, SignReceipt, Signer};
use crate::transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport, Url};
use crate::{Error, ErrorKind};

/// Settings shared by every vendor client. Vendor builders implement [`Configure`] over it.
#[derive(Clone)]
pub struct ClientOptions {
    base_url: String,
    retry: RetryPolicy,
    rate_limit: RateLimit,
    connect_timeout: Duration,
    request_timeout: Duration,
    transport: Option<Arc<dyn Transport>>,
    clock: Arc<dyn Clock>,
    allow_insecure_http: bool,
    paging: PageOptions,
    rate_budget: Option<Arc<dyn RateBudget>>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("custom_transport", &self.transport.is_some())
            .field("paging", &self.paging)
            .field("shared_rate_budget", &self.rate_budget.is_some())
            .finish()
    }
}

impl ClientOptions {
    /// Options with a vendor's default base URL and rate limit.
    pub fn new(default_base_url: impl Into<String>, default_rate_limit: RateLimit) -> Self {
        ClientOptions {
            base_url: default_base_url.into(),
            retry: RetryPolicy::default(),
            rate_limit: default_rate_limit,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            transport: None,
            clock: Arc::new(SystemClock),
            allow_insecure_http: false,
            paging: PageOptions::default(),
            rate_budget: None,
        }
    }

    /// The clock in effect (signers and token caches take it from here).
    pub fn current_clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The base URL as configured.
    pub fn configured_base_url(&self) -> &str {
        &self.base_url
    }

    /// The validated base URL, without a trailing slash.
    pub fn checked_base_url(&self) -> Result<String, Error> {
        check_base_url(&self.base_url, self.allow_insecure_http)
    }

    /// Builds the client for `vendor` with `signer`.
    #[doc(hidden)]
    pub fn build<V: Vendor>(self, vendor: V, signer: Arc<dyn Signer>) -> Result<Client<V>, Error> {
        let base_url = self
            .checked_base_url()
            .map_err(|e| e.with_vendor(V::NAME))?;
        let transport: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::builder()
                    .connect_timeout(self.connect_timeout)
                    .request_timeout(self.request_timeout)
                    .build()?,
            ),
        };
        let fixed_secrets = signer.secrets();
        Ok(Client {
            inner: Arc::new(Inner {
                vendor,
                base_url,
                transport,
                signer,
                fixed_secrets,
                retry: self.retry,
                limiter: match self.rate_budget {
                    Some(budget) => RateLimiter::with_budget(self.rate_limit, budget),
                    None => RateLimiter::new(self.rate_limit),
                },
                paging: self.paging,
                counters: Counters::default(),
            }),
        })
    }
}

fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let bad = |why: String| Error::new(ErrorKind::Config, format!("invalid base URL: {why}"));
    let url = Url::parse(raw).map_err(|e| bad(format!("{e}")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not carry a query or fragment".into()));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if !loopback && !allow_insecure_http {
                return Err(bad(format!(
                    "plain http:// is accepted only for loopback hosts (got host {:?}); use https://",
                    url.host_str().unwrap_or("")
                )));
            }
        }
        other => return Err(bad(format!("unsupported scheme {other:?}"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Setters shared by every vendor client builder.
///
/// ```
/// use scrm_core::{ClientOptions, Configure, RateLimit};
/// let options = ClientOptions::new("https://open.example.com", RateLimit::new(5.0, 4))
///     .base_url("http://127.0.0.1:8080")
///     .max_attempts(5)
///     .requests_per_second(2.0);
/// assert_eq!(options.configured_base_url(), "http://127.0.0.1:8080");
/// ```
pub trait Configure: Sized {
    /// The options being configured (for implementing the trait on a builder; not part of the
    /// settings API).
    #[doc(hidden)]
    fn options_mut(&mut self) -> &mut ClientOptions;

    /// Everything before the documented path, e.g. `https://open.wshoto.com` or
    /// `http://127.0.0.1:8080`. Plain `http://` is accepted only for loopback hosts.
    fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options_mut().base_url = url.into();
        self
    }

    /// Accept plain `http://` base URLs on non-loopback hosts (credentials travel in clear).
    fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.options_mut().allow_insecure_http = allow;
        self
    }

    /// The whole retry policy.
    fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options_mut().retry = policy;
        self
    }

    /// Attempts per call, the first included (default 3).
    fn max_attempts(mut self, attempts: u32) -> Self {
        let o = self.options_mut();
        o.retry = o.retry.clone().max_attempts(attempts);
        self
    }

    /// The whole rate limit.
    fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.options_mut().rate_limit = limit;
        self
    }

    /// Requests per second for this credential (`0` for no limit).
    fn requests_per_second(mut self, rps: f64) -> Self {
        let o = self.options_mut();
        o.rate_limit = RateLimit::new(rps, o.rate_limit.max_concurrent());
        self
    }

    /// Requests in flight at once for this credential.
    fn max_concurrent(mut self, n: usize) -> Self {
        let o = self.options_mut();
        o.rate_limit = RateLimit::new(o.rate_limit.requests_per_second(), n);
        self
    }

    /// Share the request rate with other processes using the same credential: request starts
    /// are spaced by `budget` (e.g. `scrm-redis`'s), so all of them together stay within the
    /// configured [`requests_per_second`](Configure::requests_per_second). Concurrency stays
    /// per process. Default: this client spaces its own requests.
    fn rate_budget(mut self, budget: Arc<dyn RateBudget>) -> Self {
        self.options_mut().rate_budget = Some(budget);
        self
    }

    /// Time allowed to open a connection (default 10 s; default transport only).
    fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().connect_timeout = timeout;
        self
    }

    /// Time allowed for one request (default 60 s; default transport only).
    fn request_timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().request_timeout = timeout;
        self
    }

    /// A transport of your own instead of reqwest.
    fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.options_mut().transport = Some(transport);
        self
    }

    /// The clock used for signatures and token expiry.
    fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.options_mut().clock = clock;
        self
    }

    /// Defaults for page streams (page cap, empty-page retries, drift policy, concurrency).
    fn page_options(mut self, options: PageOptions) -> Self {
        self.options_mut().paging = options;
        self
    }
}

impl Configure for ClientOptions {
    fn options_mut(&mut self) -> &mut ClientOptions {
        self
    }
}

/// A vendor client: one credential, one rate limiter, one token cache. Cheap to clone; clones
/// share all of it, so clone rather than build a second client for the same credential.
pub struct Client<V: Vendor> {
    inner: Arc<Inner<V>>,
}

impl<V: Vendor> Clone for Client<V> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
        }
    }
}

impl<V: Vendor> fmt::Debug for Client<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("vendor", &V::NAME)
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

struct Inner<V> {
    vendor: V,
    base_url: String,
    transport: Arc<dyn Transport>,
    signer: Arc<dyn Signer>,
    /// The signer's long-lived secrets, scrubbed from every error.
    fixed_secrets: Vec<Secret>,
    retry: RetryPolicy,
    limiter: RateLimiter,
    paging: PageOptions,
    counters: Counters,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    token_refreshes: AtomicU64,
    failed_calls: AtomicU64,
}

/// What a client has done so far (all clones of a client share these counters).
///
/// ```
/// # use scrm_core::ClientStats;
/// let stats = ClientStats::default();
/// assert_eq!(stats.requests, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP requests sent (every attempt counts).
    pub requests: u64,
    /// Attempts after the first of a call (backoff retries, token refreshes, re-signs).
    pub retries: u64,
    /// Answers that said "slow down".
    pub throttled: u64,
    /// Tokens dropped because the vendor rejected them.
    pub token_refreshes: u64,
    /// Calls that ended in an error.
    pub failed_calls: u64,
}

/// A request serialized once, re-signed on every attempt.
struct Prepared {
    method: http::Method,
    url: Url,
    body: Bytes,
    json: bool,
}

impl<V: Vendor> Client<V> {
    /// The validated base URL.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Counters of requests, retries and throttled answers so far.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            token_refreshes: c.token_refreshes.load(Ordering::Relaxed),
            failed_calls: c.failed_calls.load(Ordering::Relaxed),
        }
    }

    /// The rate limiter of this credential.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Default page-stream options.
    pub fn page_options(&self) -> &PageOptions {
        &self.inner.paging
    }

    /// The transport (token fetchers use it).
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    fn prepare<Op: Operation<Vendor = V>>(
        &self,
        op: &Op,
        route: &Route,
    ) -> Result<Prepared, Error> {
        let mut url = Url::parse(&format!("{}{}", self.inner.base_url, route.path))
            .map_err(|e| Error::new(ErrorKind::Config, format!("invalid URL: {e}")))?;
        let encode_err = |e: &dyn fmt::Display| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("could not encode the request: {e}"),
            )
        };
        let (body, json) = match route.encoding {
            Encoding::Json => (
                Bytes::from(serde_json::to_vec(op).map_err(|e| encode_err(&e))?),
                true,
            ),
            Encoding::Query => {
                let query = serde_urlencoded::to_string(op).map_err(|e| encode_err(&e))?;
                if !query.is_empty() {
                    url.set_query(Some(&query));
                }
                (Bytes::new(), false)
            }
        };
        if !route.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(route.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(Prepared {
            method: route.method.clone(),
            url,
            body,
            json,
        })
    }

    /// The pages of `request`, with the client's default page options; set others on the
    /// returned stream (`.concurrency(4)`, `.resume_from(position)`, `.max_pages(10)`).
    ///
    /// Every filter of `request` is kept on every page; the operation's [`Paged::prepare`]
    /// fills in the first position and page size.
    pub fn pages<Op: Paged<Vendor = V>>(&self, request: Op) -> Pages<Op> {
        Pages::new(Arc::new(self.clone()), request, self.page_options().clone())
    }

    /// Every record of every page of `request`, in order ([`Client::pages`]`(request).items()`).
    pub fn items<Op: Paged<Vendor = V>>(&self, request: Op) -> Items<Op> {
        self.pages(request).items()
    }

    /// Sends one operation and returns its decoded payload, retrying as the policy says.
    ///
    /// Every attempt is freshly signed. A token the vendor rejects is refreshed and the call
    /// retried once; a clock-skew rejection is re-signed and retried once.
    pub async fn call<Op: Operation<Vendor = V>>(&self, op: &Op) -> Result<Op::Response, Error> {
        let route = op.route();
        let ctx = |e: Error| e.with_vendor(V::NAME).with_operation(route.name.clone());
        op.validate().map_err(|e| ctx(e).not_sent())?;
        let prepared = self.prepare(op, &route).map_err(|e| ctx(e).not_sent())?;
        let span = tracing::debug_span!("scrm.call", vendor = V::NAME, operation = &*route.name);
        self.execute(&route.name, route.idempotent, &prepared, |resp, receipt| {
            self.inner.vendor.open::<Op::Response>(resp, receipt)
        })
        .instrument(span)
        .await
        .map_err(ctx)
    }

    /// The retry loop of one call: an attempt, its payload, and what the retry state decides
    /// after a failure.
    async fn execute<T>(
        &self,
        operation: &str,
        idempotent: bool,
        prepared: &Prepared,
        decode: impl Fn(&HttpResponse, &SignReceipt) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let counters = &inner.counters;
        let mut retry = RetryState::new(&inner.retry, idempotent);
        loop {
            let attempt = retry.begin();
            if attempt > 1 {
                counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let attempt_started = Instant::now();
            let outcome = match self.attempt(prepared, attempt).await {
                Ok(exchange) => {
                    let payload = exchange.verdict().and_then(|()| {
                        decode(&exchange.response, &exchange.receipt)
                            .map_err(|e| exchange.explain(e))
                    });
                    match payload {
                        Ok(value) => Ok((value, exchange.status())),
                        Err(error) => Err(exchange.fail(error, &inner.fixed_secrets)),
                    }
                }
                Err(failure) => Err(failure),
            };
            let elapsed_ms = attempt_started.elapsed().as_millis() as u64;
            let Failure {
                error,
                receipt,
                status,
            } = match outcome {
                Ok((value, status)) => {
                    inner.limiter.on_success();
                    tracing::debug!(
                        vendor = V::NAME,
                        operation,
                        attempt,
                        status,
                        elapsed_ms,
                        "attempt succeeded"
                    );
                    return Ok(value);
                }
                Err(failure) => failure,
            };
            tracing::debug!(
                vendor = V::NAME,
                operation,
                attempt,
                status,
                elapsed_ms,
                error_class = ?error.kind(),
                code = error.code().unwrap_or(""),
                "attempt failed"
            );
            // A throttled answer is never a token or clock rejection: counted whatever comes next.
            if error.is_throttled() {
                counters.throttled.fetch_add(1, Ordering::Relaxed);
                inner.limiter.on_throttled();
            }
            match retry.after(&error) {
                Next::Refresh => {
                    counters.token_refreshes.fetch_add(1, Ordering::Relaxed);
                    if let Some(receipt) = receipt {
                        inner.signer.token_rejected(&receipt).await;
                    }
                }
                Next::Resign => {}
                Next::Retry(delay) => {
                    tracing::debug!(
                        vendor = V::NAME,
                        operation,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Next::Fail => {
                    counters.failed_calls.fetch_add(1, Ordering::Relaxed);
                    return Err(error.with_attempts(attempt));
                }
                Next::Deadline => {
                    tracing::debug!(
                        vendor = V::NAME,
                        operation,
                        attempt,
                        "retry deadline reached"
                    );
                    counters.failed_calls.fetch_add(1, Ordering::Relaxed);
                    return Err(error.with_attempts(attempt));
                }
            }
        }
    }

    /// Sends `prepared` once: waits for the rate limiter, signs, sends. The answer is not looked
    /// at yet; a failure is scrubbed of every secret the signer knows or used.
    async fn attempt(&self, prepared: &Prepared, attempt: u32) -> Result<Exchange, Failure> {
        let inner = &*self.inner;
        let mut request = HttpRequest::new(prepared.method.clone(), prepared.url.clone());
        request.body = prepared.body.clone();
        if prepared.json {
            request
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let cx = SignContext {
            transport: inner.transport.as_ref(),
            attempt,
        };
        // Wait for the rate limiter first, then sign: a signature or token must be fresh when
        // it leaves, not when the request joined the queue.
        let permit = inner
            .limiter
            .try_acquire()
            .await
            .map_err(|e| Failure::unsigned(e.not_sent()))?;
        let receipt = inner
            .signer
            .sign(&mut request, &cx)
            .await
            .map_err(|e| Failure::unsigned(redact(e, &inner.fixed_secrets, &[])))?;
        inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let response = inner.transport.send(request).await;
        drop(permit);
        match response {
            Ok(response) => Ok(Exchange { response, receipt }),
            Err(e) => Err(Failure {
                error: redact(Error::transport(e), &inner.fixed_secrets, &receipt.secrets),
                receipt: Some(receipt),
                status: None,
            }),
        }
    }
}

/// An attempt that got an answer: the response and what the signer put on the request.
struct Exchange {
    response: HttpResponse,
    receipt: SignReceipt,
}

/// An attempt that failed: the error (scrubbed of every secret), the receipt if the request
/// was signed (so a rejected token can be invalidated precisely), the status if it was
/// answered.
struct Failure {
    error: Error,
    receipt: Option<SignReceipt>,
    status: Option<u16>,
}

impl Failure {
    /// A failure before the request was signed.
    fn unsigned(error: Error) -> Self {
        Failure {
            error,
            receipt: None,
            status: None,
        }
    }
}

impl Exchange {
    fn status(&self) -> u16 {
        self.response.status.as_u16()
    }

    /// The HTTP-level verdict before any envelope ([`classify_http`]); the error keeps the body
    /// for debugging.
    fn verdict(&self) -> Result<(), Error> {
        classify_http(&self.response).map_err(|e| e.with_body(self.response.body.clone()))
    }

    /// An envelope or decoding error in the light of the HTTP status (an unexpected body on a
    /// 5xx is transient, on a 404 a wrong base URL), with the status, the requested delay and
    /// the body.
    fn explain(&self, error: Error) -> Error {
        let resp = &self.response;
        let status = resp.status;
        let error = match error.kind() {
            ErrorKind::Decode if status.is_server_error() => {
                let message = format!("HTTP {status} with an unexpected body: {}", error.message());
                Error::new(ErrorKind::Transient, message)
            }
            ErrorKind::Decode if status.as_u16() == 404 => {
                let message = format!(
                    "HTTP 404 with an unexpected body; check the base URL ({})",
                    error.message()
                );
                Error::new(ErrorKind::Config, message)
            }
            _ => error,
        };
        error
            .with_status(status.as_u16())
            .with_retry_after(retry_after(resp))
            .with_body(resp.body.clone())
    }

    /// This exchange as a failure with `error`, scrubbed of the signer's fixed secrets and of
    /// every secret it used on this request.
    fn fail(self, error: Error, fixed: &[Secret]) -> Failure {
        Failure {
            error: redact(error, fixed, &self.receipt.secrets),
            status: Some(self.status()),
            receipt: Some(self.receipt),
        }
    }
}

/// Page streams send every page through [`Client::call`].
impl<Op: Paged> PageSource<Op> for Client<Op::Vendor> {
    fn fetch<'a>(&'a self, request: &'a Op) -> BoxFuture<'a, Result<Op::Response, Error>> {
        Box::pin(self.call(request))
    }
}

/// Scrubs every secret the signer knows or used from an error's message and kept body.
fn redact(error: Error, fixed: &[Secret], used: &[Secret]) -> Error {
    if fixed.is_empty() && used.is_empty() {
        return error;
    }
    let secrets: Vec<Secret> = fixed.iter().chain(used).cloned().collect();
    let secrets = secrets.as_slice();
    let error = error.map_message(|m| scrub(m, secrets));
    match error
        .body()
        .map(|b| String::from_utf8_lossy(b).into_owned())
    {
        Some(text) if secrets.iter().any(|s| text.contains(s.expose())) => {
            error.with_body(Bytes::from(scrub(&text, secrets)))
        }
        _ => error,
    }
}

/// The delay a response asks for in `Retry-After` (seconds or an HTTP date), capped at an hour.
pub fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response.headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(3600)));
    }
    let at =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let now = time::OffsetDateTime::now_utc();
    let secs = (at - now).whole_seconds().clamp(0, 3600);
    Some(Duration::from_secs(secs as u64))
}

/// The HTTP-level verdict on a response, before any vendor envelope: HTTP 429 is
/// [`ErrorKind::Throttled`] (with its `Retry-After`); a body that is not JSON (empty, or a
/// gateway's HTML page) is classified by status — 5xx and 2xx transient, 401/403 credentials,
/// 404 configuration (the base URL), other 4xx invalid. The error carries the status and the
/// requested delay but never the body, so token fetchers can use it too.
///
/// ```
/// use scrm_core::{classify_http, ErrorKind, HeaderMap, HttpResponse, StatusCode};
/// let page = HttpResponse { status: StatusCode::BAD_GATEWAY, headers: HeaderMap::new(), body: "<html>".into() };
/// assert_eq!(classify_http(&page).unwrap_err().kind(), ErrorKind::Transient);
/// let json = HttpResponse { status: StatusCode::OK, headers: HeaderMap::new(), body: "{}".into() };
/// assert!(classify_http(&json).is_ok());
/// ```
pub fn classify_http(response: &HttpResponse) -> Result<(), Error> {
    let status = response.status;
    let fail = |kind: ErrorKind, message: String| {
        Err(Error::new(kind, message)
            .with_status(status.as_u16())
            .with_retry_after(retry_after(response)))
    };
    if status.as_u16() == 429 {
        return fail(ErrorKind::Throttled, "HTTP 429 Too Many Requests".into());
    }
    if looks_like_json(&response.body) {
        return Ok(());
    }
    let what = if response.body.iter().all(u8::is_ascii_whitespace) {
        "an empty body"
    } else {
        "a non-JSON body (likely a gateway's error page)"
    };
    let (kind, advice) = match status.as_u16() {
        401 | 403 => (ErrorKind::AuthRejected, ""),
        404 => (ErrorKind::Config, "; check the base URL"),
        400..=499 => (ErrorKind::InvalidRequest, ""),
        _ => (ErrorKind::Transient, ""),
    };
    fail(kind, format!("HTTP {status} with {what}{advice}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(
            check_base_url("https://open.wshoto.com/", false).unwrap(),
            "https://open.wshoto.com"
        );
        assert_eq!(
            check_base_url("https://account.tanmarket.cn/apiServer", false).unwrap(),
            "https://account.tanmarket.cn/apiServer"
        );
        assert!(check_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(check_base_url("http://localhost:8080", false).is_ok());
        assert!(check_base_url("http://[::1]:8080", false).is_ok());
        let e = check_base_url("http://example.com", false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("loopback"), "{e}");
        assert!(check_base_url("http://example.com", true).is_ok());
        assert!(check_base_url("https://x.com/?a=1", false).is_err());
        assert!(check_base_url("ftp://x.com", false).is_err());
        assert!(check_base_url("not a url", false).is_err());
    }
}
