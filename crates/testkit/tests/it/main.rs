//! Harness check for `fixture_snapshot!`: until the vendor crates have typed models, snapshot a
//! small typed parse of one fixture so that `cargo xtask fixtures --check` has a pipeline to check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::{Deserialize, Serialize};

/// wshoto token response envelope, as documented (VENDORS.md).
#[derive(Debug, Deserialize, Serialize)]
struct Envelope {
    code: i64,
    msg: String,
    data: Token,
}

#[derive(Debug, Deserialize, Serialize)]
struct Token {
    access_token: String,
    expires_in: u64,
    create_at: i64,
}

#[test]
fn wshoto_access_token_response() {
    let rel = "wshoto/access-token.response.json";
    let parsed: Envelope = serde_json::from_slice(&scrm_testkit::fixture_bytes(rel)).unwrap();
    assert_eq!(parsed.code, 0);
    scrm_testkit::fixture_snapshot!(rel, &parsed);
}

#[test]
fn fixture_helpers_agree() {
    let rel = "wshoto/access-token.response.json";
    assert_eq!(
        scrm_testkit::fixture_str(rel).as_bytes(),
        scrm_testkit::fixture_bytes(rel)
    );
    let value: serde_json::Value = scrm_testkit::fixture_json(rel);
    assert_eq!(value["data"]["expires_in"], 7200);
}
