//! Every documented tanma example, parsed into the typed model and snapshotted.

use scrm_core::{HttpResponse, Operation, SignReceipt, Vendor, decode_json};
use scrm_tanma::{
    ClueList, ClueListResponse, CustomerFileList, CustomerFileListResponse, CustomerQwDetails,
    ErrorKind, FieldValue, GroupList, Tanma,
};
use scrm_testkit::{fixture_bytes, fixture_json, fixture_snapshot};
use serde_json::{Value, json};

use crate::common::response;

/// Opens a documented response example through the tanma envelope, as the client does.
fn open<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    let bytes = fixture_bytes(rel);
    let resp: HttpResponse = response(200, std::str::from_utf8(&bytes).unwrap(), &[]);
    Tanma.open(&resp, &SignReceipt::default()).unwrap()
}

/// The request example is lorem ipsum (`"since": "sunt"`): the typed request cannot hold it,
/// and says so naming the field.
#[test]
fn clue_list_request_example_is_rejected_by_the_typed_request() {
    let rel = "tanma/clue-list-by-create-time-asc.request.json";
    // It is valid JSON with the documented keys…
    let raw: Value = fixture_json(rel);
    assert_eq!(raw["since"], "sunt");
    assert_eq!(raw["size"], 10);
    // …but "sunt" is no date: the typed request refuses it and names `since`.
    let error = decode_json::<ClueList>(&fixture_bytes(rel)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.message().starts_with("at `since`:"), "{error}");
    assert!(error.message().contains("\"sunt\""), "{error}");
    // `before` ("enim qui in") is no date either.
    let mut fixed = raw.clone();
    fixed["since"] = "2024-01-01 00:00:00".into();
    let error_before = decode_json::<ClueList>(fixed.to_string().as_bytes()).unwrap_err();
    assert!(
        error_before.message().starts_with("at `before`:"),
        "{error_before}"
    );
    fixture_snapshot!(
        rel,
        json!({
            "typed_request": "rejected: `since`/`before` are lorem-ipsum placeholders, not dates",
            "error_kind": format!("{:?}", error.kind()),
            "error": error.message(),
        })
    );
}

#[test]
fn clue_list_response_example() {
    let rel = "tanma/clue-list-by-create-time-asc.response.json";
    let data: ClueListResponse = open(rel);
    let list = data.list.as_deref().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        data.next_cursor.as_deref(),
        Some("AAAAAGCaL2kAAAAAAAAAAAAAAAAAAAn8")
    );
    let first = &list[0];
    assert_eq!(
        first.customer_id.as_ref().unwrap().as_str(),
        "410983932389440"
    );
    assert_eq!(
        first.field("mobile").and_then(|f| f.value()),
        Some(&FieldValue::List(vec!["145678388".into()]))
    );
    assert_eq!(
        first.field("name").and_then(|f| f.value()),
        Some(&FieldValue::Text("打马赛克就".into()))
    );
    assert_eq!(first.field("address").and_then(|f| f.value()), None);
    assert!(first.company_info.is_none());
    let second = &list[1];
    assert_eq!(second.r#type, Some(2));
    assert_eq!(second.tag_ids.as_ref().unwrap().len(), 2);
    let company = second.company_info.as_ref().unwrap();
    assert_eq!(company.id.as_ref().unwrap().as_str(), "410948476397632");
    assert_eq!(
        second
            .last_update_time
            .as_ref()
            .unwrap()
            .datetime()
            .unix_timestamp(),
        1620734301
    );
    assert!(first.extra.is_empty() && second.extra.is_empty());

    // Written back, the records are the vendor's own form again.
    let wire: Value = fixture_json(rel);
    assert_eq!(serde_json::to_value(&data).unwrap(), wire["data"]);

    let decoded: Vec<Value> = list
        .iter()
        .map(|clue| {
            let fields: serde_json::Map<String, Value> = clue
                .fields
                .iter()
                .flatten()
                .map(|f| (f.field().to_owned(), json!(f.value())))
                .collect();
            json!({"customerId": clue.customer_id, "decoded_fields": fields})
        })
        .collect();
    fixture_snapshot!(rel, json!({"data": data, "decoded": decoded}));
}

