//! 客户任务信息查询 `cusTask/v1/queryTask`: request shape, limits, records, the task stream.

use futures::{StreamExt, TryStreamExt};
use httpmock::{Method::POST, MockServer};
use scrm_waiqin::{
    ChinaDate, ErrorKind, ExecuteDemand, PageOptions, Position, QueryTask, RecordStatus, Task,
    TaskStatus, collect_all,
};
use serde_json::{Value, json};

use crate::common::*;

fn date(text: &str) -> ChinaDate {
    ChinaDate::parse(text).unwrap()
}

#[test]
fn every_field_travels_as_documented() {
    let request = QueryTask::new()
        .create_date_from(date("2024-01-01"))
        .create_date_to(date("2024-01-31"))
        .modify_date_from(date("2024-02-01"))
        .modify_date_to(date("2024-02-29"))
        .page(3)
        .rows(200);
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"create_date_from":"2024-01-01","create_date_to":"2024-01-31","modify_date_from":"2024-02-01","modify_date_to":"2024-02-29","page":"3","rows":"200"}"#
    );
    assert_eq!(serde_json::to_string(&QueryTask::new()).unwrap(), "{}");
}

#[tokio::test]
async fn limits_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.respond_with(echo(tasks([1])));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let d = date;
    for (request, needle) in [
        (
            QueryTask::new().rows(1001),
            "`rows` must be at most 1000, got 1001",
        ),
        (QueryTask::new().rows(0), "`rows` must be at least 1, got 0"),
        (QueryTask::new().page(0), "`page` must be at least 1, got 0"),
        (
            QueryTask::new()
                .create_date_from(d("2024-02-01"))
                .create_date_to(d("2024-01-31")),
            "`create_date_from` 2024-02-01 is after `create_date_to` 2024-01-31",
        ),
        (
            QueryTask::new()
                .modify_date_from(d("2024-02-01"))
                .modify_date_to(d("2024-01-31")),
            "`modify_date_from` 2024-02-01 is after `modify_date_to` 2024-01-31",
        ),
    ] {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains(needle), "{e}");
        assert_eq!(e.attempts(), 0);
        assert!(!e.maybe_sent());
        // Streams refuse it too, as their first item.
        let first = Box::pin(client.items(request))
            .next()
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(first.kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(any.calls_async().await, 0, "nothing was sent");
    // The documented maximum itself is fine.
    client.call(&QueryTask::new().rows(1000)).await.unwrap();
    assert_eq!(any.calls_async().await, 1);
}

async fn page_mock<'a>(server: &'a MockServer, body: &str, data: Value) -> httpmock::Mock<'a> {
    let body = body.to_owned();
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path_prefix(format!("{QUERY_TASK}/{OPENID}/"))
                .body(body);
            then.respond_with(echo(data));
        })
        .await
}

