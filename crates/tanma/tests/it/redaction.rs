//! Canary check: the app key (and every signature) never reaches an error, a `Debug` output or
//! a log line, on success and failure paths alike.

use std::error::Error as _;
use std::net::TcpListener;

use scrm_tanma::{Configure, Error, ErrorKind, TanmaClient, TanmaClientBuilder};
use scrm_testkit::{CANARY_TANMA_APP_KEY, LogCapture, Reply, ScriptedServer, assert_no_canary};

use crate::common::{self, APP_ID, clue_page, example_clue_request};

fn canary_builder(base_url: &str) -> TanmaClientBuilder {
    common::builder(base_url)
        .app_key(CANARY_TANMA_APP_KEY)
        // The worst case: the key also travels in a header.
        .send_app_key_header(true)
        .max_attempts(3)
}

/// Everything a user could print about an error: `Display`, `Debug`, the source chain and the
/// kept response body.
fn error_texts(e: &Error) -> String {
    let mut out = format!("{e}\n{e:?}\n");
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    if let Some(body) = e.body() {
        out.push_str(&String::from_utf8_lossy(body));
        out.push('\n');
    }
    out
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// What one run of the representative paths leaves behind.
struct Run {
    errors: Vec<Error>,
    debug: String,
    requests: Vec<scrm_testkit::RecordedRequest>,
}

/// Success, a vendor error echoing the key and the signature, a decode error quoting the key,
/// exhausted retries whose last body echoes the key, a refused connection and a configuration
/// error.
async fn exercise() -> Run {
    let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
    let sign = scrm_tanma::auth::sign(
        APP_ID,
        "1700000000000",
        body.as_bytes(),
        CANARY_TANMA_APP_KEY,
    );
    let server = ScriptedServer::start([
        Reply::json(200, clue_page(&[1], None)),
        Reply::json(
            200,
            format!(
                r#"{{"code":1002,"message":"sign {sign} does not match appKey {CANARY_TANMA_APP_KEY}","data":null}}"#
            ),
        ),
        Reply::json(
            200,
            format!(r#"{{"code":0,"message":"ok","data":{{"list":"{CANARY_TANMA_APP_KEY}"}}}}"#),
        ),
        Reply::html(502),
        Reply::html(502),
        Reply::json(
            503,
            format!(r#"{{"code":1000,"message":"busy {CANARY_TANMA_APP_KEY}"}}"#),
        ),
    ])
    .await;
    let builder = canary_builder(&server.url());
    let client = builder.clone().build().unwrap();

    client.call(&example_clue_request()).await.unwrap();
    let mut errors = Vec::new();
    for _ in 0..3 {
        errors.push(
            client
                .core()
                .call(&example_clue_request())
                .await
                .unwrap_err(),
        );
    }
    let refused = canary_builder(&format!("http://127.0.0.1:{}", closed_port()))
        .build()
        .unwrap();
    errors.push(
        refused
            .core()
            .call(&example_clue_request())
            .await
            .unwrap_err(),
    );
    errors.push(
        TanmaClient::builder()
            .app_key(CANARY_TANMA_APP_KEY)
            .build()
            .unwrap_err(),
    );
    Run {
        errors,
        debug: format!("{client:?}\n{builder:?}\n{refused:?}\n"),
        requests: server.requests(),
    }
}

// Current-thread runtime: the log capture sees only this thread.
#[tokio::test]
async fn no_secret_in_errors_debug_output_or_trace_logs() {
    // With a single registered subscriber, tracing-core computes a callsite's interest from
    // whichever thread registers it first; a callsite first hit by another test's thread would
    // be disabled for good. A second (silent) registered subscriber makes every registration
    // consult all of them, so the capture sees every event of this thread.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let capture = LogCapture::start();
    let run = exercise().await;
    let logs = capture.text();
    drop(capture);

    // The key did reach the server (the opt-in header), so the checks below are meaningful.
    let first = &run.requests[0];
    assert_eq!(first.header("appKey"), Some(CANARY_TANMA_APP_KEY));
    let kinds: Vec<_> = run.errors.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::AuthRejected,
            ErrorKind::Decode,
            ErrorKind::Transient,
            ErrorKind::Transport,
            ErrorKind::Config
        ]
    );
    let vendor_error = run.errors[0].to_string();
    assert!(
        vendor_error.contains("sign *** does not match appKey ***"),
        "{vendor_error}"
    );
    assert!(logs.contains("attempt failed"), "the capture works: {logs}");
    assert!(logs.contains("vendor=\"tanma\""), "{logs}");

    let mut text = String::new();
    for e in &run.errors {
        text.push_str(&error_texts(e));
    }
    text.push_str(&run.debug);
    text.push_str(&logs);
    assert_no_canary(&text);
    for r in &run.requests {
        let sign = r.header("sign").unwrap();
        assert!(!text.contains(sign), "signature {sign} leaked");
    }
}
