//! tanma (探马SCRM): headers `appId`, `timestamp`, `sign`; `POST /api/v3/clue/list-by-create-time-asc`
//! and `POST /api/v3/customer/list-file-of-customer`.

use sha2::{Digest, Sha256};

use crate::data::{Op, TanmaClueFilter, TanmaFileFilter, Vendor};
use crate::faults::C;
use crate::server::{Reply, State};
use crate::util::{
    b64_decode24, b64_encode24, json_i64, json_object, json_string, json_u64, mix,
    parse_cst_datetime, push_int, push_json_str, unix_now_ms,
};

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

fn encode_cursor(created: i64, filter_hash: u64, pos: usize) -> String {
    let mut b = [0u8; 24];
    b[..8].copy_from_slice(&created.to_be_bytes());
    b[8..16].copy_from_slice(&(filter_hash & 0xFFFF_FFFF).to_be_bytes());
    b[16..].copy_from_slice(&(pos as u64).to_be_bytes());
    b64_encode24(&b)
}

fn decode_cursor(s: &str) -> Option<usize> {
    let b = b64_decode24(s)?;
    let mut p = [0u8; 8];
    p.copy_from_slice(&b[16..]);
    usize::try_from(u64::from_be_bytes(p)).ok()
}

pub(crate) fn handle(st: &State, op: Op, h: Option<&SignHeaders>, body: &[u8]) -> Reply {
    let c = &st.counters;
    let v = Vendor::Tanma;
    let cred = &st.config.credentials;
    let empty = SignHeaders::default();
    let h = h.unwrap_or(&empty);
    if h.app_id.as_deref() != Some(cred.tanma_app_id.as_str()) {
        c.inc(v, C::SignatureRejections);
        return Reply::json(error(
            TANMA_BAD_SIGN,
            "签名错误：appId不存在 (invalid appId)",
        ));
    }
    let window = i64::try_from(st.config.tanma_timestamp_window.as_millis()).unwrap_or(i64::MAX);
    let ts = h.timestamp.as_deref().unwrap_or("");
    match ts.parse::<i64>() {
        Ok(t) if (unix_now_ms() - t).abs() <= window => {}
        _ => {
            c.inc(v, C::TimestampRejections);
            return Reply::json(error(
                TANMA_BAD_TIMESTAMP,
                "时间戳与服务器时间相差过大，请使用毫秒时间戳重新签名 (timestamp too far from server time)",
            ));
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
        return Reply::json(error(TANMA_BAD_SIGN, "签名错误 (invalid sign)"));
    }
    let param_error = |msg: &str| {
        c.inc(v, C::ParamErrors);
        Reply::json(error(
            TANMA_PARAM_ERROR,
            &format!("参数错误 (invalid parameter): {msg}"),
        ))
    };
    let body = match json_object(body) {
        Ok(b) => b,
        Err(e) => return param_error(&e),
    };
    let size_of = |key: &str| -> Result<usize, String> {
        let n = json_i64(&body, key)?.unwrap_or(TANMA_DEFAULT_SIZE);
        if (1..=TANMA_MAX_SIZE).contains(&n) {
            Ok(n as usize)
        } else {
            Err(format!("{key} must be 1..={TANMA_MAX_SIZE}"))
        }
    };
    match op {
        Op::TanmaClueListByCreateTimeAsc => {
            let parsed = (|| -> Result<(TanmaClueFilter, usize, Option<String>), String> {
                let time = |k: &str| -> Result<Option<String>, String> {
                    match json_string(&body, k)? {
                        None => Ok(None),
                        Some(s) if parse_cst_datetime(&s).is_some() => Ok(Some(s)),
                        Some(_) => Err(format!("{k} must be yyyy-MM-dd HH:mm:ss")),
                    }
                };
                let f = TanmaClueFilter {
                    since: time("since")?,
                    before: time("before")?,
                    clue_type: json_i64(&body, "type")?,
                };
                Ok((f, size_of("size")?, json_string(&body, "cursor")?))
            })();
            let (filter, size, cursor) = match parsed {
                Ok(p) => p,
                Err(e) => return param_error(&e),
            };
            let sel = st.dataset.select_clues(&filter);
            let total = sel.len();
            let pos = match cursor.as_deref() {
                None => 0,
                Some(cur) => match decode_cursor(cur) {
                    Some(p) if p <= total => p,
                    _ => return param_error("cursor invalid"),
                },
            };
            let fh = mix(format!("{filter:?}").len() as u64 ^ filter.clue_type.unwrap_or(0) as u64);
            let mut end = pos.saturating_add(size).min(total);
            let mut next = (end < total).then(|| encode_cursor(0, fh, end));
            if end > pos && st.empty_page(v) {
                end = pos;
                next = Some(encode_cursor(0, fh, pos));
            }
            let mut s = String::with_capacity(96 + (end - pos) * 1300);
            s.push_str("{\"code\":0,\"message\":\"ok\",\"data\":{\"list\":[");
            for k in pos..end {
                if k > pos {
                    s.push(',');
                }
                st.dataset.write_record(op, sel.get(k), &mut s);
            }
            s.push_str("],\"nextCursor\":");
            match next {
                Some(n) => push_json_str(&mut s, &n),
                None => s.push_str("null"),
            }
            s.push_str("}}");
            c.op_ok(op, (end - pos) as u64);
            Reply::json(s)
        }
        _ => {
            let parsed = (|| -> Result<(TanmaFileFilter, usize, Option<u64>), String> {
                let f = TanmaFileFilter {
                    sales_id: json_u64(&body, "salesId")?,
                    user_id: json_string(&body, "userId")?,
                    customer_id: json_u64(&body, "customerId")?,
                    external_user_id: json_string(&body, "externalUserId")?,
                };
                Ok((f, size_of("pageSize")?, json_u64(&body, "lastId")?))
            })();
            let (filter, size, last_id) = match parsed {
                Ok(p) => p,
                Err(e) => return param_error(&e),
            };
            let sel = st.dataset.select_files(&filter);
            let total = sel.len();
            let pos = match last_id {
                None => 0,
                Some(last) => {
                    let (mut lo, mut hi) = (0usize, total);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        if st.dataset.file_id(sel.get(mid)) <= last {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    lo
                }
            };
            let mut end = pos.saturating_add(size).min(total);
            if end > pos && st.empty_page(v) {
                end = pos;
            }
            let mut s = String::with_capacity(160 + (end - pos) * 800);
            s.push_str("{\"code\":0,\"message\":\"success\",\"data\":{\"totalCount\":");
            push_int(&mut s, total);
            s.push_str(",\"totalPage\":");
            push_int(&mut s, total.div_ceil(size));
            s.push_str(",\"pageNo\":");
            push_int(&mut s, pos / size);
            s.push_str(",\"pageSize\":");
            push_int(&mut s, size);
            s.push_str(",\"result\":[");
            for k in pos..end {
                if k > pos {
                    s.push(',');
                }
                st.dataset.write_record(op, sel.get(k), &mut s);
            }
            s.push_str("]}}");
            c.op_ok(op, (end - pos) as u64);
            Reply::json(s)
        }
    }
}
