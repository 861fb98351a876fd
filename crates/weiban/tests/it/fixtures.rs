//! The documented examples, parsed into the typed models and snapshotted.

use scrm_testkit::{fixture_bytes, fixture_snapshot, fixture_str};
use scrm_weiban::scrm_core::Operation;
use scrm_weiban::scrm_core::{HeaderMap, HttpResponse, SignReceipt, StatusCode, Vendor};
use scrm_weiban::{
    CustomerEventListResponse, CustomerStageGet, CustomerStageGetResponse, Envelope,
    FormUserStatus, GetCustomer, GroupChatDetail, GroupChatDetailResponse, GroupChatMemberList,
    GroupChatMemberListResponse, SmartFormUserList, SmartFormUserListResponse, UnixSeconds, Weiban,
};

const RESPONSE: &str = "weiban/smart-form-user-list.response.json";
const REQUEST: &str = "weiban/smart-form-user-list.request.query";

/// The fixture response decoded by the same code path as a live call.
fn open_response() -> SmartFormUserListResponse {
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: fixture_bytes(RESPONSE).into(),
    };
    Weiban::default()
        .open(&response, &SignReceipt::default())
        .unwrap()
}

#[test]
fn smart_form_user_list_response() {
    let parsed = open_response();
    fixture_snapshot!(RESPONSE, &parsed);

    assert_eq!(parsed.total, Some(2));
    let [first, second] = parsed.result.as_deref().unwrap_or_default() else {
        panic!("{parsed:?}")
    };
    assert_eq!(first.status, Some(FormUserStatus::Submit));
    assert_eq!(first.form_id.as_ref().unwrap().as_u64(), Some(842));
    assert_eq!(first.u_id.as_ref().unwrap().as_u64(), Some(768));
    assert_eq!(first.submit_at, Some(UnixSeconds(1619613511)));
    assert_eq!(first.user_city.as_deref(), Some("南昌市"));
    assert_eq!(
        second.unionid.as_deref(),
        Some("omefmt0-sSUShfLCrUswJILSnjls")
    );
}

#[test]
fn smart_form_user_list_response_serializes_back_to_the_documented_object() {
    let envelope: Envelope<SmartFormUserListResponse> =
        serde_json::from_slice(&fixture_bytes(RESPONSE)).unwrap();
    assert_eq!((envelope.errcode, envelope.errmsg.as_str()), (0, "ok"));
    let documented: serde_json::Value = serde_json::from_slice(&fixture_bytes(RESPONSE)).unwrap();
    assert_eq!(serde_json::to_value(&envelope).unwrap(), documented);
    // Field order too: the CLI prints records as the vendor documents them.
    let record = serde_json::to_string(&envelope.payload.result.as_ref().unwrap()[0]).unwrap();
    assert!(
        record.starts_with(
            r#"{"user_city":"南昌市","status":"submit","user_name":"Cosmos","form_id":842,"#
        ),
        "{record}"
    );
}

#[test]
fn smart_form_user_list_request() {
    let documented = fixture_str(REQUEST);
    // The documented query carries the access token, which the signer adds, not the request.
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&documented).unwrap();
    let fields: Vec<_> = fields
        .into_iter()
        .filter(|(k, _)| k != "access_token")
        .collect();
    let parsed: SmartFormUserList =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&fields).unwrap()).unwrap();
    let encoded = serde_urlencoded::to_string(&parsed).unwrap();
    fixture_snapshot!(
        REQUEST,
        &serde_json::json!({ "request": parsed, "query": encoded })
    );

    // The same request built in code.
    let built = SmartFormUserList::new()
        .status(FormUserStatus::Submit)
        .limit(10)
        .offset(0)
        .city("武汉")
        .form_id("111")
        .start_time(UnixSeconds(1626192000))
        .end_time(UnixSeconds(1626192001));
    assert_eq!(parsed, built);

    // What we send equals the documented pairs (decoded: the page shows `city` unencoded), in
    // the documented order; `access_token` is added by the signer.
    let pairs = |q: &str| -> Vec<(String, String)> { serde_urlencoded::from_str(q).unwrap() };
    let mut expected = pairs(&documented);
    assert_eq!(expected.pop(), Some(("access_token".into(), String::new())));
    assert_eq!(pairs(&encoded), expected);
    // A numeric form id goes out as the same digits.
    let numeric = built.clone().form_id(111u64);
    assert_eq!(serde_urlencoded::to_string(&numeric).unwrap(), encoded);
}

