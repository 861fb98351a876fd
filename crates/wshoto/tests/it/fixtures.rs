//! Every wshoto fixture parsed into the typed model and snapshotted.

use scrm_core::{HeaderMap, HttpResponse, SignReceipt, StatusCode, Vendor};
use scrm_testkit::{ScriptedServer, fixture_bytes, fixture_json, fixture_snapshot, fixture_str};
use scrm_wshoto::auth::TokenGrant;
use scrm_wshoto::de::UnixSeconds;
use scrm_wshoto::{CollectDetailPage, CollectDetailPageResponse, DetailStatus};
use scrm_wshoto::{Configure, Envelope, Wshoto, WshotoClient};
use serde_json::{Value, json};

use crate::common::{builder, page_body, token_body};

#[test]
fn collect_detail_page_response() {
    let rel = "wshoto/collect-detail-page.response.json";
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: fixture_bytes(rel).into(),
    };
    let page: CollectDetailPageResponse = Wshoto::default()
        .open(&response, &SignReceipt::default())
        .unwrap();

    assert_eq!(
        page.total,
        Some(20),
        "example trimmed: total 20, one record"
    );
    let [record] = page.records.as_deref().unwrap_or_default() else {
        panic!("one record expected: {page:?}")
    };
    assert_eq!(
        record.openid, None,
        "documented but absent from the example"
    );
    // The example's status says "viewed, not filled" although it carries answers: kept as sent.
    assert_eq!(record.detail_status, Some(DetailStatus::ViewedNotFilled));
    assert_eq!(record.commit_time, Some(UnixSeconds(1_645_632_012)));
    let detail = record.detail_data.as_ref().unwrap();
    let data = detail.value();
    assert_eq!(data.compellation.as_deref(), Some("慧琳"));
    assert_eq!(data.gender.as_deref(), Some(&[][..]));
    let files = data
        .form_field_values("mf_collect_form_ddm6bj3mrxa9_51")
        .unwrap();
    assert_eq!(
        files[0].id.as_ref().unwrap().as_str(),
        "1800356349545037315",
        "a 19-digit id inside detail_data, kept exactly"
    );
    assert!(files[0].value_str().unwrap().ends_with(".jpeg"));

    // Serializing gives back the vendor's record, detail_data as its original string.
    let fixture: Value = fixture_json(rel);
    assert_eq!(serde_json::to_value(&page).unwrap(), fixture["data"]);
    assert_eq!(detail.raw(), fixture["data"]["records"][0]["detail_data"]);

    let decoded: Vec<_> = page
        .records
        .iter()
        .flatten()
        .map(|r| r.detail_data.as_ref().map(|d| d.value()))
        .collect();
    fixture_snapshot!(rel, &json!({"data": page, "detail_data_decoded": decoded}));
}

#[test]
fn collect_detail_page_request() {
    let rel = "wshoto/collect-detail-page.request.json";
    let request: CollectDetailPage = fixture_json(rel);
    assert_eq!(request.page_size, Some(10));
    assert!(scrm_core::Operation::validate(&request).is_ok());
    // form_id came as a number (the table says string): it goes out as it came.
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        fixture_json::<Value>(rel)
    );
    fixture_snapshot!(rel, &request);
}

#[test]
fn access_token_response() {
    let rel = "wshoto/access-token.response.json";
    let envelope: Envelope<TokenGrant> = fixture_json(rel);
    let grant = envelope.data.as_ref().unwrap();
    assert_eq!(envelope.code, 0);
    assert_eq!(grant.expires_in, Some(7200));
    assert_eq!(grant.create_at, Some(UnixSeconds(1_654_841_208)));
    // The token is the document's "…" elision, not a secret: shown so the snapshot is complete.
    let view = json!({
        "code": envelope.code,
        "msg": envelope.msg,
        "data": {
            "access_token": grant.access_token.expose(),
            "expires_in": grant.expires_in,
            "create_at": grant.create_at,
        },
    });
    fixture_snapshot!(rel, &view);
}

/// The token endpoint's documented answer, served as is, yields the token the next call uses.
#[tokio::test]
async fn access_token_response_is_used() {
    let server = ScriptedServer::builder()
        .always(
            "/openapi/access_token",
            scrm_testkit::Reply::json(200, fixture_str("wshoto/access-token.response.json")),
        )
        .script([scrm_testkit::Reply::json(200, page_body(0, 0, 0))])
        .start()
        .await;
    let client = builder(&server.url()).build().unwrap();
    client.call(&CollectDetailPage::new()).await.unwrap();
    let api = &server.requests()[1];
    assert_eq!(
        api.query_param("access_token"),
        Some("%E2%80%A6"),
        "“…”, URL-encoded"
    );
}

/// The query the client sends for a token is the documented one, byte for byte.
#[tokio::test]
async fn access_token_request_query() {
    let rel = "wshoto/access-token.request.query";
    let documented = fixture_str(rel);
    let pairs: Vec<(String, String)> = scrm_core::Url::parse(&format!("http://x/?{documented}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let server = ScriptedServer::builder()
        .always(
            "/openapi/access_token",
            scrm_testkit::Reply::json(200, token_body("tok-1234", 7200)),
        )
        .script([scrm_testkit::Reply::json(200, page_body(0, 0, 0))])
        .start()
        .await;
    let client = WshotoClient::builder()
        .app_id(value("appid"))
        .app_secret(value("app_secret"))
        .base_url(server.url())
        .build()
        .unwrap();
    client.call(&CollectDetailPage::new()).await.unwrap();
    let token_request = &server.requests()[0];
    assert_eq!(token_request.method, "GET");
    assert_eq!(token_request.path(), "/openapi/access_token");
    let sent = token_request.target.split_once('?').unwrap().1.to_owned();
    assert_eq!(sent, documented);
    fixture_snapshot!(rel, &json!({"parameters": pairs, "sent": sent}));
}
