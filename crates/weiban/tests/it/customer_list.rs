//! `external_user/list`: exact query, paging with every filter on every page, the end without a
//! total, the documented page-size cap.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_weiban::{Customer, CustomerList, CustomerType, ErrorKind, Order, UnixSeconds};

use crate::common::*;

const PATH: &str = "/open-api/external_user/list";

fn customer(i: u64) -> String {
    format!(
        r#"{{"id":"wm{i}","created_at":{},"name":"客户{i}","type":2,"avatar":"https://a/{i}","gender":1,"unionid":"un{i}","tags":[]}}"#,
        1_592_576_435 + i
    )
}

fn ids(records: &[Customer]) -> Vec<String> {
    records.iter().map(|r| r.id.clone().unwrap()).collect()
}

#[tokio::test]
async fn sends_every_documented_parameter_and_decodes_the_records() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "staff_id=zhangsan&type=2&phone_number=13000000000&order=desc\
                    &start_time=1&end_time=1592576435&limit=100&offset=0&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(list_body("external_user_list", &[customer(7)], None));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerList::new()
        .staff_id("zhangsan")
        .customer_type(CustomerType::Wecom)
        .phone_number("13000000000")
        .order(Order::Desc)
        .start_time(UnixSeconds(1))
        .end_time(UnixSeconds(1592576435))
        .limit(100)
        .offset(0);
    let page = client.call(&request).await.unwrap();
    let [c] = page.external_user_list.as_deref().unwrap() else {
        panic!("{page:?}")
    };
    assert_eq!(c.id.as_deref(), Some("wm7"));
    assert_eq!(c.created_at, Some(UnixSeconds(1592576442)));
    assert_eq!(c.customer_type, Some(CustomerType::Wecom));
    assert_eq!((c.gender, c.unionid.as_deref()), (Some(1), Some("un7")));
    assert_eq!(c.extra["tags"], serde_json::json!([]));
    assert_eq!(page.total, None);
    assert_eq!(list.calls_async().await, 1);
}

#[tokio::test]
async fn an_export_keeps_every_filter_and_ends_on_a_short_page() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let filters = [("staff_id", "zhangsan"), ("type", "1"), ("order", "asc")];
    let pages = offset_export(
        &server,
        PATH,
        &filters,
        3,
        "external_user_list",
        None,
        vec![
            OffsetPage {
                offset: 0,
                records: (0..3).map(customer).collect(),
            },
            OffsetPage {
                offset: 3,
                records: (3..6).map(customer).collect(),
            },
            OffsetPage {
                offset: 6,
                records: vec![customer(6)],
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerList::new()
        .staff_id("zhangsan")
        .customer_type(CustomerType::Wechat)
        .order(Order::Asc)
        .limit(3);
    let records: Vec<Customer> = client.items(request).try_collect().await.unwrap();
    assert_eq!(
        ids(&records),
        ["wm0", "wm1", "wm2", "wm3", "wm4", "wm5", "wm6"]
    );
    each_called_once(&pages).await;
}

#[tokio::test]
async fn a_total_when_sent_ends_the_export() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    // Full pages, but the total says 4: no third request.
    let pages = offset_export(
        &server,
        PATH,
        &[],
        2,
        "external_user_list",
        Some(4),
        vec![
            OffsetPage {
                offset: 0,
                records: (0..2).map(customer).collect(),
            },
            OffsetPage {
                offset: 2,
                records: (2..4).map(customer).collect(),
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let records: Vec<Customer> = client
        .items(CustomerList::new().limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 4);
    each_called_once(&pages).await;
}

#[tokio::test]
async fn streams_ask_for_100_and_more_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let pages = offset_export(
        &server,
        PATH,
        &[],
        100,
        "external_user_list",
        None,
        vec![OffsetPage {
            offset: 0,
            records: vec![customer(0)],
        }],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let records: Vec<Customer> = client
        .items(CustomerList::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    each_called_once(&pages).await;
    let e = client
        .call(&CustomerList::new().limit(101))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .contains("`limit` must be at most 100, got 101"),
        "{e}"
    );
}
