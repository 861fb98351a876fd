//! Retries, counted: what is retried, how often, and that every attempt is signed afresh.

use std::time::Duration;

use futures::TryStreamExt;
use scrm_tanma::{Configure, CustomerFileList, ErrorKind};
use scrm_testkit::{Reply, ScriptedServer};

use crate::common::{
    self, CannedTransport, assert_signed, clue_page, example_clue_request, fail, file_page,
    response,
};

const CLUES: &str = "/api/v3/clue/list-by-create-time-asc";
const FILES: &str = "/api/v3/customer/list-file-of-customer";

/// A gateway page, a dropped connection, then success: three calls, the right result, and
/// every attempt signed with its own timestamp.
#[tokio::test]
async fn gateway_page_then_dropped_connection_then_success() {
    let server = ScriptedServer::start([
        Reply::html(502),
        Reply::Drop,
        Reply::json(200, clue_page(&[41, 42], None)),
    ])
    .await;
    let client = common::ticking_client(&server.url());
    let page = client.call(&example_clue_request()).await.unwrap();
    let ids: Vec<_> = page
        .list
        .iter()
        .flatten()
        .map(|c| c.customer_id.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["41", "42"]);

    assert_eq!(server.calls_to(CLUES), 3);
    let requests = server.requests();
    let mut stamps: Vec<String> = requests.iter().map(assert_signed).collect();
    stamps.dedup();
    assert_eq!(stamps.len(), 3, "a new timestamp per attempt: {stamps:?}");
    assert!(requests.iter().all(|r| r.body == requests[0].body));
}

/// An invalid-request code is permanent: one call.
#[tokio::test]
async fn a_permanent_error_is_not_retried() {
    let server = ScriptedServer::start([
        Reply::json(200, fail(40417, "手机号重复")),
        Reply::json(200, clue_page(&[1], None)),
    ])
    .await;
    let client = common::client(&server.url());
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.code(), Some("40417"));
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.calls_to(CLUES), 1);
}

/// An unknown code on HTTP 200 is a service error (not retried); on HTTP 5xx it is transient.
#[tokio::test]
async fn unknown_codes_are_retried_only_on_5xx() {
    let server = ScriptedServer::start([Reply::json(200, fail(1000, "错误"))]).await;
    let e = common::client(&server.url())
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(server.calls_to(CLUES), 1);

    let server = ScriptedServer::start([
        Reply::json(503, fail(1000, "系统繁忙")),
        Reply::json(200, clue_page(&[1], None)),
    ])
    .await;
    common::client(&server.url())
        .core()
        .call(&example_clue_request())
        .await
        .unwrap();
    assert_eq!(server.calls_to(CLUES), 2);
}

/// Attempts run out: the error says how many were made and what the last failure was.
#[tokio::test]
async fn exhausted_attempts_name_the_count_and_the_last_cause() {
    let server =
        ScriptedServer::start([Reply::html(502), Reply::html(502), Reply::html(502)]).await;
    let client = common::builder(&server.url())
        .max_attempts(3)
        .build()
        .unwrap();
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.attempts(), 3);
    let text = e.to_string();
    assert!(text.contains("3 attempts"), "{text}");
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(text.contains("non-JSON body"), "{text}");
    assert_eq!(server.calls_to(CLUES), 3);
}

/// HTTP 429 with `Retry-After: 7`: the retry waits at least 7 s (paused tokio time, so the
/// test does not), then succeeds; a second request is freshly signed.
#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let transport = CannedTransport::new([
        response(429, "{}", &[("retry-after", "7")]),
        response(200, &clue_page(&[1], None), &[]),
    ]);
    let client = common::builder("http://127.0.0.1:9")
        .clock(std::sync::Arc::new(common::TickingClock::new(
            common::T0_MS,
        )))
        .transport(transport.clone())
        .build()
        .unwrap();
    client.call(&example_clue_request()).await.unwrap();
    let seen = transport.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].0 - seen[0].0;
    assert!(waited >= Duration::from_secs(7), "waited only {waited:?}");
    assert_ne!(
        seen[0].1.headers.get("timestamp"),
        seen[1].1.headers.get("timestamp")
    );
}

/// Throttled until the attempts run out: the error is `Throttled` and carries the delay asked.
#[tokio::test(start_paused = true)]
async fn throttling_until_exhausted_reports_the_delay_asked() {
    let transport = CannedTransport::new([
        response(429, "", &[("retry-after", "2")]),
        response(429, "", &[("retry-after", "2")]),
    ]);
    let client = common::builder("http://127.0.0.1:9")
        .transport(transport.clone())
        .max_attempts(2)
        .build()
        .unwrap();
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert!(e.is_throttled(), "{e}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    assert!(e.to_string().contains("2 attempts"), "{e}");
    assert_eq!(transport.seen().len(), 2);
}

/// A failure in the middle of an export is retried in place: no record lost, none repeated.
#[tokio::test]
async fn a_failure_mid_export_loses_and_repeats_nothing() {
    let server = ScriptedServer::start([
        Reply::json(200, file_page(&[9, 8], 2, 5)),
        Reply::html(502),
        Reply::Drop,
        Reply::json(200, file_page(&[7, 6], 2, 5)),
        Reply::json(200, file_page(&[5], 2, 5)),
    ])
    .await;
    let client = common::ticking_client(&server.url());
    let files: Vec<_> = client
        .items(CustomerFileList::new().page_size(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = files
        .iter()
        .map(|f| f.id.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["9", "8", "7", "6", "5"]);
    let requests = server.requests();
    assert_eq!(server.calls_to(FILES), 5);
    let bodies: Vec<String> = requests.iter().map(|r| r.body_text()).collect();
    assert_eq!(
        bodies,
        [
            r#"{"pageSize":2}"#,
            r#"{"pageSize":2,"lastId":8}"#,
            r#"{"pageSize":2,"lastId":8}"#,
            r#"{"pageSize":2,"lastId":8}"#,
            r#"{"pageSize":2,"lastId":6}"#,
        ]
    );
    requests.iter().for_each(|r| {
        assert_signed(r);
    });
}

/// The rate limiter paces request starts (paused time: deterministic).
#[tokio::test(start_paused = true)]
async fn requests_are_paced_by_the_rate_limit() {
    let transport = CannedTransport::new((0..4).map(|_| response(200, &clue_page(&[], None), &[])));
    let client = common::builder("http://127.0.0.1:9")
        .transport(transport.clone())
        .requests_per_second(2.0)
        .build()
        .unwrap();
    for _ in 0..4 {
        client.call(&example_clue_request()).await.unwrap();
    }
    let seen = transport.seen();
    assert_eq!(seen.len(), 4);
    for pair in seen.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= Duration::from_millis(500));
    }
}
