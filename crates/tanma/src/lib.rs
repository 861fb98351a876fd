//! # scrm-tanma
//!
//! A typed async client for the open API of tanma (探马SCRM): SHA-256 header signing, and the
//! documented endpoints as typed operations whose pages and records come as streams.
//!
//! ## Quick start
//!
//! ```no_run
//! use scrm_tanma::prelude::*;
//! use scrm_tanma::{ChinaDateTime, ClueList};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = TanmaClient::builder()
//!     .app_id("wwEXAMPLE_corp_AbCdEf")
//!     .app_key(std::env::var("TANMA_APP_KEY")?)
//!     .build()?;
//!
//! let request = ClueList::new()
//!     .since(ChinaDateTime::parse("2024-01-01 00:00:00")?)
//!     .before(ChinaDateTime::parse("2024-01-02 00:00:00")?)
//!     .size(100u32);
//! let mut clues = client.items(request);
//! while let Some(clue) = clues.try_next().await? {
//!     println!("{:?} created {:?}", clue.customer_id, clue.create_time);
//! }
//! # Ok(()) }
//! ```
//!
//! Every client offers the same three verbs for any operation: [`TanmaClient::call`] (one
//! request), [`TanmaClient::pages`] (pages with the position to resume from) and
//! [`TanmaClient::items`] (records); page options are set on what they return. The typed
//! operations are listed in [`OPERATIONS`], the registry the `scrm` tool reads; see
//! [`ops`] and the README's coverage table.
//!
//! ## Base URL
//!
//! The base URL is everything before the documented path `/api/v3/…`. Two hosts are seen in
//! the field:
//!
//! - [`DEFAULT_BASE_URL`] `https://account.tanmarket.cn/apiServer` →
//!   `https://account.tanmarket.cn/apiServer/api/v3/clue/list-by-create-time-asc`;
//! - [`ALTERNATE_BASE_URL`] `https://api.tanmarket.cn:20066` →
//!   `https://api.tanmarket.cn:20066/api/v3/clue/list-by-create-time-asc` (clients that write it
//!   `…:20066/api` + `/v3/…` reach the same URL; do not add `/api` here).
//!
//! Set another with [`Configure::base_url`].
//!
//! ## Signing
//!
//! Every attempt is signed afresh: headers `appId`, `timestamp` (epoch milliseconds from the
//! client's [`Clock`]) and `sign` = lowercase hex `sha256(appId + timestamp + body + appKey)`
//! over the exact body bytes sent ([`auth::sign`]). The `appKey` is not sent unless
//! [`TanmaClientBuilder::send_app_key_header`] is turned on.
//!
//! ## Errors and retries
//!
//! One [`Error`] type; its [`ErrorKind`] comes from the code table in [`classify`]: 1002 (bad
//! signature) fails at once, 1003 (timestamp rejected) is re-signed with a fresh timestamp and
//! retried once, 40417 is an invalid request. Network failures, HTTP 5xx/429 and gateway pages
//! are retried with exponential backoff (3 attempts by default, [`RetryPolicy`]), honouring
//! `Retry-After`. Requests are limited to [`DEFAULT_REQUESTS_PER_SECOND`] per second and
//! [`DEFAULT_MAX_CONCURRENT`] at once per client ([`Configure::requests_per_second`],
//! [`Configure::max_concurrent`]). No error, `Debug` output or log line carries the app key or
//! a signature.
//!
//! ## Models
//!
//! Records keep the vendor's field names when serialized, so writing one out gives the
//! vendor's record form; JSON documents inside strings (`valueAsText` of JSON-typed fields,
//! `fileContent`) are decoded with the original string kept. Keys this version does not model
//! are kept in each record's `extra` map. Ids tanma expects as numbers are [`NumId`]s,
//! date-time parameters [`DateTimeParam`]s ([`wire`]).

mod client;
mod envelope;
pub mod ops;
mod paging;
pub mod wire;

pub mod auth;
pub mod push;

/// Compiles the README's example.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use client::{
    ALTERNATE_BASE_URL, DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND,
    TanmaClient, TanmaClientBuilder,
};
pub use envelope::{
    CODE_BAD_SIGNATURE, CODE_OK, CODE_PARAMETER_INVALID, CODE_TIMESTAMP_OUT_OF_RANGE, Tanma,
    classify,
};
pub use ops::OPERATIONS;
pub use ops::clues::{Clue, ClueList, ClueListResponse, CompanyInfo, DEFAULT_PAGE_SIZE};
pub use ops::customer_details::{CustomerQwDetails, QwCustomerDetail};
pub use ops::customer_files::{
    CustomerFile, CustomerFileList, CustomerFileListResponse, FileContent,
};
pub use ops::customers::{
    ConditionItem, Customer, CustomerRole, CustomerSearch, CustomerSearchResponse,
    SEARCH_PAGE_SIZE, SearchConditions,
};
pub use ops::group_chats::{GROUP_PAGE_SIZE, GroupChat, GroupList, GroupListResponse, GroupTask};
pub use ops::staff::{STAFF_PAGE_SIZE, User, UserList, UserListResponse};
pub use ops::tags::{Tag, TagGroup, TagTree};
pub use paging::{FileKeyset, KeysetTotals};
pub use wire::{ClueField, DateTimeParam, FieldValue, NumId, TimeRange};

/// What most programs need: the client, the builder trait and the stream extensions
/// (`try_next`, `next`, `try_collect`), so that only this crate and tokio are dependencies.
pub mod prelude {
    pub use crate::{Configure, Error, TanmaClient};
    pub use scrm_core::prelude::*;
}

pub use scrm_core::de::{ChinaDateTime, Id, JsonString};
pub use scrm_core::{
    Clock, Configure, DriftPolicy, Error, ErrorKind, Extra, Items, ManualClock, Page, PageOptions,
    Pages, Position, RateLimit, RetryPolicy, Secret, SystemClock, collect_all,
};
/// What a custom transport ([`Configure::transport`]) implements and handles.
pub use scrm_core::{
    HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError, TransportErrorKind,
    async_trait,
};

/// The shared machinery underneath (for code generic over vendors and custom transports).
pub use scrm_core;
