//! The vendor-neutral parts of push receivers (events a vendor sends to the customer's URL).
//!
//! Each vendor crate that has a push scheme (`scrm_weiban::push`, `scrm_tanma::push`,
//! `scrm_waiqin::push`) builds a receiver from its push secrets and turns a raw
//! [`PushRequest`] — method, query string as received, headers, body bytes — into a
//! [`Received`] value (a verified, decrypted event with the exact [`PushReply`] bytes to send)
//! or a classified [`PushError`]. Nothing here depends on an HTTP framework.
//!
//! Vendors redeliver what was not acknowledged, so the event id is the idempotency key: a
//! [`SeenStore`] claims `(vendor, id)` before an event is written, marks it complete after the
//! write, and releases it when the write failed. [`MemorySeenStore`] is the in-process default.
//!
//! ```
//! use scrm_core::push::{Claim, MemorySeenStore, SeenStore};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), scrm_core::Error> {
//! let seen = MemorySeenStore::new();
//! assert_eq!(seen.claim("tanma", "999").await?, Claim::New);
//! assert_eq!(seen.claim("tanma", "999").await?, Claim::InFlight);
//! seen.complete("tanma", "999").await?;
//! assert_eq!(seen.claim("tanma", "999").await?, Claim::Seen);
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use crate::transport::{HeaderMap, Method};

/// The largest push body a receiver accepts: 1 MiB (1,048,576 bytes; one more is refused).
pub const MAX_BODY_BYTES: usize = 1_048_576;

/// A push as it arrived, before anything was verified: framework-agnostic input of a receiver.
///
/// `query` is the raw query string (what follows `?`, not decoded): receivers decode the fields
/// they need themselves, so a `+` stays a `+` (weiban's base64 `echostr` has them).
/// `body` is the exact bytes received. `Debug` shows sizes and header names only.
///
/// ```
/// use scrm_core::push::PushRequest;
/// use scrm_core::{HeaderMap, Method};
/// let headers = HeaderMap::new();
/// let request = PushRequest::new(&Method::POST, "msg_signature=ab&nonce=1", &headers, b"{}");
/// assert_eq!(request.query_param("msg_signature"), Some("ab".to_owned()));
/// ```
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct PushRequest<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The raw query string, without the `?`; `""` when there is none.
    pub query: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The body bytes as received.
    pub body: &'a [u8],
}

impl<'a> PushRequest<'a> {
    /// A request from its parts (`query` raw, without `?`).
    pub fn new(method: &'a Method, query: &'a str, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        PushRequest {
            method,
            query,
            headers,
            body,
        }
    }

    /// The first query parameter `name`, percent-decoded (`+` is kept as `+`, not read as a
    /// space); `None` when absent or not UTF-8 after decoding.
    pub fn query_param(&self, name: &str) -> Option<String> {
        query_param(self.query, name)
    }

    /// The header `name` (case-insensitive) as text; `None` when absent or not visible ASCII.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Debug for PushRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("PushRequest")
            .field("method", self.method)
            .field("query_len", &self.query.len())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The first parameter `name` of a raw query string, percent-decoded without turning `+` into
/// a space (RFC 3986 reading; vendors' base64 values contain `+`).
///
/// ```
/// use scrm_core::push::query_param;
/// assert_eq!(query_param("a=1&echostr=x%2By+z%3D%3D", "echostr").as_deref(), Some("x+y+z=="));
/// assert_eq!(query_param("a=1", "b"), None);
/// ```
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_encoding::percent_decode_str(k).decode_utf8().ok()?;
        if k != name {
            return None;
        }
        percent_encoding::percent_decode_str(v)
            .decode_utf8()
            .ok()
            .map(Cow::into_owned)
    })
}

