//! The waiqin client and its builder.

use std::fmt;
use std::sync::Arc;

use scrm_core::{Error, RequestIds, Secret};

use crate::auth::{UuidIds, WaiqinSigner};
use crate::envelope::Waiqin;

/// The default base URL. Tenants on other clouds have their own host: set it with
/// [`Configure::base_url`](crate::Configure::base_url).
pub const DEFAULT_BASE_URL: &str = "https://openapi.waiqin365.com";

/// Default client-side limit: request starts per second per account. waiqin publishes no
/// limit; this is deliberately conservative.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 5.0;

/// Default client-side limit: requests in flight at once per account.
pub const DEFAULT_MAX_CONCURRENT: usize = 4;

/// A waiqin (外勤365 / 勤策) client for one account (`openid` + `appkey`).
///
/// Cheap to clone (clones share the connection pool, rate limiter and settings); `Send + Sync`.
/// Build one per account and clone it rather than building another: the rate limit is per
/// client.
///
/// ```
/// use scrm_waiqin::{Configure, WaiqinClient};
/// let client = WaiqinClient::builder()
///     .openid("5465103569540931532")
///     .appkey("BFCO0PAgIUgd50c0l6")
///     .build()?;
/// assert!(!format!("{client:?}").contains("BFCO0PAgIUgd50c0l6"));
/// # Ok::<(), scrm_waiqin::Error>(())
/// ```
#[derive(Clone)]
pub struct WaiqinClient {
    core: scrm_core::Client<Waiqin>,
    openid: Arc<str>,
}

impl WaiqinClient {
    /// A builder with the defaults: [`DEFAULT_BASE_URL`], [`DEFAULT_REQUESTS_PER_SECOND`],
    /// [`DEFAULT_MAX_CONCURRENT`], 3 attempts per call, UUID v4 `msg_id`s.
    ///
    /// ```
    /// use scrm_waiqin::prelude::*;
    ///
    /// let client = WaiqinClient::builder()
    ///     .openid("5465103569540931532")
    ///     .appkey("your-appkey")
    ///     .requests_per_second(2.0)
    ///     .max_attempts(5)
    ///     .build()?; // fetches nothing yet
    /// # let _ = client;
    /// # Ok::<(), scrm_waiqin::Error>(())
    /// ```
    pub fn builder() -> WaiqinClientBuilder {
        WaiqinClientBuilder::default()
    }

    /// The generic client underneath (for code written against `scrm_core`).
    ///
    /// Also the way to any endpoint without a typed operation: a
    /// [`RawRequest`](scrm_core::raw::RawRequest) goes through the same auth, retries, rate
    /// limit and redaction, and its payload comes back as JSON.
    ///
    /// ```
    /// use scrm_waiqin::scrm_core::raw::RawRequest;
    /// use scrm_waiqin::scrm_core::Method;
    /// use scrm_waiqin::{WaiqinClient, Waiqin};
    ///
    /// # async fn demo(client: WaiqinClient) -> Result<(), scrm_waiqin::Error> {
    /// let request = RawRequest::<Waiqin>::new(Method::POST, "/api/employee/v2/queryEmployee").field("emp_status", "1");
    /// let payload: serde_json::Value = client.core().call(&request).await?;
    /// println!("{payload}");
    /// # Ok(()) }
    /// ```
    pub fn core(&self) -> &scrm_core::Client<Waiqin> {
        &self.core
    }

    /// The account's openid.
    pub fn openid(&self) -> &str {
        &self.openid
    }
}

scrm_core::vendor_client_verbs!(
    WaiqinClient,
    Waiqin,
    call: r#"
# async fn demo(client: scrm_waiqin::WaiqinClient) -> Result<(), scrm_waiqin::Error> {
use scrm_waiqin::{QueryTask, QueryTaskType};
// One page of tasks, exactly as asked.
let tasks = client.call(&QueryTask::new().page(1).rows(100)).await?;
println!("{} tasks on page 1", tasks.len());
// An operation that does not page.
let types = client.call(&QueryTaskType::new().type_ids(["6067108969643484875"])).await?;
println!("{types:?}");
# Ok(()) }
"#,
    pages: r#"
# async fn demo(client: scrm_waiqin::WaiqinClient) -> Result<(), Box<dyn std::error::Error>> {
use scrm_waiqin::prelude::*;
use scrm_waiqin::{ChinaDate, QueryTask};
let request = QueryTask::new().modify_date_from(ChinaDate::parse("2024-03-01")?);
let mut pages = client.pages(request);
while let Some(page) = pages.try_next().await? {
    // Write the records, then save page.next: resume with .resume_from(saved).
    println!("{} tasks, next {:?}", page.items.len(), page.next);
}
# Ok(()) }
"#,
    items: r#"
# async fn demo(client: scrm_waiqin::WaiqinClient) -> Result<(), Box<dyn std::error::Error>> {
use scrm_waiqin::prelude::*;
use scrm_waiqin::{ChinaDate, QueryTask};
let request = QueryTask::new()
    .modify_date_from(ChinaDate::parse("2024-03-01")?)
    .modify_date_to(ChinaDate::parse("2024-03-31")?);
let mut tasks = client.items(request);
while let Some(task) = tasks.try_next().await? {
    println!("{:?} {:?} {:?}", task.task_id, task.task_status, task.modify_time);
}
# Ok(()) }
"#
);

