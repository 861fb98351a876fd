//! 分页查询产品标签信息列表 against httpmock: the name filter on every page, the end at `total`,
//! the page-size limit.

use httpmock::MockServer;
use scrm_wshoto::{ErrorKind, Position, ProductTagList, collect_all};
use serde_json::{Value, json};

use crate::common::{builder, list_body, mock_any, mock_post_page, mock_token};

const PATH: &str = "/openapi/product/library/page_query_product_library_tag_info_list";

fn tags(from: usize, to: usize) -> Vec<Value> {
    (from..to)
        .map(|n| json!({"tag_id": format!("t{n}"), "tag_name": "新品"}))
        .collect()
}

#[tokio::test]
async fn a_multi_page_export_keeps_the_filter_on_every_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let filters = json!({"tag_name": "新品"});
    let p1 = mock_post_page(&server, PATH, &filters, 1, 2, list_body(5, tags(0, 2))).await;
    let p2 = mock_post_page(&server, PATH, &filters, 2, 2, list_body(5, tags(2, 4))).await;
    let p3 = mock_post_page(&server, PATH, &filters, 3, 2, list_body(5, tags(4, 5))).await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = ProductTagList::new().tag_name("新品").page_size(2);
    let pages: Vec<_> = scrm_wshoto::prelude::TryStreamExt::try_collect(client.pages(request))
        .await
        .unwrap();
    let summary: Vec<_> = pages
        .iter()
        .map(|p| (p.items.len(), p.next.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (2, Some(Position::Page { page: 2 })),
            (2, Some(Position::Page { page: 3 })),
            (1, None)
        ]
    );
    assert_eq!(pages[2].items[0].tag_id.as_deref(), Some("t4"));
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn the_export_ends_at_total() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let none = json!({});
    let p1 = mock_post_page(&server, PATH, &none, 1, 2, list_body(4, tags(0, 2))).await;
    let p2 = mock_post_page(&server, PATH, &none, 2, 2, list_body(4, tags(2, 4))).await;
    let p3 = mock_post_page(&server, PATH, &none, 3, 2, list_body(4, vec![])).await;
    let client = builder(&server.base_url()).build().unwrap();
    let all = collect_all(client.items(ProductTagList::new().page_size(2)))
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
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
        .call(&ProductTagList::new().page_size(101))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.message().contains("`page_size` must be at most 100"),
        "{e}"
    );
    any.assert_calls_async(0).await;
}
