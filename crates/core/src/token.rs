//! Access tokens: fetched once, shared, refreshed ahead of expiry, invalidated precisely.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::Error;
use crate::clock::Clock;
use crate::secret::Secret;
use crate::transport::Transport;

/// An access token, when it was issued and when it stops being valid.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use scrm_core::AccessToken;
/// let issued = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let t = AccessToken::new("tok".into(), issued, Duration::from_secs(7200));
/// // Replaced 5 minutes before expiry…
/// assert_eq!(t.refresh_at(Duration::from_secs(300)), issued + Duration::from_secs(6900));
/// // …but a short-lived token is kept for half its life, not refetched on every call.
/// let short = AccessToken::new("tok".into(), issued, Duration::from_secs(60));
/// assert_eq!(short.refresh_at(Duration::from_secs(300)), issued + Duration::from_secs(30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessToken {
    /// The token.
    pub value: Secret,
    /// When it was obtained.
    pub issued_at: SystemTime,
    /// When the vendor said it expires.
    pub expires_at: SystemTime,
}

impl AccessToken {
    /// A token obtained at `issued_at`, valid for `lifetime`.
    pub fn new(value: Secret, issued_at: SystemTime, lifetime: Duration) -> Self {
        AccessToken {
            value,
            issued_at,
            expires_at: issued_at + lifetime,
        }
    }

    /// A token from stored parts (for [`TokenStore`] implementations).
    pub fn from_parts(value: Secret, issued_at: SystemTime, expires_at: SystemTime) -> Self {
        AccessToken {
            value,
            issued_at,
            expires_at,
        }
    }

    /// When to replace it: `margin` before it expires, but no later than half-way through its
    /// life, so a token shorter-lived than the margin is not refetched on every call.
    pub fn refresh_at(&self, margin: Duration) -> SystemTime {
        let life = self
            .expires_at
            .duration_since(self.issued_at)
            .unwrap_or_default();
        self.expires_at - margin.min(life / 2)
    }
}

/// Fetches a new token from the vendor (one implementation per vendor).
#[async_trait]
pub trait TokenFetcher: Send + Sync + 'static {
    /// Fetches a token; `now` is the client clock's time, to turn `expires_in` into an instant.
    async fn fetch(&self, transport: &dyn Transport, now: SystemTime)
    -> Result<AccessToken, Error>;
}

/// Where tokens are kept. The default keeps them in memory; implement it over a shared store
/// (Redis, a database) to share one token across processes.
///
/// ```
/// use scrm_core::{MemoryTokenStore, TokenStore};
/// let store: std::sync::Arc<dyn TokenStore> = std::sync::Arc::new(MemoryTokenStore::default());
/// ```
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The stored token for `key`, if any (expired or not).
    async fn get(&self, key: &str) -> Option<AccessToken>;
    /// Stores `token` for `key`.
    async fn put(&self, key: &str, token: AccessToken);
    /// Removes the token for `key` only if it is still `value` (a newer token is kept).
    async fn remove_if(&self, key: &str, value: &Secret);

    /// The cross-process refresh lock of a store shared between processes, if it has one.
    ///
    /// The default (`None`) is right for a store used by one process: the [`TokenCache`]'s
    /// in-process single flight is enough. A shared store returns its lock so that, across all
    /// the processes using it, one fetches a new token while the others wait a bounded time.
    fn refresh_lock(&self) -> Option<&dyn RefreshLock> {
        None
    }
}

