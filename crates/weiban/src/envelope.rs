//! weiban's flat envelope and its code table.
//!
//! Every weiban answer is one JSON object: `errcode` and `errmsg` next to the endpoint's own
//! payload keys (`result` and `total` for the smart-form list, other list keys elsewhere):
//!
//! ```json
//! {"errcode": 0, "errmsg": "ok", "result": [ … ], "total": 2}
//! ```
//!
//! [`Envelope<T>`] reads that object in **one pass**: `errcode`/`errmsg` are picked out as they
//! stream by and every other key goes straight into the payload type `T`, with no intermediate
//! buffer (unlike `#[serde(flatten)]`, which first collects the whole object into an in-memory
//! tree, and unlike a two-pass "read the head, then read the payload" scheme, which scans the
//! body twice). Only when that single pass fails does [`Weiban`] read the head on its own, to
//! report the vendor's error code rather than a decode error.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor,
};
use serde::{Deserialize, Serialize};

use scrm_core::__private::{KeyRef, KeySeed};
use scrm_core::{Error, ErrorKind, HttpResponse, SignReceipt, Vendor, decode_envelope};

/// The vendor: weiban (微伴助手). Holds what its envelope needs to classify errors.
///
/// Built by [`WeibanClientBuilder::build`](crate::WeibanClientBuilder::build); named in the
/// `Operation` impls of the request types (`type Vendor = Weiban`).
#[derive(Clone, Debug)]
pub struct Weiban {
    token_invalid_codes: Arc<[i64]>,
}

impl Weiban {
    /// A vendor whose answers with one of `token_invalid_codes` mean "access token invalid".
    pub fn new(token_invalid_codes: impl IntoIterator<Item = i64>) -> Self {
        Weiban {
            token_invalid_codes: token_invalid_codes.into_iter().collect(),
        }
    }

    /// The codes treated as "access token invalid or expired".
    pub fn token_invalid_codes(&self) -> &[i64] {
        &self.token_invalid_codes
    }

    fn error(&self, code: i64, errmsg: String, http_status: u16) -> Error {
        let kind = classify(code, &self.token_invalid_codes, http_status);
        let message = match documented_meaning(code) {
            Some(meaning) if errmsg.trim().is_empty() => meaning.to_owned(),
            Some(meaning) => format!("{errmsg}; {meaning}"),
            None => errmsg,
        };
        Error::vendor(kind, code, message)
    }
}

impl Default for Weiban {
    /// With the default token-invalid codes ([`DEFAULT_TOKEN_INVALID_CODES`]).
    fn default() -> Self {
        Weiban::new(DEFAULT_TOKEN_INVALID_CODES)
    }
}

/// The codes treated as "access token invalid or expired" unless configured otherwise:
/// 40001 (invalid credential), 40014 (invalid access_token), 42001 (access_token expired).
///
/// weiban publishes no such codes; these are the WeCom family's, which weiban's clients use.
pub const DEFAULT_TOKEN_INVALID_CODES: [i64; 3] = [40001, 40014, 42001];