#[tokio::test]
async fn the_stream_ends_on_a_short_page_and_keeps_the_filters() {
    let server = MockServer::start_async().await;
    let p1 = page_mock(
        &server,
        r#"{"modify_date_from":"2024-03-01","page":"1","rows":"2"}"#,
        tasks([1, 2]),
    )
    .await;
    let p2 = page_mock(
        &server,
        r#"{"modify_date_from":"2024-03-01","page":"2","rows":"2"}"#,
        tasks([3]),
    )
    .await;
    let rest = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(599);
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = QueryTask::new()
        .modify_date_from(date("2024-03-01"))
        .rows(2);
    let got: Vec<Task> = collect_all(client.items(request)).await.unwrap();
    assert_eq!(ids(&got), ["1", "2", "3"]);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_exact_multiple_ends_on_the_following_empty_page() {
    let server = MockServer::start_async().await;
    let p1 = page_mock(&server, r#"{"page":"1","rows":"2"}"#, tasks([1, 2])).await;
    let p2 = page_mock(&server, r#"{"page":"2","rows":"2"}"#, tasks([3, 4])).await;
    let p3 = page_mock(&server, r#"{"page":"3","rows":"2"}"#, json!([])).await;
    let rest = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(599);
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let pages: Vec<_> = client
        .pages(QueryTask::new().rows(2))
        .try_collect()
        .await
        .unwrap();
    let numbers: Vec<_> = pages.iter().map(|p| (p.number, p.items.len())).collect();
    assert_eq!(numbers, [(1, 2), (2, 2), (3, 0)]);
    assert_eq!(pages[0].next, Some(Position::Page { page: 2 }));
    assert_eq!(pages[2].next, None);
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_empty_response_data_string_also_ends_the_export() {
    let server = MockServer::start_async().await;
    let p1 = page_mock(&server, r#"{"page":"1","rows":"1"}"#, tasks([1])).await;
    let p2 = server
        .mock_async(|when, then| {
            when.body(r#"{"page":"2","rows":"1"}"#);
            then.respond_with(|req: &httpmock::HttpMockRequest| {
                let signed = Signed::parse(req.uri().path());
                json_response(
                    200,
                    json!({"return_code": "0", "return_msg": "", "msg_id": signed.msg_id, "response_data": ""})
                        .to_string(),
                )
            });
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let got = collect_all(client.items(QueryTask::new().rows(1)))
        .await
        .unwrap();
    assert_eq!(ids(&got), ["1"]);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
}

#[tokio::test]
async fn unset_page_and_rows_are_sent_explicitly() {
    let server = MockServer::start_async().await;
    let p1 = page_mock(&server, r#"{"page":"1","rows":"1000"}"#, tasks([1, 2, 3])).await;
    let client = builder(&server.base_url()).build().unwrap();
    let got = collect_all(client.items(QueryTask::new())).await.unwrap();
    assert_eq!(got.len(), 3);
    p1.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_export_resumes_from_a_saved_position() {
    let server = MockServer::start_async().await;
    let p2 = page_mock(&server, r#"{"page":"2","rows":"2"}"#, tasks([3])).await;
    let rest = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(599);
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    // A position saved by an interrupted run, e.g. as JSON.
    let saved: Position = serde_json::from_str(r#"{"style":"page","page":2}"#).unwrap();
    let options = PageOptions::default().resume_from(saved);
    let got = collect_all(client.items(QueryTask::new().rows(2)).options(options))
        .await
        .unwrap();
    assert_eq!(ids(&got), ["3"]);
    p2.assert_calls_async(1).await;
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_non_zero_return_code_is_a_classified_error_with_the_vendors_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            then.respond_with(|req: &httpmock::HttpMockRequest| {
                let signed = Signed::parse(req.uri().path());
                json_response(200, error_body("1004", "参数错误: rows", &signed.msg_id))
            });
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client.call(&QueryTask::new().rows(5)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.code(), Some("1004"));
    assert_eq!(e.message(), "参数错误: rows");
    assert_eq!(e.vendor_name(), "waiqin");
    assert_eq!(e.operation(), "cusTask/v1/queryTask");
    assert_eq!(e.http_status(), Some(200));
    assert_eq!(
        e.to_string(),
        "waiqin cusTask/v1/queryTask: vendor error (code 1004: 参数错误: rows) [HTTP 200, 1 attempt]"
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_bad_record_fails_loudly_naming_the_field() {
    let server = MockServer::start_async().await;
    let mut data = tasks([1, 2]);
    data[1]["create_time"] = json!("yesterday");
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.respond_with(echo(data));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = collect_all(client.items(QueryTask::new()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    let text = e.to_string();
    assert!(text.contains("response_data"), "{text}");
    assert!(text.contains("[1].create_time"), "{text}");
    assert!(text.contains("yesterday"), "{text}");
}

#[test]
fn every_documented_field_is_read_and_written_back_in_wire_form() {
    let wire = json!({
        "task_id": 9007199254740993u64,
        "creator": {"id": "4622857986008792650", "name": "lm", "source_code": "EMP-1"},
        "create_time": "2020-11-19 10:33",
        "task_type_id": "10001",
        "task_source_id": "-1",
        "task_source_name": "任务来源1",
        "execute_demand": 2,
        "task_content": "任务内容",
        "receivers": [{"id": 4622857986008792651u64, "name": "zk", "source_code": "EMP-2"}],
        "latest_feedback_time": "2023-04-28 11:22:",
        "latest_feedback_content": "第二次反馈",
        "modify_time": "2023-04-28 11:22",
        "feedback_deadline": "",
        "task_status": "3",
        "status": 0,
        "task_achievement": "已完成",
        "visit_implement_id": "6881395042783735132",
        "visit_function_id": "6881395042783735133",
        "customer_id": "7269195022934925565",
        "feedback_detail": null,
        "a_field_added_later": {"x": 1}
    });
    let task: Task = serde_json::from_value(wire).unwrap();
    assert_eq!(task.task_id.as_ref().unwrap().as_str(), "9007199254740993");
    let creator = task.creator.as_ref().unwrap();
    assert_eq!(creator.source_code.as_deref(), Some("EMP-1"));
    assert_eq!(
        task.receivers.as_ref().unwrap()[0]
            .id
            .as_ref()
            .unwrap()
            .as_str(),
        "4622857986008792651"
    );
    assert_eq!(
        task.receivers.as_ref().unwrap()[0].source_code.as_deref(),
        Some("EMP-2")
    );
    assert_eq!(task.task_source_id, None, "\"-1\" means none");
    assert_eq!(task.execute_demand, Some(ExecuteDemand::NoRequirement));
    assert_eq!(task.task_status, Some(TaskStatus::FeedbackRequested));
    assert_eq!(task.status, Some(RecordStatus::Deleted));
    assert_eq!(task.task_achievement.as_deref(), Some("已完成"));
    assert_eq!(
        task.visit_function_id.as_ref().unwrap().as_str(),
        "6881395042783735133"
    );
    assert_eq!(task.feedback_deadline, None);
    assert_eq!(task.feedback_detail, None, "null reads as absent");
    assert_eq!(
        task.latest_feedback_time
            .as_ref()
            .unwrap()
            .datetime()
            .unix_timestamp(),
        1_682_652_120,
        "2023-04-28 11:22 in China"
    );
    assert_eq!(
        task.create_time
            .as_ref()
            .unwrap()
            .datetime()
            .unix_timestamp(),
        1_605_753_180
    );
    let back = serde_json::to_value(&task).unwrap();
    assert_eq!(
        back["task_id"],
        json!(9007199254740993u64),
        "numeric ids stay numbers"
    );
    assert_eq!(
        back["status"],
        json!("0"),
        "enums are written as documented strings"
    );
    assert_eq!(back["execute_demand"], json!("2"));
    assert_eq!(back["create_time"], json!("2020-11-19 10:33"));
    assert_eq!(back["receivers"][0]["source_code"], json!("EMP-2"));
    assert_eq!(
        back["a_field_added_later"],
        json!({"x": 1}),
        "undocumented fields are kept and written back"
    );
    assert_eq!(task.extra["a_field_added_later"], json!({"x": 1}));
}

#[test]
fn unknown_enum_values_do_not_fail_a_page() {
    let task: Task = serde_json::from_value(json!({
        "task_id": "1", "task_status": "9", "status": "", "execute_demand": 5
    }))
    .unwrap();
    assert_eq!(task.task_status, Some(TaskStatus::Unknown("9".into())));
    assert_eq!(task.status, None);
    assert_eq!(
        task.execute_demand,
        Some(ExecuteDemand::Unknown("5".into()))
    );
}

#[test]
fn client_and_streams_are_send_sync_and_static() {
    fn send_static<T: Send + 'static>(_: &T) {}
    fn send_sync_clone<T: Send + Sync + Clone + 'static>(_: &T) {}
    let client = builder("http://127.0.0.1:9").build().unwrap();
    send_sync_clone(&client);
    send_static(&client.items(QueryTask::new()));
    send_static(&client.pages(QueryTask::new()));
}