/// `true` when two signatures (or digests) are equal, compared in constant time.
///
/// Hex digests are compared case-insensitively (vendors differ in case); the comparison time
/// does not depend on where the strings differ.
///
/// ```
/// assert!(scrm_core::push::signature_matches("ABcd", "abcd"));
/// assert!(!scrm_core::push::signature_matches("abcd", "abce"));
/// ```
pub fn signature_matches(expected: &str, received: &str) -> bool {
    use subtle::ConstantTimeEq;
    let a = expected.to_ascii_lowercase();
    let b = received.trim().to_ascii_lowercase();
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The bytes to answer a push with.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushReply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header value.
    pub content_type: &'static str,
    /// The body, exactly.
    pub body: Vec<u8>,
}

impl PushReply {
    /// HTTP 200 with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        PushReply {
            status: 200,
            content_type: "application/json",
            body: body.into(),
        }
    }

    /// HTTP 200 with a plain-text body.
    pub fn text(body: impl Into<Vec<u8>>) -> Self {
        PushReply {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

impl fmt::Debug for PushReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushReply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// A verified, decrypted event in a vendor-neutral form.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PushEvent {
    /// `weiban`, `tanma` or `waiqin`.
    pub vendor: &'static str,
    /// The vendor's event id, as a string (the deduplication key).
    pub id: String,
    /// The vendor's event type (weiban `event`, tanma `type`, waiqin `dataType`).
    pub event_type: String,
    /// The event as received (decrypted), as JSON.
    pub payload: serde_json::Value,
}

impl PushEvent {
    /// An event.
    pub fn new(
        vendor: &'static str,
        id: impl Into<String>,
        event_type: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        PushEvent {
            vendor,
            id: id.into(),
            event_type: event_type.into(),
            payload,
        }
    }
}

/// A verified event: the neutral form, the vendor's typed form `T`, and the reply to send once
/// the event is durably stored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verified<T> {
    /// The vendor-neutral event.
    pub event: PushEvent,
    /// The vendor's typed payload.
    pub typed: T,
    /// What to answer once the event is stored (or was already seen).
    pub reply: PushReply,
}

impl<T> Verified<T> {
    /// A verified event.
    pub fn new(event: PushEvent, typed: T, reply: PushReply) -> Self {
        Verified {
            event,
            typed,
            reply,
        }
    }
}

/// What a receiver made of a request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Received<T> {
    /// A URL check (weiban's `GET …&echostr=`): nothing to store, send the reply.
    Handshake(PushReply),
    /// An event: deduplicate on its id, store it, then send the reply.
    Event(Verified<T>),
}

impl<T> Received<T> {
    /// The reply to send (after storing, for an event).
    pub fn reply(&self) -> &PushReply {
        match self {
            Received::Handshake(r) => r,
            Received::Event(v) => &v.reply,
        }
    }

    /// The event, when this is one.
    pub fn event(&self) -> Option<&Verified<T>> {
        match self {
            Received::Handshake(_) => None,
            Received::Event(v) => Some(v),
        }
    }
}

/// Why a push was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PushErrorKind {
    /// A signature or digest is missing or does not match (HTTP 401).
    BadSignature,
    /// The timestamp is outside the accepted window (HTTP 401).
    Stale,
    /// The request is not in the documented shape: missing fields, bad JSON (HTTP 400).
    Malformed,
    /// The signature matched but the content cannot be decrypted (HTTP 400).
    Undecryptable,
    /// The event is addressed to another receiver (weiban receive id) (HTTP 401).
    WrongReceiver,
    /// The body is over [`MAX_BODY_BYTES`] (HTTP 413).
    TooLarge,
    /// The vendor does not push with this HTTP method (HTTP 405).
    MethodNotAllowed,
}

impl PushErrorKind {
    /// The HTTP status to answer with.
    pub fn http_status(self) -> u16 {
        match self {
            PushErrorKind::BadSignature | PushErrorKind::Stale | PushErrorKind::WrongReceiver => {
                401
            }
            PushErrorKind::Malformed | PushErrorKind::Undecryptable => 400,
            PushErrorKind::TooLarge => 413,
            PushErrorKind::MethodNotAllowed => 405,
        }
    }

