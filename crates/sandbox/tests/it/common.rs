//! Shared helpers: a plain reqwest client and per-vendor request builders.

use scrm_sandbox::{
    Sandbox, SandboxConfig, tanma_sign, tanma_timestamp_now, waiqin_digest, waiqin_timestamp_now,
};
use serde_json::Value;

pub async fn start(records: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        records,
        seed: 7,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn answer(r: reqwest::RequestBuilder) -> Answer {
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    Answer {
        status,
        headers,
        text: resp.text().await.unwrap(),
    }
}

pub async fn get(c: &reqwest::Client, url: String) -> Answer {
    answer(c.get(url)).await
}

pub async fn post(c: &reqwest::Client, url: String, body: &str) -> Answer {
    answer(
        c.post(url)
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

pub async fn wshoto_token(sb: &Sandbox, c: &reqwest::Client) -> String {
    let cr = sb.credentials();
    let a = get(
        c,
        format!(
            "{}/openapi/access_token?appid={}&app_secret={}",
            sb.base_url(),
            cr.wshoto_app_id,
            cr.wshoto_app_secret
        ),
    )
    .await
    .json();
    assert_eq!(a["code"], 0, "{a}");
    a["data"]["access_token"].as_str().unwrap().to_owned()
}

pub async fn wshoto_page(sb: &Sandbox, c: &reqwest::Client, token: &str, body: &str) -> Value {
    post(
        c,
        format!(
            "{}/openapi/collect/detail/page?access_token={token}",
            sb.base_url()
        ),
        body,
    )
    .await
    .json()
}

pub async fn weiban_token(sb: &Sandbox, c: &reqwest::Client) -> String {
    let cr = sb.credentials();
    let body = format!(
        r#"{{"corp_id":"{}","secret":"{}"}}"#,
        cr.weiban_corp_id, cr.weiban_secret
    );
    let a = post(
        c,
        format!("{}/open-api/access_token/get", sb.base_url()),
        &body,
    )
    .await
    .json();
    assert_eq!(a["errcode"], 0, "{a}");
    a["access_token"].as_str().unwrap().to_owned()
}

pub async fn weiban_list(sb: &Sandbox, c: &reqwest::Client, token: &str, query: &str) -> Answer {
    get(
        c,
        format!(
            "{}/open-api/smart_form/form/user/list?access_token={token}&{query}",
            sb.base_url()
        ),
    )
    .await
}

/// Signs and posts a waiqin request to `/api/{api}/...` with a fresh timestamp.
pub async fn waiqin(sb: &Sandbox, c: &reqwest::Client, api: &str, body: &str) -> Answer {
    let ts = waiqin_timestamp_now();
    waiqin_at(sb, c, api, body, &ts, None).await
}

pub async fn waiqin_at(
    sb: &Sandbox,
    c: &reqwest::Client,
    api: &str,
    body: &str,
    ts: &str,
    digest: Option<&str>,
) -> Answer {
    let cr = sb.credentials();
    let d = digest.map_or_else(
        || waiqin_digest(body.as_bytes(), &cr.waiqin_appkey, ts),
        str::to_owned,
    );
    let url = format!(
        "{}/api/{api}/{}/{ts}/{d}/msg-{ts}",
        sb.base_url(),
        cr.waiqin_openid
    );
    post(c, url, body).await
}

/// Signs and posts a tanma request with a fresh timestamp.
pub async fn tanma(sb: &Sandbox, c: &reqwest::Client, path: &str, body: &str) -> Answer {
    let cr = sb.credentials();
    let ts = tanma_timestamp_now();
    let sign = tanma_sign(&cr.tanma_app_id, &ts, body.as_bytes(), &cr.tanma_app_key);
    tanma_raw(sb, c, path, body, &cr.tanma_app_id.clone(), &ts, &sign).await
}

pub async fn tanma_raw(
    sb: &Sandbox,
    c: &reqwest::Client,
    path: &str,
    body: &str,
    app_id: &str,
    ts: &str,
    sign: &str,
) -> Answer {
    answer(
        c.post(format!("{}{path}", sb.base_url()))
            .header("content-type", "application/json")
            .header("appId", app_id)
            .header("timestamp", ts)
            .header("sign", sign)
            .body(body.to_owned()),
    )
    .await
}

/// Asserts the walked keys are exactly the expected ones, in order, none twice.
pub fn assert_exact(got: &[String], expected: &[String]) {
    let set: std::collections::HashSet<&String> = got.iter().collect();
    assert_eq!(set.len(), got.len(), "duplicates in walk");
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
}
