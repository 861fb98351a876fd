//! The call pipeline: retries by class, token refresh once, clock-skew re-sign once,
//! idempotency, deadline, local validation, scrubbing.

use std::time::Duration;

use scrm_core::{
    Configure, Encoding, Error, ErrorKind, Operation, RetryPolicy, TransportError,
    TransportErrorKind,
};
use serde::Serialize;
use serde_json::json;

use crate::demo::{Answer, Demo, Scripted, client, code, ok};

#[derive(Serialize, Clone)]
struct Get {
    q: u32,
}

impl Operation for Get {
    type Vendor = Demo;
    type Response = serde_json::Value;
    const NAME: &'static str = "things/get";
    const PATH: &'static str = "/things/get";
    fn validate(&self) -> Result<(), Error> {
        if self.q > 100 {
            return Err(Error::new(ErrorKind::InvalidInput, "q must be at most 100"));
        }
        Ok(())
    }
}

#[derive(Serialize, Clone)]
struct Create {
    name: String,
}

impl Operation for Create {
    type Vendor = Demo;
    type Response = serde_json::Value;
    const NAME: &'static str = "things/create";
    const PATH: &'static str = "/things/create";
    const IDEMPOTENT: bool = false;
}

#[derive(Serialize, Clone)]
struct Query {
    limit: u32,
    city: String,
}

impl Operation for Query {
    type Vendor = Demo;
    type Response = serde_json::Value;
    const NAME: &'static str = "things/query";
    const PATH: &'static str = "/things/query";
    const METHOD: scrm_core::Method = scrm_core::Method::GET;
    const ENCODING: Encoding = Encoding::Query;
}

fn io(maybe_sent: bool) -> Answer {
    Answer::Fail(TransportError::new(
        TransportErrorKind::Io,
        "connection closed before message completed",
        maybe_sent,
    ))
}

