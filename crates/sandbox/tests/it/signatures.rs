//! The signature functions against the documented vectors.

use scrm_sandbox::{tanma_sign, verify_tanma_sign, verify_waiqin_digest, waiqin_digest};

#[test]
fn waiqin_official_vector() {
    let body =
        r#"{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}"#;
    let d = waiqin_digest(body.as_bytes(), "BFCO0PAgIUgd50c0l6", "20150806142836");
    assert_eq!(d, "74267bf0cae0998a719879ec9b3c7780");
    assert!(verify_waiqin_digest(
        body.as_bytes(),
        "BFCO0PAgIUgd50c0l6",
        "20150806142836",
        &d
    ));
    assert!(!verify_waiqin_digest(
        body.as_bytes(),
        "BFCO0PAgIUgd50c0l6",
        "20150806142837",
        &d
    ));
    assert!(!verify_waiqin_digest(
        body.as_bytes(),
        "BFCO0PAgIUgd50c0l6",
        "20150806142836",
        &d.to_uppercase()
    ));
}

#[test]
fn tanma_vector() {
    let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
    let s = tanma_sign(
        "wwEXAMPLE_corp_AbCdEf",
        "1700000000000",
        body.as_bytes(),
        "EXAMPLEAPPKEY",
    );
    assert_eq!(
        s,
        "0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55"
    );
    assert!(verify_tanma_sign(
        "wwEXAMPLE_corp_AbCdEf",
        "1700000000000",
        body.as_bytes(),
        "EXAMPLEAPPKEY",
        &s
    ));
    assert!(!verify_tanma_sign(
        "wwEXAMPLE_corp_AbCdEf",
        "1700000000001",
        body.as_bytes(),
        "EXAMPLEAPPKEY",
        &s
    ));
}
