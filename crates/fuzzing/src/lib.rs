//! The fuzz targets of `fuzz/` as plain functions of `&[u8]`.
//!
//! Each `fuzz/fuzz_targets/<name>.rs` is one line calling [`run`] with its name; the corpus
//! replay test (`tests/replay.rs`) calls the same [`run`] on every file saved under
//! `fuzz/corpus/<name>/`, on the stable toolchain, without cargo-fuzz. A target returns
//! normally for any input: a panic is a bug to fix (and its input a regression file).
//!
//! Inputs are structure-aware where plain bytes would never get past the first brace: the
//! bytes drive an [`arbitrary::Unstructured`] that picks the vendor, the operation, and builds
//! JSON from the field names the registry documents for that operation.

use arbitrary::{Result as ArbResult, Unstructured};
use scrm_core::registry::DynOperation;
use scrm_core::{HeaderMap, HeaderName, HeaderValue, HttpResponse, StatusCode, Vendor};
use serde_json::{Map, Value};

/// The names of the targets, as in `fuzz/Cargo.toml` and `fuzz/corpus/<name>/`.
pub const TARGETS: &[&str] = &[
    "decode",
    "waiqin_response_data",
    "lenient_de",
    "position",
    "params",
    "push",
    "bookmark",
];

/// Runs target `name` on `data`. Unknown names do nothing.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "decode" => decode(data),
        "waiqin_response_data" => waiqin_response_data(data),
        "lenient_de" => lenient_de(data),
        "position" => position(data),
        "params" => params(data),
        "push" => push(data),
        "bookmark" => bookmark(data),
        _ => {}
    }
}

/// Envelope and paging keys of the four vendors, the vocabulary of generated JSON objects.
const ENVELOPE_KEYS: &[&str] = &[
    "errcode",
    "errmsg",
    "code",
    "msg",
    "message",
    "data",
    "list",
    "total",
    "count",
    "records",
    "rows",
    "page",
    "size",
    "cursor",
    "next_cursor",
    "has_more",
    "success",
    "return_code",
    "return_msg",
    "msg_id",
    "response_data",
    "result",
    "items",
];

fn rest(u: &mut Unstructured<'_>) -> Vec<u8> {
    let n = u.len();
    u.bytes(n).map(<[u8]>::to_vec).unwrap_or_default()
}

fn pick<'a, T>(u: &mut Unstructured<'_>, items: &'a [T]) -> ArbResult<&'a T> {
    u.choose(items)
}

/// Short texts vendors send where numbers, dates or ids are expected.
const TEXTS: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "1e400",
    "2020-11-19 10:33",
    "2020-11-19 10:33:00.123",
    "2020-02-30",
    "9999-12-31 23:59:59",
    "null",
    "[]",
    "{}",
    "[{\"a\":1}]",
    "张三",
    "\u{0}",
    "true",
    " 12 ",
];

fn arb_text(u: &mut Unstructured<'_>) -> ArbResult<String> {
    if u.ratio(1, 2)? {
        Ok((*pick(u, TEXTS)?).to_owned())
    } else {
        String::arbitrary_take(u)
    }
}

use arbitrary::Arbitrary;
trait TakeString {
    fn arbitrary_take(u: &mut Unstructured<'_>) -> ArbResult<String>;
}
impl TakeString for String {
    fn arbitrary_take(u: &mut Unstructured<'_>) -> ArbResult<String> {
        let len = u.int_in_range(0..=24)?;
        let mut s = String::new();
        for _ in 0..len {
            s.push(char::arbitrary(u)?);
        }
        Ok(s)
    }
}

/// A JSON value whose object keys come from `keys`, nested at most `depth` deep.
fn arb_json(u: &mut Unstructured<'_>, keys: &[&str], depth: u32) -> ArbResult<Value> {
    let kind = if depth == 0 {
        u.int_in_range(0..=5)?
    } else {
        u.int_in_range(0..=8)?
    };
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => Value::from(i64::arbitrary(u)?),
        3 => Value::from(u64::arbitrary(u)?),
        4 => serde_json::Number::from_f64(f64::arbitrary(u)?).map_or(Value::Null, Value::Number),
        5 => Value::String(arb_text(u)?),
        6 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(arb_json(u, keys, depth - 1)?);
            }
            Value::Array(items)
        }
        7 => {
            // JSON inside a string, as vendors nest it.
            Value::String(arb_json(u, keys, depth - 1)?.to_string())
        }
        _ => Value::Object(arb_object(u, keys, depth - 1)?),
    })
}

