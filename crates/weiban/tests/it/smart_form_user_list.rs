//! `smart_form/form/user/list`: exact request shape, paging, empty pages, drift, token refresh.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_testkit::{Reply, ScriptedServer, fixture_bytes, fixture_str};
use scrm_weiban::{
    Configure, ConfigureTokens, DriftPolicy, ErrorKind, FormUserStatus, Position, SmartFormUser,
    SmartFormUserListResponse, UnixSeconds, collect_all,
};

use crate::common::*;

#[tokio::test]
async fn sends_the_documented_query_string_exactly() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "tok-1").await;
    let expected = "limit=10&offset=0&status=submit&city=%E6%AD%A6%E6%B1%89&form_id=111\
                    &start_time=1626192000&end_time=1626192001&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(LIST_PATH)
                // decoded pairs as the documentation shows them …
                .query_param("limit", "10")
                .query_param("offset", "0")
                .query_param("status", "submit")
                .query_param("city", "武汉")
                .query_param("form_id", "111")
                .query_param("start_time", "1626192000")
                .query_param("end_time", "1626192001")
                .query_param("access_token", "tok-1")
                // … and the raw query byte for byte, in the documented order.
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .header("content-type", "application/json")
                .body(fixture_bytes("weiban/smart-form-user-list.response.json"));
        })
        .await;

    let client = builder(&server.base_url()).build().unwrap();
    let request = submitted()
        .limit(10)
        .offset(0)
        .city("武汉")
        .form_id(111u64)
        .start_time(UnixSeconds(1626192000))
        .end_time(UnixSeconds(1626192001));
    let response = client.call(&request).await.unwrap();

    let documented: scrm_weiban::Envelope<SmartFormUserListResponse> =
        serde_json::from_str(&fixture_str("weiban/smart-form-user-list.response.json")).unwrap();
    assert_eq!(response, documented.payload);
    assert_eq!(list.calls_async().await, 1);
    assert_eq!(token.calls_async().await, 1);
}

#[tokio::test]
async fn multi_page_export_keeps_every_filter() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let mut pages = Vec::new();
    for (offset, range) in [(0, 0..2), (2, 2..4), (4, 4..5)] {
        let body = page_body(range, 5);
        pages.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path(LIST_PATH)
                        .query_param("status", "submit")
                        .query_param("form_id", "842")
                        .query_param("city", "武汉")
                        .query_param("start_time", "1626192000")
                        .query_param("end_time", "1626999999")
                        .query_param("limit", "2")
                        .query_param("offset", offset.to_string())
                        .query_param("access_token", "tok-1")
                        .query_param_count(".*", ".*", 8);
                    then.status(200).body(body);
                })
                .await,
        );
    }
    let client = builder(&server.base_url()).build().unwrap();
    let request = submitted()
        .limit(2)
        .form_id(842u64)
        .city("武汉")
        .start_time(UnixSeconds(1626192000))
        .end_time(UnixSeconds(1626999999));
    let users: Vec<SmartFormUser> = client.items(request).try_collect().await.unwrap();
    assert_eq!(u_ids(&users), [0, 1, 2, 3, 4]);
    for mock in &pages {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn a_short_page_advances_by_the_records_received() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    // limit 3, but the page at offset 3 holds only 2 records: the next offset is 5, not 6.
    let mut pages = Vec::new();
    for (offset, range) in [(0, 0..3), (3, 3..5), (5, 5..8), (8, 8..9)] {
        let body = page_body(range, 9);
        pages.push(
            server
                .mock_async(|when, then| {
                    when.path(LIST_PATH)
                        .query_param("limit", "3")
                        .query_param("offset", offset.to_string());
                    then.status(200).body(body);
                })
                .await,
        );
    }
    let client = builder(&server.base_url()).build().unwrap();
    let users: Vec<SmartFormUser> = client
        .items(submitted().limit(3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(u_ids(&users), (0..9).collect::<Vec<_>>());
    for mock in &pages {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn streams_default_to_limit_100_from_offset_0() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([page(0..3, 3)])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let users = collect_all(client.items(submitted())).await.unwrap();
    assert_eq!(users.len(), 3);
    let requests = server.requests();
    let [list] = api_requests(&requests)[..] else {
        panic!("{requests:?}")
    };
    assert_eq!(list.query_param("limit"), Some("100"));
    assert_eq!(list.query_param("offset"), Some("0"));
}

#[tokio::test]
async fn an_empty_page_before_the_total_is_retried_and_recovers() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([page(0..2, 4), page(0..0, 4), page(0..0, 0), page(2..4, 4)])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let users = collect_all(client.items(submitted().limit(2)))
        .await
        .unwrap();
    assert_eq!(u_ids(&users), [0, 1, 2, 3]);
    // The empty page (even one claiming total 0) was asked again at the same offset.
    assert_eq!(offsets(&server.requests()), [0, 2, 2, 2]);
}

#[tokio::test]
async fn an_empty_page_that_stays_empty_fails_naming_offset_and_total() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([page(0..2, 5), page(0..0, 5), page(0..0, 5), page(0..0, 5)])
        .start()
        .await;
    let client = builder(&server.url())
        .page_options(fast_pages().empty_page_retries(2))
        .build()
        .unwrap();
    let mut pages = std::pin::pin!(client.pages(submitted().limit(2)));
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.next, Some(Position::Offset { offset: 2 }));
    let e = pages.try_next().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    let text = e.to_string();
    assert!(text.contains("offset 2"), "{text}");
    assert!(text.contains("total is 5"), "{text}");
    assert!(text.contains("weiban smart_form/form/user/list"), "{text}");
    assert!(
        pages.try_next().await.unwrap().is_none(),
        "the stream ends after its error"
    );
    // 1 page + the empty page asked 1 + 2 times.
    assert_eq!(offsets(&server.requests()), [0, 2, 2, 2]);
    assert_eq!(server.remaining(), 0);
}

