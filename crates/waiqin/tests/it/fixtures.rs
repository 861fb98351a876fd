//! Snapshots of every waiqin fixture parsed into the typed model (`cargo xtask fixtures`).

use std::sync::Arc;

use scrm_testkit::{fixture_bytes, fixture_json, fixture_snapshot, fixture_str};
use scrm_waiqin::scrm_core::{
    HeaderMap, HttpRequest, HttpResponse, Method, SignContext, SignReceipt, Signer, StatusCode,
    Url, Vendor, decode_json,
};
use scrm_waiqin::{
    FixedIds, ManualClock, QueryCusVisitRecord, QueryTask, QueryTaskType, Secret, Task, TaskType,
    Track, Visit, Waiqin, WaiqinSigner, digest,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::common::{NoTransport, at};

/// The documented response templates carry `"msg_id": "{ msg_id }"`: a placeholder for the echo
/// of the request's msg_id. Opening them as the answer to a request sent with that very id
/// checks the echo the way a real exchange does.
const DOCUMENTED_MSG_ID: &str = "{ msg_id }";

/// The page documents `response_data` as the placeholder `"<<DATA>>"` and shows the DATA
/// document separately ("数据DATA示例"). As documented, a real response carries that document
/// JSON-encoded **as a string**: this composes it by replacing the placeholder string (quotes
/// included) with the DATA fixture's bytes encoded as a JSON string. The fixtures themselves
/// are untouched.
fn compose(response_fixture: &str, data_fixture: &str) -> String {
    let template = fixture_str(response_fixture);
    assert_eq!(
        template.matches("\"<<DATA>>\"").count(),
        1,
        "{response_fixture} has one placeholder"
    );
    let data = serde_json::to_string(&fixture_str(data_fixture)).unwrap();
    template.replace("\"<<DATA>>\"", &data)
}

fn open<T: DeserializeOwned>(body: String) -> Result<T, scrm_waiqin::Error> {
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: body.into(),
    };
    let receipt = SignReceipt {
        request_id: Some(DOCUMENTED_MSG_ID.to_owned()),
        ..SignReceipt::default()
    };
    Waiqin::new().open(&response, &receipt)
}

fn unix(t: &Option<scrm_waiqin::ChinaDateTime>) -> Option<i64> {
    t.as_ref().map(|t| t.datetime().unix_timestamp())
}

