//! Canary secrets: distinctive fake credentials that must never show up in logs or errors.
//!
//! Configure clients with these, exercise them (including failures and retries), capture every
//! log line with [`capture_logs`](crate::capture_logs) and check the text with
//! [`assert_no_canary`]. The values contain only `[A-Za-z0-9-]`, so URL encoding and JSON
//! escaping leave them unchanged and a leak through either is still found.

/// Fake wshoto `app_secret`.
pub const CANARY_WSHOTO_APP_SECRET: &str = "canary-wshoto-app-secret-Vq7Lx2";
/// Fake weiban `secret`.
pub const CANARY_WEIBAN_SECRET: &str = "canary-weiban-secret-Kp4Zr8";
/// Fake waiqin `appkey`.
pub const CANARY_WAIQIN_APPKEY: &str = "canary-waiqin-appkey-Hn3Ws6";
/// Fake tanma `appKey`.
pub const CANARY_TANMA_APP_KEY: &str = "canary-tanma-appkey-Ty9Qb5";
/// Fake access token (for mock token endpoints of wshoto and weiban).
pub const CANARY_ACCESS_TOKEN: &str = "canary-access-token-Jm2Fd7";

/// Every canary as `(constant name, value)`.
pub const CANARIES: &[(&str, &str)] = &[
    ("CANARY_WSHOTO_APP_SECRET", CANARY_WSHOTO_APP_SECRET),
    ("CANARY_WEIBAN_SECRET", CANARY_WEIBAN_SECRET),
    ("CANARY_WAIQIN_APPKEY", CANARY_WAIQIN_APPKEY),
    ("CANARY_TANMA_APP_KEY", CANARY_TANMA_APP_KEY),
    ("CANARY_ACCESS_TOKEN", CANARY_ACCESS_TOKEN),
];

/// Panics if `text` contains any canary, naming each one that leaked and the line it leaked in.
pub fn assert_no_canary(text: &str) {
    let leaks: Vec<String> = CANARIES
        .iter()
        .filter(|(_, value)| text.contains(value))
        .map(|(name, value)| {
            let line = text.lines().find(|l| l.contains(value)).unwrap_or_default();
            format!("{name} leaked in: {line}")
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "secret canary leaked:\n{}",
        leaks.join("\n")
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn clean_text_passes() {
        assert_no_canary("GET /openapi/x?access_token=[redacted]");
    }

    #[test]
    #[should_panic(expected = "CANARY_TANMA_APP_KEY leaked in: header appKey=canary-tanma")]
    fn names_the_leak() {
        assert_no_canary(&format!("ok\nheader appKey={CANARY_TANMA_APP_KEY}\n"));
    }

    #[test]
    fn canaries_survive_encoding() {
        for (name, value) in CANARIES {
            assert!(
                value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "{name}"
            );
        }
    }
}
