//! wshoto (微盛·企微管家): the token endpoint, token checks, errors and envelopes.

use crate::data::Vendor;
use crate::engine::{Page, Rej};
use crate::faults::C;
use crate::server::{Reply, State, TokenCheck};
use crate::util::{push_int, push_json_str, query_get, query_pairs};

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

/// Checks the `access_token` query parameter of a data request.
pub(crate) fn authenticate(st: &State, query: &[(String, String)]) -> Result<(), Reply> {
    let token = query_get(query, "access_token").unwrap_or("");
    if st.check_token(Vendor::Wshoto, token) != TokenCheck::Valid {
        st.counters.inc(Vendor::Wshoto, C::TokenRejections);
        return Err(Reply::json(error(
            WSHOTO_TOKEN_INVALID,
            "access_token无效或已过期 (access token invalid or expired)",
        )));
    }
    Ok(())
}

/// The answer to a rejected request.
pub(crate) fn rejected(st: &State, rej: &Rej) -> Reply {
    st.counters.inc(Vendor::Wshoto, C::ParamErrors);
    match rej.code {
        Some(code) => Reply::json(error(code, &rej.msg)),
        None => Reply::json(error(
            WSHOTO_PARAM_ERROR,
            &format!("参数错误 (invalid parameter): {}", rej.msg),
        )),
    }
}

/// `{"code":0,"msg":"请求成功","data":{"total":N,"records":[...]}}`.
pub(crate) fn page(p: &Page<'_>) -> String {
    let mut s = String::with_capacity(96 + p.items.len());
    s.push_str("{\"code\":0,\"msg\":\"请求成功\",\"data\":{\"total\":");
    push_int(&mut s, p.total);
    s.push_str(",\"records\":");
    s.push_str(p.items);
    s.push_str("}}");
    s
}

/// [`page`] with the `"sub_code":"00000"` of the newer pages (product library).
pub(crate) fn page_sub_code(p: &Page<'_>) -> String {
    let mut s = page(p);
    s.pop();
    s.push_str(",\"sub_code\":\"00000\"}");
    s
}
