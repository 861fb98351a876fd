//! `external_user/update/list`: the change feed — exact query, paging by offset with every
//! filter on every page, both end conditions, the list read whatever its key.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_weiban::scrm_core::registry::{ChangeKind, Granularity};
use scrm_weiban::{
    CustomerType, CustomerUpdate, CustomerUpdateList, ErrorKind, OPERATIONS, Order, UnixSeconds,
    UpdateSource,
};

use crate::common::*;

const PATH: &str = "/open-api/external_user/update/list";

fn customer(i: u64) -> String {
    format!(
        r#"{{"id":"wm{i}","name":"c{i}","updated_at":{}}}"#,
        1_634_054_400 + i
    )
}

fn ids(records: &[CustomerUpdate]) -> Vec<String> {
    records.iter().map(|r| r.id.clone().unwrap()).collect()
}

#[tokio::test]
async fn sends_every_documented_parameter() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "order=desc&source=staff_relation&staff_id=WuYaJun&start_update_time=1634054400\
                    &end_update_time=1634140799&start_add_time=1634054400&end_add_time=1634140799\
                    &limit=30&offset=0&phone_number=13322665588&type=1&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(list_body("external_user_list", &[customer(1)], Some(1)));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerUpdateList::new()
        .order(Order::Desc)
        .source(UpdateSource::StaffRelation)
        .staff_id("WuYaJun")
        .start_update_time(UnixSeconds(1634054400))
        .end_update_time(UnixSeconds(1634140799))
        .start_add_time(UnixSeconds(1634054400))
        .end_add_time(UnixSeconds(1634140799))
        .limit(30)
        .offset(0)
        .phone_number("13322665588")
        .customer_type(CustomerType::Wechat);
    let page = client.call(&request).await.unwrap();
    assert_eq!(page.list_key.as_deref(), Some("external_user_list"));
    let [record] = page.items.as_deref().unwrap() else {
        panic!("{page:?}")
    };
    assert_eq!(record.updated_at, Some(UnixSeconds(1634054401)));
    assert_eq!(record.extra["name"], "c1", "undocumented keys are kept");
    assert_eq!(list.calls_async().await, 1);
}

#[tokio::test]
async fn a_window_export_keeps_every_filter_and_ends_at_the_total() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let filters = [
        ("source", "external_user"),
        ("start_update_time", "1634054400"),
        ("end_update_time", "1634140799"),
        ("staff_id", "WuYaJun"),
    ];
    let pages = offset_export(
        &server,
        PATH,
        &filters,
        2,
        "external_user_list",
        Some(5),
        vec![
            OffsetPage {
                offset: 0,
                records: vec![customer(0), customer(1)],
            },
            OffsetPage {
                offset: 2,
                records: vec![customer(2), customer(3)],
            },
            OffsetPage {
                offset: 4,
                records: vec![customer(4)],
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerUpdateList::new()
        .source(UpdateSource::ExternalUser)
        .start_update_time(UnixSeconds(1634054400))
        .end_update_time(UnixSeconds(1634140799))
        .staff_id("WuYaJun")
        .limit(2);
    let records: Vec<CustomerUpdate> = client.items(request).try_collect().await.unwrap();
    assert_eq!(ids(&records), ["wm0", "wm1", "wm2", "wm3", "wm4"]);
    each_called_once(&pages).await;
}

#[tokio::test]
async fn without_a_total_a_short_page_ends_it_whatever_the_list_key() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let pages = offset_export(
        &server,
        PATH,
        &[("source", "remark")],
        100,
        "objects",
        None,
        vec![
            OffsetPage {
                offset: 0,
                records: (0..100).map(customer).collect(),
            },
            OffsetPage {
                offset: 100,
                records: vec![customer(100)],
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerUpdateList::new().source(UpdateSource::Remark);
    let records: Vec<CustomerUpdate> = client.items(request).try_collect().await.unwrap();
    assert_eq!(records.len(), 101);
    each_called_once(&pages).await;
}

#[tokio::test]
async fn refused_before_sending_without_source() {
    let server = MockServer::start_async().await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client.call(&CustomerUpdateList::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("`source` is required"), "{e}");
}

#[test]
fn registered_as_the_update_feed() {
    let op = OPERATIONS
        .iter()
        .find(|op| op.info().name == "customer-updates")
        .unwrap();
    let info = op.info();
    assert_eq!(info.path, PATH);
    assert_eq!(info.primary_key, ["id"]);
    let inc = info.incremental.unwrap();
    assert_eq!(inc.kind, ChangeKind::Updates);
    assert_eq!(inc.record_field, "updated_at");
    assert_eq!(
        (inc.from_param, inc.to_param),
        (Some("start_update_time"), Some("end_update_time"))
    );
    assert_eq!(inc.granularity, Granularity::Seconds);
    assert!(info.field("source").unwrap().required);
}