#[tokio::test]
async fn a_total_that_changes_mid_export_is_reported() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([page(0..2, 4), page(2..4, 5)])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let mut users = std::pin::pin!(client.items(submitted().limit(2)));
    assert_eq!(
        users
            .try_next()
            .await
            .unwrap()
            .unwrap()
            .external_user_id
            .as_deref(),
        Some("wm0")
    );
    assert_eq!(
        users
            .try_next()
            .await
            .unwrap()
            .unwrap()
            .external_user_id
            .as_deref(),
        Some("wm1")
    );
    let e = users.try_next().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    let text = e.to_string();
    assert!(text.contains("from 4 to 5"), "{text}");
    assert!(text.contains("offset 2"), "{text}");
}

#[tokio::test]
async fn a_total_change_may_be_accepted_with_a_warning() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([page(0..2, 4), page(2..4, 5), page(4..5, 5)])
        .start()
        .await;
    let client = builder(&server.url())
        .page_options(fast_pages().on_total_change(DriftPolicy::Warn))
        .build()
        .unwrap();
    let users = collect_all(client.items(submitted().limit(2)))
        .await
        .unwrap();
    assert_eq!(u_ids(&users), [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn an_empty_export_ends_after_one_call() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([Reply::json(
            200,
            r#"{"errcode":0,"errmsg":"ok","result":null,"total":0}"#,
        )])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let users = collect_all(client.items(submitted())).await.unwrap();
    assert!(users.is_empty());
    assert_eq!(server.calls_to(LIST_PATH), 1);
}

#[tokio::test]
async fn an_export_resumes_from_a_saved_position() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([page(4..6, 7), page(6..7, 7)])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let saved: Position = serde_json::from_str(r#"{"style":"offset","offset":4}"#).unwrap();
    let pages: Vec<_> = client
        .pages(submitted().limit(2).form_id(9u64))
        .options(fast_pages().resume_from(saved))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].position, Position::Offset { offset: 4 });
    assert_eq!(pages[1].next, None);
    assert_eq!(pages[1].response.total, Some(7));
    let requests = server.requests();
    assert_eq!(offsets(&requests), [4, 6]);
    assert!(
        api_requests(&requests)
            .iter()
            .all(|r| r.query_param("form_id") == Some("9"))
    );
}

