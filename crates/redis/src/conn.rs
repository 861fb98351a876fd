//! The connection, its configuration and the unreachable-Redis policy.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::RedisResult;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use scrm_core::{Error, ErrorKind, Secret};
use tokio::time::Instant;

use crate::{RedisRateBudget, RedisSeenStore, RedisTokenStore};

/// What to do when Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnUnavailable {
    /// Fail the request (before it is sent) with an [`ErrorKind::SharedStore`] error naming
    /// Redis. The default: several processes silently going their own way would exceed the
    /// shared rate and fetch competing tokens.
    #[default]
    Fail,
    /// Warn once per outage and go on with per-process state (an in-memory token cache, this
    /// process's own rate spacing, in-memory push deduplication) until Redis answers again.
    /// The processes together may then exceed the configured rate.
    FallBackLocal,
}

/// Settings of a [`RedisShared`].
///
/// ```
/// use std::time::Duration;
/// use scrm_redis::{OnUnavailable, RedisConfig};
/// let config = RedisConfig::default()
///     .key_prefix("myjob")
///     .on_unavailable(OnUnavailable::FallBackLocal)
///     .lock_lease(Duration::from_secs(5));
/// assert_eq!(config.get_lock_wait(), Duration::from_secs(15));
/// ```
#[derive(Debug, Clone)]
pub struct RedisConfig {
    pub(crate) prefix: String,
    pub(crate) on_unavailable: OnUnavailable,
    pub(crate) lock_lease: Duration,
    pub(crate) lock_wait: Duration,
    pub(crate) token_memo: Duration,
    pub(crate) seen_lease: Duration,
    pub(crate) seen_ttl: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retry_pause: Duration,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            prefix: "scrm".to_owned(),
            on_unavailable: OnUnavailable::Fail,
            lock_lease: Duration::from_secs(10),
            lock_wait: Duration::from_secs(15),
            token_memo: Duration::from_secs(1),
            seen_lease: Duration::from_secs(60),
            seen_ttl: Duration::from_secs(7 * 24 * 3600),
            timeout: Duration::from_secs(2),
            retry_pause: Duration::from_secs(1),
        }
    }
}

impl RedisConfig {
    /// The first segment of every key (default `scrm`): keys are `PREFIX:token:…`,
    /// `PREFIX:lock:…`, `PREFIX:rate:…`, `PREFIX:seen:…`.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What to do when Redis is unreachable (default [`OnUnavailable::Fail`]).
    pub fn on_unavailable(mut self, policy: OnUnavailable) -> Self {
        self.on_unavailable = policy;
        self
    }

    /// How long the token refresh lock is held at most (default 10 s): a crashed holder
    /// blocks the others no longer than this.
    pub fn lock_lease(mut self, lease: Duration) -> Self {
        self.lock_lease = lease;
        self
    }

    /// How long a process waits for another one's token fetch before fetching itself
    /// (default 15 s; keep it above the lease so a crashed holder's lease runs out first).
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// How long a token read from Redis is reused without asking Redis again (default 1 s;
    /// zero asks on every request). A token dropped by any process is dropped here at once
    /// when this process sees it rejected.
    pub fn token_memo(mut self, memo: Duration) -> Self {
        self.token_memo = memo;
        self
    }

    /// How long a claimed push stays claimed when its handler neither completes nor releases
    /// it (a crash; default 60 s).
    pub fn seen_lease(mut self, lease: Duration) -> Self {
        self.seen_lease = lease;
        self
    }

    /// How long a handled push is remembered (default 7 days).
    pub fn seen_ttl(mut self, ttl: Duration) -> Self {
        self.seen_ttl = ttl;
        self
    }

    /// Time allowed to connect to Redis and for one command (default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The configured key prefix.
    pub fn get_key_prefix(&self) -> &str {
        &self.prefix
    }

    /// The configured policy.
    pub fn get_on_unavailable(&self) -> OnUnavailable {
        self.on_unavailable
    }

    /// The configured lock lease.
    pub fn get_lock_lease(&self) -> Duration {
        self.lock_lease
    }

    /// The configured lock wait.
    pub fn get_lock_wait(&self) -> Duration {
        self.lock_wait
    }
}