/// A lock that lets one process (of all sharing a [`TokenStore`]) fetch a new token while the
/// others wait for it. Used by [`TokenCache`] when [`TokenStore::refresh_lock`] returns one.
///
/// The cache calls [`try_lock`](RefreshLock::try_lock) after its in-process single flight;
/// when another process holds the lock it polls — the store for a fresh token, then the lock —
/// with jitter until [`max_wait`](RefreshLock::max_wait) has passed, and then fetches itself.
/// A lock must expire on its own (a lease) so a crashed holder cannot block the others for
/// longer than that.
///
/// ```
/// use std::time::Duration;
/// use scrm_core::{async_trait, Error, RefreshLock};
/// /// A lock that is always free (what a single process has anyway).
/// struct Free;
/// #[async_trait]
/// impl RefreshLock for Free {
///     async fn try_lock(&self, _key: &str) -> Result<Option<String>, Error> {
///         Ok(Some("held".into()))
///     }
///     async fn unlock(&self, _key: &str, _holder: &str) -> Result<(), Error> {
///         Ok(())
///     }
///     fn max_wait(&self) -> Duration {
///         Duration::from_secs(10)
///     }
/// }
/// ```
#[async_trait]
pub trait RefreshLock: Send + Sync {
    /// Takes the refresh lock of credential `key` if it is free: `Ok(Some(holder))`, an id to
    /// give back to [`unlock`](RefreshLock::unlock). `Ok(None)` when another process holds it.
    async fn try_lock(&self, key: &str) -> Result<Option<String>, Error>;
    /// Releases the lock of `key` if `holder` still holds it (never someone else's lock).
    async fn unlock(&self, key: &str, holder: &str) -> Result<(), Error>;
    /// How long a process waits for another one's fetch before fetching itself.
    fn max_wait(&self) -> Duration;
}

/// The in-memory [`TokenStore`].
#[derive(Debug, Default)]
pub struct MemoryTokenStore(Mutex<HashMap<String, AccessToken>>);

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn get(&self, key: &str) -> Option<AccessToken> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    async fn put(&self, key: &str, token: AccessToken) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), token);
    }

    async fn remove_if(&self, key: &str, value: &Secret) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(key).is_some_and(|t| &t.value == value) {
            map.remove(key);
        }
    }
}

/// The token settings of a token-in-the-query vendor's client builder (wshoto, weiban).
#[derive(Clone)]
pub struct TokenSettings {
    store: Option<Arc<dyn TokenStore>>,
    refresh_margin: Duration,
    invalid_codes: Vec<i64>,
}

impl std::fmt::Debug for TokenSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSettings")
            .field("custom_store", &self.store.is_some())
            .field("refresh_margin", &self.refresh_margin)
            .field("invalid_codes", &self.invalid_codes)
            .finish()
    }
}

impl TokenSettings {
    /// Default refresh margin: 5 minutes before expiry.
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

    /// Settings with a vendor's default token-invalid codes, an in-memory store and a 5-minute
    /// refresh margin.
    pub fn new(default_invalid_codes: &[i64]) -> Self {
        TokenSettings {
            store: None,
            refresh_margin: Self::DEFAULT_REFRESH_MARGIN,
            invalid_codes: default_invalid_codes.to_vec(),
        }
    }

    /// The codes that mean "token invalid".
    pub fn invalid_codes(&self) -> &[i64] {
        &self.invalid_codes
    }

    /// How long before expiry a token is replaced.
    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// The token cache for credential `key` (e.g. `"wshoto:<appid>"`).
    pub fn cache(
        &self,
        key: impl Into<String>,
        fetcher: Arc<dyn TokenFetcher>,
        clock: Arc<dyn Clock>,
    ) -> TokenCache {
        let store = self
            .store
            .clone()
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::default()));
        TokenCache::new(key, fetcher, store, clock, self.refresh_margin)
    }
}

/// Token setters shared by the builders of token-in-the-query vendors.
///
/// ```
/// use std::time::Duration;
/// use scrm_core::{ConfigureTokens, TokenSettings};
/// let settings = TokenSettings::new(&[40014])
///     .token_refresh_margin(Duration::from_secs(600))
///     .token_invalid_codes([40014, 42001]);
/// assert_eq!(settings.invalid_codes(), [40014, 42001]);
/// ```
pub trait ConfigureTokens: Sized {
    /// The settings being configured (for implementing the trait on a builder; not part of the
    /// settings API).
    #[doc(hidden)]
    fn token_settings_mut(&mut self) -> &mut TokenSettings;

