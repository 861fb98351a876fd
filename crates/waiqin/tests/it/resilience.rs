//! Retries (issue 7) applied to waiqin, counting calls: which failures are retried, how often,
//! and that every attempt is signed anew (timestamp, digest and msg_id).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{HttpMockRequest, Method::POST, MockServer};
use scrm_testkit::{Reply, ScriptedServer};
use scrm_waiqin::scrm_core::{
    HeaderMap, HeaderValue, HttpRequest, HttpResponse, StatusCode, Transport, TransportError,
    async_trait,
};
use scrm_waiqin::{Configure, ErrorKind, FixedIds, QueryTask, collect_all};

use crate::auth::uuid_v4;
use crate::common::*;

fn signed_requests(server: &ScriptedServer) -> Vec<(Signed, Vec<u8>)> {
    server
        .requests()
        .into_iter()
        .map(|r| (Signed::parse(r.path()), r.body))
        .collect()
}

/// Asserts the attempts were each signed anew: one msg_id each, strictly later timestamps,
/// valid digests over identical bodies.
fn assert_freshly_signed(requests: &[(Signed, Vec<u8>)]) {
    let msg_ids: HashSet<_> = requests.iter().map(|(s, _)| s.msg_id.clone()).collect();
    assert_eq!(msg_ids.len(), requests.len(), "a new msg_id per attempt");
    let digests: HashSet<_> = requests.iter().map(|(s, _)| s.digest.clone()).collect();
    assert_eq!(digests.len(), requests.len(), "a new digest per attempt");
    for pair in requests.windows(2) {
        assert!(
            pair[0].0.timestamp < pair[1].0.timestamp,
            "a later timestamp per attempt: {:?}",
            pair
        );
        assert_eq!(pair[0].1, pair[1].1, "the same body bytes");
    }
    for (signed, body) in requests {
        signed.assert_valid(body);
    }
}

#[tokio::test]
async fn gateway_page_then_dropped_connection_then_success() {
    let server = ScriptedServer::start([
        Reply::html(502),
        Reply::Drop,
        Reply::json(200, ok_body("r3", &tasks([1, 2]))),
    ])
    .await;
    let client = builder(&server.url())
        .clock(Arc::new(TickingClock::new()))
        .request_ids(Arc::new(FixedIds::new(["r1", "r2", "r3"])))
        .build()
        .unwrap();
    let got = client.call(&QueryTask::new()).await.unwrap();
    assert_eq!(ids(&got), ["1", "2"]);
    let requests = signed_requests(&server);
    assert_eq!(requests.len(), 3, "exactly three calls");
    let msg_ids: Vec<_> = requests.iter().map(|(s, _)| s.msg_id.as_str()).collect();
    assert_eq!(msg_ids, ["r1", "r2", "r3"]);
    let timestamps: Vec<_> = requests.iter().map(|(s, _)| s.timestamp.as_str()).collect();
    assert_eq!(
        timestamps,
        ["20240301075959", "20240301080000", "20240301080001"]
    );
    assert_freshly_signed(&requests);
}

#[tokio::test]
async fn every_attempt_gets_a_fresh_uuid_msg_id() {
    let server = MockServer::start_async().await;
    let calls = Arc::new(Mutex::new(Vec::<(Signed, Vec<u8>)>::new()));
    let seen = calls.clone();
    let ok = echo(tasks([5]));
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            then.respond_with(move |req: &HttpMockRequest| {
                let signed = Signed::parse(req.uri().path());
                let mut seen = seen.lock().unwrap();
                seen.push((signed, req.body_vec()));
                if seen.len() < 3 {
                    json_response(503, "<html>busy</html>".to_owned())
                } else {
                    ok(req)
                }
            });
        })
        .await;
    // Default request ids: UUID v4.
    let client = builder(&server.base_url())
        .clock(Arc::new(TickingClock::new()))
        .build()
        .unwrap();
    let got = client.call(&QueryTask::new()).await.unwrap();
    assert_eq!(ids(&got), ["5"]);
    mock.assert_calls_async(3).await;
    let calls = calls.lock().unwrap().clone();
    assert!(calls.iter().all(|(s, _)| uuid_v4(&s.msg_id)), "{calls:?}");
    assert_freshly_signed(&calls);
}

#[tokio::test]
async fn a_permanent_error_is_not_retried() {
    let server = ScriptedServer::start([
        Reply::json(200, error_body("1004", "参数错误", "p1")),
        Reply::json(200, ok_body("p2", &tasks([1]))),
    ])
    .await;
    let client = builder(&server.url())
        .request_ids(Arc::new(FixedIds::new(["p1", "p2"])))
        .build()
        .unwrap();
    let e = client.call(&QueryTask::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.code(), Some("1004"));
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.requests().len(), 1, "exactly one call");
}

#[tokio::test]
async fn exhausted_attempts_say_how_many_and_the_last_cause() {
    let server =
        ScriptedServer::start([Reply::html(502), Reply::html(502), Reply::html(502)]).await;
    let client = builder(&server.url())
        .clock(Arc::new(TickingClock::new()))
        .max_attempts(3)
        .build()
        .unwrap();
    let e = client.call(&QueryTask::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.attempts(), 3);
    let text = e.to_string();
    assert!(text.contains("3 attempts"), "{text}");
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(text.contains("non-JSON body"), "{text}");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.remaining(), 0);
    assert_freshly_signed(&signed_requests(&server));
}

