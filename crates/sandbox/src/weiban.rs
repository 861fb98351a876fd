//! weiban (微伴助手): the token endpoint, token checks, errors and envelopes.

use crate::data::Vendor;
use crate::engine::{Page, Rej};
use crate::faults::C;
use crate::server::{Reply, State, TokenCheck};
use crate::util::{json_object, json_string, push_int, push_json_str, push_key, query_get};

/// weiban code: wrong `corp_id` / `secret` at token issue.
pub const WEIBAN_BAD_CREDENTIALS: i64 = 40001;
/// weiban code: access token unknown or revoked.
pub const WEIBAN_TOKEN_INVALID: i64 = 40014;
/// weiban code: access token expired.
pub const WEIBAN_TOKEN_EXPIRED: i64 = 42001;
/// weiban code: smart-form parameter check failed (missing `status`, non-numeric numbers, ...).
pub const WEIBAN_PARAM_ERROR: i64 = 21901;
/// weiban code: smart-form query failed (documented; the sandbox never produces it).
pub const WEIBAN_QUERY_FAILED: i64 = 21902;
/// weiban code (sandbox choice): calls too frequent (with HTTP 429).
pub const WEIBAN_TOO_FREQUENT: i64 = 45009;
/// `limit` when absent.
pub const WEIBAN_DEFAULT_LIMIT: u64 = 20;
/// Largest accepted `limit`.
pub const WEIBAN_MAX_LIMIT: u64 = 1000;

fn error(code: i64, msg: &str) -> String {
    let mut s = String::with_capacity(64 + msg.len());
    s.push_str("{\"errcode\":");
    push_int(&mut s, code);
    s.push_str(",\"errmsg\":");
    push_json_str(&mut s, msg);
    s.push('}');
    s
}

pub(crate) fn too_frequent() -> Reply {
    Reply::throttled(error(
        WEIBAN_TOO_FREQUENT,
        "接口调用超过限制 (api freq out of limit)",
    ))
}

pub(crate) fn token(st: &State, body: &[u8]) -> Reply {
    let cred = &st.config.credentials;
    let ok = json_object(body).is_ok_and(|v| {
        json_string(&v, "corp_id").ok().flatten().as_deref() == Some(cred.weiban_corp_id.as_str())
            && json_string(&v, "secret").ok().flatten().as_deref()
                == Some(cred.weiban_secret.as_str())
    });
    if !ok {
        st.counters.inc(Vendor::Weiban, C::CredentialRejections);
        return Reply::json(error(
            WEIBAN_BAD_CREDENTIALS,
            "invalid credential: corp_id或secret错误",
        ));
    }
    let t = st.issue_token(Vendor::Weiban);
    st.counters.inc(Vendor::Weiban, C::TokensIssued);
    st.counters.inc(Vendor::Weiban, C::Ok);
    let mut s = String::with_capacity(160);
    s.push_str("{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":");
    push_json_str(&mut s, &t.token);
    s.push_str(",\"expires_in\":");
    push_int(&mut s, t.expires_in);
    s.push('}');
    Reply::json(s)
}

/// Checks the `access_token` query parameter of a data request.
pub(crate) fn authenticate(st: &State, query: &[(String, String)]) -> Result<(), Reply> {
    match st.check_token(
        Vendor::Weiban,
        query_get(query, "access_token").unwrap_or(""),
    ) {
        TokenCheck::Valid => Ok(()),
        TokenCheck::Expired => {
            st.counters.inc(Vendor::Weiban, C::TokenRejections);
            Err(Reply::json(error(
                WEIBAN_TOKEN_EXPIRED,
                "access_token expired",
            )))
        }
        TokenCheck::Invalid | TokenCheck::Revoked => {
            st.counters.inc(Vendor::Weiban, C::TokenRejections);
            Err(Reply::json(error(
                WEIBAN_TOKEN_INVALID,
                "invalid access_token",
            )))
        }
    }
}

/// The answer to a rejected request.
pub(crate) fn rejected(st: &State, rej: &Rej) -> Reply {
    st.counters.inc(Vendor::Weiban, C::ParamErrors);
    match rej.code {
        Some(code) => Reply::json(error(code, &rej.msg)),
        None => Reply::json(error(
            WEIBAN_PARAM_ERROR,
            &format!(
                "自定义表单参数校验失败 (parameter check failed): {}",
                rej.msg
            ),
        )),
    }
}

/// `{"errcode":0,"errmsg":"ok","<key>":[...],"total":N}` (`total` when `with_total`).
pub(crate) fn list(p: &Page<'_>, key: &str, with_total: bool) -> String {
    let mut s = String::with_capacity(64 + p.items.len());
    s.push_str("{\"errcode\":0,\"errmsg\":\"ok\",");
    push_key(&mut s, key);
    s.push_str(p.items);
    if with_total {
        s.push_str(",\"total\":");
        push_int(&mut s, p.total);
    }
    s.push('}');
    s
}

/// `{"errcode":0,"errmsg":"ok",<total>"<key>":{...}}`: the single selected record as an object.
pub(crate) fn object(p: &Page<'_>, key: &str, with_total: bool) -> String {
    let inner = p
        .items
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or("null");
    let mut s = String::with_capacity(64 + p.items.len());
    s.push_str("{\"errcode\":0,\"errmsg\":\"ok\",");
    if with_total {
        s.push_str("\"total\":");
        push_int(&mut s, p.total);
        s.push(',');
    }
    push_key(&mut s, key);
    s.push_str(if inner.is_empty() { "null" } else { inner });
    s.push('}');
    s
}
