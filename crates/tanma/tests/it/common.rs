//! Shared test helpers: credentials, clocks, canned envelopes, an in-process transport.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scrm_core::{HeaderMap, HttpRequest, HttpResponse, StatusCode, TransportError};
use scrm_tanma::{
    ChinaDateTime, Clock, ClueList, Configure, ManualClock, RetryPolicy, TanmaClient,
    TanmaClientBuilder,
};
use scrm_testkit::RecordedRequest;
use serde_json::{Value, json};

/// The app id of the VENDORS.md computed example.
pub const APP_ID: &str = "wwEXAMPLE_corp_AbCdEf";
/// The app key of the VENDORS.md computed example.
pub const APP_KEY: &str = "EXAMPLEAPPKEY";
/// The timestamp of the VENDORS.md computed example, in epoch milliseconds.
pub const T0_MS: u64 = 1_700_000_000_000;

/// Fast, deterministic retries: 1 ms, 2 ms, 4 ms…
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .throttle_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(4))
        .jitter(false)
}

/// A client builder for `base_url`, with the example credentials, a clock standing at `T0_MS`,
/// fast retries and no rate limit.
pub fn builder(base_url: &str) -> TanmaClientBuilder {
    TanmaClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(base_url)
        .retry_policy(fast_retry())
        .requests_per_second(0.0)
        .clock(Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_millis(T0_MS),
        )))
}

/// A client for `base_url` (see [`builder`]).
pub fn client(base_url: &str) -> TanmaClient {
    builder(base_url).build().unwrap()
}

/// A client whose clock moves one second forward every time it is read, so that every
/// attempt's timestamp differs.
pub fn ticking_client(base_url: &str) -> TanmaClient {
    builder(base_url)
        .clock(Arc::new(TickingClock::new(T0_MS)))
        .build()
        .unwrap()
}

/// A clock that returns `start`, `start + 1 s`, `start + 2 s`… on successive reads.
pub struct TickingClock(Mutex<SystemTime>);

impl TickingClock {
    pub fn new(start_ms: u64) -> Self {
        TickingClock(Mutex::new(UNIX_EPOCH + Duration::from_millis(start_ms)))
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

pub fn at(text: &str) -> ChinaDateTime {
    ChinaDateTime::parse(text).unwrap()
}

/// The request of the VENDORS.md computed example:
/// `{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}`.
pub fn example_clue_request() -> ClueList {
    ClueList::new()
        .since(at("2024-01-01 00:00:00"))
        .before(at("2024-01-02 00:00:00"))
        .size(100u32)
}

/// The signature of the VENDORS.md computed example.
pub const EXAMPLE_SIGN: &str = "0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55";

/// A success envelope around `data`.
pub fn ok(data: Value) -> String {
    json!({"code": 0, "message": "ok", "data": data}).to_string()
}

/// An error envelope.
pub fn fail(code: i64, message: &str) -> String {
    json!({"code": code, "message": message, "data": null}).to_string()
}

/// A clue record with id `id`.
pub fn clue(id: u64) -> Value {
    json!({
        "customerId": id,
        "isClue": false,
        "type": 1,
        "fields": [{"field": "mobile", "type": 8, "valueAsText": format!("[\"1380000{id:04}\"]")}],
        "tagIds": [],
        "createTime": "2024-01-01 08:00:00",
        "lastUpdateTime": "2024-01-01 08:00:00"
    })
}

/// A clue page.
pub fn clue_page(ids: &[u64], next_cursor: Option<&str>) -> String {
    let list: Vec<Value> = ids.iter().map(|&id| clue(id)).collect();
    ok(json!({"list": list, "nextCursor": next_cursor}))
}

/// A customer-file record with id `id`.
pub fn file(id: u64) -> Value {
    json!({
        "id": id,
        "corpid": "ww396db747d40d16f2",
        "salesId": 446755638177856u64,
        "customerId": 460155938357312u64,
        "createTime": "2022-02-28 14:14:48",
        "fileContent": format!("{{\"name\":\"f{id}\",\"url\":\"https://example.invalid/{id}.rar\",\"size\":\"1KB\",\"type\":\"rar\",\"fileId\":\"g/{id}.rar\"}}"),
        "fileName": format!("f{id}"),
        "operatorId": 410992262547520u64,
        "authorName": "admin",
        "followContent": null
    })
}

/// A customer-file page.
pub fn file_page(ids: &[u64], page_size: u64, total: u64) -> String {
    let result: Vec<Value> = ids.iter().map(|&id| file(id)).collect();
    ok(json!({
        "totalCount": total,
        "totalPage": total.div_ceil(page_size),
        "pageNo": 0,
        "pageSize": page_size,
        "result": result
    }))
}

/// Asserts that `request` carries a valid tanma signature and no `appKey` header; returns its
/// timestamp.
pub fn assert_signed(request: &RecordedRequest) -> String {
    assert_eq!(request.header("appId"), Some(APP_ID));
    let timestamp = request.header("timestamp").expect("timestamp header");
    assert_eq!(timestamp.len(), 13, "epoch milliseconds: {timestamp}");
    let expected = scrm_tanma::auth::sign(APP_ID, timestamp, &request.body, APP_KEY);
    assert_eq!(request.header("sign"), Some(expected.as_str()));
    assert_eq!(request.header("appKey"), None, "appKey must not be sent");
    timestamp.to_owned()
}

/// An in-process transport playing canned responses in order and recording when (in tokio
/// time) each request arrived: for tests under paused time, where no real socket may wait.
#[derive(Default)]
pub struct CannedTransport {
    replies: Mutex<VecDeque<HttpResponse>>,
    seen: Mutex<Vec<(tokio::time::Instant, HttpRequest)>>,
}

impl CannedTransport {
    pub fn new(replies: impl IntoIterator<Item = HttpResponse>) -> Arc<Self> {
        Arc::new(CannedTransport {
            replies: Mutex::new(replies.into_iter().collect()),
            seen: Mutex::default(),
        })
    }

    pub fn seen(&self) -> Vec<(tokio::time::Instant, HttpRequest)> {
        self.seen.lock().unwrap().clone()
    }
}

/// A response with `status`, a JSON body and extra headers.
pub fn response(status: u16, body: &str, headers: &[(&'static str, &str)]) -> HttpResponse {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, value.parse().unwrap());
    }
    HttpResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: map,
        body: body.to_owned().into(),
    }
}

#[scrm_core::async_trait]
impl scrm_core::Transport for CannedTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.seen
            .lock()
            .unwrap()
            .push((tokio::time::Instant::now(), request));
        Ok(self
            .replies
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| response(599, "script exhausted", &[])))
    }
}

/// The `sign` header of a request with `body` sent by [`client`] (clock at [`T0_MS`]).
pub fn sign_of(body: &str) -> String {
    scrm_tanma::auth::sign(APP_ID, &T0_MS.to_string(), body.as_bytes(), APP_KEY)
}
