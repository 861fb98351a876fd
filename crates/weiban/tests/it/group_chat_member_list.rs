//! `group_chat/member/list`: the documented query with the documented answer, one request.

use httpmock::prelude::*;
use scrm_testkit::fixture_bytes;
use scrm_weiban::{GroupChatMember, GroupChatMemberList, OPERATIONS, collect_all};

use crate::common::*;

const PATH: &str = "/open-api/group_chat/member/list";

#[tokio::test]
async fn sends_the_documented_query_and_reads_every_member_in_one_answer() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "group_chat_id=wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A&access_token=tok-1";
    let call = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(fixture_bytes("weiban/group-chat-member-list.response.json"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = GroupChatMemberList::new().group_chat_id("wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A");
    let members: Vec<GroupChatMember> = collect_all(client.items(request)).await.unwrap();
    let users: Vec<_> = members.iter().map(|m| m.user_id.clone().unwrap()).collect();
    assert_eq!(users, ["PanPan", "wm8xjUCAAAu4nT-CRhEFbNNGfY-N6tLw"]);
    assert_eq!(call.calls_async().await, 1, "no paging: one request");
    let info = OPERATIONS
        .iter()
        .find(|op| op.info().name == "group-chat-members")
        .unwrap()
        .info();
    assert_eq!(
        (info.paging.as_str(), info.primary_key),
        ("none", &["id"][..])
    );
}