    /// Where tokens are kept (default: in memory, per client). Share one store between clients
    /// or processes to share one token: token endpoints are rate-limited.
    fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_settings_mut().store = Some(store);
        self
    }

    /// How long before its expiry a token is replaced (default 5 minutes; a token living
    /// shorter than twice the margin is replaced half-way through its life).
    fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_settings_mut().refresh_margin = margin;
        self
    }

    /// The vendor codes that mean "token invalid": on one of them the token is dropped, a new
    /// one fetched and the call retried once. Replaces the whole set.
    fn token_invalid_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.token_settings_mut().invalid_codes = codes.into_iter().collect();
        self
    }
}

impl ConfigureTokens for TokenSettings {
    fn token_settings_mut(&mut self) -> &mut TokenSettings {
        self
    }
}

struct Flight {
    generation: u64,
    outcome: Option<Result<AccessToken, Error>>,
}

/// Caches one credential's access token with single-flight refresh.
///
/// - Many concurrent callers needing a token cause exactly one fetch; callers that waited for
///   it share its result, success or failure (no thundering herd on a failing token endpoint).
/// - A token is refreshed `margin` before the vendor's expiry.
/// - [`TokenCache::invalidate`] drops a token only if it is still the current one, so a caller
///   holding an older token cannot throw away a fresh one.
pub struct TokenCache {
    key: String,
    fetcher: Arc<dyn TokenFetcher>,
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    margin: Duration,
    generation: AtomicU64,
    flight: tokio::sync::Mutex<Flight>,
}

impl TokenCache {
    /// A cache for the credential identified by `key` (e.g. `"wshoto:<appid>"`).
    pub fn new(
        key: impl Into<String>,
        fetcher: Arc<dyn TokenFetcher>,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
        margin: Duration,
    ) -> Self {
        TokenCache {
            key: key.into(),
            fetcher,
            store,
            clock,
            margin,
            generation: AtomicU64::new(0),
            flight: tokio::sync::Mutex::new(Flight {
                generation: 0,
                outcome: None,
            }),
        }
    }

    fn fresh(&self, token: &AccessToken) -> bool {
        self.clock.now() < token.refresh_at(self.margin)
    }

    /// A valid token, fetching one if none is cached or the cached one is about to expire.
    pub async fn token(&self, transport: &dyn Transport) -> Result<Secret, Error> {
        if let Some(t) = self.store.get(&self.key).await
            && self.fresh(&t)
        {
            return Ok(t.value);
        }
        let seen = self.generation.load(Ordering::Acquire);
        let mut flight = self.flight.lock().await;
        if flight.generation != seen {
            // A fetch finished while we waited: share its outcome.
            match &flight.outcome {
                Some(Ok(t)) if self.fresh(t) => return Ok(t.value.clone()),
                Some(Err(e)) => return Err(e.clone()),
                _ => {}
            }
        }
        if let Some(t) = self.store.get(&self.key).await
            && self.fresh(&t)
        {
            return Ok(t.value);
        }
        let outcome = match self.store.refresh_lock() {
            None => self.fetch(transport).await,
            Some(lock) => self.fetch_across_processes(lock, transport).await,
        };
        flight.generation += 1;
        flight.outcome = Some(outcome.clone());
        self.generation.store(flight.generation, Ordering::Release);
        outcome.map(|t| t.value)
    }

    /// Fetches a token and stores it.
    async fn fetch(&self, transport: &dyn Transport) -> Result<AccessToken, Error> {
        tracing::debug!(key = %self.key, "fetching access token");
        let outcome = self.fetcher.fetch(transport, self.clock.now()).await;
        if let Ok(t) = &outcome {
            self.store.put(&self.key, t.clone()).await;
        }
        outcome
    }

    /// The stored token, if it is fresh.
    async fn stored_fresh(&self) -> Option<AccessToken> {
        self.store.get(&self.key).await.filter(|t| self.fresh(t))
    }