fn arb_object(
    u: &mut Unstructured<'_>,
    keys: &[&str],
    depth: u32,
) -> ArbResult<Map<String, Value>> {
    let n = u.int_in_range(0..=6)?;
    let mut map = Map::new();
    for _ in 0..n {
        let key = if keys.is_empty() || u.ratio(1, 8)? {
            arb_text(u)?
        } else {
            (*pick(u, keys)?).to_owned()
        };
        map.insert(key, arb_json(u, keys, depth)?);
    }
    Ok(map)
}

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json;charset=UTF-8",
    "text/html",
    "text/plain",
    "",
];

fn arb_status(u: &mut Unstructured<'_>) -> ArbResult<StatusCode> {
    let code = *pick(
        u,
        &[
            200u16, 200, 200, 200, 400, 401, 403, 404, 429, 500, 502, 503, 504,
        ],
    )?;
    Ok(StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
}

fn arb_headers(u: &mut Unstructured<'_>) -> ArbResult<HeaderMap> {
    let mut headers = HeaderMap::new();
    let ct = *pick(u, CONTENT_TYPES)?;
    if !ct.is_empty() {
        headers.insert(
            HeaderName::from_static("content-type"),
            HeaderValue::from_static(ct),
        );
    }
    if u.ratio(1, 8)? {
        let value = arb_text(u)?;
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static("retry-after"), v);
        }
    }
    Ok(headers)
}

/// The body of a response to `op`: raw bytes (half of the time) or JSON built from the
/// envelope keys and the operation's documented record and request field names.
fn arb_body<V: Vendor>(u: &mut Unstructured<'_>, op: &dyn DynOperation<V>) -> ArbResult<Vec<u8>> {
    if u.ratio(1, 3)? {
        return Ok(rest(u));
    }
    let info = op.info();
    let mut keys: Vec<&str> = ENVELOPE_KEYS.to_vec();
    keys.extend(info.record_fields.iter().map(|f| f.name));
    keys.extend(info.fields.iter().map(|f| f.name));
    let value = Value::Object(arb_object(u, &keys, 4)?);
    Ok(value.to_string().into_bytes())
}

fn decode_with<V: Vendor>(
    u: &mut Unstructured<'_>,
    vendor: &V,
    operations: &[&'static dyn DynOperation<V>],
) -> ArbResult<()> {
    let op = *pick(u, operations)?;
    let status = arb_status(u)?;
    let headers = arb_headers(u)?;
    let body = arb_body(u, op)?;
    let response = HttpResponse {
        status,
        headers,
        body: body.into(),
    };
    let _ = op.decode(vendor, &response);
    Ok(())
}

/// Target `decode`: a response (status, headers, body) to any registered operation of any
/// vendor, opened as a call would (envelope, payload, records).
pub fn decode(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = (|| -> ArbResult<()> {
        match u.int_in_range(0..=3u8)? {
            0 => decode_with(
                &mut u,
                &scrm_wshoto::Wshoto::default(),
                scrm_wshoto::OPERATIONS,
            ),
            1 => decode_with(
                &mut u,
                &scrm_weiban::Weiban::default(),
                scrm_weiban::OPERATIONS,
            ),
            2 => decode_with(
                &mut u,
                &scrm_waiqin::Waiqin::default(),
                scrm_waiqin::OPERATIONS,
            ),
            _ => decode_with(&mut u, &scrm_tanma::Tanma, scrm_tanma::OPERATIONS),
        }
    })();
}

/// Target `waiqin_response_data`: a successful waiqin envelope whose `response_data` is a
/// JSON document inside a string (or plain JSON, or raw text), decoded by every waiqin
/// operation in the registry.
pub fn waiqin_response_data(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = (|| -> ArbResult<()> {
        let op = *pick(&mut u, scrm_waiqin::OPERATIONS)?;
        let info = op.info();
        let keys: Vec<&str> = info.record_fields.iter().map(|f| f.name).collect();
        let code = pick(
            &mut u,
            &[Value::from("0"), Value::from(0), Value::from("1")],
        )?
        .clone();
        let inner = match u.int_in_range(0..=3u8)? {
            0 => Value::String(String::from_utf8_lossy(&rest(&mut u)).into_owned()),
            1 => arb_json(&mut u, &keys, 4)?,
            _ => {
                let n = u.int_in_range(0..=5)?;
                let mut rows = Vec::new();
                for _ in 0..n {
                    rows.push(Value::Object(arb_object(&mut u, &keys, 3)?));
                }
                Value::String(Value::Array(rows).to_string())
            }
        };
        let body = serde_json::json!({
            "return_code": code,
            "return_msg": "ok",
            "msg_id": "m1",
            "response_data": inner,
        });
        let response = HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: body.to_string().into_bytes().into(),
        };
        let _ = op.decode(&scrm_waiqin::Waiqin::default(), &response);
        Ok(())
    })();
}

