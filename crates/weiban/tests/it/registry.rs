//! The registry: the catalogued names, paths and styles, and requests and records through its
//! JSON interface (what `scrm export` uses).

use scrm_testkit::fixture_bytes;
use scrm_weiban::scrm_core::{HeaderMap, HttpResponse, StatusCode};
use scrm_weiban::{ErrorKind, OPERATIONS, Weiban};
use serde_json::json;

fn op(name: &str) -> &'static dyn scrm_weiban::scrm_core::registry::DynOperation<Weiban> {
    *OPERATIONS.iter().find(|op| op.info().name == name).unwrap()
}

#[test]
fn every_catalogued_operation_with_its_method_path_and_paging() {
    let listed: Vec<String> = OPERATIONS
        .iter()
        .map(|op| {
            let i = op.info();
            format!("{} {} {} {}", i.name, i.method, i.path, i.paging)
        })
        .collect();
    assert_eq!(
        listed,
        [
            "smart-form-users GET /open-api/smart_form/form/user/list offset",
            "customer-updates GET /open-api/external_user/update/list offset",
            "customers GET /open-api/external_user/list offset",
            "customer GET /open-api/external_user/get none",
            "customers-batch POST /open-api/external_user/batch_get none",
            "customer-staff GET /open-api/external_user_staff_relation/list offset",
            "customer-events GET /open-api/external_user_event/list keyset",
            "customer-stages POST /open-api/external_user/stage/get none",
            "staff GET /open-api/staff/list offset",
            "group-chats GET /open-api/group_chat/list offset",
            "group-chat GET /open-api/group_chat/detail none",
            "group-chat-members GET /open-api/group_chat/member/list none",
        ]
    );
    for op in OPERATIONS {
        let info = op.info();
        assert_eq!(info.vendor, "weiban");
        assert!(info.idempotent, "{} is a read", info.name);
        for key in info.primary_key {
            let top = key.split('.').next().unwrap();
            assert!(
                info.record_fields.iter().any(|f| f.name == top),
                "{}: key {key} is a documented record field",
                info.name
            );
        }
    }
}

#[test]
fn requests_from_json_are_typed_and_checked() {
    let checked = op("customer-updates")
        .check(json!({"source": "external_user", "start_update_time": "1634054400", "limit": "30"}))
        .unwrap();
    // As a stream sends it first: from offset 0.
    assert_eq!(
        checked,
        json!({"source": "external_user", "start_update_time": 1634054400, "limit": 30, "offset": 0})
    );
    let e = op("customer-updates")
        .check(json!({"limit": 30}))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("`source` is required"), "{e}");
    let e = op("customers").check(json!({"limit": 500})).unwrap_err();
    assert!(e.to_string().contains("`limit` must be at most 100"), "{e}");
    let e = op("customers").check(json!({"nope": 1})).unwrap_err();
    assert!(e.to_string().contains("unknown field `nope`"), "{e}");
    let checked = op("customers-batch")
        .check(json!({"id_list": ["wm1"]}))
        .unwrap();
    assert_eq!(checked, json!({"id_list": ["wm1"]}));
}

#[test]
fn documented_answers_decode_to_records_through_the_registry() {
    for (name, fixture, records) in [
        (
            "customer-events",
            "weiban/external-user-event-list.response.json",
            1,
        ),
        (
            "customer-stages",
            "weiban/external-user-stage-get.response.json",
            2,
        ),
        ("group-chat", "weiban/group-chat-detail.response.json", 1),
        (
            "group-chat-members",
            "weiban/group-chat-member-list.response.json",
            2,
        ),
    ] {
        let response = HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: fixture_bytes(fixture).into(),
        };
        let decoded = op(name).decode(&Weiban::default(), &response).unwrap();
        assert_eq!(decoded.len(), records, "{name}");
    }
}