fn signs(t: &Scripted) -> Vec<String> {
    t.requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.headers["x-attempt-sign"].to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn gateway_html_then_dropped_connection_then_success_is_three_calls() {
    let t = Scripted::new([Answer::Html(502), io(true), ok(json!({"v": 1}))]);
    let (c, _) = client(t.clone());
    assert_eq!(c.call(&Get { q: 1 }).await.unwrap(), json!({"v": 1}));
    assert_eq!(t.calls(), 3);
    assert_eq!(signs(&t), ["1", "2", "3"], "every attempt is signed afresh");
    let stats = c.stats();
    assert_eq!(
        (stats.requests, stats.retries, stats.failed_calls),
        (3, 2, 0)
    );
}

#[tokio::test]
async fn a_permanent_error_is_one_call() {
    let t = Scripted::new([code(400, "参数错误")]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(t.calls(), 1);
    assert_eq!(
        e.to_string(),
        "demo things/get: request rejected as invalid (code 400: 参数错误) [HTTP 200, 1 attempt]"
    );
}

#[tokio::test]
async fn exhausted_attempts_say_how_many_and_the_last_cause() {
    let t = Scripted::new([Answer::Html(502), code(503, "busy"), Answer::Html(504)]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert_eq!(t.calls(), 3);
    assert_eq!(e.attempts(), 3);
    assert_eq!(e.kind(), ErrorKind::Transient);
    let text = e.to_string();
    assert!(
        text.contains("3 attempts") && text.contains("HTTP 504"),
        "{text}"
    );
    assert!(text.contains("non-JSON body"), "{text}");
}

#[tokio::test]
async fn max_attempts_is_configurable() {
    let t = Scripted::new([
        Answer::Html(502),
        Answer::Html(502),
        Answer::Html(502),
        Answer::Html(502),
        ok(json!(1)),
    ]);
    let (c, _) = client(t.clone());
    let c5 =
        scrm_core::ClientOptions::new("https://demo.invalid", scrm_core::RateLimit::unlimited(1))
            .transport(t.clone())
            .retry_policy(crate::demo::fast_retries().max_attempts(5))
            .build(
                Demo,
                std::sync::Arc::new(crate::demo::CountingSigner::default()),
            )
            .unwrap();
    drop(c);
    assert_eq!(c5.call(&Get { q: 1 }).await.unwrap(), json!(1));
    assert_eq!(t.calls(), 5);
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_and_the_call_retried_once() {
    let t = Scripted::new([code(401, "token expired"), ok(json!("fine"))]);
    let (c, signer) = client(t.clone());
    assert_eq!(c.call(&Get { q: 1 }).await.unwrap(), json!("fine"));
    assert_eq!(t.calls(), 2);
    assert_eq!(
        *signer.rejected.lock().unwrap(),
        ["tok-0"],
        "the token that failed"
    );
    let urls: Vec<String> = t
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.url.query().unwrap().to_owned())
        .collect();
    assert_eq!(urls, ["token=tok-0", "token=tok-1"]);
}

#[tokio::test]
async fn a_second_token_rejection_in_a_row_surfaces_as_auth_error() {
    let t = Scripted::new([code(401, "token expired"), code(401, "token expired")]);
    let (c, signer) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert!(e.is_auth());
    assert_eq!(e.kind(), ErrorKind::AuthExpired);
    assert_eq!(t.calls(), 2, "refresh once, retry once, never loop");
    assert_eq!(c.stats().token_refreshes, 1);
    assert_eq!(c.stats().failed_calls, 1);
    assert_eq!(signer.rejected.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn clock_skew_is_resigned_once() {
    let t = Scripted::new([code(408, "timestamp expired"), ok(json!(2))]);
    let (c, _) = client(t.clone());
    assert_eq!(c.call(&Get { q: 1 }).await.unwrap(), json!(2));
    assert_eq!(signs(&t), ["1", "2"]);

    let t = Scripted::new([
        code(408, "timestamp expired"),
        code(408, "timestamp expired"),
    ]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ClockSkew);
    assert!(e.to_string().contains("clock"), "{e}");
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn rejected_credentials_are_not_retried() {
    let t = Scripted::new([code(403, "bad secret")]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRejected);
    assert_eq!(t.calls(), 1);
}

#[tokio::test]
async fn a_write_is_not_retried_once_it_may_have_reached_the_server() {
    for answer in [Answer::Html(502), io(true), code(503, "busy")] {
        let t = Scripted::new([answer, ok(json!("dup"))]);
        let (c, _) = client(t.clone());
        assert!(c.call(&Create { name: "a".into() }).await.is_err());
        assert_eq!(t.calls(), 1);
    }
    // Certainly not sent (connection refused), or throttled: safe to send again.
    for answer in [io(false), code(429, "slow down")] {
        let t = Scripted::new([answer, ok(json!("once"))]);
        let (c, _) = client(t.clone());
        assert_eq!(
            c.call(&Create { name: "a".into() }).await.unwrap(),
            json!("once")
        );
        assert_eq!(t.calls(), 2);
    }
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_and_slows_the_client_down() {
    let t = Scripted::new([code(429, "too frequent"), ok(json!(3))]);
    let (c, _) = client(t.clone());
    assert_eq!(c.rate_limiter().current_interval(), None);
    assert_eq!(c.call(&Get { q: 1 }).await.unwrap(), json!(3));
    assert_eq!(t.calls(), 2);
    assert!(
        c.rate_limiter().current_interval().is_some(),
        "the limiter slowed down"
    );
}

#[tokio::test]
async fn the_deadline_bounds_the_retries() {
    let t = Scripted::new([Answer::Html(502), Answer::Html(502)]);
    let c =
        scrm_core::ClientOptions::new("https://demo.invalid", scrm_core::RateLimit::unlimited(1))
            .transport(t.clone())
            .retry_policy(
                RetryPolicy::default()
                    .initial_delay(Duration::from_secs(60))
                    .deadline(Duration::from_secs(1)),
            )
            .build(
                Demo,
                std::sync::Arc::new(crate::demo::CountingSigner::default()),
            )
            .unwrap();
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert_eq!(t.calls(), 1, "a 60 s backoff does not fit a 1 s deadline");
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.attempts(), 1);
    assert_eq!(
        c.stats().failed_calls,
        1,
        "a call ended by the deadline failed"
    );
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let t = Scripted::new([]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 101 }).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.attempts(), 0);
    assert!(!e.maybe_sent());
    assert_eq!(
        e.to_string(),
        "demo things/get: refused before sending: q must be at most 100"
    );
    assert_eq!(t.calls(), 0);
}

#[tokio::test]
async fn query_encoding_and_json_encoding() {
    let t = Scripted::new([ok(json!(1)), ok(json!(2))]);
    let (c, _) = client(t.clone());
    c.call(&Query {
        limit: 10,
        city: "武汉".into(),
    })
    .await
    .unwrap();
    c.call(&Get { q: 7 }).await.unwrap();
    let reqs = t.requests.lock().unwrap();
    assert_eq!(reqs[0].method, scrm_core::Method::GET);
    assert_eq!(reqs[0].url.path(), "/things/query");
    assert_eq!(
        reqs[0].url.query(),
        Some("limit=10&city=%E6%AD%A6%E6%B1%89&token=tok-0")
    );
    assert!(reqs[0].body.is_empty());
    assert!(reqs[0].headers.get("content-type").is_none());
    assert_eq!(reqs[1].method, scrm_core::Method::POST);
    assert_eq!(&reqs[1].body[..], br#"{"q":7}"#);
    assert_eq!(reqs[1].headers["content-type"], "application/json");
}

#[tokio::test]
async fn vendor_messages_echoing_a_secret_are_scrubbed() {
    let t = Scripted::new([code(400, "invalid token tok-0, hint: [abc]")]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    let all = format!("{e} {e:?} {}", String::from_utf8_lossy(e.body().unwrap()));
    assert!(!all.contains("tok-0"), "{all}");
    assert!(e.message().contains("invalid token ***"));
}

#[tokio::test]
async fn a_json_error_body_on_a_5xx_is_still_classified_by_its_code() {
    let t = Scripted::new([Answer::Json(
        500,
        json!({"code": 400, "msg": "bad"}).to_string(),
    )]);
    let (c, _) = client(t.clone());
    let e = c.call(&Get { q: 1 }).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.http_status(), Some(500));
    assert_eq!(t.calls(), 1);
}

#[tokio::test]
async fn an_unexpected_success_shape_is_a_decode_error_naming_the_field() {
    #[derive(Serialize)]
    struct Typed;
    impl Operation for Typed {
        type Vendor = Demo;
        type Response = Vec<u32>;
        const NAME: &'static str = "typed";
        const PATH: &'static str = "/typed";
    }
    let t = Scripted::new([ok(json!([1, "two"]))]);
    let (c, _) = client(t.clone());
    let e = c.call(&Typed).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("data[1]"), "{e}");
    assert_eq!(t.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn requests_are_signed_after_waiting_for_the_rate_limiter_not_before() {
    use std::sync::{Arc, Mutex};
    use tokio::time::Instant;

    struct Stamp(Instant);
    #[scrm_core::async_trait]
    impl scrm_core::Signer for Stamp {
        async fn sign(
            &self,
            req: &mut scrm_core::HttpRequest,
            _cx: &scrm_core::SignContext<'_>,
        ) -> Result<scrm_core::SignReceipt, Error> {
            let ms = self.0.elapsed().as_millis().to_string();
            req.headers.insert("x-signed-at", ms.parse().unwrap());
            Ok(scrm_core::SignReceipt::default())
        }
    }
    struct Clocked(Instant, Mutex<Vec<(String, u128)>>);
    #[scrm_core::async_trait]
    impl scrm_core::Transport for Clocked {
        async fn send(
            &self,
            req: scrm_core::HttpRequest,
        ) -> Result<scrm_core::HttpResponse, TransportError> {
            let signed = req.headers["x-signed-at"].to_str().unwrap().to_owned();
            self.1
                .lock()
                .unwrap()
                .push((signed, self.0.elapsed().as_millis()));
            Ok(scrm_core::HttpResponse {
                status: scrm_core::StatusCode::OK,
                headers: scrm_core::HeaderMap::new(),
                body: r#"{"code":0,"data":1}"#.into(),
            })
        }
    }
    let t0 = Instant::now();
    let transport = Arc::new(Clocked(t0, Mutex::new(Vec::new())));
    let c =
        scrm_core::ClientOptions::new("https://demo.invalid", scrm_core::RateLimit::new(2.0, 8))
            .transport(transport.clone())
            .build(Demo, Arc::new(Stamp(t0)))
            .unwrap();
    let calls = (0..4).map(|_| c.call(&Get { q: 1 }));
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let sent = transport.1.lock().unwrap().clone();
    let times: Vec<u128> = sent.iter().map(|(_, at)| *at).collect();
    assert_eq!(times, [0, 500, 1000, 1500], "spaced at 2 requests/s");
    for (signed, at) in sent {
        assert_eq!(signed, at.to_string(), "signed when sent, not when queued");
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_answer_without_retry_after_waits_a_full_window() {
    let t = Scripted::new([code(429, "too frequent"), ok(json!(4))]);
    let c =
        scrm_core::ClientOptions::new("https://demo.invalid", scrm_core::RateLimit::unlimited(1))
            .transport(t.clone())
            .retry_policy(
                RetryPolicy::default()
                    .initial_delay(Duration::from_millis(10))
                    .jitter(false),
            )
            .build(
                Demo,
                std::sync::Arc::new(crate::demo::CountingSigner::default()),
            )
            .unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(c.call(&Get { q: 1 }).await.unwrap(), json!(4));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(t.calls(), 2);
}
