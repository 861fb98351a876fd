//! The access-token request, written once for every vendor with a token endpoint.
//!
//! A vendor describes its endpoint ([`TokenEndpoint`]): how to build the request and how to
//! read its answer. Everything else is here, the same for every vendor: sending the request,
//! scrubbing the secret from transport errors (keeping whether the request may have been
//! sent), [`classify_http`](crate::classify_http), reading the answer (and only its head when
//! the whole answer does not decode), keeping only throttled and transient refusals (any other
//! refusal is a credential problem), the default lifetime, the wording
//! `fetching the access token: …`, never the body in an error (it may hold a token), and the
//! tracing events.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use crate::error::TransportError;
use crate::operation::decode_or_head;
use crate::secret::{Secret, scrub};
use crate::token::{AccessToken, TokenFetcher};
use crate::transport::{HttpRequest, HttpResponse, Transport};
use crate::{Error, ErrorKind};

/// What every error of a token fetch starts with.
const CONTEXT: &str = "fetching the access token";

/// A vendor's access-token endpoint: how to ask for a token and how to read the answer.
///
/// A type implementing it is a [`TokenFetcher`]: the request is sent, the answer read and
/// every failure classified the same way for every vendor (see [`read_token_answer`]).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use scrm_core::{
///     ErrorKind, HttpRequest, HttpResponse, Method, Secret, StatusCode, TokenEndpoint,
///     TokenRefusal, TokenReply, read_token_answer,
/// };
///
/// /// `GET /token` answered by `{"code": 0, "token": "…", "ttl": 7200}`.
/// struct Demo { secret: Secret }
///
/// #[derive(serde::Deserialize)]
/// struct Answer { code: i64, msg: Option<String>, token: Option<Secret>, ttl: Option<i64> }
/// #[derive(serde::Deserialize)]
/// struct Head { code: i64, msg: Option<String> }
///
/// impl TokenEndpoint for Demo {
///     const VENDOR: &'static str = "demo";
///     const SHAPE: &'static str = "{code, msg, token, ttl}";
///     const TOKEN_FIELD: &'static str = "token";
///     const DEFAULT_LIFETIME: Duration = Duration::from_secs(7200);
///     type Answer = Answer;
///     type Head = Head;
///     fn request(&self) -> Result<HttpRequest, scrm_core::Error> {
///         let url = scrm_core::Url::parse("https://demo.example/token")
///             .map_err(|e| scrm_core::Error::new(ErrorKind::Config, e.to_string()))?;
///         Ok(HttpRequest::new(Method::GET, url))
///     }
///     fn secrets(&self) -> &[Secret] {
///         std::slice::from_ref(&self.secret)
///     }
///     fn reply(&self, a: Answer) -> TokenReply {
///         match a.code {
///             0 => TokenReply::Granted { token: a.token, expires_in: a.ttl },
///             code => TokenReply::Refused(TokenRefusal::new(code, a.msg.unwrap_or_default())),
///         }
///     }
///     fn refusal(&self, h: Head) -> Option<TokenRefusal> {
///         (h.code != 0).then(|| TokenRefusal::new(h.code, h.msg.unwrap_or_default()))
///     }
///     fn classify(&self, code: i64, _http_status: u16) -> ErrorKind {
///         if code == 45009 { ErrorKind::Throttled } else { ErrorKind::Service }
///     }
/// }
///
/// let demo = Demo { secret: Secret::new("app-secret") };
/// let answer = |body: &str| HttpResponse {
///     status: StatusCode::OK,
///     headers: Default::default(),
///     body: body.to_owned().into(),
/// };
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let token = read_token_answer(&demo, &answer(r#"{"code":0,"token":"tok","ttl":60}"#), now);
/// assert_eq!(token.unwrap().expires_at, now + Duration::from_secs(60));
/// let e = read_token_answer(&demo, &answer(r#"{"code":7,"msg":"bad app-secret"}"#), now);
/// let e = e.unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::AuthRejected);
/// assert_eq!(e.message(), "fetching the access token: bad ***");
/// ```
pub trait TokenEndpoint: Send + Sync + 'static {
    /// The vendor's name in tracing events (`"wshoto"`).
    const VENDOR: &'static str;
    /// The documented shape of the answer, named when an answer does not have it
    /// (`{code, msg, data: {access_token, expires_in}}`).
    const SHAPE: &'static str;
    /// Where the token stands in the answer (`data.access_token`), named when a successful
    /// answer carries none.
    const TOKEN_FIELD: &'static str;
    /// The lifetime assumed when the answer has no usable `expires_in` (missing, 0 or
    /// negative).
    const DEFAULT_LIFETIME: Duration;

    /// The whole answer.
    type Answer: DeserializeOwned;
    /// The answer's head alone (its code and message, any payload ignored): read only when the
    /// whole answer does not decode, so that an error answer with an odd payload is still
    /// reported as the vendor's refusal.
    type Head: DeserializeOwned;

    /// The token request, credentials included: it goes to the transport and nowhere else.
    /// An error here means nothing was sent.
    fn request(&self) -> Result<HttpRequest, Error>;

    /// The values scrubbed from every error (the app secret).
    fn secrets(&self) -> &[Secret];

    /// What a decoded answer says: a token, or the vendor's refusal.
    fn reply(&self, answer: Self::Answer) -> TokenReply;

    /// The refusal a head reports, if it reports one (`None`: the head says success, so the
    /// payload was at fault and the decode error is reported).
    fn refusal(&self, head: Self::Head) -> Option<TokenRefusal>;

    /// The vendor's code table. Of its answer only [`ErrorKind::Throttled`] and
    /// [`ErrorKind::Transient`] are kept; any other class means the credentials were refused
    /// ([`ErrorKind::AuthRejected`]), never that a token expired.
    fn classify(&self, code: i64, http_status: u16) -> ErrorKind;

    /// Advice added to the message of a refusal classified as credentials rejected (which id
    /// or secret the vendor expects).
    fn rejected_hint(&self) -> Option<&str> {
        None
    }
}

/// What a token answer says, as read by [`TokenEndpoint::reply`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum TokenReply {
    /// The vendor reports success. A missing or empty `token` is a decode error.
    Granted {
        /// The token.
        token: Option<Secret>,
        /// Its lifetime in seconds, if the answer has one.
        expires_in: Option<i64>,
    },
    /// The vendor refused.
    Refused(TokenRefusal),
}

