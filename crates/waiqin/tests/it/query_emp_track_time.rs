//! 外勤轨迹查询 `waiqinTrack/v1/queryEmpTrackTime`: integer paging, required dates, records.

use std::sync::Arc;

use futures::TryStreamExt;
use httpmock::{Method::POST, MockServer};
use scrm_waiqin::scrm_core::PagingStyle;
use scrm_waiqin::scrm_core::registry::{self, ChangeKind, Fidelity, Granularity};
use scrm_waiqin::{
    ChinaDate, Configure, ErrorKind, FixedIds, ManualClock, OPERATIONS, Position,
    QueryEmpTrackTime, Track, collect_all,
};
use serde_json::json;

use crate::common::*;

fn date(text: &str) -> ChinaDate {
    ChinaDate::parse(text).unwrap()
}

fn november() -> QueryEmpTrackTime {
    QueryEmpTrackTime::new()
        .date_start(date("2022-11-01"))
        .date_end(date("2022-11-30"))
}

fn minutes(tracks: &[Track]) -> Vec<String> {
    tracks
        .iter()
        .map(|t| {
            t.submit_time
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn integers_and_dates_travel_as_documented_in_a_signed_request() {
    let server = MockServer::start_async().await;
    // printf '%s' '<body below>|BFCO0PAgIUgd50c0l6|20240301075959' | md5sum
    let digest = "84f8bca3501069273b9eb3b028bc7702";
    let body =
        r#"{"page_number":1,"page_size":1000,"date_start":"2022-11-01","date_end":"2022-11-30"}"#;
    assert_eq!(expected_digest(body.as_bytes(), APPKEY, T0_CHINA), digest);
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("{QUERY_TRACK}/{OPENID}/{T0_CHINA}/{digest}/msg-t1"))
                .header("content-type", "application/json")
                .body(body);
            then.respond_with(echo(tracks([17])));
        })
        .await;
    let client = builder(&server.base_url())
        .clock(Arc::new(ManualClock::new(at(T0))))
        .request_ids(Arc::new(FixedIds::new(["msg-t1"])))
        .build()
        .unwrap();
    let got = client
        .call(&november().page_number(1).page_size(1000))
        .await
        .unwrap();
    assert_eq!(minutes(&got), ["2022-11-23 08:17"]);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_multi_page_export_keeps_the_window_and_ends_on_a_short_page() {
    let server = MockServer::start_async().await;
    let page = |n: u32| {
        format!(
            r#"{{"page_number":{n},"page_size":2,"date_start":"2022-11-01","date_end":"2022-11-30"}}"#
        )
    };
    let p1 = body_mock(&server, QUERY_TRACK, &page(1), tracks([1, 2])).await;
    let p2 = body_mock(&server, QUERY_TRACK, &page(2), tracks([3, 4])).await;
    let p3 = body_mock(&server, QUERY_TRACK, &page(3), tracks([5])).await;
    let rest = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    let pages: Vec<_> = client
        .pages(november().page_size(2))
        .try_collect()
        .await
        .unwrap();
    let got: Vec<_> = pages
        .iter()
        .map(|p| (p.items.len(), p.next.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (2, Some(Position::Page { page: 2 })),
            (2, Some(Position::Page { page: 3 })),
            (1, None)
        ]
    );
    for mock in [&p1, &p2, &p3] {
        mock.assert_calls_async(1).await;
    }
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn streams_send_explicit_pages_and_an_exact_multiple_ends_on_an_empty_page() {
    let server = MockServer::start_async().await;
    let page = |n: u32| {
        format!(
            r#"{{"page_number":{n},"page_size":1000,"date_start":"2022-11-01","date_end":"2022-11-30"}}"#
        )
    };
    let p1 = body_mock(
        &server,
        QUERY_TRACK,
        &page(1),
        tracks((0..1000).map(|i| i % 60)),
    )
    .await;
    let p2 = body_mock(&server, QUERY_TRACK, &page(2), json!([])).await;
    let rest = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    let got = collect_all(client.items(november())).await.unwrap();
    assert_eq!(got.len(), 1000);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
    rest.assert_calls_async(0).await;
}

#[tokio::test]
async fn documented_limits_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = unexpected(&server).await;
    let client = builder(&server.base_url()).build().unwrap();
    for (request, needle) in [
        (
            november().page_size(1001),
            "`page_size` must be at most 1000, got 1001",
        ),
        (
            november().page_size(0),
            "`page_size` must be at least 1, got 0",
        ),
        (
            november().page_number(0),
            "`page_number` must be at least 1, got 0",
        ),
        (
            QueryEmpTrackTime::new().date_end(date("2022-11-30")),
            "`date_start` is required",
        ),
        (
            QueryEmpTrackTime::new().date_start(date("2022-11-01")),
            "`date_end` is required",
        ),
        (
            QueryEmpTrackTime::new()
                .date_start(date("2022-12-01"))
                .date_end(date("2022-11-30")),
            "`date_start` 2022-12-01 is after `date_end` 2022-11-30",
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
}

#[test]
fn points_without_a_customer_or_an_offset_decode() {
    let t: Track = serde_json::from_value(json!({
        "cusCode": "", "cusId": "", "cusName": "",
        "empCode": "15305167325", "empId": 5932166162774877503u64, "empName": "15305167325",
        "location": "定位失败!", "submitTime": "2022-11-21 19:05", "type": "客户签到",
        "battery": "80%"
    }))
    .unwrap();
    assert_eq!(t.cus_id, None, "\"\" reads as no customer");
    assert_eq!(t.cus_code.as_deref(), Some(""), "text is kept as sent");
    assert_eq!(t.offset, None);
    assert_eq!(t.emp_id.as_ref().unwrap().as_str(), "5932166162774877503");
    assert_eq!(t.track_type.as_deref(), Some("客户签到"));
    assert_eq!(
        t.submit_time.as_ref().unwrap().datetime().unix_timestamp(),
        1_669_028_700,
        "2022-11-21 19:05 in China"
    );
    assert_eq!(t.extra["battery"], json!("80%"));
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(back["type"], json!("客户签到"));
    assert_eq!(back["empId"], json!(5932166162774877503u64));
    assert!(back.get("cusId").is_none());
}

#[test]
fn the_registry_knows_the_append_only_window() {
    let op = registry::find(OPERATIONS, "tracks").unwrap();
    let info = op.info();
    assert_eq!(info.path, QUERY_TRACK);
    assert_eq!(info.paging, PagingStyle::PageRows);
    assert_eq!(info.page_size_field, Some("page_size"));
    assert_eq!(info.primary_key, ["empId", "submitTime", "type", "cusId"]);
    assert_eq!(info.fidelity, Fidelity::Partial);
    let window = info.incremental.unwrap();
    assert_eq!(window.kind, ChangeKind::Creations);
    assert_eq!(
        (window.record_field, window.from_param, window.to_param),
        ("submitTime", Some("date_start"), Some("date_end"))
    );
    assert_eq!(window.granularity, Granularity::Day);
    let required: Vec<&str> = info
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    assert_eq!(required, ["date_start", "date_end"]);
    let checked = op
        .check(json!({"date_start": "2022-11-01", "date_end": "2022-11-30", "page_size": "20"}))
        .unwrap();
    assert_eq!(
        checked,
        json!({"page_number": 1, "page_size": 20, "date_start": "2022-11-01", "date_end": "2022-11-30"}),
        "numbers given as text go out as the documented integers, the first page filled in"
    );
}
