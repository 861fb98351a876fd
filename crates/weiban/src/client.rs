//! [`WeibanClient`] and its builder.

use std::sync::Arc;
use std::time::Duration;

use scrm_core::{Error, QueryTokenSigner, Secret, TokenSettings};

use crate::auth::TokenFetcher;
use crate::envelope::{DEFAULT_TOKEN_INVALID_CODES, Weiban};

/// weiban's documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://open.weibanzhushou.com";

/// Default request starts per second for one credential. weiban publishes no limit, and field
/// reports show empty pages under concurrency, so the default is conservative.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 3.0;

/// Default requests in flight at once for one credential (see [`DEFAULT_REQUESTS_PER_SECOND`]).
pub const DEFAULT_MAX_CONCURRENT: usize = 2;

/// How long before its expiry a token is replaced by default.
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = TokenSettings::DEFAULT_REFRESH_MARGIN;

/// A weiban (微伴助手) open-API client for one `corp_id`/`secret`.
///
/// Cheap to clone; clones share the token cache, the rate limiter and the connection pool, so
/// clone it rather than build a second client for the same credential. Built with
/// [`WeibanClient::builder`].
///
/// ```
/// use scrm_weiban::prelude::*;
/// use scrm_weiban::SmartFormUserList;
///
/// # async fn demo() -> Result<(), scrm_weiban::Error> {
/// let client = WeibanClient::builder()
///     .corp_id("1234567890123456789")
///     .secret(std::env::var("WEIBAN_SECRET").unwrap_or_default())
///     .build()?;
/// let worker = client.clone(); // the same token cache and rate limit
/// let users: Vec<_> = worker.items(SmartFormUserList::new()).try_collect().await?;
/// println!("{} users", users.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WeibanClient {
    inner: scrm_core::Client<Weiban>,
}

impl WeibanClient {
    /// A builder with weiban's defaults: base URL [`DEFAULT_BASE_URL`], at most
    /// [`DEFAULT_REQUESTS_PER_SECOND`] requests per second and [`DEFAULT_MAX_CONCURRENT`] in
    /// flight, 3 attempts per call, tokens refreshed [`DEFAULT_TOKEN_REFRESH_MARGIN`] ahead of
    /// expiry and kept in memory.
    ///
    /// ```
    /// use scrm_weiban::prelude::*;
    ///
    /// let client = WeibanClient::builder()
    ///     .corp_id("1234567890123456789")
    ///     .secret("your-secret")
    ///     .requests_per_second(2.0)
    ///     .max_attempts(5)
    ///     .build()?; // fetches nothing yet
    /// # let _ = client;
    /// # Ok::<(), scrm_weiban::Error>(())
    /// ```
    pub fn builder() -> WeibanClientBuilder {
        WeibanClientBuilder::default()
    }

    /// The generic client underneath (for code written against `scrm_core`).
    ///
    /// Also the way to any endpoint without a typed operation: a
    /// [`RawRequest`](scrm_core::raw::RawRequest) goes through the same auth, retries, rate
    /// limit and redaction, and its payload comes back as JSON.
    ///
    /// ```
    /// use scrm_weiban::scrm_core::raw::RawRequest;
    /// use scrm_weiban::scrm_core::Method;
    /// use scrm_weiban::{WeibanClient, Weiban};
    ///
    /// # async fn demo(client: WeibanClient) -> Result<(), scrm_weiban::Error> {
    /// let request = RawRequest::<Weiban>::new(Method::GET, "/open-api/staff/list").field("limit", 10).field("offset", 0);
    /// let payload: serde_json::Value = client.core().call(&request).await?;
    /// println!("{payload}");
    /// # Ok(()) }
    /// ```
    pub fn core(&self) -> &scrm_core::Client<Weiban> {
        &self.inner
    }
}

