//! The tanma envelope `{code, message, data}` and the code table.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use scrm_core::{
    Error, ErrorKind, HttpResponse, SignReceipt, Vendor, decode_envelope, decode_json,
};

/// `code` of a successful response.
pub const CODE_OK: i64 = 0;
/// `code` of a request whose `sign` does not match (wrong appId/appKey, or a body changed after
/// signing).
pub const CODE_BAD_SIGNATURE: i64 = 1002;
/// `code` of a request whose `timestamp` is too far from the server's clock.
pub const CODE_TIMESTAMP_OUT_OF_RANGE: i64 = 1003;
/// `code` of a parameter validation failure (seen for a duplicate phone number).
pub const CODE_PARAMETER_INVALID: i64 = 40417;

/// The tanma vendor: its name (`"tanma"`) and its envelope.
///
/// Responses are `{"code": 0, "message": "ok", "data": …}`; `code == 0` is success, anything
/// else an error classified by [`classify`]. A successful response whose `data` is `null` or
/// absent reads as an empty page (the customer-file page documents `data` as `object | null`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tanma;

/// The envelope, decoded once with the payload.
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(deserialize_with = "scrm_core::de::int")]
    code: i64,
    #[serde(default)]
    message: Option<String>,
    /// A missing `data` reads as `None` (serde's rule for `Option` fields).
    data: Option<T>,
}

/// Maps a tanma `code` onto an [`ErrorKind`]. This is the whole code table:
///
/// | code | meaning | kind | what the client does |
/// |---|---|---|---|
/// | 0 | success | — | returns `data` |
/// | 1002 | bad signature | [`ErrorKind::AuthRejected`] | fails at once: check appId/appKey |
/// | 1003 | timestamp too far from server time | [`ErrorKind::ClockSkew`] | re-signs with a fresh timestamp and retries once |
/// | 40417 | parameter validation failed | [`ErrorKind::InvalidRequest`] | fails at once |
/// | other, HTTP 5xx | unknown server failure | [`ErrorKind::Transient`] | retries with backoff |
/// | other | unknown | [`ErrorKind::Service`] | fails at once |
///
/// The codes come from working clients (the vendor publishes no table). HTTP 429, gateway HTML
/// pages and network failures are classified before the envelope is read.
///
/// ```
/// use scrm_tanma::{ErrorKind, classify};
/// assert_eq!(classify(1002, 200), ErrorKind::AuthRejected);
/// assert_eq!(classify(1003, 200), ErrorKind::ClockSkew);
/// assert_eq!(classify(40417, 200), ErrorKind::InvalidRequest);
/// assert_eq!(classify(1000, 200), ErrorKind::Service);
/// assert_eq!(classify(1000, 503), ErrorKind::Transient);
/// ```
pub fn classify(code: i64, http_status: u16) -> ErrorKind {
    match code {
        CODE_BAD_SIGNATURE => ErrorKind::AuthRejected,
        CODE_TIMESTAMP_OUT_OF_RANGE => ErrorKind::ClockSkew,
        CODE_PARAMETER_INVALID => ErrorKind::InvalidRequest,
        _ if (500..=599).contains(&http_status) => ErrorKind::Transient,
        _ => ErrorKind::Service,
    }
}

/// A classified error for a non-zero `code`, with advice for the codes that need it.
fn vendor_error(code: i64, message: Option<String>, http_status: u16) -> Error {
    let message = message.unwrap_or_default();
    let advice = match code {
        CODE_BAD_SIGNATURE => Some(
            "check appId and appKey; the sign is sha256(appId + timestamp + body + appKey) over \
             the exact body bytes sent",
        ),
        CODE_TIMESTAMP_OUT_OF_RANGE => {
            Some("the timestamp header is this machine's clock in epoch milliseconds")
        }
        _ => None,
    };
    let message = match advice {
        Some(advice) if message.is_empty() => advice.to_owned(),
        Some(advice) => format!("{message} — {advice}"),
        None => message,
    };
    Error::vendor(classify(code, http_status), code, message)
}

