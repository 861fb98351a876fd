//! The waiqin envelope and its code table.
//!
//! Every answer is `{"return_code": "0", "return_msg": "…", "msg_id": "…", "response_data": "…"}`:
//! `return_code` is a **string** (`"0"` is success), `msg_id` echoes the request's, and
//! `response_data` is a JSON document **inside a string** (an array for the list endpoints).

use scrm_core::de::{decode_json_text, string_or_number};
use scrm_core::{Error, ErrorKind, HttpResponse, SignReceipt, Vendor, decode_json};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The `return_code` of success.
pub const SUCCESS: &str = "0";

/// The waiqin vendor: its name and envelope, for [`scrm_core::Client`].
///
/// Opening an answer:
///
/// 1. The body is decoded once into `{return_code, return_msg, msg_id, response_data}`
///    (`return_code` may also be a number; a missing `return_code` is a decode error).
/// 2. A non-empty `msg_id` that differs from the one sent means the answer belongs to another
///    request (a misrouted or stale response): it is discarded, whatever it says, with a
///    [`ErrorKind::Transient`] error. The client retries that only for idempotent operations
///    (every operation of this crate is a read), with a fresh `msg_id`; a write, whose fate is
///    then unknown, would not be resent.
/// 3. A `return_code` other than `"0"` becomes a vendor error carrying the code and
///    `return_msg`, classified by [`classify`].
/// 4. An answer without a `msg_id` echo is accepted (the documentation shows the echo but does
///    not make it a condition; rejecting it would fail every export against a gateway that drops
///    it) and logged at debug level.
/// 5. `response_data` is decoded into the operation's type; errors name the path inside it
///    (``at `response_data`: invalid JSON inside the string at `[3].create_time`: …``). An
///    absent, `null` or empty `response_data` means "no data": an empty list for list
///    operations. A `response_data` sent as plain JSON instead of a string is accepted too.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Waiqin;

impl Waiqin {
    /// The vendor.
    pub fn new() -> Self {
        Waiqin
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(deserialize_with = "string_or_number")]
    return_code: String,
    #[serde(default)]
    return_msg: Option<String>,
    #[serde(default)]
    msg_id: Option<String>,
    #[serde(default)]
    response_data: Option<serde_json::Value>,
}

impl Vendor for Waiqin {
    const NAME: &'static str = "waiqin";

    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        receipt: &SignReceipt,
    ) -> Result<T, Error> {
        let envelope: Envelope = decode_json(&response.body)?;
        let sent = receipt.request_id.as_deref();
        let echo = envelope.msg_id.as_deref().filter(|id| !id.is_empty());
        if let (Some(sent), Some(echo)) = (sent, echo)
            && sent != echo
        {
            return Err(Error::new(
                ErrorKind::Transient,
                format!(
                    "the response echoes msg_id {:?} but the request was sent with msg_id {sent:?}: \
                     a misrouted or stale response, discarded",
                    truncate(echo, 64)
                ),
            ));
        }
        let code = envelope.return_code.trim();
        if code != SUCCESS {
            let kind = classify(code, response.status.as_u16());
            return Err(Error::vendor(
                kind,
                code,
                envelope.return_msg.unwrap_or_default(),
            ));
        }
        if sent.is_some() && echo.is_none() {
            tracing::debug!(vendor = "waiqin", "the answer does not echo msg_id");
        }
        decode_data(envelope.response_data)
    }
}

/// The waiqin code table: the [`ErrorKind`] of a non-`"0"` `return_code`.
///
/// waiqin publishes **no table of return codes** (none found in its documentation or in public
/// client code), so no code is singled out: the class comes from the HTTP status that came with
/// the code, and the vendor's `return_code` and `return_msg` are always kept in the error.
///
/// | `return_code` | HTTP status | class |
/// |---|---|---|
/// | any non-`"0"` | 5xx | [`ErrorKind::Transient`] (retried for reads) |
/// | any non-`"0"` | 401, 403 | [`ErrorKind::AuthRejected`] (check openid/appkey) |
/// | any non-`"0"` | other (normally 200) | [`ErrorKind::Service`] (not retried) |
///
/// In particular a bad digest or a stale timestamp is reported as `Service` with the vendor's
/// message (not as `AuthRejected`/`ClockSkew`, which would need the codes). HTTP 429 is
/// classified as throttled before the envelope is read. When waiqin's codes become known
/// (signature, timestamp, frequency limits), they go into this one function.
///
/// ```
/// use scrm_waiqin::{ErrorKind, classify};
/// assert_eq!(classify("1004", 200), ErrorKind::Service);
/// assert_eq!(classify("1004", 502), ErrorKind::Transient);
/// assert_eq!(classify("1004", 401), ErrorKind::AuthRejected);
/// ```
pub fn classify(return_code: &str, http_status: u16) -> ErrorKind {
    let _ = return_code; // no code is known yet: see the table above
    match http_status {
        500..=599 => ErrorKind::Transient,
        401 | 403 => ErrorKind::AuthRejected,
        _ => ErrorKind::Service,
    }
}

/// Decodes `response_data` into `T`.
fn decode_data<T: DeserializeOwned>(data: Option<serde_json::Value>) -> Result<T, Error> {
    match data {
        None | Some(serde_json::Value::Null) => no_data(),
        Some(serde_json::Value::String(text)) if text.trim().is_empty() => no_data(),
        Some(serde_json::Value::String(text)) => {
            decode_json_text::<T>(&text).map_err(|detail| Error::decode("response_data", detail))
        }
        Some(json) => {
            let bytes = serde_json::to_vec(&json)
                .map_err(|e| Error::decode("response_data", format!("{e}")))?;
            decode_json(&bytes).map_err(|e| Error::decode("response_data", e.message()))
        }
    }
}

