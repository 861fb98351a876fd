//! Push receiver: the vendor's vector, round trips, every refusal, no secret in any output.

use scrm_core::push::{PushErrorKind, PushRequest, Received};
use scrm_core::{HeaderMap, Method};
use scrm_testkit::CANARY_WEIBAN_SECRET;
use scrm_weiban::push::{PushReceiver, signature};

const TOKEN: &str = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
const KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const RECEIVE_ID: &str = "ww1436e0e65a779aee";
const TS: &str = "1639731768";
const NONCE: &str = "64390332";
const ECHOSTR: &str =
    "505deLub74lMxyhj6SZk55rjDRxM7lEzVa/8ZFdOUWkkv9kFpNI+9c3YLRLDjL+1GEIWpvuQSFw2ck2zb0QcAQ==";
const VECTOR_SIG: &str = "8ddba101fe5f9404e6b28e2d6cfb7565c7572d09";

fn receiver_with(token: &str, receive_id: &str) -> PushReceiver {
    PushReceiver::builder()
        .token(token)
        .encoding_aes_key(KEY)
        .receive_id(receive_id)
        .build()
        .unwrap()
}

fn receiver() -> PushReceiver {
    receiver_with(TOKEN, RECEIVE_ID)
}

fn get(
    r: &PushReceiver,
    query: &str,
) -> Result<Received<scrm_weiban::push::WeibanPush>, scrm_core::push::PushError> {
    let h = HeaderMap::new();
    r.receive(&PushRequest::new(&Method::GET, query, &h, b""))
}

fn post(
    r: &PushReceiver,
    query: &str,
    body: &[u8],
) -> Result<Received<scrm_weiban::push::WeibanPush>, scrm_core::push::PushError> {
    let h = HeaderMap::new();
    r.receive(&PushRequest::new(&Method::POST, query, &h, body))
}

fn enc(v: &str) -> String {
    serde_urlencoded::to_string([("x", v)]).unwrap()[2..].to_owned()
}

#[test]
fn golden_vendor_signature() {
    assert_eq!(signature(TOKEN, TS, NONCE, ECHOSTR), VECTOR_SIG);
}

#[test]
fn golden_vendor_url_verification() {
    let q = format!(
        "msg_signature={VECTOR_SIG}&timestamp={TS}&nonce={NONCE}&echostr={}",
        enc(ECHOSTR)
    );
    let r = get(&receiver(), &q).unwrap();
    assert!(matches!(r, Received::Handshake(_)));
    assert_eq!(r.reply().status, 200);
    assert_eq!(
        r.reply().body,
        b"80908904",
        "plaintext as it is: no quotes, no newline"
    );
}

#[test]
fn golden_vector_with_another_receive_id_is_wrong_receiver() {
    let q = format!(
        "msg_signature={VECTOR_SIG}&timestamp={TS}&nonce={NONCE}&echostr={}",
        enc(ECHOSTR)
    );
    let e = get(&receiver_with(TOKEN, "1650000000000000001"), &q).unwrap_err();
    assert_eq!(e.kind(), PushErrorKind::WrongReceiver);
    assert_eq!(e.http_status(), 401);
    assert!(e.to_string().contains("ReceiveId"), "{e}");
}

