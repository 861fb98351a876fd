//! # scrm-weiban
//!
//! A typed async client for the open API of weiban (微伴助手), built on `scrm-core`:
//!
//! - **Auth**: `POST /open-api/access_token/get` with your `corp_id` and `secret`; the token is
//!   fetched once for all concurrent callers, cached, refreshed 5 minutes before expiry, sent as
//!   the `access_token` query parameter, and replaced once (then the call retried once) when
//!   weiban answers a token-invalid code ([`ConfigureTokens::token_invalid_codes`]).
//! - **Smart-form exports**: [`WeibanClient::smart_form_user_list`] streams every
//!   customer–form relation of `GET /open-api/smart_form/form/user/list`, paging by offset,
//!   advancing by the records actually received, and refusing to end silently on weiban's
//!   empty-page-before-total throttling or on a `total` that changes mid-export.
//! - **Resilience**: retries with backoff for network failures, HTTP 5xx/429, gateway pages and
//!   weiban's busy/throttled codes; a conservative client-side rate limit (3 requests/s, 2 in
//!   flight); errors that name the operation, code, message and attempts, and never carry the
//!   secret or the token (neither do the `tracing` events).
//!
//! ## Quick start
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use scrm_weiban::{FormUserStatus, Secret, SmartFormUserList, UnixSeconds, WeibanClient};
//!
//! # async fn run() -> Result<(), scrm_weiban::Error> {
//! let client = WeibanClient::builder()
//!     .corp_id("1234567890123456789") // weiban's own corp id, not the WeCom `ww…` one
//!     .secret(Secret::new(std::env::var("WEIBAN_SECRET").unwrap_or_default()))
//!     .build()?;
//!
//! let request = SmartFormUserList::new(FormUserStatus::Submit)
//!     .form_id(842u64)
//!     .start_time(UnixSeconds(1626192000));
//! let mut users = std::pin::pin!(client.smart_form_user_list(request));
//! while let Some(user) = users.try_next().await? {
//!     println!("{} submitted {:?}", user.external_user_id, user.form_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Settings shared by every vendor client (base URL, retries, rate limit, timeouts, transport,
//! clock, page options) come from the [`Configure`] trait on the builder; see the README for the
//! defaults and the vendor quirks handled.

mod auth;
mod client;
mod envelope;
pub mod ops;
pub mod push;

/// Compiles the README's examples.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use auth::DEFAULT_TOKEN_LIFETIME;
pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_TOKEN_REFRESH_MARGIN, WeibanClient, WeibanClientBuilder,
};
pub use envelope::{DEFAULT_TOKEN_INVALID_CODES, Envelope, Weiban, classify};
pub use ops::smart_form_user_list::{
    DEFAULT_PAGE_LIMIT, FormUserStatus, SmartFormUser, SmartFormUserList, SmartFormUserListResponse,
};

pub use scrm_core::de::{Id, UnixSeconds};
pub use scrm_core::{
    AccessToken, Clock, Configure, ConfigureTokens, DriftPolicy, Error, ErrorKind, ManualClock,
    MemoryTokenStore, Page, PageOptions, Position, RateLimit, RetryPolicy, Secret, SystemClock,
    TokenStore, Transport, collect_all,
};

/// The shared machinery underneath (for code generic over vendors, custom transports and
/// token stores).
pub use scrm_core;
