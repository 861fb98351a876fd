//! `group_chat/list`: exact query, paging with every filter on every page, its end.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_weiban::{ErrorKind, GroupChatList, GroupChatListItem};

use crate::common::*;

const PATH: &str = "/open-api/group_chat/list";

fn group(i: u64) -> String {
    format!(r#"{{"group_chat_id":"wr{i}","name":"群{i}"}}"#)
}

#[tokio::test]
async fn sends_every_documented_parameter() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "staff_id=PanPan&limit=100&offset=0&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(list_body("group_chat_list", &[group(1)], None));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = GroupChatList::new().staff_id("PanPan").limit(100).offset(0);
    let page = client.call(&request).await.unwrap();
    assert_eq!(
        page.items.as_ref().unwrap()[0].extra["group_chat_id"],
        "wr1"
    );
    assert_eq!(list.calls_async().await, 1);
}

#[tokio::test]
async fn an_export_keeps_every_filter_and_ends_on_a_short_page() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let pages = offset_export(
        &server,
        PATH,
        &[("staff_id", "PanPan")],
        2,
        "group_chat_list",
        None,
        vec![
            OffsetPage {
                offset: 0,
                records: vec![group(0), group(1)],
            },
            OffsetPage {
                offset: 2,
                records: vec![group(2), group(3)],
            },
            OffsetPage {
                offset: 4,
                records: vec![],
            },
        ],
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = GroupChatList::new().staff_id("PanPan").limit(2);
    let groups: Vec<GroupChatListItem> = client.items(request).try_collect().await.unwrap();
    assert_eq!(groups.len(), 4);
    // Without a total, the empty page after full ones is asked for once more before it ends
    // the export (a throttled empty page would look the same).
    assert_eq!(pages[0].calls_async().await, 1);
    assert_eq!(pages[1].calls_async().await, 1);
    assert_eq!(pages[2].calls_async().await, 2);
    let e = client
        .call(&GroupChatList::new().limit(0))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}
