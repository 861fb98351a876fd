//! tanma 消息推送: receiving (and, for tests, sending) pushed events.
//!
//! - `POST` with headers `appId`, `timestamp` (epoch ms), `version` (`1`) and
//!   `sign = lowercase_hex(sha256(appId + version + timestamp + appKey))`; the body is **not**
//!   signed, so a captured push could be replayed: the timestamp must be within a window of
//!   this machine's clock (default ±5 minutes, [`PushReceiverBuilder::timestamp_window`]) and
//!   the caller deduplicates on `msgId`.
//! - Body: base64 of AES-128-CTR (128-bit big-endian counter, no padding) of the JSON
//!   `{"type","noise","msgId","content"}`, with key `sha256(appKey)[..16]` and IV
//!   `sha256(corpId)[..16]`; the corp id is the part of the app id before its last `_` (the
//!   whole app id when it has none) unless set with [`PushReceiverBuilder::corp_id`].
//! - Reply: the receiver must answer with the decrypted `noise`. The vendor's page says only
//!   "reply this value" (接收方成功接收处理消息后需要在响应中回复此值), so the reply is the
//!   decimal digits of `noise` alone, as `text/plain` (e.g. `4970601478527096155`): that body
//!   is the value itself for a vendor comparing text, and a JSON number for one parsing JSON,
//!   while any JSON object would have to guess a key the page does not name. `noise` is a
//!   signed 64-bit integer beyond 2^53, kept as an `i64` and never through `f64`.
//!
//! ```
//! use scrm_core::push::{PushRequest, Received};
//! use scrm_core::{HeaderMap, HeaderValue, Method};
//! use scrm_tanma::push::PushReceiver;
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The vendor's published vector, with the clock set to its timestamp. Its corp id is the
//! // whole test app id `zc_test`, not `zc` (the default derivation), so it is set here.
//! let receiver = PushReceiver::builder()
//!     .app_id("zc_test")
//!     .app_key("zc_test")
//!     .corp_id("zc_test")
//!     .clock(std::sync::Arc::new(scrm_core::ManualClock::new(
//!         UNIX_EPOCH + Duration::from_millis(1_596_681_164_807),
//!     )))
//!     .build()?;
//! let mut headers = HeaderMap::new();
//! headers.insert("appId", HeaderValue::from_static("zc_test"));
//! headers.insert("timestamp", HeaderValue::from_static("1596681164807"));
//! headers.insert("version", HeaderValue::from_static("1"));
//! headers.insert("sign", HeaderValue::from_static("317672b4685d9b8bafe1794390e31209aed5cef912683292fed94a69085919d3"));
//! let body = b"5TMVT8H4yTSSoING+afhRlGcCZAIxTs8Z7o3vGpid6tF2aF7C73uZ44qMopuNPCFmwOLOJ8xViCTHUfe/xYZSb71/VRSEDeIqqwN4eg=";
//! let received = receiver.receive(&PushRequest::new(&Method::POST, "", &headers, body))?;
//! let event = received.event().ok_or("not an event")?;
//! assert_eq!(event.event.id, "999");
//! assert_eq!(event.typed.noise, 4970601478527096155);
//! assert_eq!(received.reply().body, b"4970601478527096155");
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aes::Aes128;
use aes::cipher::{KeyIvInit, StreamCipher};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use scrm_core::de::Id;
use scrm_core::push::{
    PushError, PushErrorKind, PushEvent, PushReply, PushRequest, Received, Verified, check_request,
    config_error, describe_serde, required_secret, signature_matches,
};
use scrm_core::{Clock, Error, Method, Secret, SystemClock};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const VENDOR: &str = "tanma";

/// The default accepted distance between a push's timestamp and this machine's clock.
pub const DEFAULT_TIMESTAMP_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The `version` header value tanma sends.
pub const PUSH_VERSION: &str = "1";

type Aes128Ctr = ctr::Ctr128BE<Aes128>;

/// The push `sign`: lowercase hex `sha256(appId + version + timestamp + appKey)`.
///
/// ```
/// assert_eq!(
///     scrm_tanma::push::signature("zc_test", "1", "1596681164807", "zc_test"),
///     "317672b4685d9b8bafe1794390e31209aed5cef912683292fed94a69085919d3",
/// );
/// ```
pub fn signature(app_id: &str, version: &str, timestamp: &str, app_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(version.as_bytes());
    h.update(timestamp.as_bytes());
    h.update(app_key.as_bytes());
    hex::encode(h.finalize())
}

