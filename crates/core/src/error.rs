//! The one error type of every scrm-sdk client, and the failure a transport reports.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

/// What went wrong, in classes a caller (and the retry policy) can act on.
///
/// Vendors' own codes are mapped onto these classes by each vendor crate's code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The access token was rejected as expired or invalid: refresh it and retry once.
    AuthExpired,
    /// The credentials themselves were rejected (wrong app id or secret, bad signature).
    /// Retrying cannot help: fix the configuration.
    AuthRejected,
    /// The vendor rejected the request's timestamp as too far from its clock.
    ClockSkew,
    /// The vendor asked us to slow down (HTTP 429 or a throttling code).
    Throttled,
    /// A temporary failure on the vendor's side (HTTP 5xx, a gateway's HTML page, a busy code).
    Transient,
    /// The vendor rejected the request's parameters.
    InvalidRequest,
    /// Any other error the vendor reported.
    Service,
    /// The response could not be decoded into the documented shape.
    Decode,
    /// The request failed below HTTP (connect, timeout, broken connection).
    Transport,
    /// The pages did not add up (empty page before the total, a repeated cursor, drift).
    Pagination,
    /// The request was refused before sending: an input breaks a documented limit.
    InvalidInput,
    /// The client is misconfigured (base URL, missing credentials).
    Config,
    /// State shared with other processes (tokens, the rate budget, push deduplication in
    /// Redis) could not be reached; the request was not sent.
    SharedStore,
}

