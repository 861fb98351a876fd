//! waiqin (外勤365): `POST /api/{module}/{version}/{op}/{openid}/{timestamp}/{digest}/{msg_id}`:
//! path signature checks, errors and the envelope.

use md5::{Digest, Md5};

use crate::data::Vendor;
use crate::engine::{Page, Rej};
use crate::faults::C;
use crate::server::{Reply, State};
use crate::util::{TimeFmt, fmt_cst, parse_cst_compact, push_json_str, unix_now};

/// waiqin `return_code` (sandbox choice): the digest does not match.
pub const WAIQIN_BAD_DIGEST: &str = "1001";
/// waiqin `return_code` (sandbox choice): timestamp malformed or outside the window.
pub const WAIQIN_BAD_TIMESTAMP: &str = "1002";
/// waiqin `return_code` (sandbox choice): unknown openid.
pub const WAIQIN_UNKNOWN_OPENID: &str = "1003";
/// waiqin `return_code` (sandbox choice): parameter error (body, page/rows, dates, type_ids).
pub const WAIQIN_PARAM_ERROR: &str = "1004";
/// waiqin `return_code` (sandbox choice): unknown interface (module/version/op).
pub const WAIQIN_UNKNOWN_API: &str = "1005";
/// waiqin `return_code` (sandbox choice): calls too frequent (with HTTP 429).
pub const WAIQIN_TOO_FREQUENT: &str = "1006";
/// Largest (and default) `rows`.
pub const WAIQIN_MAX_ROWS: i64 = 1000;

/// The waiqin digest: lowercase hex `md5(body + "|" + appkey + "|" + timestamp)` over the
/// exact body bytes.
///
/// ```
/// let body = r#"{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}"#;
/// assert_eq!(
///     scrm_sandbox::waiqin_digest(body.as_bytes(), "BFCO0PAgIUgd50c0l6", "20150806142836"),
///     "74267bf0cae0998a719879ec9b3c7780"
/// );
/// ```
pub fn waiqin_digest(body: &[u8], appkey: &str, timestamp: &str) -> String {
    let mut h = Md5::new();
    h.update(body);
    h.update(b"|");
    h.update(appkey.as_bytes());
    h.update(b"|");
    h.update(timestamp.as_bytes());
    hex::encode(h.finalize())
}

/// Whether `digest` is the (lowercase) waiqin digest of the request.
pub fn verify_waiqin_digest(body: &[u8], appkey: &str, timestamp: &str, digest: &str) -> bool {
    waiqin_digest(body, appkey, timestamp) == digest
}

/// A waiqin timestamp (`yyyyMMddHHmmss`, China time) of a Unix instant in seconds.
pub fn waiqin_timestamp(unix_secs: i64) -> String {
    fmt_cst(unix_secs, TimeFmt::Compact)
}

/// The waiqin timestamp of now.
pub fn waiqin_timestamp_now() -> String {
    waiqin_timestamp(unix_now())
}

fn envelope(code: &str, msg: &str, msg_id: &str, data: &str) -> String {
    let mut s = String::with_capacity(96 + msg.len() + msg_id.len() + data.len() * 11 / 10);
    s.push_str("{\"return_code\":");
    push_json_str(&mut s, code);
    s.push_str(",\"return_msg\":");
    push_json_str(&mut s, msg);
    s.push_str(",\"msg_id\":");
    push_json_str(&mut s, msg_id);
    s.push_str(",\"response_data\":");
    push_json_str(&mut s, data);
    s.push('}');
    s
}

pub(crate) fn too_frequent() -> Reply {
    Reply::throttled(envelope(
        WAIQIN_TOO_FREQUENT,
        "调用过于频繁，请稍后再试 (too many requests)",
        "",
        "",
    ))
}

/// Checks the path (shape, openid, timestamp window, digest) of a request; `Ok(msg_id)`.
pub(crate) fn authenticate<'p>(st: &State, path: &'p str, body: &[u8]) -> Result<&'p str, Reply> {
    let c = &st.counters;
    let v = Vendor::Waiqin;
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if seg.len() != 8 || seg[0] != "api" || seg[7].is_empty() {
        c.inc(v, C::NotFound);
        return Err(Reply::json(envelope(
            WAIQIN_UNKNOWN_API,
            "接口地址错误，应为 /api/{module}/{version}/{op}/{openid}/{timestamp}/{digest}/{msg_id} (bad path)",
            "",
            "",
        )));
    }
    let (openid, ts, digest, msg_id) = (seg[4], seg[5], seg[6], seg[7]);
    let cred = &st.config.credentials;
    if openid != cred.waiqin_openid {
        c.inc(v, C::SignatureRejections);
        return Err(Reply::json(envelope(
            WAIQIN_UNKNOWN_OPENID,
            "openid不存在 (unknown openid)",
            msg_id,
            "",
        )));
    }
    let window = i64::try_from(st.config.waiqin_timestamp_window.as_secs()).unwrap_or(i64::MAX);
    match parse_cst_compact(ts) {
        Some(t) if (unix_now() - t).abs() <= window => {}
        _ => {
            c.inc(v, C::TimestampRejections);
            return Err(Reply::json(envelope(
                WAIQIN_BAD_TIMESTAMP,
                "时间戳无效或已过期，应为yyyyMMddHHmmss北京时间 (timestamp invalid or outside the allowed window)",
                msg_id,
                "",
            )));
        }
    }
    if !verify_waiqin_digest(body, &cred.waiqin_appkey, ts, digest) {
        c.inc(v, C::SignatureRejections);
        return Err(Reply::json(envelope(
            WAIQIN_BAD_DIGEST,
            "签名校验失败 (digest mismatch)",
            msg_id,
            "",
        )));
    }
    // `msg_id` is the last segment: a suffix of `path` with the same lifetime.
    Ok(&path[path.len() - msg_id.len()..])
}

/// The answer to a signed request for an interface the sandbox does not know.
pub(crate) fn unknown_api(st: &State, msg_id: &str) -> Reply {
    st.counters.inc(Vendor::Waiqin, C::NotFound);
    Reply::json(envelope(
        WAIQIN_UNKNOWN_API,
        "接口不存在 (unknown interface)",
        msg_id,
        "",
    ))
}

/// The answer to a rejected request.
pub(crate) fn rejected(st: &State, rej: &Rej, msg_id: &str) -> Reply {
    st.counters.inc(Vendor::Waiqin, C::ParamErrors);
    let code = rej.code.map(|c| c.to_string());
    Reply::json(envelope(
        code.as_deref().unwrap_or(WAIQIN_PARAM_ERROR),
        &format!("参数错误 (invalid parameter): {}", rej.msg),
        msg_id,
        "",
    ))
}

/// `{"return_code":"0","return_msg":"成功","msg_id":…,"response_data":"[...]"}`: the records
/// as a JSON array inside a string.
pub(crate) fn data(p: &Page<'_>) -> String {
    envelope("0", "成功", p.msg_id, p.items)
}
