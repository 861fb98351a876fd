//! 按创建时间列出线索&待分配客户: request shape, signature headers, and the cursor export.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_core::collect_all;
use scrm_tanma::{ClueList, Configure, ErrorKind, Position};
use serde_json::json;

use crate::common::{self, APP_ID, APP_KEY, EXAMPLE_SIGN, at, clue_page, example_clue_request};

const PATH: &str = "/api/v3/clue/list-by-create-time-asc";

/// The VENDORS.md computed example, end to end: exact body bytes, the three headers with the
/// golden signature, and no `appKey` header.
#[tokio::test]
async fn sends_the_exact_body_and_signed_headers() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("content-type", "application/json")
                .header("appId", APP_ID)
                .header("timestamp", "1700000000000")
                .header("sign", EXAMPLE_SIGN)
                .header_missing("appKey")
                .body(
                    r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#,
                );
            then.status(200).body(clue_page(&[1], None));
        })
        .await;
    let client = common::client(&server.base_url());
    let page = client.call(&example_clue_request()).await.unwrap();
    assert_eq!(page.list.unwrap().len(), 1);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_app_key_header_is_sent_only_when_opted_in() {
    let server = MockServer::start_async().await;
    let with_key = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("appKey", APP_KEY)
                .header("sign", EXAMPLE_SIGN);
            then.status(200).body(clue_page(&[], None));
        })
        .await;
    let client = common::builder(&server.base_url())
        .send_app_key_header(true)
        .build()
        .unwrap();
    client.call(&example_clue_request()).await.unwrap();
    with_key.assert_calls_async(1).await;
}

/// Three pages: every later request is the first one (window, size, type) plus the cursor
/// handed out by the page before; the export ends on a null cursor.
#[tokio::test]
async fn cursor_export_keeps_the_filters_on_every_page() {
    let server = MockServer::start_async().await;
    let base = json!({"since": "2024-01-01 00:00:00", "before": "2024-01-02 00:00:00", "size": 2, "type": 1});
    let with_cursor = |c: &str| {
        let mut v = base.clone();
        v["cursor"] = json!(c);
        v
    };
    let p1 = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(base.clone());
            then.status(200).body(clue_page(&[1, 2], Some("C1")));
        })
        .await;
    let p2 = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(with_cursor("C1"));
            then.status(200).body(clue_page(&[3, 4], Some("C2")));
        })
        .await;
    let p3 = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(with_cursor("C2"));
            then.status(200).body(clue_page(&[5], None));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = ClueList::new()
        .since(at("2024-01-01 00:00:00"))
        .before(at("2024-01-02"))
        .size(2)
        .r#type(1);

    let pages = collect_all(client.pages(request.clone())).await.unwrap();
    let positions: Vec<_> = pages
        .iter()
        .map(|p| (p.number, p.position.clone(), p.next.clone()))
        .collect();
    let cursor = |c: Option<&str>| Position::Cursor {
        cursor: c.map(str::to_owned),
    };
    assert_eq!(
        positions,
        [
            (1, cursor(None), Some(cursor(Some("C1")))),
            (2, cursor(Some("C1")), Some(cursor(Some("C2")))),
            (3, cursor(Some("C2")), None),
        ]
    );
    // The page's response keeps the cursor; its records moved to `items`.
    assert_eq!(pages[0].response.next_cursor.as_deref(), Some("C1"));
    assert!(pages[0].response.list.is_none());

    let clues: Vec<_> = client.items(request).try_collect().await.unwrap();
    let ids: Vec<_> = clues
        .iter()
        .map(|c| c.customer_id.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(2).await;
    }
}

