//! Shared helpers: fast client settings, response bodies, small in-process transports.

use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scrm_testkit::{RecordedRequest, Reply};
use scrm_weiban::scrm_core::{
    HeaderMap, HttpRequest, HttpResponse, ReqwestTransport, StatusCode, TransportError, async_trait,
};
use scrm_weiban::{
    Configure, FormUserStatus, PageOptions, RetryPolicy, SmartFormUserList, Transport,
    WeibanClientBuilder,
};

pub const CORP_ID: &str = "1234567890123456789";
pub const SECRET: &str = "test-secret-value";
pub const TOKEN_PATH: &str = "/open-api/access_token/get";
pub const LIST_PATH: &str = "/open-api/smart_form/form/user/list";
/// The key under which the client stores its token.
pub const STORE_KEY: &str = "weiban:1234567890123456789";

/// Retries after 1 ms, no jitter.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .throttle_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
        .jitter(false)
}

/// Empty pages re-requested after 1 ms.
pub fn fast_pages() -> PageOptions {
    PageOptions::default().empty_page_backoff(Duration::from_millis(1))
}

/// A client builder for `base` with test credentials, fast retries, no rate limit.
pub fn builder(base: &str) -> WeibanClientBuilder {
    scrm_weiban::WeibanClient::builder()
        .corp_id(CORP_ID)
        .secret(SECRET)
        .base_url(base)
        .retry_policy(fast_retries())
        .page_options(fast_pages())
        .requests_per_second(0.0)
        .max_concurrent(8)
}

pub fn submitted() -> SmartFormUserList {
    SmartFormUserList::new().status(FormUserStatus::Submit)
}

pub fn token_body(token: &str) -> String {
    format!(r#"{{"errcode":0,"errmsg":"ok","access_token":"{token}","expires_in":7200}}"#)
}

pub fn token_reply(token: &str) -> Reply {
    Reply::json(200, token_body(token))
}

pub fn record(i: u64) -> String {
    format!(
        r#"{{"user_city":"武汉市","status":"submit","user_name":"user {i}","form_id":842,"unionid":"un-{i}","external_user_id":"wm{i}","u_id":{i},"avatar":"https://example.com/{i}.png","submit_at":{},"form_name":"表单"}}"#,
        1_619_000_000 + i
    )
}

/// A page holding records `range` of an export of `total`.
pub fn page_body(range: Range<u64>, total: u64) -> String {
    let records: Vec<String> = range.map(record).collect();
    format!(
        r#"{{"errcode":0,"errmsg":"ok","result":[{}],"total":{total}}}"#,
        records.join(",")
    )
}

pub fn page(range: Range<u64>, total: u64) -> Reply {
    Reply::json(200, page_body(range, total))
}

pub fn error_body(code: i64, msg: &str) -> String {
    format!(r#"{{"errcode":{code},"errmsg":"{msg}"}}"#)
}

pub fn error_reply(code: i64, msg: &str) -> Reply {
    Reply::json(200, error_body(code, msg))
}

/// The API (non-token) requests a scripted server received.
pub fn api_requests(requests: &[RecordedRequest]) -> Vec<&RecordedRequest> {
    requests.iter().filter(|r| r.path() == LIST_PATH).collect()
}

/// The `access_token` of each API request.
pub fn tokens_used(requests: &[RecordedRequest]) -> Vec<String> {
    api_requests(requests)
        .iter()
        .map(|r| r.query_param("access_token").unwrap_or("").to_owned())
        .collect()
}

/// The `offset` of each API request.
pub fn offsets(requests: &[RecordedRequest]) -> Vec<u64> {
    api_requests(requests)
        .iter()
        .map(|r| r.query_param("offset").unwrap().parse().unwrap())
        .collect()
}

pub fn u_ids(users: &[scrm_weiban::SmartFormUser]) -> Vec<u64> {
    users
        .iter()
        .map(|u| u.u_id.as_ref().unwrap().as_u64().unwrap())
        .collect()
}

pub fn reqwest_transport() -> ReqwestTransport {
    ReqwestTransport::builder().build().unwrap()
}

/// (status, headers, body) for a request and its index.
type Answer =
    dyn Fn(&HttpRequest, usize) -> (u16, Vec<(&'static str, String)>, String) + Send + Sync;

/// An in-process transport answering with a function of the request (no network; works with
/// paused tokio time). Records every request.
#[derive(Clone)]
pub struct FnTransport {
    answer: Arc<Answer>,
    pub seen: Arc<Mutex<Vec<HttpRequest>>>,
}

impl FnTransport {
    /// `answer(request, index of the request)` → (status, headers, body).
    pub fn new(
        answer: impl Fn(&HttpRequest, usize) -> (u16, Vec<(&'static str, String)>, String)
        + Send
        + Sync
        + 'static,
    ) -> Self {
        FnTransport {
            answer: Arc::new(answer),
            seen: Arc::default(),
        }
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.seen.lock().unwrap().clone()
    }
}

#[async_trait]
impl Transport for FnTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let index = {
            let mut seen = self.seen.lock().unwrap();
            seen.push(request.clone());
            seen.len() - 1
        };
        let (status, headers, body) = (self.answer)(&request, index);
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(name, value.parse().unwrap());
        }
        Ok(HttpResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.into(),
        })
    }
}

/// The value of query parameter `name` of a request URL.
pub fn query_value(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A token endpoint handing out `token`.
pub async fn token_mock<'a>(server: &'a httpmock::MockServer, token: &str) -> httpmock::Mock<'a> {
    let body = token_body(token);
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await
}

/// `{"errcode":0,"errmsg":"ok", <key>: [records], "total": total}` (no total when `None`).
pub fn list_body(key: &str, records: &[String], total: Option<u64>) -> String {
    let total = total.map_or(String::new(), |t| format!(r#","total":{t}"#));
    format!(
        r#"{{"errcode":0,"errmsg":"ok","{key}":[{}]{total}}}"#,
        records.join(",")
    )
}

/// One page of an offset export as served by [`offset_export`].
pub struct OffsetPage {
    pub offset: u64,
    pub records: Vec<String>,
}

/// Mocks the GET pages of an offset export at `path`: each page answers only a request that
/// carries exactly `filters`, `limit`, its `offset` and the token (no other parameter).
pub async fn offset_export<'a>(
    server: &'a httpmock::MockServer,
    path: &str,
    filters: &[(&str, &str)],
    limit: u64,
    key: &str,
    total: Option<u64>,
    pages: Vec<OffsetPage>,
) -> Vec<httpmock::Mock<'a>> {
    let mut mocks = Vec::new();
    for page in pages {
        let body = list_body(key, &page.records, total);
        let filters: Vec<(String, String)> = filters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        mocks.push(
            server
                .mock_async(|when, then| {
                    let mut when = when
                        .method(httpmock::Method::GET)
                        .path(path)
                        .query_param("limit", limit.to_string())
                        .query_param("offset", page.offset.to_string())
                        .query_param("access_token", "tok-1")
                        .query_param_count(".*", ".*", filters.len() + 3);
                    for (k, v) in &filters {
                        when = when.query_param(k, v);
                    }
                    then.status(200)
                        .header("content-type", "application/json")
                        .body(body);
                })
                .await,
        );
    }
    mocks
}

/// Every mock was called exactly once.
pub async fn each_called_once(mocks: &[httpmock::Mock<'_>]) {
    for (i, mock) in mocks.iter().enumerate() {
        assert_eq!(mock.calls_async().await, 1, "page {i}");
    }
}
