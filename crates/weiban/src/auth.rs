//! weiban's access token: `POST {base}/open-api/access_token/get` with `{"corp_id","secret"}`,
//! answered by a flat `{errcode, errmsg, access_token, expires_in}`.
//!
//! The token travels as the `access_token` query parameter of every call
//! ([`QueryTokenSigner`](scrm_core::QueryTokenSigner)); the
//! [`TokenCache`](scrm_core::TokenCache) fetches it once for all concurrent callers, refreshes it
//! ahead of expiry and drops it precisely when weiban rejects it.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use scrm_core::{
    Error, ErrorKind, HeaderName, HeaderValue, HttpRequest, Method, Secret, TokenEndpoint,
    TokenRefusal, TokenReply, Url,
};

/// Path of the token endpoint, after the base URL.
pub(crate) const TOKEN_PATH: &str = "/open-api/access_token/get";

/// Lifetime assumed when the token answer has no usable `expires_in` (weiban's tokens last
/// 7200 s, as WeCom's do).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(7200);

/// Fetches weiban access tokens for one `corp_id`/`secret`: core's token skeleton
/// ([`TokenEndpoint`]) with weiban's request and answer shapes.
pub(crate) struct TokenFetcher {
    url: Url,
    corp_id: String,
    secret: Secret,
}

impl fmt::Debug for TokenFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFetcher")
            .field("corp_id", &self.corp_id)
            .field("secret", &self.secret)
            .finish()
    }
}

impl TokenFetcher {
    /// A fetcher for the token endpoint under `base_url` (validated, no trailing slash).
    pub(crate) fn new(base_url: &str, corp_id: String, secret: Secret) -> Result<Self, Error> {
        let url = Url::parse(&format!("{base_url}{TOKEN_PATH}")).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("invalid access-token URL under the base URL: {e}"),
            )
        })?;
        Ok(TokenFetcher {
            url,
            corp_id,
            secret,
        })
    }
}

#[derive(Serialize)]
struct TokenRequest<'a> {
    corp_id: &'a str,
    secret: &'a str,
}

/// The token answer: flat `{errcode, errmsg, access_token, expires_in}`.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default, deserialize_with = "scrm_core::de::int")]
    errcode: i64,
    #[serde(default, deserialize_with = "scrm_core::de::text_or_empty")]
    errmsg: String,
    #[serde(default)]
    access_token: Option<Secret>,
    #[serde(default, deserialize_with = "scrm_core::de::opt_int")]
    expires_in: Option<i64>,
}

/// The token answer's head alone, read when the whole answer does not decode.
#[derive(Deserialize)]
pub(crate) struct TokenHead {
    #[serde(default, deserialize_with = "scrm_core::de::int")]
    errcode: i64,
    #[serde(default, deserialize_with = "scrm_core::de::text_or_empty")]
    errmsg: String,
}

impl TokenEndpoint for TokenFetcher {
    const VENDOR: &'static str = "weiban";
    const SHAPE: &'static str = "{errcode, errmsg, access_token, expires_in}";
    const TOKEN_FIELD: &'static str = "access_token";
    const DEFAULT_LIFETIME: Duration = DEFAULT_TOKEN_LIFETIME;
    type Answer = TokenResponse;
    type Head = TokenHead;

    fn request(&self) -> Result<HttpRequest, Error> {
        let body = serde_json::to_vec(&TokenRequest {
            corp_id: &self.corp_id,
            secret: self.secret.expose(),
        })
        .map_err(|_| {
            Error::new(
                ErrorKind::Config,
                "could not encode the access-token request",
            )
        })?;
        let mut request = HttpRequest::new(Method::POST, self.url.clone());
        request.headers.insert(
            HeaderName::from_static("content-type"),
            HeaderValue::from_static("application/json"),
        );
        request.body = body.into();
        Ok(request)
    }

    fn secrets(&self) -> &[Secret] {
        std::slice::from_ref(&self.secret)
    }

    fn reply(&self, answer: TokenResponse) -> TokenReply {
        if answer.errcode != 0 {
            return TokenReply::Refused(TokenRefusal::new(answer.errcode, answer.errmsg));
        }
        TokenReply::Granted {
            token: answer.access_token,
            expires_in: answer.expires_in,
        }
    }

    fn refusal(&self, head: TokenHead) -> Option<TokenRefusal> {
        (head.errcode != 0).then(|| TokenRefusal::new(head.errcode, head.errmsg))
    }

    /// weiban's code table decides throttled and transient answers; the skeleton makes any
    /// other refusal of the token request a credential problem.
    fn classify(&self, code: i64, http_status: u16) -> ErrorKind {
        crate::envelope::classify(code, &[], http_status)
    }