/// The typed reading of tasks that their wire form does not show: enum variants and instants.
fn task_view(tasks: &[Task]) -> Value {
    tasks
        .iter()
        .map(|t| {
            json!({
                "task_id": t.task_id.as_ref().map(|id| id.as_str()),
                "task_status": format!("{:?}", t.task_status),
                "status": format!("{:?}", t.status),
                "execute_demand": format!("{:?}", t.execute_demand),
                "create_time_unix": unix(&t.create_time),
                "modify_time_unix": unix(&t.modify_time),
                "feedback_deadline_unix": unix(&t.feedback_deadline),
                "latest_feedback_time_unix": t.latest_feedback_time.as_ref().map(|t| t.datetime().unix_timestamp()),
                "feedback_time_unix": t.feedback_detail.iter().flatten().map(|f| unix(&f.feedback_time)).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn task_type_view(types: &[TaskType]) -> Value {
    types
        .iter()
        .map(|t| {
            json!({
                "type_id": t.type_id.as_ref().map(|id| id.as_str()),
                "status": format!("{:?}", t.status),
                "publish_status": format!("{:?}", t.publish_status),
                "execute_demand": format!("{:?}", t.execute_demand),
                "receiver_limit": format!("{:?}", t.receiver_limit),
                "feedback_picture_required": format!("{:?}", t.feedback_picture_required),
                "is_album_permitted": format!("{:?}", t.is_album_permitted),
                "create_time_unix": unix(&t.create_time),
                "modify_time_unix": unix(&t.modify_time),
            })
        })
        .collect()
}

#[tokio::test]
async fn digest_example_request() {
    // Not valid JSON (`"org_sequence":001`): signed as raw bytes, never parsed.
    let body = fixture_bytes("waiqin/digest-example.request.json");
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    // The vendor's example: openid, appkey, 2015-08-06 14:28:36 China time, msg_id ORG00001.
    let signer = WaiqinSigner::new(
        "5465103569540931532",
        Secret::new("BFCO0PAgIUgd50c0l6"),
        Arc::new(ManualClock::new(at(1_438_842_516))),
        Arc::new(FixedIds::new(["ORG00001"])),
    );
    let mut request = HttpRequest::new(
        Method::POST,
        Url::parse("https://openapi.waiqin365.com/api/organization/v1/addOrganization").unwrap(),
    );
    request.body = body.clone().into();
    let cx = SignContext {
        transport: &NoTransport,
        attempt: 1,
    };
    signer.sign(&mut request, &cx).await.unwrap();
    let digest = digest(&body, "BFCO0PAgIUgd50c0l6", "20150806142836");
    assert_eq!(digest, "74267bf0cae0998a719879ec9b3c7780");
    assert_eq!(
        request.url.as_str(),
        "https://openapi.waiqin365.com/api/organization/v1/addOrganization/5465103569540931532/20150806142836/74267bf0cae0998a719879ec9b3c7780/ORG00001"
    );
    fixture_snapshot!(
        "waiqin/digest-example.request.json",
        &json!({ "digest": digest, "path": request.url.path() })
    );
}

#[test]
fn query_task_request() {
    let documented: Value = fixture_json("waiqin/query-task.request.json");
    let typed = QueryTask::new().rows(1);
    let body = serde_json::to_string(&typed).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), documented);
    fixture_snapshot!(
        "waiqin/query-task.request.json",
        &json!({ "typed_body": body })
    );
}

#[test]
fn query_task_data() {
    let tasks: Vec<Task> = decode_json(&fixture_bytes("waiqin/query-task.data.json")).unwrap();
    fixture_snapshot!(
        "waiqin/query-task.data.json",
        &json!({ "records": tasks, "typed": task_view(&tasks) })
    );
}

#[test]
fn query_task_response() {
    let tasks: Vec<Task> = open(compose(
        "waiqin/query-task.response.json",
        "waiqin/query-task.data.json",
    ))
    .unwrap();
    let direct: Vec<Task> = decode_json(&fixture_bytes("waiqin/query-task.data.json")).unwrap();
    assert_eq!(tasks, direct);
    fixture_snapshot!(
        "waiqin/query-task.response.json",
        &json!({ "tasks": tasks })
    );
    // As printed (placeholder in place), the response is a decode error of the inner document.
    let e = open::<Vec<Task>>(fixture_str("waiqin/query-task.response.json")).unwrap_err();
    assert!(e.is_decode());
    fixture_snapshot!(
        "waiqin/query-task.response.json",
        &json!({ "error": e.to_string() }),
        "placeholder"
    );
}

#[test]
fn query_task_type_request() {
    let documented: Value = fixture_json("waiqin/query-task-type.request.json");
    let typed = QueryTaskType::new().type_ids(["5030058251754787854", "5000995017435559677"]);
    let body = serde_json::to_string(&typed).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), documented);
    fixture_snapshot!(
        "waiqin/query-task-type.request.json",
        &json!({ "typed_body": body })
    );
}

#[test]
fn query_task_type_data() {
    let types: Vec<TaskType> =
        decode_json(&fixture_bytes("waiqin/query-task-type.data.json")).unwrap();
    fixture_snapshot!(
        "waiqin/query-task-type.data.json",
        &json!({ "records": types, "typed": task_type_view(&types) })
    );
}

#[test]
fn query_task_type_response() {
    let types: Vec<TaskType> = open(compose(
        "waiqin/query-task-type.response.json",
        "waiqin/query-task-type.data.json",
    ))
    .unwrap();
    let direct: Vec<TaskType> =
        decode_json(&fixture_bytes("waiqin/query-task-type.data.json")).unwrap();
    assert_eq!(types, direct);
    fixture_snapshot!(
        "waiqin/query-task-type.response.json",
        &json!({ "task_types": types })
    );
    let e = open::<Vec<TaskType>>(fixture_str("waiqin/query-task-type.response.json")).unwrap_err();
    assert!(e.is_decode());
    fixture_snapshot!(
        "waiqin/query-task-type.response.json",
        &json!({ "error": e.to_string() }),
        "placeholder"
    );
}

fn visit_view(visits: &[Visit]) -> Value {
    visits
        .iter()
        .map(|v| {
            json!({
                "id": v.id.as_ref().map(|id| id.as_str()),
                "visit_type": format!("{:?}", v.visit_type),
                "status": format!("{:?}", v.status),
                "modifier_id": format!("{:?}", v.modifier_id),
                "modify_time": format!("{:?}", v.modify_time),
                "visit_date_unix": unix(&v.visit_date),
                "create_time_unix": unix(&v.create_time),
                "leave_time_unix": unix(&v.leave_time),
                "extra": v.extra,
            })
        })
        .collect()
}

#[test]
fn query_cus_visit_record_request() {
    let documented: Value = fixture_json("waiqin/query-cus-visit-record.request.json");
    // Every key of the example is a documented parameter (the request type refuses others).
    let typed: QueryCusVisitRecord = serde_json::from_value(documented.clone()).unwrap();
    let body = serde_json::to_string(&typed).unwrap();
    // `"visit_type": ""` (no plan-type filter) reads as unset and is left out; the rest is
    // sent exactly as documented, numbers as strings.
    let mut expected = documented.clone();
    expected.as_object_mut().unwrap().remove("visit_type");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), expected);
    assert_eq!(typed.visitor_code.as_deref(), Some(""));
    assert!(scrm_waiqin::scrm_core::Operation::validate(&typed).is_ok());
    fixture_snapshot!(
        "waiqin/query-cus-visit-record.request.json",
        &json!({ "typed_body": body })
    );
}

