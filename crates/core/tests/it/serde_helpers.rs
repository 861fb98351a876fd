//! Lenient serde helpers on edge cases.

use scrm_core::de::{
    ChinaDateTime, Id, JsonString, UnixMillis, UnixSeconds, china_compact, opt_id, opt_int,
    opt_json_string,
};
use scrm_core::{ErrorKind, decode_json};
use serde::{Deserialize, Serialize};
use std::time::{Duration, UNIX_EPOCH};

#[derive(Deserialize, Serialize, Debug, Default, Clone)]
struct Detail {
    name: String,
}

#[derive(Deserialize, Debug)]
struct Record {
    id: Id,
    #[serde(default, deserialize_with = "opt_id")]
    parent: Option<Id>,
    detail_data: JsonString<Detail>,
    #[serde(default, deserialize_with = "opt_json_string")]
    extra: Option<JsonString<Vec<String>>>,
    #[serde(default, deserialize_with = "opt_int")]
    count: Option<i64>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)] // decoded only to see the error
struct Page {
    records: Vec<Record>,
}

#[test]
fn ids_above_2_pow_53_survive_as_number_and_string() {
    for (json, numeric) in [
        ("18446744073709551615", true),
        ("\"9223372036854775808\"", false),
    ] {
        let id: Id = serde_json::from_str(json).unwrap();
        assert_eq!(id.is_numeric(), numeric);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            json,
            "written back as received"
        );
    }
    let big: Id = serde_json::from_str("4622857986008792650").unwrap();
    assert_eq!(big.as_u64(), Some(4_622_857_986_008_792_650));
    assert_eq!(big, Id::from("4622857986008792650"));
    let neg: Id = serde_json::from_str("-5").unwrap();
    assert_eq!(neg.as_str(), "-5");
    let e = serde_json::from_str::<Id>("1.0e19").unwrap_err();
    assert!(e.to_string().contains("losing digits"), "{e}");
}

#[test]
fn absent_markers() {
    let r: Record = serde_json::from_str(
        r#"{"id":"1","parent":"-1","detail_data":"{\"name\":\"a\"}","extra":"","count":""}"#,
    )
    .unwrap();
    assert!(r.parent.is_none() && r.extra.is_none() && r.count.is_none());
    let r: Record = serde_json::from_str(
        r#"{"id":1,"parent":null,"detail_data":"{\"name\":\"a\"}","extra":"[\"x\"]","count":"12"}"#,
    )
    .unwrap();
    assert_eq!(r.extra.unwrap().value(), &["x"]);
    assert_eq!(r.id, Id::number(1));
    assert_eq!(r.count, Some(12));
    assert_eq!(r.detail_data.value().name, "a");
}

#[test]
fn invalid_inner_json_is_a_decode_error_naming_the_field() {
    let body = br#"{"records":[{"id":1,"detail_data":"{\"name\":\"ok\"}"},{"id":2,"detail_data":"{\"name\": 5}"}]}"#;
    let ok = decode_json::<Page>(&body[..0]).is_err();
    assert!(ok, "an empty body is not a page");
    let e = decode_json::<Page>(body).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    let text = e.to_string();
    assert!(text.contains("records[1].detail_data"), "{text}");
    assert!(
        text.contains("invalid JSON inside the string at `name`"),
        "{text}"
    );

    let body = br#"{"records":[{"id":1,"detail_data":"not json"}]}"#;
    let text = decode_json::<Page>(body).unwrap_err().to_string();
    assert!(
        text.contains("records[0].detail_data") && text.contains("invalid JSON inside the string"),
        "{text}"
    );
}

#[test]
fn json_string_round_trips_the_raw_text() {
    let raw = r#""{\"name\" : \"空格\"}""#;
    let v: JsonString<Detail> = serde_json::from_str(raw).unwrap();
    assert_eq!(serde_json::to_string(&v).unwrap(), raw);
    assert_eq!(v.value().name, "空格");
}

