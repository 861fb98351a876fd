//! 任务类型查询 `cusTask/v1/queryTaskType`.

use httpmock::{Method::POST, MockServer};
use scrm_waiqin::{
    AlbumPermission, ExecuteDemand, PictureRequirement, PublishStatus, QueryTaskType,
    ReceiverLimit, TaskType, TaskTypeStatus,
};
use serde_json::json;

use crate::common::*;

#[test]
fn request_shape() {
    assert_eq!(serde_json::to_string(&QueryTaskType::new()).unwrap(), "{}");
    let request = QueryTaskType::new().type_ids(["1", "2", "3"]);
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"type_ids":["1","2","3"]}"#
    );
}

#[tokio::test]
async fn task_types_are_typed() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path_prefix(format!("{QUERY_TASK_TYPE}/{OPENID}/"))
                .body(r#"{"type_ids":["6067108969643484875","2"]}"#);
            then.respond_with(echo(json!([
                {
                    "receiver_limit": "1",
                    "type_name": "巡店",
                    "create_time": "2021-04-08 16:28",
                    "type_id": "6067108969643484875",
                    "execute_demand": "1",
                    "feedback_picture_required": "1",
                    "remark": "",
                    "is_album_permitted": "1",
                    "publish_status": "0",
                    "status": "2"
                },
                {"type_id": 2, "status": "7", "receiver_limit": null}
            ])));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let types: Vec<TaskType> = client
        .call(&QueryTaskType::new().type_ids(["6067108969643484875", "2"]))
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    let t = &types[0];
    assert_eq!(t.type_name.as_deref(), Some("巡店"));
    assert_eq!(t.status, Some(TaskTypeStatus::Deleted));
    assert_eq!(t.publish_status, Some(PublishStatus::Unpublished));
    assert_eq!(t.receiver_limit, Some(ReceiverLimit::Anyone));
    assert_eq!(t.execute_demand, Some(ExecuteDemand::OnSiteRequired));
    assert_eq!(
        t.feedback_picture_required,
        Some(PictureRequirement::Required)
    );
    assert_eq!(t.is_album_permitted, Some(AlbumPermission::Permitted));
    assert_eq!(
        t.remark.as_deref(),
        Some(""),
        "an empty remark is kept as sent"
    );
    assert_eq!(t.modifier_id, None);
    let u = &types[1];
    assert_eq!(u.type_id.as_ref().unwrap().as_str(), "2");
    assert_eq!(u.status, Some(TaskTypeStatus::Unknown("7".into())));
    assert_eq!(u.receiver_limit, None);
}

#[tokio::test]
async fn no_task_types_is_an_empty_list() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).body("{}");
            then.respond_with(echo(json!([])));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let types = client.call(&QueryTaskType::new()).await.unwrap();
    assert!(types.is_empty());
}
