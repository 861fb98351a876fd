//! Builder rules and the base-URL convention (base URL = everything before `/api/v3/…`).

use std::sync::{Arc, Mutex};

use httpmock::prelude::*;
use scrm_core::{HttpRequest, HttpResponse, TransportError};
use scrm_tanma::{
    ALTERNATE_BASE_URL, Configure, CustomerFileList, DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT,
    DEFAULT_REQUESTS_PER_SECOND, ErrorKind, TanmaClient,
};

use crate::common::{self, APP_ID, APP_KEY, clue_page, example_clue_request, response};

/// Records the URLs it is asked for and answers an empty page: the production hosts are
/// checked without leaving the machine.
#[derive(Default)]
struct UrlRecorder(Mutex<Vec<String>>);

#[scrm_core::async_trait]
impl scrm_core::Transport for UrlRecorder {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.0.lock().unwrap().push(request.url.to_string());
        Ok(response(200, &clue_page(&[], None), &[]))
    }
}

async fn url_for(base_url: Option<&str>) -> String {
    let recorder = Arc::new(UrlRecorder::default());
    let mut builder = common::builder(DEFAULT_BASE_URL).transport(recorder.clone());
    if let Some(base_url) = base_url {
        builder = builder.base_url(base_url);
    }
    let client = builder.build().unwrap();
    client.call(&example_clue_request()).await.unwrap();
    let urls = recorder.0.lock().unwrap().clone();
    assert_eq!(urls.len(), 1);
    urls.into_iter().next().unwrap()
}

#[tokio::test]
async fn production_hosts_compose_with_the_documented_path() {
    let default = TanmaClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .build()
        .unwrap();
    assert_eq!(
        default.core().base_url(),
        "https://account.tanmarket.cn/apiServer"
    );
    assert_eq!(
        url_for(None).await,
        "https://account.tanmarket.cn/apiServer/api/v3/clue/list-by-create-time-asc"
    );
    assert_eq!(
        url_for(Some(ALTERNATE_BASE_URL)).await,
        "https://api.tanmarket.cn:20066/api/v3/clue/list-by-create-time-asc"
    );
    // A trailing slash is harmless.
    assert_eq!(
        url_for(Some("https://api.tanmarket.cn:20066/")).await,
        "https://api.tanmarket.cn:20066/api/v3/clue/list-by-create-time-asc"
    );
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/apiServer/api/v3/customer/list-file-of-customer");
            then.status(200).body(common::file_page(&[], 100, 0));
        })
        .await;
    let client = common::client(&server.url("/apiServer"));
    client.core().call(&CustomerFileList::new()).await.unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_bare_host_base_url_gets_the_documented_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/clue/list-by-create-time-asc");
            then.status(200).body(clue_page(&[], None));
        })
        .await;
    let client = common::client(&server.base_url());
    client.call(&example_clue_request()).await.unwrap();
    mock.assert_calls_async(1).await;
}

/// The field-client convention `…:20066/api` + `/v3/…` used as a base URL doubles `/api`; the
/// resulting 404 names the base URL as the thing to fix.
#[tokio::test]
async fn a_doubled_api_prefix_404_points_at_the_base_url() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/api/v3/clue/list-by-create-time-asc");
            then.status(404).body(
                r#"{"timestamp":"2024-01-01T00:00:00.000+0000","status":404,"error":"Not Found","path":"/api/api/v3/clue/list-by-create-time-asc"}"#,
            );
        })
        .await;
    let client = common::client(&server.url("/api"));
    let e = client
        .core()
        .call(&example_clue_request())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("base URL"), "{e}");
    mock.assert_calls_async(1).await;
}

#[test]
fn missing_or_unusable_credentials_are_config_errors() {
    let cases = [
        TanmaClient::builder().app_key(APP_KEY).build().unwrap_err(),
        TanmaClient::builder().app_id(APP_ID).build().unwrap_err(),
        TanmaClient::builder()
            .app_id(" ")
            .app_key(APP_KEY)
            .build()
            .unwrap_err(),
        TanmaClient::builder()
            .app_id(APP_ID)
            .app_key("")
            .build()
            .unwrap_err(),
        TanmaClient::builder()
            .app_id("id with space")
            .app_key(APP_KEY)
            .build()
            .unwrap_err(),
        TanmaClient::builder()
            .app_id(APP_ID)
            .app_key(APP_KEY)
            .base_url("http://example.com")
            .build()
            .unwrap_err(),
    ];
    for e in cases {
        assert_eq!(e.kind(), ErrorKind::Config, "{e}");
        assert_eq!(e.vendor_name(), "tanma", "{e}");
    }
    let e = TanmaClient::builder().app_key(APP_KEY).build().unwrap_err();
    assert!(e.to_string().contains("app id"), "{e}");
}

#[test]
fn defaults_are_conservative_and_documented() {
    let client = TanmaClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .build()
        .unwrap();
    let limit = client.core().rate_limiter().limit();
    assert_eq!(limit.requests_per_second(), DEFAULT_REQUESTS_PER_SECOND);
    assert_eq!(limit.requests_per_second(), 5.0);
    assert_eq!(limit.max_concurrent(), DEFAULT_MAX_CONCURRENT);
    assert_eq!(limit.max_concurrent(), 4);
    assert_eq!(client.core().retry_policy().max_attempts, 3);
}

#[test]
fn client_is_clone_send_sync_and_streams_are_send() {
    fn assert_send_sync<T: Clone + Send + Sync + 'static>() {}
    fn assert_send<T: Send + 'static>(_: &T) {}
    assert_send_sync::<TanmaClient>();
    let client = TanmaClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .build()
        .unwrap();
    assert_send(&client.items(example_clue_request()));
    assert_send(&client.pages(CustomerFileList::new()));
}