/// The corp id of an app id: the part before its last `_`, or the whole app id without one.
///
/// ```
/// assert_eq!(scrm_tanma::push::corp_id_of("wwEXAMPLE_corp_AbCdEf"), "wwEXAMPLE_corp");
/// assert_eq!(scrm_tanma::push::corp_id_of("zc_test"), "zc");
/// assert_eq!(scrm_tanma::push::corp_id_of("plain"), "plain");
/// ```
pub fn corp_id_of(app_id: &str) -> &str {
    app_id.rsplit_once('_').map_or(app_id, |(corp, _)| corp)
}

/// The key schedule, in one place: AES-128 key from the app key, IV from the corp id.
#[derive(Clone)]
struct Keys {
    app_id: String,
    app_key: Secret,
    key: [u8; 16],
    iv: [u8; 16],
}

impl Keys {
    fn new(app_id: String, app_key: Secret, corp_id: &str) -> Self {
        let first16 = |bytes: &[u8]| {
            let d = Sha256::digest(bytes);
            let mut out = [0u8; 16];
            out.copy_from_slice(&d[..16]);
            out
        };
        Keys {
            key: first16(app_key.expose().as_bytes()),
            iv: first16(corp_id.as_bytes()),
            app_id,
            app_key,
        }
    }

    /// AES-128-CTR in place (the same operation encrypts and decrypts).
    fn apply(&self, buf: &mut [u8]) {
        let mut cipher = Aes128Ctr::new(&self.key.into(), &self.iv.into());
        cipher.apply_keystream(buf);
    }
}

/// Verifies and decrypts tanma pushes. Build with [`PushReceiver::builder`].
///
/// `Debug` never shows the app key.
#[derive(Clone)]
pub struct PushReceiver {
    keys: Keys,
    window: Duration,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for PushReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushReceiver")
            .field("vendor", &VENDOR)
            .field("app_id", &self.keys.app_id)
            .field("app_key", &"***")
            .field("timestamp_window", &self.window)
            .finish()
    }
}

scrm_core::push_receiver_builder! {
    /// Builds a [`PushReceiver`] (and its [`PushSender`]) from tanma's push secrets.
    pub struct PushReceiverBuilder for PushReceiver {
        secrets {
            /// The app id (`appId`): every push carries it in its `appId` header.
            app_id: String,
            /// The app key (`appKey`): signs every push and derives the AES key.
            app_key: Secret,
            /// The corp id the IV is derived from; default: [`corp_id_of`] the app id.
            corp_id: String,
        }
        settings {
            timestamp_window: Duration = DEFAULT_TIMESTAMP_WINDOW,
        }
        unshown {
            clock: Arc<dyn Clock> = Arc::new(SystemClock),
        }
    }
}

impl PushReceiverBuilder {
    /// The accepted distance between a push's timestamp and the clock, either way (default
    /// [`DEFAULT_TIMESTAMP_WINDOW`]).
    pub fn timestamp_window(mut self, window: Duration) -> Self {
        self.timestamp_window = window;
        self
    }

    /// The clock the timestamp window is measured against (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Checks the secrets: a configuration error names what is wrong without showing a secret.
    pub fn build(self) -> Result<PushReceiver, Error> {
        let app_id = self
            .app_id
            .filter(|a| !a.is_empty())
            .ok_or_else(|| config_error(VENDOR, "the app id (appId) is missing or empty"))?;
        if !app_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(config_error(
                VENDOR,
                "the app id (appId) must be visible ASCII without spaces: check that it was copied exactly",
            ));
        }
        let app_key = required_secret(
            VENDOR,
            self.app_key,
            "the app key (appKey)",
            "the app key (appKey) is missing or empty",
        )?;
        let corp_id = match self.corp_id {
            Some(c) if c.trim().is_empty() => {
                return Err(config_error(
                    VENDOR,
                    "the corp id is empty: leave it unset to derive it from the app id",
                ));
            }
            Some(c) => c,
            None => corp_id_of(&app_id).to_owned(),
        };
        Ok(PushReceiver {
            keys: Keys::new(app_id, app_key, &corp_id),
            window: self.timestamp_window,
            clock: self.clock,
        })
    }
}

fn refuse(kind: PushErrorKind, message: impl Into<std::borrow::Cow<'static, str>>) -> PushError {
    PushError::new(VENDOR, kind, message)
}

impl PushReceiver {
    /// The sending side with the same secrets (for the sandbox and for tests).
    pub fn sender(&self) -> PushSender {
        PushSender {
            keys: self.keys.clone(),
        }
    }

