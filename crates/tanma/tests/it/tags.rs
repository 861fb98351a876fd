//! 查询标签树: sent with no body (as the vendor's curl), signed over the empty body; the tree
//! decoded from a body built from the field table (the page's example is cut off).

use httpmock::prelude::*;
use scrm_tanma::TagTree;
use scrm_tanma::prelude::*;
use serde_json::json;

use crate::common::{self, APP_ID, EXAMPLE_SIGN, T0_MS, ok, sign_of};

const PATH: &str = "/api/v3/tags/list-tree";

fn tree() -> String {
    ok(json!([
        {"name": "企业类型", "id": 56970, "qwTagId": "etCBS_DwAA9lTDZhlMpv-jK8Ph9udv0A", "tags": [
            {"id": 56972, "name": "央企", "qwTagId": "etCBS_DwAAAdph7Ou6LgpwRqR66t5tDA"},
            {"id": 56971, "name": "国企", "qwTagId": "etCBS_DwAAwjfnKdtNGLLupLtMcGm7Ig"}
        ]},
        {"name": "空组", "id": "337364", "qwTagId": "etCBS_DwAAmhwVacxgVw-l31GpNmKdPg", "tags": null}
    ]))
}

#[tokio::test]
async fn sends_no_body_and_signs_the_empty_body() {
    assert_ne!(sign_of(""), EXAMPLE_SIGN);
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("appId", APP_ID)
                .header("timestamp", T0_MS.to_string())
                .header("sign", sign_of(""))
                .header_missing("content-type")
                .header_missing("appKey")
                .is_true(|req| req.uri().query().is_none())
                .body("");
            then.status(200).body(tree());
        })
        .await;
    let client = common::client(&server.base_url());
    let groups = client.call(&TagTree::new()).await.unwrap();
    assert_eq!(groups.len(), 2);
    let first = &groups[0];
    assert_eq!(first.name.as_deref(), Some("企业类型"));
    assert_eq!(first.id.as_ref().unwrap().as_str(), "56970");
    let tags = first.tags.as_deref().unwrap();
    let names: Vec<_> = tags.iter().map(|t| t.name.clone().unwrap()).collect();
    assert_eq!(names, ["央企", "国企"]);
    assert_eq!(
        tags[0].qw_tag_id.as_deref(),
        Some("etCBS_DwAAAdph7Ou6LgpwRqR66t5tDA")
    );
    // An id sent as a string reads the same; a null tag list reads as none.
    assert_eq!(groups[1].id.as_ref().unwrap().as_str(), "337364");
    assert_eq!(groups[1].tags, None);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn items_are_the_tag_groups_of_one_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).body("");
            then.status(200).body(tree());
        })
        .await;
    let client = common::client(&server.base_url());
    let groups: Vec<_> = client.items(TagTree::new()).try_collect().await.unwrap();
    let ids: Vec<_> = groups
        .iter()
        .map(|g| g.id.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["56970", "337364"]);
    // Written back, a group is the vendor's form again (the string id stays a string).
    assert_eq!(
        serde_json::to_value(&groups[1]).unwrap()["id"],
        json!("337364")
    );
    mock.assert_calls_async(1).await;
}
