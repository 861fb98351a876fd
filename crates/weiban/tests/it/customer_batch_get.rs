//! `external_user/batch_get`: the exact body, the 20-id cap, and `batch_get` over any number of
//! ids (chunks of 20, order kept, missing ids reported).

use httpmock::prelude::*;
use scrm_weiban::{BatchGetCustomers, CustomerDetail, ErrorKind};

use crate::common::*;
use crate::customer_get::{check_detail, detail_json};

const PATH: &str = "/open-api/external_user/batch_get";

fn answer(ids: &[String]) -> String {
    let records: Vec<String> = ids.iter().map(|id| detail_json(id)).collect();
    format!(
        r#"{{"errcode":0,"errmsg":"ok","external_user":[{}],"total":{}}}"#,
        records.join(","),
        ids.len()
    )
}

fn ids(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("wm{i}")).collect()
}

fn names(customers: &[CustomerDetail]) -> Vec<String> {
    customers.iter().map(|c| c.id.clone().unwrap()).collect()
}

#[tokio::test]
async fn sends_the_id_list_as_a_json_body() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let call = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .query_param("access_token", "tok-1")
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .body(r#"{"id_list":["wm1","wm2"]}"#);
            then.status(200).body(answer(&ids(1..3)));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let answer = client
        .call(&BatchGetCustomers::new().id_list(["wm1", "wm2"]))
        .await
        .unwrap();
    let customers = answer.external_user.unwrap();
    assert_eq!(names(&customers), ["wm1", "wm2"]);
    check_detail(&customers[1], "wm2");
    assert_eq!(answer.total, Some(2));
    assert_eq!(call.calls_async().await, 1);
    assert_eq!(BatchGetCustomers::BODY_KEY, "id_list");
}

#[tokio::test]
async fn more_than_20_ids_or_none_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client
        .call(&BatchGetCustomers::new().id_list(ids(0..21)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .contains("`id_list` holds at most 20 items, got 21"),
        "{e}"
    );
    let e = client
        .call(&BatchGetCustomers::new().id_list(Vec::<String>::new()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("`id_list` must not be empty"), "{e}");
    let e = client.call(&BatchGetCustomers::new()).await.unwrap_err();
    assert!(e.to_string().contains("`id_list` is required"), "{e}");
}

#[tokio::test]
async fn batch_get_chunks_by_20_keeps_the_order_and_reports_the_missing() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    // Batch 1 comes back reversed and without wm5; batch 2 adds a customer nobody asked for.
    let mut first: Vec<String> = ids(0..20).into_iter().filter(|id| id != "wm5").collect();
    first.reverse();
    let mut second = ids(20..40);
    second.push("wm999".into());
    let batches = [
        (ids(0..20), first),
        (ids(20..40), second),
        (ids(40..45), ids(40..45)),
    ];
    let mut mocks = Vec::new();
    for (asked, returned) in &batches {
        let body = serde_json::json!({ "id_list": asked });
        let reply = answer(returned);
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).path(PATH).json_body(body);
                    then.status(200).body(reply);
                })
                .await,
        );
    }
    let client = builder(&server.base_url()).build().unwrap();
    // 45 distinct ids; wm3 and wm44 are given twice.
    let mut wanted = ids(0..45);
    wanted.insert(10, "wm3".into());
    wanted.push("wm44".into());
    let found = client.batch_get(wanted).await.unwrap();
    let expected: Vec<String> = ids(0..45).into_iter().filter(|id| id != "wm5").collect();
    assert_eq!(names(&found.customers), expected);
    assert_eq!(found.missing, ["wm5"]);
    assert_eq!(names(&found.unrequested), ["wm999"]);
    each_called_once(&mocks).await;
}

#[tokio::test]
async fn batch_get_of_nothing_sends_nothing_and_a_failing_batch_fails_it() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).body(error_body(10049, "其它参数错误"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let found = client.batch_get(Vec::<String>::new()).await.unwrap();
    assert!(found.customers.is_empty() && found.missing.is_empty());
    let e = client.batch_get(["wm1"]).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::InvalidRequest, Some("10049"))
    );
    assert!(
        e.to_string().contains("weiban external_user/batch_get"),
        "{e}"
    );
}
