//! Every wshoto fixture parsed into the typed model and snapshotted.

use scrm_core::{HeaderMap, HttpResponse, SignReceipt, StatusCode, Vendor};
use scrm_testkit::{ScriptedServer, fixture_bytes, fixture_json, fixture_snapshot, fixture_str};
use scrm_wshoto::auth::TokenGrant;
use scrm_wshoto::{
    CollectDetailPage, CollectDetailPageResponse, Configure, ContactPage, ContactPageResponse,
    CustomerType, DetailStatus, Envelope, Gender, GroupMemberListResponse, JoinScene, MemberType,
    OpenSeaList, OpenSeaListResponse, ProductTagList, ProductTagListResponse, SelfCustomerList,
    SelfCustomerListResponse, UnixMillis, UnixSeconds, Wshoto, WshotoClient,
};
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

/// A documented response decoded by the same code path as a live call.
fn open_fixture<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: fixture_bytes(rel).into(),
    };
    Wshoto::default()
        .open(&response, &SignReceipt::default())
        .unwrap()
}

/// A documented request read into its typed form: valid, and written back as documented.
fn request_fixture<Op>(rel: &str) -> Op
where
    Op: serde::de::DeserializeOwned + serde::Serialize + scrm_core::Operation,
{
    let request: Op = fixture_json(rel);
    assert!(request.validate().is_ok(), "{rel}");
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        fixture_json::<Value>(rel),
        "{rel} written back"
    );
    request
}

#[test]
fn self_customers_by_tenant_request() {
    let rel = "wshoto/customer-list-self-customers-by-tenant.request.json";
    let request: SelfCustomerList = request_fixture(rel);
    assert_eq!(
        (request.current_index, request.page_size),
        (Some(1), Some(20))
    );
    fixture_snapshot!(rel, &request);
}

#[test]
fn self_customers_by_tenant_response() {
    let rel = "wshoto/customer-list-self-customers-by-tenant.response.json";
    let page: SelfCustomerListResponse = open_fixture(rel);
    assert_eq!(page.total, Some(10), "one record of 10 shown");
    let [customer] = page.records.as_deref().unwrap_or_default() else {
        panic!("{page:?}")
    };
    assert_eq!(customer.external_userid.as_deref(), Some("admin"));
    assert_eq!(customer.customer_type, Some(CustomerType::WeChat));
    assert_eq!(customer.gender, Some(Gender::Female));
    let [follow] = customer.follow_users.as_deref().unwrap_or_default() else {
        panic!("{customer:?}")
    };
    assert_eq!(
        follow.userid.as_deref(),
        Some("admin"),
        "`userid`, a string (the table says `userId`, an int)"
    );
    assert!(follow.extra.is_empty(), "{follow:?}");
    let tag = &follow.tag_list.as_deref().unwrap_or_default()[0];
    assert_eq!(
        tag.tag_id.as_deref(),
        Some("etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA")
    );
    assert_eq!(tag.group_name.as_deref(), Some("标签分组名称"));
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        fixture_json::<Value>(rel)["data"]
    );
    fixture_snapshot!(rel, &page);
}

#[test]
fn open_sea_request() {
    let rel = "wshoto/crm3-open-sea-list-open-sea-data.request.json";
    let request: OpenSeaList = request_fixture(rel);
    assert_eq!(
        request.return_time_start,
        Some(UnixMillis(1_735_660_800_000))
    );
    assert_eq!(request.pool_ids, Some(vec![]));
    fixture_snapshot!(rel, &request);
}

#[test]
fn open_sea_response() {
    let rel = "wshoto/crm3-open-sea-list-open-sea-data.response.json";
    let page: OpenSeaListResponse = open_fixture(rel);
    assert_eq!(page.total, Some(0), "placeholder: total 0 with one record");
    let [r] = page.records.as_deref().unwrap_or_default() else {
        panic!("{page:?}")
    };
    assert_eq!(
        r.company_id.as_ref().unwrap().as_u64(),
        Some(1_234_546_565_511_111)
    );
    assert_eq!(
        r.contact_id.as_ref().unwrap().as_u64(),
        Some(1_230_000_000_000_000)
    );
    assert_eq!(
        r.contact_name.as_deref(),
        Some("contact_name"),
        "typed long, a string"
    );
    assert_eq!(
        r.pre_owner_id.as_deref(),
        Some("95e6e3dca846"),
        "typed long, a string"
    );
    assert_eq!(r.open_sea_return_time, Some(UnixMillis(1_735_660_800_000)));
    assert_eq!(r.create_time, Some(UnixMillis(1_738_339_200_000)));
    assert_eq!(r.open_sea_return_reason_type, Some(1));
    assert_eq!(
        r.open_sea_return_material_ids.as_ref().unwrap()[0].as_str(),
        "123141512415"
    );
    assert!(r.extra.is_empty(), "every example field is typed: {r:?}");
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        fixture_json::<Value>(rel)["data"]
    );
    fixture_snapshot!(rel, &page);
}

