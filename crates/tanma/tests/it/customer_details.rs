//! 按企微客户id获取详情: the exact request, the decoding of the documented fields (from bodies
//! built from the field table: the page has no response example), and the single answer.

use httpmock::prelude::*;
use scrm_tanma::prelude::*;
use scrm_tanma::{CustomerQwDetails, ErrorKind, Position};
use serde_json::json;

use crate::common::{self, APP_ID, T0_MS, ok, sign_of};

const PATH: &str = "/api/v2/customer/qw-details";

/// Two relations of one customer, every documented field, nulls where the table allows them,
/// and a key the table does not list.
fn relations() -> String {
    ok(json!([
        {
            "qwUserId": "ZhuShanPeng",
            "externalUserId": "wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng",
            "unionId": "ozEXAMPLEunion",
            "qwCustomerTime": "2022-03-01 10:20:30",
            "mobiles": ["13800000000", "13900000000"],
            "wechatNickname": "打马赛克就",
            "wechatAvatar": "https://wx.qlogo.cn/mmhead/x/0",
            "undocumentedKey": 1
        },
        {
            "qwUserId": "LiSi",
            "externalUserId": "wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng",
            "unionId": null,
            "qwCustomerTime": null,
            "mobiles": null,
            "wechatNickname": null,
            "wechatAvatar": ""
        }
    ]))
}

#[tokio::test]
async fn sends_the_documented_example_body_signed() {
    let body = r#"{"externalUserId":"wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng","qwUserId":"ZhuShanPeng"}"#;
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("content-type", "application/json")
                .header("appId", APP_ID)
                .header("timestamp", T0_MS.to_string())
                .header("sign", sign_of(body))
                .header_missing("appKey")
                .body(body);
            then.status(200).body(relations());
        })
        .await;
    let client = common::client(&server.base_url());
    let request = CustomerQwDetails::new()
        .external_user_id("wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng")
        .qw_user_id("ZhuShanPeng");
    let details = client.call(&request).await.unwrap();
    assert_eq!(details.len(), 2);
    let first = &details[0];
    assert_eq!(first.qw_user_id.as_deref(), Some("ZhuShanPeng"));
    assert_eq!(first.union_id.as_deref(), Some("ozEXAMPLEunion"));
    assert_eq!(
        first.qw_customer_time.as_deref(),
        Some("2022-03-01 10:20:30")
    );
    assert_eq!(
        first.mobiles.as_deref(),
        Some(&["13800000000".to_owned(), "13900000000".to_owned()][..])
    );
    assert_eq!(first.wechat_nickname.as_deref(), Some("打马赛克就"));
    assert_eq!(first.extra["undocumentedKey"], json!(1));
    let second = &details[1];
    assert_eq!(
        (second.union_id.as_ref(), second.mobiles.as_ref()),
        (None, None)
    );
    assert_eq!(
        second.wechat_avatar.as_deref(),
        Some(""),
        "text is kept as sent"
    );
    mock.assert_calls_async(1).await;
}

/// The stream verbs work on a single answer: one request, one page, no next position.
#[tokio::test]
async fn items_of_a_single_answer_end_after_one_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .json_body(json!({"externalUserId": "wmEXAMPLE"}));
            then.status(200).body(relations());
        })
        .await;
    let client = common::client(&server.base_url());
    let request = CustomerQwDetails::new().external_user_id("wmEXAMPLE");
    let pages: Vec<_> = client.pages(request.clone()).try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        (pages[0].position.clone(), pages[0].next.clone()),
        (Position::Single, None)
    );
    let items: Vec<_> = client.items(request).try_collect().await.unwrap();
    let users: Vec<_> = items
        .iter()
        .map(|d| d.qw_user_id.clone().unwrap())
        .collect();
    assert_eq!(users, ["ZhuShanPeng", "LiSi"]);
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn null_data_is_no_relation() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200)
                .body(r#"{"code":0,"message":"success","data":null}"#);
        })
        .await;
    let client = common::client(&server.base_url());
    let request = CustomerQwDetails::new().external_user_id("wmEXAMPLE");
    assert!(client.call(&request).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_customer_id_is_required_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(relations());
        })
        .await;
    let client = common::client(&server.base_url());
    let e = client
        .call(&CustomerQwDetails::new().qw_user_id("ZhuShanPeng"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.message().contains("`externalUserId` is required"), "{e}");
    let e = client
        .call(&CustomerQwDetails::new().external_user_id(" "))
        .await
        .unwrap_err();
    assert!(
        e.message().contains("`externalUserId` must not be empty"),
        "{e}"
    );
    any.assert_calls_async(0).await;
}