    /// A short description used in messages.
    pub fn describe(self) -> &'static str {
        match self {
            PushErrorKind::BadSignature => "bad signature",
            PushErrorKind::Stale => "stale timestamp",
            PushErrorKind::Malformed => "malformed push",
            PushErrorKind::Undecryptable => "undecryptable push",
            PushErrorKind::WrongReceiver => "wrong receiver",
            PushErrorKind::TooLarge => "push too large",
            PushErrorKind::MethodNotAllowed => "method not allowed",
        }
    }
}

impl fmt::Display for PushErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A refused push: its class, the vendor, and a message naming the likely mistake.
///
/// Messages are written by the receivers from fixed text and sizes: they never contain a
/// secret, a signature or any part of the payload, so they are safe to log and to send back.
///
/// ```
/// use scrm_core::push::{PushError, PushErrorKind};
/// let e = PushError::new("tanma", PushErrorKind::Stale, "timestamp 400 s away from this machine's clock");
/// assert_eq!(e.http_status(), 401);
/// assert_eq!(e.to_string(), "tanma push refused: stale timestamp: timestamp 400 s away from this machine's clock");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushError {
    vendor: &'static str,
    kind: PushErrorKind,
    message: Cow<'static, str>,
}

impl PushError {
    /// A refusal of `kind` by `vendor`'s receiver.
    pub fn new(
        vendor: &'static str,
        kind: PushErrorKind,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        PushError {
            vendor,
            kind,
            message: message.into(),
        }
    }

    /// The class.
    pub fn kind(&self) -> PushErrorKind {
        self.kind
    }

    /// The vendor whose receiver refused.
    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// What was wrong and what to check.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status to answer with.
    pub fn http_status(&self) -> u16 {
        self.kind.http_status()
    }

    /// The body is over [`MAX_BODY_BYTES`].
    pub fn too_large(vendor: &'static str, len: usize) -> Self {
        PushError::new(
            vendor,
            PushErrorKind::TooLarge,
            format!("the body has {len} bytes, more than the {MAX_BODY_BYTES} accepted"),
        )
    }

    /// A plain-text reply carrying this error's `Display` (safe: no secrets, no payload).
    pub fn reply(&self) -> PushReply {
        PushReply {
            status: self.http_status(),
            content_type: "text/plain; charset=utf-8",
            body: format!("{self}\n").into_bytes(),
        }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} push refused: {}: {}",
            self.vendor, self.kind, self.message
        )
    }
}

impl std::error::Error for PushError {}

/// A push receiver builder's configuration error: [`ErrorKind::Config`](crate::ErrorKind::Config),
/// for `vendor`, operation `push receiver`. `message` names what is wrong, never a secret.
///
/// ```
/// let e = scrm_core::push::config_error("waiqin", "the push secret (pushsecret) is missing or empty");
/// assert_eq!(e.kind(), scrm_core::ErrorKind::Config);
/// assert_eq!(e.vendor_name(), "waiqin");
/// assert_eq!(e.message(), "the push secret (pushsecret) is missing or empty");
/// ```
pub fn config_error(vendor: &'static str, message: impl Into<String>) -> crate::Error {
    crate::Error::new(crate::ErrorKind::Config, message)
        .with_vendor(vendor)
        .with_operation("push receiver")
}

/// A secret given to a push receiver builder, checked: the error `missing` when it is absent
/// or empty, and `` <name> has leading or trailing whitespace: … `` (see [`not_padded`]) when
/// it was copied with spaces or a newline. Neither message shows the secret.
///
/// ```
/// use scrm_core::Secret;
/// use scrm_core::push::required_secret;
/// let missing = "the push secret (pushsecret) is missing or empty";
/// assert!(required_secret("waiqin", Some(Secret::new("s")), "the push secret", missing).is_ok());
/// let e = required_secret("waiqin", None, "the push secret", missing).unwrap_err();
/// assert_eq!(e.message(), missing);
/// let e = required_secret("waiqin", Some(Secret::new("s\n")), "the push secret", missing).unwrap_err();
/// assert_eq!(e.message(), "the push secret has leading or trailing whitespace: copy it without spaces or newlines");
/// ```
pub fn required_secret(
    vendor: &'static str,
    value: Option<crate::Secret>,
    name: &str,
    missing: &'static str,
) -> Result<crate::Secret, crate::Error> {
    let secret = value
        .filter(|s| !s.is_empty())
        .ok_or_else(|| config_error(vendor, missing))?;
    not_padded(vendor, name, secret.expose())?;
    Ok(secret)
}