#[test]
fn chat_group_member_list_response() {
    let rel = "wshoto/chat-group-member-list.response.json";
    let page: GroupMemberListResponse = open_fixture(rel);
    assert_eq!(page.total, Some(2));
    let members = page.records.as_deref().unwrap_or_default();
    assert_eq!(members.len(), 2);
    assert_eq!(
        members[1].userid.as_deref(),
        Some("wmJYSuBgAAr_1ipy4BmyaAaJm8E37QHA")
    );
    assert_eq!(members[0].member_type, Some(MemberType::External));
    assert_eq!(members[0].join_scene, Some(JoinScene::QrCode));
    assert_eq!(
        members[0].join_time,
        Some(UnixMillis(1_608_269_181_797)),
        "13 digits: milliseconds"
    );
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        fixture_json::<Value>(rel)["data"]
    );
    fixture_snapshot!(rel, &page);
}

#[test]
fn crm3_contact_page_request() {
    let rel = "wshoto/crm3-contact-page.request.json";
    let request: ContactPage = request_fixture(rel);
    assert_eq!(request.create_start_time, Some(UnixSeconds(1_638_785_104)));
    assert_eq!(
        request.company_phases,
        Some(vec![]),
        "in the example, not the table"
    );
    assert_eq!(request.field_map, Some(json!({})));
    fixture_snapshot!(rel, &request);
}

#[test]
fn crm3_contact_page_response() {
    let rel = "wshoto/crm3-contact-page.response.json";
    let page: ContactPageResponse = open_fixture(rel);
    assert_eq!(page.total, Some(1));
    let [c] = page.records.as_deref().unwrap_or_default() else {
        panic!("{page:?}")
    };
    assert_eq!(
        c.contact_id.as_ref().unwrap().as_str(),
        "1631517114528779266",
        "a 19-digit number above 2^53, kept exactly"
    );
    assert_eq!(
        c.company_id.as_ref().unwrap().as_str(),
        "1531517114528779266"
    );
    let channel = &c.access_customer_channel.as_deref().unwrap_or_default()[0];
    assert_eq!(channel.id.as_ref().unwrap().as_str(), "1831517114528779266");
    assert_eq!(channel.name.as_deref(), Some("渠道1"));
    assert_eq!(c.relate_customer_time, None, "null in the example");
    assert_eq!(c.owner_change_time, Some(UnixSeconds(1_653_993_589)));
    assert_eq!(c.add_friend_status, Some(0));
    assert!(c.extra.is_empty(), "every example field is typed: {c:?}");
    // Written back as documented, but for the `null` (absent once read).
    let mut documented = fixture_json::<Value>(rel)["data"].clone();
    let record = documented["records"][0].as_object_mut().unwrap();
    assert_eq!(record.remove("relate_customer_time"), Some(Value::Null));
    assert_eq!(serde_json::to_value(&page).unwrap(), documented);
    fixture_snapshot!(rel, &page);
}

#[test]
fn product_tag_list_request() {
    let rel = "wshoto/product-library-tag-info-list.request.json";
    let request: ProductTagList = request_fixture(rel);
    assert_eq!(request.tag_name.as_deref(), Some("test_b7648d04c9bd"));
    assert_eq!(
        (request.current_index, request.page_size),
        (Some(42), Some(70))
    );
    fixture_snapshot!(rel, &request);
}

#[test]
fn product_tag_list_response() {
    let rel = "wshoto/product-library-tag-info-list.response.json";
    let page: ProductTagListResponse = open_fixture(rel);
    assert_eq!(page.total, Some(1));
    let [tag] = page.records.as_deref().unwrap_or_default() else {
        panic!("{page:?}")
    };
    assert_eq!(tag.tag_id.as_deref(), Some("test_cf81dd7707e3"));
    assert_eq!(tag.tag_name.as_deref(), Some("test_3ffdd950e3c8"));
    // `sub_code` "00000" sits in the envelope, next to `code`.
    let envelope: Envelope<ProductTagListResponse> = fixture_json(rel);
    assert_eq!(envelope.sub_code.as_deref(), Some("00000"));
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        fixture_json::<Value>(rel)["data"]
    );
    fixture_snapshot!(rel, &page);
}