/// The connection shared by the stores, with the outage bookkeeping.
pub(crate) struct Conn {
    manager: ConnectionManager,
    /// `host:port db N`, for messages (never the password).
    place: String,
    pub(crate) config: RedisConfig,
    /// While set (fallback mode), Redis is not asked before this instant.
    skip_until: Mutex<Option<Instant>>,
    down: AtomicBool,
    round_trips: AtomicU64,
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("place", &self.place)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Conn {
    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut k = self.config.prefix.clone();
        for p in parts {
            k.push(':');
            k.push_str(p);
        }
        k
    }

    pub(crate) fn fallback(&self) -> bool {
        self.config.on_unavailable == OnUnavailable::FallBackLocal
    }

    /// The error for a failed Redis command during `what`.
    pub(crate) fn error(&self, what: &str, cause: &redis::RedisError) -> Error {
        let reason = if cause.is_timeout() {
            format!("no answer within {} ms", self.config.timeout.as_millis())
        } else {
            cause.to_string()
        };
        Error::new(
            ErrorKind::SharedStore,
            format!("Redis at {} failed ({what}): {reason}", self.place),
        )
        .not_sent()
    }

    /// Runs one Redis command (or script) for `what`. Errors are [`ErrorKind::SharedStore`].
    /// In fallback mode a failure is logged once per outage and Redis is left alone for a
    /// moment, so requests do not each wait for a reconnect.
    pub(crate) async fn run<T, F, Fut>(&self, what: &str, f: F) -> Result<T, Error>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        if self.fallback() {
            let skip = *self.skip_until.lock().unwrap_or_else(|p| p.into_inner());
            if skip.is_some_and(|at| Instant::now() < at) {
                return Err(Error::new(
                    ErrorKind::SharedStore,
                    format!("Redis at {} is unavailable ({what})", self.place),
                )
                .not_sent());
            }
        }
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        match f(self.manager.clone()).await {
            Ok(v) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::warn!(redis = %self.place, "Redis answers again: sharing tokens and the rate budget again");
                }
                Ok(v)
            }
            Err(e) => {
                let error = self.error(what, &e);
                if self.fallback() {
                    *self.skip_until.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(Instant::now() + self.config.retry_pause);
                    if !self.down.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            redis = %self.place,
                            error = %error,
                            "Redis is unavailable: falling back to per-process tokens, rate limit and push deduplication until it answers again (the processes together may exceed the rate)"
                        );
                    }
                }
                Err(error)
            }
        }
    }
}

/// A connection to Redis (multiplexed, reconnecting, cheap to clone) and the settings of the
/// stores made from it.
#[derive(Clone, Debug)]
pub struct RedisShared {
    conn: Arc<Conn>,
}

