//! wshoto (微盛·企微管家): `GET /openapi/access_token`, `POST /openapi/collect/detail/page`.

use crate::data::{Op, Vendor, WshotoFilter};
use crate::faults::C;
use crate::server::{Reply, State, TokenCheck};
use crate::util::{
    json_i64, json_object, json_string, json_u64, push_int, push_json_str, query_get, query_pairs,
};

/// wshoto code: access token invalid or expired (also used for early revocation).
pub const WSHOTO_TOKEN_INVALID: i64 = 10001;
/// wshoto code (sandbox choice): wrong `appid` / `app_secret` at token issue.
pub const WSHOTO_BAD_CREDENTIALS: i64 = 10002;
/// wshoto code (sandbox choice): parameter error (bad body, `page_size` > 200, ...).
pub const WSHOTO_PARAM_ERROR: i64 = 10003;
/// wshoto code (sandbox choice): calls too frequent (with HTTP 429).
pub const WSHOTO_TOO_FREQUENT: i64 = 45009;
/// Largest `page_size` of collect detail.
pub const WSHOTO_MAX_PAGE_SIZE: i64 = 200;
/// `page_size` when absent.
pub const WSHOTO_DEFAULT_PAGE_SIZE: i64 = 20;

fn error(code: i64, msg: &str) -> String {
    let mut s = String::with_capacity(96 + msg.len());
    s.push_str("{\"code\":");
    push_int(&mut s, code);
    s.push_str(",\"msg\":");
    push_json_str(&mut s, msg);
    s.push_str(",\"data\":null}");
    s
}

pub(crate) fn too_frequent() -> Reply {
    Reply::throttled(error(
        WSHOTO_TOO_FREQUENT,
        "接口调用过于频繁，请稍后再试 (too many requests)",
    ))
}

pub(crate) fn token(st: &State, query: &str) -> Reply {
    let q = query_pairs(query);
    let cred = &st.config.credentials;
    if query_get(&q, "appid") != Some(cred.wshoto_app_id.as_str())
        || query_get(&q, "app_secret") != Some(cred.wshoto_app_secret.as_str())
    {
        st.counters.inc(Vendor::Wshoto, C::CredentialRejections);
        return Reply::json(error(
            WSHOTO_BAD_CREDENTIALS,
            "appid或app_secret错误 (invalid appid or app_secret)",
        ));
    }
    let t = st.issue_token(Vendor::Wshoto);
    st.counters.inc(Vendor::Wshoto, C::TokensIssued);
    st.counters.inc(Vendor::Wshoto, C::Ok);
    let mut s = String::with_capacity(160);
    s.push_str("{\"code\":0,\"msg\":\"ok\",\"data\":{\"access_token\":");
    push_json_str(&mut s, &t.token);
    s.push_str(",\"expires_in\":");
    push_int(&mut s, t.expires_in);
    s.push_str(",\"create_at\":");
    push_int(&mut s, t.create_at);
    s.push_str("}}");
    Reply::json(s)
}

fn param_error(st: &State, msg: &str) -> Reply {
    st.counters.inc(Vendor::Wshoto, C::ParamErrors);
    Reply::json(error(
        WSHOTO_PARAM_ERROR,
        &format!("参数错误 (invalid parameter): {msg}"),
    ))
}

pub(crate) fn collect(st: &State, query: &str, body: &[u8]) -> Reply {
    let q = query_pairs(query);
    let token = query_get(&q, "access_token").unwrap_or("");
    if st.check_token(Vendor::Wshoto, token) != TokenCheck::Valid {
        st.counters.inc(Vendor::Wshoto, C::TokenRejections);
        return Reply::json(error(
            WSHOTO_TOKEN_INVALID,
            "access_token无效或已过期 (access token invalid or expired)",
        ));
    }
    let v = match json_object(body) {
        Ok(v) => v,
        Err(e) => return param_error(st, &e),
    };
    let parsed = (|| -> Result<(WshotoFilter, i64, i64), String> {
        let f = WshotoFilter {
            form_id: json_u64(&v, "form_id")?,
            send_user_id: json_string(&v, "send_user_id")?,
            detail_status: json_i64(&v, "detail_status")?,
            start_commit_time: json_i64(&v, "start_commit_time")?,
            end_commit_time: json_i64(&v, "end_commit_time")?,
        };
        let index = json_i64(&v, "current_index")?.unwrap_or(1);
        let size = json_i64(&v, "page_size")?.unwrap_or(WSHOTO_DEFAULT_PAGE_SIZE);
        if index < 1 {
            return Err("current_index must be >= 1".into());
        }
        if !(1..=WSHOTO_MAX_PAGE_SIZE).contains(&size) {
            return Err(format!("page_size must be 1..={WSHOTO_MAX_PAGE_SIZE}"));
        }
        if f.detail_status.is_some_and(|s| !(0..=2).contains(&s)) {
            return Err("detail_status must be 0, 1 or 2".into());
        }
        Ok((f, index, size))
    })();
    let (filter, index, size) = match parsed {
        Ok(p) => p,
        Err(e) => return param_error(st, &e),
    };
    let sel = st.dataset.select_wshoto(&filter);
    let total = sel.len();
    let size = size as usize;
    let start = ((index - 1) as usize).saturating_mul(size).min(total);
    let mut end = start.saturating_add(size).min(total);
    if end > start && st.empty_page(Vendor::Wshoto) {
        end = start;
    }
    let mut s = String::with_capacity(96 + (end - start) * 1400);
    s.push_str("{\"code\":0,\"msg\":\"请求成功\",\"data\":{\"total\":");
    push_int(&mut s, total);
    s.push_str(",\"records\":[");
    for k in start..end {
        if k > start {
            s.push(',');
        }
        st.dataset
            .write_record(Op::WshotoCollectDetailPage, sel.get(k), &mut s);
    }
    s.push_str("]}}");
    st.counters
        .op_ok(Op::WshotoCollectDetailPage, (end - start) as u64);
    Reply::json(s)
}