/// `text` (a push setting, named `name` in the message) has no leading or trailing whitespace:
/// the vendor signs and encrypts with the value exactly, so a pasted space or newline would
/// refuse every push.
pub fn not_padded(vendor: &'static str, name: &str, text: &str) -> Result<(), crate::Error> {
    if text.trim() != text {
        return Err(config_error(
            vendor,
            format!(
                "{name} has leading or trailing whitespace: copy it without spaces or newlines"
            ),
        ));
    }
    Ok(())
}

/// The first checks of every receiver: the body is at most [`MAX_BODY_BYTES`]
/// ([`PushErrorKind::TooLarge`]), and the method is one of `methods`, the ones the vendor
/// uses ([`PushErrorKind::MethodNotAllowed`] with `hint`, e.g. `"tanma pushes with POST"`).
///
/// ```
/// use scrm_core::push::{PushErrorKind, PushRequest, check_request};
/// use scrm_core::{HeaderMap, Method};
/// let headers = HeaderMap::new();
/// let get = PushRequest::new(&Method::GET, "", &headers, b"");
/// let e = check_request("tanma", &get, &[Method::POST], "tanma pushes with POST").unwrap_err();
/// assert_eq!(e.kind(), PushErrorKind::MethodNotAllowed);
/// assert_eq!(e.message(), "tanma pushes with POST");
/// ```
pub fn check_request(
    vendor: &'static str,
    request: &PushRequest<'_>,
    methods: &[Method],
    hint: &'static str,
) -> Result<(), PushError> {
    if request.body.len() > MAX_BODY_BYTES {
        return Err(PushError::too_large(vendor, request.body.len()));
    }
    if !methods.contains(request.method) {
        return Err(PushError::new(
            vendor,
            PushErrorKind::MethodNotAllowed,
            hint,
        ));
    }
    Ok(())
}

/// A JSON decoding error for a refusal message, naming what is wrong but never quoting a
/// value of the payload: serde_json's text without its `at line … column …` position, and for a
/// value of the wrong type or an unknown variant or field only what was expected (serde's own
/// text quotes the value it received, which in a decrypted push is the customer's data).
///
/// ```
/// use scrm_core::push::describe_serde;
/// let e = serde_json::from_str::<(u8, u8)>("[1]").unwrap_err();
/// assert_eq!(describe_serde(&e), "invalid length 1, expected a tuple of size 2");
/// let e = serde_json::from_str::<u64>(r#""138-0000-0000""#).unwrap_err();
/// assert_eq!(describe_serde(&e), "a value of the wrong type (expected u64)");
/// ```
pub fn describe_serde(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    if e.classify() != serde_json::error::Category::Data
        || ["missing field", "duplicate field", "invalid length"]
            .iter()
            .any(|p| text.starts_with(p))
    {
        return text.to_owned();
    }
    let what = [
        ("invalid type", "a value of the wrong type"),
        ("invalid value", "an invalid value"),
        ("unknown variant", "an unknown variant"),
        ("unknown field", "an unknown field"),
    ]
    .iter()
    .find(|(prefix, _)| text.starts_with(prefix))
    .map_or("a value of the wrong shape", |(_, what)| what);
    match text.split_once(", expected ") {
        Some((_, expected)) => format!("{what} (expected {expected})"),
        None => what.to_owned(),
    }
}

#[cfg(test)]
mod describe_tests {
    #![allow(clippy::unwrap_used)]

    use super::describe_serde;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Event {
        id: u64,
        kind: Kind,
    }
    #[derive(Debug, serde::Deserialize)]
    enum Kind {
        Add,
    }