    /// Verifies and decrypts one push.
    ///
    /// Refusals: [`PushErrorKind::BadSignature`] (a missing header or a wrong `sign`),
    /// [`PushErrorKind::WrongReceiver`] (another `appId`), [`PushErrorKind::Stale`] (timestamp
    /// outside the window), [`PushErrorKind::Malformed`] (timestamp not a number, body not
    /// base64, decrypted JSON without `type`/`noise`/`msgId`), [`PushErrorKind::Undecryptable`]
    /// (does not decrypt to JSON: wrong app key or corp id), [`PushErrorKind::TooLarge`],
    /// [`PushErrorKind::MethodNotAllowed`].
    pub fn receive(&self, request: &PushRequest<'_>) -> Result<Received<TanmaPush>, PushError> {
        check_request(VENDOR, request, &[Method::POST], "tanma pushes with POST")?;
        let header = |name: &'static str| {
            request.header(name).ok_or_else(|| {
                refuse(
                    PushErrorKind::BadSignature,
                    format!("the `{name}` header is missing: the signature cannot be checked"),
                )
            })
        };
        let app_id = header("appId")?;
        let timestamp = header("timestamp")?;
        let version = header("version")?;
        let sign = header("sign")?;
        if app_id != self.keys.app_id {
            return Err(refuse(
                PushErrorKind::WrongReceiver,
                "the push is for another app id: check the configured app id",
            ));
        }
        let expected = signature(app_id, version, timestamp, self.keys.app_key.expose());
        if !signature_matches(&expected, sign) {
            return Err(refuse(
                PushErrorKind::BadSignature,
                "`sign` does not match: check the app key (or the push is forged)",
            ));
        }
        let millis: u64 = timestamp.trim().parse().map_err(|_| {
            refuse(
                PushErrorKind::Malformed,
                "the `timestamp` header is not epoch milliseconds",
            )
        })?;
        self.check_window(millis)?;

        let mut buf = STANDARD
            .decode(trim_ascii(request.body))
            .map_err(|_| refuse(PushErrorKind::Malformed, "the body is not base64"))?;
        self.keys.apply(&mut buf);
        let payload: serde_json::Value = serde_json::from_slice(&buf).map_err(|_| {
            refuse(
                PushErrorKind::Undecryptable,
                "the body does not decrypt to JSON: the signature matched, so check the corp id (the IV's source) and the app key",
            )
        })?;
        let typed = TanmaPush::deserialize(&payload).map_err(|e| {
            refuse(
                PushErrorKind::Malformed,
                format!(
                    "the decrypted push is not the documented {{type, noise, msgId, content}}: {}",
                    describe_serde(&e)
                ),
            )
        })?;
        let reply = PushReply::text(typed.noise.to_string());
        let event = PushEvent::new(VENDOR, typed.msg_id.as_str(), typed.kind.clone(), payload);
        Ok(Received::Event(Verified::new(event, typed, reply)))
    }

    fn check_window(&self, millis: u64) -> Result<(), PushError> {
        let now = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let ts = u128::from(millis);
        let distance = now.abs_diff(ts);
        if distance > self.window.as_millis() {
            let direction = if ts < now { "behind" } else { "ahead of" };
            return Err(refuse(
                PushErrorKind::Stale,
                format!(
                    "the timestamp is {} s {direction} this machine's clock, outside the ±{} s window: a replayed push, or check this machine's clock (NTP)",
                    distance / 1000,
                    self.window.as_secs()
                ),
            ));
        }
        Ok(())
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// A decrypted tanma push.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TanmaPush {
    /// `type`: `verify`, `register`, `change_corp_tag`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The random number to echo in the reply, exactly (beyond 2^53: never through `f64`).
    pub noise: i64,
    /// The message id: the deduplication key (a number on the wire, kept exactly).
    #[serde(rename = "msgId")]
    pub msg_id: Id,
    /// The content, typed where documented.
    #[serde(default)]
    pub content: serde_json::Value,
}

impl TanmaPush {
    /// The content, typed where the vendor documents it.
    pub fn typed_content(&self) -> TanmaContent {
        if self.kind == "change_corp_tag"
            && let Ok(change) = serde_json::from_value::<CorpTagChange>(self.content.clone())
        {
            return TanmaContent::ChangeCorpTag(Box::new(change));
        }
        TanmaContent::Unknown(self.content.clone())
    }
}

/// The content of a push, by its `type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TanmaContent {
    /// `change_corp_tag`: a corp tag or tag group was created, updated or deleted.
    ChangeCorpTag(Box<CorpTagChange>),
    /// Any other type (or a content this version cannot read), raw.
    Unknown(serde_json::Value),
}

