//! # scrm-core
//!
//! The machinery shared by the scrm-sdk vendor clients (`scrm-wshoto`, `scrm-weiban`,
//! `scrm-waiqin`, `scrm-tanma`). Most users depend on one vendor crate and never name this
//! crate; it is for implementing endpoints, transports, signers and token stores.
//!
//! A call flows: typed request ([`Operation`]) → bytes (serialized once) → [`Signer`] (every
//! attempt) → [`Transport`] → vendor envelope ([`Vendor::open`]) → typed payload, and for
//! exports a [`Paginator`] turns each page into the next request ([`Client::pages`],
//! [`Client::items`]).
//!
//! Around each call: a [`RetryPolicy`] driven by [`ErrorKind`]s, a [`RateLimiter`] per
//! credential, a single-flight [`TokenCache`], and `tracing` events that never carry secrets.
//!
//! ```
//! use scrm_core::{Error, ErrorKind};
//! let e = Error::vendor(ErrorKind::AuthExpired, 10001, "token失效")
//!     .with_vendor("wshoto")
//!     .with_operation("collect/detail/page");
//! assert!(e.is_auth());
//! assert_eq!(e.to_string(), "wshoto collect/detail/page: access token expired or invalid (code 10001: token失效)");
//! ```

mod builder;
pub mod check;
mod client;
mod clock;
pub mod de;
mod error;
mod extra;
mod model;
mod operation;
pub mod paging;
pub mod push;
mod ratelimit;
pub mod raw;
pub mod registry;
mod retry;
mod secret;
mod sign;
mod token;
mod token_endpoint;
mod transport;

pub use client::{Client, ClientOptions, ClientStats, Configure, classify_http, retry_after};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, ErrorKind, TransportError, TransportErrorKind};
pub use extra::Extra;
pub use model::{Field, IntoField};
pub use operation::{
    Encoding, Operation, Route, Vendor, decode_envelope, decode_json, looks_like_json,
};
pub use paging::{
    Cursor, CursorPaged, DriftPolicy, Items, Keyset, KeysetPaged, Offset, OffsetPaged, Page,
    PageNumber, PageNumbered, PageOptions, PageRows, PageRowsPaged, Paged, Pages, Paginator,
    PagingStyle, Position, Single, Step, collect_all,
};
pub use ratelimit::{RateBudget, RateLimit, RateLimiter};
pub use retry::RetryPolicy;
pub use secret::{Secret, scrub};
pub use sign::{FixedIds, QueryTokenSigner, RequestIds, SignContext, SignReceipt, Signer};
pub use token::{
    AccessToken, ConfigureTokens, MemoryTokenStore, RefreshLock, TokenCache, TokenFetcher,
    TokenSettings, TokenStore,
};
pub use token_endpoint::{
    TokenEndpoint, TokenRefusal, TokenReply, read_token_answer, token_lifetime,
};
pub use transport::{
    DEFAULT_MAX_BODY_BYTES, HeaderMap, HeaderName, HeaderValue, HttpRequest, HttpResponse, Method,
    ReqwestTransport, ReqwestTransportBuilder, StatusCode, Transport, Url,
};

/// The stream extensions every program iterating pages or items needs; vendor crates re-export
/// this in their own `prelude`.
pub mod prelude {
    pub use futures::{StreamExt, TryStreamExt};
}

/// What the declaration macros expand to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::builder::{Credential, PushField, shown_with};
    pub use crate::de::SmallText;
    pub use crate::model::{KeyRef, KeySeed, next_key, unknown_field};
    pub use serde;
    pub use serde_json;
}

/// Re-exported for implementors of [`Transport`], [`Signer`] and [`TokenFetcher`].
pub use async_trait::async_trait;
/// Re-exported: streams returned by [`Client::pages`] and [`Client::items`].
pub use futures::Stream;

/// The README's code, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
