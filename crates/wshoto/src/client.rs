//! [`WshotoClient`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use scrm_core::{Error, QueryTokenSigner, Secret, TokenSettings};

use crate::auth::WshotoTokenFetcher;
use crate::envelope::{DEFAULT_TOKEN_INVALID_CODES, Wshoto};

/// The vendor's documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://open.wshoto.com";

/// Default request rate per credential. wshoto publishes no limits: this is a conservative
/// guess; raise it with [`Configure::requests_per_second`](crate::Configure::requests_per_second)
/// once you know your account's limits.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 5.0;

/// Default number of requests in flight per credential (conservative; see
/// [`DEFAULT_REQUESTS_PER_SECOND`]).
pub const DEFAULT_MAX_CONCURRENT: usize = 4;

/// How long before its expiry a token is replaced by default.
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = TokenSettings::DEFAULT_REFRESH_MARGIN;

/// A wshoto client for one app (`appid` + `app_secret`): one token cache, one rate limiter.
///
/// Cheap to clone; clones share the token and the limiter. `Send + Sync`.
///
/// ```no_run
/// use scrm_wshoto::{Configure, WshotoClient};
/// # fn demo() -> Result<(), scrm_wshoto::Error> {
/// let client = WshotoClient::builder()
///     .app_id("your-appid")
///     .app_secret(std::env::var("WSHOTO_APP_SECRET").unwrap_or_default())
///     .requests_per_second(2.0)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WshotoClient {
    core: scrm_core::Client<Wshoto>,
    app_id: Arc<str>,
}

impl fmt::Debug for WshotoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WshotoClient")
            .field("base_url", &self.core.base_url())
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl WshotoClient {
    /// A builder with the defaults: base URL [`DEFAULT_BASE_URL`], 5 requests/s, 4 in flight,
    /// 3 attempts per call, token refreshed 5 minutes before expiry, in-memory token store.
    ///
    /// ```
    /// use scrm_wshoto::prelude::*;
    ///
    /// let client = WshotoClient::builder()
    ///     .app_id("your-appid")
    ///     .app_secret("your-app-secret")
    ///     .requests_per_second(2.0)
    ///     .max_attempts(5)
    ///     .build()?; // fetches nothing yet
    /// # let _ = client;
    /// # Ok::<(), scrm_wshoto::Error>(())
    /// ```
    pub fn builder() -> WshotoClientBuilder {
        WshotoClientBuilder::default()
    }

    /// The generic client underneath (for code written against `scrm_core`).
    ///
    /// Also the way to any endpoint without a typed operation: a
    /// [`RawRequest`](scrm_core::raw::RawRequest) goes through the same auth, retries, rate
    /// limit and redaction, and its payload comes back as JSON.
    ///
    /// ```
    /// use scrm_wshoto::scrm_core::raw::RawRequest;
    /// use scrm_wshoto::scrm_core::Method;
    /// use scrm_wshoto::{WshotoClient, Wshoto};
    ///
    /// # async fn demo(client: WshotoClient) -> Result<(), scrm_wshoto::Error> {
    /// let request = RawRequest::<Wshoto>::new(Method::POST, "/openapi/customer/list/selfCustomersByTenant").field("current_index", 1).field("page_size", 10);
    /// let payload: serde_json::Value = client.core().call(&request).await?;
    /// println!("{payload}");
    /// # Ok(()) }
    /// ```
    pub fn core(&self) -> &scrm_core::Client<Wshoto> {
        &self.core
    }

    /// The app this client calls as.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
}

scrm_core::vendor_client_verbs!(
    WshotoClient,
    Wshoto,
    call: r#"
# async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
use scrm_wshoto::{CollectDetailPage, DetailStatus};
let request = CollectDetailPage::new().detail_status(DetailStatus::Submitted).page_size(10);
let page = client.call(&request).await?;
println!("{} of {:?}", page.records.map_or(0, |r| r.len()), page.total);
# Ok(()) }
"#,
    pages: r#"
# async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
use scrm_wshoto::prelude::*;
use scrm_wshoto::CollectDetailPage;
let request = CollectDetailPage::new().form_id("1634567890987645");
let mut pages = client.pages(request).concurrency(2);
while let Some(page) = pages.try_next().await? {
    // Write the records, then save page.next: resume with .resume_from(saved).
    println!("{} records, next {:?}", page.items.len(), page.next);
}
# Ok(()) }
"#,
    items: r#"
# async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
use scrm_wshoto::prelude::*;
use scrm_wshoto::{CollectDetailPage, DetailStatus};
let mut answers = client.items(CollectDetailPage::new().detail_status(DetailStatus::Submitted));
while let Some(answer) = answers.try_next().await? {
    println!("{:?} answered {:?}", answer.external_userid, answer.detail_data.map(|d| d.raw().len()));
}
# Ok(()) }
"#
);