/// The value of an absent `response_data`: `null` for optional payloads, `[]` for lists.
fn no_data<T: DeserializeOwned>() -> Result<T, Error> {
    serde_json::from_str("null")
        .or_else(|_| serde_json::from_str("[]"))
        .map_err(|_| {
            Error::decode(
                "response_data",
                "missing or empty, but this operation expects data",
            )
        })
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::StatusCode;

    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(StatusCode::from_u16(status).unwrap(), body.to_owned())
    }

    fn receipt(id: &str) -> SignReceipt {
        SignReceipt {
            request_id: Some(id.to_owned()),
            ..SignReceipt::default()
        }
    }

    fn open<T: DeserializeOwned>(status: u16, body: &str, sent: &str) -> Result<T, Error> {
        Waiqin.open(&response(status, body), &receipt(sent))
    }

    #[test]
    fn success_decodes_the_string_document() {
        let v: Vec<u32> = open(
            200,
            r#"{"return_code":"0","return_msg":"ok","msg_id":"m1","response_data":"[1,2]"}"#,
            "m1",
        )
        .unwrap();
        assert_eq!(v, [1, 2]);
    }

    #[test]
    fn a_numeric_return_code_and_plain_json_data_are_accepted() {
        let v: Vec<u32> = open(
            200,
            r#"{"return_code":0,"msg_id":"m1","response_data":[3]}"#,
            "m1",
        )
        .unwrap();
        assert_eq!(v, [3]);
    }

    #[test]
    fn absent_null_or_empty_data_is_an_empty_list() {
        for data in [r#""""#, "null", r#""  ""#] {
            let body = format!(r#"{{"return_code":"0","msg_id":"m1","response_data":{data}}}"#);
            let v: Vec<u32> = open(200, &body, "m1").unwrap();
            assert!(v.is_empty(), "{data}");
        }
        let v: Vec<u32> = open(200, r#"{"return_code":"0","msg_id":"m1"}"#, "m1").unwrap();
        assert!(v.is_empty());
        let o: Option<u32> = open(200, r#"{"return_code":"0","msg_id":"m1"}"#, "m1").unwrap();
        assert_eq!(o, None);
        #[derive(Debug, serde::Deserialize)]
        struct Needs {
            #[allow(dead_code)]
            x: u32,
        }
        let e = open::<Needs>(200, r#"{"return_code":"0","msg_id":"m1"}"#, "m1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("response_data"), "{e}");
    }

    #[test]
    fn a_placeholder_is_a_decode_error_of_the_inner_document() {
        let e = open::<Vec<u32>>(
            200,
            r#"{"return_code":"0","msg_id":"m1","response_data":"<<DATA>>"}"#,
            "m1",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(
            e.message()
                .starts_with("at `response_data`: invalid JSON inside the string")
        );
    }

    #[test]
    fn inner_decode_errors_name_the_path() {
        let e = open::<Vec<Vec<u32>>>(
            200,
            r#"{"return_code":"0","msg_id":"m1","response_data":"[[1],[2,\"x\"]]"}"#,
            "m1",
        )
        .unwrap_err();
        assert!(e.message().contains("`[1][1]`"), "{e}");
    }

    #[test]
    fn vendor_errors_keep_code_and_message() {
        let e = open::<Vec<u32>>(
            200,
            r#"{"return_code":"1004","return_msg":"参数错误","msg_id":"m1","response_data":""}"#,
            "m1",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.code(), Some("1004"));
        assert_eq!(e.message(), "参数错误");
        // An error without an echo (e.g. the path could not be parsed) is still the vendor's.
        let e =
            open::<Vec<u32>>(200, r#"{"return_code":"1005","return_msg":"x"}"#, "m1").unwrap_err();
        assert_eq!(e.code(), Some("1005"));
        let e = open::<Vec<u32>>(503, r#"{"return_code":"9","msg_id":""}"#, "m1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
    }

    #[test]
    fn a_foreign_echo_is_discarded_even_on_error() {
        for body in [
            r#"{"return_code":"0","msg_id":"other","response_data":"[1]"}"#,
            r#"{"return_code":"1004","return_msg":"x","msg_id":"other"}"#,
        ] {
            let e = open::<Vec<u32>>(200, body, "m1").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Transient, "{body}");
            assert!(e.message().contains("\"other\""), "{e}");
            assert!(e.message().contains("\"m1\""), "{e}");
        }
    }

    #[test]
    fn success_without_an_echo_is_accepted() {
        let v =
            open::<Vec<u32>>(200, r#"{"return_code":"0","response_data":"[1]"}"#, "m1").unwrap();
        assert_eq!(v, [1]);
        // Without a request id (a custom signer) there is nothing to check.
        let v: Vec<u32> = Waiqin
            .open(
                &response(200, r#"{"return_code":"0","response_data":"[1]"}"#),
                &SignReceipt::default(),
            )
            .unwrap();
        assert_eq!(v, [1]);
    }

    #[test]
    fn a_missing_return_code_is_a_decode_error() {
        let e = open::<Vec<u32>>(200, r#"{"msg_id":"m1"}"#, "m1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("return_code"), "{e}");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("南京掌控", 2), "南京");
        assert_eq!(truncate("ab", 5), "ab");
    }
}
