//! 客户文件查询接口: request shape and the keyset export.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_core::collect_all;
use scrm_tanma::{CustomerFileList, ErrorKind, Position};
use serde_json::json;

use crate::common::{self, APP_ID, APP_KEY, T0_MS, file_page};

const PATH: &str = "/api/v3/customer/list-file-of-customer";

/// The documented example's request, byte for byte, signed over those bytes.
#[tokio::test]
async fn sends_the_documented_example_body() {
    let body = r#"{"salesId":410308323612736,"customerId":442273848965184,"pageSize":30}"#;
    let sign = scrm_tanma::auth::sign(APP_ID, &T0_MS.to_string(), body.as_bytes(), APP_KEY);
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("content-type", "application/json")
                .header("appId", APP_ID)
                .header("timestamp", T0_MS.to_string())
                .header("sign", sign)
                .header_missing("appKey")
                .body(body);
            then.status(200).body(file_page(&[1], 30, 1));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = CustomerFileList::new()
        .sales_id(410308323612736u64)
        .customer_id(442273848965184u64)
        .page_size(30);
    let page = client.call(&request).await.unwrap();
    assert_eq!(page.result.unwrap().len(), 1);
    mock.assert_calls_async(1).await;
}

/// A non-ASCII `userId` travels as UTF-8 and is signed as those bytes.
#[tokio::test]
async fn user_id_is_sent_as_utf8_and_signed_as_sent() {
    let body = r#"{"userId":"张三","pageSize":100}"#;
    let sign = scrm_tanma::auth::sign(APP_ID, &T0_MS.to_string(), body.as_bytes(), APP_KEY);
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).body(body).header("sign", sign);
            then.status(200).body(file_page(&[], 100, 0));
        })
        .await;
    let client = common::client(&server.base_url());
    let files: Vec<_> = client
        .items(CustomerFileList::new().user_id("张三"))
        .try_collect()
        .await
        .unwrap();
    assert!(files.is_empty());
    mock.assert_calls_async(1).await;
}

/// Two pages: `lastId` is the id of the last record received, every filter is kept, the short
/// second page ends it, and each page exposes its paging totals.
#[tokio::test]
async fn keyset_export_pages_by_the_last_id() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"customerId": 460155938357312u64, "externalUserId": "wmEXAMPLE", "pageSize": 2}));
            then.status(200).body(file_page(&[462821966907328, 460911105235008], 2, 3));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(json!({
                "customerId": 460155938357312u64,
                "externalUserId": "wmEXAMPLE",
                "pageSize": 2,
                "lastId": 460911105235008u64
            }));
            then.status(200).body(file_page(&[450000000000001], 2, 3));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = CustomerFileList::new()
        .customer_id(460155938357312u64)
        .external_user_id("wmEXAMPLE")
        .page_size(2);

    let pages = collect_all(client.pages(request.clone())).await.unwrap();
    assert_eq!(pages.len(), 2);
    let last_id = |id: Option<&str>| Position::LastId {
        last_id: id.map(str::to_owned),
    };
    assert_eq!(pages[0].position, last_id(None));
    assert_eq!(pages[0].next, Some(last_id(Some("460911105235008"))));
    assert_eq!(pages[1].position, last_id(Some("460911105235008")));
    assert_eq!(pages[1].next, None);
    // The totals stay readable on each page; the records moved to `items`.
    let totals = &pages[0].response;
    assert_eq!(
        (
            totals.total_count,
            totals.total_page,
            totals.page_no,
            totals.page_size
        ),
        (Some(3), Some(2), Some(0), Some(2))
    );
    assert!(totals.result.is_none());

    let files: Vec<_> = client.items(request).try_collect().await.unwrap();
    let ids: Vec<_> = files
        .iter()
        .map(|f| f.id.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["462821966907328", "460911105235008", "450000000000001"]
    );
    first.assert_calls_async(2).await;
    second.assert_calls_async(2).await;
}

/// With no `pageSize` set, 100 is sent explicitly, and a page of 100 is not the end.
#[tokio::test]
async fn the_default_page_size_is_sent_explicitly() {
    let server = MockServer::start_async().await;
    let ids: Vec<u64> = (1..=100).rev().map(|i| 1000 + i).collect();
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"customerId": 7, "pageSize": 100}));
            then.status(200).body(file_page(&ids, 100, 100));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"customerId": 7, "pageSize": 100, "lastId": 1001}));
            then.status(200).body(file_page(&[], 100, 100));
        })
        .await;
    let client = common::client(&server.base_url());
    let files: Vec<_> = client
        .items(CustomerFileList::new().customer_id(7u64))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(files.len(), 100);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

/// The server applies a smaller page size than asked (its response says `pageSize: 2`): a
/// page of 2 is full, so the export goes on instead of stopping early.
#[tokio::test]
async fn a_server_side_page_size_cap_does_not_end_the_export_early() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"pageSize": 100}));
            then.status(200).body(file_page(&[9, 8], 2, 3));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"pageSize": 100, "lastId": 8}));
            then.status(200).body(file_page(&[7], 2, 3));
        })
        .await;
    let client = common::client(&server.base_url());
    let files: Vec<_> = client
        .items(CustomerFileList::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(files.len(), 3);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn null_data_is_an_empty_export() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200)
                .body(r#"{"code":0,"message":"success","data":null}"#);
        })
        .await;
    let client = common::client(&server.base_url());
    let files: Vec<_> = client
        .items(CustomerFileList::new())
        .try_collect()
        .await
        .unwrap();
    assert!(files.is_empty());
    mock.assert_calls_async(1).await;
}

/// A server that ignores `lastId` serves the same page again: the export stops with a
/// pagination error instead of duplicating records forever.
#[tokio::test]
async fn a_server_ignoring_last_id_is_a_pagination_error() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).body(file_page(&[9, 8], 2, 10));
        })
        .await;
    let client = common::client(&server.base_url());
    let mut stream = client.pages(CustomerFileList::new().page_size(2));
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.items.len(), 2);
    let e = stream.try_next().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination, "{e}");
    assert!(e.to_string().contains("last id 8"), "{e}");
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the stream ends after an error"
    );
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn non_numeric_ids_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(file_page(&[], 100, 0));
        })
        .await;
    let client = common::client(&server.base_url());
    let e = client
        .core()
        .call(&CustomerFileList::new().customer_id("wmEXAMPLE"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("customerId"), "{e}");
    any.assert_calls_async(0).await;
}
