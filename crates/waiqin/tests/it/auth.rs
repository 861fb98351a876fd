//! Request shape on the wire: the signed path segments and the exact body bytes.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use httpmock::{Method::POST, MockServer};
use scrm_waiqin::scrm_core::de::china_compact;
use scrm_waiqin::{
    Configure, FixedIds, ManualClock, QueryTask, QueryTaskType, SystemClock, WaiqinClient,
};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn query_task_signed_path_and_exact_body() {
    let server = MockServer::start_async().await;
    // printf '%s' '{"page":"1","rows":"1000"}|BFCO0PAgIUgd50c0l6|20240301075959' | md5sum
    let digest = "7cb77af5448a5827d864750b9c2a755d";
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!(
                    "{QUERY_TASK}/{OPENID}/{T0_CHINA}/{digest}/msg-0001"
                ))
                .header("content-type", "application/json")
                .body(r#"{"page":"1","rows":"1000"}"#);
            then.respond_with(echo(tasks([7])));
        })
        .await;
    let client = builder(&server.base_url())
        .clock(Arc::new(ManualClock::new(at(T0))))
        .request_ids(Arc::new(FixedIds::new(["msg-0001"])))
        .build()
        .unwrap();
    let got = client
        .call(&QueryTask::new().page(1).rows(1000))
        .await
        .unwrap();
    assert_eq!(ids(&got), ["7"]);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn query_task_type_signed_path_and_exact_body() {
    let server = MockServer::start_async().await;
    // printf '%s' '{"type_ids":["5030058251754787854","5000995017435559677"]}|BFCO0PAgIUgd50c0l6|20240301075959' | md5sum
    let digest = "aaad64790d6912053e1e176dedc17a50";
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!(
                    "{QUERY_TASK_TYPE}/{OPENID}/{T0_CHINA}/{digest}/msg-0002"
                ))
                .body(r#"{"type_ids":["5030058251754787854","5000995017435559677"]}"#);
            then.respond_with(echo(
                json!([{"type_id": "5030058251754787854", "status": "1"}]),
            ));
        })
        .await;
    let client = builder(&server.base_url())
        .clock(Arc::new(ManualClock::new(at(T0))))
        .request_ids(Arc::new(FixedIds::new(["msg-0002"])))
        .build()
        .unwrap();
    let types = client
        .call(&QueryTaskType::new().type_ids(["5030058251754787854", "5000995017435559677"]))
        .await
        .unwrap();
    assert_eq!(types.len(), 1);
    assert_eq!(
        types[0].type_id.as_ref().unwrap().as_str(),
        "5030058251754787854"
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_tenant_base_url_keeps_its_path_prefix() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path_prefix(format!("/tenant-a{QUERY_TASK}/{OPENID}/"));
            then.respond_with(echo(tasks([])));
        })
        .await;
    let client = builder(&server.url("/tenant-a/")).build().unwrap();
    assert!(client.call(&QueryTask::new()).await.unwrap().is_empty());
    mock.assert_calls_async(1).await;
}

/// With the production defaults (system clock, UUID msg_ids), a server that verifies like
/// waiqin accepts the request: digest over the exact body, a China-time timestamp of now.
#[tokio::test]
async fn production_signing_verifies_server_side() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = MockServer::start_async().await;
    let record = seen.clone();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).is_true(move |req| {
                let signed = Signed::parse(req.uri().path());
                let valid = signed.op == QUERY_TASK
                    && signed.digest == expected_digest(req.body_ref(), APPKEY, &signed.timestamp)
                    && uuid_v4(&signed.msg_id);
                record.lock().unwrap().push(signed.timestamp);
                valid
            });
            then.respond_with(echo(tasks([1])));
        })
        .await;
    let client = WaiqinClient::builder()
        .base_url(server.base_url())
        .openid(OPENID)
        .appkey(APPKEY)
        .clock(Arc::new(SystemClock))
        .build()
        .unwrap();
    let before = china_compact(SystemTime::now());
    let got = client.call(&QueryTask::new().rows(10)).await.unwrap();
    let after = china_compact(SystemTime::now());
    assert_eq!(ids(&got), ["1"]);
    mock.assert_calls_async(1).await;
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    for timestamp in seen {
        // yyyyMMddHHmmss strings of equal length order like the instants they name.
        assert!(
            before <= timestamp && timestamp <= after,
            "{before} <= {timestamp} <= {after}"
        );
    }
}

pub fn uuid_v4(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 4) && id.len() == 36
}
