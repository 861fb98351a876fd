//! [`WeibanClient`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use scrm_core::{
    ClientOptions, Configure, Error, ErrorKind, MemoryTokenStore, Operation, QueryTokenSigner,
    RateLimit, Secret, TokenCache, TokenStore,
};

use crate::auth::{TokenFetcher, WeibanSigner};
use crate::envelope::{DEFAULT_TOKEN_INVALID_CODES, Weiban};

/// weiban's documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://open.weibanzhushou.com";

/// Default request starts per second for one credential. weiban publishes no limit, and field
/// reports show empty pages under concurrency, so the default is conservative.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 3.0;

/// Default requests in flight at once for one credential (see [`DEFAULT_REQUESTS_PER_SECOND`]).
pub const DEFAULT_MAX_CONCURRENT: usize = 2;

/// How long before its expiry a token is replaced by default.
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A weiban (微伴助手) open-API client for one `corp_id`/`secret`.
///
/// Cheap to clone; clones share the token cache, the rate limiter and the connection pool, so
/// clone it rather than build a second client for the same credential. Built with
/// [`WeibanClient::builder`].
#[derive(Clone, Debug)]
pub struct WeibanClient {
    inner: scrm_core::Client<Weiban>,
}

impl WeibanClient {
    /// A builder with weiban's defaults: base URL [`DEFAULT_BASE_URL`], at most
    /// [`DEFAULT_REQUESTS_PER_SECOND`] requests per second and [`DEFAULT_MAX_CONCURRENT`] in
    /// flight, 3 attempts per call, tokens refreshed [`DEFAULT_TOKEN_REFRESH_MARGIN`] ahead of
    /// expiry and kept in memory.
    pub fn builder() -> WeibanClientBuilder {
        WeibanClientBuilder::default()
    }

    /// The generic client underneath (for code written against `scrm_core`).
    pub fn core(&self) -> &scrm_core::Client<Weiban> {
        &self.inner
    }

    /// Sends one request and returns its payload (one page for list endpoints; see the
    /// streams, e.g. [`WeibanClient::smart_form_user_list`], for whole exports).
    ///
    /// Retries, token refresh and rate limiting apply as configured.
    pub async fn call<Op: Operation<Vendor = Weiban>>(
        &self,
        op: &Op,
    ) -> Result<Op::Response, Error> {
        self.inner.call(op).await
    }
}

/// Builder of [`WeibanClient`]. The shared settings (base URL, retries, rate limit, timeouts,
/// transport, clock, page options) come from [`Configure`].
///
/// ```
/// use std::time::Duration;
/// use scrm_weiban::{Configure, Secret, WeibanClient};
/// let client = WeibanClient::builder()
///     .corp_id("1234567890123456789")
///     .secret(Secret::new("…"))
///     .token_refresh_margin(Duration::from_secs(600))
///     .requests_per_second(2.0)
///     .build()?;
/// # Ok::<(), scrm_weiban::Error>(())
/// ```
#[derive(Clone)]
pub struct WeibanClientBuilder {
    options: ClientOptions,
    corp_id: Option<String>,
    secret: Option<Secret>,
    token_store: Option<Arc<dyn TokenStore>>,
    token_refresh_margin: Duration,
    token_invalid_codes: Vec<i64>,
}

impl Default for WeibanClientBuilder {
    fn default() -> Self {
        WeibanClientBuilder {
            options: ClientOptions::new(
                DEFAULT_BASE_URL,
                RateLimit::new(DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT),
            ),
            corp_id: None,
            secret: None,
            token_store: None,
            token_refresh_margin: DEFAULT_TOKEN_REFRESH_MARGIN,
            token_invalid_codes: DEFAULT_TOKEN_INVALID_CODES.to_vec(),
        }
    }
}

impl fmt::Debug for WeibanClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeibanClientBuilder")
            .field("options", &self.options)
            .field("corp_id", &self.corp_id)
            .field("secret", &self.secret)
            .field("custom_token_store", &self.token_store.is_some())
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("token_invalid_codes", &self.token_invalid_codes)
            .finish()
    }
}