/// A refusal of the token endpoint: the vendor's code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRefusal {
    /// The vendor's code.
    pub code: i64,
    /// The vendor's message (scrubbed of the secrets before it goes into an error).
    pub message: String,
}

impl TokenRefusal {
    /// A refusal with the vendor's `code` and `message`.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        TokenRefusal {
            code,
            message: message.into(),
        }
    }
}

/// The lifetime of a token whose answer says `expires_in` seconds: `default` when that is
/// missing, 0 or negative.
///
/// ```
/// use std::time::Duration;
/// let default = Duration::from_secs(7200);
/// assert_eq!(scrm_core::token_lifetime(Some(600), default), Duration::from_secs(600));
/// assert_eq!(scrm_core::token_lifetime(Some(0), default), default);
/// assert_eq!(scrm_core::token_lifetime(None, default), default);
/// ```
pub fn token_lifetime(expires_in: Option<i64>, default: Duration) -> Duration {
    expires_in
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > 0)
        .map_or(default, Duration::from_secs)
}

/// Reads an answer of `endpoint`: the token, or a classified error.
///
/// - HTTP-level failures (429, an HTML page, an empty body) are classified by
///   [`classify_http`](crate::classify_http), keeping `Retry-After`.
/// - An answer that does not decode is a decode error (transient on HTTP 5xx) naming only
///   the path and the documented shape, never a value (it may be the token); unless its head
///   reports a refusal, which is then the error.
/// - A refusal is [`ErrorKind::Throttled`] or [`ErrorKind::Transient`] when the vendor's
///   code table says so, else [`ErrorKind::AuthRejected`]; it carries the vendor's code and
///   message.
/// - Every error carries the HTTP status, never the body, and is scrubbed of the endpoint's
///   secrets.
pub fn read_token_answer<E: TokenEndpoint + ?Sized>(
    endpoint: &E,
    response: &HttpResponse,
    now: SystemTime,
) -> Result<AccessToken, Error> {
    let status = response.status.as_u16();
    let fail = |kind: ErrorKind, message: &str| {
        Error::new(
            kind,
            format!("{CONTEXT}: {}", scrub(message, endpoint.secrets())),
        )
        .with_status(status)
    };
    crate::classify_http(response).map_err(|e| {
        fail(
            e.kind(),
            &format!("the access-token endpoint answered {}", e.message()),
        )
        .with_retry_after(e.retry_after())
    })?;
    let decode = |body: &[u8]| {
        let de = &mut serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize::<_, E::Answer>(de).map_err(|e| {
            // Only the path: serde's own message may quote a value of the answer (the token).
            let kind = if response.status.is_server_error() {
                ErrorKind::Transient
            } else {
                ErrorKind::Decode
            };
            fail(
                kind,
                &format!(
                    "the answer is not the documented {} (at `{}`)",
                    E::SHAPE,
                    e.path()
                ),
            )
        })
    };
    let answer = decode_or_head(&response.body, decode, |head: Option<E::Head>| {
        let refusal = endpoint.refusal(head?)?;
        Some(refused(endpoint, refusal, status))
    })?;
    match endpoint.reply(answer) {
        TokenReply::Refused(refusal) => Err(refused(endpoint, refusal, status)),
        TokenReply::Granted { token, expires_in } => {
            let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
                fail(
                    ErrorKind::Decode,
                    &format!(
                        "the answer reports success but carries no `{}`",
                        E::TOKEN_FIELD
                    ),
                )
            })?;
            Ok(AccessToken::new(
                token,
                now,
                token_lifetime(expires_in, E::DEFAULT_LIFETIME),
            ))
        }
    }
}