impl fmt::Debug for WaiqinClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaiqinClient")
            .field("base_url", &self.core.base_url())
            .field("openid", &self.openid)
            .field("rate_limit", &self.core.rate_limiter().limit())
            .finish_non_exhaustive()
    }
}

scrm_core::vendor_client_builder! {
    /// ```
    /// use scrm_waiqin::prelude::*;
    ///
    /// let builder = WaiqinClient::builder()
    ///     .openid("5465103569540931532")
    ///     .appkey("a-secret-appkey")
    ///     .base_url("https://openapi.waiqin365.com");
    /// assert!(!format!("{builder:?}").contains("a-secret-appkey"));
    /// let client = builder.build()?;
    /// # let _ = client;
    /// # Ok::<(), scrm_waiqin::Error>(())
    /// ```
    pub struct WaiqinClientBuilder for Waiqin {
        defaults: DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT;
        credentials {
            /// 企业OPENID: the account id waiqin assigned (19 characters).
            openid: String = "the 企业OPENID waiqin assigned (open-API settings of your tenant)",
            /// 企业APPKEY: the signing key waiqin assigned (18 characters). Kept as a [`Secret`]:
            /// never printed, never sent (only its digest is).
            appkey: Secret = "the 企业APPKEY waiqin assigned (open-API settings of your tenant)",
        }
        settings {
            request_ids: Option<Arc<dyn RequestIds>> = None
                => |ids| if ids.is_some() { "custom" } else { "uuid v4" },
        }
    }

    /// ```
    /// use scrm_waiqin::{ErrorKind, WaiqinClient};
    ///
    /// let error = WaiqinClient::builder().openid("5465103569540931532").build().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Config);
    /// assert!(error.to_string().contains("appkey"), "{error}");
    /// ```
    fn build(self) -> Result<WaiqinClient, Error> {
        let ids = self.request_ids.unwrap_or_else(|| Arc::new(UuidIds));
        let clock = self.options.current_clock();
        let signer = WaiqinSigner::new(openid.clone(), appkey, clock, ids);
        let core = self.options.build(Waiqin, Arc::new(signer))?;
        Ok(WaiqinClient {
            core,
            openid: openid.into(),
        })
    }
}

impl WaiqinClientBuilder {
    /// Where each request's `msg_id` comes from (default [`UuidIds`]: a UUID v4 per attempt).
    /// Ids must never repeat; [`FixedIds`](scrm_core::FixedIds) makes tests deterministic.
    pub fn request_ids(mut self, ids: Arc<dyn RequestIds>) -> Self {
        self.request_ids = Some(ids);
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::{Configure, ErrorKind, RateLimit};

    use super::*;

    #[test]
    fn credentials_are_required() {
        let e = WaiqinClient::builder().appkey("k").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.to_string()
                .starts_with("waiqin: configuration error: `openid` is required"),
            "{e}"
        );
        let e = WaiqinClient::builder().openid("1").build().unwrap_err();
        assert!(e.to_string().contains("`appkey` is required"), "{e}");
        let e = WaiqinClient::builder()
            .openid(" ")
            .appkey("k")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("openid"), "{e}");
        let e = WaiqinClient::builder()
            .openid("1")
            .appkey("")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("appkey"), "{e}");
    }

    #[test]
    fn defaults() {
        let client = WaiqinClient::builder()
            .openid("1")
            .appkey("k")
            .build()
            .unwrap();
        assert_eq!(client.core().base_url(), DEFAULT_BASE_URL);
        assert_eq!(
            client.core().rate_limiter().limit(),
            RateLimit::new(DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT)
        );
        assert_eq!(client.core().retry_policy().max_attempts, 3);
        assert_eq!(client.openid(), "1");
    }

    #[test]
    fn base_url_is_configurable_and_checked() {
        let client = WaiqinClient::builder()
            .openid("1")
            .appkey("k")
            .base_url("https://tenant.example.com/")
            .build()
            .unwrap();
        assert_eq!(client.core().base_url(), "https://tenant.example.com");
        let e = WaiqinClient::builder()
            .openid("1")
            .appkey("k")
            .base_url("http://tenant.example.com")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }
}
