//! The access token: `GET {base}/openapi/access_token?appid=…&app_secret=…`.
//!
//! The token is fetched by a [`TokenCache`](scrm_core::TokenCache) (single flight, refreshed
//! ahead of expiry, invalidated precisely) and put on every call as `?access_token=…` by
//! [`QueryTokenSigner`](scrm_core::QueryTokenSigner).
//!
//! The token URL carries the app secret in its query, so it is built here, sent, and never
//! logged or put into an error; neither is the token response body.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use scrm_core::de::{self, UnixSeconds};
use scrm_core::{
    AccessToken, Error, ErrorKind, HttpRequest, HttpResponse, Method, Secret, TokenFetcher,
    Transport, TransportError, Url, scrub,
};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::envelope::{Envelope, SUCCESS, Wshoto};

/// Path of the access-token endpoint.
pub const TOKEN_PATH: &str = "/openapi/access_token";

/// Token lifetime assumed when the answer has no usable `expires_in` (the documented value).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(7200);

/// The `data` of a successful access-token answer:
/// `{"access_token": "…", "expires_in": 7200, "create_at": 1654841208}`.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct TokenGrant {
    /// The token (up to 512 bytes).
    pub access_token: Secret,
    /// Lifetime in seconds (documented: 7200).
    #[serde(default, deserialize_with = "de::opt_int")]
    pub expires_in: Option<i64>,
    /// When the token was issued (the vendor spells it `create_at`), epoch seconds.
    #[serde(default)]
    pub create_at: Option<UnixSeconds>,
}

/// Fetches wshoto access tokens for one app.
pub(crate) struct WshotoTokenFetcher {
    /// `{base}/openapi/access_token`, without the query.
    endpoint: Url,
    app_id: String,
    app_secret: Secret,
    vendor: Wshoto,
}

impl WshotoTokenFetcher {
    pub(crate) fn new(
        base_url: &str,
        app_id: String,
        app_secret: Secret,
        vendor: Wshoto,
    ) -> Result<Self, Error> {
        let endpoint = Url::parse(&format!("{base_url}{TOKEN_PATH}"))
            .map_err(|e| Error::new(ErrorKind::Config, format!("invalid access-token URL: {e}")))?;
        Ok(WshotoTokenFetcher {
            endpoint,
            app_id,
            app_secret,
            vendor,
        })
    }

    /// The token URL, secret included: it goes to the transport and nowhere else.
    pub(crate) fn url(&self) -> Url {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("appid", &self.app_id)
            .append_pair("app_secret", self.app_secret.expose());
        url
    }

    /// The token's lifetime: `expires_in`, or the documented 7200 s when it is missing.
    fn lifetime(expires_in: Option<i64>) -> Duration {
        expires_in
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs)
    }

    /// An error about an answer of the token endpoint (the request reached it).
    fn fail(&self, kind: ErrorKind, message: impl AsRef<str>) -> Error {
        let message = scrub(message.as_ref(), std::slice::from_ref(&self.app_secret));
        Error::new(kind, format!("fetching the access token: {message}"))
    }

    fn transport_error(&self, e: TransportError) -> Error {
        // The message carries no URL (core strips it); scrub anyway: the URL holds the secret.
        let sent = e.maybe_sent();
        let error = self
            .fail(ErrorKind::Transport, e.to_string())
            .with_source(e);
        if sent { error } else { error.not_sent() }
    }

    /// Reads the token endpoint's answer. Never attaches the body (it holds the token).
    fn read(&self, response: &HttpResponse, now: SystemTime) -> Result<AccessToken, Error> {
        let status = response.status.as_u16();
        let http = |e: Error| e.with_status(status);
        scrm_core::classify_http(response).map_err(|e| {
            let kind = e.kind();
            self.fail(kind, format!("the access-token endpoint: {}", e.message()))
                .with_status(status)
                .with_retry_after(e.retry_after())
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&response.body);
        let envelope = match serde_path_to_error::deserialize::<_, Envelope<TokenGrant>>(de) {
            Ok(envelope) => envelope,
            Err(e) => {
                if let Ok(head) = serde_json::from_slice::<Envelope<IgnoredAny>>(&response.body)
                    && head.code != SUCCESS
                {
                    return Err(http(self.vendor_error(head, status)));
                }
                // Only the path: serde's own message may quote a value of the token answer.
                let kind = if response.status.is_server_error() {
                    ErrorKind::Transient
                } else {
                    ErrorKind::Decode
                };
                return Err(http(self.fail(
                    kind,
                    format!(
                        "the answer does not have the documented shape (at `{}`)",
                        e.path()
                    ),
                )));
            }
        };
        if envelope.code != SUCCESS {
            return Err(http(self.vendor_error(envelope, status)));
        }
        let grant = envelope
            .data
            .filter(|g| !g.access_token.is_empty())
            .ok_or_else(|| {
                http(self.fail(
                    ErrorKind::Decode,
                    "the answer carries no `data.access_token`",
                ))
            })?;
        let lifetime = Self::lifetime(grant.expires_in);
        tracing::debug!(
            vendor = "wshoto",
            expires_in = grant.expires_in,
            "access token fetched"
        );
        Ok(AccessToken::new(grant.access_token, now, lifetime))
    }

    /// A non-zero code from the token endpoint: credentials rejected, unless the code table
    /// says throttled or transient. The vendor's message is kept (scrubbed of the secret).
    fn vendor_error<T>(&self, envelope: Envelope<T>, status: u16) -> Error {
        let kind = match self.vendor.classify(envelope.code, status) {
            k @ (ErrorKind::Throttled | ErrorKind::Transient) => k,
            _ => ErrorKind::AuthRejected,
        };
        let vendor = self
            .vendor
            .error(envelope.code, envelope.msg, envelope.sub_code, status);
        let message = scrub(vendor.message(), std::slice::from_ref(&self.app_secret));
        Error::vendor(
            kind,
            envelope.code,
            format!("fetching the access token: {message}"),
        )
    }
}

