//! 高级筛选接口(新版): the exact request, a page-number export with every filter on every page,
//! its end conditions (short page, empty page), and the decoding of the fields third-party code
//! reads (bodies built from them: the page has no response section).

use httpmock::prelude::*;
use scrm_tanma::prelude::*;
use scrm_tanma::{
    ConditionItem, CustomerRole, CustomerSearch, ErrorKind, Id, SearchConditions, TimeRange,
};
use serde_json::{Value, json};

use crate::common::{self, ok, sign_of};

const PATH: &str = "/api/v3/customer/search";

fn customer(i: u64) -> Value {
    json!({
        "customerId": 513799527504064u64 + i,
        "name": format!("客户{i}"),
        "salesDeptNames": "[\"销售一部\",\"渠道部\"]",
        "133180": "A类"
    })
}

fn page(ids: &[u64], total_page: u64) -> String {
    let data: Vec<Value> = ids.iter().map(|&i| customer(i)).collect();
    ok(json!({"totalPage": total_page, "data": data}))
}

fn filters() -> CustomerSearch {
    CustomerSearch::new()
        .search_key("测试")
        .role(CustomerRole::Owner)
        .sales_id_list(vec![Id::from("5885555666")])
        .department_id_list(vec![Id::from(966461u64)])
        .create_time(
            TimeRange::new()
                .start("2022-12-13 00:00:00")
                .end("2022-12-19 23:59:59"),
        )
        .conditions(
            SearchConditions::new()
                .condition_op(1)
                .condition_items(vec![
                    ConditionItem::new()
                        .name("tagIds")
                        .op(6)
                        .values(vec![json!(2801078)]),
                ]),
        )
        .page_size(2)
}

fn body(page_no: u64) -> Value {
    json!({
        "searchKey": "测试",
        "role": "1",
        "salesIdList": ["5885555666"],
        "departmentIdList": [966461],
        "createTime": {"start": "2022-12-13 00:00:00", "end": "2022-12-19 23:59:59"},
        "conditions": {"conditionOp": 1, "conditionItems": [{"name": "tagIds", "op": 6, "values": [2801078]}]},
        "pageSize": 2,
        "pageNo": page_no
    })
}

#[tokio::test]
async fn sends_the_exact_body_signed() {
    let body = r#"{"customerId":513799527504064,"searchKey":"测试","pageSize":100,"pageNo":1}"#;
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("content-type", "application/json")
                .header("sign", sign_of(body))
                .body(body);
            then.status(200).body(page(&[0], 1));
        })
        .await;
    let client = common::client(&server.base_url());
    let request = CustomerSearch::new()
        .customer_id(513799527504064u64)
        .search_key("测试")
        .page_size(100)
        .page_no(1);
    let answer = client.call(&request).await.unwrap();
    assert_eq!(answer.total_page, Some(1));
    let found = &answer.data.unwrap()[0];
    assert_eq!(
        found.customer_id.as_ref().unwrap().as_str(),
        "513799527504064"
    );
    let depts = found.sales_dept_names.as_ref().unwrap();
    assert_eq!(depts.value(), &["销售一部", "渠道部"]);
    assert_eq!(depts.raw(), "[\"销售一部\",\"渠道部\"]");
    // Fixed keys not documented and the numeric-string custom-field keys stay in `extra`.
    assert_eq!(found.extra["133180"], json!("A类"));
    assert_eq!(found.extra["name"], json!("客户0"));
    // Written back, the record is what the vendor sent.
    assert_eq!(serde_json::to_value(found).unwrap(), customer(0));
    mock.assert_calls_async(1).await;
}

/// Pages of 2, 2 and 1: every later request is the first with only `pageNo` changed; the short
/// page ends the export (`totalPage` counts pages, not records).
#[tokio::test]
async fn page_number_export_keeps_every_filter() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (no, ids) in [(1, vec![1, 2]), (2, vec![3, 4]), (3, vec![5])] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).path(PATH).json_body(body(no));
                    then.status(200).body(page(&ids, 3));
                })
                .await,
        );
    }
    let client = common::client(&server.base_url());
    let found: Vec<_> = client.items(filters()).try_collect().await.unwrap();
    let ids: Vec<_> = found
        .iter()
        .map(|c| c.customer_id.as_ref().unwrap().as_u64().unwrap() - 513799527504064)
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_empty_page_ends_the_export() {
    let server = MockServer::start_async().await;
    let full = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(body(1));
            then.status(200).body(page(&[1, 2], 1));
        })
        .await;
    let empty = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(body(2));
            then.status(200).body(page(&[], 1));
        })
        .await;
    let client = common::client(&server.base_url());
    let found: Vec<_> = client.items(filters()).try_collect().await.unwrap();
    assert_eq!(found.len(), 2);
    full.assert_calls_async(1).await;
    empty.assert_calls_async(1).await;
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(page(&[], 0));
        })
        .await;
    let client = common::client(&server.base_url());
    let no_items = CustomerSearch::new().conditions(SearchConditions::new().condition_op(1));
    for (request, why) in [
        (no_items, "`conditions.conditionItems` is required"),
        (
            CustomerSearch::new().customer_id("x1"),
            "`customerId` must be a non-negative integer",
        ),
        (
            CustomerSearch::new().page_size(0),
            "`pageSize` must be at least 1",
        ),
    ] {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains(why), "{e}");
    }
    any.assert_calls_async(0).await;
}

/// `role` is sent as the documented string; a number (as the published example sends) and an
/// undocumented value both read back.
#[test]
fn role_travels_as_text_and_unknown_values_are_kept() {
    use scrm_core::decode_json;
    let r: CustomerSearch = decode_json(br#"{"role": 1}"#).unwrap();
    assert_eq!(r.role, Some(CustomerRole::Owner));
    assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"role":"1"}"#);
    let r: CustomerSearch = decode_json(br#"{"role": "3"}"#).unwrap();
    assert_eq!(r.role, Some(CustomerRole::Unknown("3".into())));
}
