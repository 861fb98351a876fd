//! `external_user_event/list`: exact query, keyset paging (`last_id` = the last event's id)
//! with every filter on every page, the end on a short page, resuming from a saved id.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_weiban::scrm_core::registry::{ChangeKind, Granularity};
use scrm_weiban::{CustomerEvent, CustomerEventList, ErrorKind, OPERATIONS, Position};

use crate::common::*;

const PATH: &str = "/open-api/external_user_event/list";

fn event(id: u64) -> String {
    format!(
        r#"{{"id":{id},"created_at":{},"content":"c{id}","event_title":"t","event_type":"{{\"custom\":3}}","external_user_id":"wm1","staff_id":"s1","staff_name":"张三"}}"#,
        1_700_000_000 + id
    )
}

fn ids(events: &[CustomerEvent]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e.id.as_ref().unwrap().as_u64().unwrap())
        .collect()
}

/// A keyset page: answers only the request with these filters, `limit` and `last_id`.
async fn keyset_page<'a>(
    server: &'a MockServer,
    last_id: Option<u64>,
    events: std::ops::Range<u64>,
) -> httpmock::Mock<'a> {
    let records: Vec<String> = events.map(event).collect();
    let body = list_body("event_list", &records, Some(99));
    server
        .mock_async(|when, then| {
            let when = when
                .method(GET)
                .path(PATH)
                .query_param("external_user_id", "wm1")
                .query_param("staff_id", "s1")
                .query_param("limit", "2")
                .query_param("access_token", "tok-1");
            match last_id {
                Some(id) => when
                    .query_param("last_id", id.to_string())
                    .query_param_count(".*", ".*", 5),
                None => when
                    .query_param_missing("last_id")
                    .query_param_count(".*", ".*", 4),
            };
            then.status(200).body(body);
        })
        .await
}

#[tokio::test]
async fn sends_every_documented_parameter() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "staff_id=s1&last_id=41&external_user_id=wm1&external_user_unionid=un1\
                    &external_user_openid=op1&limit=30&offset=0&access_token=tok-1";
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected));
            then.status(200)
                .body(list_body("event_list", &[event(42)], Some(1)));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerEventList::new()
        .staff_id("s1")
        .last_id(41u64)
        .external_user_id("wm1")
        .external_user_unionid("un1")
        .external_user_openid("op1")
        .limit(30)
        .offset(0);
    let page = client.call(&request).await.unwrap();
    let [e] = page.event_list.as_deref().unwrap() else {
        panic!("{page:?}")
    };
    assert_eq!(e.event_type.as_deref(), Some(r#"{"custom":3}"#));
    assert_eq!(e.staff_name.as_deref(), Some("张三"));
    assert_eq!(list.calls_async().await, 1);
}

#[tokio::test]
async fn pages_by_the_last_id_keeping_every_filter_until_a_short_page() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let pages = [
        keyset_page(&server, None, 1..3).await,
        keyset_page(&server, Some(2), 3..5).await,
        keyset_page(&server, Some(4), 5..6).await,
    ];
    let client = builder(&server.base_url()).build().unwrap();
    let request = CustomerEventList::new()
        .external_user_id("wm1")
        .staff_id("s1")
        .limit(2);
    let events: Vec<CustomerEvent> = client.items(request.clone()).try_collect().await.unwrap();
    assert_eq!(ids(&events), [1, 2, 3, 4, 5]);
    each_called_once(&pages).await;

    // Resuming from a saved position asks for the events after it only.
    let saved = Position::LastId {
        last_id: Some("4".into()),
    };
    let events: Vec<CustomerEvent> = client
        .items(request)
        .resume_from(saved)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&events), [5]);
    assert_eq!(pages[2].calls_async().await, 2);
}

#[tokio::test]
async fn a_customer_is_required_and_the_page_size_is_capped() {
    let server = MockServer::start_async().await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client
        .call(&CustomerEventList::new().staff_id("s1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .contains("one of `external_user_id`, `external_user_unionid` is required"),
        "{e}"
    );
    let e = client
        .call(&CustomerEventList::new().external_user_id("wm1").limit(101))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("`limit` must be at most 100"), "{e}");
}

#[test]
fn registered_as_a_per_customer_keyset() {
    let info = OPERATIONS
        .iter()
        .find(|op| op.info().name == "customer-events")
        .unwrap()
        .info();
    assert_eq!(info.paging.as_str(), "keyset");
    let inc = info.incremental.unwrap();
    assert_eq!(
        (inc.kind, inc.granularity),
        (ChangeKind::Creations, Granularity::Id)
    );
    assert_eq!((inc.record_field, inc.from_param), ("id", Some("last_id")));
}