impl RedisShared {
    /// Connects to `url` (`redis://[[user]:password@]host[:port][/db]`) and checks that Redis
    /// answers. When it does not, [`OnUnavailable::Fail`] returns an
    /// [`ErrorKind::SharedStore`] error naming Redis; [`OnUnavailable::FallBackLocal`] warns
    /// and returns a handle that keeps trying. An invalid URL is an [`ErrorKind::Config`]
    /// error. Messages never carry the URL's password.
    ///
    /// ```
    /// use scrm_core::ErrorKind;
    /// use scrm_redis::{OnUnavailable, RedisConfig, RedisShared};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// // Nothing listens on port 1: by default that is an error naming Redis…
    /// let e = RedisShared::connect("redis://:pw@127.0.0.1:1/2", RedisConfig::default()).await.unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::SharedStore);
    /// assert!(e.to_string().contains("Redis at 127.0.0.1:1 db 2") && !e.to_string().contains("pw"));
    /// // …or per-process state with a warning, if allowed.
    /// let config = RedisConfig::default().on_unavailable(OnUnavailable::FallBackLocal);
    /// let redis = RedisShared::connect("redis://127.0.0.1:1", config).await.unwrap();
    /// assert_eq!(redis.place(), "127.0.0.1:1 db 0");
    /// # }
    /// ```
    pub async fn connect(url: &str, config: RedisConfig) -> Result<RedisShared, Error> {
        let client = redis::Client::open(url).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "invalid Redis URL ({:?}): expected redis://[:password@]host[:port][/db]",
                    e.kind()
                ),
            )
        })?;
        let info = client.get_connection_info();
        let place = format!("{} db {}", info.addr(), info.redis_settings().db());
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let manager = ConnectionManager::new_lazy_with_config(client, manager_config)
            .map_err(|e| Error::new(ErrorKind::Config, format!("Redis at {place}: {e}")))?;
        let conn = Arc::new(Conn {
            manager,
            place,
            config,
            skip_until: Mutex::new(None),
            down: AtomicBool::new(false),
            round_trips: AtomicU64::new(0),
        });
        let ping = conn
            .run("connecting", |mut c| async move {
                redis::cmd("PING").query_async::<String>(&mut c).await
            })
            .await;
        match ping {
            Ok(_) => {}
            Err(e) if conn.fallback() => {
                tracing::debug!(error = %e, "starting without Redis");
            }
            Err(e) => return Err(e),
        }
        Ok(RedisShared { conn })
    }

    /// `host:port db N` of the Redis server (no password), for messages.
    pub fn place(&self) -> &str {
        &self.conn.place
    }

    /// Commands (and scripts) sent to Redis so far by everything made from this handle, each
    /// one round trip.
    pub fn round_trips(&self) -> u64 {
        self.conn.round_trips.load(Ordering::Relaxed)
    }

    /// The settings in effect.
    pub fn config(&self) -> &RedisConfig {
        &self.conn.config
    }

    /// A token store for credentials whose secret is `secret` (only a hash of it goes into the
    /// keys), with the cross-process refresh lock. Give it to a wshoto or weiban builder with
    /// `.token_store(…)`.
    ///
    /// ```no_run
    /// # async fn f(redis: scrm_redis::RedisShared) -> Result<(), scrm_core::Error> {
    /// use scrm_core::{ConfigureTokens, Secret, TokenSettings};
    /// let secret = Secret::new("app-secret".to_owned());
    /// // Any wshoto or weiban builder; `TokenSettings` stands in for one here.
    /// let tokens = TokenSettings::new(&[]).token_store(redis.token_store(&secret));
    /// # let _ = tokens; Ok(()) }
    /// ```
    pub fn token_store(&self, secret: &Secret) -> Arc<RedisTokenStore> {
        Arc::new(RedisTokenStore::new(self.conn.clone(), secret))
    }

    /// The shared rate budget of `credential` (e.g. `"wshoto:<appid>"`; one key per
    /// credential). Give it to any vendor builder with `.rate_budget(…)`.
    ///
    /// ```no_run
    /// # async fn f(redis: scrm_redis::RedisShared) {
    /// use scrm_core::{ClientOptions, Configure, RateLimit};
    /// // Any vendor builder; `ClientOptions` stands in for one here.
    /// let options = ClientOptions::new("https://open.example.com", RateLimit::new(5.0, 4))
    ///     .rate_budget(redis.rate_budget("tanma:my-app-id"));
    /// # let _ = options; }
    /// ```
    pub fn rate_budget(&self, credential: &str) -> Arc<RedisRateBudget> {
        Arc::new(RedisRateBudget::new(self.conn.clone(), credential))
    }

    /// The push deduplication store.
    ///
    /// ```no_run
    /// # async fn f(redis: scrm_redis::RedisShared) -> Result<(), scrm_core::Error> {
    /// use scrm_redis::{Claim, SeenStore};
    /// let seen = redis.seen_store();
    /// match seen.claim("weiban", "msg-123").await? {
    ///     Claim::New => match handle().await {
    ///         Ok(()) => seen.complete("weiban", "msg-123").await?,
    ///         Err(_) => seen.release("weiban", "msg-123").await?,
    ///     },
    ///     _ => {} // handled already, or being handled: acknowledge only
    /// }
    /// # Ok(()) }
    /// # async fn handle() -> Result<(), ()> { Ok(()) }
    /// ```
    pub fn seen_store(&self) -> Arc<RedisSeenStore> {
        Arc::new(RedisSeenStore::new(self.conn.clone()))
    }
}
