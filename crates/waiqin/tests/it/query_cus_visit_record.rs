//! 任务执行记录 `cusVisit/v1/queryCusVisitRecord`: request shape, limits, records, the stream.

use std::sync::Arc;

use futures::TryStreamExt;
use httpmock::{Method::POST, MockServer};
use scrm_waiqin::scrm_core::PagingStyle;
use scrm_waiqin::scrm_core::registry::{self, ChangeKind, Fidelity, Granularity};
use scrm_waiqin::{
    ApprovalStatus, ChinaDate, ChinaDateTime, Configure, ErrorKind, FixedIds, FlowType,
    ManualClock, OPERATIONS, PageOptions, PlanSource, Position, QueryCusVisitRecord, RecordStatus,
    Visit, VisitType, collect_all,
};
use serde_json::json;

use crate::common::*;

fn date(text: &str) -> ChinaDate {
    ChinaDate::parse(text).unwrap()
}

fn time(text: &str) -> ChinaDateTime {
    ChinaDateTime::parse(text).unwrap()
}

fn visit_ids(visits: &[Visit]) -> Vec<String> {
    visits
        .iter()
        .map(|v| v.id.as_ref().map(ToString::to_string).unwrap_or_default())
        .collect()
}

fn march() -> QueryCusVisitRecord {
    QueryCusVisitRecord::new()
        .date_start(date("2024-03-01"))
        .date_end(date("2024-03-31"))
}