#[tokio::test]
async fn a_server_error_envelope_is_retried() {
    let server = ScriptedServer::start([
        Reply::json(500, error_body("9999", "系统繁忙", "x1")),
        Reply::json(200, ok_body("x2", &tasks([4]))),
    ])
    .await;
    let client = builder(&server.url())
        .request_ids(Arc::new(FixedIds::new(["x1", "x2"])))
        .build()
        .unwrap();
    let got = client.call(&QueryTask::new()).await.unwrap();
    assert_eq!(ids(&got), ["4"]);
    assert_eq!(server.requests().len(), 2);
}

/// An answer echoing another msg_id belongs to another request: its rows are never returned;
/// the read is asked again with a new msg_id.
#[tokio::test]
async fn a_stale_echo_is_discarded_and_the_read_retried() {
    let server = ScriptedServer::start([
        Reply::json(200, ok_body("someone-else", &tasks([666]))),
        Reply::json(200, ok_body("s2", &tasks([1]))),
    ])
    .await;
    let client = builder(&server.url())
        .request_ids(Arc::new(FixedIds::new(["s1", "s2"])))
        .build()
        .unwrap();
    let got = client.call(&QueryTask::new()).await.unwrap();
    assert_eq!(ids(&got), ["1"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn stale_echoes_exhaust_the_attempts() {
    let stale = || Reply::json(200, ok_body("stale", &tasks([1])));
    let server = ScriptedServer::start([stale(), stale(), stale()]).await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&QueryTask::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert!(e.to_string().contains("misrouted or stale"), "{e}");
    assert!(e.to_string().contains("3 attempts"), "{e}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn an_answer_without_an_echo_is_accepted() {
    let server = ScriptedServer::start([Reply::json(
        200,
        r#"{"return_code":"0","return_msg":"","response_data":"[]"}"#,
    )])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let tasks = client.call(&QueryTask::new()).await.unwrap();
    assert!(tasks.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let client = builder(&refused_url()).build().unwrap();
    let e = client.call(&QueryTask::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(e.attempts(), 3);
    assert!(e.to_string().contains("3 attempts"), "{e}");
}

/// A failure in the middle of an export is retried in place: no row lost, none repeated.
#[tokio::test]
async fn a_failed_page_is_retried_in_place() {
    let server = ScriptedServer::start([
        Reply::json(200, ok_body("e1", &tasks([1, 2]))),
        Reply::Drop,
        Reply::json(200, ok_body("e3", &tasks([3]))),
    ])
    .await;
    let client = builder(&server.url())
        .request_ids(Arc::new(FixedIds::new(["e1", "e2", "e3"])))
        .build()
        .unwrap();
    let got = collect_all(client.items(QueryTask::new().rows(2)))
        .await
        .unwrap();
    assert_eq!(ids(&got), ["1", "2", "3"]);
    let bodies: Vec<_> = server.requests().iter().map(|r| r.body_text()).collect();
    assert_eq!(
        bodies,
        [
            r#"{"page":"1","rows":"2"}"#,
            r#"{"page":"2","rows":"2"}"#,
            r#"{"page":"2","rows":"2"}"#
        ]
    );
}

/// An in-memory transport: answers HTTP 429 with `Retry-After: 2` first, then echoes success,
/// recording when (on tokio's clock) each request arrived.
struct ThrottleOnce {
    calls: Mutex<Vec<tokio::time::Instant>>,
}

#[async_trait]
impl Transport for ThrottleOnce {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(tokio::time::Instant::now());
            calls.len()
        };
        let mut headers = HeaderMap::new();
        if n == 1 {
            headers.insert("retry-after", HeaderValue::from_static("2"));
            return Ok(HttpResponse {
                status: StatusCode::TOO_MANY_REQUESTS,
                headers,
                body: r#"{"return_code":"429","return_msg":"too many requests"}"#.into(),
            });
        }
        let signed = Signed::parse(request.url.path());
        Ok(HttpResponse {
            status: StatusCode::OK,
            headers,
            body: ok_body(&signed.msg_id, &tasks([8])).into(),
        })
    }
}

#[tokio::test(start_paused = true)]
async fn http_429_retry_after_is_honoured_and_slows_the_client() {
    let transport = Arc::new(ThrottleOnce {
        calls: Mutex::new(Vec::new()),
    });
    let client = builder("https://openapi.waiqin365.com")
        .transport(transport.clone())
        .build()
        .unwrap();
    assert_eq!(client.core().rate_limiter().current_interval(), None);
    let got = client.call(&QueryTask::new()).await.unwrap();
    assert_eq!(ids(&got), ["8"]);
    let calls = transport.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    // Virtual time (paused clock): the retry waited for what the vendor asked, not the 1 ms
    // backoff.
    assert!(
        calls[1] - calls[0] >= Duration::from_secs(2),
        "{:?}",
        calls[1] - calls[0]
    );
    assert!(
        client.core().rate_limiter().current_interval().is_some(),
        "a throttled answer slows the client down"
    );
}
