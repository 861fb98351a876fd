//! The wshoto envelope `{code, msg, data, sub_code?}` and the code table.

use std::collections::BTreeSet;
use std::sync::Arc;

use scrm_core::de;
use scrm_core::{Error, ErrorKind, HttpResponse, SignReceipt, Vendor, decode_envelope};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

/// The `code` of a successful answer.
pub const SUCCESS: i64 = 0;

/// Codes meaning "the access token is invalid or expired" unless configured otherwise
/// ([`token_invalid_codes`](crate::ConfigureTokens::token_invalid_codes)).
///
/// Source: working client code (wshoto publishes no code table). The client drops the token
/// that was used, fetches a new one and retries the call once.
pub const DEFAULT_TOKEN_INVALID_CODES: [i64; 3] = [10001, 10010, 10011];

/// Every wshoto answer: `{"code": 0, "msg": "ok", "data": …, "sub_code": "00000"}`.
///
/// `code == 0` is success. Errors may also arrive with a non-2xx HTTP status and the same
/// body; they are decoded all the same.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>", serialize = "T: Serialize"))]
#[non_exhaustive]
pub struct Envelope<T> {
    /// 0 on success, otherwise an error code (see [`Wshoto::classify`]).
    #[serde(deserialize_with = "de::int")]
    pub code: i64,
    /// The vendor's description of `code`.
    #[serde(
        default,
        deserialize_with = "de::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub msg: Option<String>,
    /// The payload (absent or `null` on errors).
    #[serde(default)]
    pub data: Option<T>,
    /// A finer-grained code some endpoints add (`"00000"` on success).
    #[serde(
        default,
        deserialize_with = "de::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub sub_code: Option<String>,
}

/// The wshoto vendor: its envelope and its code table.
///
/// Cheap to clone. [`Wshoto::default`] uses [`DEFAULT_TOKEN_INVALID_CODES`].
#[derive(Clone, Debug)]
pub struct Wshoto {
    token_invalid_codes: Arc<BTreeSet<i64>>,
}

impl Default for Wshoto {
    fn default() -> Self {
        Wshoto::new(DEFAULT_TOKEN_INVALID_CODES)
    }
}

impl Wshoto {
    /// The vendor with its own set of token-invalid codes.
    pub fn new(token_invalid_codes: impl IntoIterator<Item = i64>) -> Self {
        Wshoto {
            token_invalid_codes: Arc::new(token_invalid_codes.into_iter().collect()),
        }
    }

    /// The codes treated as "token invalid".
    pub fn token_invalid_codes(&self) -> impl Iterator<Item = i64> + '_ {
        self.token_invalid_codes.iter().copied()
    }

    /// The code table: what a non-zero `code` means, given the HTTP status it came with.
    ///
    /// | code | class | source |
    /// |---|---|---|
    /// | 10001, 10010, 10011 (configurable) | [`ErrorKind::AuthExpired`]: the token is dropped, a new one fetched, the call retried **once** | code |
    /// | 45009, 45033 | [`ErrorKind::Throttled`]: retried with backoff, the client slows down | inferred (WeCom frequency/concurrency limits, which wshoto relays) |
    /// | -1 | [`ErrorKind::Transient`]: retried | inferred (WeCom "system busy") |
    /// | any other, HTTP 5xx | [`ErrorKind::Transient`]: retried | — |
    /// | any other | [`ErrorKind::Service`]: not retried | — |
    ///
    /// wshoto publishes no code table, so no code is classified as invalid-request, clock-skew
    /// or credentials-rejected on the API endpoints; unknown codes are permanent errors that
    /// carry the vendor's code and message. (The access-token endpoint maps its own failures
    /// to [`ErrorKind::AuthRejected`] unless this table says throttled or transient.)
    pub fn classify(&self, code: i64, http_status: u16) -> ErrorKind {
        if self.token_invalid_codes.contains(&code) {
            return ErrorKind::AuthExpired;
        }
        match code {
            45009 | 45033 => ErrorKind::Throttled,
            -1 => ErrorKind::Transient,
            _ if (500..600).contains(&http_status) => ErrorKind::Transient,
            _ => ErrorKind::Service,
        }
    }

    /// The classified error for a failed answer.
    pub(crate) fn error(
        &self,
        code: i64,
        msg: Option<String>,
        sub_code: Option<String>,
        http_status: u16,
    ) -> Error {
        let message = Wshoto::message(msg, sub_code);
        Error::vendor(self.classify(code, http_status), code, message)
    }

    /// The message of a failed answer: `msg`, and the `sub_code` unless it is all zeros.
    pub(crate) fn message(msg: Option<String>, sub_code: Option<String>) -> String {
        let mut message = msg.unwrap_or_default();
        if let Some(sub) = sub_code.filter(|s| !s.is_empty() && s.bytes().any(|b| b != b'0')) {
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(&format!("(sub_code {sub})"));
        }
        message
    }
}

