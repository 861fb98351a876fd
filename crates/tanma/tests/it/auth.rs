//! Signing on the wire: fresh signatures per attempt, and the signature codes 1002 / 1003.

use scrm_tanma::{ErrorKind, auth};
use scrm_testkit::{Reply, ScriptedServer};

use crate::common::{self, APP_ID, APP_KEY, assert_signed, clue_page, example_clue_request, fail};

/// 1003 (timestamp out of range): exactly one retry, re-signed with a new timestamp.
#[tokio::test]
async fn clock_skew_is_re_signed_once_with_a_fresh_timestamp() {
    let server = ScriptedServer::start([
        Reply::json(200, fail(1003, "时间戳超出范围")),
        Reply::json(200, clue_page(&[1], None)),
    ])
    .await;
    let client = common::ticking_client(&server.url());
    let page = client.call(&example_clue_request()).await.unwrap();
    assert_eq!(page.list.unwrap().len(), 1);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let stamps: Vec<String> = requests.iter().map(assert_signed).collect();
    assert_ne!(stamps[0], stamps[1], "the retry carries a new timestamp");
    assert_ne!(requests[0].header("sign"), requests[1].header("sign"));
    assert_eq!(requests[0].body, requests[1].body, "same body bytes");
}

/// A second 1003 is not retried again: the error says to check the clock.
#[tokio::test]
async fn a_second_clock_skew_rejection_surfaces_with_a_hint() {
    let server = ScriptedServer::start([
        Reply::json(200, fail(1003, "时间戳超出范围")),
        Reply::json(200, fail(1003, "时间戳超出范围")),
        Reply::json(200, clue_page(&[1], None)),
    ])
    .await;
    let client = common::ticking_client(&server.url());
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ClockSkew);
    assert_eq!(e.code(), Some("1003"));
    let text = e.to_string();
    assert!(
        text.contains("check that this machine's clock is correct"),
        "{text}"
    );
    assert!(text.contains("epoch milliseconds"), "{text}");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.remaining(), 1);
}

/// 1002 (bad signature) is not retried and tells what to check.
#[tokio::test]
async fn a_bad_signature_fails_at_once_with_a_clear_error() {
    let server = ScriptedServer::start([
        Reply::json(200, fail(1002, "签名错误")),
        Reply::json(200, clue_page(&[1], None)),
    ])
    .await;
    let client = common::client(&server.url());
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    assert!(!e.is_retryable());
    assert_eq!(e.attempts(), 1);
    assert_eq!(
        e.to_string(),
        "tanma clue/list-by-create-time-asc: credentials rejected (code 1002: 签名错误 — check \
         appId and appKey; the sign is sha256(appId + timestamp + body + appKey) over the exact \
         body bytes sent) [HTTP 200, 1 attempt]; check the app id and secret/key"
    );
    assert_eq!(server.requests().len(), 1);
}

/// The signature on the wire is the golden vector of VENDORS.md, recomputed independently of
/// the client from the recorded bytes, and `appKey` never travels by default.
#[tokio::test]
async fn the_recorded_request_matches_the_golden_vector() {
    let server = ScriptedServer::start([Reply::json(200, clue_page(&[], None))]).await;
    let client = common::client(&server.url());
    client.call(&example_clue_request()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), "/api/v3/clue/list-by-create-time-asc");
    assert_eq!(
        request.body_text(),
        r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#
    );
    assert_eq!(request.header("timestamp"), Some("1700000000000"));
    assert_eq!(request.header("sign"), Some(common::EXAMPLE_SIGN));
    assert_eq!(
        auth::sign(APP_ID, "1700000000000", &request.body, APP_KEY),
        common::EXAMPLE_SIGN
    );
    assert!(request.header("appKey").is_none());
    assert!(
        !request.headers.iter().any(|(_, v)| v.contains(APP_KEY)),
        "{:?}",
        request.headers
    );
}

/// The same two behaviours with httpmock, matching each attempt by its exact headers: the retry
/// after 1003 carries the clock's next timestamp and the signature over it.
#[tokio::test]
async fn httpmock_clock_skew_retry_carries_the_next_timestamp_and_its_signature() {
    use httpmock::prelude::*;

    let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
    let (t1, t2) = (
        common::T0_MS.to_string(),
        (common::T0_MS + 1000).to_string(),
    );
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .header("timestamp", t1.as_str())
                .header("sign", auth::sign(APP_ID, &t1, body.as_bytes(), APP_KEY))
                .body(body);
            then.status(200).body(fail(1003, "时间戳超出范围"));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .header("timestamp", t2.as_str())
                .header("sign", auth::sign(APP_ID, &t2, body.as_bytes(), APP_KEY))
                .body(body);
            then.status(200).body(clue_page(&[1], None));
        })
        .await;
    let client = common::ticking_client(&server.base_url());
    let page = client.call(&example_clue_request()).await.unwrap();
    assert_eq!(page.list.unwrap().len(), 1);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn httpmock_bad_signature_is_one_call() {
    use httpmock::prelude::*;

    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).header("sign", common::EXAMPLE_SIGN);
            then.status(200).body(fail(1002, "签名错误"));
        })
        .await;
    let client = common::client(&server.base_url());
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    assert!(e.to_string().contains("check appId and appKey"), "{e}");
    mock.assert_calls_async(1).await;
}
