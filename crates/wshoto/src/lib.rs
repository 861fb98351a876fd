//! # scrm-wshoto
//!
//! A typed async client for the open API of wshoto (微盛·企微管家): access-token auth and the
//! collect-form answers export (获取收集表填写数据, `POST /openapi/collect/detail/page`) as a
//! stream of records across pages.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use scrm_wshoto::{Configure, WshotoClient};
//! use scrm_wshoto::ops::{CollectDetailPage, DetailStatus};
//!
//! # async fn run() -> Result<(), scrm_wshoto::Error> {
//! let client = WshotoClient::builder()
//!     .app_id("your-appid")
//!     .app_secret(std::env::var("WSHOTO_APP_SECRET").unwrap_or_default())
//!     .build()?;
//!
//! let request = CollectDetailPage::new()
//!     .form_id("1634567890987645")
//!     .detail_status(DetailStatus::Submitted);
//! let mut records = std::pin::pin!(client.collect_details(request));
//! while let Some(record) = records.try_next().await? {
//!     let answers = record.detail_data.as_ref().map(|d| d.value());
//!     println!("{:?} {:?}", record.external_userid, answers.and_then(|a| a.compellation.as_deref()));
//! }
//! # Ok(()) }
//! ```
//!
//! ## What the client does for you
//!
//! - **Token**: fetched from `GET /openapi/access_token?appid=…&app_secret=…` on first use,
//!   shared by all clones and concurrent calls (one fetch at a time: the endpoint is
//!   rate-limited), replaced [5 minutes](ConfigureTokens::token_refresh_margin) before it
//!   expires, and put on every call as `?access_token=…`. When wshoto answers "token invalid"
//!   (codes 10001, 10010, 10011 by default, [configurable](ConfigureTokens::token_invalid_codes)),
//!   only that token is dropped, a new one is fetched and the call retried **once**; a second
//!   rejection in a row is returned as [`ErrorKind::AuthExpired`].
//! - **Retries**: network failures, HTTP 5xx/429, gateway pages and throttled/transient codes are
//!   retried with exponential backoff and jitter (3 attempts, honouring `Retry-After`);
//!   everything else is returned at once. See [`Wshoto::classify`] for the code table.
//! - **Rate limit**: 5 requests/s and 4 in flight per client by default (wshoto publishes no
//!   numbers; these are conservative). Throttled answers slow the client down.
//! - **Secrets**: the app secret and tokens never appear in `Debug`, `Display`, errors or
//!   `tracing` output.
//! - **Paging**: [`WshotoClient::collect_details`] keeps every filter on every page, sends
//!   `page_size` 200 unless you set one, ends at `total` or on a short page, refuses to loop,
//!   and re-requests a page that comes back empty before `total`.
//!
//! ## Crate layout
//!
//! - [`WshotoClient`], [`WshotoClientBuilder`] (+ [`Configure`] for the shared settings,
//!   [`ConfigureTokens`] for the token settings).
//! - [`ops`]: one module per documented operation (request, response and record types).
//! - [`Wshoto`], [`Envelope`]: the vendor's envelope and code table.
//! - [`auth`]: the access-token answer.
//! - [`de`]: the lenient value types used in the models (`Id`, `JsonString`, `UnixSeconds`).

mod client;
mod envelope;

pub mod auth;
pub mod ops;

pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_TOKEN_REFRESH_MARGIN, WshotoClient, WshotoClientBuilder,
};
pub use envelope::{DEFAULT_TOKEN_INVALID_CODES, Envelope, SUCCESS, Wshoto};

pub use scrm_core::de;
pub use scrm_core::{
    AccessToken, Clock, Configure, ConfigureTokens, DriftPolicy, Error, ErrorKind, ManualClock,
    MemoryTokenStore, Page, PageOptions, Position, RateLimit, RetryPolicy, Secret, Stream,
    SystemClock, TokenStore, Transport, async_trait, collect_all,
};

/// Every typed wshoto operation (the registry is being filled; see `scrm_weiban::OPERATIONS`).
pub static OPERATIONS: &[&dyn scrm_core::registry::DynOperation<Wshoto>] = &[];
