//! waiqin signing: an MD5 digest and three more values appended to the URL path.
//!
//! A request to `{base}/api/{module}/{version}/{op}` is sent to
//! `{base}/api/{module}/{version}/{op}/{openid}/{timestamp}/{digest}/{msg_id}` where
//!
//! - `timestamp` is `yyyyMMddHHmmss` in China time (UTC+8), whatever this machine's time zone,
//! - `digest` is [`digest`]`(body, appkey, timestamp)` over the exact body bytes sent,
//! - `msg_id` is a fresh id from [`RequestIds`] (a UUID v4 by default, [`UuidIds`]).
//!
//! The client signs every attempt anew, so a retry carries a new timestamp, digest and
//! `msg_id`.

use std::fmt;
use std::sync::Arc;

use md5::{Digest, Md5};
use scrm_core::de::china_compact;
use scrm_core::{
    Clock, Error, ErrorKind, HttpRequest, RequestIds, Secret, SignContext, SignReceipt, Signer,
    async_trait,
};

/// The waiqin digest: lowercase hex `md5(body + "|" + appkey + "|" + timestamp)`, over the
/// exact body bytes (UTF-8 for JSON).
///
/// The vendor's published example:
///
/// ```
/// let body = r#"{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}"#;
/// assert_eq!(
///     scrm_waiqin::digest(body.as_bytes(), "BFCO0PAgIUgd50c0l6", "20150806142836"),
///     "74267bf0cae0998a719879ec9b3c7780"
/// );
/// ```
pub fn digest(body: &[u8], appkey: &str, timestamp: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(body);
    md5.update(b"|");
    md5.update(appkey.as_bytes());
    md5.update(b"|");
    md5.update(timestamp.as_bytes());
    hex::encode(md5.finalize())
}

/// The default `msg_id` source: a random UUID v4 per request (hyphenated, lowercase), as the
/// vendor recommends ("一般使用uuid").
///
/// ```
/// use scrm_waiqin::{RequestIds, UuidIds};
/// let a = UuidIds.next_id();
/// assert_eq!(a.len(), 36);
/// assert_ne!(a, UuidIds.next_id());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidIds;

impl RequestIds for UuidIds {
    fn next_id(&self) -> String {
        uuid::Uuid::new_v4().hyphenated().to_string()
    }
}

/// Signs waiqin requests: appends `/{openid}/{timestamp}/{digest}/{msg_id}` to the URL path.
///
/// [`WaiqinClient`](crate::WaiqinClient) builds one from its builder; construct it yourself only
/// to drive [`scrm_core::Client`] directly. `Debug` redacts the appkey.
pub struct WaiqinSigner {
    openid: String,
    appkey: Secret,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn RequestIds>,
}

impl WaiqinSigner {
    /// A signer for the account `openid` with its `appkey`, reading the time from `clock` and
    /// taking each `msg_id` from `ids`.
    pub fn new(
        openid: impl Into<String>,
        appkey: Secret,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn RequestIds>,
    ) -> Self {
        WaiqinSigner {
            openid: openid.into(),
            appkey,
            clock,
            ids,
        }
    }

    /// The account's openid.
    pub fn openid(&self) -> &str {
        &self.openid
    }
}

