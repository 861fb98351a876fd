//! Retries, fresh signing, single-flight tokens, refresh-ahead, precise invalidation,
//! Retry-After and throttling, counting calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::MockServer;
use httpmock::prelude::*;
use scrm_core::{HeaderMap, HttpResponse, StatusCode};
use scrm_testkit::{Reply, ScriptedServer};
use scrm_wshoto::ops::CollectDetailPage;
use scrm_wshoto::{Configure, ErrorKind, ManualClock};
use tokio::sync::Notify;

use crate::common::{
    API_PATH, Fake, TOKEN_A, TOKEN_B, TOKEN_PATH, builder, error_body, fake_builder, page_body,
    reply, t0, token_body,
};

async fn scripted(script: impl IntoIterator<Item = Reply>) -> ScriptedServer {
    ScriptedServer::builder()
        .always(TOKEN_PATH, Reply::json(200, token_body(TOKEN_A, 7200)))
        .script(script)
        .start()
        .await
}

#[tokio::test]
async fn gateway_page_then_dropped_connection_then_success_is_three_calls() {
    let server = scripted([
        Reply::html(502),
        Reply::Drop,
        Reply::json(200, page_body(2, 1, 3)),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let request = CollectDetailPage::new().form_id("F1").page_size(2);
    let page = client.call(&request).await.unwrap();
    let ids: Vec<_> = page
        .records
        .iter()
        .flatten()
        .map(|r| r.external_userid.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["u1", "u2"]);

    let api: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == API_PATH)
        .collect();
    assert_eq!(api.len(), 3);
    for r in &api {
        // Each attempt is signed afresh: exactly one token on the URL, the same body.
        assert_eq!(r.target.matches("access_token=").count(), 1, "{}", r.target);
        assert_eq!(r.query_param("access_token"), Some(TOKEN_A));
        assert_eq!(r.body_text(), r#"{"form_id":"F1","page_size":2}"#);
    }
    assert_eq!(server.calls_to(TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_permanent_vendor_error_is_one_call() {
    let server = scripted([Reply::json(200, error_body(40001, "参数错误"))]).await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.code(), Some("40001"));
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.calls_to(API_PATH), 1);
}

#[tokio::test]
async fn exhausted_attempts_say_how_many_and_the_last_cause() {
    let server = scripted([Reply::html(502), Reply::Drop, Reply::html(502)]).await;
    let client = builder(&server.url()).max_attempts(3).build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    let text = e.to_string();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert!(
        text.starts_with("wshoto collect/detail/page: temporary vendor failure: HTTP 502"),
        "the last cause: {text}"
    );
    assert!(text.contains("[HTTP 502, 3 attempts]"), "{text}");
    assert_eq!(server.calls_to(API_PATH), 3);
}

#[tokio::test]
async fn a_json_error_with_a_5xx_status_is_decoded_and_retried() {
    let server = scripted([
        Reply::json(503, error_body(50000, "服务繁忙")),
        Reply::json(200, page_body(1, 1, 2)),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let page = client.call(&CollectDetailPage::new()).await.unwrap();
    assert_eq!(page.records.as_ref().map_or(0, Vec::len), 1);
    assert_eq!(server.calls_to(API_PATH), 2);
}

#[tokio::test]
async fn a_throttle_code_is_retried_and_slows_the_client_down() {
    let server = scripted([
        Reply::json(200, error_body(45009, "api freq out of limit")),
        Reply::json(200, page_body(0, 0, 0)),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    assert_eq!(client.core().rate_limiter().current_interval(), None);
    client.call(&CollectDetailPage::new()).await.unwrap();
    assert_eq!(server.calls_to(API_PATH), 2);
    assert!(
        client.core().rate_limiter().current_interval().is_some(),
        "a throttled answer must slow the client down"
    );
}

#[tokio::test]
async fn a_throttled_token_endpoint_is_retried() {
    let server = ScriptedServer::start([
        Reply::json(200, error_body(45009, "不能频繁调用")),
        Reply::json(200, token_body(TOKEN_A, 7200)),
        Reply::json(200, page_body(0, 0, 0)),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    client.call(&CollectDetailPage::new()).await.unwrap();
    assert_eq!(server.calls_to(TOKEN_PATH), 2);
    assert_eq!(server.calls_to(API_PATH), 1);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_not_retried_forever() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, Reply::html(502))
        .start()
        .await;
    let client = builder(&server.url()).max_attempts(3).build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert!(e.to_string().contains("3 attempts"), "{e}");
    assert!(e.to_string().contains("access token"), "{e}");
    assert_eq!(server.calls_to(TOKEN_PATH), 3);
    assert_eq!(server.calls_to(API_PATH), 0);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let api_calls = Arc::new(AtomicUsize::new(0));
    let fake = Fake::new({
        let api_calls = api_calls.clone();
        move |seen| {
            let n = if seen.is_token_request() {
                usize::MAX
            } else {
                api_calls.fetch_add(1, Ordering::SeqCst)
            };
            async move {
                match n {
                    usize::MAX => reply(200, token_body(TOKEN_A, 7200)),
                    0 => {
                        let mut headers = HeaderMap::new();
                        headers.insert("retry-after", "30".parse().unwrap());
                        Ok(HttpResponse {
                            status: StatusCode::TOO_MANY_REQUESTS,
                            headers,
                            body: error_body(45009, "too many").into_bytes().into(),
                        })
                    }
                    _ => reply(200, page_body(0, 0, 0)),
                }
            }
        }
    });
    let client = fake_builder(fake.clone()).build().unwrap();
    let started = tokio::time::Instant::now();
    client.call(&CollectDetailPage::new()).await.unwrap();
    // Paused time: this measures the client's own sleep, not the machine's speed.
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.api_calls().len(), 2);
}

/// An attempt is signed with the token current at that attempt, not the first attempt's.
#[tokio::test]
async fn every_attempt_is_signed_with_the_current_token() {
    let clock = Arc::new(ManualClock::new(t0()));
    let tokens = Arc::new(AtomicUsize::new(0));
    let api = Arc::new(AtomicUsize::new(0));
    let fake = Fake::new({
        let (clock, tokens, api) = (clock.clone(), tokens.clone(), api.clone());
        move |seen| {
            let answer = if seen.is_token_request() {
                let token = [TOKEN_A, TOKEN_B][tokens.fetch_add(1, Ordering::SeqCst).min(1)];
                reply(200, token_body(token, 7200))
            } else if api.fetch_add(1, Ordering::SeqCst) == 0 {
                // The token expires while the first attempt fails.
                clock.advance(Duration::from_secs(7200));
                reply(502, "<html>502 Bad Gateway</html>")
            } else {
                reply(200, page_body(0, 0, 0))
            };
            async move { answer }
        }
    });
    let client = fake_builder(fake.clone())
        .clock(clock.clone())
        .build()
        .unwrap();
    client
        .call(&CollectDetailPage::new().form_id("F1"))
        .await
        .unwrap();
    let calls = fake.api_calls();
    let used: Vec<_> = calls.iter().map(|c| c.params("access_token")).collect();
    assert_eq!(used, [vec![TOKEN_A], vec![TOKEN_B]]);
    assert_eq!(calls[0].body, calls[1].body);
    assert!(calls.iter().all(|c| c.method == "POST"));
    assert!(
        fake.seen()
            .iter()
            .filter(|s| s.is_token_request())
            .all(|s| s.method == "GET")
    );
    assert_eq!(fake.token_calls(), 2);
}

/// 1000 concurrent calls on an expired token cause exactly one token request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_flight_refresh_with_1000_concurrent_calls() {
    let server = MockServer::start_async().await;
    let token = |token: &'static str| {
        let body = token_body(token, 7200);
        move |when: httpmock::When, then: httpmock::Then| {
            when.method(GET).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                // Slow, so that callers pile up behind the fetch in flight.
                .delay(Duration::from_millis(50))
                .body(body);
        }
    };
    let first = server.mock_async(token(TOKEN_A)).await;
    first.up_to_n_times_async(1).await;
    let second = server.mock_async(token(TOKEN_B)).await;
    let api = |token: &'static str| {
        move |when: httpmock::When, then: httpmock::Then| {
            when.method(POST)
                .path(API_PATH)
                .query_param("access_token", token);
            then.status(200)
                .header("content-type", "application/json")
                .body(page_body(0, 0, 0));
        }
    };
    let with_a = server.mock_async(api(TOKEN_A)).await;
    let with_b = server.mock_async(api(TOKEN_B)).await;

    let clock = Arc::new(ManualClock::new(t0()));
    let client = builder(&server.base_url())
        .clock(clock.clone())
        .max_concurrent(32)
        .build()
        .unwrap();
    let request = CollectDetailPage::new();
    client.call(&request).await.unwrap();
    clock.advance(Duration::from_secs(7200)); // token A has expired

    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let (client, request) = (client.clone(), request.clone());
            tokio::spawn(async move { client.call(&request).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    with_a.assert_calls_async(1).await;
    with_b.assert_calls_async(1000).await;
}

/// The token is replaced `margin` (default 5 min) before it expires, not after.
#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let server = MockServer::start_async().await;
    let token = |token: &'static str| {
        let body = token_body(token, 7200);
        move |when: httpmock::When, then: httpmock::Then| {
            when.method(GET).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        }
    };
    let first = server.mock_async(token(TOKEN_A)).await;
    first.up_to_n_times_async(1).await;
    let second = server.mock_async(token(TOKEN_B)).await;
    let api = |token: &'static str| {
        move |when: httpmock::When, then: httpmock::Then| {
            when.path(API_PATH).query_param("access_token", token);
            then.status(200).body(page_body(0, 0, 0));
        }
    };
    let with_a = server.mock_async(api(TOKEN_A)).await;
    let with_b = server.mock_async(api(TOKEN_B)).await;
    let clock = Arc::new(ManualClock::new(t0()));
    let client = builder(&server.base_url())
        .clock(clock.clone())
        .build()
        .unwrap();
    let request = CollectDetailPage::new();

    client.call(&request).await.unwrap();
    clock.advance(Duration::from_secs(7200 - 301));
    client.call(&request).await.unwrap();
    first.assert_calls_async(1).await;
    second.assert_calls_async(0).await;
    with_a.assert_calls_async(2).await;

    clock.advance(Duration::from_secs(2)); // now within 5 minutes of expiry
    client.call(&request).await.unwrap();
    second.assert_calls_async(1).await;
    with_b.assert_calls_async(1).await;
    with_a.assert_calls_async(2).await;
}

/// A call whose old token is rejected after another call already replaced it must not throw
/// the fresh token away: it retries with the fresh one, and no third token is fetched.
#[tokio::test]
async fn only_the_rejected_token_is_invalidated() {
    let arrived = Arc::new(Notify::new());
    let gate = Arc::new(Notify::new());
    let tokens = Arc::new(AtomicUsize::new(0));
    let fake = Fake::new({
        let (arrived, gate, tokens) = (arrived.clone(), gate.clone(), tokens.clone());
        move |seen| {
            let (arrived, gate) = (arrived.clone(), gate.clone());
            let token_n = seen
                .is_token_request()
                .then(|| tokens.fetch_add(1, Ordering::SeqCst));
            async move {
                if let Some(n) = token_n {
                    // The first token is A; every later fetch gets B.
                    return reply(
                        200,
                        token_body(if n == 0 { TOKEN_A } else { TOKEN_B }, 7200),
                    );
                }
                let slow = String::from_utf8_lossy(&seen.body).contains("slow");
                match seen.token() {
                    Some(TOKEN_A) => {
                        if slow {
                            arrived.notify_one();
                            gate.notified().await;
                        }
                        reply(200, error_body(10001, "access_token无效"))
                    }
                    Some(TOKEN_B) => reply(200, page_body(0, 0, 0)),
                    other => panic!("unexpected token {other:?}"),
                }
            }
        }
    });
    let client = fake_builder(fake.clone()).build().unwrap();

    let slow = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .call(&CollectDetailPage::new().send_user_id("slow"))
                .await
        }
    });
    arrived.notified().await; // the slow call was sent with token A and waits for its answer
    client
        .call(&CollectDetailPage::new().send_user_id("fast"))
        .await
        .unwrap(); // A rejected → B fetched → retried with B
    gate.notify_one(); // now the slow call's A is rejected too
    slow.await.unwrap().unwrap();

    assert_eq!(
        fake.token_calls(),
        2,
        "B must survive the late rejection of A"
    );
    let used: Vec<_> = fake
        .api_calls()
        .iter()
        .map(|c| c.token().unwrap().to_owned())
        .collect();
    assert_eq!(used, [TOKEN_A, TOKEN_A, TOKEN_B, TOKEN_B]);
}

/// The default limit (5 requests/s, 4 in flight) paces calls and bounds concurrency.
/// Paused time: the test measures the client's own waiting, not the machine's speed.
#[tokio::test(start_paused = true)]
async fn the_default_rate_limit_paces_and_bounds_calls() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let fake = Fake::new({
        let (in_flight, most) = (in_flight.clone(), most.clone());
        move |seen| {
            let (in_flight, most) = (in_flight.clone(), most.clone());
            async move {
                if seen.is_token_request() {
                    return reply(200, token_body(TOKEN_A, 7200));
                }
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(1)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                reply(200, page_body(0, 0, 0))
            }
        }
    });
    let client = scrm_wshoto::WshotoClient::builder()
        .app_id("app")
        .app_secret("secret")
        .transport(fake.clone())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call(&CollectDetailPage::new()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        most.load(Ordering::SeqCst),
        scrm_wshoto::DEFAULT_MAX_CONCURRENT
    );
    // 10 starts at 5 per second: the last starts 1.8 s after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(1800),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.api_calls().len(), 10);
}