impl ErrorKind {
    /// A short description used in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ErrorKind::AuthExpired => "access token expired or invalid",
            ErrorKind::AuthRejected => "credentials rejected",
            ErrorKind::ClockSkew => "request timestamp rejected (clock skew)",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Transient => "temporary vendor failure",
            ErrorKind::InvalidRequest => "request rejected as invalid",
            ErrorKind::Service => "vendor error",
            ErrorKind::Decode => "unexpected response",
            ErrorKind::Transport => "network failure",
            ErrorKind::Pagination => "pagination failure",
            ErrorKind::InvalidInput => "refused before sending",
            ErrorKind::Config => "configuration error",
            ErrorKind::SharedStore => "shared store unavailable",
        }
    }

    /// What a user can do about it, when there is something useful to say.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            ErrorKind::AuthRejected => Some("check the app id and secret/key"),
            ErrorKind::ClockSkew => Some("check that this machine's clock is correct (NTP)"),
            ErrorKind::Throttled => Some("lower the request rate or concurrency"),
            ErrorKind::Transport => Some("check the base URL and the network"),
            ErrorKind::SharedStore => Some(
                "check that the shared store (Redis) runs and is reachable, or allow falling back to per-process state",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An error from a scrm-sdk client.
///
/// `Display` says what happened in one line: vendor, operation, class, vendor code and message,
/// HTTP status and attempts, e.g.
/// `wshoto collect/detail/page: throttled (code 429: 请求太频繁) [HTTP 429, 3 attempts]`.
/// Nothing in `Display` or `Debug` carries a secret, token, signature or URL query.
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    vendor: &'static str,
    operation: Cow<'static, str>,
    code: Option<String>,
    message: String,
    status: Option<u16>,
    attempts: u32,
    retry_after: Option<Duration>,
    maybe_sent: bool,
    body: Option<Bytes>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of `kind` with a message; vendor and operation are filled in by the client.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            vendor: "",
            operation: Cow::Borrowed(""),
            code: None,
            message: message.into(),
            status: None,
            attempts: 0,
            retry_after: None,
            maybe_sent: true,
            body: None,
            source: None,
        }))
    }

    /// An error the vendor reported with its own `code`, classified as `kind`.
    pub fn vendor(kind: ErrorKind, code: impl fmt::Display, message: impl Into<String>) -> Self {
        let mut e = Error::new(kind, message);
        e.0.code = Some(code.to_string());
        e
    }

    /// A decode failure: `path` names the JSON field, `detail` what was wrong.
    pub fn decode(path: &str, detail: impl fmt::Display) -> Self {
        let message = if path.is_empty() || path == "." {
            format!("{detail}")
        } else {
            format!("at `{path}`: {detail}")
        };
        Error::new(ErrorKind::Decode, message)
    }

    /// A transport failure.
    pub fn transport(err: TransportError) -> Self {
        // An oversized body is not a network failure: retrying would read it again.
        let kind = if err.kind() == TransportErrorKind::BodyTooLarge {
            ErrorKind::Decode
        } else {
            ErrorKind::Transport
        };
        let mut e = Error::new(kind, err.to_string());
        e.0.maybe_sent = err.maybe_sent();
        e.0.source = Some(Arc::new(err));
        e
    }

    /// Sets the vendor name.
    pub fn with_vendor(mut self, vendor: &'static str) -> Self {
        self.0.vendor = vendor;
        self
    }

    /// Sets the operation name.
    pub fn with_operation(mut self, operation: impl Into<Cow<'static, str>>) -> Self {
        self.0.operation = operation.into();
        self
    }

    /// Sets the HTTP status of the response this error came from.
    pub fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    /// Sets how many attempts were made.
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.0.attempts = attempts;
        self
    }

    /// Sets the delay the vendor asked for (`Retry-After`).
    pub fn with_retry_after(mut self, delay: Option<Duration>) -> Self {
        self.0.retry_after = delay;
        self
    }

    /// Keeps the raw response body for debugging (see [`Error::body`]).
    pub fn with_body(mut self, body: Bytes) -> Self {
        self.0.body = Some(body);
        self
    }

    /// Marks that the request certainly did not reach the vendor.
    pub fn not_sent(mut self) -> Self {
        self.0.maybe_sent = false;
        self
    }

    /// Attaches an underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Arc::new(source));
        self
    }

    /// Replaces the message (used to scrub secrets from it).
    pub(crate) fn map_message(mut self, f: impl FnOnce(&str) -> String) -> Self {
        self.0.message = f(&self.0.message);
        self
    }

    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The vendor (`"wshoto"`, `"weiban"`, `"waiqin"`, `"tanma"`), empty if not yet known.
    pub fn vendor_name(&self) -> &str {
        self.0.vendor
    }

    /// The operation, e.g. `"collect/detail/page"`.
    pub fn operation(&self) -> &str {
        &self.0.operation
    }

    /// The vendor's own error code, when the vendor sent one.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The vendor's message, or ours.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// HTTP status of the response, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.0.status
    }

    /// Attempts made before giving up (0 when refused before sending).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The delay the vendor asked for before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// Whether the request may have reached the vendor (relevant for writes).
    pub fn maybe_sent(&self) -> bool {
        self.0.maybe_sent
    }

    /// The raw response body, for debugging. Token responses are never kept here.
    pub fn body(&self) -> Option<&[u8]> {
        self.0.body.as_deref()
    }

    /// Whether trying the same request again later may succeed (throttling, temporary vendor
    /// failures, network failures, an unreachable shared store). The client's retry policy
    /// already did so.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::Throttled
                | ErrorKind::Transient
                | ErrorKind::Transport
                | ErrorKind::SharedStore
        )
    }

    /// Whether the credentials or token were rejected.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::AuthExpired | ErrorKind::AuthRejected
        )
    }

    /// Whether the vendor throttled the request.
    pub fn is_throttled(&self) -> bool {
        self.0.kind == ErrorKind::Throttled
    }

    /// Whether the request failed below HTTP.
    pub fn is_transport(&self) -> bool {
        self.0.kind == ErrorKind::Transport
    }

    /// Whether the response could not be decoded.
    pub fn is_decode(&self) -> bool {
        self.0.kind == ErrorKind::Decode
    }

    /// Whether the transport failure was a timeout.
    pub fn is_timeout(&self) -> bool {
        self.0
            .source
            .as_ref()
            .and_then(|s| s.downcast_ref::<TransportError>())
            .is_some_and(|t| t.kind() == TransportErrorKind::Timeout)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        match (i.vendor.is_empty(), i.operation.is_empty()) {
            (false, false) => write!(f, "{} {}: ", i.vendor, i.operation)?,
            (false, true) => write!(f, "{}: ", i.vendor)?,
            (true, false) => write!(f, "{}: ", i.operation)?,
            (true, true) => {}
        }
        f.write_str(i.kind.describe())?;
        match (&i.code, i.message.is_empty()) {
            (Some(code), false) => write!(f, " (code {code}: {})", i.message)?,
            (Some(code), true) => write!(f, " (code {code})")?,
            (None, false) => write!(f, ": {}", i.message)?,
            (None, true) => {}
        }
        let mut extra = Vec::new();
        if let Some(status) = i.status {
            extra.push(format!("HTTP {status}"));
        }
        match i.attempts {
            0 => {}
            1 => extra.push("1 attempt".to_owned()),
            n => extra.push(format!("{n} attempts")),
        }
        if !extra.is_empty() {
            write!(f, " [{}]", extra.join(", "))?;
        }
        if let Some(hint) = i.kind.hint() {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("vendor", &i.vendor)
            .field("operation", &i.operation)
            .field("code", &i.code)
            .field("message", &i.message)
            .field("status", &i.status)
            .field("attempts", &i.attempts)
            .field("body_len", &i.body.as_ref().map(Bytes::len))
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// What kind of failure a transport met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened (refused, DNS, TLS handshake): nothing was sent.
    Connect,
    /// The request or response timed out.
    Timeout,
    /// The connection broke while sending or receiving (reset, closed early).
    Io,
    /// The response body was larger than the transport's limit
    /// ([`ReqwestTransportBuilder::max_body_bytes`](crate::ReqwestTransportBuilder::max_body_bytes)); the rest was not read.
    BodyTooLarge,
    /// Anything else (invalid request, builder error).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection broken",
            TransportErrorKind::BodyTooLarge => "response body too large",
            TransportErrorKind::Other => "transport error",
        })
    }
}

