//! waiqin (外勤365): `POST /api/{module}/{version}/{op}/{openid}/{timestamp}/{digest}/{msg_id}`.

use md5::{Digest, Md5};

use crate::data::{Op, Vendor, WaiqinTaskFilter};
use crate::faults::C;
use crate::server::{Reply, State};
use crate::util::{
    TimeFmt, fmt_cst, json_i64, json_object, json_string, parse_cst_compact, parse_cst_date,
    push_json_str, unix_now,
};

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

/// The operation a waiqin path addresses, if it is a known one.
pub(crate) fn op_of(path: &str) -> Option<Op> {
    let mut it = path.trim_start_matches('/').split('/');
    let (_, m, v, o) = (it.next(), it.next()?, it.next()?, it.next()?);
    match (m, v, o) {
        ("cusTask", "v1", "queryTask") => Some(Op::WaiqinQueryTask),
        ("cusTask", "v1", "queryTaskType") => Some(Op::WaiqinQueryTaskType),
        _ => None,
    }
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

pub(crate) fn handle(st: &State, path: &str, body: &[u8]) -> Reply {
    let c = &st.counters;
    let v = Vendor::Waiqin;
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if seg.len() != 8 || seg[0] != "api" || seg[7].is_empty() {
        c.inc(v, C::NotFound);
        return Reply::json(envelope(
            WAIQIN_UNKNOWN_API,
            "接口地址错误，应为 /api/{module}/{version}/{op}/{openid}/{timestamp}/{digest}/{msg_id} (bad path)",
            "",
            "",
        ));
    }
    let (openid, ts, digest, msg_id) = (seg[4], seg[5], seg[6], seg[7]);
    let cred = &st.config.credentials;
    if openid != cred.waiqin_openid {
        c.inc(v, C::SignatureRejections);
        return Reply::json(envelope(
            WAIQIN_UNKNOWN_OPENID,
            "openid不存在 (unknown openid)",
            msg_id,
            "",
        ));
    }
    let window = i64::try_from(st.config.waiqin_timestamp_window.as_secs()).unwrap_or(i64::MAX);
    match parse_cst_compact(ts) {
        Some(t) if (unix_now() - t).abs() <= window => {}
        _ => {
            c.inc(v, C::TimestampRejections);
            return Reply::json(envelope(
                WAIQIN_BAD_TIMESTAMP,
                "时间戳无效或已过期，应为yyyyMMddHHmmss北京时间 (timestamp invalid or outside the allowed window)",
                msg_id,
                "",
            ));
        }
    }
    if !verify_waiqin_digest(body, &cred.waiqin_appkey, ts, digest) {
        c.inc(v, C::SignatureRejections);
        return Reply::json(envelope(
            WAIQIN_BAD_DIGEST,
            "签名校验失败 (digest mismatch)",
            msg_id,
            "",
        ));
    }
    let Some(op) = op_of(path) else {
        c.inc(v, C::NotFound);
        return Reply::json(envelope(
            WAIQIN_UNKNOWN_API,
            "接口不存在 (unknown interface)",
            msg_id,
            "",
        ));
    };
    let param_error = |msg: &str| {
        c.inc(v, C::ParamErrors);
        Reply::json(envelope(
            WAIQIN_PARAM_ERROR,
            &format!("参数错误 (invalid parameter): {msg}"),
            msg_id,
            "",
        ))
    };
    let body = match json_object(body) {
        Ok(b) => b,
        Err(e) => return param_error(&e),
    };
    let mut data = String::new();
    let n = match op {
        Op::WaiqinQueryTaskType => {
            let ids: Vec<String> = match body.get("type_ids") {
                None | Some(serde_json::Value::Null) => Vec::new(),
                Some(serde_json::Value::Array(a)) => {
                    let mut ids = Vec::with_capacity(a.len());
                    for x in a {
                        match x {
                            serde_json::Value::String(s) => ids.push(s.clone()),
                            serde_json::Value::Number(n) => ids.push(n.to_string()),
                            _ => return param_error("type_ids must be a list of ids"),
                        }
                    }
                    ids
                }
                Some(_) => return param_error("type_ids must be a list of ids"),
            };
            let sel = st.dataset.select_task_types(&ids);
            data.reserve(sel.len() * 600 + 2);
            data.push('[');
            for (k, &i) in sel.iter().enumerate() {
                if k > 0 {
                    data.push(',');
                }
                st.dataset.write_record(op, i, &mut data);
            }
            data.push(']');
            sel.len()
        }
        _ => {
            let parsed = (|| -> Result<(WaiqinTaskFilter, i64, i64), String> {
                let date = |k: &str| -> Result<Option<String>, String> {
                    match json_string(&body, k)? {
                        None => Ok(None),
                        Some(s) if parse_cst_date(&s).is_some() => Ok(Some(s.trim().to_owned())),
                        Some(_) => Err(format!("{k} must be yyyy-MM-dd")),
                    }
                };
                let f = WaiqinTaskFilter {
                    create_date_from: date("create_date_from")?,
                    create_date_to: date("create_date_to")?,
                    modify_date_from: date("modify_date_from")?,
                    modify_date_to: date("modify_date_to")?,
                };
                let page = json_i64(&body, "page")?.unwrap_or(1);
                let rows = json_i64(&body, "rows")?.unwrap_or(WAIQIN_MAX_ROWS);
                if page < 1 {
                    return Err("page must be >= 1".into());
                }
                if !(1..=WAIQIN_MAX_ROWS).contains(&rows) {
                    return Err(format!("rows must be 1..={WAIQIN_MAX_ROWS}"));
                }
                Ok((f, page, rows))
            })();
            let (filter, page, rows) = match parsed {
                Ok(p) => p,
                Err(e) => return param_error(&e),
            };
            let sel = st.dataset.select_waiqin(&filter);
            let total = sel.len();
            let rows = rows as usize;
            let start = ((page - 1) as usize).saturating_mul(rows).min(total);
            let mut end = start.saturating_add(rows).min(total);
            if end > start && st.empty_page(v) {
                end = start;
            }
            data.reserve((end - start) * 1500 + 2);
            data.push('[');
            for k in start..end {
                if k > start {
                    data.push(',');
                }
                st.dataset.write_record(op, sel.get(k), &mut data);
            }
            data.push(']');
            end - start
        }
    };
    c.op_ok(op, n as u64);
    Reply::json(envelope("0", "成功", msg_id, &data))
}
