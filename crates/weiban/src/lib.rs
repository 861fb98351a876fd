//! # scrm-weiban
//!
//! A typed async client for the open API of weiban (微伴助手), built on `scrm-core`:
//!
//! - **Auth**: `POST /open-api/access_token/get` with your `corp_id` and `secret`; the token is
//!   fetched once for all concurrent callers, cached, refreshed 5 minutes before expiry, sent as
//!   the `access_token` query parameter, and replaced once (then the call retried once) when
//!   weiban answers a token-invalid code ([`ConfigureTokens::token_invalid_codes`]).
//! - **Operations**: customers ([`CustomerList`]), the customer change feed
//!   ([`CustomerUpdateList`]), customer details ([`GetCustomer`], [`BatchGetCustomers`] and
//!   [`WeibanClient::batch_get`] for any number of ids), customer–staff relations
//!   ([`CustomerStaffList`]), customer events ([`CustomerEventList`]), customer stages
//!   ([`CustomerStageGet`]), staff ([`StaffList`]), group chats ([`GroupChatList`],
//!   [`GroupChatDetail`], [`GroupChatMemberList`]) and smart-form submissions
//!   ([`SmartFormUserList`]); each one's documentation says how faithful our copy of weiban's
//!   page is. Offset exports advance by the records actually received and refuse to end
//!   silently on weiban's empty-page-before-total throttling or on a `total` that changes
//!   mid-export.
//! - **Resilience**: retries with backoff for network failures, HTTP 5xx/429, gateway pages and
//!   weiban's busy/throttled codes; a conservative client-side rate limit (3 requests/s, 2 in
//!   flight); errors that name the operation, code, message and attempts, and never carry the
//!   secret or the token (neither do the `tracing` events).
//!
//! ## Quick start
//!
//! ```no_run
//! use scrm_weiban::prelude::*;
//! use scrm_weiban::{FormUserStatus, Secret, SmartFormUserList, UnixSeconds};
//!
//! # async fn run() -> Result<(), scrm_weiban::Error> {
//! let client = WeibanClient::builder()
//!     .corp_id("1234567890123456789") // weiban's own corp id, not the WeCom `ww…` one
//!     .secret(Secret::new(std::env::var("WEIBAN_SECRET").unwrap_or_default()))
//!     .build()?;
//!
//! let request = SmartFormUserList::new()
//!     .status(FormUserStatus::Submit)
//!     .form_id(842)
//!     .start_time(UnixSeconds(1626192000));
//! let mut users = client.items(request);
//! while let Some(user) = users.try_next().await? {
//!     println!("{:?} submitted {:?}", user.external_user_id, user.form_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Every client offers the same three verbs for any operation: [`WeibanClient::call`] (one
//! request), [`WeibanClient::pages`] (pages with the position to resume from) and
//! [`WeibanClient::items`] (records); page options are set on what they return. The typed
//! operations are listed in [`OPERATIONS`], the registry the `scrm` tool reads.
//!
//! Settings shared by every vendor client (base URL, retries, rate limit, timeouts, transport,
//! clock, page options) come from the [`Configure`] trait on the builder; see the README for the
//! defaults and the vendor quirks handled.

mod auth;
mod client;
pub mod customer;
mod envelope;
pub mod ops;
pub mod push;
pub mod wire;

pub use auth::DEFAULT_TOKEN_LIFETIME;
pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_TOKEN_REFRESH_MARGIN, WeibanClient, WeibanClientBuilder,
};
pub use customer::{BatchCustomers, CustomField, CustomerDetail, FollowStaff};
pub use envelope::{DEFAULT_TOKEN_INVALID_CODES, Envelope, Weiban, classify};
pub use ops::OPERATIONS;
pub use ops::customer_batch_get::{BatchGetCustomers, BatchGetCustomersResponse};
pub use ops::customer_event_list::{CustomerEvent, CustomerEventList, CustomerEventListResponse};
pub use ops::customer_get::{GetCustomer, GetCustomerResponse};
pub use ops::customer_list::{Customer, CustomerList, CustomerListResponse, MAX_LIST_LIMIT};
pub use ops::customer_staff_relation_list::{
    CustomerStaff, CustomerStaffList, CustomerStaffListResponse, Outflow, StaffRelation,
};
pub use ops::customer_stage_get::{
    CustomerStage, CustomerStageGet, CustomerStageGetResponse, MAX_STAGE_IDS,
};
pub use ops::customer_update_list::{
    CustomerUpdate, CustomerUpdateList, UPDATE_PAGE_LIMIT, UpdateSource,
};
pub use ops::group_chat_detail::{
    GroupChat, GroupChatDetail, GroupChatDetailResponse, GroupChatTag,
};
pub use ops::group_chat_list::{GroupChatList, GroupChatListItem};
pub use ops::group_chat_member_list::{
    GroupChatMember, GroupChatMemberList, GroupChatMemberListResponse,
};
pub use ops::smart_form_user_list::{
    DEFAULT_PAGE_LIMIT, FormUserStatus, SmartFormUser, SmartFormUserList, SmartFormUserListResponse,
};
pub use ops::staff_list::{Staff, StaffList};
pub use wire::{AnyList, CustomerType, Order};

/// What most programs need: the client, the builder traits and the stream extensions
/// (`try_next`, `next`, `try_collect`), so that only this crate and tokio are dependencies.
pub mod prelude {
    pub use crate::{Configure, ConfigureTokens, Error, WeibanClient};
    pub use scrm_core::prelude::*;
}

pub use scrm_core::de::{Id, UnixSeconds};
pub use scrm_core::{
    AccessToken, Clock, Configure, ConfigureTokens, DriftPolicy, Error, ErrorKind, Extra, Items,
    ManualClock, MemoryTokenStore, Page, PageOptions, Pages, Position, RateLimit, RetryPolicy,
    Secret, SystemClock, TokenStore, Transport, collect_all,
};

/// The shared machinery underneath (for code generic over vendors, custom transports and
/// token stores).
pub use scrm_core;

/// The README's code, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
