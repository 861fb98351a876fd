//! Retries by error class, counting calls; fresh signing per attempt; Retry-After; throttling.

use std::sync::Arc;
use std::time::Duration;

use scrm_testkit::{Reply, ScriptedServer};
use scrm_weiban::scrm_core::{
    HttpRequest, HttpResponse, ReqwestTransport, TransportError, async_trait,
};
use scrm_weiban::{
    AccessToken, Configure, ConfigureTokens, ErrorKind, MemoryTokenStore, RetryPolicy, Secret,
    TokenStore, Transport,
};

use crate::common::*;

async fn server(script: impl IntoIterator<Item = Reply>) -> ScriptedServer {
    ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script(script)
        .start()
        .await
}

#[tokio::test]
async fn gateway_page_then_dropped_connection_then_success() {
    let server = server([Reply::html(502), Reply::Drop, page(0..2, 2)]).await;
    let client = builder(&server.url()).build().unwrap();
    let response = client.call(&submitted()).await.unwrap();
    assert_eq!(
        u_ids(response.result.as_deref().unwrap_or_default()),
        [0, 1]
    );
    assert_eq!(server.calls_to(LIST_PATH), 3);
    assert_eq!(server.calls_to(TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_permanent_error_is_not_retried() {
    let server = server([error_reply(21901, "参数错误"), page(0..1, 1)]).await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.calls_to(LIST_PATH), 1);
}

#[tokio::test]
async fn exhausted_attempts_say_how_many_and_the_last_cause() {
    let server = server([
        Reply::html(502),
        Reply::html(502),
        Reply::html(502),
        page(0..1, 1),
    ])
    .await;
    let client = builder(&server.url()).max_attempts(3).build().unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.http_status(), Some(502));
    let text = e.to_string();
    assert!(text.contains("3 attempts"), "{text}");
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(text.contains("non-JSON body"), "{text}");
    assert_eq!(server.calls_to(LIST_PATH), 3);
}

#[tokio::test]
async fn busy_throttled_and_query_failed_codes_are_retried() {
    let server = server([
        error_reply(-1, "system busy"),
        error_reply(45009, "api freq out of limit"),
        error_reply(21902, "自定义表单数据查询失败"),
        page(0..1, 1),
    ])
    .await;
    // Rate limit on (1000/s), to see it slow down after the throttled answer.
    let client = builder(&server.url())
        .max_attempts(4)
        .requests_per_second(1000.0)
        .build()
        .unwrap();
    client.call(&submitted()).await.unwrap();
    assert_eq!(server.calls_to(LIST_PATH), 4);
    let interval = client.core().rate_limiter().current_interval().unwrap();
    assert!(
        interval > Duration::from_millis(1),
        "throttling slowed the client: {interval:?}"
    );
}

#[tokio::test]
async fn unknown_codes_are_service_errors_unless_the_status_is_5xx() {
    let server = server([
        error_reply(99999, "odd"),
        Reply::json(503, error_body(99999, "odd")),
        page(0..1, 1),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Service, 1));
    client.call(&submitted()).await.unwrap();
    assert_eq!(server.calls_to(LIST_PATH), 3);
}

/// Forwards to reqwest; after the first API request, another process (simulated) replaces
/// the token in the shared store.
struct RotateAfterFirst {
    inner: ReqwestTransport,
    store: Arc<MemoryTokenStore>,
}

#[async_trait]
impl Transport for RotateAfterFirst {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self.inner.send(request).await;
        let current = self.store.get(STORE_KEY).await.map(|t| t.value);
        if current.as_ref().map(Secret::expose) == Some("tok-1") {
            let rotated = AccessToken::new(
                Secret::new("tok-rotated"),
                std::time::SystemTime::now(),
                Duration::from_secs(7200),
            );
            self.store.put(STORE_KEY, rotated).await;
        }
        response
    }
}

#[tokio::test]
async fn every_attempt_is_signed_with_the_current_token() {
    let server = server([Reply::html(502), page(0..1, 1)]).await;
    let store = Arc::new(MemoryTokenStore::default());
    let client = builder(&server.url())
        .token_store(store.clone())
        .transport(Arc::new(RotateAfterFirst {
            inner: reqwest_transport(),
            store: store.clone(),
        }))
        .build()
        .unwrap();
    client.call(&submitted()).await.unwrap();
    // Attempt 1 carried tok-1; the retry was re-signed and carried the token current then.
    assert_eq!(tokens_used(&server.requests()), ["tok-1", "tok-rotated"]);
    assert_eq!(server.calls_to(TOKEN_PATH), 1);
}

#[tokio::test]
async fn retry_after_longer_than_the_deadline_stops_instead_of_retrying_early() {
    let server = server([
        Reply::json(429, error_body(45009, "slow down")).header("retry-after", "3600"),
        page(0..1, 1),
    ])
    .await;
    let client = builder(&server.url())
        .retry_policy(fast_retries().deadline(Duration::from_secs(30)))
        .build()
        .unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttled);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(
        server.calls_to(LIST_PATH),
        1,
        "not retried before the vendor's Retry-After"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for() {
    // In-process transport: no real I/O, so paused time is exact.
    let transport = FnTransport::new(|request, index| match request.url.path() {
        TOKEN_PATH => (200, vec![], token_body("tok-1")),
        _ if index == 1 => (429, vec![("retry-after", "2".to_owned())], String::new()),
        _ => (200, vec![], page_body(0..1, 1)),
    });
    let client = builder("http://127.0.0.1:9")
        .transport(Arc::new(transport.clone()))
        .retry_policy(
            RetryPolicy::default()
                .initial_delay(Duration::from_millis(1))
                .throttle_delay(Duration::from_millis(1))
                .jitter(false),
        )
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    client.call(&submitted()).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    let paths: Vec<_> = transport
        .requests()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(paths, [TOKEN_PATH, LIST_PATH, LIST_PATH]);
    let tokens: Vec<_> = transport.requests()[1..]
        .iter()
        .map(|r| query_value(r, "access_token"))
        .collect();
    assert_eq!(tokens, [Some("tok-1".to_owned()), Some("tok-1".to_owned())]);
}
