//! `external_user/stage/get`: the exact body with the documented example answer, the 50-id cap,
//! 20609 ("no stage") classified.

use httpmock::prelude::*;
use scrm_testkit::{fixture_bytes, fixture_str};
use scrm_weiban::{CustomerStage, CustomerStageGet, ErrorKind, collect_all};

use crate::common::*;

const PATH: &str = "/open-api/external_user/stage/get";

#[tokio::test]
async fn sends_the_documented_body_and_reads_the_documented_answer() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let documented: serde_json::Value =
        serde_json::from_str(&fixture_str("weiban/external-user-stage-get.request.json")).unwrap();
    let call = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .query_param("access_token", "tok-1")
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(documented);
            then.status(200).body(fixture_bytes(
                "weiban/external-user-stage-get.response.json",
            ));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerStageGet::new().external_user_ids(["string"]);
    let stages: Vec<CustomerStage> = collect_all(client.items(request)).await.unwrap();
    let rows: Vec<_> = stages
        .iter()
        .map(|s| {
            (
                s.staff_id.clone().unwrap(),
                s.stage_id.as_ref().unwrap().as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("Chengxxxx".into(), 310), ("Chengxxxx".into(), 1956)]
    );
    assert_eq!(call.calls_async().await, 1);
}

#[tokio::test]
async fn at_most_50_ids_and_no_stage_is_a_clear_error() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200)
                .body(error_body(20609, "未查询到任何客户阶段状态"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let ids: Vec<String> = (0..51).map(|i| format!("wm{i}")).collect();
    let e = client
        .call(&CustomerStageGet::new().external_user_ids(ids))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .contains("`external_user_ids` holds at most 50 items, got 51"),
        "{e}"
    );
    let e = client
        .call(&CustomerStageGet::new().external_user_ids(["wm1"]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::InvalidRequest, Some("20609"))
    );
    assert!(
        e.to_string().contains("none of the customers has a stage"),
        "{e}"
    );
    assert_eq!(e.attempts(), 1);
}