impl Configure for WeibanClientBuilder {
    fn options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }
}

impl WeibanClientBuilder {
    /// weiban's own corp id (a 19-digit number, as a string) — not the WeCom `ww…` corp id.
    /// Required.
    pub fn corp_id(mut self, corp_id: impl Into<String>) -> Self {
        self.corp_id = Some(corp_id.into());
        self
    }

    /// The open-API secret. Required; never printed (see [`Secret`]).
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Where access tokens are kept (default: in memory, per client). Implement [`TokenStore`]
    /// over a shared store to share one token across processes; the token is stored under the
    /// key `weiban:<corp_id>`.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// How long before its expiry a token is replaced (default
    /// [`DEFAULT_TOKEN_REFRESH_MARGIN`], 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// The `errcode`s that mean "access token invalid or expired": on one of them the token is
    /// dropped, a new one fetched and the call retried once. weiban publishes none; the default
    /// is [`DEFAULT_TOKEN_INVALID_CODES`] (40001, 40014, 42001).
    pub fn token_invalid_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.token_invalid_codes = codes.into_iter().collect();
        self
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] when `corp_id` or `secret` is
    /// missing or empty, or the base URL is invalid. Sends nothing: the first call fetches the
    /// token.
    pub fn build(self) -> Result<WeibanClient, Error> {
        let config = |message: &str| {
            Error::new(ErrorKind::Config, message.to_owned())
                .with_vendor(<Weiban as scrm_core::Vendor>::NAME)
        };
        let corp_id = self
            .corp_id
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                config("corp_id is required (weiban's own corp id from its admin console)")
            })?;
        let secret = self
            .secret
            .filter(|s| !s.expose().trim().is_empty())
            .ok_or_else(|| config("secret is required"))?;
        let base_url = self
            .options
            .checked_base_url()
            .map_err(|e| e.with_vendor(<Weiban as scrm_core::Vendor>::NAME))?;
        let fetcher = TokenFetcher::new(&base_url, corp_id.clone(), secret.clone())
            .map_err(|e| e.with_vendor(<Weiban as scrm_core::Vendor>::NAME))?;
        let store = self
            .token_store
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::default()));
        let cache = TokenCache::new(
            format!("weiban:{corp_id}"),
            Arc::new(fetcher),
            store,
            ClientOptions::clock(&self.options),
            self.token_refresh_margin,
        );
        let signer = WeibanSigner::new(
            QueryTokenSigner::new("access_token", Arc::new(cache)),
            secret,
        );
        let inner = self
            .options
            .build(Weiban::new(self.token_invalid_codes), Arc::new(signer))?;
        Ok(WeibanClient { inner })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn credentials_are_required() {
        let e = WeibanClient::builder().secret("s").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.to_string()
                .starts_with("weiban: configuration error: corp_id is required"),
            "{e}"
        );
        let e = WeibanClient::builder()
            .corp_id("  ")
            .secret("s")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("corp_id is required"), "{e}");
        let e = WeibanClient::builder().corp_id("1").build().unwrap_err();
        assert!(e.to_string().contains("secret is required"), "{e}");
        let e = WeibanClient::builder()
            .corp_id("1")
            .secret("")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("secret is required"), "{e}");
        let e = WeibanClient::builder()
            .corp_id("1")
            .secret("s")
            .base_url("http://example.com")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.vendor_name(), "weiban");
    }

    #[test]
    fn defaults() {
        let client = WeibanClient::builder()
            .corp_id("1234567890123456789")
            .secret("s")
            .build()
            .unwrap();
        let core = client.core();
        assert_eq!(core.base_url(), DEFAULT_BASE_URL);
        assert_eq!(core.rate_limiter().limit(), RateLimit::new(3.0, 2));
        assert_eq!(core.retry_policy().get_max_attempts(), 3);
        let client = WeibanClient::builder()
            .corp_id("1")
            .secret("s")
            .base_url("https://weiban.example.com/")
            .build()
            .unwrap();
        assert_eq!(client.core().base_url(), "https://weiban.example.com");
    }
}