scrm_core::vendor_client_verbs!(
    WeibanClient,
    Weiban,
    call: r#"
# async fn demo(client: scrm_weiban::WeibanClient) -> Result<(), scrm_weiban::Error> {
use scrm_weiban::{FormUserStatus, SmartFormUserList};
let request = SmartFormUserList::new().status(FormUserStatus::Submit).limit(10u32);
let page = client.call(&request).await?;
println!("{} of {:?}", page.result.map_or(0, |r| r.len()), page.total);
# Ok(()) }
"#,
    pages: r#"
# async fn demo(client: scrm_weiban::WeibanClient) -> Result<(), scrm_weiban::Error> {
use scrm_weiban::prelude::*;
use scrm_weiban::{FormUserStatus, SmartFormUserList};
let request = SmartFormUserList::new().status(FormUserStatus::Submit);
let mut pages = client.pages(request).concurrency(2);
while let Some(page) = pages.try_next().await? {
    // Write the records, then save page.next: resume with .resume_from(saved).
    println!("{} records, next {:?}", page.items.len(), page.next);
}
# Ok(()) }
"#,
    items: r#"
# async fn demo(client: scrm_weiban::WeibanClient) -> Result<(), scrm_weiban::Error> {
use scrm_weiban::prelude::*;
use scrm_weiban::{FormUserStatus, SmartFormUserList};
let mut users = client.items(SmartFormUserList::new().status(FormUserStatus::Submit));
while let Some(user) = users.try_next().await? {
    println!("{:?} submitted {:?}", user.external_user_id, user.form_name);
}
# Ok(()) }
"#
);

scrm_core::vendor_client_builder! {
    /// ```
    /// use std::time::Duration;
    /// use scrm_weiban::{Configure, ConfigureTokens, Secret, WeibanClient};
    /// let client = WeibanClient::builder()
    ///     .corp_id("1234567890123456789")
    ///     .secret(Secret::new("…"))
    ///     .token_refresh_margin(Duration::from_secs(600))
    ///     .requests_per_second(2.0)
    ///     .build()?;
    /// # Ok::<(), scrm_weiban::Error>(())
    /// ```
    pub struct WeibanClientBuilder for Weiban {
        defaults: DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT;
        credentials {
            /// weiban's own corp id (a 19-digit number, as a string) — not the WeCom `ww…` corp id.
            /// Required.
            corp_id: String = "weiban's own corp id from its admin console, not the WeCom `ww…` one",
            /// The open-API secret. Required; never printed (see [`Secret`]).
            secret: Secret = "the open-API secret from weiban's admin console",
        }
        /// Token store (tokens are kept under the key `weiban:<corp_id>`), refresh margin (default 5
        /// minutes) and token-invalid codes (weiban publishes none; default 40001, 40014, 42001 as the
        /// WeCom family uses).
        tokens: DEFAULT_TOKEN_INVALID_CODES;
    }

    /// The first call fetches the token.
    ///
    /// ```
    /// use scrm_weiban::{ErrorKind, WeibanClient};
    ///
    /// let error = WeibanClient::builder().corp_id("1234567890123456789").build().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Config);
    /// assert!(error.to_string().contains("secret"), "{error}");
    /// ```
    fn build(self) -> Result<WeibanClient, Error> {
        let base_url = self
            .options
            .checked_base_url()
            .map_err(|e| e.with_vendor(VENDOR))?;
        let fetcher = TokenFetcher::new(&base_url, corp_id.clone(), secret.clone())
            .map_err(|e| e.with_vendor(VENDOR))?;
        let cache = self.tokens.cache(
            format!("weiban:{corp_id}"),
            Arc::new(fetcher),
            self.options.current_clock(),
        );
        // The secret never travels to the API, so it should never come back: scrub it anyway.
        let signer = QueryTokenSigner::new("access_token", Arc::new(cache)).scrubbing(secret);
        let vendor = Weiban::new(self.tokens.invalid_codes().to_vec());
        let inner = self.options.build(vendor, Arc::new(signer))?;
        Ok(WeibanClient { inner })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::{Configure, ErrorKind, RateLimit};

    #[test]
    fn credentials_are_required() {
        let e = WeibanClient::builder().secret("s").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.to_string()
                .starts_with("weiban: configuration error: `corp_id` is required"),
            "{e}"
        );
        let e = WeibanClient::builder()
            .corp_id("  ")
            .secret("s")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("`corp_id` is required"), "{e}");
        let e = WeibanClient::builder().corp_id("1").build().unwrap_err();
        assert!(e.to_string().contains("`secret` is required"), "{e}");
        let e = WeibanClient::builder()
            .corp_id("1")
            .secret("")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("`secret` is required"), "{e}");
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
        assert_eq!(core.retry_policy().max_attempts, 3);
        let client = WeibanClient::builder()
            .corp_id("1")
            .secret("s")
            .base_url("https://weiban.example.com/")
            .build()
            .unwrap();
        assert_eq!(client.core().base_url(), "https://weiban.example.com");
    }
}