/// Runs a cursor export against `pages` (served in order by request cursor) and returns the
/// ids received and the final error, if any.
async fn export(
    pages: &[(Option<&str>, String)],
) -> (Vec<String>, Option<scrm_tanma::Error>, usize) {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (cursor, body) in pages {
        let mut expected =
            json!({"since": "2024-01-01 00:00:00", "before": "2024-01-02 00:00:00", "size": 100});
        if let Some(c) = cursor {
            expected["cursor"] = json!(c);
        }
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).path(PATH).json_body(expected);
                    then.status(200).body(body.clone());
                })
                .await,
        );
    }
    let client = common::client(&server.base_url());
    let mut ids = Vec::new();
    let mut error = None;
    let mut stream = client.items(example_clue_request());
    loop {
        match stream.try_next().await {
            Ok(Some(clue)) => ids.push(clue.customer_id.as_ref().unwrap().to_string()),
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let mut calls = 0;
    for mock in &mocks {
        calls += mock.calls_async().await;
    }
    (ids, error, calls)
}

#[tokio::test]
async fn cursor_export_ends_on_an_absent_cursor() {
    let body = common::ok(json!({"list": [common::clue(1)]}));
    let (ids, error, calls) = export(&[(None, body)]).await;
    assert_eq!(
        (ids, error.is_none(), calls),
        (vec!["1".to_owned()], true, 1)
    );
}

#[tokio::test]
async fn cursor_export_ends_on_an_empty_cursor() {
    let (ids, error, calls) = export(&[(None, clue_page(&[1], Some("")))]).await;
    assert_eq!(
        (ids, error.is_none(), calls),
        (vec!["1".to_owned()], true, 1)
    );
}

#[tokio::test]
async fn cursor_export_ends_on_an_empty_page_even_with_a_cursor() {
    let (ids, error, calls) = export(&[
        (None, clue_page(&[1], Some("C1"))),
        (Some("C1"), clue_page(&[], Some("C2"))),
    ])
    .await;
    assert_eq!(
        (ids, error.is_none(), calls),
        (vec!["1".to_owned()], true, 2)
    );
}

#[tokio::test]
async fn cursor_export_ends_on_null_data() {
    let (ids, error, calls) = export(&[(None, common::ok(json!(null)))]).await;
    assert_eq!((ids.len(), error.is_none(), calls), (0, true, 1));
}

/// The vendor hands out the same cursor again with no new records: the end, not a loop.
#[tokio::test]
async fn a_repeated_cursor_with_an_empty_page_ends_the_export() {
    let (ids, error, calls) = export(&[
        (None, clue_page(&[1, 2], Some("C1"))),
        (Some("C1"), clue_page(&[], Some("C1"))),
    ])
    .await;
    assert_eq!(ids, ["1", "2"]);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(calls, 2);
}

/// The vendor hands out the same cursor again with records: following it would loop forever,
/// so the export stops with a pagination error after exactly two requests.
#[tokio::test]
async fn a_repeated_cursor_with_records_is_a_pagination_error() {
    let (ids, error, calls) = export(&[
        (None, clue_page(&[1, 2], Some("C1"))),
        (Some("C1"), clue_page(&[3], Some("C1"))),
    ])
    .await;
    assert_eq!(ids, ["1", "2"]);
    let error = error.expect("a loop error");
    assert_eq!(error.kind(), ErrorKind::Pagination, "{error}");
    assert!(error.to_string().contains("C1"), "{error}");
    assert!(
        error.to_string().contains("clue/list-by-create-time-asc"),
        "{error}"
    );
    assert_eq!(calls, 2);
}

/// An export can resume from a saved cursor.
#[tokio::test]
async fn resumes_from_a_saved_cursor() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body_includes(r#"{"cursor":"C7"}"#);
            then.status(200).body(clue_page(&[8], None));
        })
        .await;
    let client = common::client(&server.base_url());
    let via_request: Vec<_> = client
        .items(example_clue_request().cursor("C7"))
        .try_collect()
        .await
        .unwrap();
    let options = scrm_tanma::PageOptions::default().resume_from(Position::Cursor {
        cursor: Some("C7".into()),
    });
    let via_options: Vec<_> = client
        .core()
        .items(example_clue_request())
        .options(options)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(via_request.len(), 1);
    assert_eq!(via_options.len(), 1);
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(clue_page(&[], None));
        })
        .await;
    let client = common::client(&server.base_url());
    let reversed = ClueList::new()
        .since(at("2024-01-02"))
        .before(at("2024-01-01"));
    let e = client.call(&reversed).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.attempts(), 0);
    let e = client
        .items(example_clue_request().size(0))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn max_pages_caps_an_export_and_says_where_to_resume() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).body(clue_page(&[1], Some("C1")));
        })
        .await;
    let client = common::builder(&server.base_url())
        .page_options(scrm_tanma::PageOptions::default().max_pages(1))
        .build()
        .unwrap();
    let pages = collect_all(client.pages(example_clue_request()))
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        pages[0].next,
        Some(Position::Cursor {
            cursor: Some("C1".into())
        })
    );
}
