//! Access tokens: request shape, caching, refresh ahead of expiry, single flight, precise
//! invalidation, shared stores.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use httpmock::prelude::*;
use scrm_testkit::{Reply, ScriptedServer};
use scrm_weiban::scrm_core::{
    HttpRequest, HttpResponse, ReqwestTransport, TransportError, async_trait,
};
use scrm_weiban::{
    AccessToken, Configure, ConfigureTokens, ErrorKind, ManualClock, MemoryTokenStore, Secret,
    TokenStore, Transport,
};
use tokio::sync::oneshot;

use crate::common::*;

#[tokio::test]
async fn the_token_request_is_the_documented_post_and_is_cached() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({ "corp_id": CORP_ID, "secret": SECRET }))
                .query_param_count(".*", ".*", 0);
            then.status(200).body(token_body("tok-1"));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(LIST_PATH)
                .query_param("access_token", "tok-1");
            then.status(200).body(page_body(0..1, 1));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    for _ in 0..3 {
        client.call(&submitted()).await.unwrap();
    }
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(list.calls_async().await, 3);
}

#[tokio::test]
async fn the_token_is_refreshed_ahead_of_expiry() {
    for (margin, default) in [(None, 300), (Some(60), 60)] {
        let server = ScriptedServer::start([
            token_reply("tok-1"),
            page(0..1, 1),
            page(0..1, 1),
            token_reply("tok-2"),
            page(0..1, 1),
        ])
        .await;
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ));
        let mut b = builder(&server.url()).clock(clock.clone());
        if let Some(m) = margin {
            b = b.token_refresh_margin(Duration::from_secs(m));
        }
        let client = b.build().unwrap();
        client.call(&submitted()).await.unwrap();
        // 1 s before the margin: still the cached token.
        clock.advance(Duration::from_secs(7200 - default - 1));
        client.call(&submitted()).await.unwrap();
        // inside the margin (the token is still valid for weiban): replaced ahead of expiry.
        clock.advance(Duration::from_secs(2));
        client.call(&submitted()).await.unwrap();
        assert_eq!(
            tokens_used(&server.requests()),
            ["tok-1", "tok-1", "tok-2"],
            "margin {margin:?}"
        );
        assert_eq!(server.calls_to(TOKEN_PATH), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_on_an_expired_token_fetch_it_once() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-new"))
        .always(LIST_PATH, page(0..1, 1))
        .start()
        .await;
    let store = Arc::new(MemoryTokenStore::default());
    store
        .put(
            STORE_KEY,
            AccessToken::new(
                Secret::new("tok-expired"),
                SystemTime::now() - Duration::from_secs(7260),
                Duration::from_secs(7200),
            ),
        )
        .await;
    let client = builder(&server.url())
        .token_store(store.clone())
        .max_concurrent(64)
        .build()
        .unwrap();
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call(&submitted()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(server.calls_to(TOKEN_PATH), 1);
    let used = tokens_used(&server.requests());
    assert_eq!(used.len(), 1000);
    assert!(used.iter().all(|t| t == "tok-new"));
    assert_eq!(
        store.get(STORE_KEY).await.unwrap().value.expose(),
        "tok-new"
    );
}

/// Holds the first API request until released, telling when it got there.
struct Gate {
    inner: ReqwestTransport,
    held: Mutex<Option<(oneshot::Sender<()>, oneshot::Receiver<()>)>>,
}

#[async_trait]
impl Transport for Gate {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.url.path() == LIST_PATH {
            let gate = self.held.lock().unwrap().take();
            if let Some((arrived, release)) = gate {
                arrived.send(()).unwrap();
                release.await.unwrap();
            }
        }
        self.inner.send(request).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_rejection_of_an_old_token_keeps_the_fresh_one() {
    // Arrival order at the server: A's token, B's token, B's call, A's call (old token,
    // rejected), A's retry.
    let server = ScriptedServer::start([
        token_reply("tok-1"),
        token_reply("tok-2"),
        page(0..1, 1),
        error_reply(40014, "invalid access_token"),
        page(0..1, 1),
    ])
    .await;
    let (arrived_tx, arrived) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let client = builder(&server.url())
        .clock(clock.clone())
        .transport(Arc::new(Gate {
            inner: reqwest_transport(),
            held: Mutex::new(Some((arrived_tx, release_rx))),
        }))
        .build()
        .unwrap();

    // A signs with tok-1 and is held before sending.
    let a = tokio::spawn({
        let client = client.clone();
        async move { client.call(&submitted()).await }
    });
    arrived.await.unwrap();
    // tok-1 runs out; B fetches tok-2 and succeeds.
    clock.advance(Duration::from_secs(7200));
    client.call(&submitted()).await.unwrap();
    // A's old token is rejected: only tok-1 is dropped, A retries with tok-2.
    release.send(()).unwrap();
    a.await.unwrap().unwrap();

    assert_eq!(
        server.calls_to(TOKEN_PATH),
        2,
        "tok-2 must survive A's rejection"
    );
    assert_eq!(tokens_used(&server.requests()), ["tok-2", "tok-1", "tok-2"]);
    assert_eq!(server.remaining(), 0);
}

#[tokio::test]
async fn clients_sharing_a_store_share_the_token() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-shared"))
        .always(LIST_PATH, page(0..1, 1))
        .start()
        .await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
    let first = builder(&server.url())
        .token_store(store.clone())
        .build()
        .unwrap();
    let second = builder(&server.url()).token_store(store).build().unwrap();
    first.call(&submitted()).await.unwrap();
    second.call(&submitted()).await.unwrap();
    assert_eq!(server.calls_to(TOKEN_PATH), 1);
    assert_eq!(
        tokens_used(&server.requests()),
        ["tok-shared", "tok-shared"]
    );
}

#[tokio::test]
async fn refused_credentials_fail_once_without_calling_the_api() {
    let server = ScriptedServer::builder()
        .always(
            TOKEN_PATH,
            Reply::json(200, r#"{"errcode":40001,"errmsg":"invalid credential"}"#),
        )
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    assert_eq!(e.code(), Some("40001"));
    assert!(
        e.to_string()
            .starts_with("weiban smart_form/form/user/list: credentials rejected"),
        "{e}"
    );
    assert_eq!(
        server.calls_to(TOKEN_PATH),
        1,
        "a refused secret is not retried"
    );
    assert_eq!(server.calls_to(LIST_PATH), 0);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_retried_like_any_call() {
    let server = ScriptedServer::start([
        Reply::html(502),
        Reply::Drop,
        token_reply("tok-1"),
        page(0..1, 1),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    client.call(&submitted()).await.unwrap();
    assert_eq!(server.calls_to(TOKEN_PATH), 3);
    assert_eq!(tokens_used(&server.requests()), ["tok-1"]);
}
