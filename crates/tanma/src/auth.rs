//! The tanma request signature: headers `appId`, `timestamp` and `sign`.
//!
//! ```text
//! appId:     <app id>
//! timestamp: <epoch milliseconds, 13 digits>
//! sign:      lowercase_hex(sha256(appId + timestamp + body + appKey))
//! ```
//!
//! `body` is the exact bytes sent (`""` for an empty body): the JSON is serialized once and the
//! same bytes are signed and sent, so any re-encoding (pretty-printing, `\u` escapes, key order)
//! between signing and sending would break the signature. This is how three independent working
//! clients sign; the vendor's page gives no formula.
//!
//! The vendor's page also lists `appKey` as a header, but working clients do not send it: it is
//! the signing secret, and sending it next to the signature lets anyone who sees one request
//! sign any other. It is therefore **not** sent unless
//! [`TanmaClientBuilder::send_app_key_header`](crate::TanmaClientBuilder::send_app_key_header)
//! is turned on.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use scrm_core::{
    Clock, Error, ErrorKind, HeaderName, HeaderValue, HttpRequest, Secret, SignContext,
    SignReceipt, Signer,
};
use sha2::{Digest, Sha256};

/// Header carrying the app id (`appId`; HTTP header names are case-insensitive).
const APP_ID: HeaderName = HeaderName::from_static("appid");
/// Header carrying the epoch-millisecond timestamp.
const TIMESTAMP: HeaderName = HeaderName::from_static("timestamp");
/// Header carrying the signature.
const SIGN: HeaderName = HeaderName::from_static("sign");
/// Header carrying the app key, only when explicitly enabled.
const APP_KEY: HeaderName = HeaderName::from_static("appkey");

/// The tanma signature: lowercase hex `sha256(app_id + timestamp + body + app_key)`.
///
/// `body` is the exact bytes of the request body (empty for no body); `timestamp` the value of
/// the `timestamp` header (epoch milliseconds).
///
/// ```
/// let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
/// assert_eq!(
///     scrm_tanma::auth::sign("wwEXAMPLE_corp_AbCdEf", "1700000000000", body.as_bytes(), "EXAMPLEAPPKEY"),
///     "0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55",
/// );
/// ```
pub fn sign(app_id: &str, timestamp: &str, body: &[u8], app_key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(app_id.as_bytes());
    hasher.update(timestamp.as_bytes());
    hasher.update(body);
    hasher.update(app_key.as_bytes());
    hex::encode(hasher.finalize())
}

/// Signs every attempt with a fresh timestamp from the client's clock.
pub(crate) struct TanmaSigner {
    app_id: String,
    app_id_header: HeaderValue,
    app_key: Secret,
    /// The `appKey` header value, when the user opted in to sending it.
    app_key_header: Option<HeaderValue>,
    clock: Arc<dyn Clock>,
}

impl TanmaSigner {
    /// A signer; fails with a configuration error when a credential cannot travel in a header.
    pub(crate) fn new(
        app_id: String,
        app_key: Secret,
        send_app_key_header: bool,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let app_id_header = header_value(&app_id).ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "the app id must be visible ASCII (no spaces) to travel in the `appId` header",
            )
        })?;
        let app_key_header = if send_app_key_header {
            // Never include the value in the error: it is the secret.
            let mut value = header_value(app_key.expose()).ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    "the app key must be visible ASCII (no spaces) to travel in the `appKey` header",
                )
            })?;
            value.set_sensitive(true);
            Some(value)
        } else {
            None
        };
        Ok(TanmaSigner {
            app_id,
            app_id_header,
            app_key,
            app_key_header,
            clock,
        })
    }
}

/// `text` as a header value, if it is visible ASCII: `HeaderValue::from_str` would also accept
/// raw UTF-8 bytes, which servers read in other encodings (and then sign differently).
fn header_value(text: &str) -> Option<HeaderValue> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    HeaderValue::from_str(text).ok()
}

#[async_trait::async_trait]
impl Signer for TanmaSigner {
    async fn sign(
        &self,
        request: &mut HttpRequest,
        _cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        let millis = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| {
                Error::new(
                    ErrorKind::Config,
                    "the clock stands before 1970: cannot make a tanma timestamp",
                )
            })?
            .as_millis();
        let timestamp = millis.to_string();
        let signature = sign(
            &self.app_id,
            &timestamp,
            &request.body,
            self.app_key.expose(),
        );
        // Both values are ASCII digits / lowercase hex: always valid header values.
        let timestamp_header = HeaderValue::from_str(&timestamp)
            .map_err(|_| Error::new(ErrorKind::Config, "invalid timestamp header"))?;
        let mut sign_header = HeaderValue::from_str(&signature)
            .map_err(|_| Error::new(ErrorKind::Config, "invalid sign header"))?;
        sign_header.set_sensitive(true);