impl Vendor for Wshoto {
    const NAME: &'static str = "wshoto";

    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        _receipt: &SignReceipt,
    ) -> Result<T, Error> {
        let status = response.status.as_u16();
        // The payload did not decode: if the head says "error", that error is the news.
        let envelope: Envelope<T> =
            decode_envelope(&response.body, |head: Option<Envelope<IgnoredAny>>| {
                let head = head.filter(|h| h.code != SUCCESS)?;
                Some(self.error(head.code, head.msg, head.sub_code, status))
            })?;
        if envelope.code != SUCCESS {
            return Err(self.error(envelope.code, envelope.msg, envelope.sub_code, status));
        }
        match envelope.data {
            Some(data) => Ok(data),
            // `data: null` is fine for payloads that may be empty (`Option<_>`, `()`).
            None => serde_json::from_value(serde_json::Value::Null).map_err(|_| {
                Error::decode("data", "the answer reports success but carries no `data`")
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::StatusCode;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(StatusCode::from_u16(status).unwrap(), body.to_owned())
    }

    fn open<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, Error> {
        Wshoto::default().open(&response(status, body), &SignReceipt::default())
    }

    #[test]
    fn code_table() {
        let w = Wshoto::default();
        for code in DEFAULT_TOKEN_INVALID_CODES {
            assert_eq!(w.classify(code, 200), ErrorKind::AuthExpired);
            assert_eq!(w.classify(code, 401), ErrorKind::AuthExpired);
        }
        assert_eq!(w.classify(45009, 200), ErrorKind::Throttled);
        assert_eq!(w.classify(45033, 200), ErrorKind::Throttled);
        assert_eq!(w.classify(-1, 200), ErrorKind::Transient);
        assert_eq!(w.classify(40001, 200), ErrorKind::Service);
        assert_eq!(w.classify(40001, 400), ErrorKind::Service);
        assert_eq!(w.classify(40001, 503), ErrorKind::Transient);
        let custom = Wshoto::new([42]);
        assert_eq!(custom.classify(42, 200), ErrorKind::AuthExpired);
        assert_eq!(custom.classify(10001, 200), ErrorKind::Service);
        assert_eq!(custom.token_invalid_codes().collect::<Vec<_>>(), [42]);
    }

    #[test]
    fn success_returns_data() {
        let v: Vec<u32> = open(200, r#"{"code":0,"msg":"ok","data":[1,2]}"#).unwrap();
        assert_eq!(v, [1, 2]);
        let code_as_string: Vec<u32> = open(200, r#"{"code":"0","data":[3]}"#).unwrap();
        assert_eq!(code_as_string, [3]);
    }

    #[test]
    fn success_without_data() {
        let none: Option<u32> = open(200, r#"{"code":0,"msg":"ok"}"#).unwrap();
        assert_eq!(none, None);
        let e = open::<Vec<u32>>(200, r#"{"code":0,"msg":"ok","data":null}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("no `data`"), "{e}");
    }

    #[test]
    fn errors_are_classified_with_code_and_message() {
        let e =
            open::<Vec<u32>>(200, r#"{"code":10001,"msg":"token失效","data":null}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthExpired);
        assert_eq!(e.code(), Some("10001"));
        assert_eq!(e.message(), "token失效");
    }

    #[test]
    fn non_2xx_with_the_same_body_is_decoded() {
        let e = open::<Vec<u32>>(403, r#"{"code":10010,"msg":"token expired"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthExpired);
        let e = open::<Vec<u32>>(500, r#"{"code":50000,"msg":"内部错误"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert_eq!(e.code(), Some("50000"));
    }

    #[test]
    fn an_error_with_an_odd_data_is_still_the_vendor_error() {
        let e = open::<Vec<u32>>(200, r#"{"code":40001,"msg":"参数错误","data":""}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.code(), Some("40001"));
    }

    #[test]
    fn sub_code_is_kept_unless_all_zeros() {
        let e =
            open::<Vec<u32>>(200, r#"{"code":40001,"msg":"x","sub_code":"A0101"}"#).unwrap_err();
        assert_eq!(e.message(), "x (sub_code A0101)");
        let e =
            open::<Vec<u32>>(200, r#"{"code":40001,"msg":"x","sub_code":"00000"}"#).unwrap_err();
        assert_eq!(e.message(), "x");
    }

    #[test]
    fn a_success_with_a_bad_payload_names_the_path() {
        let e = open::<Vec<u32>>(200, r#"{"code":0,"data":["x"]}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("data[0]"), "{e}");
    }

    #[test]
    fn not_an_envelope() {
        let e = open::<Vec<u32>>(200, r#"{"error":"gateway"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("code"), "{e}");
    }
}
