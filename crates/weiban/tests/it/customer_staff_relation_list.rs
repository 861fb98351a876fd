//! `external_user_staff_relation/list`: exact query, paging with every filter on every page,
//! the end at the total, the nested relation.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_weiban::{
    CustomerStaff, CustomerStaffList, CustomerType, OPERATIONS, Outflow, UnixSeconds,
};

use crate::common::*;

const PATH: &str = "/open-api/external_user_staff_relation/list";

fn relation(i: u64) -> String {
    format!(
        r#"{{"id":"wm{i}","name":"n{i}","avatar":"a","gender":2,"type":1,"corp_name":null,"corp_full_name":null,"position":null,"score":3.5,"unionid":"u{i}","created_at":1600000000,"updated_at":{},"staff_relation":{{"staff_id":"s{i}","add_time":"{}","remark":"r"}}}}"#,
        1_600_000_100 + i,
        1_600_000_000 + i
    )
}

#[tokio::test]
async fn sends_every_documented_parameter_and_decodes_the_relation() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "start_add_time=1600000000&end_add_time=1600086399&limit=50&offset=0\
                    &staff_id=s1&outflow=1&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(list_body("external_user_list", &[relation(1)], Some(1)));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerStaffList::new()
        .start_add_time(UnixSeconds(1600000000))
        .end_add_time(UnixSeconds(1600086399))
        .limit(50)
        .offset(0)
        .staff_id("s1")
        .outflow(Outflow::Lost);
    let page = client.call(&request).await.unwrap();
    let [r] = page.external_user_list.as_deref().unwrap() else {
        panic!("{page:?}")
    };
    assert_eq!(r.customer_type, Some(CustomerType::Wechat));
    assert_eq!(r.score, Some(serde_json::json!(3.5)));
    assert_eq!(r.updated_at, Some(UnixSeconds(1600000101)));
    let rel = r.staff_relation.as_ref().unwrap();
    assert_eq!(rel.staff_id.as_deref(), Some("s1"));
    assert_eq!(
        rel.add_time,
        Some(UnixSeconds(1600000001)),
        "a numeric string reads"
    );
    assert_eq!(page.total, Some(1));
    assert_eq!(list.calls_async().await, 1);
}

#[tokio::test]
async fn an_export_keeps_every_filter_and_ends_at_the_total() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let filters = [
        ("staff_id", "s1"),
        ("outflow", "0"),
        ("start_add_time", "1600000000"),
    ];
    let pages = offset_export(
        &server,
        PATH,
        &filters,
        2,
        "external_user_list",
        Some(4),
        vec![
            OffsetPage {
                offset: 0,
                records: vec![relation(0), relation(1)],
            },
            OffsetPage {
                offset: 2,
                records: vec![relation(2), relation(3)],
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerStaffList::new()
        .staff_id("s1")
        .outflow(Outflow::Kept)
        .start_add_time(UnixSeconds(1600000000))
        .limit(2);
    let records: Vec<CustomerStaff> = client.items(request).try_collect().await.unwrap();
    let staff: Vec<_> = records
        .iter()
        .map(|r| r.staff_relation.as_ref().unwrap().staff_id.clone().unwrap())
        .collect();
    assert_eq!(staff, ["s0", "s1", "s2", "s3"]);
    each_called_once(&pages).await;
}

#[test]
fn a_relation_is_keyed_by_customer_and_staff() {
    let info = OPERATIONS
        .iter()
        .find(|op| op.info().name == "customer-staff")
        .unwrap()
        .info();
    assert_eq!(info.primary_key, ["id", "staff_relation.staff_id"]);
    assert_eq!(info.page_size_field, Some("limit"));
    assert!(
        info.incremental.is_none(),
        "add time is creation, not a change feed"
    );
}
