//! Signers put a vendor's credentials on a request; request ids are injectable (the clock is in
//! `clock`).

use std::sync::Arc;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::Error;
use crate::secret::Secret;
use crate::token::TokenCache;
use crate::transport::{HttpRequest, Transport};

/// Makes the unique id some vendors require per request (waiqin's `msg_id`).
pub trait RequestIds: Send + Sync + 'static {
    /// A fresh id; never the same twice.
    fn next_id(&self) -> String;
}

/// Hands out the given ids in order, then `<last>-<n>`: for deterministic tests.
#[derive(Debug)]
pub struct FixedIds {
    ids: Vec<String>,
    next: Mutex<usize>,
}

impl FixedIds {
    /// Ids to hand out in order.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        FixedIds {
            ids: ids.into_iter().map(Into::into).collect(),
            next: Mutex::new(0),
        }
    }
}

impl RequestIds for FixedIds {
    fn next_id(&self) -> String {
        let mut n = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let i = *n;
        *n += 1;
        match self.ids.get(i) {
            Some(id) => id.clone(),
            None => format!("{}-{i}", self.ids.last().map_or("id", String::as_str)),
        }
    }
}

/// What a signer may use while signing.
pub struct SignContext<'a> {
    /// The client's transport, for signers that must fetch a token first.
    pub transport: &'a dyn Transport,
    /// 1 for the first attempt of a call.
    pub attempt: u32,
}

/// What a signer put on a request: which token it used (so only that token is invalidated when
/// the vendor rejects it), the request id, and every secret value that must be scrubbed from
/// anything that leaves the client.
#[derive(Clone, Debug, Default)]
pub struct SignReceipt {
    /// The access token used, if any.
    pub token: Option<Secret>,
    /// The request id sent (waiqin `msg_id`), checked against the vendor's echo.
    pub request_id: Option<String>,
    /// Values to scrub from error messages and logs (tokens, signatures, digests).
    pub secrets: Vec<Secret>,
}

impl SignReceipt {
    /// The receipt of a signer that computed `signature` (a signature or a digest over the
    /// request) and used no token: the signature is scrubbed from anything that leaves the
    /// client.
    ///
    /// ```
    /// use scrm_core::SignReceipt;
    /// let receipt = SignReceipt::signed("9f86d081").with_request_id("msg-1");
    /// assert_eq!(receipt.secrets[0].expose(), "9f86d081");
    /// assert_eq!(receipt.request_id.as_deref(), Some("msg-1"));
    /// assert!(receipt.token.is_none());
    /// ```
    pub fn signed(signature: impl Into<String>) -> Self {
        SignReceipt {
            secrets: vec![Secret::new(signature)],
            ..SignReceipt::default()
        }
    }

    /// With the request id that was sent (checked against the vendor's echo).
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }
}

/// Puts a vendor's credentials on a request.
///
/// A signer may (a) add a query parameter from an async token source ([`QueryTokenSigner`]),
/// (b) rewrite the URL path with a digest over the exact body bytes, or (c) add headers computed
/// from the exact body bytes. The client calls it once per attempt, so every attempt carries a
/// fresh timestamp, request id and the current token.
///
/// ```
/// use scrm_core::{Error, HttpRequest, SignContext, SignReceipt, Signer};
/// struct StaticHeader;
/// #[async_trait::async_trait]
/// impl Signer for StaticHeader {
///     async fn sign(&self, req: &mut HttpRequest, _cx: &SignContext<'_>) -> Result<SignReceipt, Error> {
///         req.headers.insert("x-app", "demo".parse().unwrap());
///         Ok(SignReceipt::default())
///     }
/// }
/// ```
#[async_trait]
pub trait Signer: Send + Sync + 'static {
    /// Signs `request` in place.
    async fn sign(
        &self,
        request: &mut HttpRequest,
        cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error>;

    /// Told when the vendor answered "token invalid" to a request signed with `receipt`, so a
    /// token source can drop that token (and only that one) before the single retry.
    async fn token_rejected(&self, receipt: &SignReceipt) {
        let _ = receipt;
    }

    /// The long-lived secrets this signer holds (app secrets, app keys). The client scrubs them
    /// from every error, including errors raised while signing (a failed token fetch).
    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }
}

/// Adds `?<param>=<token>` from a [`TokenCache`] (wshoto, weiban).
pub struct QueryTokenSigner {
    param: &'static str,
    cache: Arc<TokenCache>,
    secrets: Vec<Secret>,
}

impl QueryTokenSigner {
    /// A signer adding the cached token as query parameter `param`.
    pub fn new(param: &'static str, cache: Arc<TokenCache>) -> Self {
        QueryTokenSigner {
            param,
            cache,
            secrets: Vec::new(),
        }
    }

    /// Also scrub `secret` (the credential the token is fetched with) from every error.
    pub fn scrubbing(mut self, secret: Secret) -> Self {
        self.secrets.push(secret);
        self
    }

    /// The token cache.
    pub fn cache(&self) -> &Arc<TokenCache> {
        &self.cache
    }
}

#[async_trait]
impl Signer for QueryTokenSigner {
    async fn sign(
        &self,
        request: &mut HttpRequest,
        cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        let token = self.cache.token(cx.transport).await?;
        request
            .url
            .query_pairs_mut()
            .append_pair(self.param, token.expose());
        Ok(SignReceipt {
            token: Some(token.clone()),
            request_id: None,
            secrets: vec![token],
        })
    }

    async fn token_rejected(&self, receipt: &SignReceipt) {
        if let Some(token) = &receipt.token {
            self.cache.invalidate(token).await;
        }
    }

    fn secrets(&self) -> Vec<Secret> {
        self.secrets.clone()
    }
}
