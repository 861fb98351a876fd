//! 批量获取企业自建应用的客户信息 against httpmock: the exact request on every page, the end at
//! `total`, the default stream page size, the page-size limit.

use httpmock::MockServer;
use scrm_wshoto::{CustomerType, Gender, SelfCustomerList, collect_all};
use serde_json::{Value, json};

use crate::common::{builder, list_body, mock_any, mock_post_page, mock_token};

const PATH: &str = "/openapi/customer/list/selfCustomersByTenant";

fn customer(n: usize) -> Value {
    json!({"external_userid": format!("wm{n}"), "type": 1, "gender": n % 3,
           "follow_users": [{"userid": "admin", "tag_list": [{"group_name": "g", "tag_name": "t", "tag_id": format!("et{n}")}]}]})
}

fn customers(from: usize, to: usize) -> Vec<Value> {
    (from..to).map(customer).collect()
}

#[tokio::test]
async fn a_multi_page_export_sends_the_page_in_the_body_and_the_token_in_the_query() {
    let server = MockServer::start_async().await;
    let token = mock_token(&server).await;
    let none = json!({});
    let p1 = mock_post_page(&server, PATH, &none, 1, 2, list_body(5, customers(0, 2))).await;
    let p2 = mock_post_page(&server, PATH, &none, 2, 2, list_body(5, customers(2, 4))).await;
    let p3 = mock_post_page(&server, PATH, &none, 3, 2, list_body(5, customers(4, 5))).await;
    let client = builder(&server.base_url()).build().unwrap();

    let all = collect_all(client.items(SelfCustomerList::new().page_size(2)))
        .await
        .unwrap();
    let ids: Vec<_> = all
        .iter()
        .map(|c| c.external_userid.clone().unwrap())
        .collect();
    assert_eq!(ids, ["wm0", "wm1", "wm2", "wm3", "wm4"]);
    assert_eq!(all[0].customer_type, Some(CustomerType::WeChat));
    assert_eq!(all[2].gender, Some(Gender::Female));
    let follow = &all[4].follow_users.as_ref().unwrap()[0];
    assert_eq!(follow.userid.as_deref(), Some("admin"));
    assert_eq!(
        follow.tag_list.as_ref().unwrap()[0].tag_id.as_deref(),
        Some("et4")
    );
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_export_ends_at_total_and_streams_ask_for_100_a_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let none = json!({});
    let p1 = mock_post_page(
        &server,
        PATH,
        &none,
        1,
        100,
        list_body(200, customers(0, 100)),
    )
    .await;
    let p2 = mock_post_page(
        &server,
        PATH,
        &none,
        2,
        100,
        list_body(200, customers(100, 200)),
    )
    .await;
    let p3 = mock_post_page(&server, PATH, &none, 3, 100, list_body(200, vec![])).await;
    let client = builder(&server.base_url()).build().unwrap();
    let all = collect_all(client.items(SelfCustomerList::new()))
        .await
        .unwrap();
    assert_eq!(all.len(), 200);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
    p3.assert_calls_async(0).await;
}

#[tokio::test]
async fn page_size_101_is_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let any = mock_any(&server, PATH).await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client
        .call(&SelfCustomerList::new().page_size(101))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), scrm_wshoto::ErrorKind::InvalidInput);
    assert!(
        e.message().contains("`page_size` must be at most 100"),
        "{e}"
    );
    let e = collect_all(client.items(SelfCustomerList::new().current_index(0)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), scrm_wshoto::ErrorKind::InvalidInput);
    any.assert_calls_async(0).await;
}
