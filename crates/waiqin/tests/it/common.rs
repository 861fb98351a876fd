//! Helpers shared by the integration tests.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use httpmock::{HttpMockRequest, HttpMockResponse};
use md5::{Digest, Md5};
use scrm_waiqin::scrm_core::{
    HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind, async_trait,
};
use scrm_waiqin::{Clock, Configure, RetryPolicy, WaiqinClient, WaiqinClientBuilder};
use serde_json::{Value, json};

/// The vendor's example account.
pub const OPENID: &str = "5465103569540931532";
pub const APPKEY: &str = "BFCO0PAgIUgd50c0l6";
/// 2024-02-29T23:59:59Z, which is 2024-03-01 07:59:59 in China.
pub const T0: u64 = 1_709_251_199;
pub const T0_CHINA: &str = "20240301075959";

pub const QUERY_TASK: &str = "/api/cusTask/v1/queryTask";
pub const QUERY_TASK_TYPE: &str = "/api/cusTask/v1/queryTaskType";
pub const QUERY_VISIT: &str = "/api/cusVisit/v1/queryCusVisitRecord";
pub const QUERY_TRACK: &str = "/api/waiqinTrack/v1/queryEmpTrackTime";

pub fn at(unix_secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_secs)
}

/// Fast, deterministic retries for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .throttle_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(4))
        .jitter(false)
}

/// A builder for the example account against `base_url`, no rate limit, fast retries.
pub fn builder(base_url: &str) -> WaiqinClientBuilder {
    WaiqinClient::builder()
        .base_url(base_url)
        .openid(OPENID)
        .appkey(APPKEY)
        .retry_policy(fast_retries())
        .requests_per_second(0.0)
}

/// The digest computed here independently of the crate: md5(body|appkey|timestamp).
pub fn expected_digest(body: &[u8], appkey: &str, timestamp: &str) -> String {
    let mut md5 = Md5::new();
    md5.update([body, b"|", appkey.as_bytes(), b"|", timestamp.as_bytes()].concat());
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed tail of a waiqin request path: `{op path}/{openid}/{timestamp}/{digest}/{msg_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub op: String,
    pub openid: String,
    pub timestamp: String,
    pub digest: String,
    pub msg_id: String,
}

impl Signed {
    pub fn parse(path: &str) -> Signed {
        let mut parts = path.rsplitn(5, '/');
        let msg_id = parts.next().unwrap().to_owned();
        let digest = parts.next().unwrap().to_owned();
        let timestamp = parts.next().unwrap().to_owned();
        let openid = parts.next().unwrap().to_owned();
        let op = parts.next().unwrap().to_owned();
        Signed {
            op,
            openid,
            timestamp,
            digest,
            msg_id,
        }
    }

    /// Asserts the digest is right for `body` and the example appkey.
    pub fn assert_valid(&self, body: &[u8]) {
        assert_eq!(self.openid, OPENID);
        assert_eq!(
            self.digest,
            expected_digest(body, APPKEY, &self.timestamp),
            "digest of {self:?}"
        );
    }
}

/// A clock that moves one second forward every time it is read, from [`T0`].
#[derive(Debug)]
pub struct TickingClock(Mutex<SystemTime>);

impl TickingClock {
    pub fn new() -> Self {
        TickingClock(Mutex::new(at(T0)))
    }
}

impl Clock for TickingClock {
    fn now(&self) -> SystemTime {
        let mut t = self.0.lock().unwrap();
        let now = *t;
        *t += Duration::from_secs(1);
        now
    }
}

/// A successful waiqin answer carrying `data` JSON-encoded in `response_data`.
pub fn ok_body(msg_id: &str, data: &Value) -> String {
    json!({
        "return_code": "0",
        "return_msg": "成功",
        "msg_id": msg_id,
        "response_data": data.to_string(),
    })
    .to_string()
}

/// A failed waiqin answer.
pub fn error_body(code: &str, msg: &str, msg_id: &str) -> String {
    json!({
        "return_code": code,
        "return_msg": msg,
        "msg_id": msg_id,
        "response_data": "",
    })
    .to_string()
}

pub fn json_response(status: u16, body: String) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .build()
}

/// An httpmock responder answering with `data`, echoing the request's msg_id.
pub fn echo(data: Value) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    move |req| {
        let signed = Signed::parse(req.uri().path());
        json_response(200, ok_body(&signed.msg_id, &data))
    }
}

/// A minimal task record.
pub fn task(id: u64) -> Value {
    json!({
        "task_id": id.to_string(),
        "task_status": "0",
        "status": "1",
        "create_time": "2024-03-01 08:00",
    })
}

/// Task records `ids`.
pub fn tasks(ids: impl IntoIterator<Item = u64>) -> Value {
    Value::Array(ids.into_iter().map(task).collect())
}

/// The ids of decoded tasks.
pub fn ids(tasks: &[scrm_waiqin::Task]) -> Vec<String> {
    tasks
        .iter()
        .map(|t| {
            t.task_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect()
}

/// A minimal visit record, as the documented example writes one.
pub fn visit(id: u64) -> Value {
    json!({
        "id": id.to_string(),
        "status": "1",
        "visitor": "7986507193511966864",
        "visit_date": "2024-03-01 00:00:00",
        "modifyier_id": "-1",
        "modify_time": "",
    })
}

/// Visit records `ids`.
pub fn visits(ids: impl IntoIterator<Item = u64>) -> Value {
    Value::Array(ids.into_iter().map(visit).collect())
}

/// A minimal track point; `n` is its minute past 08:00.
pub fn track(n: u64) -> Value {
    json!({
        "empId": "5932166162774877503",
        "empName": "15305167325",
        "empCode": "15305167325",
        "cusId": "",
        "cusName": "",
        "cusCode": "",
        "location": "江苏省镇江市句容市崇明西路",
        "submitTime": format!("2022-11-23 08:{n:02}"),
        "type": "考勤",
    })
}

/// Track points `ns`.
pub fn tracks(ns: impl IntoIterator<Item = u64>) -> Value {
    Value::Array(ns.into_iter().map(track).collect())
}

/// A mock answering `data` to a signed POST on `op` whose body is exactly `body`.
pub async fn body_mock<'a>(
    server: &'a httpmock::MockServer,
    op: &str,
    body: &str,
    data: Value,
) -> httpmock::Mock<'a> {
    let (op, body) = (op.to_owned(), body.to_owned());
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path_prefix(format!("{op}/{OPENID}/"))
                .header("content-type", "application/json")
                .body(body);
            then.respond_with(echo(data));
        })
        .await
}

/// A mock that fails every request no other mock matched (HTTP 599, not retried into success).
pub async fn unexpected(server: &httpmock::MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(599);
        })
        .await
}

/// A transport that never answers (for tests that sign without sending).
pub struct NoTransport;

#[async_trait]
impl Transport for NoTransport {
    async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
        Err(TransportError::new(
            TransportErrorKind::Other,
            "not connected",
            false,
        ))
    }
}

/// A loopback URL on which nothing listens (connection refused).
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
