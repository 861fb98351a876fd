//! # scrm-wshoto
//!
//! A typed async client for the open API of wshoto (微盛·企微管家), built on `scrm-core`:
//! access-token auth and the documented list endpoints as streams of records across pages —
//! collect-form answers ([`CollectDetailPage`]), customers, the public pool, group members,
//! CRM contacts and product tags (see [`OPERATIONS`]).
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::{CollectDetailPage, DetailStatus};
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
//! let mut records = client.items(request);
//! while let Some(record) = records.try_next().await? {
//!     let answers = record.detail_data.as_ref().map(|d| d.value());
//!     println!("{:?} {:?}", record.external_userid, answers.and_then(|a| a.compellation.as_deref()));
//! }
//! # Ok(()) }
//! ```
//!
//! Every client offers the same three verbs for any operation: [`WshotoClient::call`] (one
//! request), [`WshotoClient::pages`] (pages with the position to resume from) and
//! [`WshotoClient::items`] (records); page options are set on what they return. The typed
//! operations are listed in [`OPERATIONS`], the registry the `scrm` tool reads.
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
//! - **Paging**: the streams keep every filter on every page, send an explicit page size (the
//!   documented maximum unless you set one), end at `total` or on a short page, refuse to loop,
//!   and re-request a page that comes back empty before `total`.
//!
//! ## Crate layout
//!
//! - [`WshotoClient`], [`WshotoClientBuilder`] (+ [`Configure`] for the shared settings,
//!   [`ConfigureTokens`] for the token settings).
//! - [`ops`]: one module per documented operation (request, response and record types); the
//!   types are re-exported here too.
//! - [`Wshoto`], [`Envelope`]: the vendor's envelope and code table.
//! - [`auth`]: the access-token answer.
//! - [`de`]: the lenient value types used in the models (`Id`, `JsonString`, `UnixSeconds`).

mod client;
mod envelope;
mod wire;

pub mod auth;
pub mod ops;

/// Compiles the README's example.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_TOKEN_REFRESH_MARGIN, WshotoClient, WshotoClientBuilder,
};
pub use envelope::{DEFAULT_TOKEN_INVALID_CODES, Envelope, SUCCESS, Wshoto};
pub use ops::{
    Area, Channel, CollectDetail, CollectDetailPage, CollectDetailPageResponse, Contact,
    ContactPage, ContactPageResponse, CustomerTag, CustomerType, DetailData, DetailStatus,
    FORM_FIELD_PREFIX, FieldValue, FollowUser, Gender, GroupMember, GroupMemberList,
    GroupMemberListResponse, JoinScene, MemberType, OPERATIONS, OpenSeaList, OpenSeaListResponse,
    OpenSeaRecord, ProductTag, ProductTagList, ProductTagListResponse, RecordPage, SelfCustomer,
    SelfCustomerList, SelfCustomerListResponse,
};

/// What most programs need: the client, the builder traits and the stream extensions
/// (`try_next`, `next`, `try_collect`), so that only this crate and tokio are dependencies.
pub mod prelude {
    pub use crate::{Configure, ConfigureTokens, Error, WshotoClient};
    pub use scrm_core::prelude::*;
}

pub use scrm_core::de;
pub use scrm_core::de::{Id, JsonString, UnixMillis, UnixSeconds};
pub use scrm_core::{
    AccessToken, Clock, Configure, ConfigureTokens, DriftPolicy, Error, ErrorKind, Extra, Items,
    ManualClock, MemoryTokenStore, Page, PageOptions, Pages, Position, RateLimit, RetryPolicy,
    Secret, Stream, SystemClock, TokenStore, Transport, async_trait, collect_all,
};

/// The shared machinery underneath (for code generic over vendors, custom transports and
/// token stores).
pub use scrm_core;
