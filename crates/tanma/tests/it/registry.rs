//! The registry: every catalogued tanma operation with its CLI name, method, path, paging style,
//! key and fidelity; requests built from JSON with the vendor's field names; JSON records.

use futures::TryStreamExt;
use httpmock::prelude::*;
use scrm_core::PageOptions;
use scrm_core::registry::{ChangeKind, Fidelity, Granularity, find};
use scrm_tanma::{OPERATIONS, Tanma};
use serde_json::json;

use crate::common::{self, clue_page, ok, response};

/// The catalog (the operation catalog): the CLI names are a contract shared with the CLI and
/// the sandbox.
#[test]
fn every_catalogued_operation_is_registered() {
    let rows: Vec<_> = OPERATIONS
        .iter()
        .map(|op| {
            let i = op.info();
            (
                i.name,
                i.method.as_str(),
                i.path,
                i.paging.as_str(),
                i.primary_key,
                i.fidelity,
            )
        })
        .collect();
    use Fidelity::*;
    assert_eq!(
        rows,
        [
            (
                "clues",
                "POST",
                "/api/v3/clue/list-by-create-time-asc",
                "cursor",
                &["customerId"][..],
                Page
            ),
            (
                "customer-files",
                "POST",
                "/api/v3/customer/list-file-of-customer",
                "keyset",
                &["id"][..],
                Page
            ),
            (
                "customer-details",
                "POST",
                "/api/v2/customer/qw-details",
                "none",
                &["qwUserId", "externalUserId"][..],
                Partial
            ),
            (
                "customers",
                "POST",
                "/api/v3/customer/search",
                "page-number",
                &["customerId"][..],
                Partial
            ),
            (
                "tags",
                "POST",
                "/api/v3/tags/list-tree",
                "none",
                &["id"][..],
                Partial
            ),
            (
                "group-chats",
                "POST",
                "/api/v3/groupSop/getGroupList",
                "page-number",
                &["chatId"][..],
                Partial
            ),
            (
                "staff",
                "POST",
                "/api/v3/get-users",
                "page-number",
                &["salesId"][..],
                ThirdPartyCode
            ),
        ]
    );
    for op in OPERATIONS {
        let info = op.info();
        assert_eq!(info.vendor, "tanma");
        assert!(info.idempotent, "{}", info.name);
        // The page-size field is a documented request field.
        if let Some(size) = info.page_size_field {
            assert!(info.field(size).is_some(), "{}: {size}", info.name);
        }
        // Every primary-key field is a documented record field.
        for key in info.primary_key {
            assert!(
                info.record_fields.iter().any(|f| f.name == *key),
                "{}: {key}",
                info.name
            );
        }
    }
    let page_sizes: Vec<_> = OPERATIONS
        .iter()
        .map(|op| op.info().page_size_field)
        .collect();
    assert_eq!(
        page_sizes,
        [
            Some("size"),
            Some("pageSize"),
            None,
            Some("pageSize"),
            None,
            Some("pageSize"),
            Some("pageSize")
        ]
    );
}

/// Only the clue list reads by a time window: creations, `[since, before)`, date-time text.
#[test]
fn the_clue_list_is_a_creation_feed() {
    let clues = find(OPERATIONS, "clues").unwrap().info();
    let inc = clues.incremental.unwrap();
    assert_eq!(inc.kind, ChangeKind::Creations);
    assert_eq!(
        (
            inc.record_field,
            inc.from_param,
            inc.to_param,
            inc.granularity
        ),
        (
            "createTime",
            Some("since"),
            Some("before"),
            Granularity::DateTime
        )
    );
    let others: Vec<_> = OPERATIONS
        .iter()
        .filter(|op| op.info().incremental.is_some())
        .map(|op| op.info().name)
        .collect();
    // Clues by creation time; customer files newest first (lastId: 最大记录id).
    assert_eq!(others, ["clues", "customer-files"]);
    let e = find(OPERATIONS, "nope").err().unwrap();
    assert!(e.message().contains("customer-details"), "{e}");
}

/// JSON with the vendor's names, lenient values (numeric strings for numbers), into the wire form.
#[test]
fn requests_from_json_are_typed_and_checked() {
    let groups = find(OPERATIONS, "group-chats").unwrap();
    let wire = groups
        .check(json!({"userId": "463352988837952", "pageSize": "10", "tagGroupIds": [1, 2]}))
        .unwrap();
    // As a stream sends it first: the first page is filled in.
    assert_eq!(
        wire,
        json!({"pageNo": 1, "pageSize": 10, "userId": 463352988837952u64, "tagGroupIds": [1, 2]})
    );
    let e = groups.check(json!({"chatId": "x"})).unwrap_err();
    assert!(e.message().contains("unknown field `chatId`"), "{e}");
    // An unset window is the whole history up to tomorrow, as streams send it.
    let wire = find(OPERATIONS, "clues")
        .unwrap()
        .check(json!({"since": "2024-01-01"}))
        .unwrap();
    assert_eq!(wire["since"], json!("2024-01-01 00:00:00"));
    assert!(
        wire["before"].as_str().is_some_and(|b| b > "2024"),
        "{wire}"
    );
    let e = find(OPERATIONS, "clues")
        .unwrap()
        .check(json!({"since": "2024-01-02", "before": "2024-01-01"}))
        .unwrap_err();
    assert!(e.message().contains("is after `before`"), "{e}");
    let e = find(OPERATIONS, "customer-files")
        .unwrap()
        .check(json!({"lastId": "abc"}))
        .unwrap_err();
    assert!(e.message().contains("`lastId`"), "{e}");
}

/// The records of a documented response, as JSON, without sending anything.
#[test]
fn responses_decode_to_json_records() {
    let tags = find(OPERATIONS, "tags").unwrap();
    let body = ok(json!([{"name": "企业类型", "id": 56970, "qwTagId": "et1", "tags": []}]));
    let records = tags.decode(&Tanma, &response(200, &body, &[])).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(records[0].get()).unwrap(),
        json!({"name": "企业类型", "id": 56970, "qwTagId": "et1", "tags": []})
    );
    let e = tags
        .decode(
            &Tanma,
            &response(200, r#"{"code":1002,"message":"签名错误"}"#, &[]),
        )
        .unwrap_err();
    assert!(
        e.is_auth() || e.kind() == scrm_tanma::ErrorKind::AuthRejected,
        "{e}"
    );
}

/// A registry export pages like the typed one: the clue cursor is followed, filters kept.
#[tokio::test]
async fn registry_exports_page_like_typed_ones() {
    let server = MockServer::start_async().await;
    let window =
        json!({"since": "2024-01-01 00:00:00", "before": "2024-01-02 00:00:00", "size": 1});
    let mut second = window.clone();
    second["cursor"] = json!("C1");
    let p1 = server
        .mock_async(|when, then| {
            when.method(POST).json_body(window.clone());
            then.status(200).body(clue_page(&[1], Some("C1")));
        })
        .await;
    let p2 = server
        .mock_async(|when, then| {
            when.method(POST).json_body(second);
            then.status(200).body(clue_page(&[2], None));
        })
        .await;
    let client = common::client(&server.base_url());
    let clues = find(OPERATIONS, "clues").unwrap();
    let pages: Vec<_> = clues
        .pages(client.core(), window, PageOptions::default())
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| serde_json::from_str::<serde_json::Value>(r.get()).unwrap()["customerId"].clone())
        .collect();
    assert_eq!(ids, [json!(1), json!(2)]);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
}
