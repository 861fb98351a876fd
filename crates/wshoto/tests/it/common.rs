//! Shared helpers: bodies, a fast client builder, an in-process fake transport.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use scrm_core::{HeaderMap, HttpRequest, HttpResponse, StatusCode, TransportError};
use scrm_wshoto::{Configure, RetryPolicy, Transport, WshotoClient, WshotoClientBuilder};
use serde_json::{Value, json};

pub const APP_ID: &str = "app-1";
pub const APP_SECRET: &str = "secret-1";
pub const TOKEN_A: &str = "token-AAAA";
pub const TOKEN_B: &str = "token-BBBB";
pub const TOKEN_PATH: &str = "/openapi/access_token";
pub const API_PATH: &str = "/openapi/collect/detail/page";

/// A retry policy that keeps tests fast (1 ms, 2 ms…, no jitter).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .throttle_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(4))
        .jitter(false)
}

/// A builder for `base` with test credentials, fast retries and no rate limit.
pub fn builder(base: &str) -> WshotoClientBuilder {
    WshotoClient::builder()
        .app_id(APP_ID)
        .app_secret(APP_SECRET)
        .base_url(base)
        .retry_policy(fast_retry())
        .requests_per_second(0.0)
}

/// A fixed start for manual clocks.
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

pub fn token_body(token: &str, expires_in: i64) -> String {
    json!({"code": 0, "msg": "ok", "data": {"access_token": token, "expires_in": expires_in, "create_at": 1_654_841_208}})
        .to_string()
}

pub fn error_body(code: i64, msg: &str) -> String {
    json!({"code": code, "msg": msg, "data": null}).to_string()
}

/// Record number `n` (its `external_userid` is `u{n}`).
pub fn record(n: usize) -> Value {
    json!({
        "customer_name": format!("customer {n}"),
        "external_userid": format!("u{n}"),
        "detail_status": 2,
        "view_time": 1_645_632_000,
        "commit_time": 1_645_632_000 + n,
        "send_user_id": "woDkH9",
        "dept_id": 1,
        "detail_data": format!("{{\"compellation\":\"name {n}\",\"mf_collect_form_x_1\":[{{\"name\":\"a\",\"id\":\"1800356349545037315\",\"value\":\"v{n}\"}}]}}")
    })
}

/// A successful page with `total` and the records numbered `from..to`.
pub fn page_body(total: usize, from: usize, to: usize) -> String {
    let records: Vec<Value> = (from..to).map(record).collect();
    json!({"code": 0, "msg": "请求成功", "data": {"total": total, "records": records}}).to_string()
}

/// What a [`Fake`] transport saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn token(&self) -> Option<&str> {
        self.params("access_token").first().copied()
    }

    pub fn is_token_request(&self) -> bool {
        self.path == TOKEN_PATH
    }
}

type Handler =
    dyn Fn(Seen) -> BoxFuture<'static, Result<HttpResponse, TransportError>> + Send + Sync;

/// An in-process transport answering through an async closure and recording every request.
pub struct Fake {
    handler: Box<Handler>,
    log: Mutex<Vec<Seen>>,
}

impl Fake {
    pub fn new<F, Fut>(handler: F) -> Arc<Fake>
    where
        F: Fn(Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
    {
        Arc::new(Fake {
            handler: Box::new(move |seen| Box::pin(handler(seen))),
            log: Mutex::new(Vec::new()),
        })
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    pub fn token_calls(&self) -> usize {
        self.seen().iter().filter(|s| s.is_token_request()).count()
    }

    pub fn api_calls(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path == API_PATH)
            .collect()
    }
}

#[scrm_wshoto::async_trait]
impl Transport for Fake {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let seen = Seen {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            body: request.body.to_vec(),
        };
        self.log.lock().unwrap().push(seen.clone());
        (self.handler)(seen).await
    }
}

/// An HTTP response with a JSON body.
pub fn reply(status: u16, body: impl Into<String>) -> Result<HttpResponse, TransportError> {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    Ok(HttpResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body: body.into().into_bytes().into(),
    })
}

/// A builder using `transport` (the base URL only names the paths).
pub fn fake_builder(transport: Arc<Fake>) -> WshotoClientBuilder {
    builder("https://open.wshoto.com").transport(transport)
}

/// A successful list page: `{"total": total, "records": records}` in the envelope.
pub fn list_body(total: usize, records: Vec<Value>) -> String {
    json!({"code": 0, "msg": "请求成功", "data": {"total": total, "records": records}}).to_string()
}

/// The token endpoint of `server`, answering [`TOKEN_A`].
pub async fn mock_token(server: &httpmock::MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .body(token_body(TOKEN_A, 7200));
        })
        .await
}

/// Page `n` of a POST list at `path`: expects the token in the query and exactly `filters`
/// plus `current_index: n` and `page_size: size` as the JSON body; answers `body`.
pub async fn mock_post_page<'a>(
    server: &'a httpmock::MockServer,
    path: &str,
    filters: &Value,
    n: u64,
    size: u64,
    body: String,
) -> httpmock::Mock<'a> {
    let mut expected = filters.clone();
    expected["current_index"] = json!(n);
    expected["page_size"] = json!(size);
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path(path)
                .query_param("access_token", TOKEN_A)
                .header("content-type", "application/json")
                .json_body(expected);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await
}

/// A mock that must not be called: any request to `path`.
pub async fn mock_any<'a>(server: &'a httpmock::MockServer, path: &str) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.path(path);
            then.status(200).body(list_body(0, vec![]));
        })
        .await
}