/// A failure below HTTP. Never carries the request URL.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    maybe_sent: bool,
}

impl TransportError {
    /// A transport error. `maybe_sent` is `false` only when the request certainly did not reach
    /// the server (e.g. the connection was refused).
    pub fn new(kind: TransportErrorKind, message: impl Into<String>, maybe_sent: bool) -> Self {
        TransportError {
            kind,
            message: message.into(),
            maybe_sent,
        }
    }

    /// What kind of failure this was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The description (no URL).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the request may have reached the server (a write may have been applied).
    pub fn maybe_sent(&self) -> bool {
        self.maybe_sent
    }

    /// Converts a reqwest error, dropping its URL first (the URL carries access tokens).
    pub fn from_reqwest(err: reqwest::Error) -> Self {
        let err = err.without_url();
        let kind = if err.is_connect() {
            TransportErrorKind::Connect
        } else if err.is_timeout() {
            TransportErrorKind::Timeout
        } else if err.is_request() || err.is_body() || err.is_decode() {
            TransportErrorKind::Io
        } else {
            TransportErrorKind::Other
        };
        let maybe_sent = !(err.is_connect() || err.is_builder());
        let mut message = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        TransportError::new(kind, message, maybe_sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_vendor_operation_code_message_and_attempts() {
        let e = Error::vendor(ErrorKind::Throttled, 45009, "api freq out of limit")
            .with_vendor("weiban")
            .with_operation("smart_form/form/user/list")
            .with_status(200)
            .with_attempts(3);
        assert_eq!(
            e.to_string(),
            "weiban smart_form/form/user/list: throttled (code 45009: api freq out of limit) \
             [HTTP 200, 3 attempts]; lower the request rate or concurrency"
        );
        assert!(e.is_retryable());
        assert!(!e.is_auth());
    }

    #[test]
    fn debug_does_not_print_the_body() {
        let e = Error::new(ErrorKind::Decode, "bad")
            .with_body(Bytes::from_static(b"{\"access_token\":\"SECRET-TOKEN\"}"));
        assert!(!format!("{e:?}").contains("SECRET-TOKEN"));
        assert_eq!(e.body().map(<[u8]>::len), Some(31));
    }

    #[test]
    fn predicates() {
        let e = Error::new(ErrorKind::AuthExpired, "x");
        assert!(e.is_auth() && !e.is_retryable());
        let t = Error::transport(TransportError::new(TransportErrorKind::Timeout, "t", true));
        assert!(t.is_transport() && t.is_timeout() && t.is_retryable() && t.maybe_sent());
    }
}