impl fmt::Debug for WaiqinSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaiqinSigner")
            .field("openid", &self.openid)
            .field("appkey", &self.appkey)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Signer for WaiqinSigner {
    async fn sign(
        &self,
        request: &mut HttpRequest,
        _cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        let timestamp = china_compact(self.clock.now());
        let msg_id = self.ids.next_id();
        if msg_id.is_empty() {
            return Err(Error::new(
                ErrorKind::Config,
                "the request-id source returned an empty msg_id",
            )
            .not_sent());
        }
        let digest = digest(&request.body, self.appkey.expose(), &timestamp);
        request
            .url
            .path_segments_mut()
            .map_err(|()| {
                Error::new(ErrorKind::Config, "the base URL cannot take path segments").not_sent()
            })?
            .pop_if_empty()
            .push(&self.openid)
            .push(&timestamp)
            .push(&digest)
            .push(&msg_id);
        tracing::trace!(vendor = "waiqin", %msg_id, %timestamp, "request signed");
        Ok(SignReceipt::signed(digest).with_request_id(msg_id))
    }

    /// The appkey never travels, but is scrubbed from every error should anything echo it.
    fn secrets(&self) -> Vec<Secret> {
        vec![self.appkey.clone()]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use scrm_core::{
        FixedIds, HttpResponse, ManualClock, Method, Transport, TransportError, TransportErrorKind,
        Url,
    };

    use super::*;

    /// The vendor's published signing example (also `fixtures/waiqin/digest-example.request.json`).
    const OFFICIAL_BODY: &str =
        r#"{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}"#;
    const OFFICIAL_OPENID: &str = "5465103569540931532";
    const OFFICIAL_APPKEY: &str = "BFCO0PAgIUgd50c0l6";
    const OFFICIAL_TIMESTAMP: &str = "20150806142836";
    const OFFICIAL_DIGEST: &str = "74267bf0cae0998a719879ec9b3c7780";

    fn at(unix_secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix_secs)
    }

    struct NoTransport;

    #[async_trait]
    impl Transport for NoTransport {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            Err(TransportError::new(
                TransportErrorKind::Other,
                "unused",
                false,
            ))
        }
    }

    async fn sign(signer: &WaiqinSigner, url: &str, body: &[u8]) -> (HttpRequest, SignReceipt) {
        let mut request = HttpRequest::new(Method::POST, Url::parse(url).unwrap());
        request.body = body.to_vec().into();
        let cx = SignContext {
            transport: &NoTransport,
            attempt: 1,
        };
        let receipt = signer.sign(&mut request, &cx).await.unwrap();
        (request, receipt)
    }

    #[test]
    fn official_vector() {
        assert_eq!(
            digest(
                OFFICIAL_BODY.as_bytes(),
                OFFICIAL_APPKEY,
                OFFICIAL_TIMESTAMP
            ),
            OFFICIAL_DIGEST
        );
    }

    #[test]
    fn non_ascii_body_is_hashed_as_utf8() {
        // printf '%s' '{"remark":"客户任务 ✓ émoji 😀"}|BFCO0PAgIUgd50c0l6|20240301075959' | md5sum
        assert_eq!(
            digest(
                r#"{"remark":"客户任务 ✓ émoji 😀"}"#.as_bytes(),
                OFFICIAL_APPKEY,
                "20240301075959"
            ),
            "7b796dae1cb2a3ff1db71a5f16f9131a"
        );
    }

    #[test]
    fn empty_body() {
        // printf '%s' '|BFCO0PAgIUgd50c0l6|20240301075959' | md5sum
        assert_eq!(
            digest(b"", OFFICIAL_APPKEY, "20240301075959"),
            "050bf6dd8b22c18cdc4634f4022c2f99"
        );
    }

    #[test]
    fn digest_is_lowercase_hex_of_32_chars() {
        let d = digest(b"{}", "K", "20240101000000");
        assert_eq!(d.len(), 32);
        assert!(
            d.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn timestamps_are_china_time_whatever_the_machine_zone() {
        // `china_compact` takes an instant, never the machine's zone (TZ is not consulted):
        // these instants are fixed in UTC and must print as Beijing wall-clock time.
        // 2015-08-06T06:28:36Z is 14:28:36 in China: the official example's timestamp.
        assert_eq!(china_compact(at(1_438_842_516)), OFFICIAL_TIMESTAMP);
        // 2024-02-29T23:59:59Z is already 1 March 07:59:59 in China (crosses midnight, a month
        // end and a leap day).
        assert_eq!(china_compact(at(1_709_251_199)), "20240301075959");
        // 16:00:00Z is midnight in China.
        assert_eq!(china_compact(at(1_704_124_800)), "20240102000000");
    }

    #[tokio::test]
    async fn signs_the_official_example_url() {
        let signer = WaiqinSigner::new(
            OFFICIAL_OPENID,
            Secret::new(OFFICIAL_APPKEY),
            Arc::new(ManualClock::new(at(1_438_842_516))),
            Arc::new(FixedIds::new(["ORG00001"])),
        );
        let (request, receipt) = sign(
            &signer,
            "https://openapi.waiqin365.com/api/organization/v1/addOrganization",
            OFFICIAL_BODY.as_bytes(),
        )
        .await;
        assert_eq!(
            request.url.as_str(),
            "https://openapi.waiqin365.com/api/organization/v1/addOrganization/5465103569540931532/20150806142836/74267bf0cae0998a719879ec9b3c7780/ORG00001"
        );
        assert_eq!(
            request.body.as_ref(),
            OFFICIAL_BODY.as_bytes(),
            "body untouched"
        );
        assert_eq!(receipt.request_id.as_deref(), Some("ORG00001"));
        assert!(receipt.token.is_none());
        let secrets: Vec<&str> = receipt.secrets.iter().map(Secret::expose).collect();
        assert_eq!(secrets, [OFFICIAL_DIGEST]);
        let fixed: Vec<String> = signer
            .secrets()
            .iter()
            .map(|s| s.expose().to_owned())
            .collect();
        assert_eq!(
            fixed,
            [OFFICIAL_APPKEY],
            "the appkey is scrubbed from every error"
        );
    }

    #[tokio::test]
    async fn every_signature_is_fresh() {
        let clock = Arc::new(ManualClock::new(at(1_709_251_199)));
        let signer = WaiqinSigner::new("1", Secret::new("key-1"), clock.clone(), Arc::new(UuidIds));
        let url = "http://127.0.0.1:1/api/cusTask/v1/queryTask";
        let (first, r1) = sign(&signer, url, b"{}").await;
        clock.advance(Duration::from_secs(1));
        let (second, r2) = sign(&signer, url, b"{}").await;
        let tail = |r: &HttpRequest| -> Vec<String> {
            r.url
                .path_segments()
                .unwrap()
                .skip(4)
                .map(str::to_owned)
                .collect()
        };
        let (a, b) = (tail(&first), tail(&second));
        assert_eq!(a[0], "1");
        assert_eq!(
            (a[1].as_str(), b[1].as_str()),
            ("20240301075959", "20240301080000")
        );
        assert_ne!(a[2], b[2], "new digest");
        assert_ne!(a[3], b[3], "new msg_id");
        assert_eq!(r1.request_id.as_deref(), Some(a[3].as_str()));
        assert_eq!(r2.request_id.as_deref(), Some(b[3].as_str()));
        assert_eq!(a[2], digest(b"{}", "key-1", &a[1]));
    }

    #[tokio::test]
    async fn keeps_a_base_path_and_encodes_odd_ids() {
        let signer = WaiqinSigner::new(
            "1",
            Secret::new("key-1"),
            Arc::new(ManualClock::new(at(1_709_251_199))),
            Arc::new(FixedIds::new(["a/b c"])),
        );
        let (request, _) = sign(&signer, "https://h.example/gw/api/m/v1/op", b"").await;
        assert_eq!(
            request.url.path(),
            format!(
                "/gw/api/m/v1/op/1/20240301075959/{}/a%2Fb%20c",
                digest(b"", "key-1", "20240301075959")
            )
        );
    }

    #[tokio::test]
    async fn an_empty_msg_id_is_refused() {
        struct Empty;
        impl RequestIds for Empty {
            fn next_id(&self) -> String {
                String::new()
            }
        }
        let signer = WaiqinSigner::new(
            "1",
            Secret::new("key-1"),
            Arc::new(ManualClock::new(at(0))),
            Arc::new(Empty),
        );
        let mut request = HttpRequest::new(Method::POST, Url::parse("https://h/api").unwrap());
        let cx = SignContext {
            transport: &NoTransport,
            attempt: 1,
        };
        let e = signer.sign(&mut request, &cx).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(!e.maybe_sent());
    }

    #[test]
    fn uuid_ids_are_fresh_v4() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| UuidIds.next_id()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(id, &id.to_ascii_lowercase());
        }
    }

    #[test]
    fn debug_redacts_the_appkey() {
        let signer = WaiqinSigner::new(
            "1",
            Secret::new("very-secret-key"),
            Arc::new(ManualClock::new(at(0))),
            Arc::new(UuidIds),
        );
        let text = format!("{signer:?}");
        assert!(!text.contains("very-secret-key"), "{text}");
        assert!(text.contains("openid"), "{text}");
    }
}
