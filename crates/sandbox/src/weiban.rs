//! weiban (微伴助手): `POST /open-api/access_token/get`, `GET /open-api/smart_form/form/user/list`.

use crate::data::{Op, Vendor, WeibanFilter};
use crate::faults::C;
use crate::server::{Reply, State, TokenCheck};
use crate::util::{json_object, json_string, push_int, push_json_str, query_get, query_pairs};

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

fn param_error(st: &State, msg: &str) -> Reply {
    st.counters.inc(Vendor::Weiban, C::ParamErrors);
    Reply::json(error(
        WEIBAN_PARAM_ERROR,
        &format!("自定义表单参数校验失败 (parameter check failed): {msg}"),
    ))
}

fn num<T: std::str::FromStr>(q: &[(String, String)], key: &str) -> Result<Option<T>, String> {
    match query_get(q, key).map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<T>()
            .map(Some)
            .map_err(|_| format!("{key} must be an integer")),
    }
}

pub(crate) fn list(st: &State, query: &str) -> Reply {
    let q = query_pairs(query);
    match st.check_token(Vendor::Weiban, query_get(&q, "access_token").unwrap_or("")) {
        TokenCheck::Valid => {}
        TokenCheck::Expired => {
            st.counters.inc(Vendor::Weiban, C::TokenRejections);
            return Reply::json(error(WEIBAN_TOKEN_EXPIRED, "access_token expired"));
        }
        TokenCheck::Invalid | TokenCheck::Revoked => {
            st.counters.inc(Vendor::Weiban, C::TokenRejections);
            return Reply::json(error(WEIBAN_TOKEN_INVALID, "invalid access_token"));
        }
    }
    let parsed = (|| -> Result<(WeibanFilter, u64, u64), String> {
        let status = match query_get(&q, "status").map(str::trim) {
            None | Some("") => return Err("status不能为空 (status is required)".into()),
            Some(s) => s.to_owned(),
        };
        let f = WeibanFilter {
            status: Some(status),
            form_id: num(&q, "form_id")?,
            city: query_get(&q, "city")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            start_time: num(&q, "start_time")?,
            end_time: num(&q, "end_time")?,
        };
        let limit = num::<u64>(&q, "limit")?.unwrap_or(WEIBAN_DEFAULT_LIMIT);
        let offset = num::<u64>(&q, "offset")?.unwrap_or(0);
        if !(1..=WEIBAN_MAX_LIMIT).contains(&limit) {
            return Err(format!("limit must be 1..={WEIBAN_MAX_LIMIT}"));
        }
        Ok((f, limit, offset))
    })();
    let (filter, limit, offset) = match parsed {
        Ok(p) => p,
        Err(e) => return param_error(st, &e),
    };
    let sel = st.dataset.select_weiban(&filter);
    let total = sel.len();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(total);
    let mut end = start.saturating_add(limit as usize).min(total);
    if end > start && st.empty_page(Vendor::Weiban) {
        end = start;
    }
    let mut s = String::with_capacity(64 + (end - start) * 520);
    s.push_str("{\"errcode\":0,\"errmsg\":\"ok\",\"result\":[");
    for k in start..end {
        if k > start {
            s.push(',');
        }
        st.dataset
            .write_record(Op::WeibanSmartFormUserList, sel.get(k), &mut s);
    }
    s.push_str("],\"total\":");
    push_int(&mut s, total);
    s.push('}');
    st.counters
        .op_ok(Op::WeibanSmartFormUserList, (end - start) as u64);
    Reply::json(s)
}
