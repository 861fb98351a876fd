//! The tanma client and its builder.

use std::sync::Arc;

use scrm_core::{Error, Secret};

use crate::auth::TanmaSigner;
use crate::envelope::Tanma;

/// The default base URL: `https://account.tanmarket.cn/apiServer`.
///
/// The base URL is everything before the documented path `/api/v3/…`, so a call goes to
/// `https://account.tanmarket.cn/apiServer/api/v3/clue/list-by-create-time-asc`.
pub const DEFAULT_BASE_URL: &str = "https://account.tanmarket.cn/apiServer";

/// The other host seen in working clients: `https://api.tanmarket.cn:20066`.
///
/// Those clients write it as `https://api.tanmarket.cn:20066/api` followed by `/v3/…`; with this
/// crate's convention (base URL = everything before `/api/v3/…`) the same URLs come out as
/// `https://api.tanmarket.cn:20066` + `/api/v3/…`. Do not add `/api` to it.
pub const ALTERNATE_BASE_URL: &str = "https://api.tanmarket.cn:20066";

/// Default request rate per credential: 5 requests per second (tanma publishes no limit; this
/// is deliberately conservative).
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 5.0;

/// Default number of requests in flight at once per credential.
pub const DEFAULT_MAX_CONCURRENT: usize = 4;

/// A tanma (探马SCRM) client: one `appId`/`appKey`, one rate limiter.
///
/// Cheap to clone; clones share the connection pool and the rate limiter, so clone it rather
/// than building a second client for the same credential.
///
/// ```no_run
/// # async fn run() -> Result<(), scrm_tanma::Error> {
/// use scrm_tanma::prelude::*;
/// let client = TanmaClient::builder()
///     .app_id("wwEXAMPLE_corp_AbCdEf")
///     .app_key(std::env::var("TANMA_APP_KEY").unwrap_or_default())
///     .base_url(scrm_tanma::ALTERNATE_BASE_URL) // optional
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TanmaClient {
    core: scrm_core::Client<Tanma>,
}

impl TanmaClient {
    /// A builder with the defaults: [`DEFAULT_BASE_URL`], [`DEFAULT_REQUESTS_PER_SECOND`],
    /// [`DEFAULT_MAX_CONCURRENT`], 3 attempts per call.
    ///
    /// ```
    /// use scrm_tanma::prelude::*;
    ///
    /// let client = TanmaClient::builder()
    ///     .app_id("wwEXAMPLE_corp_AbCdEf")
    ///     .app_key("your-app-key")
    ///     .requests_per_second(2.0)
    ///     .max_attempts(5)
    ///     .build()?; // fetches nothing yet
    /// # let _ = client;
    /// # Ok::<(), scrm_tanma::Error>(())
    /// ```
    pub fn builder() -> TanmaClientBuilder {
        TanmaClientBuilder::default()
    }

    /// The generic client underneath (for code written against `scrm_core`).
    ///
    /// Also the way to any endpoint without a typed operation: a
    /// [`RawRequest`](scrm_core::raw::RawRequest) goes through the same auth, retries, rate
    /// limit and redaction, and its payload comes back as JSON.
    ///
    /// ```
    /// use scrm_tanma::scrm_core::raw::RawRequest;
    /// use scrm_tanma::scrm_core::Method;
    /// use scrm_tanma::{TanmaClient, Tanma};
    ///
    /// # async fn demo(client: TanmaClient) -> Result<(), scrm_tanma::Error> {
    /// let request = RawRequest::<Tanma>::new(Method::POST, "/api/v3/tags/list-tree");
    /// let payload: serde_json::Value = client.core().call(&request).await?;
    /// println!("{payload}");
    /// # Ok(()) }
    /// ```
    pub fn core(&self) -> &scrm_core::Client<Tanma> {
        &self.core
    }
}

