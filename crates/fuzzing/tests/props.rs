//! Property tests (arbtest, a fraction of a second each): request round trips through the
//! registry, push seal → receive round trips with random keys, ids, Chinese text and 64-bit
//! integers, and signing as a pure function of its inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arbitrary::{Arbitrary, Unstructured};
use arbtest::arbtest;
use scrm_core::de::FieldType;
use scrm_core::push::{PushRequest, Received};
use scrm_core::registry::DynOperation;
use scrm_core::{HeaderMap, HeaderName, HeaderValue, Vendor};
use serde_json::{Value, json};

const BUDGET_MS: u64 = 300;

/// Text with Chinese, ASCII, quotes and escapes.
fn text(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    const PIECES: &[&str] = &[
        "张三",
        "客户",
        "企业微信",
        "表单",
        "a",
        "Z",
        "0",
        "9",
        " ",
        "\"",
        "\\",
        "/",
        "&",
        "=",
        "+",
        "%",
        "\n",
        "é",
        "😀",
        "{",
        "}",
    ];
    let n = u.int_in_range(0..=12)?;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(u.choose(PIECES)?);
    }
    Ok(s)
}

fn digits(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    Ok(u64::arbitrary(u)?.to_string())
}

/// A request value for a documented field of type `ty`: what a user passes with `--param`.
fn param_value(u: &mut Unstructured<'_>, ty: FieldType) -> arbitrary::Result<String> {
    Ok(match ty {
        FieldType::Integer | FieldType::Code => (u.int_in_range(0..=100_000u64)?).to_string(),
        FieldType::Decimal => format!("{}.{}", u8::arbitrary(u)?, u8::arbitrary(u)?),
        FieldType::UnixSeconds => u
            .int_in_range(1_500_000_000u64..=1_900_000_000)?
            .to_string(),
        FieldType::UnixMillis => u
            .int_in_range(1_500_000_000_000u64..=1_900_000_000_000)?
            .to_string(),
        FieldType::Date => format!(
            "20{:02}-{:02}-{:02}",
            u.int_in_range(10..=30)?,
            u.int_in_range(1..=12)?,
            u.int_in_range(1..=28)?
        ),
        FieldType::DateTime => format!(
            "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}",
            u.int_in_range(10..=30)?,
            u.int_in_range(1..=12)?,
            u.int_in_range(1..=28)?,
            u.int_in_range(0..=23)?,
            u.int_in_range(0..=59)?,
            u.int_in_range(0..=59)?
        ),
        FieldType::Bool => (*u.choose(&["true", "false", "1", "0"])?).to_owned(),
        FieldType::List => {
            let n = u.int_in_range(1..=3)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(digits(u)?);
            }
            items.join(",")
        }
        FieldType::Json => json!({ "k": text(u)? }).to_string(),
        _ => {
            if u.ratio(1, 2)? {
                digits(u)?
            } else {
                text(u)?
            }
        }
    })
}

