//! 获取联系人列表 against httpmock: every filter on every page, the end at `total` and on a short
//! page, the documented limits, 19-digit ids kept exactly.

use httpmock::MockServer;
use scrm_wshoto::{ContactPage, ErrorKind, UnixSeconds, collect_all};
use serde_json::{Value, json};

use crate::common::{builder, list_body, mock_any, mock_post_page, mock_token};

const PATH: &str = "/openapi/crm3/contact/page";

fn contacts(from: u64, to: u64) -> Vec<Value> {
    (from..to)
        .map(|n| {
            json!({"contact_id": 1_631_517_114_528_779_266_u64 + n, "contact_name": format!("c{n}"),
                   "company_id": 1_531_517_114_528_779_266_u64, "create_time": 1_638_785_104 + n,
                   "relate_customer_time": null,
                   "access_customer_channel": [{"name": "渠道1", "id": "1831517114528779266"}]})
        })
        .collect()
}

fn filtered() -> ContactPage {
    ContactPage::new()
        .contact_name("张")
        .owner_ids(["wovvCXcAAAXio3fEwulPCVHqUnRlT5iw"])
        .create_start_time(UnixSeconds(1_638_785_104))
        .create_end_time(UnixSeconds(1_638_999_999))
        .company_phases(vec![json!("p1")])
        .company_levels(vec![json!("l1")])
        .tag_ids(["tag1", "tag2"])
        .access_customer_channel(["1831517114528779266"])
        .mobile_phone("13800000000")
        .email("a@b.c")
        .external_user_ids(["wm1"])
        .field_map(json!({"f1": "v1"}))
        .page_size(2)
}

fn filters() -> Value {
    json!({
        "contact_name": "张",
        "owner_ids": ["wovvCXcAAAXio3fEwulPCVHqUnRlT5iw"],
        "create_start_time": 1_638_785_104,
        "create_end_time": 1_638_999_999,
        "company_phases": ["p1"],
        "company_levels": ["l1"],
        "tag_ids": ["tag1", "tag2"],
        "access_customer_channel": ["1831517114528779266"],
        "mobile_phone": "13800000000",
        "email": "a@b.c",
        "external_user_ids": ["wm1"],
        "field_map": {"f1": "v1"},
    })
}

#[tokio::test]
async fn a_multi_page_export_sends_every_filter_on_every_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let f = filters();
    let p1 = mock_post_page(&server, PATH, &f, 1, 2, list_body(5, contacts(0, 2))).await;
    let p2 = mock_post_page(&server, PATH, &f, 2, 2, list_body(5, contacts(2, 4))).await;
    let p3 = mock_post_page(&server, PATH, &f, 3, 2, list_body(5, contacts(4, 5))).await;
    let client = builder(&server.base_url()).build().unwrap();
    let all = collect_all(client.items(filtered())).await.unwrap();
    let ids: Vec<_> = all
        .iter()
        .map(|c| c.contact_id.as_ref().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "1631517114528779266",
            "1631517114528779267",
            "1631517114528779268",
            "1631517114528779269",
            "1631517114528779270"
        ],
        "19-digit ids, never through f64"
    );
    assert_eq!(all[0].relate_customer_time, None);
    assert_eq!(all[1].create_time, Some(UnixSeconds(1_638_785_105)));
    let channel = &all[0].access_customer_channel.as_ref().unwrap()[0];
    assert_eq!(channel.id.as_ref().unwrap().as_str(), "1831517114528779266");
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn the_export_ends_at_total_or_on_a_short_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let none = json!({});
    // total 9, but page 1 is short: the vendor has no more.
    let p1 = mock_post_page(&server, PATH, &none, 1, 100, list_body(9, contacts(0, 3))).await;
    let p2 = mock_post_page(&server, PATH, &none, 2, 100, list_body(9, contacts(3, 9))).await;
    let client = builder(&server.base_url()).build().unwrap();
    let all = collect_all(client.items(ContactPage::new())).await.unwrap();
    assert_eq!(all.len(), 3);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(0).await;
}

#[tokio::test]
async fn documented_limits_are_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let any = mock_any(&server, PATH).await;
    let client = builder(&server.base_url()).build().unwrap();
    let cases = [
        (
            ContactPage::new().current_index(0),
            "`current_index` must be at least 1",
        ),
        (
            ContactPage::new().page_size(0),
            "`page_size` must be at least 1",
        ),
        (
            ContactPage::new().current_index(1).page_size(101),
            "`page_size` must be at most 100",
        ),
        (
            ContactPage::new()
                .current_index(1)
                .page_size(10)
                .create_start_time(UnixSeconds(2))
                .create_end_time(UnixSeconds(1)),
            "`create_start_time` 2s is after `create_end_time` 1s",
        ),
    ];
    for (request, why) in cases {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains(why), "{e}");
    }
    any.assert_calls_async(0).await;
}
