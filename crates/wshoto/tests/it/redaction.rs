//! Canary check: with canary secrets and tokens, no `Display`, `Debug`, error chain or TRACE
//! log line shows a secret, on success and failure paths alike.
//!
//! Current-thread runtimes only: the log capture sees the current thread.

use std::sync::Arc;

use scrm_core::{HttpRequest, HttpResponse, ReqwestTransport, TransportError};
use scrm_testkit::{
    CANARY_ACCESS_TOKEN, CANARY_WSHOTO_APP_SECRET, LogCapture, Reply, ScriptedServer,
    assert_no_canary,
};
use scrm_wshoto::ops::CollectDetailPage;
use scrm_wshoto::{Configure, Error, ErrorKind, Transport, WshotoClient, WshotoClientBuilder};

use crate::common::{API_PATH, TOKEN_PATH, error_body, fast_retry, page_body, token_body};

fn canary_builder(base: &str) -> WshotoClientBuilder {
    WshotoClient::builder()
        .app_id("canary-app")
        .app_secret(CANARY_WSHOTO_APP_SECRET)
        .base_url(base)
        .retry_policy(fast_retry())
        .requests_per_second(0.0)
}

/// Every rendering of an error: Display, Debug, the source chain, and the kept body.
fn renderings(e: &Error) -> String {
    let mut text = format!("{e}\n{e:?}\n");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    if let Some(body) = e.body() {
        text.push_str(&String::from_utf8_lossy(body));
    }
    text
}

/// A port nothing listens on (connections are refused).
async fn dead_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// Sends token requests to a live server and every other request to a dead port, through the
/// real reqwest transport (so the refused URL carries the real token).
struct SplitTransport {
    inner: ReqwestTransport,
    token_port: u16,
    api_port: u16,
}

#[scrm_wshoto::async_trait]
impl Transport for SplitTransport {
    async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let port = if request.url.path() == TOKEN_PATH {
            self.token_port
        } else {
            self.api_port
        };
        request.url.set_port(Some(port)).unwrap();
        self.inner.send(request).await
    }
}

#[tokio::test]
async fn no_secret_on_success_vendor_error_decode_error_or_exhausted_retries() {
    let capture = LogCapture::start();
    let echoing = format!("access_token {CANARY_ACCESS_TOKEN} 无效");
    let server = ScriptedServer::builder()
        .always(
            TOKEN_PATH,
            Reply::json(200, token_body(CANARY_ACCESS_TOKEN, 7200)),
        )
        .script([
            // success
            Reply::json(200, page_body(1, 1, 2)),
            // a vendor error whose message echoes the token
            Reply::json(200, error_body(40001, &echoing)),
            // a decode error quoting the token
            Reply::json(
                200,
                format!(r#"{{"code":0,"data":{{"total":1,"records":"{CANARY_ACCESS_TOKEN}"}}}}"#),
            ),
            // exhausted retries
            Reply::html(502),
            Reply::Drop,
            Reply::json(503, error_body(50000, &echoing)),
            // token invalid twice in a row, echoing the token
            Reply::json(200, error_body(10001, &echoing)),
            Reply::json(401, error_body(10001, &echoing)),
        ])
        .start()
        .await;
    let client = canary_builder(&server.url()).build().unwrap();
    let request = CollectDetailPage::new();

    client.call(&request).await.unwrap();
    let mut errors = Vec::new();
    for expected in [
        ErrorKind::Service,
        ErrorKind::Decode,
        ErrorKind::Transient,
        ErrorKind::AuthExpired,
    ] {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), expected, "{e}");
        errors.push(e);
    }
    assert_eq!(server.remaining(), 0, "every scripted answer was played");
    // The token did reach the vendor (so the checks below are meaningful).
    assert_eq!(
        server.requests()[1].query_param("access_token"),
        Some(CANARY_ACCESS_TOKEN)
    );

    for e in &errors {
        assert_no_canary(&renderings(e));
    }
    assert!(
        renderings(&errors[0]).contains("***"),
        "the echoed token is scrubbed"
    );
    assert_no_canary(&format!("{client:?}"));
    let logs = capture.text();
    assert!(logs.contains("attempt failed"), "logs captured: {logs}");
    assert!(
        logs.contains(API_PATH.trim_start_matches("/openapi/")),
        "{logs}"
    );
    assert_no_canary(&logs);
}

#[tokio::test]
async fn no_token_in_a_connection_refused_error_on_a_url_carrying_it() {
    let capture = LogCapture::start();
    let token_server = ScriptedServer::builder()
        .always(
            TOKEN_PATH,
            Reply::json(200, token_body(CANARY_ACCESS_TOKEN, 7200)),
        )
        .start()
        .await;
    let token_port = token_server
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let transport = SplitTransport {
        inner: ReqwestTransport::builder().build().unwrap(),
        token_port,
        api_port: dead_port().await,
    };
    let client = canary_builder("http://127.0.0.1:9")
        .transport(Arc::new(transport))
        .build()
        .unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("3 attempts"), "{e}");
    assert_eq!(
        token_server.calls_to(TOKEN_PATH),
        1,
        "the token was fetched and used"
    );
    assert_no_canary(&renderings(&e));
    let logs = capture.text();
    assert!(logs.contains("attempt failed"), "{logs}");
    assert_no_canary(&logs);
}

#[tokio::test]
async fn no_app_secret_when_the_token_url_is_refused() {
    let capture = LogCapture::start();
    let base = format!("http://127.0.0.1:{}", dead_port().await);
    let builder = canary_builder(&base);
    assert_no_canary(&format!("{builder:?}"));
    let client = builder.build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("access token"), "{e}");
    assert!(!e.maybe_sent(), "the call itself was never sent");
    assert_no_canary(&renderings(&e));
    assert_no_canary(&capture.text());
}

#[tokio::test]
async fn no_app_secret_when_the_token_endpoint_echoes_it() {
    let capture = LogCapture::start();
    let server = ScriptedServer::builder()
        .always(
            TOKEN_PATH,
            Reply::json(
                200,
                error_body(
                    40013,
                    &format!("app_secret {CANARY_WSHOTO_APP_SECRET} 错误"),
                ),
            ),
        )
        .start()
        .await;
    let client = canary_builder(&server.url()).build().unwrap();
    let e = client.call(&CollectDetailPage::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    assert!(
        e.to_string().contains("错误"),
        "the vendor's message is kept: {e}"
    );
    assert_no_canary(&renderings(&e));
    assert_no_canary(&capture.text());
    // The secret did travel to the token endpoint (so the check above is meaningful).
    assert!(
        server.requests()[0]
            .target
            .contains(CANARY_WSHOTO_APP_SECRET)
    );
}
