//! waiqin 消息推送: receiving (and, for tests, sending) pushed events.
//!
//! - `POST`, `application/x-www-form-urlencoded`, fields `msgId`, `dataType`, `dataId`,
//!   `dataVersion`, `dataFormat`, `dataSource`, `data` (a JSON document in a string),
//!   `timestamp` (epoch ms), `status` (`0` first push, `2` a retry), `statusTime`, `digest`,
//!   `tenantId`.
//! - `digest = lowercase_hex(md5(data + "|" + pushsecret + "|" + timestamp))` over the
//!   URL-decoded `data`; the other fields are not covered.
//! - Reply `{"return_code":0}` (numeric, unlike the pull API) when handled,
//!   [`RETRY_REPLY`] `{"return_code":1}` to have it pushed again. A failed push is retried
//!   daily for up to 10 days, possibly with its original timestamp, so there is no timestamp
//!   window; deduplicate on `msgId`.
//!
//! ```
//! use scrm_core::push::PushRequest;
//! use scrm_core::{HeaderMap, Method};
//! use scrm_waiqin::push::PushReceiver;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let receiver = PushReceiver::builder().push_secret("the-push-secret").build()?;
//! let push = receiver.sender().seal(&[
//!     ("msgId", "m-1"),
//!     ("dataType", "custom"),
//!     ("data", r#"{"id":"7087293505129744417"}"#),
//!     ("timestamp", "1569404987248"),
//!     ("status", "0"),
//! ]);
//! let headers = HeaderMap::new();
//! let received = receiver.receive(&PushRequest::new(&Method::POST, "", &headers, &push.body))?;
//! let event = received.event().ok_or("not an event")?;
//! assert_eq!((event.event.id.as_str(), event.event.event_type.as_str()), ("m-1", "custom"));
//! assert_eq!(event.event.payload["data"]["id"], "7087293505129744417");
//! assert_eq!(received.reply().body, br#"{"return_code":0}"#);
//! # Ok(()) }
//! ```

use std::fmt;

use scrm_core::push::{
    PushError, PushErrorKind, PushEvent, PushReply, PushRequest, Received, Verified, check_request,
    required_secret, signature_matches,
};
use scrm_core::{Error, Method, Secret};
use serde::Serialize;

const VENDOR: &str = "waiqin";

/// The reply to a handled push.
pub const SUCCESS_REPLY: &[u8] = br#"{"return_code":0}"#;
/// The reply asking waiqin to push again later.
pub const RETRY_REPLY: &[u8] = br#"{"return_code":1}"#;

/// The push `digest`: lowercase hex `md5(data + "|" + push_secret + "|" + timestamp)`.
///
/// ```
/// // Vendor-documented shape; the pushsecret of the vendor's example is not published, so this
/// // value was computed independently (`printf '%s' '{}|secret|1569404987248' | md5sum`).
/// assert_eq!(
///     scrm_waiqin::push::signature("{}", "secret", "1569404987248"),
///     "fd3dd8e83cb2be396525f26cde87b10b",
/// );
/// ```
pub fn signature(data: &str, push_secret: &str, timestamp: &str) -> String {
    crate::auth::digest(data.as_bytes(), push_secret, timestamp)
}

/// Verifies waiqin pushes. Build with [`PushReceiver::builder`].
///
/// `Debug` never shows the push secret.
#[derive(Clone)]
pub struct PushReceiver {
    push_secret: Secret,
}

impl fmt::Debug for PushReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushReceiver")
            .field("vendor", &VENDOR)
            .field("push_secret", &"***")
            .finish()
    }
}

scrm_core::push_receiver_builder! {
    /// Builds a [`PushReceiver`] (and its [`PushSender`]) from waiqin's push secret.
    pub struct PushReceiverBuilder for PushReceiver {
        secrets {
            /// The push secret (`pushsecret`) of waiqin's push settings (not the API `appkey`).
            push_secret: Secret,
        }
    }
}

impl PushReceiverBuilder {
    /// Checks the secret: a configuration error names what is wrong without showing it.
    pub fn build(self) -> Result<PushReceiver, Error> {
        let push_secret = required_secret(
            VENDOR,
            self.push_secret,
            "the push secret",
            "the push secret (pushsecret) is missing or empty: copy it from waiqin's 消息推送 settings",
        )?;
        Ok(PushReceiver { push_secret })
    }
}

fn refuse(kind: PushErrorKind, message: impl Into<std::borrow::Cow<'static, str>>) -> PushError {
    PushError::new(VENDOR, kind, message)
}

impl PushReceiver {
    /// The sending side with the same secret (for the sandbox and for tests).
    pub fn sender(&self) -> PushSender {
        PushSender {
            push_secret: self.push_secret.clone(),
        }
    }

