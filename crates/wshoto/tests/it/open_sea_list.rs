//! 获取公海列表 against httpmock: every filter on every page (times in milliseconds), the end at
//! `total`, the window check.

use httpmock::MockServer;
use scrm_wshoto::{ErrorKind, Id, OpenSeaList, UnixMillis, collect_all};
use serde_json::{Value, json};

use crate::common::{builder, list_body, mock_any, mock_post_page, mock_token};

const PATH: &str = "/openapi/crm3/openSea/listOpenSeaData";

fn records(from: u64, to: u64) -> Vec<Value> {
    (from..to)
        .map(|n| {
            json!({"company_id": 1_234_546_565_511_111_u64, "contact_id": 1_230_000_000_000_000_u64 + n,
                   "contact_name": format!("c{n}"), "pre_owner_id": "95e6e3dca846",
                   "open_sea_return_time": 1_735_660_800_000_u64 + n,
                   "open_sea_return_material_ids": ["123141512415"]})
        })
        .collect()
}

#[tokio::test]
async fn a_multi_page_export_sends_every_filter_on_every_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let filters = json!({"pool_ids": [1_111_111_111_111_u64], "pre_owner_id": "xxxx",
                         "return_time_start": 1_735_660_800_000_u64, "return_time_end": 1_738_339_200_000_u64});
    let p1 = mock_post_page(&server, PATH, &filters, 1, 2, list_body(5, records(0, 2))).await;
    let p2 = mock_post_page(&server, PATH, &filters, 2, 2, list_body(5, records(2, 4))).await;
    let p3 = mock_post_page(&server, PATH, &filters, 3, 2, list_body(5, records(4, 5))).await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = OpenSeaList::new()
        .pool_ids(vec![Id::number(1_111_111_111_111)])
        .pre_owner_id("xxxx")
        .return_time_start(UnixMillis(1_735_660_800_000))
        .return_time_end(UnixMillis(1_738_339_200_000))
        .page_size(2);
    let all = collect_all(client.items(request)).await.unwrap();
    let returned: Vec<_> = all
        .iter()
        .map(|r| r.open_sea_return_time.unwrap().0)
        .collect();
    assert_eq!(
        returned,
        [
            1_735_660_800_000,
            1_735_660_800_001,
            1_735_660_800_002,
            1_735_660_800_003,
            1_735_660_800_004
        ]
    );
    assert_eq!(all[0].pre_owner_id.as_deref(), Some("95e6e3dca846"));
    assert_eq!(
        all[0].contact_id.as_ref().unwrap().as_u64(),
        Some(1_230_000_000_000_000)
    );
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
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
        list_body(100, records(0, 100)),
    )
    .await;
    let p2 = mock_post_page(&server, PATH, &none, 2, 100, list_body(100, vec![])).await;
    let client = builder(&server.base_url()).build().unwrap();
    let all = collect_all(client.items(OpenSeaList::new())).await.unwrap();
    assert_eq!(all.len(), 100);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_reversed_window_is_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let any = mock_any(&server, PATH).await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = OpenSeaList::new()
        .return_time_start(UnixMillis(2))
        .return_time_end(UnixMillis(1));
    let e = client.call(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.message()
            .contains("`return_time_start` 2ms is after `return_time_end` 1ms"),
        "{e}"
    );
    any.assert_calls_async(0).await;
}