/// Target `lenient_de`: the lenient serde helpers of `scrm_core::de` on any JSON; what
/// decodes re-encodes to a value that decodes to the same thing.
pub fn lenient_de(data: &[u8]) {
    use scrm_core::de::{
        ChinaDate, ChinaDateTime, Digits, Id, JsonString, UnixMillis, UnixSeconds,
    };
    let mut u = Unstructured::new(data);
    let _ = (|| -> ArbResult<()> {
        let which = u.int_in_range(0..=9u8)?;
        let text = if u.ratio(1, 2)? {
            String::from_utf8_lossy(&rest(&mut u)).into_owned()
        } else {
            arb_json(&mut u, ENVELOPE_KEYS, 3)?.to_string()
        };
        fn again<T>(text: &str)
        where
            T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
        {
            if let Ok(v) = serde_json::from_str::<T>(text) {
                let wire = serde_json::to_string(&v).unwrap_or_default();
                let back: Result<T, _> = serde_json::from_str(&wire);
                assert_eq!(back.ok().as_ref(), Some(&v), "{text} -> {wire}");
            }
        }
        fn lenient<T: scrm_core::de::FromWire>(text: &str) {
            let mut d = serde_json::Deserializer::from_str(text);
            let _ = scrm_core::de::wire::<_, T>(&mut d);
        }
        match which {
            0 => again::<Id>(&text),
            1 => again::<ChinaDateTime>(&text),
            2 => again::<ChinaDate>(&text),
            3 => again::<UnixSeconds>(&text),
            4 => again::<UnixMillis>(&text),
            5 => {
                let _ = serde_json::from_str::<JsonString<Value>>(&text);
                lenient::<JsonString<Vec<Value>>>(&text);
            }
            6 => lenient::<Digits>(&text),
            7 => {
                lenient::<Id>(&text);
                lenient::<ChinaDateTime>(&text);
                lenient::<ChinaDate>(&text);
                lenient::<Digits>(&text);
            }
            8 => {
                lenient::<f64>(&text);
                lenient::<bool>(&text);
                lenient::<String>(&text);
                lenient::<UnixSeconds>(&text);
                lenient::<UnixMillis>(&text);
                lenient::<Vec<Id>>(&text);
            }
            _ => {
                let _ = ChinaDateTime::parse(&text);
                let _ = ChinaDate::parse(&text);
                let _ = JsonString::<Value>::parse(text.clone());
            }
        }
        Ok(())
    })();
}