/// weiban's code table: how an `errcode` other than 0 is classified.
///
/// | code | meaning | class |
/// |---|---|---|
/// | `token_invalid_codes` (default 40001, 40014, 42001) | access token invalid or expired | [`ErrorKind::AuthExpired`]: the token is refreshed and the call retried once |
/// | 45009 | calls too frequent (WeCom family) | [`ErrorKind::Throttled`]: retried with backoff, the client slows down |
/// | -1 | system busy (WeCom family) | [`ErrorKind::Transient`]: retried with backoff |
/// | 21902 | 自定义表单数据查询失败, smart-form query failed | [`ErrorKind::Transient`]: a failure of the vendor's own query, not of our parameters (that is 21901); the read is retried within the retry policy's attempts |
/// | 21901 | 自定义表单参数校验失败, smart-form parameter check failed | [`ErrorKind::InvalidRequest`] |
/// | 10049 | other parameter error | [`ErrorKind::InvalidRequest`] |
/// | 20200–20299 | id / parameter errors | [`ErrorKind::InvalidRequest`] |
/// | 20607, 20608 | `external_user_ids` empty / over 50 (customer stages) | [`ErrorKind::InvalidRequest`] |
/// | 20609 | none of the customers has a stage (customer stages: an empty result is this error) | [`ErrorKind::InvalidRequest`] |
/// | anything else | | [`ErrorKind::Service`], or [`ErrorKind::Transient`] when the HTTP status is 5xx |
///
/// The token-invalid codes are checked first, so a configured code always means "refresh".
///
/// ```
/// use scrm_weiban::{ErrorKind, classify, DEFAULT_TOKEN_INVALID_CODES as T};
/// assert_eq!(classify(42001, &T, 200), ErrorKind::AuthExpired);
/// assert_eq!(classify(21901, &T, 200), ErrorKind::InvalidRequest);
/// assert_eq!(classify(21902, &T, 200), ErrorKind::Transient);
/// assert_eq!(classify(45009, &T, 200), ErrorKind::Throttled);
/// assert_eq!(classify(77777, &T, 200), ErrorKind::Service);
/// assert_eq!(classify(77777, &T, 503), ErrorKind::Transient);
/// ```
pub fn classify(code: i64, token_invalid_codes: &[i64], http_status: u16) -> ErrorKind {
    if token_invalid_codes.contains(&code) {
        return ErrorKind::AuthExpired;
    }
    match code {
        45009 => ErrorKind::Throttled,
        -1 | 21902 => ErrorKind::Transient,
        21901 | 10049 | 20200..=20299 | 20607..=20609 => ErrorKind::InvalidRequest,
        _ if (500..600).contains(&http_status) => ErrorKind::Transient,
        _ => ErrorKind::Service,
    }
}

/// What weiban's documentation says a code means, added to the vendor's own `errmsg`.
fn documented_meaning(code: i64) -> Option<&'static str> {
    Some(match code {
        21901 => {
            "smart-form parameter check failed (自定义表单参数校验失败): check status, form_id, \
             city, start_time/end_time, limit and offset"
        }
        21902 => "smart-form query failed on weiban's side (自定义表单数据查询失败)",
        10049 => "parameter error (其他参数错误)",
        20200..=20299 => "id or parameter error",
        20607 => "`external_user_ids` must not be empty",
        20608 => "`external_user_ids` holds more than 50 ids",
        20609 => {
            "none of the customers has a stage (未查询到任何客户阶段状态): check the \
             external_user_ids and whether the customers are in a stage"
        }
        45009 => "calls too frequent",
        -1 => "weiban is busy",
        _ => return None,
    })
}

impl Vendor for Weiban {
    const NAME: &'static str = "weiban";

    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        _receipt: &SignReceipt,
    ) -> Result<T, Error> {
        let status = response.status.as_u16();
        // The payload did not decode: an error answer has no payload keys, so read the head
        // alone (error path only) to report the vendor's code instead of a decode error.
        let envelope: Envelope<T> =
            decode_envelope(&response.body, |head: Option<Envelope<IgnoredAny>>| {
                let head = head.filter(|h| h.errcode != 0)?;
                Some(self.error(head.errcode, head.errmsg, status))
            })?;
        if envelope.errcode != 0 {
            return Err(self.error(envelope.errcode, envelope.errmsg, status));
        }
        Ok(envelope.payload)
    }
}

