//! The documented examples, parsed into the typed models and snapshotted.

use scrm_testkit::{fixture_bytes, fixture_snapshot, fixture_str};
use scrm_weiban::scrm_core::{HeaderMap, HttpResponse, SignReceipt, StatusCode, Vendor};
use scrm_weiban::{
    Envelope, FormUserStatus, SmartFormUserList, SmartFormUserListResponse, UnixSeconds, Weiban,
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
