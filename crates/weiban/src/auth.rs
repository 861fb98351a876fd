//! weiban's access token: `POST {base}/open-api/access_token/get` with `{"corp_id","secret"}`,
//! answered by a flat `{errcode, errmsg, access_token, expires_in}`.
//!
//! The token travels as the `access_token` query parameter of every call
//! ([`QueryTokenSigner`](scrm_core::QueryTokenSigner)); the
//! [`TokenCache`](scrm_core::TokenCache) fetches it once for all concurrent callers, refreshes it
//! ahead of expiry and drops it precisely when weiban rejects it.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use scrm_core::{
    AccessToken, Error, ErrorKind, HeaderName, HeaderValue, HttpRequest, HttpResponse, Method,
    Secret, Transport, TransportError, Url, async_trait, scrub,
};

/// Path of the token endpoint, after the base URL.
pub(crate) const TOKEN_PATH: &str = "/open-api/access_token/get";

/// Lifetime assumed when the token answer has no usable `expires_in` (weiban's tokens last
/// 7200 s, as WeCom's do).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(7200);

/// Fetches weiban access tokens for one `corp_id`/`secret`.
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

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default, deserialize_with = "scrm_core::de::int")]
    errcode: i64,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    access_token: Option<Secret>,
    #[serde(default, deserialize_with = "scrm_core::de::opt_int")]
    expires_in: Option<i64>,
}

#[async_trait]
impl scrm_core::TokenFetcher for TokenFetcher {
    async fn fetch(
        &self,
        transport: &dyn Transport,
        now: SystemTime,
    ) -> Result<AccessToken, Error> {
        let secrets = std::slice::from_ref(&self.secret);
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
        tracing::debug!(vendor = "weiban", "requesting an access token");
        let response = transport.send(request).await.map_err(|e| {
            Error::transport(TransportError::new(
                e.kind(),
                format!("access-token request: {}", scrub(e.message(), secrets)),
                e.maybe_sent(),
            ))
        })?;
        let token = read_token(&response, now, secrets);
        match &token {
            Ok(t) => tracing::debug!(
                vendor = "weiban",
                expires_in_s = t
                    .expires_at
                    .duration_since(now)
                    .unwrap_or_default()
                    .as_secs(),
                "access token received"
            ),
            Err(e) => tracing::debug!(
                vendor = "weiban",
                error_class = ?e.kind(),
                code = e.code().unwrap_or(""),
                "access token refused"
            ),
        }
        token
    }
}

/// Reads a token answer. Errors never carry the body (it may hold a token) nor the secret.
fn read_token(
    response: &HttpResponse,
    now: SystemTime,
    secrets: &[Secret],
) -> Result<AccessToken, Error> {
    let status = response.status.as_u16();
    let failure = |kind: ErrorKind, message: String| Error::new(kind, message).with_status(status);
    scrm_core::classify_http(response).map_err(|e| {
        failure(
            e.kind(),
            format!("the access-token endpoint answered {}", e.message()),
        )
        .with_retry_after(e.retry_after())
    })?;
    let answer: TokenResponse = serde_json::from_slice(&response.body).map_err(|e| {
        // serde_json's message may quote the offending value (a token): say only where.
        let kind = if response.status.is_server_error() {
            ErrorKind::Transient
        } else {
            ErrorKind::Decode
        };
        failure(
            kind,
            format!(
                "the access-token answer is not the documented \
                 {{errcode, errmsg, access_token, expires_in}} ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })?;
    if answer.errcode != 0 {
        let errmsg = scrub(answer.errmsg.as_deref().unwrap_or_default(), secrets);
        // weiban's code table decides throttled and transient answers; any other refusal of
        // the token request is a credential problem.
        let kind = match crate::envelope::classify(answer.errcode, &[], status) {
            k @ (ErrorKind::Throttled | ErrorKind::Transient) => k,
            _ => ErrorKind::AuthRejected,
        };
        let message = if kind == ErrorKind::AuthRejected {
            format!(
                "{errmsg}; weiban refused the corp_id/secret (corp_id is weiban's own numeric \
                 corp id, not the WeCom `ww…` one)"
            )
        } else {
            format!("access-token request: {errmsg}")
        };
        return Err(Error::vendor(kind, answer.errcode, message).with_status(status));
    }
    let value = answer
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            failure(
                ErrorKind::Decode,
                "the access-token answer has errcode 0 but no access_token".into(),
            )
        })?;
    let lifetime = answer
        .expires_in
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
    Ok(AccessToken::new(value, now, lifetime))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Mutex;
    use std::time::UNIX_EPOCH;

    use scrm_core::{HeaderMap, StatusCode, TokenFetcher as _, TransportErrorKind};

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