#[test]
fn event_round_trip() {
    let r = receiver();
    let event = br#"{"id":"0b3c1a6e-2b0e-4a57-9a51-2f3c8b2a9d11","corp_id":"ww1436e0e65a779aee","create_time":1409659813.111,"type":"event","event":"meeting_change","status":"create","retry_count":0,"seq":1,"msg_data":{"meeting_id":"m1"},"extra":true}"#;
    let push = r.sender().seal(event, "1700000000", "nonce1").unwrap();
    let got = post(&r, &push.query, &push.body).unwrap();
    let v = got.event().unwrap();
    assert_eq!(v.event.vendor, "weiban");
    assert_eq!(v.event.id, "0b3c1a6e-2b0e-4a57-9a51-2f3c8b2a9d11");
    assert_eq!(v.event.event_type, "meeting_change");
    assert_eq!(
        v.event.payload,
        serde_json::from_slice::<serde_json::Value>(event).unwrap()
    );
    assert_eq!(v.typed.status.as_deref(), Some("create"));
    assert_eq!(v.typed.retry_count, Some(0));
    assert_eq!(
        v.typed.create_time.as_ref().map(|n| n.to_string()),
        Some("1409659813.111".to_owned())
    );
    assert_eq!(v.typed.msg_data["meeting_id"], "m1");
    assert_eq!(v.typed.other["extra"], true);
    assert_eq!(got.reply().body, br#"{"errcode":0}"#);
    assert_eq!(got.reply().content_type, "application/json");
}

#[test]
fn url_check_round_trip_every_message_length() {
    let r = receiver();
    // Every padding length 1..=32 is exercised across 0..64 byte messages.
    for n in 0..64usize {
        let echo: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
        let push = r.sender().seal_url_check(&echo, "1", "2").unwrap();
        assert_eq!(push.method, Method::GET);
        assert_eq!(
            get(&r, &push.query).unwrap().reply().body,
            echo,
            "length {n}"
        );
    }
}

#[test]
fn refusals() {
    let r = receiver();
    let push = r
        .sender()
        .seal(br#"{"id":"e1","event":"x"}"#, "1700000000", "n")
        .unwrap();
    let kind = |q: &str, body: &[u8]| post(&r, q, body).unwrap_err().kind();

    // Missing signature, missing timestamp: 401.
    assert_eq!(
        kind("timestamp=1&nonce=2", &push.body),
        PushErrorKind::BadSignature
    );
    let no_ts = push.query.replace("timestamp=1700000000&", "");
    assert_eq!(kind(&no_ts, &push.body), PushErrorKind::BadSignature);
    // Wrong signature: another token, or a tampered encrypt.
    let other = receiver_with("another-token", RECEIVE_ID);
    let e = post(&other, &push.query, &push.body).unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::BadSignature, 401)
    );
    let mut body: serde_json::Value = serde_json::from_slice(&push.body).unwrap();
    let encrypt = body["encrypt"].as_str().unwrap().to_owned();
    // Another first character (the ciphertext is random: it may start with `A` itself).
    let first = if encrypt.starts_with('A') { 'B' } else { 'A' };
    body["encrypt"] = format!("{first}{}", &encrypt[1..]).into();
    assert_eq!(
        kind(&push.query, body.to_string().as_bytes()),
        PushErrorKind::BadSignature
    );
    // Another timestamp than signed.
    let q = push
        .query
        .replace("timestamp=1700000000", "timestamp=1700000001");
    assert_eq!(kind(&q, &push.body), PushErrorKind::BadSignature);

    // Malformed bodies: 400.
    for bad in [&b"not json"[..], b"{}", br#"{"encrypt":5}"#] {
        let e = post(&r, &push.query, bad).unwrap_err();
        assert_eq!((e.kind(), e.http_status()), (PushErrorKind::Malformed, 400));
    }
    // GET without echostr.
    assert_eq!(
        get(&r, "msg_signature=a&timestamp=1&nonce=2")
            .unwrap_err()
            .kind(),
        PushErrorKind::Malformed
    );

    // Signed with the right token but encrypted with another key: undecryptable, 400.
    let other_key = PushReceiver::builder()
        .token(TOKEN)
        .encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
        .receive_id(RECEIVE_ID)
        .build()
        .unwrap();
    let foreign = other_key
        .sender()
        .seal(br#"{"id":"e2"}"#, "1", "2")
        .unwrap();
    let e = post(&r, &foreign.query, &foreign.body).unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::Undecryptable, 400)
    );
    assert!(e.to_string().contains("EncodingAESKey"), "{e}");
    // A signed encrypt that is not whole AES blocks.
    let sender = r.sender();
    let short = sender.seal_encrypted("AAAA", "1", "2");
    assert_eq!(
        post(&r, &short.query, &short.body).unwrap_err().kind(),
        PushErrorKind::Undecryptable
    );

    // Decrypted, but not an event with an id.
    let no_id = sender.seal(br#"{"event":"x"}"#, "1", "2").unwrap();
    assert_eq!(
        post(&r, &no_id.query, &no_id.body).unwrap_err().kind(),
        PushErrorKind::Malformed
    );
    let not_json = sender.seal(b"plain text", "1", "2").unwrap();
    assert_eq!(
        post(&r, &not_json.query, &not_json.body)
            .unwrap_err()
            .kind(),
        PushErrorKind::Malformed
    );

    // Too large: 413 at 1 MiB + 1, and exactly 1 MiB gets past the size check.
    let big = vec![b' '; 1_048_577];
    let e = post(&r, &push.query, &big).unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (PushErrorKind::TooLarge, 413));
    let limit = vec![b' '; 1_048_576];
    assert_eq!(
        post(&r, &push.query, &limit).unwrap_err().kind(),
        PushErrorKind::Malformed
    );

    // Another method: 405.
    let h = HeaderMap::new();
    let e = r
        .receive(&PushRequest::new(&Method::PUT, &push.query, &h, &push.body))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (PushErrorKind::MethodNotAllowed, 405)
    );
}