#[test]
fn json_string_is_checked_when_read_and_decoded_once_when_asked() {
    let v: JsonString<Detail> = serde_json::from_str(r#""{\"name\":\"a\"}""#).unwrap();
    let copy = v.clone();
    // Decoded on first use, then kept: the same value every time.
    assert!(std::ptr::eq(v.value(), v.value()));
    assert_eq!(v.value().name, "a");
    assert_eq!(v, copy, "equal by their strings, decoded or not");
    assert_eq!(copy.clone().into_value().name, "a");
    assert_eq!(v.into_value().name, "a");
    // A string that does not decode into `T` still fails the read, naming the path inside.
    let e = serde_json::from_str::<JsonString<Detail>>(r#""{\"name\":[1]}""#).unwrap_err();
    assert!(
        e.to_string()
            .contains("invalid JSON inside the string at `name`"),
        "{e}"
    );
    let built = JsonString::new(Detail { name: "b".into() }).unwrap();
    assert_eq!(built.raw(), r#"{"name":"b"}"#);
    assert_eq!(built.value().name, "b");
    assert_ne!(built, copy);
    assert!(format!("{built:?}").contains(r#"raw: "{\"name\":\"b\"}""#));
}

#[test]
fn china_times_in_every_documented_form() {
    let cases = [
        ("2020-11-19 10:33", 1_605_753_180),
        ("2021-05-11 15:15:48", 1_620_717_348),
        ("2021-05-11 15:15:48.123456", 1_620_717_348),
        ("2024-01-01", 1_704_038_400),
    ];
    for (text, unix) in cases {
        let t = ChinaDateTime::parse(text).unwrap();
        assert_eq!(t.datetime().unix_timestamp(), unix, "{text}");
        assert_eq!(t.as_str(), text);
    }
    let e = ChinaDateTime::parse("sunt").unwrap_err();
    assert!(e.contains("\"sunt\""), "{e}");
    assert!(ChinaDateTime::parse("2021-13-01 00:00:00").is_err());
}

#[test]
fn compact_china_timestamp_ignores_the_machine_zone() {
    // 2015-08-06 06:28:36 UTC is 14:28:36 in China: waiqin's published example.
    let t = UNIX_EPOCH + Duration::from_secs(1_438_842_516);
    assert_eq!(china_compact(t), "20150806142836");
    // 16:30 UTC is already the next day in China.
    let t = UNIX_EPOCH + Duration::from_secs(1_704_126_600); // 2024-01-01 16:30:00 UTC
    assert_eq!(china_compact(t), "20240102003000");
}

#[test]
fn unix_seconds_and_millis_from_numbers_or_strings() {
    let s: UnixSeconds = serde_json::from_str("\"1645632000\"").unwrap();
    assert_eq!(s, UnixSeconds(1_645_632_000));
    assert_eq!(serde_json::to_string(&s).unwrap(), "1645632000");
    let ms: UnixMillis = serde_json::from_str("1700000000000").unwrap();
    assert_eq!(ms.to_datetime().unwrap().unix_timestamp(), 1_700_000_000);
    assert!(serde_json::from_str::<UnixSeconds>("\"soon\"").is_err());
}

scrm_core::record! {
    /// A record whose keys may come escaped.
    pub struct Escaped {
        /// A documented key.
        add_time as "addTime": UnixSeconds,
        /// Another.
        name: String,
    }
}

#[test]
fn record_keys_with_escapes_match_like_plain_ones() {
    // `\u0054` is `T`: serde_json cannot lend these keys from the input, so they are copied.
    let json = r#"{"add\u0054ime":"1700000000","name":"a","vi\u0070":true,"plain":1,"n\"q":2}"#;
    let r: Escaped = serde_json::from_str(json).unwrap();
    assert_eq!(r.add_time, Some(UnixSeconds(1_700_000_000)));
    assert_eq!(r.name.as_deref(), Some("a"));
    assert_eq!(r.extra.get("vip"), Some(&serde_json::json!(true)));
    assert_eq!(r.extra.get("plain"), Some(&serde_json::json!(1)));
    assert_eq!(r.extra.get("n\"q"), Some(&serde_json::json!(2)));
    assert_eq!(r.extra.len(), 3);
    // From a reader nothing is borrowed: every key goes through the buffer.
    let r: Escaped = serde_json::from_reader(json.as_bytes()).unwrap();
    assert_eq!(r.add_time, Some(UnixSeconds(1_700_000_000)));
    assert_eq!(r.extra.len(), 3);
}