/// The error of a refusal: credentials rejected unless the code table says throttled or
/// transient.
fn refused<E: TokenEndpoint + ?Sized>(endpoint: &E, refusal: TokenRefusal, status: u16) -> Error {
    let kind = match endpoint.classify(refusal.code, status) {
        k @ (ErrorKind::Throttled | ErrorKind::Transient) => k,
        _ => ErrorKind::AuthRejected,
    };
    let mut message = refusal.message;
    if kind == ErrorKind::AuthRejected
        && let Some(hint) = endpoint.rejected_hint()
    {
        if message.trim().is_empty() {
            message = hint.to_owned();
        } else {
            message = format!("{message}; {hint}");
        }
    }
    let message = scrub(&message, endpoint.secrets());
    Error::vendor(kind, refusal.code, format!("{CONTEXT}: {message}")).with_status(status)
}

/// A transport failure of the token request, scrubbed of the secrets (the request carried
/// them), keeping whether the request may have reached the vendor.
fn transport_error(e: &TransportError, secrets: &[Secret]) -> Error {
    let scrubbed = TransportError::new(e.kind(), scrub(e.message(), secrets), e.maybe_sent());
    Error::transport(scrubbed).map_message(|m| format!("{CONTEXT}: {m}"))
}

#[async_trait]
impl<E: TokenEndpoint> TokenFetcher for E {
    async fn fetch(
        &self,
        transport: &dyn Transport,
        now: SystemTime,
    ) -> Result<AccessToken, Error> {
        let request = self.request().map_err(Error::not_sent)?;
        tracing::debug!(vendor = E::VENDOR, "requesting an access token");
        let token = match transport.send(request).await {
            Ok(response) => read_token_answer(self, &response, now),
            Err(e) => Err(transport_error(&e, self.secrets())),
        };
        match &token {
            Ok(t) => tracing::debug!(
                vendor = E::VENDOR,
                expires_in_s = t
                    .expires_at
                    .duration_since(now)
                    .unwrap_or_default()
                    .as_secs(),
                "access token received"
            ),
            Err(e) => tracing::debug!(
                vendor = E::VENDOR,
                error_class = ?e.kind(),
                code = e.code().unwrap_or(""),
                "no access token"
            ),
        }
        token
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Mutex;
    use std::time::UNIX_EPOCH;

    use serde::Deserialize;

    use super::*;
    use crate::{Method, StatusCode, TransportErrorKind, Url};

    const SECRET: &str = "s3cr3t-value-xyz";

    /// `POST /token` answered by `{"code", "msg", "data": {"token", "ttl"}}`; code 0 is
    /// success, 45009 throttled, -1 busy, 42001 "token expired" (never kept here).
    struct Demo {
        secrets: Vec<Secret>,
    }

    #[derive(Deserialize)]
    struct Answer<T> {
        #[serde(deserialize_with = "crate::de::int")]
        code: i64,
        #[serde(default, deserialize_with = "crate::de::opt_text")]
        msg: Option<String>,
        data: Option<T>,
    }

    #[derive(Deserialize)]
    struct Grant {
        token: Secret,
        #[serde(default, deserialize_with = "crate::de::opt_int")]
        ttl: Option<i64>,
    }

    impl TokenEndpoint for Demo {
        const VENDOR: &'static str = "demo";
        const SHAPE: &'static str = "{code, msg, data: {token, ttl}}";
        const TOKEN_FIELD: &'static str = "data.token";
        const DEFAULT_LIFETIME: Duration = Duration::from_secs(7200);
        type Answer = Answer<Grant>;
        type Head = Answer<serde::de::IgnoredAny>;

        fn request(&self) -> Result<HttpRequest, Error> {
            let url = Url::parse(&format!("https://demo.example/token?secret={SECRET}"))
                .map_err(|e| Error::new(ErrorKind::Config, e.to_string()))?;
            Ok(HttpRequest::new(Method::POST, url))
        }

        fn secrets(&self) -> &[Secret] {
            &self.secrets
        }

        fn reply(&self, answer: Answer<Grant>) -> TokenReply {
            if answer.code != 0 {
                return TokenReply::Refused(TokenRefusal::new(
                    answer.code,
                    answer.msg.unwrap_or_default(),
                ));
            }
            let (token, expires_in) = answer.data.map_or((None, None), |g| (Some(g.token), g.ttl));
            TokenReply::Granted { token, expires_in }
        }

        fn refusal(&self, head: Self::Head) -> Option<TokenRefusal> {
            (head.code != 0).then(|| TokenRefusal::new(head.code, head.msg.unwrap_or_default()))
        }

        fn classify(&self, code: i64, http_status: u16) -> ErrorKind {
            match code {
                45009 => ErrorKind::Throttled,
                -1 => ErrorKind::Transient,
                42001 => ErrorKind::AuthExpired,
                _ if (500..600).contains(&http_status) => ErrorKind::Transient,
                _ => ErrorKind::Service,
            }
        }

        fn rejected_hint(&self) -> Option<&str> {
            Some("check the demo secret")
        }
    }

    fn demo() -> Demo {
        Demo {
            secrets: vec![Secret::new(SECRET)],
        }
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(StatusCode::from_u16(status).unwrap(), body.to_owned())
    }

    fn read(status: u16, body: &str) -> Result<AccessToken, Error> {
        read_token_answer(&demo(), &response(status, body), now())
    }

    /// Every rendering of an error, source included.
    fn renderings(e: &Error) -> String {
        format!("{e} {e:?} {:?}", std::error::Error::source(e))
    }

    /// One canned reply: an answer or a transport failure; records what was sent.
    struct Canned {
        reply: Result<(u16, &'static str), (TransportErrorKind, bool)>,
        seen: Mutex<Vec<HttpRequest>>,
    }

    #[async_trait]
    impl Transport for Canned {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.seen.lock().unwrap().push(request);
            match self.reply {
                Ok((status, body)) => Ok(response(status, body)),
                Err((kind, maybe_sent)) => Err(TransportError::new(
                    kind,
                    format!("boom near secret={SECRET}"),
                    maybe_sent,
                )),
            }
        }
    }

    async fn fetch(
        reply: Result<(u16, &'static str), (TransportErrorKind, bool)>,
    ) -> (Result<AccessToken, Error>, Vec<HttpRequest>) {
        let transport = Canned {
            reply,
            seen: Mutex::new(Vec::new()),
        };
        let token = demo().fetch(&transport, now()).await;
        (token, transport.seen.into_inner().unwrap())
    }

    #[tokio::test]
    async fn sends_the_vendor_request_and_reads_the_token() {
        let (token, seen) =
            fetch(Ok((200, r#"{"code":0,"data":{"token":"tok","ttl":600}}"#))).await;
        let token = token.unwrap();
        assert_eq!(token.value.expose(), "tok");
        assert_eq!(token.issued_at, now());
        assert_eq!(token.expires_at, now() + Duration::from_secs(600));
        let [request] = seen.as_slice() else {
            panic!("{seen:?}")
        };
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.url.path(), "/token");
    }

    #[tokio::test]
    async fn transport_errors_are_scrubbed_and_keep_maybe_sent() {
        for maybe_sent in [false, true] {
            let (e, _) = fetch(Err((TransportErrorKind::Connect, maybe_sent))).await;
            let e = e.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Transport);
            assert_eq!(e.maybe_sent(), maybe_sent);
            assert!(
                e.message().starts_with("fetching the access token: "),
                "{e}"
            );
            assert!(e.message().contains("boom near secret=***"), "{e}");
            let text = renderings(&e);
            assert!(!text.contains(SECRET), "{text}");
            assert!(e.body().is_none());
        }
    }

    #[test]
    fn an_answer_means_sent() {
        for (status, body) in [
            (200, r#"{"code":40013,"msg":"bad"}"#),
            (200, r#"{"code":0}"#),
            (502, "<html>bad gateway</html>"),
            (200, r#"{"code":0,"data":{"token":[1]}}"#),
        ] {
            let e = read(status, body).unwrap_err();
            assert!(e.maybe_sent(), "{body}: {e}");
            assert_eq!(e.http_status(), Some(status), "{body}");
            assert!(e.body().is_none(), "{body}: the body may hold a token");
        }
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_built_was_not_sent() {
        struct Broken(Demo);
        impl TokenEndpoint for Broken {
            const VENDOR: &'static str = "demo";
            const SHAPE: &'static str = Demo::SHAPE;
            const TOKEN_FIELD: &'static str = Demo::TOKEN_FIELD;
            const DEFAULT_LIFETIME: Duration = Demo::DEFAULT_LIFETIME;
            type Answer = <Demo as TokenEndpoint>::Answer;
            type Head = <Demo as TokenEndpoint>::Head;
            fn request(&self) -> Result<HttpRequest, Error> {
                Err(Error::new(ErrorKind::Config, "cannot encode"))
            }
            fn secrets(&self) -> &[Secret] {
                self.0.secrets()
            }
            fn reply(&self, answer: Self::Answer) -> TokenReply {
                self.0.reply(answer)
            }
            fn refusal(&self, head: Self::Head) -> Option<TokenRefusal> {
                self.0.refusal(head)
            }
            fn classify(&self, code: i64, http_status: u16) -> ErrorKind {
                self.0.classify(code, http_status)
            }
        }
        let transport = Canned {
            reply: Ok((200, "{}")),
            seen: Mutex::new(Vec::new()),
        };
        let e = Broken(demo()).fetch(&transport, now()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(!e.maybe_sent());
        assert!(transport.seen.lock().unwrap().is_empty());
    }

    #[test]
    fn a_missing_or_empty_token_is_a_decode_error() {
        for body in [
            r#"{"code":0}"#,
            r#"{"code":0,"data":null}"#,
            r#"{"code":0,"data":{"token":""}}"#,
        ] {
            let e = read(200, body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode, "{body}");
            assert_eq!(
                e.message(),
                "fetching the access token: the answer reports success but carries no \
                 `data.token`",
                "{body}"
            );
        }
    }

    #[test]
    fn http_failures_are_classified_with_retry_after() {
        let e = read(502, "<html>bad gateway</html>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert!(
            e.message().starts_with(
                "fetching the access token: the access-token endpoint answered HTTP 502"
            ),
            "{e}"
        );
        assert!(!e.message().contains("bad gateway"), "never the body: {e}");
        let mut throttled = response(429, "");
        throttled
            .headers
            .insert("retry-after", "3".parse().unwrap());
        let e = read_token_answer(&demo(), &throttled, now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(read(404, "nope").unwrap_err().kind(), ErrorKind::Config);
    }

    #[test]
    fn decode_errors_name_the_path_and_shape_but_quote_no_value() {
        let e = read(200, r#"{"code":0,"data":{"token":["tok-LEAK"]}}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(
            e.message(),
            "fetching the access token: the answer is not the documented \
             {code, msg, data: {token, ttl}} (at `data.token`)"
        );
        assert!(!renderings(&e).contains("LEAK"));
        // The same answer after a 5xx: the server is failing, try again.
        let e = read(503, r#"{"code":0,"data":{"token":["tok-LEAK"]}}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transient);
        let e = read(200, r#"{"msg":"no code"}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }

    #[test]
    fn a_refusal_with_an_odd_payload_is_still_the_refusal() {
        let e = read(
            200,
            r#"{"code":45009,"msg":"too often","data":{"token":7}}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.code(), Some("45009"));
        assert_eq!(e.message(), "fetching the access token: too often");
    }

    #[test]
    fn vendor_codes_keep_only_throttled_and_transient() {
        let cases = [
            (200, 45009, ErrorKind::Throttled),
            (200, -1, ErrorKind::Transient),
            (502, 99, ErrorKind::Transient),
            (200, 42001, ErrorKind::AuthRejected),
            (200, 40013, ErrorKind::AuthRejected),
        ];
        for (status, code, kind) in cases {
            let body = format!(r#"{{"code":{code},"msg":"m"}}"#);
            let e = read(status, &body).unwrap_err();
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.code(), Some(code.to_string().as_str()));
        }
    }

    #[test]
    fn refusals_are_scrubbed_and_rejections_get_the_hint() {
        let body = format!(r#"{{"code":40013,"msg":"secret {SECRET} wrong"}}"#);
        let e = read(200, &body).unwrap_err();
        assert_eq!(
            e.message(),
            "fetching the access token: secret *** wrong; check the demo secret"
        );
        let e = read(200, r#"{"code":40013,"msg":""}"#).unwrap_err();
        assert_eq!(
            e.message(),
            "fetching the access token: check the demo secret"
        );
        let e = read(200, r#"{"code":45009,"msg":"too often"}"#).unwrap_err();
        assert!(!e.message().contains("demo secret"), "{e}");
    }

    #[test]
    fn lifetimes() {
        let default = Duration::from_secs(7200);
        assert_eq!(token_lifetime(Some(120), default), Duration::from_secs(120));
        assert_eq!(token_lifetime(None, default), default);
        assert_eq!(token_lifetime(Some(0), default), default);
        assert_eq!(token_lifetime(Some(-5), default), default);
        let t = read(200, r#"{"code":0,"data":{"token":"t","ttl":""}}"#).unwrap();
        assert_eq!(t.expires_at, now() + default);
    }
}
