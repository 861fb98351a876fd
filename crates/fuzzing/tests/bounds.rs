//! Every decoder the registry and the push receivers reach bounds its work: a 10 000-deep
//! JSON nesting (in a body, inside a string, in a push) is an error, never a stack overflow;
//! an oversized push body is refused before it is read as JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use scrm_core::push::{MAX_BODY_BYTES, PushErrorKind, PushRequest};
use scrm_core::registry::DynOperation;
use scrm_core::{HeaderMap, HeaderName, HeaderValue, HttpResponse, Method, StatusCode, Vendor};

const DEPTH: usize = 10_000;

fn deep_array() -> String {
    format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH))
}

fn deep_object() -> String {
    format!("{}1{}", "{\"a\":".repeat(DEPTH), "}".repeat(DEPTH))
}

fn bodies() -> Vec<String> {
    let arr = deep_array();
    let obj = deep_object();
    let quoted = serde_json::to_string(&arr).unwrap();
    vec![
        arr.clone(),
        obj.clone(),
        // Deep inside each envelope's data, and as JSON inside a string (waiqin response_data).
        format!(r#"{{"errcode":0,"errmsg":"ok","data":{obj}}}"#),
        format!(r#"{{"code":0,"msg":"ok","data":{{"list":{arr},"total":1}}}}"#),
        format!(r#"{{"code":200,"message":"ok","data":{{"records":{arr},"total":1}}}}"#),
        format!(r#"{{"return_code":"0","return_msg":"ok","msg_id":"m","response_data":{quoted}}}"#),
        format!(r#"{{"return_code":"0","return_msg":"ok","msg_id":"m","response_data":{arr}}}"#),
    ]
}

/// Decodes every body with every operation; returns (decoded, errors). A deep value in a
/// field the operation ignores is skipped without recursion (serde_json skips iteratively),
/// so some answers are fine pages; a deep value where a record is read is an error.
fn every_op<V: Vendor>(vendor: &V, operations: &[&'static dyn DynOperation<V>]) -> (usize, usize) {
    let (mut checked, mut errors) = (0, 0);
    for op in operations {
        for (i, body) in bodies().into_iter().enumerate() {
            let response = HttpResponse {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                body: body.into_bytes().into(),
            };
            match op.decode(vendor, &response) {
                Ok(records) => assert!(
                    records.len() <= 1,
                    "{} {} body {i}: {records:?}",
                    V::NAME,
                    op.info().name
                ),
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    errors += 1;
                }
            }
            checked += 1;
        }
    }
    (checked, errors)
}

#[test]
fn ten_thousand_deep_json_never_overflows_the_stack_of_any_registered_operation() {
    // Run on a thread with a small stack: a decoder without a depth limit would overflow it.
    let checked = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            [
                every_op(&scrm_wshoto::Wshoto::default(), scrm_wshoto::OPERATIONS),
                every_op(&scrm_weiban::Weiban::default(), scrm_weiban::OPERATIONS),
                every_op(&scrm_waiqin::Waiqin::default(), scrm_waiqin::OPERATIONS),
                every_op(&scrm_tanma::Tanma, scrm_tanma::OPERATIONS),
            ]
        })
        .unwrap()
        .join()
        .unwrap();
    for (vendor, (checked, errors)) in ["wshoto", "weiban", "waiqin", "tanma"].iter().zip(checked) {
        // The bare deep array and object (bodies 0 and 1) fail for every operation at least.
        assert!(
            errors * 7 >= checked * 2,
            "{vendor}: {errors} errors of {checked}"
        );
    }
}

fn headers_of(pairs: &[(&str, String)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (k, v) in pairs {
        headers.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    headers
}

#[test]
fn ten_thousand_deep_push_events_are_refused_as_malformed() {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let deep = deep_object();
            let deep_event = format!(r#"{{"id":"e1","event":"x","data":{deep}}}"#);

            let weiban = scrm_weiban::push::PushReceiver::builder()
                .token("token")
                .encoding_aes_key(scrm_fuzzing::WEIBAN_KEY)
                .receive_id("ww1436e0e65a779aee")
                .build()
                .unwrap();
            let p = weiban
                .sender()
                .seal(deep_event.as_bytes(), "1700000000", "1")
                .unwrap();
            let h = headers_of(&p.headers);
            let e = weiban
                .receive(&PushRequest::new(&p.method, &p.query, &h, &p.body))
                .unwrap_err();
            assert_eq!(e.kind(), PushErrorKind::Malformed, "{}", e.message());
            // The outer body itself nested deep.
            let h = HeaderMap::new();
            let e = weiban
                .receive(&PushRequest::new(
                    &Method::POST,
                    &p.query,
                    &h,
                    deep.as_bytes(),
                ))
                .unwrap_err();
            assert_ne!(e.http_status(), 200);

            let now = 1_700_000_000_000u64;
            let tanma = scrm_tanma::push::PushReceiver::builder()
                .app_id("corp_app")
                .app_key("key")
                .clock(Arc::new(scrm_core::ManualClock::new(
                    UNIX_EPOCH + Duration::from_millis(now),
                )))
                .build()
                .unwrap();
            let plain = format!(r#"{{"type":"register","noise":1,"msgId":7,"content":{deep}}}"#);
            let p = tanma.sender().seal(plain.as_bytes(), now);
            let h = headers_of(&p.headers);
            let e = tanma
                .receive(&PushRequest::new(&p.method, "", &h, &p.body))
                .unwrap_err();
            // tanma's cipher has no padding to check: plaintext that is not JSON is reported
            // as undecryptable.
            assert!(
                matches!(
                    e.kind(),
                    PushErrorKind::Malformed | PushErrorKind::Undecryptable
                ),
                "{}",
                e.message()
            );

            let waiqin = scrm_waiqin::push::PushReceiver::builder()
                .push_secret("secret")
                .build()
                .unwrap();
            let p = waiqin
                .sender()
                .seal(&[("msgId", "m1"), ("data", &deep), ("timestamp", "1")]);
            let h = headers_of(&p.headers);
            let e = waiqin
                .receive(&PushRequest::new(&p.method, "", &h, &p.body))
                .unwrap_err();
            assert_eq!(e.kind(), PushErrorKind::Malformed, "{}", e.message());
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn push_bodies_over_the_limit_are_refused_before_decoding() {
    let body = vec![b'{'; MAX_BODY_BYTES + 1];
    let h = HeaderMap::new();
    let waiqin = scrm_waiqin::push::PushReceiver::builder()
        .push_secret("secret")
        .build()
        .unwrap();
    let e = waiqin
        .receive(&PushRequest::new(&Method::POST, "", &h, &body))
        .unwrap_err();
    assert_eq!(e.kind(), PushErrorKind::TooLarge);
    let tanma = scrm_tanma::push::PushReceiver::builder()
        .app_id("a")
        .app_key("k")
        .build()
        .unwrap();
    let e = tanma
        .receive(&PushRequest::new(&Method::POST, "", &h, &body))
        .unwrap_err();
    assert_eq!(e.kind(), PushErrorKind::TooLarge);
    let weiban = scrm_weiban::push::PushReceiver::builder()
        .token("token")
        .encoding_aes_key(scrm_fuzzing::WEIBAN_KEY)
        .receive_id("ww1436e0e65a779aee")
        .build()
        .unwrap();
    let e = weiban
        .receive(&PushRequest::new(&Method::POST, "", &h, &body))
        .unwrap_err();
    assert_eq!(e.kind(), PushErrorKind::TooLarge);
}
