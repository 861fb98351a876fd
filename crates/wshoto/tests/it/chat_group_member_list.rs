//! 获取客户群成员列表 against httpmock: a GET with every parameter in the query on every page,
//! the end at `total`, `chat_id` required, the page-size limit.

use httpmock::MockServer;
use httpmock::prelude::*;
use scrm_wshoto::{ErrorKind, GroupMemberList, JoinScene, MemberType, UnixMillis, collect_all};
use serde_json::{Value, json};

use crate::common::{TOKEN_A, builder, list_body, mock_any, mock_token};

const PATH: &str = "/openapi/chat/group/member/list";
const CHAT: &str = "wrJYSuBgAAchat";

fn members(from: usize, to: usize) -> Vec<Value> {
    (from..to)
        .map(|n| {
            json!({"userid": format!("wm{n}"), "type": 2, "join_time": 1_608_269_181_797_u64,
                   "join_scene": if n == 0 { 9 } else { 3 }, "user_chat_nick_name": "acv", "invitor": "acv"})
        })
        .collect()
}

async fn page<'a>(server: &'a MockServer, n: u64, size: u64, body: String) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param("access_token", TOKEN_A)
                .query_param("chat_id", CHAT)
                .query_param("current_index", n.to_string())
                .query_param("page_size", size.to_string());
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await
}

#[tokio::test]
async fn a_multi_page_export_sends_every_parameter_in_the_query_on_every_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let p1 = page(&server, 1, 2, list_body(5, members(0, 2))).await;
    let p2 = page(&server, 2, 2, list_body(5, members(2, 4))).await;
    let p3 = page(&server, 3, 2, list_body(5, members(4, 5))).await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = GroupMemberList::new().chat_id(CHAT).page_size(2);
    let all = collect_all(client.items(request)).await.unwrap();
    let ids: Vec<_> = all.iter().map(|m| m.userid.clone().unwrap()).collect();
    assert_eq!(ids, ["wm0", "wm1", "wm2", "wm3", "wm4"]);
    assert_eq!(all[1].member_type, Some(MemberType::External));
    assert_eq!(all[1].join_scene, Some(JoinScene::QrCode));
    assert_eq!(
        all[0].join_scene,
        Some(JoinScene::Unknown(9)),
        "unknown codes are kept"
    );
    assert_eq!(all[0].join_time, Some(UnixMillis(1_608_269_181_797)));
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn the_export_ends_at_total_and_streams_ask_for_100_a_page() {
    let server = MockServer::start_async().await;
    mock_token(&server).await;
    let p1 = page(&server, 1, 100, list_body(100, members(0, 100))).await;
    let p2 = page(&server, 2, 100, list_body(100, vec![])).await;
    let client = builder(&server.base_url()).build().unwrap();
    let all = collect_all(client.items(GroupMemberList::new().chat_id(CHAT)))
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(0).await;
}

#[tokio::test]
async fn chat_id_and_the_page_size_limit_are_checked_before_sending() {
    let server = MockServer::start_async().await;
    let any = mock_any(&server, PATH).await;
    let client = builder(&server.base_url()).build().unwrap();
    let cases = [
        (GroupMemberList::new(), "`chat_id` is required"),
        (
            GroupMemberList::new().chat_id(" "),
            "`chat_id` must not be empty",
        ),
        (
            GroupMemberList::new().chat_id(CHAT).page_size(101),
            "`page_size` must be at most 100",
        ),
    ];
    for (request, why) in cases {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains(why), "{e}");
        let e = collect_all(client.items(request)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    any.assert_calls_async(0).await;
}