/// For every operation: random documented parameters; whatever `check` accepts, its wire
/// form is accepted again and comes back unchanged.
fn round_trips<V: Vendor>(operations: &[&'static dyn DynOperation<V>]) {
    for op in operations {
        let info = op.info();
        let mut accepted = 0u32;
        arbtest(|u| {
            let mut params = Vec::new();
            for field in info.fields {
                if u.ratio(1, 2)? {
                    params.push(format!("{}={}", field.name, param_value(u, field.ty)?));
                }
            }
            let request = info
                .request_from_params(params.iter().map(String::as_str), Some(20))
                .unwrap();
            if let Ok(wire) = op.check(request.clone()) {
                accepted += 1;
                let again = op.check(wire.clone()).unwrap_or_else(|e| {
                    panic!(
                        "{} {}: the wire form {wire} of {request} is refused: {e}",
                        info.vendor, info.name
                    )
                });
                assert_eq!(again, wire, "{} {}: {request}", info.vendor, info.name);
            }
            Ok(())
        })
        .budget_ms(BUDGET_MS / 4);
        // The empty request (defaults only) is accepted by every list operation; the test
        // must have seen accepted requests to mean anything.
        let empty = op.check(json!({}));
        assert!(
            accepted > 0 || empty.is_err(),
            "{} {}: no generated request was accepted",
            info.vendor,
            info.name
        );
    }
}

#[test]
fn every_registered_request_round_trips_through_its_wire_form() {
    round_trips(scrm_wshoto::OPERATIONS);
    round_trips(scrm_weiban::OPERATIONS);
    round_trips(scrm_waiqin::OPERATIONS);
    round_trips(scrm_tanma::OPERATIONS);
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

fn ascii_id(u: &mut Unstructured<'_>, min: usize) -> arbitrary::Result<String> {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    let n = u.int_in_range(min..=24)?;
    let mut s = String::new();
    for _ in 0..n {
        s.push(*u.choose(ALNUM)? as char);
    }
    Ok(s)
}

#[test]
fn weiban_pushes_sealed_with_random_keys_open_to_the_same_event() {
    use base64::Engine;
    arbtest(|u| {
        let key_bytes: [u8; 32] = u.arbitrary()?;
        let key = base64::engine::general_purpose::STANDARD_NO_PAD.encode(key_bytes);
        let token = ascii_id(u, 1)?;
        let receive_id = ascii_id(u, 1)?;
        let receiver = scrm_weiban::push::PushReceiver::builder()
            .token(token)
            .encoding_aes_key(key)
            .receive_id(receive_id)
            .build()
            .unwrap();
        let id = format!("{}{}", text(u)?, u64::arbitrary(u)?);
        let event = json!({
            "id": id,
            "event": text(u)?,
            "big": i64::arbitrary(u)?,
            "ubig": u64::arbitrary(u)?,
            "name": text(u)?,
        });
        let ts = u32::arbitrary(u)?.to_string();
        let nonce = ascii_id(u, 1)?;
        let sealed = receiver
            .sender()
            .seal(event.to_string().as_bytes(), &ts, &nonce)
            .unwrap();
        let headers = headers_of(&sealed.headers);
        let received = receiver
            .receive(&PushRequest::new(
                &sealed.method,
                &sealed.query,
                &headers,
                &sealed.body,
            ))
            .unwrap();
        let Received::Event(verified) = received else {
            panic!("not an event")
        };
        assert_eq!(verified.event.id, id);
        assert_eq!(verified.event.payload["big"], event["big"]);
        assert_eq!(verified.event.payload["ubig"], event["ubig"]);
        assert_eq!(verified.event.payload["name"], event["name"]);
        Ok(())
    })
    .budget_ms(BUDGET_MS);
}

#[test]
fn tanma_pushes_sealed_with_random_keys_open_and_echo_the_noise_exactly() {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};
    arbtest(|u| {
        let now_ms = u.int_in_range(1_600_000_000_000u64..=2_000_000_000_000)?;
        let clock = Arc::new(scrm_core::ManualClock::new(
            UNIX_EPOCH + Duration::from_millis(now_ms),
        ));
        let receiver = scrm_tanma::push::PushReceiver::builder()
            .app_id(ascii_id(u, 1)?)
            .app_key(ascii_id(u, 1)?)
            .clock(clock)
            .build()
            .unwrap();
        let noise = i64::arbitrary(u)?;
        let msg_id = u64::arbitrary(u)?;
        let content = text(u)?;
        let plaintext = format!(
            r#"{{"type":"register","noise":{noise},"msgId":{msg_id},"content":{}}}"#,
            serde_json::to_string(&content).unwrap()
        );
        let sealed = receiver.sender().seal(plaintext.as_bytes(), now_ms);
        let headers = headers_of(&sealed.headers);
        let received = receiver
            .receive(&PushRequest::new(
                &sealed.method,
                &sealed.query,
                &headers,
                &sealed.body,
            ))
            .unwrap();
        assert_eq!(received.reply().body, noise.to_string().into_bytes());
        let Received::Event(verified) = received else {
            panic!("not an event")
        };
        assert_eq!(verified.typed.noise, noise);
        assert_eq!(verified.typed.msg_id.as_str(), msg_id.to_string());
        assert_eq!(verified.typed.content, Value::String(content));
        Ok(())
    })
    .budget_ms(BUDGET_MS);
}

#[test]
fn waiqin_pushes_signed_with_random_secrets_verify_and_keep_the_data() {
    arbtest(|u| {
        let receiver = scrm_waiqin::push::PushReceiver::builder()
            .push_secret(ascii_id(u, 1)?)
            .build()
            .unwrap();
        let data = json!({
            "name": text(u)?,
            "id": u64::arbitrary(u)?,
            "n": i64::arbitrary(u)?,
        })
        .to_string();
        let msg_id = format!("{}", u64::arbitrary(u)?);
        let ts = u64::arbitrary(u)?.to_string();
        let sealed = receiver.sender().seal(&[
            ("msgId", &msg_id),
            ("dataType", "custom"),
            ("data", &data),
            ("timestamp", &ts),
        ]);
        let headers = headers_of(&sealed.headers);
        let received = receiver
            .receive(&PushRequest::new(
                &sealed.method,
                &sealed.query,
                &headers,
                &sealed.body,
            ))
            .unwrap();
        let Received::Event(verified) = received else {
            panic!("not an event")
        };
        assert_eq!(verified.typed.msg_id, msg_id);
        assert_eq!(verified.typed.data_raw, data);
        assert_eq!(
            verified.typed.data,
            serde_json::from_str::<Value>(&data).unwrap()
        );
        Ok(())
    })
    .budget_ms(BUDGET_MS);
}

/// Same inputs, same signature; one input changed, another signature.
#[test]
fn signing_is_a_pure_function_of_its_inputs() {
    arbtest(|u| {
        let a: Vec<String> = (0..4).map(|_| text(u)).collect::<Result<_, _>>()?;
        let body = text(u)?.into_bytes();
        let other = format!("{}x", a[0]);

        let tanma = |x: &str| scrm_tanma::auth::sign(x, &a[1], &body, &a[2]);
        assert_eq!(tanma(&a[0]), tanma(&a[0]));
        assert_ne!(tanma(&a[0]), tanma(&other));

        let waiqin = |k: &str| scrm_waiqin::digest(&body, k, &a[1]);
        assert_eq!(waiqin(&a[0]), waiqin(&a[0]));
        assert_ne!(waiqin(&a[0]), waiqin(&other));

        let weiban = |t: &str| scrm_weiban::push::signature(t, &a[1], &a[2], &a[3]);
        assert_eq!(weiban(&a[0]), weiban(&a[0]));
        assert_ne!(weiban(&a[0]), weiban(&other));

        let tanma_push = |k: &str| scrm_tanma::push::signature(&a[1], "1", &a[2], k);
        assert_eq!(tanma_push(&a[0]), tanma_push(&a[0]));
        assert_ne!(tanma_push(&a[0]), tanma_push(&other));

        let waiqin_push = |s: &str| scrm_waiqin::push::signature(&a[1], s, &a[2]);
        assert_eq!(waiqin_push(&a[0]), waiqin_push(&a[0]));
        assert_ne!(waiqin_push(&a[0]), waiqin_push(&other));
        Ok(())
    })
    .budget_ms(BUDGET_MS);
}
