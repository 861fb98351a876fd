//! Canary check: the secret and the token never reach a Display, Debug, error chain or log line
//! (captured at TRACE), on success and failure paths alike.
//!
//! Current-thread runtimes only: log capture sees the current thread.

use std::sync::Arc;

use scrm_testkit::{
    CANARY_ACCESS_TOKEN, CANARY_WEIBAN_SECRET, LogCapture, Reply, ScriptedServer, assert_no_canary,
};
use scrm_weiban::scrm_core::{
    HttpRequest, HttpResponse, ReqwestTransport, TransportError, async_trait,
};
use scrm_weiban::{Configure, Error, ErrorKind, Transport, WeibanClientBuilder, collect_all};

use crate::common::*;

fn canary_builder(base: &str) -> WeibanClientBuilder {
    builder(base).secret(CANARY_WEIBAN_SECRET)
}

/// Everything printable about an error: Display, Debug, the source chain, the kept body.
fn everything(e: &Error) -> String {
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

/// Sends API requests to a closed port (the URL carries the token), the rest to `inner`.
struct RefuseApi {
    inner: ReqwestTransport,
    closed_port: u16,
}

#[async_trait]
impl Transport for RefuseApi {
    async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.url.path() == LIST_PATH {
            request.url.set_port(Some(self.closed_port)).unwrap();
        }
        self.inner.send(request).await
    }
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn no_canary_in_errors_debug_output_or_trace_logs() {
    let logs = LogCapture::start();
    let echo = format!("bad token {CANARY_ACCESS_TOKEN} for secret {CANARY_WEIBAN_SECRET}");
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply(CANARY_ACCESS_TOKEN))
        .script([
            // success
            page(0..2, 2),
            // a vendor error echoing the token and the secret
            error_reply(21901, &echo),
            // a decode error quoting the token
            Reply::json(
                200,
                format!(
                    r#"{{"errcode":0,"errmsg":"ok","result":"{CANARY_ACCESS_TOKEN}","total":1}}"#
                ),
            ),
            // token rejected twice (refresh + retry), echoing it
            error_reply(42001, &echo),
            error_reply(42001, &echo),
            // exhausted retries: a gateway page echoing the token, a dropped connection, a 5xx
            Reply::Respond {
                status: 502,
                headers: vec![],
                body: format!("<html>{CANARY_ACCESS_TOKEN}</html>").into_bytes(),
            },
            Reply::Drop,
            Reply::json(503, error_body(-1, &echo)),
        ])
        .start()
        .await;
    let builder = canary_builder(&server.url());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let mut printed = vec![
        builder_debug,
        format!("{client:?}"),
        format!("{:?}", client.core()),
    ];

    let users = collect_all(client.items(submitted())).await.unwrap();
    printed.push(format!("{users:?}"));
    let mut errors = Vec::new();
    for expected in [
        ErrorKind::InvalidRequest,
        ErrorKind::Decode,
        ErrorKind::AuthExpired,
        ErrorKind::Transient,
    ] {
        let e = client.call(&submitted()).await.unwrap_err();
        assert_eq!(e.kind(), expected, "{e}");
        errors.push(e);
    }
    assert_eq!(server.remaining(), 0);

    // Connection refused on a URL that carries the token.
    let refusing = canary_builder(&server.url())
        .transport(Arc::new(RefuseApi {
            inner: reqwest_transport(),
            closed_port: closed_port(),
        }))
        .build()
        .unwrap();
    let e = refusing.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    errors.push(e);

    // The token endpoint refusing the secret, echoing it back.
    let refused = ScriptedServer::builder()
        .always(
            TOKEN_PATH,
            error_reply(40001, &format!("bad secret {CANARY_WEIBAN_SECRET}")),
        )
        .start()
        .await;
    let e = canary_builder(&refused.url())
        .build()
        .unwrap()
        .call(&submitted())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected, "{e}");
    errors.push(e);

    // The token endpoint answering garbage that contains the token.
    let garbled = ScriptedServer::builder()
        .always(
            TOKEN_PATH,
            Reply::json(
                200,
                format!(r#"{{"errcode":0,"access_token":["{CANARY_ACCESS_TOKEN}"]}}"#),
            ),
        )
        .start()
        .await;
    let e = canary_builder(&garbled.url())
        .build()
        .unwrap()
        .call(&submitted())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    errors.push(e);

    for e in &errors {
        printed.push(everything(e));
    }
    let log = logs.text();
    // The capture must actually have seen the calls, or this test proves nothing.
    assert!(log.contains("attempt failed"), "{log}");
    assert!(log.contains("attempt succeeded"), "{log}");
    assert!(log.contains("weiban"), "{log}");
    printed.push(log);
    for text in &printed {
        assert_no_canary(text);
    }
    // The token did travel, and the vendor's message survives with the secrets scrubbed.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.target.contains(CANARY_ACCESS_TOKEN))
    );
    assert!(
        errors[0].message().contains("bad token *** for secret"),
        "{}",
        errors[0]
    );
}