    #[test]
    fn no_value_of_the_payload_is_quoted() {
        for (body, want) in [
            (
                r#"{"id":"13800000000","kind":"Add"}"#,
                "a value of the wrong type (expected u64)",
            ),
            (
                r#"{"id":1,"kind":"Zhang San"}"#,
                "an unknown variant (expected `Add`)",
            ),
            (
                r#"{"id":1,"kind":"Add","Zhang San":1}"#,
                "an unknown field (expected `id` or `kind`)",
            ),
            (r#"{"id":1}"#, "missing field `kind`"),
        ] {
            let e = serde_json::from_str::<Event>(body).unwrap_err();
            let got = describe_serde(&e);
            assert_eq!(got, want, "{body}");
            assert!(!got.contains("Zhang") && !got.contains("138"), "{got}");
        }
        // From a `Value`, as the receivers decode.
        let v: serde_json::Value = serde_json::json!({"id": -5, "kind": "Add"});
        let e = serde_json::from_value::<Event>(v).unwrap_err();
        assert_eq!(describe_serde(&e), "an invalid value (expected u64)");
    }
}

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Never completed and not being processed: the caller now owns it.
    New,
    /// Already completed: acknowledge without writing again.
    Seen,
    /// Another handler holds it right now.
    InFlight,
}

/// Deduplication of pushed events by `(vendor, id)` across the vendor's redeliveries.
///
/// The protocol of a handler: `claim`; on [`Claim::New`] write the event, then `complete`
/// (or `release` when the write failed, so a redelivery is processed again); on
/// [`Claim::Seen`] acknowledge; on [`Claim::InFlight`] ask the vendor to retry later.
#[async_trait::async_trait]
pub trait SeenStore: Send + Sync + 'static {
    /// Claims (vendor, id) for processing: New when never completed and not being processed
    /// (the caller now owns it), Seen when already completed, InFlight when another handler
    /// holds it.
    async fn claim(&self, vendor: &str, id: &str) -> Result<Claim, crate::Error>;
    /// Marks a claimed event as durably handled (after it was written).
    async fn complete(&self, vendor: &str, id: &str) -> Result<(), crate::Error>;
    /// Gives a claim back after a failure, so a redelivery is processed again.
    async fn release(&self, vendor: &str, id: &str) -> Result<(), crate::Error>;
}

/// The default [`SeenStore`]: in this process's memory, lost on restart.
///
/// Bounded: it remembers the last [`MemorySeenStore::DEFAULT_CAPACITY`] completed ids (or the
/// capacity given to [`MemorySeenStore::with_capacity`]) and forgets the oldest completed one
/// when a new one completes past that (first in, first out). Claims in flight are never
/// evicted and do not count. An id forgotten this way is written again if the vendor
/// redelivers it that much later; use a durable store when that matters.
#[derive(Debug)]
pub struct MemorySeenStore {
    capacity: usize,
    state: Mutex<SeenState>,
}

#[derive(Debug, Default)]
struct SeenState {
    /// `true` completed, `false` in flight.
    entries: HashMap<(String, String), bool>,
    /// Completed keys, oldest first.
    order: VecDeque<(String, String)>,
}

impl MemorySeenStore {
    /// Completed ids remembered by [`MemorySeenStore::new`]: 100,000 (a few MiB).
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store remembering [`Self::DEFAULT_CAPACITY`] completed ids.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A store remembering `capacity` completed ids (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        MemorySeenStore {
            capacity: capacity.max(1),
            state: Mutex::new(SeenState::default()),
        }
    }

