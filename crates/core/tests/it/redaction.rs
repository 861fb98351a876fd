//! Secrets never reach Display, Debug or the error chain, including reqwest's URL.

use std::sync::Arc;
use std::time::Duration;

use scrm_core::{
    ClientOptions, Configure, Error, ErrorKind, HttpRequest, Operation, RateLimit, SignContext,
    SignReceipt, Signer, async_trait,
};
use serde::Serialize;

use crate::demo::{Demo, fast_retries};

const CANARY: &str = "CANARY-token-7f3a9c";

struct CanarySigner;

#[async_trait]
impl Signer for CanarySigner {
    async fn sign(
        &self,
        req: &mut HttpRequest,
        _cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        req.url
            .query_pairs_mut()
            .append_pair("access_token", CANARY);
        Ok(SignReceipt {
            token: Some(CANARY.into()),
            request_id: None,
            secrets: vec![CANARY.into()],
        })
    }
}

#[derive(Serialize)]
struct Ping;

impl Operation for Ping {
    type Vendor = Demo;
    type Response = serde_json::Value;
    const NAME: &'static str = "ping";
    const PATH: &'static str = "/ping";
}

fn chain(e: &Error) -> String {
    let mut out = format!("{e}\n{e:?}\n");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    out
}

#[tokio::test]
async fn connection_refused_on_a_url_carrying_the_token_does_not_leak_it() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ClientOptions::new(format!("http://127.0.0.1:{port}"), RateLimit::unlimited(1))
        .connect_timeout(Duration::from_secs(2))
        .retry_policy(fast_retries())
        .build(Demo, Arc::new(CanarySigner))
        .unwrap();
    let e = client.call(&Ping).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(
        e.attempts(),
        3,
        "connection refused is retried: nothing was sent"
    );
    assert!(!e.maybe_sent());
    let text = chain(&e);
    assert!(!text.contains(CANARY), "{text}");
    assert!(!text.contains("access_token"), "{text}");
    assert!(!format!("{client:?}").contains(CANARY));
}

#[test]
fn request_debug_hides_path_and_query() {
    let mut r = HttpRequest::new(
        scrm_core::Method::POST,
        scrm_core::Url::parse(
            "https://h.example/api/x/openid/20240101000000/DIGEST123/msg?access_token=T0K3N",
        )
        .unwrap(),
    );
    r.body = "{}".into();
    let d = format!("{r:?}");
    assert!(!d.contains("T0K3N") && !d.contains("DIGEST123"), "{d}");
    assert!(d.contains("h.example"));
}

struct FailingSigner;

#[async_trait]
impl Signer for FailingSigner {
    async fn sign(
        &self,
        _req: &mut HttpRequest,
        _cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        Err(Error::new(
            ErrorKind::AuthRejected,
            format!("token endpoint said: bad app_secret {CANARY}"),
        ))
    }

    fn secrets(&self) -> Vec<scrm_core::Secret> {
        vec![CANARY.into()]
    }
}

#[tokio::test]
async fn errors_raised_while_signing_are_scrubbed_of_the_signers_secrets() {
    let client = ClientOptions::new("https://demo.invalid", RateLimit::unlimited(1))
        .retry_policy(fast_retries())
        .build(Demo, Arc::new(FailingSigner))
        .unwrap();
    let e = client.call(&Ping).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    let text = chain(&e);
    assert!(!text.contains(CANARY), "{text}");
    assert!(text.contains("bad app_secret ***"), "{text}");
}