#[tokio::test]
async fn every_parameter_travels_as_documented_in_a_signed_request() {
    let server = MockServer::start_async().await;
    // printf '%s' '<body below>|BFCO0PAgIUgd50c0l6|20240301075959' | md5sum
    let digest = "d04f14e02696adf2e2e0b71222ba2153";
    let body = r#"{"id":"7207490680071516631","date_start":"2017-01-10","date_end":"2017-01-20","modify_start":"2017-01-10","modify_end":"2017-01-20","visit_time_start":"2017-01-10 11:00:00","visit_time_end":"2017-01-20 14:00:00","page":"1","rows":"1000","visitor_code":"dongdong","visit_type":"1"}"#;
    assert_eq!(expected_digest(body.as_bytes(), APPKEY, T0_CHINA), digest);
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("{QUERY_VISIT}/{OPENID}/{T0_CHINA}/{digest}/msg-v1"))
                .header("content-type", "application/json")
                .body(body);
            then.respond_with(echo(visits([8336850706919142842])));
        })
        .await;
    let client = builder(&server.base_url())
        .clock(Arc::new(ManualClock::new(at(T0))))
        .request_ids(Arc::new(FixedIds::new(["msg-v1"])))
        .build()
        .unwrap();
    let request = QueryCusVisitRecord::new()
        .id("7207490680071516631")
        .date_start(date("2017-01-10"))
        .date_end(date("2017-01-20"))
        .modify_start(date("2017-01-10"))
        .modify_end(date("2017-01-20"))
        .visit_time_start(time("2017-01-10 11:00:00"))
        .visit_time_end(time("2017-01-20 14:00:00"))
        .page(1)
        .rows(1000)
        .visitor_code("dongdong")
        .visit_type(VisitType::Regular);
    let got = client.call(&request).await.unwrap();
    assert_eq!(visit_ids(&got), ["8336850706919142842"]);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_multi_page_export_keeps_every_filter_and_ends_on_a_short_page() {
    let server = MockServer::start_async().await;
    let filters = r#""date_start":"2024-03-01","date_end":"2024-03-31","modify_start":"2024-03-10","modify_end":"2024-03-11","visit_time_start":"2024-03-01 08:00:00","visit_time_end":"2024-03-31 20:00:00""#;
    let tail = r#""visitor_code":"E-7","visit_type":"2""#;
    let page = |n: u32| format!(r#"{{{filters},"page":"{n}","rows":"2",{tail}}}"#);
    let p1 = body_mock(&server, QUERY_VISIT, &page(1), visits([1, 2])).await;
    let p2 = body_mock(&server, QUERY_VISIT, &page(2), visits([3, 4])).await;
    let p3 = body_mock(&server, QUERY_VISIT, &page(3), visits([5])).await;
    let rest = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = march()
        .modify_start(date("2024-03-10"))
        .modify_end(date("2024-03-11"))
        .visit_time_start(time("2024-03-01 08:00:00"))
        .visit_time_end(time("2024-03-31 20:00:00"))
        .visitor_code("E-7")
        .visit_type(VisitType::Temporary)
        .rows(2);
    let pages: Vec<_> = client.pages(request).try_collect().await.unwrap();
    let got: Vec<_> = pages
        .iter()
        .map(|p| (p.number, p.items.len(), p.next.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (1, 2, Some(Position::Page { page: 2 })),
            (2, 2, Some(Position::Page { page: 3 })),
            (3, 1, None)
        ]
    );
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_exact_multiple_ends_on_the_following_empty_page_and_streams_send_page_and_rows() {
    let server = MockServer::start_async().await;
    let dates = r#""date_start":"2024-03-01","date_end":"2024-03-31""#;
    let p1 = body_mock(
        &server,
        QUERY_VISIT,
        &format!(r#"{{{dates},"page":"1","rows":"1000"}}"#),
        visits(0..1000),
    )
    .await;
    let p2 = body_mock(
        &server,
        QUERY_VISIT,
        &format!(r#"{{{dates},"page":"2","rows":"1000"}}"#),
        json!([]),
    )
    .await;
    let rest = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    let got = collect_all(client.items(march())).await.unwrap();
    assert_eq!(got.len(), 1000);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_export_resumes_from_a_saved_position() {
    let server = MockServer::start_async().await;
    let body = r#"{"date_start":"2024-03-01","date_end":"2024-03-31","page":"4","rows":"2"}"#;
    let p4 = body_mock(&server, QUERY_VISIT, body, visits([7])).await;
    let rest = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    let got = collect_all(
        client
            .items(march().rows(2))
            .options(PageOptions::default().resume_from(Position::Page { page: 4 })),
    )
    .await
    .unwrap();
    assert_eq!(visit_ids(&got), ["7"]);
    p4.assert_calls_async(1).await;
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn documented_limits_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    for (request, needle) in [
        (march().rows(1001), "`rows` must be at most 1000, got 1001"),
        (march().rows(0), "`rows` must be at least 1, got 0"),
        (march().page(0), "`page` must be at least 1, got 0"),
        (
            QueryCusVisitRecord::new().modify_start(date("2024-03-01")),
            "`date_start` and `date_end` are required unless `id` is set",
        ),
        (
            QueryCusVisitRecord::new().date_start(date("2024-03-01")),
            "`date_start` and `date_end` are required unless `id` is set",
        ),
        (
            QueryCusVisitRecord::new()
                .date_start(date("2024-03-02"))
                .date_end(date("2024-03-01")),
            "`date_start` 2024-03-02 is after `date_end` 2024-03-01",
        ),
        (
            march()
                .modify_start(date("2024-03-02"))
                .modify_end(date("2024-03-01")),
            "`modify_start` 2024-03-02 is after `modify_end` 2024-03-01",
        ),
        (
            march()
                .visit_time_start(time("2024-03-01 10:00:01"))
                .visit_time_end(time("2024-03-01 10:00:00")),
            "`visit_time_start` 2024-03-01 10:00:01 is after `visit_time_end` 2024-03-01 10:00:00",
        ),
    ] {
        let e = client.call(&request).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains(needle), "{e}");
        assert!(!e.maybe_sent());
        let e = collect_all(client.items(request)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    any.assert_calls_async(0).await;
    // With an id the dates may be left out, as documented.
    let ok = QueryCusVisitRecord::new().id("7207490680071516631");
    assert!(scrm_waiqin::scrm_core::Operation::validate(&ok).is_ok());
}

#[test]
fn every_documented_field_is_read_leniently_and_written_back() {
    // Built from the field tables (current + legacy) and the example's keys: the page's example
    // lacks the legacy-only fields.
    let wire = json!({
        "id": 8336850706919142842u64,
        "status": 0,
        "creator_id": "6611925934866977709",
        "creator_name": "小明",
        "creator_sourcecode": "CODE93486697",
        "create_time": "2016-08-17 15:30:02",
        "modifyier_id": "6611925934866977710",
        "modifyier_name": "小红",
        "modifyier_sourcecode": "CODE2",
        "modify_time": "2016-08-18 09:00:00",
        "visitor": "7986507193511966864",
        "visitor_name": "东东",
        "visitor_sourcecode": "dongdong",
        "visit_type": "9",
        "flow_type": "2",
        "plan_source": 5,
        "approval_status": "1",
        "customer": "6313529032719815457",
        "customer_name": "门店",
        "customer_sourcecode": "mendian",
        "visit_date": "2016-08-17 00:00:00",
        "visit_time": "2016-08-17 10:01",
        "customer_code": "CUS01867",
        "manager_code": "ABC",
        "manager_name": "123",
        "visit_manager_name": "EFG",
        "visit_manager_code": "456",
        "sequence": "4",
        "visit_status": "0",
        "summary": "总结",
        "leave_time": "2016-07-01 13:53:02",
        "plan_content": "1",
        "total_score": 60.5,
        "full_marks": "100",
        "task_type": "1",
        "photos": ["a.jpg"]
    });
    let v: Visit = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(v.id.as_ref().unwrap().as_str(), "8336850706919142842");
    assert_eq!(v.status, Some(RecordStatus::Deleted));
    assert_eq!(
        v.modifier_id.as_ref().unwrap().as_str(),
        "6611925934866977710"
    );
    assert_eq!(v.modifier_name.as_deref(), Some("小红"));
    assert_eq!(v.visit_type, Some(VisitType::Unknown("9".into())));
    assert_eq!(v.flow_type, Some(FlowType::VanSales));
    assert_eq!(v.plan_source, Some(PlanSource::ByRoute));
    assert_eq!(v.approval_status, Some(ApprovalStatus::Approved));
    assert_eq!(v.total_score.as_deref(), Some("60.5"));
    assert_eq!(
        v.visit_time.as_ref().unwrap().datetime().unix_timestamp(),
        1_471_399_260,
        "2016-08-17 10:01 in China"
    );
    assert_eq!(v.extra["photos"], json!(["a.jpg"]));
    let back = serde_json::to_value(&v).unwrap();
    assert_eq!(back["modifyier_id"], json!("6611925934866977710"));
    assert_eq!(
        back["plan_source"],
        json!("5"),
        "codes are written as strings"
    );
    assert_eq!(back["photos"], json!(["a.jpg"]));
    // A never-modified record, as in the example: "-1" and "" read as absent.
    let v: Visit =
        serde_json::from_value(json!({"id": "1", "modifyier_id": "-1", "modify_time": ""}))
            .unwrap();
    assert_eq!((v.modifier_id, v.modify_time), (None, None));
}

#[test]
fn the_registry_knows_the_change_feed_and_the_limits() {
    let op = registry::find(OPERATIONS, "visits").unwrap();
    let info = op.info();
    assert_eq!(info.path, QUERY_VISIT);
    assert_eq!(info.operation, "cusVisit/v1/queryCusVisitRecord");
    assert_eq!(info.paging, PagingStyle::PageRows);
    assert_eq!(info.page_size_field, Some("rows"));
    assert_eq!(info.primary_key, ["id"]);
    assert_eq!(info.fidelity, Fidelity::Partial);
    let feed = info.incremental.unwrap();
    assert_eq!(feed.kind, ChangeKind::Updates);
    assert_eq!(
        (feed.record_field, feed.from_param, feed.to_param),
        ("modify_time", Some("modify_start"), Some("modify_end"))
    );
    assert_eq!(feed.granularity, Granularity::Day);
    let fields: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
    assert_eq!(
        fields,
        [
            "id",
            "date_start",
            "date_end",
            "modify_start",
            "modify_end",
            "visit_time_start",
            "visit_time_end",
            "page",
            "rows",
            "visitor_code",
            "visit_type"
        ]
    );
    assert!(info.record_fields.iter().any(|f| f.name == "modifyier_id"));
    // A request as the command line gives it: text for every value, checked as typed, in the
    // form a stream sends first (the first page filled in).
    let checked = op
        .check(json!({"date_start": "2024-03-01", "date_end": "2024-03-31", "rows": "50"}))
        .unwrap();
    assert_eq!(
        checked,
        json!({"date_start": "2024-03-01", "date_end": "2024-03-31", "page": "1", "rows": "50"})
    );
    let e = op.check(json!({"rows": "5000", "id": "1"})).unwrap_err();
    assert!(e.to_string().contains("`rows` must be at most 1000"), "{e}");
    let e = op.check(json!({"visitor": "1"})).unwrap_err();
    assert!(e.to_string().contains("unknown field `visitor`"), "{e}");
}

#[tokio::test]
async fn the_registry_entry_exports_through_the_same_machinery() {
    let server = MockServer::start_async().await;
    let p1 = body_mock(
        &server,
        QUERY_VISIT,
        r#"{"date_start":"2024-03-01","date_end":"2024-03-31","page":"1","rows":"2"}"#,
        visits([1, 2]),
    )
    .await;
    let p2 = body_mock(
        &server,
        QUERY_VISIT,
        r#"{"date_start":"2024-03-01","date_end":"2024-03-31","page":"2","rows":"2"}"#,
        visits([3]),
    )
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let op = registry::find(OPERATIONS, "visits").unwrap();
    let pages: Vec<_> = op
        .pages(
            client.core(),
            json!({"date_start": "2024-03-01", "date_end": "2024-03-31", "rows": 2}),
            PageOptions::default(),
        )
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let records: Vec<serde_json::Value> = pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| serde_json::from_str(r.get()).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    // Written with the vendor's names and wire forms; "-1" and "" (no modifier) read as absent.
    assert_eq!(
        records[2],
        json!({"id": "3", "status": "1", "visitor": "7986507193511966864", "visit_date": "2024-03-01 00:00:00"})
    );
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
}