    /// Completed ids currently remembered.
    pub fn completed(&self) -> usize {
        self.lock().order.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SeenState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for MemorySeenStore {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl SeenStore for MemorySeenStore {
    async fn claim(&self, vendor: &str, id: &str) -> Result<Claim, crate::Error> {
        use std::collections::hash_map::Entry;
        let mut s = self.lock();
        Ok(match s.entries.entry((vendor.to_owned(), id.to_owned())) {
            Entry::Occupied(e) if *e.get() => Claim::Seen,
            Entry::Occupied(_) => Claim::InFlight,
            Entry::Vacant(e) => {
                e.insert(false);
                Claim::New
            }
        })
    }

    async fn complete(&self, vendor: &str, id: &str) -> Result<(), crate::Error> {
        let mut s = self.lock();
        let key = (vendor.to_owned(), id.to_owned());
        if s.entries.insert(key.clone(), true) != Some(true) {
            s.order.push_back(key);
        }
        while s.order.len() > self.capacity {
            if let Some(old) = s.order.pop_front() {
                s.entries.remove(&old);
            }
        }
        Ok(())
    }

    async fn release(&self, vendor: &str, id: &str) -> Result<(), crate::Error> {
        let mut s = self.lock();
        let key = (vendor.to_owned(), id.to_owned());
        if s.entries.get(&key) == Some(&false) {
            s.entries.remove(&key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn claim_complete_release() {
        let s = MemorySeenStore::new();
        assert_eq!(s.claim("weiban", "a").await.unwrap(), Claim::New);
        assert_eq!(s.claim("weiban", "a").await.unwrap(), Claim::InFlight);
        // Same id, other vendor: independent.
        assert_eq!(s.claim("tanma", "a").await.unwrap(), Claim::New);
        s.release("weiban", "a").await.unwrap();
        assert_eq!(s.claim("weiban", "a").await.unwrap(), Claim::New);
        s.complete("weiban", "a").await.unwrap();
        assert_eq!(s.claim("weiban", "a").await.unwrap(), Claim::Seen);
        // Releasing a completed id does not forget it.
        s.release("weiban", "a").await.unwrap();
        assert_eq!(s.claim("weiban", "a").await.unwrap(), Claim::Seen);
        assert_eq!(s.completed(), 1);
    }

    #[tokio::test]
    async fn bounded_fifo_eviction_keeps_in_flight() {
        let s = MemorySeenStore::with_capacity(2);
        assert_eq!(s.claim("v", "held").await.unwrap(), Claim::New);
        for id in ["1", "2", "3"] {
            assert_eq!(s.claim("v", id).await.unwrap(), Claim::New);
            s.complete("v", id).await.unwrap();
        }
        assert_eq!(s.completed(), 2);
        assert_eq!(
            s.claim("v", "1").await.unwrap(),
            Claim::New,
            "oldest forgotten"
        );
        assert_eq!(s.claim("v", "3").await.unwrap(), Claim::Seen);
        assert_eq!(s.claim("v", "held").await.unwrap(), Claim::InFlight);
    }

    #[test]
    fn query_param_keeps_plus_and_decodes_percent() {
        assert_eq!(
            query_param("echostr=a+b%2Bc%3D&x=1", "echostr").as_deref(),
            Some("a+b+c=")
        );
        assert_eq!(query_param("x&y=2", "x").as_deref(), Some(""));
        assert_eq!(query_param("", "x"), None);
        assert_eq!(query_param("x=%FF", "x"), None);
    }

    #[test]
    fn statuses() {
        use PushErrorKind::*;
        for (k, s) in [
            (BadSignature, 401),
            (Stale, 401),
            (WrongReceiver, 401),
            (Malformed, 400),
            (Undecryptable, 400),
            (TooLarge, 413),
            (MethodNotAllowed, 405),
        ] {
            assert_eq!(k.http_status(), s);
        }
        let e = PushError::too_large("waiqin", MAX_BODY_BYTES + 1);
        assert_eq!(e.reply().status, 413);
        assert!(e.to_string().contains("1048577 bytes"));
    }
}

/// A push ready to send, as the vendor would send it: method, raw query string (without `?`,
/// percent-encoded), headers and body. The vendors' `PushSender`s make them (for the sandbox
/// and for tests of code that receives pushes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPush {
    /// The method (`POST`, or `GET` for weiban's URL check).
    pub method: Method,
    /// The query string (without `?`), percent-encoded; empty for tanma and waiqin.
    pub query: String,
    /// The headers to send as `(name, value)`.
    pub headers: Vec<(&'static str, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl SealedPush {
    /// A push of `method` with `query`, `headers` and `body`.
    pub fn new(
        method: Method,
        query: String,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Self {
        SealedPush {
            method,
            query,
            headers,
            body,
        }
    }
}
