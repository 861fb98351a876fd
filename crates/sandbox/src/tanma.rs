//! tanma (探马SCRM): headers `appId`, `timestamp`, `sign`: signature checks, errors and envelopes.

use sha2::{Digest, Sha256};

use crate::data::Vendor;
use crate::engine::{Page, Rej};
use crate::faults::C;
use crate::server::{Reply, State};
use crate::util::{push_int, push_json_str, unix_now_ms};

/// tanma code: parameter error (bad body, unparseable `since`/`before`, bad cursor, sizes).
pub const TANMA_PARAM_ERROR: i64 = 1000;
/// tanma code: bad signature, missing or unknown `appId`.
pub const TANMA_BAD_SIGN: i64 = 1002;
/// tanma code: timestamp missing, malformed or too far from server time.
pub const TANMA_BAD_TIMESTAMP: i64 = 1003;
/// tanma code (sandbox choice): calls too frequent (with HTTP 429).
pub const TANMA_TOO_FREQUENT: i64 = 1004;
/// Default `size` / `pageSize`.
pub const TANMA_DEFAULT_SIZE: i64 = 20;
/// Largest `size` / `pageSize`.
pub const TANMA_MAX_SIZE: i64 = 1000;

/// The tanma signature: lowercase hex `sha256(appId + timestamp + body + appKey)` over the
/// exact body bytes (`""` for an empty body).
///
/// ```
/// let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
/// assert_eq!(
///     scrm_sandbox::tanma_sign("wwEXAMPLE_corp_AbCdEf", "1700000000000", body.as_bytes(), "EXAMPLEAPPKEY"),
///     "0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55"
/// );
/// ```
pub fn tanma_sign(app_id: &str, timestamp: &str, body: &[u8], app_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(timestamp.as_bytes());
    h.update(body);
    h.update(app_key.as_bytes());
    hex::encode(h.finalize())
}

/// Whether `sign` is the (lowercase) tanma signature of the request.
pub fn verify_tanma_sign(
    app_id: &str,
    timestamp: &str,
    body: &[u8],
    app_key: &str,
    sign: &str,
) -> bool {
    tanma_sign(app_id, timestamp, body, app_key) == sign
}

/// The tanma timestamp of now (epoch milliseconds, 13 digits).
pub fn tanma_timestamp_now() -> String {
    unix_now_ms().to_string()
}

/// The signing headers of a request, as received.
#[derive(Debug, Default)]
pub(crate) struct SignHeaders {
    pub(crate) app_id: Option<String>,
    pub(crate) timestamp: Option<String>,
    pub(crate) sign: Option<String>,
}

fn error(code: i64, msg: &str) -> String {
    let mut s = String::with_capacity(64 + msg.len());
    s.push_str("{\"code\":");
    push_int(&mut s, code);
    s.push_str(",\"message\":");
    push_json_str(&mut s, msg);
    s.push_str(",\"data\":null}");
    s
}

pub(crate) fn too_frequent() -> Reply {
    Reply::throttled(error(
        TANMA_TOO_FREQUENT,
        "请求过于频繁，请稍后再试 (too many requests)",
    ))
}

/// Checks the signing headers of a request.
pub(crate) fn authenticate(st: &State, h: Option<&SignHeaders>, body: &[u8]) -> Result<(), Reply> {
    let c = &st.counters;
    let v = Vendor::Tanma;
    let cred = &st.config.credentials;
    let empty = SignHeaders::default();
    let h = h.unwrap_or(&empty);
    if h.app_id.as_deref() != Some(cred.tanma_app_id.as_str()) {
        c.inc(v, C::SignatureRejections);
        return Err(Reply::json(error(
            TANMA_BAD_SIGN,
            "签名错误：appId不存在 (invalid appId)",
        )));
    }
    let window = i64::try_from(st.config.tanma_timestamp_window.as_millis()).unwrap_or(i64::MAX);
    let ts = h.timestamp.as_deref().unwrap_or("");
    match ts.parse::<i64>() {
        Ok(t) if (unix_now_ms() - t).abs() <= window => {}
        _ => {
            c.inc(v, C::TimestampRejections);
            return Err(Reply::json(error(
                TANMA_BAD_TIMESTAMP,
                "时间戳与服务器时间相差过大，请使用毫秒时间戳重新签名 (timestamp too far from server time)",
            )));
        }
    }
    if !verify_tanma_sign(
        &cred.tanma_app_id,
        ts,
        body,
        &cred.tanma_app_key,
        h.sign.as_deref().unwrap_or(""),
    ) {
        c.inc(v, C::SignatureRejections);
        return Err(Reply::json(error(
            TANMA_BAD_SIGN,
            "签名错误 (invalid sign)",
        )));
    }
    Ok(())
}

/// The answer to a rejected request.
pub(crate) fn rejected(st: &State, rej: &Rej) -> Reply {
    st.counters.inc(Vendor::Tanma, C::ParamErrors);
    match rej.code {
        Some(code) => Reply::json(error(code, &rej.msg)),
        None => Reply::json(error(
            TANMA_PARAM_ERROR,
            &format!("参数错误 (invalid parameter): {}", rej.msg),
        )),
    }
}

/// `{"code":0,"message":<message>,"data":<data>}`.
pub(crate) fn ok(message: &str, data: &str) -> String {
    let mut s = String::with_capacity(64 + data.len());
    s.push_str("{\"code\":0,\"message\":");
    push_json_str(&mut s, message);
    s.push_str(",\"data\":");
    s.push_str(data);
    s.push('}');
    s
}

/// The clue list: `data.list` + `data.nextCursor` (`null` at the end).
pub(crate) fn cursor_page(p: &Page<'_>) -> String {
    let mut d = String::with_capacity(64 + p.items.len());
    d.push_str("{\"list\":");
    d.push_str(p.items);
    d.push_str(",\"nextCursor\":");
    match p.next {
        Some(n) => push_json_str(&mut d, n),
        None => d.push_str("null"),
    }
    d.push('}');
    ok("ok", &d)
}

/// `data: {totalCount, totalPage, pageNo, pageSize, result}` (customer files: `pageNo` is
/// 0-based; group lists: 1-based).
pub(crate) fn counted_page(p: &Page<'_>) -> String {
    let mut d = String::with_capacity(128 + p.items.len());
    d.push_str("{\"totalCount\":");
    push_int(&mut d, p.total);
    d.push_str(",\"totalPage\":");
    push_int(&mut d, p.total.div_ceil(p.size.max(1)));
    d.push_str(",\"pageNo\":");
    push_int(&mut d, p.page_no);
    d.push_str(",\"pageSize\":");
    push_int(&mut d, p.size);
    d.push_str(",\"result\":");
    d.push_str(p.items);
    d.push('}');
    ok("success", &d)
}
