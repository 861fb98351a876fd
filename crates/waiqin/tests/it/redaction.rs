//! Canary check (issue 7): the appkey, digests and signed paths never reach an error's
//! `Display`/`Debug`/source chain, a client's or builder's `Debug`, or the TRACE-level logs.
//!
//! Current-thread runtimes (`#[tokio::test]`'s default): the log capture is per thread.

use std::sync::Arc;

use scrm_testkit::{CANARY_WAIQIN_APPKEY, LogCapture, Reply, ScriptedServer, assert_no_canary};
use scrm_waiqin::{Configure, Error, FixedIds, QueryTask, WaiqinClient, collect_all};
use serde_json::json;

use crate::common::*;

/// Every text an error can show: Display, Debug, the source chain, and its kept body.
fn error_texts(e: &Error) -> Vec<String> {
    let mut texts = vec![format!("{e}"), format!("{e:?}")];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        texts.push(format!("{s}"));
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    if let Some(body) = e.body() {
        texts.push(String::from_utf8_lossy(body).into_owned());
    }
    texts
}

fn canary_builder(base_url: &str) -> scrm_waiqin::WaiqinClientBuilder {
    WaiqinClient::builder()
        .base_url(base_url)
        .openid(OPENID)
        .appkey(CANARY_WAIQIN_APPKEY)
        .retry_policy(fast_retries())
        .requests_per_second(0.0)
}

#[tokio::test]
async fn no_secret_reaches_errors_debug_or_logs() {
    let capture = LogCapture::start();
    let data = tasks([1]);
    let server = ScriptedServer::start([
        // 1. success
        Reply::json(200, ok_body("c1", &data)),
        // 2. a vendor error whose message echoes the appkey
        Reply::json(
            200,
            error_body(
                "1001",
                &format!("签名校验失败: appkey {CANARY_WAIQIN_APPKEY}"),
                "c2",
            ),
        ),
        // 3. a decode error in a body that carries the appkey
        Reply::json(
            200,
            ok_body(
                "c3",
                &json!([{ "task_id": { "leaked": CANARY_WAIQIN_APPKEY } }]),
            ),
        ),
        // 4. exhausted retries
        Reply::html(502),
        Reply::Drop,
        Reply::html(502),
    ])
    .await;
    let ids = ["c1", "c2", "c3", "c4", "c5", "c6"];
    let builder = canary_builder(&server.url()).request_ids(Arc::new(FixedIds::new(ids)));
    let mut texts = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    texts.push(format!("{client:?}"));

    assert_eq!(client.call(&QueryTask::new()).await.unwrap().len(), 1);
    let vendor = client.call(&QueryTask::new()).await.unwrap_err();
    assert_eq!(vendor.code(), Some("1001"));
    assert!(vendor.message().contains("***"), "scrubbed: {vendor}");
    let decode = client.call(&QueryTask::new()).await.unwrap_err();
    assert!(decode.is_decode(), "{decode}");
    let exhausted = collect_all(client.items(QueryTask::new()))
        .await
        .unwrap_err();
    assert_eq!(exhausted.attempts(), 3, "{exhausted}");
    for e in [&vendor, &decode, &exhausted] {
        texts.extend(error_texts(e));
    }

    // Connection refused on a URL that carries the signed path.
    let refused = canary_builder(&refused_url()).build().unwrap();
    let e = refused.call(&QueryTask::new()).await.unwrap_err();
    assert!(e.is_transport(), "{e}");
    texts.extend(error_texts(&e));
    texts.push(format!("{refused:?}"));

    let logs = capture.text();
    assert!(
        logs.contains("attempt failed"),
        "the capture saw the calls:\n{logs}"
    );
    assert!(
        logs.contains("request signed"),
        "the capture saw the signer:\n{logs}"
    );
    texts.push(logs);

    // The signed path tails and digests the server saw appear nowhere.
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    let signed: Vec<Signed> = requests.iter().map(|r| Signed::parse(r.path())).collect();
    for text in &texts {
        assert_no_canary(text);
        for s in &signed {
            assert!(!text.contains(&s.digest), "digest leaked in: {text}");
            let tail = format!("{}/{}/{}", s.openid, s.timestamp, s.digest);
            assert!(!text.contains(&tail), "signed path leaked in: {text}");
        }
    }
}
