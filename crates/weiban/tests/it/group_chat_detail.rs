//! `group_chat/detail`: the documented query with the documented answer, 20209 classified.

use httpmock::prelude::*;
use scrm_testkit::fixture_bytes;
use scrm_weiban::{ErrorKind, GroupChat, GroupChatDetail, collect_all};

use crate::common::*;

const PATH: &str = "/open-api/group_chat/detail";

#[tokio::test]
async fn sends_the_documented_query_and_reads_the_documented_answer() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "group_chat_id=wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A&access_token=tok-1";
    let call = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(fixture_bytes("weiban/group-chat-detail.response.json"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = GroupChatDetail::new().group_chat_id("wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A");
    let chats: Vec<GroupChat> = collect_all(client.items(request)).await.unwrap();
    let [chat] = chats.as_slice() else {
        panic!("{chats:?}")
    };
    assert_eq!(chat.name.as_deref(), Some("测试非好友关系"));
    assert_eq!(chat.tag_list.as_ref().map(Vec::len), Some(18));
    assert_eq!(call.calls_async().await, 1);
}

#[tokio::test]
async fn the_id_is_required_and_an_unknown_one_is_an_invalid_request() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH);
            then.status(200)
                .body(error_body(20209, "group_chat_id非法,不存在对应群聊"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client.call(&GroupChatDetail::new()).await.unwrap_err();
    assert!(e.to_string().contains("`group_chat_id` is required"), "{e}");
    let e = client
        .call(&GroupChatDetail::new().group_chat_id("wrX"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::InvalidRequest, Some("20209"))
    );
    assert!(e.to_string().contains("group_chat_id非法"), "{e}");
}
