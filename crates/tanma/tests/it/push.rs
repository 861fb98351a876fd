//! Push receiver: the vendor's vector, round trips, the window, every refusal, no secret leaks.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use scrm_core::push::{PushError, PushErrorKind, PushRequest, Received};
use scrm_core::{HeaderMap, HeaderName, HeaderValue, ManualClock, Method};
use scrm_tanma::push::{
    ChangeType, PushReceiver, PushReceiverBuilder, SealedPush, TagType, TanmaContent, TanmaPush,
    signature,
};
use scrm_testkit::CANARY_TANMA_APP_KEY;

const VECTOR_TS: u64 = 1_596_681_164_807;
const VECTOR_SIGN: &str = "317672b4685d9b8bafe1794390e31209aed5cef912683292fed94a69085919d3";
const VECTOR_BODY: &str = "5TMVT8H4yTSSoING+afhRlGcCZAIxTs8Z7o3vGpid6tF2aF7C73uZ44qMopuNPCFmwOLOJ8xViCTHUfe/xYZSb71/VRSEDeIqqwN4eg=";

fn clock_at(ms: u64) -> Arc<ManualClock> {
    Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_millis(ms)))
}

fn vector_receiver(clock: Arc<ManualClock>) -> PushReceiver {
    PushReceiver::builder()
        .app_id("zc_test")
        .app_key("zc_test")
        .corp_id("zc_test")
        .clock(clock)
        .build()
        .unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn send(r: &PushReceiver, push: &SealedPush) -> Result<Received<TanmaPush>, PushError> {
    let h = headers(
        &push
            .headers
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    r.receive(&PushRequest::new(&push.method, &push.query, &h, &push.body))
}

fn vector_headers() -> HeaderMap {
    headers(&[
        ("appId", "zc_test"),
        ("timestamp", "1596681164807"),
        ("version", "1"),
        ("sign", VECTOR_SIGN),
        ("content-type", "text/plain;charset=UTF-8"),
    ])
}

#[test]
fn golden_vendor_sign() {
    assert_eq!(
        signature("zc_test", "1", "1596681164807", "zc_test"),
        VECTOR_SIGN
    );
}

#[test]
fn golden_vendor_push() {
    let r = vector_receiver(clock_at(VECTOR_TS + 1000));
    let h = vector_headers();
    let got = r
        .receive(&PushRequest::new(
            &Method::POST,
            "",
            &h,
            VECTOR_BODY.as_bytes(),
        ))
        .unwrap();
    let v = got.event().unwrap();
    assert_eq!(v.event.vendor, "tanma");
    assert_eq!(v.event.id, "999");
    assert_eq!(v.event.event_type, "register");
    assert_eq!(v.typed.noise, 4_970_601_478_527_096_155);
    assert_eq!(v.typed.content, "hello");
    // The payload keeps noise exactly (an f64 would print 4970601478527096000).
    assert_eq!(
        v.event.payload.to_string(),
        r#"{"content":"hello","msgId":999,"noise":4970601478527096155,"type":"register"}"#
    );
    assert_eq!(got.reply().status, 200);
    assert_eq!(got.reply().body, b"4970601478527096155");
}

#[test]
fn golden_vector_is_stale_outside_the_window() {
    let clock = clock_at(VECTOR_TS + 5 * 60 * 1000);
    let r = vector_receiver(clock.clone());
    let h = vector_headers();
    let req = PushRequest::new(&Method::POST, "", &h, VECTOR_BODY.as_bytes());
    assert!(r.receive(&req).is_ok(), "exactly 5 minutes is inside");
    clock.advance(Duration::from_millis(1));
    let e = r.receive(&req).unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (PushErrorKind::Stale, 401));
    assert!(e.message().contains("300 s behind"), "{e}");
    // Ahead of the clock too.
    clock.set(UNIX_EPOCH + Duration::from_millis(VECTOR_TS - 301_000));
    assert!(r.receive(&req).unwrap_err().message().contains("ahead of"));
    // A configurable window.
    let wide = PushReceiver::builder()
        .app_id("zc_test")
        .app_key("zc_test")
        .corp_id("zc_test")
        .timestamp_window(Duration::from_secs(3600))
        .clock(clock_at(VECTOR_TS + 3_000_000))
        .build()
        .unwrap();
    assert!(wide.receive(&req).is_ok());
}

#[test]
fn round_trip_with_derived_corp_id_and_change_corp_tag() {
    let now = 1_700_000_000_000;
    let r = PushReceiver::builder()
        .app_id("wwEXAMPLE_corp_AbCdEf")
        .app_key("EXAMPLEAPPKEY")
        .clock(clock_at(now))
        .build()
        .unwrap();
    let plain = r#"{"type":"change_corp_tag","noise":-9223372036854775808,"msgId":12345678901234567890,"content":{"tagId":"t1","qwTagId":"et1","tagGroupId":17,"tagGroupName":"客户等级","tagGroupQwId":"etg1","tagType":"tag","currentName":"A级","changeType":"update","order":3,"newKey":1}}"#;
    let push = r.sender().seal(plain.as_bytes(), now);
    let got = send(&r, &push).unwrap();
    let v = got.event().unwrap();
    assert_eq!(v.event.id, "12345678901234567890");
    assert_eq!(v.typed.noise, i64::MIN);
    assert_eq!(got.reply().body, b"-9223372036854775808");
    match v.typed.typed_content() {
        TanmaContent::ChangeCorpTag(c) => {
            assert_eq!(c.tag_id.unwrap().as_str(), "t1");
            assert_eq!(c.tag_group_id.unwrap().as_str(), "17");
            assert_eq!(c.tag_type, Some(TagType::Tag));
            assert_eq!(c.change_type, Some(ChangeType::Update));
            assert_eq!(c.current_name.as_deref(), Some("A级"));
            assert_eq!(c.other["newKey"], 1);
        }
        other => panic!("{other:?}"),
    }
    // An unknown type keeps its raw content.
    let push = r.sender().seal(
        br#"{"type":"visit","noise":1,"msgId":2,"content":{"a":[1]}}"#,
        now,
    );
    let v = send(&r, &push).unwrap();
    let v = v.event().unwrap();
    assert_eq!(
        v.typed.typed_content(),
        TanmaContent::Unknown(serde_json::json!({"a":[1]}))
    );
    // An unknown enum value inside a known type.
    let push = r.sender().seal(br#"{"type":"change_corp_tag","noise":1,"msgId":3,"content":{"tagType":"label","changeType":"merge"}}"#, now);
    let v = send(&r, &push).unwrap();
    match v.event().unwrap().typed.typed_content() {
        TanmaContent::ChangeCorpTag(c) => {
            assert_eq!(c.tag_type, Some(TagType::Unknown("label".into())));
            assert_eq!(c.change_type, Some(ChangeType::Unknown("merge".into())));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals() {
    let now = 1_700_000_000_000;
    let r = PushReceiver::builder()
        .app_id("corp_app")
        .app_key("key-1")
        .clock(clock_at(now))
        .build()
        .unwrap();
    let good = r
        .sender()
        .seal(br#"{"type":"t","noise":1,"msgId":1,"content":null}"#, now);
    assert!(send(&r, &good).is_ok());
    let with = |f: &dyn Fn(&mut SealedPush)| {
        let mut p = good.clone();
        f(&mut p);
        send(&r, &p).unwrap_err()
    };
    let set = |name: &'static str, value: &'static str| {
        move |p: &mut SealedPush| {
            for (k, v) in p.headers.iter_mut() {
                if *k == name {
                    *v = value.to_owned();
                }
            }
        }
    };
    for name in ["appId", "timestamp", "version", "sign"] {
        let e = with(&|p: &mut SealedPush| p.headers.retain(|(k, _)| *k != name));
        assert_eq!(
            (e.kind(), e.http_status()),
            (PushErrorKind::BadSignature, 401),
            "{name}"
        );
        assert!(e.message().contains(name));
    }
    let e = with(&set("sign", "00"));
    assert_eq!(e.kind(), PushErrorKind::BadSignature);
    let e = with(&set("version", "2"));
    assert_eq!(e.kind(), PushErrorKind::BadSignature);
    let e = with(&set("appId", "other_app"));
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::WrongReceiver, 401)
    );
    // Signed with another key.
    let forger = PushReceiver::builder()
        .app_id("corp_app")
        .app_key("key-2")
        .build()
        .unwrap();
    let forged = forger
        .sender()
        .seal(br#"{"type":"t","noise":1,"msgId":1}"#, now);
    assert_eq!(
        send(&r, &forged).unwrap_err().kind(),
        PushErrorKind::BadSignature
    );
    // Right signature, body encrypted with another corp id: undecryptable, 400.
    let other_corp = PushReceiver::builder()
        .app_id("corp_app")
        .app_key("key-1")
        .corp_id("zz")
        .build()
        .unwrap();
    let p = other_corp.sender().seal(
        br#"{"type":"t","noise":1,"msgId":1,"content":"a long enough content"}"#,
        now,
    );
    let e = send(&r, &p).unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::Undecryptable, 400)
    );
    assert!(e.message().contains("corp id"));
    // Not base64; not the documented JSON; noise beyond i64; timestamp not a number.
    let e = with(&|p: &mut SealedPush| p.body = b"%%%".to_vec());
    assert_eq!((e.kind(), e.http_status()), (PushErrorKind::Malformed, 400));
    for plain in [
        &br#"{"noise":1,"msgId":1}"#[..],
        br#"{"type":"t","msgId":1}"#,
        br#"{"type":"t","noise":1}"#,
        br#"{"type":"t","noise":9223372036854775808,"msgId":1}"#,
        br#"{"type":"t","noise":1.5,"msgId":1}"#,
    ] {
        let e = send(&r, &r.sender().seal(plain, now)).unwrap_err();
        assert_eq!(
            e.kind(),
            PushErrorKind::Malformed,
            "{}",
            String::from_utf8_lossy(plain)
        );
    }
    let bad_ts = r.sender().seal_encrypted(good.body.clone(), now);
    let mut bad_ts = bad_ts;
    for (k, v) in bad_ts.headers.iter_mut() {
        if *k == "timestamp" {
            *v = "soon".into();
        }
        if *k == "sign" {
            *v = signature("corp_app", "1", "soon", "key-1");
        }
    }
    assert_eq!(
        send(&r, &bad_ts).unwrap_err().kind(),
        PushErrorKind::Malformed
    );
    // Size and method.
    let e = with(&|p: &mut SealedPush| p.body = vec![b'A'; 1_048_577]);
    assert_eq!((e.kind(), e.http_status()), (PushErrorKind::TooLarge, 413));
    let e = with(&|p: &mut SealedPush| p.body = vec![b'A'; 1_048_576]);
    assert_ne!(e.kind(), PushErrorKind::TooLarge);
    let e = with(&|p: &mut SealedPush| p.method = Method::GET);
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::MethodNotAllowed, 405)
    );
}

#[test]
fn build_errors_name_the_mistake() {
    let msg = |b: PushReceiverBuilder| b.build().unwrap_err().to_string();
    assert!(msg(PushReceiver::builder().app_key("k")).contains("app id"));
    assert!(msg(PushReceiver::builder().app_id("a")).contains("app key"));
    assert!(msg(PushReceiver::builder().app_id("a b").app_key("k")).contains("visible ASCII"));
    assert!(msg(PushReceiver::builder().app_id("a").app_key("k\n")).contains("whitespace"));
    assert!(
        msg(PushReceiver::builder()
            .app_id("a")
            .app_key("k")
            .corp_id(" "))
        .contains("corp id")
    );
}

#[test]
fn secrets_never_in_debug_or_errors() {
    let now = 1_700_000_000_000;
    let r = PushReceiver::builder()
        .app_id("corp_app")
        .app_key(CANARY_TANMA_APP_KEY)
        .clock(clock_at(now))
        .build()
        .unwrap();
    let b = PushReceiver::builder().app_key(CANARY_TANMA_APP_KEY);
    let mut text = format!("{r:?} {:?} {b:?}", r.sender());
    let good = r.sender().seal(br#"{"type":"t","noise":1,"msgId":1}"#, now);
    let sign = good
        .headers
        .iter()
        .find(|(k, _)| *k == "sign")
        .unwrap()
        .1
        .clone();
    for p in [
        r.sender().seal(br#"{"type":"t"}"#, now),
        r.sender().seal(b"x", now),
        r.sender()
            .seal(br#"{"type":"t","noise":1,"msgId":1}"#, now - 3_600_000),
        r.sender().seal_encrypted(b"!!".to_vec(), now),
    ] {
        let e = send(&r, &p).unwrap_err();
        text.push_str(&format!("{e} {e:?}\n"));
    }
    let forger = PushReceiver::builder()
        .app_id("corp_app")
        .app_key("x-key")
        .build()
        .unwrap();
    let e = send(&r, &forger.sender().seal(b"{}", now)).unwrap_err();
    text.push_str(&format!("{e} {e:?}"));
    scrm_testkit::assert_no_canary(&text);
    assert!(!text.contains(&sign));
}