    /// Verifies one push.
    ///
    /// Refusals: [`PushErrorKind::BadSignature`] (`digest`, `data` or `timestamp` missing, or
    /// a wrong digest), [`PushErrorKind::Malformed`] (not a form, no `msgId`, `data` not
    /// JSON), [`PushErrorKind::TooLarge`], [`PushErrorKind::MethodNotAllowed`].
    pub fn receive(&self, request: &PushRequest<'_>) -> Result<Received<WaiqinPush>, PushError> {
        check_request(VENDOR, request, &[Method::POST], "waiqin pushes with POST")?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(request.body).map_err(|_| {
                refuse(
                    PushErrorKind::Malformed,
                    "the body is not an application/x-www-form-urlencoded form",
                )
            })?;
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let missing = |field: &'static str| {
            refuse(
                PushErrorKind::BadSignature,
                format!("the `{field}` field is missing: the digest cannot be checked"),
            )
        };
        let digest = get("digest").ok_or_else(|| missing("digest"))?;
        let data = get("data").ok_or_else(|| missing("data"))?;
        let timestamp = get("timestamp").ok_or_else(|| missing("timestamp"))?;
        let expected = signature(data, self.push_secret.expose(), timestamp);
        if !signature_matches(&expected, digest) {
            return Err(refuse(
                PushErrorKind::BadSignature,
                "`digest` does not match: check the push secret, not the API appkey (or the push is forged)",
            ));
        }
        let msg_id = get("msgId")
            .filter(|m| !m.is_empty())
            .ok_or_else(|| refuse(PushErrorKind::Malformed, "the `msgId` field is missing"))?;
        let parsed: serde_json::Value = serde_json::from_str(data).map_err(|_| {
            refuse(
                PushErrorKind::Malformed,
                "the `data` field is not a JSON document",
            )
        })?;
        let mut payload = serde_json::Map::new();
        for (k, v) in &fields {
            if payload.contains_key(k) {
                continue;
            }
            let value = if k == "data" {
                parsed.clone()
            } else {
                serde_json::Value::String(v.clone())
            };
            payload.insert(k.clone(), value);
        }
        let text = |name: &str| get(name).map(str::to_owned);
        let typed = WaiqinPush {
            msg_id: msg_id.to_owned(),
            data_type: text("dataType"),
            data_id: text("dataId"),
            data_version: text("dataVersion"),
            data_format: text("dataFormat"),
            data_source: text("dataSource"),
            data: parsed,
            data_raw: data.to_owned(),
            timestamp: timestamp.to_owned(),
            status: PushStatus::parse(get("status")),
            status_time: text("statusTime"),
            tenant_id: text("tenantId"),
        };
        let event = PushEvent::new(
            VENDOR,
            msg_id,
            typed.data_type.clone().unwrap_or_default(),
            serde_json::Value::Object(payload),
        );
        Ok(Received::Event(Verified::new(
            event,
            typed,
            PushReply::json(SUCCESS_REPLY),
        )))
    }
}

/// `status` of a push: first delivery or a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PushStatus {
    /// `0`: the first push.
    First,
    /// `2`: a retry after a failed push (`statusTime` says when it failed).
    Retry,
    /// Absent.
    Missing,
    /// Another value, as sent.
    Unknown(String),
}

impl PushStatus {
    fn parse(value: Option<&str>) -> Self {
        match value {
            None => PushStatus::Missing,
            Some("0") => PushStatus::First,
            Some("2") => PushStatus::Retry,
            Some(other) => PushStatus::Unknown(other.to_owned()),
        }
    }
}

/// The fields of a verified waiqin push.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WaiqinPush {
    /// `msgId`: the deduplication key across retries.
    pub msg_id: String,
    /// `dataType` (`custom`, `visit`, `employee`, …).
    pub data_type: Option<String>,
    /// `dataId`.
    pub data_id: Option<String>,
    /// `dataVersion` (e.g. `001`).
    pub data_version: Option<String>,
    /// `dataFormat` (`json`).
    pub data_format: Option<String>,
    /// `dataSource` (`biz` or `api`).
    pub data_source: Option<String>,
    /// `data`, parsed.
    pub data: serde_json::Value,
    /// `data` exactly as received (what the digest covers).
    pub data_raw: String,
    /// `timestamp` (epoch ms), as sent.
    pub timestamp: String,
    /// `status`.
    pub status: PushStatus,
    /// `statusTime` (`yyyy-MM-dd HH:mm:ss`, the last failure), as sent.
    pub status_time: Option<String>,
    /// `tenantId`.
    pub tenant_id: Option<String>,
}

pub use scrm_core::push::SealedPush;

/// Signs waiqin pushes, as waiqin does (for the sandbox and for tests of code that receives
/// pushes). Obtain it from [`PushReceiver::sender`].
#[derive(Clone)]
pub struct PushSender {
    push_secret: Secret,
}

impl fmt::Debug for PushSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushSender")
            .field("vendor", &VENDOR)
            .finish_non_exhaustive()
    }
}

impl PushSender {
    /// A push of the form `fields` (in order) with its `digest` appended, computed over the
    /// `data` and `timestamp` fields (empty when absent).
    pub fn seal(&self, fields: &[(&str, &str)]) -> SealedPush {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == name)
                .map_or("", |(_, v)| *v)
        };
        let digest = signature(get("data"), self.push_secret.expose(), get("timestamp"));
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("digest", &digest));
        Self::form(&all)
    }

    /// A push of the form `fields` exactly as given (for forged pushes).
    pub fn form(fields: &[(&str, &str)]) -> SealedPush {
        let body = serde_urlencoded::to_string(fields).unwrap_or_default();
        SealedPush {
            method: Method::POST,
            query: String::new(),
            headers: vec![(
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body: body.into_bytes(),
        }
    }
}