/// weiban's flat envelope: `errcode`, `errmsg` and the payload's keys in one JSON object.
///
/// `T` is the endpoint's payload (e.g.
/// [`SmartFormUserListResponse`](crate::SmartFormUserListResponse) with `result` and `total`);
/// it sees every key except `errcode` and `errmsg`. Decoding is one pass without buffering;
/// serializing writes the flat object back (`{"errcode":0,"errmsg":"ok",…payload keys}`).
///
/// ```
/// use scrm_weiban::Envelope;
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Members { member_list: Vec<String>, total: u64 }
///
/// let json = r#"{"errcode":0,"errmsg":"ok","member_list":["a","b"],"total":2}"#;
/// let e: Envelope<Members> = serde_json::from_str(json).unwrap();
/// assert_eq!((e.errcode, e.errmsg.as_str()), (0, "ok"));
/// assert_eq!(e.payload.member_list, ["a", "b"]);
/// assert_eq!(serde_json::to_string(&e).unwrap(), json);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// 0 on success.
    pub errcode: i64,
    /// `"ok"` on success, else the vendor's message.
    pub errmsg: String,
    /// Every other key of the object.
    #[serde(flatten)]
    pub payload: T,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EnvelopeVisitor(PhantomData))
    }
}

struct EnvelopeVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
    type Value = Envelope<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("weiban's envelope: a JSON object with errcode and errmsg")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<T>, A::Error> {
        let mut head = HeadState::default();
        let payload = T::deserialize(PayloadDeserializer {
            map: &mut map,
            head: &mut head,
        })?;
        // A payload visitor may stop before the end of the object: read the rest, so that an
        // `errcode` after the payload's keys is still seen.
        let mut rest = PayloadMap {
            map: &mut map,
            head: &mut head,
            buffer: String::new(),
        };
        while rest.next_key::<IgnoredAny>()?.is_some() {
            rest.next_value::<IgnoredAny>()?;
        }
        let errcode = head
            .errcode
            .ok_or_else(|| de::Error::missing_field("errcode"))?;
        Ok(Envelope {
            errcode,
            errmsg: head.errmsg.unwrap_or_default(),
            payload,
        })
    }
}

/// What the envelope picked out of the object so far.
#[derive(Default)]
struct HeadState {
    errcode: Option<i64>,
    errmsg: Option<String>,
    /// The underlying map reported its end (never ask it again).
    done: bool,
}

/// Presents the envelope's object, minus `errcode` and `errmsg`, to the payload type.
struct PayloadDeserializer<'a, A> {
    map: &'a mut A,
    head: &'a mut HeadState,
}

impl<'a, 'de, A: MapAccess<'de>> PayloadDeserializer<'a, A> {
    fn into_map(self) -> PayloadMap<'a, A> {
        PayloadMap {
            map: self.map,
            head: self.head,
            buffer: String::new(),
        }
    }
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for PayloadDeserializer<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.into_map())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        let mut map = self.into_map();
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<IgnoredAny>()?;
        }
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        self.deserialize_unit(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map struct enum identifier
    }
}

struct PayloadMap<'a, A> {
    map: &'a mut A,
    head: &'a mut HeadState,
    /// Where a key with escapes is unescaped ([`KeySeed`]).
    buffer: String,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for PayloadMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            if self.head.done {
                return Ok(None);
            }
            let Some(key) = self.map.next_key_seed(KeySeed(&mut self.buffer))? else {
                self.head.done = true;
                return Ok(None);
            };
            let name = match key {
                KeyRef::Borrowed(k) => k,
                KeyRef::Buffered => self.buffer.as_str(),
            };
            match name {
                "errcode" => {
                    let Code(code) = self.map.next_value()?;
                    self.head.errcode = Some(code);
                }
                "errmsg" => {
                    let Message(message) = self.map.next_value()?;
                    self.head.errmsg = Some(message);
                }
                _ => {
                    return match key {
                        KeyRef::Borrowed(k) => seed.deserialize(BorrowedStrDeserializer::new(k)),
                        KeyRef::Buffered => seed.deserialize(StrDeserializer::new(name)),
                    }
                    .map(Some);
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// `errcode`: a number, or a numeric string.
struct Code(i64);

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scrm_core::de::int(d).map(Code)
    }
}