#[test]
fn a_wrong_key_with_a_garbage_length_prefix_does_not_crash() {
    // Many random prefixes through a wrong key: every outcome is a refusal, never a panic.
    let r = receiver();
    let other = PushReceiver::builder()
        .token(TOKEN)
        .encoding_aes_key("zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT")
        .receive_id(RECEIVE_ID)
        .build()
        .unwrap();
    for i in 0..200u32 {
        let msg = vec![b'x'; (i % 70) as usize];
        let p = other.sender().seal(&msg, "1", &i.to_string()).unwrap();
        assert!(post(&r, &p.query, &p.body).is_err());
    }
}

#[test]
fn build_errors_name_the_mistake() {
    let msg = |b: scrm_weiban::push::PushReceiverBuilder| b.build().unwrap_err().to_string();
    let base = || PushReceiver::builder().token(TOKEN).receive_id(RECEIVE_ID);
    let e = msg(base().encoding_aes_key(format!("{KEY}=")));
    assert!(
        e.contains("43 characters") && e.contains("drop the trailing `=`"),
        "{e}"
    );
    let e = msg(base().encoding_aes_key(&KEY[..42]));
    assert!(e.contains("43 characters, it has 42"), "{e}");
    let e = msg(base().encoding_aes_key(format!("{}-", &KEY[..42])));
    assert!(e.contains("A-Z"), "{e}");
    let e = msg(base());
    assert!(e.contains("EncodingAESKey is missing"), "{e}");
    let e = msg(PushReceiver::builder()
        .encoding_aes_key(KEY)
        .receive_id(RECEIVE_ID));
    assert!(e.contains("Token"), "{e}");
    let e = msg(PushReceiver::builder().token(TOKEN).encoding_aes_key(KEY));
    assert!(e.contains("ReceiveId"), "{e}");
    let e = msg(base().encoding_aes_key(format!("{KEY} ")));
    assert!(e.contains("whitespace"), "{e}");
}

#[test]
fn secrets_never_in_debug_or_errors() {
    let key = "CanaryKeyCanaryKeyCanaryKeyCanaryKey0123456";
    assert_eq!(key.len(), 43);
    let r = receiver_with(CANARY_WEIBAN_SECRET, RECEIVE_ID);
    let r = PushReceiver::builder()
        .token(CANARY_WEIBAN_SECRET)
        .encoding_aes_key(key)
        .receive_id(RECEIVE_ID)
        .build()
        .unwrap_or(r);
    let builder = PushReceiver::builder()
        .token(CANARY_WEIBAN_SECRET)
        .encoding_aes_key(key);
    let mut text = format!("{r:?} {:?} {builder:?}", r.sender());
    let push = r.sender().seal(br#"{"id":"e"}"#, "1", "2").unwrap();
    text.push_str(&format!("{push:?}"));
    for q in ["", "msg_signature=00&timestamp=1&nonce=2", &push.query] {
        for body in [&b"{}"[..], b"x", &push.body] {
            if let Err(e) = post(&receiver(), q, body) {
                text.push_str(&format!("{e} {e:?}"));
            }
        }
    }
    let e = PushReceiver::builder()
        .token(CANARY_WEIBAN_SECRET)
        .encoding_aes_key(format!("{key}x"))
        .receive_id("r")
        .build()
        .unwrap_err();
    text.push_str(&format!("{e} {e:?}"));
    scrm_testkit::assert_no_canary(&text);
    assert!(!text.contains(key), "the EncodingAESKey leaked: {text}");
}