        let headers = &mut request.headers;
        headers.insert(APP_ID, self.app_id_header.clone());
        headers.insert(TIMESTAMP, timestamp_header);
        headers.insert(SIGN, sign_header);
        if let Some(app_key) = &self.app_key_header {
            headers.insert(APP_KEY, app_key.clone());
        }
        Ok(SignReceipt::signed(signature))
    }

    /// The app key is scrubbed from every error even though it is not sent (by default): a
    /// vendor or proxy echoing it back must not carry it into our errors.
    fn secrets(&self) -> Vec<Secret> {
        vec![self.app_key.clone()]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::Duration;

    use scrm_core::{ManualClock, Method, Url};

    use super::*;

    const APP_ID_EX: &str = "wwEXAMPLE_corp_AbCdEf";
    const APP_KEY_EX: &str = "EXAMPLEAPPKEY";
    const TS: &str = "1700000000000";

    /// The computed example of VENDORS.md (not a vendor-published vector).
    #[test]
    fn golden_vendors_md_example() {
        let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
        assert_eq!(
            sign(APP_ID_EX, TS, body.as_bytes(), APP_KEY_EX),
            "0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55"
        );
    }

    /// Vectors computed independently with `printf '%s' … | sha256sum`.
    #[test]
    fn golden_empty_body() {
        assert_eq!(
            sign(APP_ID_EX, TS, b"", APP_KEY_EX),
            "67ab372b00c23d600e8ea6efafb81a257c9f974a42a5eee9c1bb4ccae767252f"
        );
    }

    #[test]
    fn golden_non_ascii_body_is_signed_as_utf8_bytes() {
        let body = r#"{"name":"打马赛克就","description":"u 诶IE"}"#;
        assert_eq!(
            sign(APP_ID_EX, TS, body.as_bytes(), APP_KEY_EX),
            "814c2f7fde5563d82a03e42320da3261e6f4bea932eefe66382e88f602e767e4"
        );
        // The same JSON value written with `\u` escapes is different bytes, hence a different
        // signature: the signature covers bytes, not the JSON value.
        let literal = sign(APP_ID_EX, TS, r#"{"name":"打马"}"#.as_bytes(), APP_KEY_EX);
        let escaped = sign(
            APP_ID_EX,
            TS,
            br#"{"name":"\u6253\u9a6c"}"#.as_slice(),
            APP_KEY_EX,
        );
        assert_eq!(
            literal,
            "f19aac8852c69a679cf7e5879fde622a121fbdcc862ba1684bd4adfa3cf5f955"
        );
        assert_eq!(
            escaped,
            "0f76aab811ff71d6362673ee69ed675c75dde90d7fc7286ca17170cc31a22052"
        );
    }

    fn signer(send_app_key: bool, at_ms: u64) -> (TanmaSigner, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_millis(at_ms)));
        let signer = TanmaSigner::new(
            APP_ID_EX.into(),
            Secret::new(APP_KEY_EX),
            send_app_key,
            clock.clone(),
        )
        .unwrap();
        (signer, clock)
    }

    struct NoTransport;
    #[async_trait::async_trait]
    impl scrm_core::Transport for NoTransport {
        async fn send(
            &self,
            _request: HttpRequest,
        ) -> Result<scrm_core::HttpResponse, scrm_core::TransportError> {
            unreachable!("the signer never sends")
        }
    }

    async fn sign_body(signer: &TanmaSigner, body: &'static str) -> (HttpRequest, SignReceipt) {
        let url = Url::parse("https://account.tanmarket.cn/apiServer/api/v3/x").unwrap();
        let mut request = HttpRequest::new(Method::POST, url);
        request.body = body.into();
        let cx = SignContext {
            transport: &NoTransport,
            attempt: 1,
        };
        let receipt = Signer::sign(signer, &mut request, &cx).await.unwrap();
        (request, receipt)
    }

    fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request.headers.get(name).map(|v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn signs_headers_from_the_clock_and_the_exact_body() {
        let (signer, clock) = signer(false, 1_700_000_000_000);
        let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
        let (request, receipt) = sign_body(&signer, body).await;
        assert_eq!(header(&request, "appId"), Some(APP_ID_EX));
        assert_eq!(header(&request, "timestamp"), Some(TS));
        assert_eq!(
            header(&request, "sign"),
            Some("0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55")
        );
        assert_eq!(header(&request, "appKey"), None, "appKey is not sent");
        assert!(request.headers.get("sign").unwrap().is_sensitive());
        let secrets: Vec<&str> = receipt.secrets.iter().map(Secret::expose).collect();
        assert_eq!(
            secrets,
            ["0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55"]
        );
        let fixed: Vec<String> = signer
            .secrets()
            .iter()
            .map(|s| s.expose().to_owned())
            .collect();
        assert_eq!(
            fixed,
            [APP_KEY_EX],
            "the app key is scrubbed from every error"
        );

        // The next signature uses the clock's new time.
        clock.advance(Duration::from_millis(1));
        let (again, _) = sign_body(&signer, body).await;
        assert_eq!(header(&again, "timestamp"), Some("1700000000001"));
        assert_ne!(header(&again, "sign"), header(&request, "sign"));
    }

    #[tokio::test]
    async fn empty_body_signs_the_empty_string() {
        let (signer, _) = signer(false, 1_700_000_000_000);
        let (request, _) = sign_body(&signer, "").await;
        assert_eq!(
            header(&request, "sign"),
            Some("67ab372b00c23d600e8ea6efafb81a257c9f974a42a5eee9c1bb4ccae767252f")
        );
    }

    #[tokio::test]
    async fn app_key_header_only_when_opted_in() {
        let (signer, _) = signer(true, 1_700_000_000_000);
        let (request, _) = sign_body(&signer, "{}").await;
        assert_eq!(header(&request, "appKey"), Some(APP_KEY_EX));
        assert!(request.headers.get("appKey").unwrap().is_sensitive());
    }

    #[test]
    fn credentials_that_cannot_be_headers_are_config_errors() {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH));
        let e = TanmaSigner::new("bad\nid".into(), Secret::new("k"), false, clock.clone())
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Config);
        // A non-ASCII key is fine for signing, but cannot be sent as a header.
        assert!(TanmaSigner::new("id".into(), Secret::new("钥匙"), false, clock.clone()).is_ok());
        let e = TanmaSigner::new("id".into(), Secret::new("钥匙"), true, clock)
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(!e.to_string().contains("钥匙"), "{e}");
    }
}