/// `errmsg`: a string; `null` reads as empty.
struct Message(String);

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scrm_core::de::text_or_empty(d).map(Message)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::StatusCode;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Payload {
        #[serde(default)]
        result: Vec<u32>,
        total: Option<u64>,
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(StatusCode::from_u16(status).unwrap(), body.to_owned())
    }

    fn open(status: u16, body: &str) -> Result<Payload, Error> {
        Weiban::default().open(&response(status, body), &SignReceipt::default())
    }

    #[test]
    fn head_may_come_anywhere_and_payload_sees_only_its_keys() {
        for body in [
            r#"{"errcode":0,"errmsg":"ok","result":[1,2],"total":2}"#,
            r#"{"result":[1,2],"total":2,"errmsg":"ok","errcode":0}"#,
            r#"{"result":[1,2],"errcode":"0","total":2,"extra":{"x":[1]}}"#,
            r#"{"re\u0073ult":[1,2],"errcode":0,"errmsg":null,"total":2}"#,
            r#"{"result":[1,2],"errc\u006fde":0,"t\u006ftal":2}"#,
        ] {
            assert_eq!(
                open(200, body).unwrap(),
                Payload {
                    result: vec![1, 2],
                    total: Some(2)
                },
                "{body}"
            );
        }
    }

    #[test]
    fn value_payload_gets_the_other_keys() {
        let e: Envelope<serde_json::Value> =
            serde_json::from_str(r#"{"errcode":0,"errmsg":"ok","objects":[1],"total":1}"#).unwrap();
        assert_eq!(e.payload, serde_json::json!({"objects":[1],"total":1}));
        let e: Envelope<()> = serde_json::from_str(r#"{"errmsg":"ok","a":1,"errcode":3}"#).unwrap();
        assert_eq!(e.errcode, 3);
        let e: Envelope<Option<Payload>> =
            serde_json::from_str(r#"{"errcode":0,"total":1}"#).unwrap();
        assert_eq!(e.payload.unwrap().total, Some(1));
    }

    #[test]
    fn error_answers_are_classified_not_decode_errors() {
        let e = open(200, r#"{"errcode":21901,"errmsg":"status不能为空"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(e.code(), Some("21901"));
        assert!(
            e.message()
                .starts_with("status不能为空; smart-form parameter check failed")
        );
        // An error whose payload keys happen to decode is still an error.
        let e = open(200, r#"{"errcode":42001,"errmsg":"expired","total":1}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthExpired);
        let e = open(200, r#"{"errcode":21902,"errmsg":""}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert_eq!(
            e.message(),
            "smart-form query failed on weiban's side (自定义表单数据查询失败)"
        );
        let e = open(502, r#"{"errcode":12345,"errmsg":"gateway"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
        let e = open(200, r#"{"errcode":12345,"errmsg":"odd"}"#).unwrap_err();
        assert_eq!((e.kind(), e.message()), (ErrorKind::Service, "odd"));
    }

    #[test]
    fn decode_errors_name_the_path() {
        let e = open(
            200,
            r#"{"errcode":0,"errmsg":"ok","result":[1,"x"],"total":2}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("result[1]"), "{e}");
        let e = open(200, r#"{"errmsg":"ok","result":[],"total":0}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("errcode"), "{e}");
        let e = open(200, r#"[1,2]"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }

    #[test]
    fn configured_token_invalid_codes_win() {
        let vendor = Weiban::new([40082]);
        let r = response(200, r#"{"errcode":40082,"errmsg":"x"}"#);
        let e = vendor
            .open::<Payload>(&r, &SignReceipt::default())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthExpired);
        let r = response(200, r#"{"errcode":42001,"errmsg":"x"}"#);
        let e = vendor
            .open::<Payload>(&r, &SignReceipt::default())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service);
    }

    #[test]
    fn envelope_serializes_flat() {
        let e = Envelope {
            errcode: 0,
            errmsg: "ok".into(),
            payload: serde_json::json!({"result": [], "total": 0}),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"errcode":0,"errmsg":"ok","result":[],"total":0}"#
        );
    }
}
