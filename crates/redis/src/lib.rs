//! # scrm-redis
//!
//! Several processes, one vendor credential: share the access token, the request-rate budget
//! and push deduplication of scrm-sdk clients through Redis.
//!
//! - [`RedisTokenStore`]: a [`TokenStore`](scrm_core::TokenStore) keyed by vendor, account and
//!   a hash of the secret (a rotated secret never gets a stale token), expiring with the token
//!   (`SET … PXAT`), invalidated by compare-and-delete in one script (a token another process
//!   just stored survives), with a cross-process refresh lock: one process fetches, the others
//!   wait a bounded time (`SET lock NX PX lease`, polled with jitter; unlock by
//!   compare-and-delete; a crashed holder's lease expires).
//! - [`RedisRateBudget`]: a [`RateBudget`](scrm_core::RateBudget): GCRA in one Lua script
//!   clocked by the Redis server's `TIME`, one key per credential, so N processes together stay
//!   within one configured rate. Concurrency stays per process.
//! - [`RedisSeenStore`]: push deduplication (`SET key pending NX PX lease`, then `done` with a
//!   long expiry, or released after a failure).
//!
//! When Redis is unreachable the [`OnUnavailable`] policy applies: fail clearly, naming Redis
//! (default), or fall back to per-process state with a warning.
//!
//! ```no_run
//! use scrm_core::{ClientOptions, Configure, ConfigureTokens, RateLimit, Secret, TokenSettings};
//! use scrm_redis::{RedisConfig, RedisShared};
//! # async fn run() -> Result<(), scrm_core::Error> {
//! let redis = RedisShared::connect("redis://127.0.0.1:6379/0", RedisConfig::default()).await?;
//! let secret = Secret::new("app-secret".to_owned());
//! // Every vendor builder implements `Configure` (and wshoto's and weiban's `ConfigureTokens`);
//! // the core option types stand in for one here.
//! let options = ClientOptions::new("https://open.example.com", RateLimit::new(5.0, 4))
//!     .rate_budget(redis.rate_budget("wshoto:my-app-id"));
//! let tokens = TokenSettings::new(&[]).token_store(redis.token_store(&secret));
//! # let _ = (options, tokens);
//! # Ok(()) }
//! ```

mod budget;
mod conn;
mod seen;
mod tokens;

pub use budget::RedisRateBudget;
pub use conn::{OnUnavailable, RedisConfig, RedisShared};
pub use seen::RedisSeenStore;
pub use seen::seen_trait::{self, Claim, SeenStore};
pub use tokens::RedisTokenStore;

/// The README's code, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