/// Target `bookmark`: a stored sync bookmark (the `_scrm_state` text a crash or an edit may
/// have left) is parsed or refused with a message, and a parsed one written back reads the same
/// (its window's values are the vendor's filter values, compared as text: a JSON float need
/// not survive a round trip to the last digit).
pub fn bookmark(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(b) = scrm_sync::Bookmark::parse(text) {
        let written = b.to_json();
        let back = scrm_sync::Bookmark::parse(&written);
        assert!(
            back.is_ok(),
            "a bookmark we wrote does not read back: {written}"
        );
        let Ok(back) = back else {
            return;
        };
        assert_eq!(
            (
                back.complete,
                back.mode,
                &back.next,
                back.watermark,
                back.records
            ),
            (b.complete, b.mode, &b.next, b.watermark, b.records)
        );
        assert_eq!(
            back.window.keys().collect::<Vec<_>>(),
            b.window.keys().collect::<Vec<_>>()
        );
    }
}

/// Target `position`: a saved resume position (JSON) decodes or fails; what decodes
/// re-encodes to the same position, and prints.
pub fn position(data: &[u8]) {
    use scrm_core::Position;
    if let Ok(p) = serde_json::from_slice::<Position>(data) {
        let _ = p.to_string();
        let wire = serde_json::to_vec(&p).unwrap_or_default();
        let back: Result<Position, _> = serde_json::from_slice(&wire);
        assert_eq!(back.ok().as_ref(), Some(&p));
    }
}

