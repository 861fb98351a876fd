//! The access token: `GET {base}/openapi/access_token?appid=…&app_secret=…`.
//!
//! The token is fetched by a [`TokenCache`](scrm_core::TokenCache) (single flight, refreshed
//! ahead of expiry, invalidated precisely) and put on every call as `?access_token=…` by
//! [`QueryTokenSigner`](scrm_core::QueryTokenSigner).
//!
//! The token URL carries the app secret in its query, so it is built here, sent, and never
//! logged or put into an error; neither is the token response body.

use std::time::Duration;

use scrm_core::de::{self, UnixSeconds};
use scrm_core::{
    Error, ErrorKind, HttpRequest, Method, Secret, TokenEndpoint, TokenRefusal, TokenReply, Url,
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

/// Fetches wshoto access tokens for one app: core's token skeleton ([`TokenEndpoint`]) with
/// wshoto's request and answer shapes.
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
}

impl TokenEndpoint for WshotoTokenFetcher {
    const VENDOR: &'static str = "wshoto";
    const SHAPE: &'static str = "{code, msg, data: {access_token, expires_in}}";
    const TOKEN_FIELD: &'static str = "data.access_token";
    const DEFAULT_LIFETIME: Duration = DEFAULT_TOKEN_LIFETIME;
    type Answer = Envelope<TokenGrant>;
    type Head = Envelope<IgnoredAny>;

    fn request(&self) -> Result<HttpRequest, Error> {
        Ok(HttpRequest::new(Method::GET, self.url()))
    }

    fn secrets(&self) -> &[Secret] {
        std::slice::from_ref(&self.app_secret)
    }

    fn reply(&self, answer: Envelope<TokenGrant>) -> TokenReply {
        if answer.code != SUCCESS {
            let message = Wshoto::message(answer.msg, answer.sub_code);
            return TokenReply::Refused(TokenRefusal::new(answer.code, message));
        }
        let (token, expires_in) = answer
            .data
            .map_or((None, None), |g| (Some(g.access_token), g.expires_in));
        TokenReply::Granted { token, expires_in }
    }

    /// A non-zero code: the vendor's message, with its `sub_code` as on the API endpoints.
    fn refusal(&self, head: Envelope<IgnoredAny>) -> Option<TokenRefusal> {
        (head.code != SUCCESS)
            .then(|| TokenRefusal::new(head.code, Wshoto::message(head.msg, head.sub_code)))
    }

    /// wshoto's code table ([`Wshoto::classify`]); the skeleton keeps only its throttled and
    /// transient classes.
    fn classify(&self, code: i64, http_status: u16) -> ErrorKind {
        self.vendor.classify(code, http_status)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::{AccessToken, HttpResponse, StatusCode};
    use std::time::{SystemTime, UNIX_EPOCH};

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
        HttpResponse::new(StatusCode::from_u16(status).unwrap(), body.to_owned())
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_654_841_208)
    }

    impl WshotoTokenFetcher {
        /// Reads an answer of the token endpoint (core's skeleton with wshoto's shapes).
        fn read(&self, response: &HttpResponse, now: SystemTime) -> Result<AccessToken, Error> {
            scrm_core::read_token_answer(self, response, now)
        }
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
        let lifetime = |s| scrm_core::token_lifetime(s, DEFAULT_TOKEN_LIFETIME);
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