    fn rejected_hint(&self) -> Option<&str> {
        Some(
            "weiban refused the corp_id/secret (corp_id is weiban's own numeric corp id, not \
             the WeCom `ww…` one)",
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Mutex;
    use std::time::{SystemTime, UNIX_EPOCH};

    use scrm_core::{
        AccessToken, HeaderMap, HttpResponse, StatusCode, TokenFetcher as _, Transport,
        TransportError, TransportErrorKind, async_trait,
    };

    use super::*;

    const SECRET: &str = "s3cr3t-value-xyz";

    /// Answers every request with one canned reply and records the requests.
    struct Canned {
        reply: CannedReply,
        seen: Mutex<Vec<HttpRequest>>,
    }

    #[async_trait]
    impl Transport for Canned {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.seen.lock().unwrap().push(request);
            match self.reply {
                Ok((status, body)) => Ok(HttpResponse {
                    status: StatusCode::from_u16(status).unwrap(),
                    headers: HeaderMap::new(),
                    body: body.into(),
                }),
                Err(kind) => Err(TransportError::new(
                    kind,
                    format!("boom near {SECRET}"),
                    false,
                )),
            }
        }
    }

    /// A canned answer (status, body) or a transport failure.
    type CannedReply = Result<(u16, &'static str), TransportErrorKind>;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    async fn fetch(reply: CannedReply) -> (Result<AccessToken, Error>, Vec<HttpRequest>) {
        let fetcher = TokenFetcher::new(
            "https://open.weibanzhushou.com",
            "1234567890123456789".into(),
            Secret::new(SECRET),
        )
        .unwrap();
        let transport = Canned {
            reply,
            seen: Mutex::new(Vec::new()),
        };
        let result = fetcher.fetch(&transport, now()).await;
        (result, transport.seen.into_inner().unwrap())
    }

    #[tokio::test]
    async fn posts_corp_id_and_secret_as_json() {
        let (token, seen) = fetch(Ok((
            200,
            r#"{"errcode":0,"errmsg":"ok","access_token":"tok-1","expires_in":7200}"#,
        )))
        .await;
        let token = token.unwrap();
        assert_eq!(token.value.expose(), "tok-1");
        assert_eq!(token.expires_at, now() + Duration::from_secs(7200));
        let [request] = seen.as_slice() else {
            panic!("{seen:?}")
        };
        assert_eq!(request.method, Method::POST);
        assert_eq!(
            request.url.as_str(),
            "https://open.weibanzhushou.com/open-api/access_token/get"
        );
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(
            &request.body[..],
            br#"{"corp_id":"1234567890123456789","secret":"s3cr3t-value-xyz"}"#
        );
    }

    #[tokio::test]
    async fn lifetime_defaults_when_absent_or_nonsense() {
        for body in [
            r#"{"errcode":0,"access_token":"t"}"#,
            r#"{"errcode":0,"access_token":"t","expires_in":0}"#,
            r#"{"errcode":0,"access_token":"t","expires_in":-5}"#,
            r#"{"errcode":0,"access_token":"t","expires_in":""}"#,
        ] {
            let token = fetch(Ok((200, body))).await.0.unwrap();
            assert_eq!(token.expires_at, now() + DEFAULT_TOKEN_LIFETIME, "{body}");
        }
        let token = fetch(Ok((
            200,
            r#"{"errcode":"0","access_token":"t","expires_in":"600"}"#,
        )))
        .await
        .0
        .unwrap();
        assert_eq!(token.expires_at, now() + Duration::from_secs(600));
    }

    #[tokio::test]
    async fn failures_are_classified_without_secrets() {
        let cases: [(CannedReply, ErrorKind); 9] = [
            (
                Ok((
                    200,
                    r#"{"errcode":40001,"errmsg":"bad secret s3cr3t-value-xyz"}"#,
                )),
                ErrorKind::AuthRejected,
            ),
            (
                Ok((200, r#"{"errcode":45009,"errmsg":"too often"}"#)),
                ErrorKind::Throttled,
            ),
            (
                Ok((200, r#"{"errcode":-1,"errmsg":"busy"}"#)),
                ErrorKind::Transient,
            ),
            (Ok((502, "<html>bad gateway</html>")), ErrorKind::Transient),
            (Ok((404, "not found")), ErrorKind::Config),
            (Ok((429, "")), ErrorKind::Throttled),
            (
                Ok((200, r#"{"errcode":0,"errmsg":"ok"}"#)),
                ErrorKind::Decode,
            ),
            (
                Ok((200, r#"{"errcode":0,"access_token":["s3cr3t-value-xyz"]}"#)),
                ErrorKind::Decode,
            ),
            (Err(TransportErrorKind::Connect), ErrorKind::Transport),
        ];
        for (reply, kind) in cases {
            let e = fetch(reply).await.0.unwrap_err();
            assert_eq!(e.kind(), kind, "{reply:?}: {e}");
            assert!(e.body().is_none(), "token answers are never kept: {e}");
            let text = format!("{e} {e:?} {:?}", std::error::Error::source(&e));
            assert!(!text.contains(SECRET), "{text}");
        }
        let e = fetch(Ok((200, r#"{"errcode":40013,"errmsg":"invalid corpid"}"#)))
            .await
            .0
            .unwrap_err();
        assert!(
            e.to_string().contains("not the WeCom `ww…` one"),
            "a hint about the id: {e}"
        );
    }
}