scrm_core::vendor_client_builder! {
    /// ```
    /// use std::time::Duration;
    /// use scrm_wshoto::{Configure, ConfigureTokens, Secret, WshotoClient};
    /// let client = WshotoClient::builder()
    ///     .app_id("your-appid")
    ///     .app_secret(Secret::new("…"))
    ///     .token_refresh_margin(Duration::from_secs(600))
    ///     .requests_per_second(2.0)
    ///     .build()?;
    /// assert_eq!(client.app_id(), "your-appid");
    /// # Ok::<(), scrm_wshoto::Error>(())
    /// ```
    pub struct WshotoClientBuilder for Wshoto {
        defaults: DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT;
        credentials {
            /// The app id (`appid`). Required.
            app_id: String = "the `appid` of your wshoto open-API app",
            /// The app secret (`app_secret`). Required; never printed or logged.
            app_secret: Secret = "the `app_secret` of your wshoto open-API app",
        }
        /// Token store (tokens are kept under the key `wshoto:<appid>`), refresh margin (default 5
        /// minutes) and token-invalid codes (default 10001, 10010, 10011).
        tokens: DEFAULT_TOKEN_INVALID_CODES;
    }

    /// ```
    /// use scrm_wshoto::{ErrorKind, WshotoClient};
    ///
    /// let error = WshotoClient::builder().app_id("your-appid").build().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Config);
    /// assert!(error.to_string().contains("app_secret"), "{error}");
    /// ```
    fn build(self) -> Result<WshotoClient, Error> {
        let base_url = self
            .options
            .checked_base_url()
            .map_err(|e| e.with_vendor(VENDOR))?;
        let vendor = Wshoto::new(self.tokens.invalid_codes().iter().copied());
        let fetcher = WshotoTokenFetcher::new(
            &base_url,
            app_id.clone(),
            app_secret.clone(),
            vendor.clone(),
        )
        .map_err(|e| e.with_vendor(VENDOR))?;
        let cache = self.tokens.cache(
            format!("wshoto:{app_id}"),
            Arc::new(fetcher),
            self.options.current_clock(),
        );
        let signer = QueryTokenSigner::new("access_token", Arc::new(cache)).scrubbing(app_secret);
        let core = self.options.build(vendor, Arc::new(signer))?;
        Ok(WshotoClient {
            core,
            app_id: app_id.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::{Configure, ErrorKind};

    #[test]
    fn missing_credentials_are_config_errors() {
        let e = WshotoClient::builder().app_secret("s").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("appid"), "{e}");
        assert!(
            e.to_string()
                .starts_with("wshoto: configuration error: `app_id` is required"),
            "{e}"
        );
        let e = WshotoClient::builder().app_id("a").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("app_secret"), "{e}");
        let e = WshotoClient::builder()
            .app_id(" ")
            .app_secret("s")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        let e = WshotoClient::builder()
            .app_id("a")
            .app_secret("")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }

    #[test]
    fn bad_base_url_is_a_config_error() {
        let e = WshotoClient::builder()
            .app_id("a")
            .app_secret("s")
            .base_url("http://example.com")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().starts_with("wshoto: "), "{e}");
    }

    #[test]
    fn defaults() {
        let c = WshotoClient::builder()
            .app_id("a")
            .app_secret("s")
            .build()
            .unwrap();
        assert_eq!(c.core().base_url(), DEFAULT_BASE_URL);
        let limit = c.core().rate_limiter().limit();
        assert_eq!(limit.requests_per_second(), DEFAULT_REQUESTS_PER_SECOND);
        assert_eq!(limit.max_concurrent(), DEFAULT_MAX_CONCURRENT);
        assert_eq!(c.core().retry_policy().max_attempts, 3);
        assert_eq!(c.app_id(), "a");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let b = WshotoClient::builder()
            .app_id("a")
            .app_secret("very-secret-value");
        let text = format!("{b:?}");
        assert!(!text.contains("very-secret-value"), "{text}");
        assert!(text.contains("Secret(***)"), "{text}");
    }
}