    /// Single flight across processes: fetch under the shared lock, or wait (bounded, with
    /// jitter) for the process holding it to store a token, then fetch ourselves.
    async fn fetch_across_processes(
        &self,
        lock: &dyn RefreshLock,
        transport: &dyn Transport,
    ) -> Result<AccessToken, Error> {
        let deadline = tokio::time::Instant::now() + lock.max_wait();
        let mut polls = 0u32;
        loop {
            if let Some(holder) = lock.try_lock(&self.key).await? {
                // The previous holder may have stored a token just before we took the lock.
                let outcome = match self.stored_fresh().await {
                    Some(t) => Ok(t),
                    None => self.fetch(transport).await,
                };
                if let Err(e) = lock.unlock(&self.key, &holder).await {
                    // The lease expires on its own; the others then go on after it.
                    tracing::warn!(key = %self.key, error = %e, "could not release the token refresh lock");
                }
                return outcome;
            }
            if let Some(t) = self.stored_fresh().await {
                return Ok(t);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                tracing::warn!(
                    key = %self.key,
                    waited_ms = lock.max_wait().as_millis() as u64,
                    "another process holds the token refresh lock for too long: fetching here"
                );
                return self.fetch(transport).await;
            }
            polls += 1;
            tokio::time::sleep(poll_delay(polls).min(deadline - now)).await;
        }
    }

    /// Drops `token` if it is still the cached one.
    pub async fn invalidate(&self, token: &Secret) {
        self.store.remove_if(&self.key, token).await;
        let mut flight = self.flight.lock().await;
        if matches!(&flight.outcome, Some(Ok(t)) if &t.value == token) {
            flight.outcome = None;
        }
    }
}

