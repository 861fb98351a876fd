//! Push receiver: the documented formula, round trips, every refusal, no secret leaks.

use scrm_core::push::{PushErrorKind, PushRequest};
use scrm_core::{HeaderMap, Method};
use scrm_testkit::CANARY_WAIQIN_APPKEY;
use scrm_waiqin::push::{PushReceiver, PushSender, PushStatus, signature};

const DATA: &str =
    r#"{"cm_code":"CUS000020","id":"7087293505129744417","cm_name":"苏果超市夫子庙社区店"}"#;

fn receiver() -> PushReceiver {
    PushReceiver::builder()
        .push_secret("push-secret-1")
        .build()
        .unwrap()
}

fn receive(
    r: &PushReceiver,
    body: &[u8],
) -> Result<scrm_core::push::Received<scrm_waiqin::push::WaiqinPush>, scrm_core::push::PushError> {
    let h = HeaderMap::new();
    r.receive(&PushRequest::new(&Method::POST, "", &h, body))
}

fn fields(status: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("msgId", "f3b2c1d0-0000-4000-8000-000000000001"),
        ("dataType", "custom"),
        ("dataId", "7087293505129744417"),
        ("dataVersion", "001"),
        ("dataFormat", "json"),
        ("dataSource", "biz"),
        ("data", DATA),
        ("timestamp", "1569404987248"),
        ("status", status),
        ("statusTime", "2019-09-25 17:49:47"),
        ("tenantId", "8888"),
    ]
}

/// The push digest is the pull API's documented `md5(body|key|timestamp)` shape; the vendor's
/// pull example checks the formula (the push example's secret is not published).
#[test]
fn golden_documented_md5_shape() {
    let body =
        r#"{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}"#;
    assert_eq!(
        signature(body, "BFCO0PAgIUgd50c0l6", "20150806142836"),
        "74267bf0cae0998a719879ec9b3c7780"
    );
}

#[test]
fn round_trip_first_push_and_retry() {
    let r = receiver();
    let got = receive(&r, &r.sender().seal(&fields("0")).body).unwrap();
    let v = got.event().unwrap();
    assert_eq!(v.event.vendor, "waiqin");
    assert_eq!(v.event.id, "f3b2c1d0-0000-4000-8000-000000000001");
    assert_eq!(v.event.event_type, "custom");
    assert_eq!(v.event.payload["data"]["cm_name"], "苏果超市夫子庙社区店");
    assert_eq!(v.event.payload["dataVersion"], "001");
    assert_eq!(v.event.payload["digest"].as_str().unwrap().len(), 32);
    assert_eq!(v.typed.status, PushStatus::First);
    assert_eq!(v.typed.data_raw, DATA);
    assert_eq!(v.typed.tenant_id.as_deref(), Some("8888"));
    assert_eq!(got.reply().body, br#"{"return_code":0}"#);
    let got = receive(&r, &r.sender().seal(&fields("2")).body).unwrap();
    assert_eq!(got.event().unwrap().typed.status, PushStatus::Retry);
    // An old timestamp is fine: retries come for up to 10 days.
    let mut old = fields("2");
    old[7] = ("timestamp", "1000000000000");
    assert!(receive(&r, &r.sender().seal(&old).body).is_ok());
    assert_eq!(scrm_waiqin::push::RETRY_REPLY, br#"{"return_code":1}"#);
}

#[test]
fn plus_in_a_form_is_a_space_and_percent_escapes_decode() {
    let r = receiver();
    let data = r#"{"name":"a b+c&d=é"}"#;
    let digest = signature(data, "push-secret-1", "1");
    // Encoded by hand as a browser would: space as `+`, `+` as %2B.
    let body = format!(
        "msgId=m&data=%7B%22name%22%3A%22a+b%2Bc%26d%3D%C3%A9%22%7D&timestamp=1&digest={digest}"
    );
    let got = receive(&r, body.as_bytes()).unwrap();
    assert_eq!(got.event().unwrap().typed.data["name"], "a b+c&d=é");
}

#[test]
fn refusals() {
    let r = receiver();
    let kind = |f: &[(&str, &str)]| receive(&r, &PushSender::form(f).body).unwrap_err();
    let sealed = r.sender().seal(&fields("0"));
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&sealed.body).unwrap();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for missing in ["digest", "data", "timestamp"] {
        let f: Vec<_> = pairs
            .iter()
            .copied()
            .filter(|(k, _)| *k != missing)
            .collect();
        let e = kind(&f);
        assert_eq!(
            (e.kind(), e.http_status()),
            (PushErrorKind::BadSignature, 401),
            "{missing}"
        );
    }
    // Tampered data, timestamp; another secret.
    for (field, value) in [
        ("data", r#"{"id":"1"}"#),
        ("timestamp", "1569404987249"),
        ("digest", "0123456789abcdef0123456789abcdef"),
    ] {
        let f: Vec<_> = pairs
            .iter()
            .map(|&(k, v)| if k == field { (k, value) } else { (k, v) })
            .collect();
        assert_eq!(kind(&f).kind(), PushErrorKind::BadSignature, "{field}");
    }
    let forger = PushReceiver::builder()
        .push_secret("other")
        .build()
        .unwrap();
    let e = receive(&r, &forger.sender().seal(&fields("0")).body).unwrap_err();
    assert!(e.message().contains("push secret"), "{e}");
    // Unaffected by the digest, but required: msgId; data must be JSON.
    let no_id: Vec<_> = fields("0")
        .into_iter()
        .filter(|(k, _)| *k != "msgId")
        .collect();
    let e = receive(&r, &r.sender().seal(&no_id).body).unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (PushErrorKind::Malformed, 400));
    let e = receive(
        &r,
        &r.sender()
            .seal(&[("msgId", "m"), ("data", "not json"), ("timestamp", "1")])
            .body,
    )
    .unwrap_err();
    assert_eq!(e.kind(), PushErrorKind::Malformed);
    // Garbage that is no form: refused (the form reader is lenient, so: no digest).
    let e = receive(&r, b"\xff\xfe=%%").unwrap_err();
    assert!(matches!(e.http_status(), 400 | 401), "{e}");
    // Size and method.
    let e = receive(&r, &vec![b'a'; 1_048_577]).unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (PushErrorKind::TooLarge, 413));
    assert_ne!(
        receive(&r, &vec![b'a'; 1_048_576]).unwrap_err().kind(),
        PushErrorKind::TooLarge
    );
    let h = HeaderMap::new();
    let e = r
        .receive(&PushRequest::new(&Method::GET, "", &h, &sealed.body))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::MethodNotAllowed, 405)
    );
}

#[test]
fn build_errors_and_secrets() {
    let e = PushReceiver::builder().build().unwrap_err().to_string();
    assert!(e.contains("push secret"), "{e}");
    let e = PushReceiver::builder()
        .push_secret(format!("{CANARY_WAIQIN_APPKEY} "))
        .build()
        .unwrap_err();
    let mut text = format!("{e} {e:?}");
    assert!(text.contains("whitespace"));
    let r = PushReceiver::builder()
        .push_secret(CANARY_WAIQIN_APPKEY)
        .build()
        .unwrap();
    text.push_str(&format!(
        "{r:?} {:?} {:?}",
        r.sender(),
        PushReceiver::builder().push_secret(CANARY_WAIQIN_APPKEY)
    ));
    for body in [&b""[..], b"digest=0&data=1&timestamp=2", b"msgId=1"] {
        let e = receive(&r, body).unwrap_err();
        text.push_str(&format!("{e} {e:?}"));
    }
    scrm_testkit::assert_no_canary(&text);
}