/// A fixture response decoded by the same code path as a live call.
fn open<T: serde::de::DeserializeOwned>(fixture: &str) -> T {
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: fixture_bytes(fixture).into(),
    };
    Weiban::default()
        .open(&response, &SignReceipt::default())
        .unwrap()
}

/// A documented GET query parsed into its request (without the `access_token` the signer
/// adds), snapshotted with what we send; returns the request and the documented pairs.
fn query_fixture<T>(fixture: &str) -> (T, Vec<(String, String)>)
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let documented = fixture_str(fixture);
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&documented).unwrap();
    assert_eq!(pairs.pop(), Some(("access_token".into(), String::new())));
    let parsed: T =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&pairs).unwrap()).unwrap();
    let encoded = serde_urlencoded::to_string(&parsed).unwrap();
    fixture_snapshot!(
        fixture,
        &serde_json::json!({ "request": &parsed, "query": encoded })
    );
    // What we send is the documented pairs, in the documented order.
    let sent: Vec<(String, String)> = serde_urlencoded::from_str(&encoded).unwrap();
    assert_eq!(sent, pairs);
    (parsed, pairs)
}

/// The fixture as JSON, to compare with what a decoded model writes back (`null` values read
/// as absent, so they are not written back).
fn documented(fixture: &str) -> serde_json::Value {
    fn drop_nulls(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => map
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
            serde_json::Value::Array(items) => items.into_iter().map(drop_nulls).collect(),
            other => other,
        }
    }
    drop_nulls(serde_json::from_slice(&fixture_bytes(fixture)).unwrap())
}

#[test]
fn external_user_get_request() {
    let (parsed, _) = query_fixture::<GetCustomer>("weiban/external-user-get.request.query");
    let built = GetCustomer::new()
        .id("wm8zkSaSL7dgds4s45fw")
        .unionid("oYtnV58v4QOisCZdE4qU02eK1pvU")
        .openid("ohpYX63Ss6YnNTdv9YKcjpPGnBhA");
    assert_eq!(parsed, built);
    assert!(built.validate().is_ok());
}

#[test]
fn external_user_event_list_response() {
    const FIXTURE: &str = "weiban/external-user-event-list.response.json";
    let parsed: CustomerEventListResponse = open(FIXTURE);
    fixture_snapshot!(FIXTURE, &parsed);
    assert_eq!(parsed.total, Some(0));
    let [event] = parsed.event_list.as_deref().unwrap() else {
        panic!("{parsed:?}")
    };
    assert_eq!(event.id.as_ref().map(|id| id.as_str()), Some("0"));
    assert_eq!(event.created_at, Some(UnixSeconds(0)));
    assert_eq!(event.event_type.as_deref(), Some("string"));
    assert!(event.extra.is_empty(), "every documented key is typed");
    let envelope: Envelope<CustomerEventListResponse> =
        serde_json::from_slice(&fixture_bytes(FIXTURE)).unwrap();
    assert_eq!(
        serde_json::to_value(&envelope).unwrap(),
        documented(FIXTURE)
    );
}

#[test]
fn external_user_stage_get_request() {
    const FIXTURE: &str = "weiban/external-user-stage-get.request.json";
    let parsed: CustomerStageGet = serde_json::from_slice(&fixture_bytes(FIXTURE)).unwrap();
    fixture_snapshot!(FIXTURE, &parsed);
    assert_eq!(
        parsed,
        CustomerStageGet::new().external_user_ids(["string"])
    );
    assert_eq!(serde_json::to_value(&parsed).unwrap(), documented(FIXTURE));
    assert!(parsed.validate().is_ok());
}

