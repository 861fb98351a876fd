//! 查询群列表: the exact request, a page-number export with every filter on every page, its end
//! conditions (total reached, short page), and the decoding of the keys the cut-off example
//! shows (bodies built from them: the page has no complete response example).

use httpmock::prelude::*;
use scrm_tanma::prelude::*;
use scrm_tanma::{ErrorKind, GroupList, Position};
use serde_json::{Value, json};

use crate::common::{self, APP_ID, T0_MS, ok, sign_of};

const PATH: &str = "/api/v3/groupSop/getGroupList";

fn group(i: u64) -> Value {
    json!({
        "salesId": "451653062381760",
        "salesName": "孟祥宇",
        "departmentName": "销售部",
        "chatId": format!("wr2ohRCAAA{i:04}"),
        "chatName": format!("群{i}"),
        "tasks": [{"id": format!("e6968{i}")}],
        "undocumentedKey": i
    })
}

fn page(ids: &[u64], page_no: u64, page_size: u64, total: u64) -> String {
    let result: Vec<Value> = ids.iter().map(|&i| group(i)).collect();
    ok(json!({
        "totalCount": total,
        "totalPage": total.div_ceil(page_size),
        "pageNo": page_no,
        "pageSize": page_size,
        "result": result
    }))
}

fn filters() -> GroupList {
    GroupList::new()
        .user_id(463352988837952u64)
        .keyword("群")
        .tag_group_ids(vec![56970, 56971])
        .condition_op(1)
        .start_create_time("2024-01-01 00:00:00")
        .end_create_time("2024-02-01 00:00:00")
        .page_size(2)
}

fn body(page_no: u64) -> Value {
    json!({
        "pageNo": page_no,
        "pageSize": 2,
        "userId": 463352988837952u64,
        "keyword": "群",
        "tagGroupIds": [56970, 56971],
        "conditionOp": 1,
        "startCreateTime": "2024-01-01 00:00:00",
        "endCreateTime": "2024-02-01 00:00:00"
    })
}

#[tokio::test]
async fn sends_the_documented_example_body_signed() {
    let body = r#"{"pageSize":10,"userId":463352988837952}"#;
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("content-type", "application/json")
                .header("appId", APP_ID)
                .header("timestamp", T0_MS.to_string())
                .header("sign", sign_of(body))
                .body(body);
            then.status(200).body(page(&[1], 1, 10, 1));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = GroupList::new().page_size(10).user_id(463352988837952u64);
    let answer = client.call(&request).await.unwrap();
    assert_eq!(answer.total_count, Some(1));
    let chat = &answer.result.unwrap()[0];
    assert_eq!(chat.sales_id.as_ref().unwrap().as_str(), "451653062381760");
    assert_eq!(chat.chat_id.as_deref(), Some("wr2ohRCAAA0001"));
    assert_eq!(
        chat.tasks.as_ref().unwrap()[0].id.as_deref(),
        Some("e69681")
    );
    assert_eq!(chat.extra["undocumentedKey"], json!(1));
    mock.assert_calls_async(1).await;
}

/// Three pages of 2, 2 and 1 of a total of 5: every later request is the first one with only
/// `pageNo` changed; the total ends the export.
#[tokio::test]
async fn page_number_export_keeps_every_filter() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (no, ids) in [(1, vec![1, 2]), (2, vec![3, 4]), (3, vec![5])] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).path(PATH).json_body(body(no));
                    then.status(200).body(page(&ids, no, 2, 5));
                })
                .await,
        );
    }
    let client = common::client(&server.base_url());
    let pages: Vec<_> = client.pages(filters()).try_collect().await.unwrap();
    let positions: Vec<_> = pages
        .iter()
        .map(|p| (p.position.clone(), p.next.clone()))
        .collect();
    let at = |page| Position::Page { page };
    assert_eq!(
        positions,
        [(at(1), Some(at(2))), (at(2), Some(at(3))), (at(3), None)]
    );
    let chats: Vec<_> = client.items(filters()).try_collect().await.unwrap();
    let names: Vec<_> = chats.iter().map(|c| c.chat_name.clone().unwrap()).collect();
    assert_eq!(names, ["群1", "群2", "群3", "群4", "群5"]);
    for mock in &mocks {
        mock.assert_calls_async(2).await;
    }
}

/// A full last page that reaches the total ends the export without asking for an empty page.
#[tokio::test]
async fn the_total_ends_the_export_on_a_full_page() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(body(1));
            then.status(200).body(page(&[1, 2], 1, 2, 4));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(body(2));
            then.status(200).body(page(&[3, 4], 2, 2, 4));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(body(3));
            then.status(200).body(page(&[], 3, 2, 4));
        })
        .await;
    let client = common::client(&server.base_url());
    let chats: Vec<_> = client.items(filters()).try_collect().await.unwrap();
    assert_eq!(chats.len(), 4);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(0).await;
}

/// Without a page size, the stream asks for 10 (the example's) from page 1.
#[tokio::test]
async fn streams_send_an_explicit_page() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"pageNo": 1, "pageSize": 10}));
            then.status(200).body(page(&[1], 1, 10, 1));
        })
        .await;
    let client = common::client(&server.base_url());
    let chats: Vec<_> = client.items(GroupList::new()).try_collect().await.unwrap();
    assert_eq!(chats.len(), 1);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(page(&[], 1, 10, 0));
        })
        .await;
    let client = common::client(&server.base_url());
    for (request, field) in [
        (GroupList::new().user_id("owner"), "`userId`"),
        (GroupList::new().page_size(0), "`pageSize`"),
        (GroupList::new().page_no(0), "`pageNo`"),
    ] {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains(field), "{e}");
    }
    any.assert_calls_async(0).await;
}