#[async_trait]
impl TokenFetcher for WshotoTokenFetcher {
    async fn fetch(
        &self,
        transport: &dyn Transport,
        now: SystemTime,
    ) -> Result<AccessToken, Error> {
        let request = HttpRequest::new(Method::GET, self.url());
        let response = transport
            .send(request)
            .await
            .map_err(|e| self.transport_error(e))?;
        self.read(&response, now)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::{HeaderMap, StatusCode};
    use std::time::UNIX_EPOCH;

    const SECRET: &str = "s3cr3t-value-xyz";

    fn fetcher() -> WshotoTokenFetcher {
        WshotoTokenFetcher::new(
            "https://open.wshoto.com",
            "APPID".into(),
            Secret::new(SECRET),
            Wshoto::default(),
        )
        .unwrap()
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_654_841_208)
    }

    #[test]
    fn url_matches_the_documented_query() {
        let f = WshotoTokenFetcher::new(
            "http://127.0.0.1:1/prefix",
            "APPID".into(),
            Secret::new("SECRET"),
            Wshoto::default(),
        )
        .unwrap();
        let url = f.url();
        assert_eq!(url.path(), "/prefix/openapi/access_token");
        assert_eq!(url.query(), Some("appid=APPID&app_secret=SECRET"));
    }

    #[test]
    fn url_encodes_odd_characters() {
        let f = WshotoTokenFetcher::new(
            "https://open.wshoto.com",
            "a&b".into(),
            Secret::new("x=y&z"),
            Wshoto::default(),
        )
        .unwrap();
        assert_eq!(f.url().query(), Some("appid=a%26b&app_secret=x%3Dy%26z"));
    }

    #[test]
    fn reads_a_token() {
        let t = fetcher()
            .read(
                &response(
                    200,
                    r#"{"code":0,"msg":"ok","data":{"access_token":"tok","expires_in":7200,"create_at":1654841208}}"#,
                ),
                now(),
            )
            .unwrap();
        assert_eq!(t.value.expose(), "tok");
        assert_eq!(t.expires_at, now() + Duration::from_secs(7200));
    }

    #[test]
    fn lifetimes() {
        let lifetime = WshotoTokenFetcher::lifetime;
        assert_eq!(lifetime(Some(7200)), Duration::from_secs(7200));
        assert_eq!(lifetime(None), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(lifetime(Some(0)), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(lifetime(Some(-5)), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(lifetime(Some(120)), Duration::from_secs(120));
    }

    #[test]
    fn vendor_codes_map_to_credentials_rejected_unless_transient() {
        let f = fetcher();
        let body = format!(r#"{{"code":40013,"msg":"app_secret {SECRET} 错误","data":null}}"#);
        let e = f.read(&response(200, &body), now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthRejected);
        assert_eq!(e.code(), Some("40013"));
        assert!(e.message().contains("错误"), "{e}");
        assert!(!e.to_string().contains(SECRET), "{e}");
        // The token endpoint answered: the request reached the vendor.
        assert!(e.maybe_sent());
        assert!(e.body().is_none());

        let e = f
            .read(
                &response(200, r#"{"code":45009,"msg":"不能频繁调用"}"#),
                now(),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Throttled);
        let e = f
            .read(&response(200, r#"{"code":10001,"msg":"x"}"#), now())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthRejected, "never AuthExpired here");
        let e = f
            .read(&response(502, r#"{"code":99,"msg":"busy"}"#), now())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
    }

    #[test]
    fn http_failures() {
        let f = fetcher();
        let mut throttled = response(429, "");
        throttled
            .headers
            .insert("retry-after", "3".parse().unwrap());
        let e = f.read(&throttled, now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        let e = f
            .read(&response(502, "<html>bad gateway</html>"), now())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert_eq!(e.http_status(), Some(502));
        let e = f.read(&response(404, "not found"), now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }

    #[test]
    fn decode_errors_name_the_path_but_quote_no_value() {
        let f = fetcher();
        let e = f
            .read(
                &response(200, r#"{"code":0,"data":{"access_token":["tok-LEAK"]}}"#),
                now(),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("data.access_token"), "{e}");
        assert!(!format!("{e} {e:?}").contains("LEAK"), "{e}");
        let e = f
            .read(
                &response(200, r#"{"code":0,"data":{"access_token":""}}"#),
                now(),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        let e = f.read(&response(200, r#"{"code":0}"#), now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }
}
