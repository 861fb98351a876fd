//! Access-token auth against httpmock: request shape, caching, refresh on token-invalid codes.

use std::sync::Arc;

use futures::future::join_all;
use httpmock::prelude::*;
use httpmock::{Mock, MockServer};
use scrm_testkit::fixture_str;
use scrm_wshoto::ops::CollectDetailPage;
use scrm_wshoto::{Configure, ConfigureTokens, ErrorKind, MemoryTokenStore, TokenStore};

use crate::common::{
    API_PATH, APP_ID, APP_SECRET, TOKEN_A, TOKEN_B, TOKEN_PATH, builder, error_body, page_body,
    token_body,
};

/// The token endpoint answering `token` (for up to `times` calls when given).
async fn token_mock<'a>(server: &'a MockServer, token: &str, times: Option<usize>) -> Mock<'a> {
    let body = token_body(token, 7200);
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(TOKEN_PATH)
                .query_param("appid", APP_ID)
                .query_param("app_secret", APP_SECRET);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
    if let Some(n) = times {
        mock.up_to_n_times_async(n).await;
    }
    mock
}

/// The API answering `status` + `body` to calls carrying `token`.
async fn api_mock<'a>(server: &'a MockServer, token: &str, status: u16, body: String) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(API_PATH)
                .query_param("access_token", token);
            then.status(status)
                .header("content-type", "application/json")
                .body(body);
        })
        .await
}

#[tokio::test]
async fn the_exact_request() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, TOKEN_A, None).await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(API_PATH)
                .query_param("access_token", TOKEN_A)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .body(
                    r#"{"form_id":1634567890987645,"send_user_id":"Wang","detail_status":1,"start_commit_time":1645632000,"end_commit_time":1645646000,"current_index":1,"page_size":10}"#,
                );
            then.status(200)
                .header("content-type", "application/json")
                .body(fixture_str("wshoto/collect-detail-page.response.json"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request: CollectDetailPage =
        scrm_testkit::fixture_json("wshoto/collect-detail-page.request.json");
    let page = client.call(&request).await.unwrap();
    assert_eq!(page.total, Some(20));
    assert_eq!(page.records.as_ref().map_or(0, Vec::len), 1);
    token.assert_calls_async(1).await;
    api.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_fetched_once_for_many_calls() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, TOKEN_A, None).await;
    let api = api_mock(&server, TOKEN_A, 200, page_body(0, 0, 0)).await;
    let client = builder(&server.base_url())
        .max_concurrent(8)
        .build()
        .unwrap();
    let request = CollectDetailPage::new();
    for _ in 0..5 {
        client.call(&request).await.unwrap();
    }
    let clones: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            let request = request.clone();
            tokio::spawn(async move { client.call(&request).await })
        })
        .collect();
    for result in join_all(clones).await {
        result.unwrap().unwrap();
    }
    token.assert_calls_async(1).await;
    api.assert_calls_async(25).await;
}

/// A token-invalid answer (here with HTTP 401 and the usual JSON body) drops the token,
/// fetches a new one and retries the call once.
#[tokio::test]
async fn a_token_invalid_code_refreshes_once_and_retries_once() {
    let server = MockServer::start_async().await;
    let first = token_mock(&server, TOKEN_A, Some(1)).await;
    let second = token_mock(&server, TOKEN_B, None).await;
    let rejected = api_mock(&server, TOKEN_A, 401, error_body(10001, "access_token无效")).await;
    let accepted = api_mock(&server, TOKEN_B, 200, page_body(1, 0, 1)).await;
    let client = builder(&server.base_url()).build().unwrap();
    let page = client.call(&CollectDetailPage::new()).await.unwrap();
    assert_eq!(page.records.as_ref().map_or(0, Vec::len), 1);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_token_invalid_in_a_row_surfaces_as_an_auth_error() {
    let server = MockServer::start_async().await;
    let first = token_mock(&server, TOKEN_A, Some(1)).await;
    let second = token_mock(&server, TOKEN_B, None).await;
    let with_a = api_mock(&server, TOKEN_A, 200, error_body(10010, "token expired")).await;
    let with_b = api_mock(&server, TOKEN_B, 200, error_body(10011, "token expired")).await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthExpired);
    assert!(e.is_auth());
    assert_eq!(e.code(), Some("10011"));
    assert!(e.to_string().contains("wshoto collect/detail/page"), "{e}");
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    with_a.assert_calls_async(1).await;
    with_b.assert_calls_async(1).await;
}

#[tokio::test]
async fn token_invalid_codes_are_configurable() {
    let server = MockServer::start_async().await;
    let first = token_mock(&server, TOKEN_A, Some(1)).await;
    let second = token_mock(&server, TOKEN_B, None).await;
    let with_a = api_mock(&server, TOKEN_A, 200, error_body(777, "凭证失效")).await;
    let with_b = api_mock(
        &server,
        TOKEN_B,
        200,
        error_body(10001, "no longer special"),
    )
    .await;
    let client = builder(&server.base_url())
        .token_invalid_codes([777])
        .build()
        .unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    // 777 refreshed the token; 10001 is an ordinary (permanent) vendor error now.
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.code(), Some("10001"));
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    with_a.assert_calls_async(1).await;
    with_b.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_rejected_app_secret_is_an_auth_error_and_calls_nothing() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(GET).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .body(error_body(40013, "invalid appid or app_secret"));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.path(API_PATH);
            then.status(200).body(page_body(0, 0, 0));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    assert_eq!(e.code(), Some("40013"));
    assert!(e.message().contains("invalid appid or app_secret"), "{e}");
    assert!(e.to_string().contains("check the app id and secret"), "{e}");
    token.assert_calls_async(1).await;
    api.assert_calls_async(0).await;
}

/// Clients sharing a token store (e.g. one backed by Redis across processes) share the token:
/// it is stored under `wshoto:<appid>`.
#[tokio::test]
async fn clients_sharing_a_token_store_share_the_token() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, TOKEN_A, None).await;
    let api = api_mock(&server, TOKEN_A, 200, page_body(0, 0, 0)).await;
    let store = Arc::new(MemoryTokenStore::default());
    let one = builder(&server.base_url())
        .token_store(store.clone())
        .build()
        .unwrap();
    let two = builder(&server.base_url())
        .token_store(store.clone())
        .build()
        .unwrap();
    one.call(&CollectDetailPage::new()).await.unwrap();
    two.call(&CollectDetailPage::new()).await.unwrap();
    token.assert_calls_async(1).await;
    api.assert_calls_async(2).await;
    let stored = store.get(&format!("wshoto:{APP_ID}")).await.unwrap();
    assert_eq!(stored.value.expose(), TOKEN_A);
}

#[test]
fn clients_and_streams_are_send_sync_and_static() {
    fn send_sync_clone<T: Send + Sync + Clone + 'static>(_: &T) {}
    fn send_static<T: Send + 'static>(_: &T) {}
    let client = builder("http://127.0.0.1:9").build().unwrap();
    send_sync_clone(&client);
    send_static(&client.items(CollectDetailPage::new()));
    send_static(&client.pages(CollectDetailPage::new()));
}