scrm_core::vendor_client_verbs!(
    TanmaClient,
    Tanma,
    call: r#"
# async fn demo(client: scrm_tanma::TanmaClient) -> Result<(), Box<dyn std::error::Error>> {
use scrm_tanma::{ChinaDateTime, ClueList};
let request = ClueList::new()
    .since(ChinaDateTime::parse("2024-01-01 00:00:00")?)
    .before(ChinaDateTime::parse("2024-01-02 00:00:00")?)
    .size(10u32);
let page = client.call(&request).await?;
println!("{} clues, next cursor {:?}", page.list.map_or(0, |l| l.len()), page.next_cursor);
# Ok(()) }
"#,
    pages: r#"
# async fn demo(client: scrm_tanma::TanmaClient) -> Result<(), scrm_tanma::Error> {
use scrm_tanma::prelude::*;
use scrm_tanma::CustomerFileList;
let request = CustomerFileList::new().customer_id(442273848965184u64);
let mut pages = client.pages(request).max_pages(10);
while let Some(page) = pages.try_next().await? {
    // Write the records, then save page.next: resume with .resume_from(saved).
    println!("{} of {:?}, next {:?}", page.items.len(), page.response.total_count, page.next);
}
# Ok(()) }
"#,
    items: r#"
# async fn demo(client: scrm_tanma::TanmaClient) -> Result<(), Box<dyn std::error::Error>> {
use scrm_tanma::prelude::*;
use scrm_tanma::{ChinaDateTime, ClueList};
let request = ClueList::new()
    .since(ChinaDateTime::parse("2024-01-01 00:00:00")?)
    .before(ChinaDateTime::parse("2024-01-02 00:00:00")?);
let mut clues = client.items(request);
while let Some(clue) = clues.try_next().await? {
    println!("{:?} {:?}", clue.customer_id, clue.field("mobile").and_then(|f| f.value()));
}
# Ok(()) }
"#
);

scrm_core::vendor_client_builder! {
    /// ```
    /// use scrm_tanma::{Configure, ErrorKind, TanmaClient};
    /// let e = TanmaClient::builder().app_id("wwEXAMPLE").build().unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Config);
    /// let builder = TanmaClient::builder().app_id("wwEXAMPLE").app_key("secret-key");
    /// assert!(!format!("{builder:?}").contains("secret-key"));
    /// ```
    pub struct TanmaClientBuilder for Tanma {
        defaults: DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT;
        credentials {
            /// The application's `appId` (required). Sent in the `appId` header.
            app_id: String = "the application's app id (appId) from tanma's open-platform settings",
            /// The application's `appKey` (required): the signing secret. Not sent unless
            /// [`send_app_key_header`](Self::send_app_key_header) is turned on.
            app_key: Secret = "the application's app key (appKey), the signing secret from the same settings",
        }
        settings {
            send_app_key_header: bool = false,
        }
    }

    /// Also fails when the app id or app key cannot travel in its header.
    ///
    /// ```
    /// use scrm_tanma::{ErrorKind, TanmaClient};
    ///
    /// let error = TanmaClient::builder().app_id("wwEXAMPLE_corp_AbCdEf").build().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Config);
    /// assert!(error.to_string().contains("app_key"), "{error}");
    /// ```
    fn build(self) -> Result<TanmaClient, Error> {
        let signer = TanmaSigner::new(
            app_id,
            app_key,
            self.send_app_key_header,
            self.options.current_clock(),
        )
        .map_err(|e| e.with_vendor(VENDOR))?;
        let core = self.options.build(Tanma, Arc::new(signer))?;
        Ok(TanmaClient { core })
    }
}

impl TanmaClientBuilder {
    /// Also send the `appKey` header, as the vendor's page lists (default: off).
    ///
    /// Working clients do not send it, and sending it weakens the signature: anyone who sees
    /// one request (a proxy, an access log, a packet capture) can then sign any request.
    /// Turn it on only for a tenant whose gateway demonstrably requires it.
    pub fn send_app_key_header(mut self, send: bool) -> Self {
        self.send_app_key_header = send;
        self
    }
}
