//! 查询员工 (known from third-party code only): the request the live-API client sends, a
//! page-number export with every filter on every page and its end conditions (no totals: a
//! short or empty page is the end), and the one attested record field.

use httpmock::prelude::*;
use scrm_tanma::prelude::*;
use scrm_tanma::{ErrorKind, STAFF_PAGE_SIZE, UserList};
use serde_json::{Value, json};

use crate::common::{self, ok, sign_of};

const PATH: &str = "/api/v3/get-users";

fn page(ids: &[u64]) -> String {
    let result: Vec<Value> = ids
        .iter()
        .map(|&i| json!({"salesId": 451653062381760u64 + i, "name": "张三"}))
        .collect();
    ok(json!({"result": result}))
}

fn body(page_no: u64, page_size: u32) -> Value {
    json!({"pageNo": page_no, "pageSize": page_size, "deleted": 0, "name": "张三"})
}

/// What the third-party client sends, byte for byte, signed.
#[tokio::test]
async fn sends_the_client_s_body_signed() {
    let body = r#"{"pageNo":1,"pageSize":20,"deleted":0,"name":"张三"}"#;
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("sign", sign_of(body))
                .body(body);
            then.status(200).body(page(&[1]));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = UserList::new()
        .page_no(1)
        .page_size(20)
        .deleted(0)
        .name("张三");
    let answer = client.call(&request).await.unwrap();
    let user = &answer.result.unwrap()[0];
    assert_eq!(user.sales_id.as_ref().unwrap().as_str(), "451653062381761");
    assert_eq!(user.extra["name"], json!("张三"));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn page_number_export_keeps_every_filter_and_ends_on_a_short_page() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (no, ids) in [(1, vec![1, 2]), (2, vec![3, 4]), (3, vec![5])] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).path(PATH).json_body(body(no, 2));
                    then.status(200).body(page(&ids));
                })
                .await,
        );
    }
    let client = common::client(&server.base_url());
    let request = UserList::new().deleted(0).name("张三").page_size(2);
    let users: Vec<_> = client.items(request).try_collect().await.unwrap();
    assert_eq!(users.len(), 5);
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
}

/// The default page size (20, the client's) is sent; a full page then an empty one ends it.
#[tokio::test]
async fn an_empty_page_ends_the_export() {
    let server = MockServer::start_async().await;
    let ids: Vec<u64> = (1..=u64::from(STAFF_PAGE_SIZE)).collect();
    let full = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(body(1, STAFF_PAGE_SIZE));
            then.status(200).body(page(&ids));
        })
        .await;
    let empty = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(body(2, STAFF_PAGE_SIZE));
            then.status(200).body(page(&[]));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = UserList::new().deleted(0).name("张三");
    let users: Vec<_> = client.items(request).try_collect().await.unwrap();
    assert_eq!(users.len(), 20);
    full.assert_calls_async(1).await;
    empty.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_zero_page_size_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(page(&[]));
        })
        .await;
    let client = common::client(&server.base_url());
    let e = client
        .items(UserList::new().page_size(0))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    any.assert_calls_async(0).await;
}