impl Vendor for Tanma {
    const NAME: &'static str = "tanma";

    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        _receipt: &SignReceipt,
    ) -> Result<T, Error> {
        let status = response.status.as_u16();
        // The payload did not fit: an error envelope's `data` may have any shape, so read the
        // head alone before reporting a decode error.
        let decoded: Envelope<T> = decode_envelope(
            &response.body,
            |head: Option<Envelope<IgnoredAny>>| match head {
                Some(head) => {
                    (head.code != CODE_OK).then(|| vendor_error(head.code, head.message, status))
                }
                None if status == 404 => Some(Error::new(
                    ErrorKind::Config,
                    "HTTP 404 without a tanma envelope: check the base URL, which is \
                     everything before `/api/v3/…` (https://account.tanmarket.cn/apiServer \
                     or https://api.tanmarket.cn:20066, without a trailing `/api`)",
                )),
                None => None,
            },
        )?;
        if decoded.code != CODE_OK {
            return Err(vendor_error(decoded.code, decoded.message, status));
        }
        match decoded.data {
            Some(data) => Ok(data),
            // `data: null` on success: read it as an empty object, so list payloads (every field
            // defaulted) come out empty, or as an empty list for payloads that are lists; a
            // payload with required fields names `data`.
            None => decode_json::<T>(b"{}")
                .or_else(|e| decode_json::<T>(b"[]").map_err(|_| e))
                .map_err(|e| {
                    Error::decode(
                        "data",
                        format!("`data` is null or absent ({})", e.message()),
                    )
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::StatusCode;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, Default, PartialEq)]
    struct List {
        #[serde(default)]
        list: Vec<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Required {
        must: u32,
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(StatusCode::from_u16(status).unwrap(), body.to_owned())
    }

    fn open<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, Error> {
        Tanma.open(&response(status, body), &SignReceipt::default())
    }

    #[test]
    fn success_returns_data() {
        let l: List = open(200, r#"{"code":0,"message":"ok","data":{"list":[1,2]}}"#).unwrap();
        assert_eq!(l.list, [1, 2]);
    }

    #[test]
    fn null_or_absent_data_is_an_empty_payload() {
        let l: List = open(200, r#"{"code":0,"message":"success","data":null}"#).unwrap();
        assert_eq!(l, List::default());
        let l: List = open(200, r#"{"code":0,"message":"success"}"#).unwrap();
        assert_eq!(l, List::default());
        let l: Vec<u32> = open(200, r#"{"code":0,"message":"success","data":null}"#).unwrap();
        assert!(l.is_empty());
        let e = open::<Required>(200, r#"{"code":0,"data":null}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("`data` is null"), "{e}");
    }

    #[test]
    fn codes_are_classified_even_when_data_has_another_shape() {
        let e = open::<List>(200, r#"{"code":1002,"message":"签名错误","data":"x"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthRejected);
        assert_eq!(e.code(), Some("1002"));
        assert!(e.message().starts_with("签名错误 — check appId and appKey"));
        assert!(e.message().contains("exact body bytes"));

        let e = open::<List>(200, r#"{"code":1003,"message":"时间戳过期"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ClockSkew);
        assert!(e.message().contains("epoch milliseconds"));

        let e =
            open::<List>(200, r#"{"code":40417,"message":"手机号重复","data":null}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(e.message(), "手机号重复");

        let e = open::<List>(200, r#"{"code":"1000","message":"错误"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service);
        let e = open::<List>(502, r#"{"code":1000,"message":"错误"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
    }

    #[test]
    fn a_bad_payload_names_its_path() {
        let e = open::<List>(200, r#"{"code":0,"data":{"list":[1,"x"]}}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("data.list[1]"), "{e}");
    }

    #[test]
    fn a_json_404_without_envelope_points_at_the_base_url() {
        let body = r#"{"timestamp":"2024-01-01T00:00:00.000+0000","status":404,"error":"Not Found","path":"/api/api/v3/x"}"#;
        let e = open::<List>(404, body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("base URL"), "{e}");
        // Elsewhere a body without `code` is a decode error.
        let e = open::<List>(200, body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("code"), "{e}");
    }
}