fn params_with<V: Vendor>(
    u: &mut Unstructured<'_>,
    operations: &[&'static dyn DynOperation<V>],
) -> ArbResult<()> {
    let op = *pick(u, operations)?;
    let info = op.info();
    let n = u.int_in_range(0..=5)?;
    let mut params = Vec::new();
    for _ in 0..n {
        let key = if info.fields.is_empty() || u.ratio(1, 8)? {
            arb_text(u)?
        } else {
            pick(u, info.fields)?.name.to_owned()
        };
        let value = match u.int_in_range(0..=2u8)? {
            0 => arb_text(u)?,
            1 => arb_json(u, &[], 2)?.to_string(),
            _ => format!("{},{}", arb_text(u)?, arb_text(u)?),
        };
        params.push(if u.ratio(1, 16)? {
            key
        } else {
            format!("{key}={value}")
        });
    }
    let page_size = if u.ratio(1, 2)? {
        Some(u64::arbitrary(u)?)
    } else {
        None
    };
    if let Ok(request) = info.request_from_params(params.iter().map(String::as_str), page_size)
        && let Ok(wire) = op.check(request)
    {
        let _ = op.check(wire);
    }
    Ok(())
}

/// Target `params`: `--param KEY=VALUE` texts through the registry (parse, decode, check).
pub fn params(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = (|| -> ArbResult<()> {
        match u.int_in_range(0..=3u8)? {
            0 => params_with(&mut u, scrm_wshoto::OPERATIONS),
            1 => params_with(&mut u, scrm_weiban::OPERATIONS),
            2 => params_with(&mut u, scrm_waiqin::OPERATIONS),
            _ => params_with(&mut u, scrm_tanma::OPERATIONS),
        }
    })();
}

/// The weiban push keys of the fuzz targets and the property tests.
pub const WEIBAN_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
/// The tanma push time of the fuzz targets (epoch milliseconds).
pub const TANMA_NOW_MS: u64 = 1_700_000_000_000;

fn headers_of(pairs: &[(&str, String)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (k, v) in pairs {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    headers
}

fn arb_header_pairs(
    u: &mut Unstructured<'_>,
    names: &[&'static str],
) -> ArbResult<Vec<(&'static str, String)>> {
    let n = u.int_in_range(0..=4)?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push((*pick(u, names)?, arb_text(u)?));
    }
    Ok(out)
}

/// Target `push`: a push to each receiver, either sealed by the vendor's own scheme around a
/// generated event (then altered: query, headers or body) or made of arbitrary parts.
pub fn push(data: &[u8]) {
    use scrm_core::Method;
    use scrm_core::push::PushRequest;
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};
    let mut u = Unstructured::new(data);
    let _ = (|| -> ArbResult<()> {
        let vendor = u.int_in_range(0..=2u8)?;
        let sealed = u.ratio(2, 3)?;
        let event_keys = [
            "id",
            "event",
            "type",
            "msgId",
            "noise",
            "content",
            "data",
            "timestamp",
            "corp_id",
            "changeType",
            "external_userid",
            "status",
            "msgType",
        ];
        let event = Value::Object(arb_object(&mut u, &event_keys, 3)?).to_string();
        let (method, mut query, mut header_pairs, mut body) = match vendor {
            0 => {
                let Ok(receiver) = scrm_weiban::push::PushReceiver::builder()
                    .token("token")
                    .encoding_aes_key(WEIBAN_KEY)
                    .receive_id("ww1436e0e65a779aee")
                    .build()
                else {
                    return Ok(());
                };
                let p = if sealed {
                    let ts = u32::arbitrary(&mut u)?.to_string();
                    let nonce = arb_text(&mut u)?;
                    match receiver.sender().seal(event.as_bytes(), &ts, &nonce) {
                        Ok(p) => (p.method, p.query, p.headers, p.body),
                        Err(_) => return Ok(()),
                    }
                } else {
                    let method = if u.ratio(1, 3)? {
                        Method::GET
                    } else {
                        Method::POST
                    };
                    (method, arb_text(&mut u)?, Vec::new(), Vec::new())
                };
                alter(&mut u, p, &["content-type", "content-length"], |req| {
                    let _ = receiver.receive(req);
                })
            }
            1 => {
                let clock = Arc::new(scrm_core::ManualClock::new(
                    UNIX_EPOCH + Duration::from_millis(TANMA_NOW_MS),
                ));
                let Ok(receiver) = scrm_tanma::push::PushReceiver::builder()
                    .app_id("corp_app")
                    .app_key("key")
                    .clock(clock)
                    .build()
                else {
                    return Ok(());
                };
                let p = if sealed {
                    let skew = u.int_in_range(0..=600_000u64)?;
                    let s = receiver
                        .sender()
                        .seal(event.as_bytes(), TANMA_NOW_MS - skew);
                    (s.method, s.query, s.headers, s.body)
                } else {
                    (Method::POST, String::new(), Vec::new(), Vec::new())
                };
                alter(
                    &mut u,
                    p,
                    &["sign", "timestamp", "appid", "version", "content-type"],
                    |req| {
                        let _ = receiver.receive(req);
                    },
                )
            }
            _ => {
                let Ok(receiver) = scrm_waiqin::push::PushReceiver::builder()
                    .push_secret("secret")
                    .build()
                else {
                    return Ok(());
                };
                let p = if sealed {
                    let ts = arb_text(&mut u)?;
                    let s = receiver
                        .sender()
                        .seal(&[("data", &event), ("timestamp", &ts)]);
                    (s.method, s.query, s.headers, s.body)
                } else {
                    (Method::POST, String::new(), Vec::new(), Vec::new())
                };
                alter(&mut u, p, &["content-type"], |req| {
                    let _ = receiver.receive(req);
                })
            }
        }?;
        let _ = (&method, &mut query, &mut header_pairs, &mut body);
        Ok(())
    })();

    /// Alters a sealed push (or fills an empty one) from the input, then receives it.
    #[allow(clippy::type_complexity)]
    fn alter(
        u: &mut Unstructured<'_>,
        (method, mut query, mut headers, mut body): (
            Method,
            String,
            Vec<(&'static str, String)>,
            Vec<u8>,
        ),
        header_names: &[&'static str],
        receive: impl Fn(&PushRequest<'_>),
    ) -> ArbResult<(Method, String, Vec<(&'static str, String)>, Vec<u8>)> {
        match u.int_in_range(0..=4u8)? {
            0 => {}
            1 => query.push_str(&arb_text(u)?),
            2 => headers.extend(arb_header_pairs(u, header_names)?),
            3 => {
                if !body.is_empty() {
                    let i = u.choose_index(body.len())?;
                    body[i] ^= u8::arbitrary(u)?.max(1);
                }
            }
            _ => body.extend_from_slice(&rest(u)),
        }
        let map = headers_of(&headers);
        receive(&PushRequest::new(&method, &query, &map, &body));
        Ok((method, query, headers, body))
    }
}
