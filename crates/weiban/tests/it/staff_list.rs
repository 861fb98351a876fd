//! `staff/list`: exact query, paging with every filter on every page, the records read from an
//! undocumented list key and kept whole.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_weiban::{Configure, ErrorKind, OPERATIONS, Staff, StaffList, UnixSeconds};

use crate::common::*;

const PATH: &str = "/open-api/staff/list";

fn staff(i: u64) -> String {
    format!(r#"{{"id":"s{i}","name":"员工{i}","department":[1,2]}}"#)
}

#[tokio::test]
async fn sends_every_documented_parameter() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected =
        "start_time=1640833484&end_time=1640919884&limit=10&offset=20&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(list_body("staff_list", &[staff(1)], Some(21)));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = StaffList::new()
        .start_time(UnixSeconds(1640833484))
        .end_time(UnixSeconds(1640919884))
        .limit(10)
        .offset(20);
    let page = client.call(&request).await.unwrap();
    assert_eq!(
        (page.list_key.as_deref(), page.total),
        (Some("staff_list"), Some(21))
    );
    let [s] = page.items.as_deref().unwrap() else {
        panic!("{page:?}")
    };
    assert_eq!(s.extra["name"], "员工1");
    assert_eq!(s.extra["department"], serde_json::json!([1, 2]));
    assert_eq!(
        serde_json::to_value(s).unwrap(),
        serde_json::from_str::<serde_json::Value>(&staff(1)).unwrap(),
        "written back as sent"
    );
    assert_eq!(list.calls_async().await, 1);
}

#[tokio::test]
async fn an_export_keeps_every_filter_and_ends_at_the_total() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let pages = offset_export(
        &server,
        PATH,
        &[("start_time", "1640833484")],
        2,
        "result",
        Some(3),
        vec![
            OffsetPage {
                offset: 0,
                records: vec![staff(0), staff(1)],
            },
            OffsetPage {
                offset: 2,
                records: vec![staff(2)],
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = StaffList::new()
        .start_time(UnixSeconds(1640833484))
        .limit(2);
    let records: Vec<Staff> = client.items(request).try_collect().await.unwrap();
    let ids: Vec<_> = records.iter().map(|s| s.extra["id"].clone()).collect();
    assert_eq!(ids, ["s0", "s1", "s2"]);
    each_called_once(&pages).await;
}

#[tokio::test]
async fn a_total_without_records_is_not_the_end() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    // The list under a key holding no array: no records, although the total says 3.
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH);
            then.status(200)
                .body(r#"{"errcode":0,"errmsg":"ok","staff_list":null,"total":3}"#);
        })
        .await;
    let client = builder(&server.base_url())
        .page_options(fast_pages().empty_page_retries(1))
        .build()
        .unwrap();
    let e = scrm_weiban::collect_all(client.items(StaffList::new()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert!(e.to_string().contains("total is 3"), "{e}");
}

#[test]
fn no_documented_key() {
    let info = OPERATIONS
        .iter()
        .find(|op| op.info().name == "staff")
        .unwrap()
        .info();
    assert!(info.primary_key.is_empty());
    assert!(info.record_fields.is_empty());
    assert_eq!(info.fidelity.as_str(), "third-party code");
}