#[test]
fn query_cus_visit_record_data() {
    let visits: Vec<Visit> =
        decode_json(&fixture_bytes("waiqin/query-cus-visit-record.data.json")).unwrap();
    assert!(visits[0].extra.is_empty(), "every example key is typed");
    fixture_snapshot!(
        "waiqin/query-cus-visit-record.data.json",
        &json!({ "records": visits, "typed": visit_view(&visits) })
    );
}

#[test]
fn query_cus_visit_record_response() {
    let visits: Vec<Visit> = open(compose(
        "waiqin/query-cus-visit-record.response.json",
        "waiqin/query-cus-visit-record.data.json",
    ))
    .unwrap();
    let direct: Vec<Visit> =
        decode_json(&fixture_bytes("waiqin/query-cus-visit-record.data.json")).unwrap();
    assert_eq!(visits, direct);
    fixture_snapshot!(
        "waiqin/query-cus-visit-record.response.json",
        &json!({ "visits": visits })
    );
    let e =
        open::<Vec<Visit>>(fixture_str("waiqin/query-cus-visit-record.response.json")).unwrap_err();
    assert!(e.is_decode());
    fixture_snapshot!(
        "waiqin/query-cus-visit-record.response.json",
        &json!({ "error": e.to_string() }),
        "placeholder"
    );
}

#[test]
fn query_emp_track_time_data() {
    let tracks: Vec<Track> =
        decode_json(&fixture_bytes("waiqin/query-emp-track-time.data.json")).unwrap();
    let typed: Vec<Value> = tracks
        .iter()
        .map(|t| {
            json!({
                "emp_id": t.emp_id.as_ref().map(|id| id.as_str()),
                "cus_id": t.cus_id.as_ref().map(|id| id.as_str()),
                "offset": t.offset,
                "submit_time_unix": unix(&t.submit_time),
                "extra": t.extra,
            })
        })
        .collect();
    // The page shows the array only: as every waiqin list, it travels inside the envelope's
    // `response_data` string (composed here with the visit page's envelope template).
    let through_envelope: Vec<Track> = open(
        fixture_str("waiqin/query-cus-visit-record.response.json").replace(
            "\"<<DATA>>\"",
            &serde_json::to_string(&fixture_str("waiqin/query-emp-track-time.data.json")).unwrap(),
        ),
    )
    .unwrap();
    assert_eq!(through_envelope, tracks);
    fixture_snapshot!(
        "waiqin/query-emp-track-time.data.json",
        &json!({ "records": tracks, "typed": typed })
    );
}
