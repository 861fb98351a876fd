//! The collect-detail export against httpmock: filters on every page, every record once,
//! the default stream page size, the page-size limit.

use futures::TryStreamExt;
use httpmock::MockServer;
use httpmock::prelude::*;
use scrm_wshoto::de::UnixSeconds;
use scrm_wshoto::ops::{CollectDetailPage, DetailStatus};
use scrm_wshoto::{ErrorKind, PageOptions, Position, collect_all};
use serde_json::json;

use crate::common::{API_PATH, TOKEN_A, TOKEN_PATH, builder, page_body, token_body};

async fn token_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .body(token_body(TOKEN_A, 7200));
        })
        .await
}

fn filters() -> CollectDetailPage {
    CollectDetailPage::new()
        .form_id("1800356349545037315")
        .send_user_id("woDkH9")
        .detail_status(DetailStatus::Submitted)
        .start_commit_time(UnixSeconds(1_645_632_000))
        .end_commit_time(UnixSeconds(1_645_646_000))
        .page_size(2)
}

/// Expects page `n` of [`filters`] (every filter, exact body) and answers with `body`.
async fn page_mock(server: &MockServer, n: u64, body: String) -> httpmock::Mock<'_> {
    let expected = json!({
        "form_id": "1800356349545037315",
        "send_user_id": "woDkH9",
        "detail_status": 2,
        "start_commit_time": 1_645_632_000,
        "end_commit_time": 1_645_646_000,
        "current_index": n,
        "page_size": 2,
    });
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(API_PATH)
                .query_param("access_token", TOKEN_A)
                .json_body(expected);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await
}

#[tokio::test]
async fn a_multi_page_export_returns_every_record_once_with_filters_on_every_page() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server).await;
    let p1 = page_mock(&server, 1, page_body(5, 1, 3)).await;
    let p2 = page_mock(&server, 2, page_body(5, 3, 5)).await;
    let p3 = page_mock(&server, 3, page_body(5, 5, 6)).await;
    let client = builder(&server.base_url()).build().unwrap();

    let records = collect_all(client.items(filters())).await.unwrap();
    let ids: Vec<_> = records
        .iter()
        .map(|r| r.external_userid.clone().unwrap())
        .collect();
    assert_eq!(ids, ["u1", "u2", "u3", "u4", "u5"]);
    let answer = records[4].detail_data.as_ref().unwrap().value();
    assert_eq!(answer.compellation.as_deref(), Some("name 5"));
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn pages_tell_where_to_resume() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    let p1 = page_mock(&server, 1, page_body(5, 1, 3)).await;
    let p2 = page_mock(&server, 2, page_body(5, 3, 5)).await;
    let p3 = page_mock(&server, 3, page_body(5, 5, 6)).await;
    let client = builder(&server.base_url()).build().unwrap();

    let pages: Vec<_> = client.pages(filters()).try_collect().await.unwrap();
    let summary: Vec<_> = pages
        .iter()
        .map(|p| (p.number, p.position.clone(), p.next.clone(), p.items.len()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                1,
                Position::Page { page: 1 },
                Some(Position::Page { page: 2 }),
                2
            ),
            (
                2,
                Position::Page { page: 2 },
                Some(Position::Page { page: 3 }),
                2
            ),
            (3, Position::Page { page: 3 }, None, 1),
        ]
    );
    assert_eq!(pages[0].response.total, Some(5));

    // Resuming from page 3 sends only page 3.
    let options = PageOptions::default().resume_from(Position::Page { page: 3 });
    let rest = collect_all(client.items(filters()).options(options))
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
    p3.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_short_page_ends_the_export() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    // total says 9, but page 1 has fewer records than page_size: the vendor has no more.
    let p1 = page_mock(&server, 1, page_body(9, 1, 2)).await;
    let p2 = page_mock(&server, 2, page_body(9, 2, 4)).await;
    let client = builder(&server.base_url()).build().unwrap();
    let records = collect_all(client.items(filters())).await.unwrap();
    assert_eq!(records.len(), 1);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(0).await;
}

#[tokio::test]
async fn streams_send_page_size_200_when_unset() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(API_PATH)
                .json_body(json!({"current_index": 1, "page_size": 200}));
            then.status(200)
                .header("content-type", "application/json")
                .body(page_body(3, 1, 4));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let records = collect_all(client.items(CollectDetailPage::new()))
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn page_size_201_is_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(200).body(page_body(0, 0, 0));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CollectDetailPage::new().page_size(201);

    let e = client.call(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.attempts(), 0);
    assert!(!e.maybe_sent());
    assert!(e.to_string().contains("page_size"), "{e}");

    let e = collect_all(client.items(request)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    any.assert_calls_async(0).await;
}