/// The example sends `salesId` (a number), which the field table does not list (it lists
/// `userId`, a string): the typed request carries both, and sends back exactly what it read.
#[test]
fn customer_file_request_example() {
    let rel = "tanma/customer-list-file-of-customer.request.json";
    let request: CustomerFileList = decode_json(&fixture_bytes(rel)).unwrap();
    assert_eq!(
        request.sales_id.as_ref().unwrap().as_str(),
        "410308323612736"
    );
    assert_eq!(request.user_id, None);
    assert_eq!(request.page_size, Some(30));
    let body = serde_json::to_string(&request).unwrap();
    assert_eq!(
        body,
        r#"{"salesId":410308323612736,"customerId":442273848965184,"pageSize":30}"#
    );
    // The same JSON as the example, keys in the example's order.
    let example: Value = fixture_json(rel);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), example);
    fixture_snapshot!(rel, json!({"request": request, "body_sent": body}));
}

#[test]
fn customer_file_response_example() {
    let rel = "tanma/customer-list-file-of-customer.response.json";
    let data: CustomerFileListResponse = open(rel);
    assert_eq!(
        (
            data.total_count,
            data.total_page,
            data.page_no,
            data.page_size
        ),
        (Some(3), Some(2), Some(0), Some(2))
    );
    let result = data.result.as_deref().unwrap();
    assert_eq!(result.len(), 2);
    let first = &result[0];
    assert_eq!(first.id.as_ref().unwrap().as_str(), "462821966907328");
    assert_eq!(first.corpid.as_deref(), Some("ww396db747d40d16f2"));
    let content = first.file_content.as_ref().unwrap();
    assert_eq!(content.value().size.as_deref(), Some("29.9KB"));
    assert_eq!(content.value().r#type.as_deref(), Some("rar"));
    assert!(content.raw().starts_with("{\"name\":\"0.0.2-SNAPSHOT\""));
    // `followContent` (null, type undocumented) stays in `extra`, as sent.
    assert_eq!(first.extra.get("followContent"), Some(&Value::Null));

    let wire: Value = fixture_json(rel);
    assert_eq!(serde_json::to_value(&data).unwrap(), wire["data"]);

    let decoded: Vec<Value> = result
        .iter()
        .map(|f| json!({"id": f.id, "file_content_decoded": f.file_content.as_ref().map(|c| c.value())}))
        .collect();
    fixture_snapshot!(rel, json!({"data": data, "decoded": decoded}));
}

/// Both keys are documented strings: the typed request reads the example and sends it back
/// with the same keys, values and order.
#[test]
fn customer_qw_details_request_example() {
    let rel = "tanma/customer-qw-details.request.json";
    let request: CustomerQwDetails = decode_json(&fixture_bytes(rel)).unwrap();
    assert_eq!(
        request.external_user_id.as_deref(),
        Some("wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng")
    );
    assert_eq!(request.qw_user_id.as_deref(), Some("ZhuShanPeng"));
    request.validate().unwrap();
    let body = serde_json::to_string(&request).unwrap();
    assert_eq!(
        body,
        r#"{"externalUserId":"wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng","qwUserId":"ZhuShanPeng"}"#
    );
    let example: Value = fixture_json(rel);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), example);
    fixture_snapshot!(rel, json!({"request": request, "body_sent": body}));
}

/// `userId` travels as a number, as in the example; `pageNo` is left out when unset.
#[test]
fn group_list_request_example() {
    let rel = "tanma/group-sop-get-group-list.request.json";
    let request: GroupList = decode_json(&fixture_bytes(rel)).unwrap();
    assert_eq!(request.page_size, Some(10));
    assert_eq!(
        request.user_id.as_ref().and_then(|id| id.as_u64()),
        Some(463352988837952)
    );
    assert_eq!(request.page_no, None);
    request.validate().unwrap();
    let body = serde_json::to_string(&request).unwrap();
    assert_eq!(body, r#"{"pageSize":10,"userId":463352988837952}"#);
    let example: Value = fixture_json(rel);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), example);
    fixture_snapshot!(rel, json!({"request": request, "body_sent": body}));
}