/// The content of a `change_corp_tag` push.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CorpTagChange {
    /// tanma's tag id.
    #[serde(default, deserialize_with = "scrm_core::de::opt_id")]
    pub tag_id: Option<Id>,
    /// The WeCom tag id.
    #[serde(default, deserialize_with = "scrm_core::de::opt_id")]
    pub qw_tag_id: Option<Id>,
    /// tanma's tag group id.
    #[serde(default, deserialize_with = "scrm_core::de::opt_id")]
    pub tag_group_id: Option<Id>,
    /// The tag group's name.
    #[serde(default)]
    pub tag_group_name: Option<String>,
    /// The WeCom tag group id.
    #[serde(default, deserialize_with = "scrm_core::de::opt_id")]
    pub tag_group_qw_id: Option<Id>,
    /// What changed: a tag group or a tag.
    #[serde(default)]
    pub tag_type: Option<TagType>,
    /// The current name.
    #[serde(default)]
    pub current_name: Option<String>,
    /// The change.
    #[serde(default)]
    pub change_type: Option<ChangeType>,
    /// The sort order, as sent.
    #[serde(default)]
    pub order: Option<serde_json::Value>,
    /// Keys this version does not model.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// `tagType` of a `change_corp_tag` push.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TagType {
    /// `tag_group`.
    TagGroup,
    /// `tag`.
    Tag,
    /// Another value, as sent.
    #[serde(untagged)]
    Unknown(String),
}

/// `changeType` of a `change_corp_tag` push.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeType {
    /// `create`.
    Create,
    /// `update`.
    Update,
    /// `delete`.
    Delete,
    /// Another value, as sent.
    #[serde(untagged)]
    Unknown(String),
}

pub use scrm_core::push::SealedPush;

/// Signs and encrypts tanma pushes, as tanma does (for the sandbox and for tests of code that
/// receives pushes). Obtain it from [`PushReceiver::sender`].
///
/// ```
/// use scrm_core::push::PushRequest;
/// use scrm_core::{HeaderMap, HeaderName, HeaderValue};
/// use scrm_tanma::push::PushReceiver;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let receiver = PushReceiver::builder().app_id("corp_app").app_key("key").build()?;
/// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as u64;
/// let push = receiver.sender().seal(br#"{"type":"register","noise":-9123456789012345678,"msgId":7,"content":"x"}"#, now);
/// let mut headers = HeaderMap::new();
/// for (k, v) in &push.headers {
///     headers.insert(HeaderName::from_bytes(k.as_bytes())?, HeaderValue::from_str(v)?);
/// }
/// let received = receiver.receive(&PushRequest::new(&push.method, "", &headers, &push.body))?;
/// assert_eq!(received.reply().body, b"-9123456789012345678");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PushSender {
    keys: Keys,
}

impl fmt::Debug for PushSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushSender")
            .field("vendor", &VENDOR)
            .field("app_id", &self.keys.app_id)
            .finish_non_exhaustive()
    }
}

impl PushSender {
    /// A push of `plaintext` (the JSON `{"type","noise","msgId","content"}`) signed with
    /// `timestamp_ms`.
    pub fn seal(&self, plaintext: &[u8], timestamp_ms: u64) -> SealedPush {
        let mut buf = plaintext.to_vec();
        self.keys.apply(&mut buf);
        self.seal_encrypted(STANDARD.encode(&buf).into_bytes(), timestamp_ms)
    }

    /// A signed push with `body` as it is (for forged or replayed pushes).
    pub fn seal_encrypted(&self, body: Vec<u8>, timestamp_ms: u64) -> SealedPush {
        let ts = timestamp_ms.to_string();
        let sign = signature(
            &self.keys.app_id,
            PUSH_VERSION,
            &ts,
            self.keys.app_key.expose(),
        );
        SealedPush {
            method: Method::POST,
            query: String::new(),
            headers: vec![
                ("content-type", "text/plain;charset=UTF-8".to_owned()),
                ("appId", self.keys.app_id.clone()),
                ("timestamp", ts),
                ("version", PUSH_VERSION.to_owned()),
                ("sign", sign),
            ],
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const VECTOR_BODY: &str = "5TMVT8H4yTSSoING+afhRlGcCZAIxTs8Z7o3vGpid6tF2aF7C73uZ44qMopuNPCFmwOLOJ8xViCTHUfe/xYZSb71/VRSEDeIqqwN4eg=";
    const VECTOR_PLAIN: &str =
        r#"{"type":"register","noise":4970601478527096155,"msgId":999,"content":"hello"}"#;

    #[test]
    fn vector_decrypts_with_the_documented_key_schedule() {
        let keys = Keys::new("zc_test".into(), Secret::new("zc_test"), "zc_test");
        let mut buf = STANDARD.decode(VECTOR_BODY).unwrap();
        keys.apply(&mut buf);
        assert_eq!(String::from_utf8(buf).unwrap(), VECTOR_PLAIN);
        // The IV really comes from the corp id: `zc` (the default derivation) does not decrypt.
        let keys = Keys::new("zc_test".into(), Secret::new("zc_test"), "zc");
        let mut buf = STANDARD.decode(VECTOR_BODY).unwrap();
        keys.apply(&mut buf);
        assert!(serde_json::from_slice::<serde_json::Value>(&buf).is_err());
    }
}