/// The pause before the `n`th poll of a held refresh lock: 10 ms growing to 200 ms, with
/// ±50% jitter so waiting processes do not poll in step.
fn poll_delay(n: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let base = Duration::from_millis(10)
        .saturating_mul(1 << n.saturating_sub(1).min(5))
        .min(Duration::from_millis(200));
    // A random factor in [0.5, 1.5) from the std hasher's per-instance random keys.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(n);
    let unit = (h.finish() >> 11) as f64 / (1u64 << 53) as f64;
    base.mul_f64(0.5 + unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::error::TransportError;
    use crate::transport::{HttpRequest, HttpResponse};
    use std::sync::atomic::AtomicUsize;
    use std::time::UNIX_EPOCH;

    struct NoTransport;
    #[async_trait]
    impl Transport for NoTransport {
        async fn send(&self, _r: HttpRequest) -> Result<HttpResponse, TransportError> {
            Err(TransportError::new(
                crate::TransportErrorKind::Other,
                "unused",
                false,
            ))
        }
    }

    struct Counting {
        calls: AtomicUsize,
        fail: bool,
    }
    #[async_trait]
    impl TokenFetcher for Counting {
        async fn fetch(&self, _t: &dyn Transport, now: SystemTime) -> Result<AccessToken, Error> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            if self.fail {
                return Err(Error::new(crate::ErrorKind::AuthRejected, "bad secret"));
            }
            Ok(AccessToken::new(
                Secret::new(format!("token-{n}")),
                now,
                Duration::from_secs(7200),
            ))
        }
    }

    fn cache(fail: bool) -> (Arc<TokenCache>, Arc<Counting>, Arc<ManualClock>) {
        let fetcher = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            fail,
        });
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_000_000),
        ));
        let c = TokenCache::new(
            "k",
            fetcher.clone(),
            Arc::new(MemoryTokenStore::default()),
            clock.clone(),
            Duration::from_secs(300),
        );
        (Arc::new(c), fetcher, clock)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_fetch() {
        let (c, f, _) = cache(false);
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.token(&NoTransport).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().expose(), "token-0");
        }
        assert_eq!(f.calls.load(Ordering::SeqCst), 1);
    }

    /// Every caller here asks while the one fetch is in flight (the fetch yields before it
    /// fails, and a current-thread runtime runs the other 199 callers meanwhile): all of them
    /// share its failure.
    #[tokio::test]
    async fn a_failed_fetch_is_shared_not_repeated_by_every_waiter() {
        let (c, f, _) = cache(true);
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.token(&NoTransport).await })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().is_err());
        }
        assert_eq!(f.calls.load(Ordering::SeqCst), 1);
    }

    /// A store that counts lookups, so a fetcher can wait until every caller has looked.
    #[derive(Default)]
    struct CountingStore {
        inner: MemoryTokenStore,
        gets: AtomicUsize,
    }
    #[async_trait]
    impl TokenStore for CountingStore {
        async fn get(&self, key: &str) -> Option<AccessToken> {
            self.gets.fetch_add(1, Ordering::SeqCst);
            self.inner.get(key).await
        }
        async fn put(&self, key: &str, token: AccessToken) {
            self.inner.put(key, token).await
        }
        async fn remove_if(&self, key: &str, value: &Secret) {
            self.inner.remove_if(key, value).await
        }
    }

    /// Fails, but only once `store` has seen `callers` lookups besides its own (the fetching
    /// caller looks twice), so every caller is waiting when the failure comes.
    struct GatedFailure {
        store: Arc<CountingStore>,
        callers: usize,
        calls: AtomicUsize,
    }
    #[async_trait]
    impl TokenFetcher for GatedFailure {
        async fn fetch(&self, _t: &dyn Transport, _now: SystemTime) -> Result<AccessToken, Error> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            while self.store.gets.load(Ordering::SeqCst) < self.callers + 1 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            Err(Error::new(crate::ErrorKind::AuthRejected, "bad secret"))
        }
    }

    /// The same on two threads: callers waiting for the fetch share its failure. A caller
    /// preempted between its store lookup and joining the wait arrives after the failure and,
    /// rightly, fetches again; each such caller costs one fetch, hence the bound.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiters_on_two_threads_share_a_failed_fetch() {
        const CALLERS: usize = 200;
        let store = Arc::new(CountingStore::default());
        let fetcher = Arc::new(GatedFailure {
            store: store.clone(),
            callers: CALLERS,
            calls: AtomicUsize::new(0),
        });
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_000_000),
        ));
        let c = Arc::new(TokenCache::new(
            "k",
            fetcher.clone(),
            store.clone(),
            clock,
            Duration::from_secs(300),
        ));
        let tasks: Vec<_> = (0..CALLERS)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.token(&NoTransport).await })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().is_err());
        }
        let fetches = fetcher.calls.load(Ordering::SeqCst);
        assert!(fetches < 10, "fetches: {fetches}");
    }

    #[tokio::test]
    async fn a_caller_after_a_failed_fetch_fetches_again() {
        let (c, f, _) = cache(true);
        assert!(c.token(&NoTransport).await.is_err());
        assert!(c.token(&NoTransport).await.is_err());
        assert_eq!(f.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn refreshes_ahead_of_expiry() {
        let (c, f, clock) = cache(false);
        assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "token-0");
        clock.advance(Duration::from_secs(7200 - 301));
        assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "token-0");
        clock.advance(Duration::from_secs(2));
        assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "token-1");
        assert_eq!(f.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_token_shorter_lived_than_the_margin_is_kept_for_half_its_life() {
        struct Short(AtomicUsize);
        #[async_trait]
        impl TokenFetcher for Short {
            async fn fetch(
                &self,
                _t: &dyn Transport,
                now: SystemTime,
            ) -> Result<AccessToken, Error> {
                let n = self.0.fetch_add(1, Ordering::SeqCst);
                Ok(AccessToken::new(
                    format!("s{n}").into(),
                    now,
                    Duration::from_secs(60),
                ))
            }
        }
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_000_000),
        ));
        let fetcher = Arc::new(Short(AtomicUsize::new(0)));
        let c = TokenCache::new(
            "k",
            fetcher.clone(),
            Arc::new(MemoryTokenStore::default()),
            clock.clone(),
            Duration::from_secs(300),
        );
        for _ in 0..5 {
            assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "s0");
        }
        clock.advance(Duration::from_secs(31));
        assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "s1");
        assert_eq!(fetcher.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidating_an_old_token_keeps_the_fresh_one() {
        let (c, f, _) = cache(false);
        let old = c.token(&NoTransport).await.unwrap();
        c.invalidate(&old).await;
        let new = c.token(&NoTransport).await.unwrap();
        assert_ne!(old, new);
        // A late caller reports the old token as rejected: the new one stays.
        c.invalidate(&old).await;
        assert_eq!(c.token(&NoTransport).await.unwrap(), new);
        assert_eq!(f.calls.load(Ordering::SeqCst), 2);
    }

    /// A store whose refresh lock another process holds (until `free_after` polls, if set).
    struct Contended {
        inner: MemoryTokenStore,
        lock: HeldLock,
    }
    struct HeldLock {
        max_wait: Duration,
        tries: AtomicUsize,
        free_after: Option<usize>,
        unlocked: Mutex<Vec<String>>,
    }
    #[async_trait]
    impl RefreshLock for HeldLock {
        async fn try_lock(&self, _key: &str) -> Result<Option<String>, Error> {
            let n = self.tries.fetch_add(1, Ordering::SeqCst);
            Ok(self
                .free_after
                .is_some_and(|k| n >= k)
                .then(|| format!("me-{n}")))
        }
        async fn unlock(&self, _key: &str, holder: &str) -> Result<(), Error> {
            self.unlocked.lock().unwrap().push(holder.to_owned());
            Ok(())
        }
        fn max_wait(&self) -> Duration {
            self.max_wait
        }
    }
    #[async_trait]
    impl TokenStore for Contended {
        async fn get(&self, key: &str) -> Option<AccessToken> {
            self.inner.get(key).await
        }
        async fn put(&self, key: &str, token: AccessToken) {
            self.inner.put(key, token).await
        }
        async fn remove_if(&self, key: &str, value: &Secret) {
            self.inner.remove_if(key, value).await
        }
        fn refresh_lock(&self) -> Option<&dyn RefreshLock> {
            Some(&self.lock)
        }
    }

    fn contended(free_after: Option<usize>) -> (Arc<TokenCache>, Arc<Counting>, Arc<Contended>) {
        let fetcher = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            fail: false,
        });
        let store = Arc::new(Contended {
            inner: MemoryTokenStore::default(),
            lock: HeldLock {
                max_wait: Duration::from_secs(5),
                tries: AtomicUsize::new(0),
                free_after,
                unlocked: Mutex::new(Vec::new()),
            },
        });
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_000_000),
        ));
        let c = TokenCache::new(
            "k",
            fetcher.clone(),
            store.clone(),
            clock,
            Duration::from_secs(300),
        );
        (Arc::new(c), fetcher, store)
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_takes_the_token_the_lock_holder_stored() {
        let (c, f, store) = contended(None);
        let waiter = {
            let c = c.clone();
            tokio::spawn(async move { c.token(&NoTransport).await })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The "other process" stores its token.
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        store
            .put(
                "k",
                AccessToken::new("theirs".into(), now, Duration::from_secs(7200)),
            )
            .await;
        assert_eq!(waiter.await.unwrap().unwrap().expose(), "theirs");
        assert_eq!(f.calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_freed_by_its_lease_is_taken_and_released() {
        let (c, f, store) = contended(Some(3));
        assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "token-0");
        assert_eq!(f.calls.load(Ordering::SeqCst), 1);
        assert_eq!(*store.lock.unlocked.lock().unwrap(), ["me-3"]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_for_another_process_is_bounded() {
        let (c, f, _store) = contended(None);
        let t0 = tokio::time::Instant::now();
        assert_eq!(c.token(&NoTransport).await.unwrap().expose(), "token-0");
        assert_eq!(f.calls.load(Ordering::SeqCst), 1);
        let waited = t0.elapsed();
        assert!(
            waited >= Duration::from_secs(5) && waited < Duration::from_millis(5300),
            "{waited:?}"
        );
    }

    #[test]
    fn lock_polls_back_off_with_jitter_within_bounds() {
        for n in 1..30 {
            let base = Duration::from_millis(10 << (n - 1).min(5)).min(Duration::from_millis(200));
            let d = poll_delay(n);
            assert!(d >= base / 2 && d < base * 3 / 2, "poll {n}: {d:?}");
        }
        let samples: std::collections::HashSet<Duration> = (0..20).map(|_| poll_delay(9)).collect();
        assert!(samples.len() > 1, "no jitter");
    }
}