#[test]
fn external_user_stage_get_response() {
    const FIXTURE: &str = "weiban/external-user-stage-get.response.json";
    let parsed: CustomerStageGetResponse = open(FIXTURE);
    fixture_snapshot!(FIXTURE, &parsed);
    assert_eq!(parsed.total, Some(2));
    let [a, b] = parsed.stage_list.as_deref().unwrap() else {
        panic!("{parsed:?}")
    };
    assert_eq!(a.stage_id.as_ref().unwrap().as_u64(), Some(310));
    assert_eq!(b.stage_name.as_deref(), Some("新客户"));
    assert_eq!(a.staff_id, b.staff_id);
    let envelope: Envelope<CustomerStageGetResponse> =
        serde_json::from_slice(&fixture_bytes(FIXTURE)).unwrap();
    assert_eq!(
        serde_json::to_value(&envelope).unwrap(),
        documented(FIXTURE)
    );
}

#[test]
fn group_chat_detail_request() {
    let (parsed, _) = query_fixture::<GroupChatDetail>("weiban/group-chat-detail.request.query");
    assert_eq!(
        parsed,
        GroupChatDetail::new().group_chat_id("wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A")
    );
}

#[test]
fn group_chat_detail_response() {
    const FIXTURE: &str = "weiban/group-chat-detail.response.json";
    let parsed: GroupChatDetailResponse = open(FIXTURE);
    fixture_snapshot!(FIXTURE, &parsed);
    let chat = parsed.group_chat.as_ref().unwrap();
    assert_eq!(chat.create_time, Some(UnixSeconds(1581577730)));
    assert_eq!(
        (chat.description.as_deref(), chat.dismissed_at.as_ref()),
        (None, None)
    );
    assert_eq!(chat.is_dismissed, Some(false));
    assert_eq!(chat.member_count, Some(2));
    assert_eq!(chat.owner_staff_id.as_deref(), Some("PanPan"));
    let tags = chat.tag_list.as_deref().unwrap();
    assert_eq!(tags.len(), 18);
    assert_eq!(tags[0].id.as_ref().unwrap().as_u64(), Some(3672));
    assert_eq!(tags[17].tag_group_id.as_ref().unwrap().as_u64(), Some(178));
    assert!(chat.extra.is_empty(), "every key of the example is typed");
    let envelope: Envelope<GroupChatDetailResponse> =
        serde_json::from_slice(&fixture_bytes(FIXTURE)).unwrap();
    assert_eq!(
        serde_json::to_value(&envelope).unwrap(),
        documented(FIXTURE)
    );
}

#[test]
fn group_chat_member_list_request() {
    let (parsed, _) =
        query_fixture::<GroupChatMemberList>("weiban/group-chat-member-list.request.query");
    assert_eq!(
        parsed,
        GroupChatMemberList::new().group_chat_id("wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A")
    );
}

#[test]
fn group_chat_member_list_response() {
    const FIXTURE: &str = "weiban/group-chat-member-list.response.json";
    let parsed: GroupChatMemberListResponse = open(FIXTURE);
    fixture_snapshot!(FIXTURE, &parsed);
    assert_eq!(parsed.total, Some(2));
    let [staff, customer] = parsed.member_list.as_deref().unwrap() else {
        panic!("{parsed:?}")
    };
    assert_eq!((staff.user_type, staff.unionid.as_deref()), (Some(1), None));
    assert_eq!(staff.chat_msg_count, None);
    assert_eq!(customer.id.as_ref().unwrap().as_u64(), Some(3));
    assert_eq!(customer.join_scene, Some(3));
    assert_eq!(customer.join_time, Some(UnixSeconds(1581580191)));
    assert_eq!(
        customer.unionid.as_deref(),
        Some("omefmt_T_WQs_h4QolC1RQ4udWG4")
    );
    assert!(
        customer.extra.is_empty(),
        "every key of the example is typed"
    );
    let envelope: Envelope<GroupChatMemberListResponse> =
        serde_json::from_slice(&fixture_bytes(FIXTURE)).unwrap();
    assert_eq!(
        serde_json::to_value(&envelope).unwrap(),
        documented(FIXTURE)
    );
}