#[tokio::test]
async fn a_token_invalid_answer_refreshes_once_and_retries_once() {
    let server = ScriptedServer::start([
        token_reply("tok-1"),
        error_reply(42001, "access_token expired"),
        token_reply("tok-2"),
        page(0..1, 1),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let response = client.call(&submitted()).await.unwrap();
    assert_eq!(response.result.as_ref().map_or(0, Vec::len), 1);
    let requests = server.requests();
    assert_eq!(server.calls_to(TOKEN_PATH), 2);
    assert_eq!(tokens_used(&requests), ["tok-1", "tok-2"]);
}

#[tokio::test]
async fn a_second_token_invalid_answer_is_returned_not_looped() {
    let server = ScriptedServer::start([
        token_reply("tok-1"),
        error_reply(40014, "invalid access_token"),
        token_reply("tok-2"),
        error_reply(40014, "invalid access_token"),
    ])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthExpired);
    assert_eq!(e.code(), Some("40014"));
    assert_eq!(server.calls_to(TOKEN_PATH), 2);
    assert_eq!(server.calls_to(LIST_PATH), 2);
}

#[tokio::test]
async fn token_invalid_codes_are_configurable() {
    let server = ScriptedServer::start([
        token_reply("tok-1"),
        error_reply(40082, "custom token error"),
        token_reply("tok-2"),
        page(0..1, 1),
        error_reply(42001, "no longer a token code"),
    ])
    .await;
    let client = builder(&server.url())
        .token_invalid_codes([40082])
        .build()
        .unwrap();
    client.call(&submitted()).await.unwrap();
    assert_eq!(tokens_used(&server.requests()), ["tok-1", "tok-2"]);
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(
        server.calls_to(TOKEN_PATH),
        2,
        "42001 does not refresh any more"
    );
}

#[tokio::test]
async fn documented_codes_map_to_clear_errors() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([
            error_reply(21901, "参数错误"),
            error_reply(21902, "查询失败"),
            error_reply(21902, "查询失败"),
            error_reply(21902, "查询失败"),
            error_reply(10049, "其他参数错误"),
            error_reply(20210, "id错误"),
        ])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();

    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        e.to_string(),
        "weiban smart_form/form/user/list: request rejected as invalid (code 21901: 参数错误; \
         smart-form parameter check failed (自定义表单参数校验失败): check status, form_id, city, \
         start_time/end_time, limit and offset) [HTTP 200, 1 attempt]"
    );

    // 21902 is the vendor's own query failing: retried within the attempts, then reported.
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert_eq!(e.attempts(), 3);
    assert!(e.to_string().contains("自定义表单数据查询失败"), "{e}");

    for code in ["10049", "20210"] {
        let e = client.call(&submitted()).await.unwrap_err();
        assert_eq!(
            (e.kind(), e.code()),
            (ErrorKind::InvalidRequest, Some(code))
        );
        assert_eq!(e.attempts(), 1);
    }
    assert_eq!(server.remaining(), 0);
}

#[tokio::test]
async fn an_invalid_request_is_refused_before_anything_is_sent() {
    let server = ScriptedServer::start([]).await;
    let client = builder(&server.url()).build().unwrap();
    for request in [
        submitted().limit(0),
        submitted()
            .start_time(UnixSeconds(2))
            .end_time(UnixSeconds(1)),
        submitted().status(FormUserStatus::Unknown(String::new())),
    ] {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(!e.maybe_sent());
        let e = collect_all(client.items(request)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    assert!(server.requests().is_empty(), "not even a token request");
}

#[tokio::test]
async fn unknown_statuses_and_fields_do_not_fail_a_page() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([Reply::json(
            200,
            r#"{"errcode":0,"errmsg":"ok","total":"1","new_key":1,"result":[
                {"status":"withdrawn","external_user_id":"wm1","u_id":"9007199254740993",
                 "form_id":"12","submit_at":"1619613511","extra":{"a":1}}]}"#,
        )])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let users = collect_all(client.items(submitted())).await.unwrap();
    let [user] = users.as_slice() else {
        panic!("{users:?}")
    };
    assert_eq!(
        user.status,
        Some(FormUserStatus::Unknown("withdrawn".into()))
    );
    assert_eq!(user.u_id.as_ref().unwrap().as_str(), "9007199254740993");
    assert_eq!(user.submit_at, Some(UnixSeconds(1619613511)));
    assert_eq!(user.unionid, None);
    assert_eq!(user.user_name, None);
}

#[tokio::test]
async fn a_malformed_record_fails_naming_its_path() {
    let server = ScriptedServer::builder()
        .always(TOKEN_PATH, token_reply("tok-1"))
        .script([Reply::json(
            200,
            format!(
                r#"{{"errcode":0,"errmsg":"ok","result":[{},{{"status":"submit","u_id":1.5,"external_user_id":"x"}}],"total":2}}"#,
                record(0)
            ),
        )])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    let e = client.call(&submitted()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("result[1].u_id"), "{e}");
    assert_eq!(
        server.calls_to(LIST_PATH),
        1,
        "decode errors are not retried"
    );
}
