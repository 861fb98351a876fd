//! A client-side request-rate and concurrency limit per credential.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use crate::Error;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Rate-limit settings.
///
/// ```
/// let limit = scrm_core::RateLimit::new(5.0, 4);
/// assert_eq!(limit.requests_per_second(), 5.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    requests_per_second: f64,
    max_concurrent: usize,
}

impl RateLimit {
    /// At most `requests_per_second` request starts per second (spaced evenly) and
    /// `max_concurrent` requests in flight. Non-positive rates mean "no rate limit".
    pub fn new(requests_per_second: f64, max_concurrent: usize) -> Self {
        RateLimit {
            requests_per_second,
            // At least one; at most what a semaphore can count (more would panic).
            max_concurrent: max_concurrent.clamp(1, Semaphore::MAX_PERMITS),
        }
    }

    /// No limit on the rate; `max_concurrent` still applies.
    pub fn unlimited(max_concurrent: usize) -> Self {
        RateLimit::new(0.0, max_concurrent)
    }

    /// The configured rate.
    pub fn requests_per_second(&self) -> f64 {
        self.requests_per_second
    }

    /// The configured concurrency.
    pub fn max_concurrent(&self) -> usize {
        self.max_concurrent
    }
}

/// A request-rate budget shared with other processes using the same credential (e.g. through
/// Redis), consulted by a [`RateLimiter`] built [`with_budget`](RateLimiter::with_budget).
///
/// The limiter keeps the concurrency limit and the throttling back-off of its own process and
/// asks the budget for the spacing between request starts, which then holds across every
/// process sharing the budget. A budget's clock should be shared too (e.g. the Redis server's),
/// since the processes' clocks differ.
///
/// ```
/// use std::sync::Mutex;
/// use std::time::{Duration, Instant};
/// use scrm_core::{async_trait, Error, RateBudget, RateLimit, RateLimiter};
/// /// A budget kept in this process (what `RateLimiter::new` does on its own).
/// #[derive(Default)]
/// struct Local(Mutex<Option<Instant>>);
/// #[async_trait]
/// impl RateBudget for Local {
///     async fn try_start(&self, interval: Duration) -> Result<Option<Duration>, Error> {
///         let mut next = self.0.lock().unwrap_or_else(|p| p.into_inner());
///         let now = Instant::now();
///         match *next {
///             Some(at) if at > now => Ok(Some(at - now)),
///             _ => {
///                 *next = Some(now + interval);
///                 Ok(None)
///             }
///         }
///     }
/// }
/// let limiter = RateLimiter::with_budget(RateLimit::new(5.0, 4), std::sync::Arc::new(Local::default()));
/// ```
#[async_trait]
pub trait RateBudget: Send + Sync + 'static {
    /// Claims a request start now if at least `interval` has passed since the last start
    /// claimed by anyone sharing the budget: `Ok(None)`, start now. Otherwise claims nothing and
    /// returns `Ok(Some(wait))`: ask again after `wait`. An error (the shared store is
    /// unreachable) fails the request before it is sent.
    async fn try_start(&self, interval: Duration) -> Result<Option<Duration>, Error>;
}

struct Pace {
    /// Current interval between request starts (grows when throttled).
    interval: Option<Duration>,
    /// Earliest start of the next request.
    next: Option<Instant>,
}

/// Enforces a [`RateLimit`] and slows down when the vendor throttles.
///
/// Requests are spaced evenly at the configured rate. A throttled answer doubles the spacing
/// (down to one request every 10 s at the slowest); each success then shrinks it by 5% until the
/// configured rate is reached again.
pub struct RateLimiter {
    limit: RateLimit,
    semaphore: Semaphore,
    pace: Mutex<Pace>,
    budget: Option<Budget>,
}

/// A shared budget and the gate that lets one task of this process at a time consult it (the
/// others would only learn the same wait).
struct Budget {
    shared: Arc<dyn RateBudget>,
    gate: tokio::sync::Mutex<()>,
}

const SLOWEST: Duration = Duration::from_secs(10);

/// The longest spacing between starts: a rate below one request a day is one a day (a rate so
/// small that its interval overflows the clock must not panic).
const LONGEST_INTERVAL: Duration = Duration::from_secs(86_400);

/// The spacing between starts at `rps` requests per second: none for `0` (or anything that is
/// not a positive number), at most [`LONGEST_INTERVAL`].
fn interval_of(rps: f64) -> Option<Duration> {
    (rps > 0.0).then(|| {
        Duration::try_from_secs_f64(1.0 / rps).map_or(LONGEST_INTERVAL, |d| d.min(LONGEST_INTERVAL))
    })
}

impl RateLimiter {
    /// A limiter for `limit`.
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            semaphore: Semaphore::new(limit.max_concurrent),
            pace: Mutex::new(Pace {
                interval: interval_of(limit.requests_per_second),
                next: None,
            }),
            budget: None,
        }
    }

    /// A limiter for `limit` whose spacing between request starts comes from `budget`, shared
    /// with other processes; concurrency and the throttling back-off stay per process.
    pub fn with_budget(limit: RateLimit, budget: Arc<dyn RateBudget>) -> Self {
        RateLimiter {
            budget: Some(Budget {
                shared: budget,
                gate: tokio::sync::Mutex::new(()),
            }),
            ..RateLimiter::new(limit)
        }
    }

    /// Whether request starts are spaced by a shared [`RateBudget`].
    pub fn is_shared(&self) -> bool {
        self.budget.is_some()
    }

    /// The configured limit.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    fn base_interval(&self) -> Option<Duration> {
        interval_of(self.limit.requests_per_second)
    }

    /// Waits for a concurrency slot and the next start time; hold the permit while the request
    /// is in flight.
    ///
    /// A start is claimed at the moment it actually happens (not at the moment it was planned):
    /// timers fire late by up to a millisecond or so, and spacing from planned times would let
    /// a late start and an on-time one land closer than the interval — one request too many in
    /// a vendor's one-second window.
    ///
    /// With a shared [`RateBudget`] that fails, this start is spaced by this process alone; use
    /// [`RateLimiter::try_acquire`] to get the error instead.
    pub async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.semaphore.acquire().await.ok();
        if self.budget.is_some() {
            match self.shared_start().await {
                Ok(()) => return permit,
                Err(e) => {
                    tracing::warn!(error = %e, "shared rate budget failed: spacing this request locally")
                }
            }
        }
        self.local_start().await;
        permit
    }

    /// Like [`RateLimiter::acquire`], but fails when the shared [`RateBudget`] does (the request
    /// must not be sent then). Without a shared budget it never fails.
    pub async fn try_acquire(&self) -> Result<Option<SemaphorePermit<'_>>, Error> {
        let permit = self.semaphore.acquire().await.ok();
        if self.budget.is_some() {
            self.shared_start().await?;
        } else {
            self.local_start().await;
        }
        Ok(permit)
    }

    /// Waits for a start claimed from the shared budget.
    async fn shared_start(&self) -> Result<(), Error> {
        let Some(budget) = &self.budget else {
            return Ok(());
        };
        let _turn = budget.gate.lock().await;
        loop {
            let Some(interval) = self.current_interval() else {
                return Ok(());
            };
            match budget.shared.try_start(interval).await? {
                None => return Ok(()),
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Waits for the next start of this process's own spacing.
    async fn local_start(&self) {
        loop {
            let wait_until = {
                let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
                let Some(interval) = pace.interval else {
                    break;
                };
                let now = Instant::now();
                match pace.next {
                    Some(next) if next > now => Some(next),
                    _ => {
                        pace.next = Some(now + interval);
                        None
                    }
                }
            };
            match wait_until {
                Some(at) => tokio::time::sleep_until(at).await,
                None => break,
            }
        }
    }

    /// Called when the vendor throttled a request: halves the rate.
    pub fn on_throttled(&self) {
        let base = self.base_interval().unwrap_or(Duration::from_millis(100));
        let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
        let current = pace.interval.unwrap_or(base);
        let slower = (current * 2).min(SLOWEST);
        pace.interval = Some(slower);
        tracing::debug!(
            interval_ms = slower.as_millis() as u64,
            "throttled: slowing down"
        );
    }

    /// Called after a successful request: recovers towards the configured rate.
    pub fn on_success(&self) {
        let base = self.base_interval();
        let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(current) = pace.interval
            && base.is_none_or(|b| current > b)
        {
            let faster = current.mul_f64(0.95);
            pace.interval = match base {
                Some(b) => Some(faster.max(b)),
                None if faster < Duration::from_millis(5) => None,
                None => Some(faster),
            };
        }
    }

    /// The current spacing between request starts, if any.
    pub fn current_interval(&self) -> Option<Duration> {
        self.pace.lock().unwrap_or_else(|p| p.into_inner()).interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_rate_gives_an_interval_without_panicking() {
        assert_eq!(interval_of(10.0), Some(Duration::from_millis(100)));
        assert_eq!(interval_of(0.0), None);
        assert_eq!(interval_of(-5.0), None);
        assert_eq!(interval_of(f64::NAN), None);
        assert_eq!(interval_of(f64::INFINITY), Some(Duration::ZERO));
        assert_eq!(interval_of(1e-30), Some(LONGEST_INTERVAL));
        assert_eq!(interval_of(f64::MIN_POSITIVE), Some(LONGEST_INTERVAL));
        let huge = RateLimit::new(1.0, usize::MAX);
        assert_eq!(huge.max_concurrent(), Semaphore::MAX_PERMITS);
        drop(RateLimiter::new(huge));
        let l = RateLimiter::new(RateLimit::new(1e-300, 1));
        assert_eq!(l.current_interval(), Some(LONGEST_INTERVAL));
    }

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_at_the_rate() {
        let l = RateLimiter::new(RateLimit::new(10.0, 4));
        let t0 = Instant::now();
        for _ in 0..11 {
            drop(l.acquire().await);
        }
        let elapsed = t0.elapsed();
        assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1010), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_timer_pushes_the_next_start_back() {
        let l = std::sync::Arc::new(RateLimiter::new(RateLimit::new(10.0, 4)));
        let t0 = Instant::now();
        drop(l.acquire().await); // starts at 0; the next may start at 100 ms
        let waiter = {
            let l = l.clone();
            tokio::spawn(async move {
                let _p = l.acquire().await;
                t0.elapsed().as_millis()
            })
        };
        tokio::task::yield_now().await; // the waiter is now asleep until 100 ms
        // Its timer fires 30 ms late (a busy machine): it really starts at 130 ms…
        tokio::time::advance(Duration::from_millis(130)).await;
        assert_eq!(waiter.await.unwrap(), 130);
        // …so the next start is a full interval after that, not 70 ms after it.
        drop(l.acquire().await);
        assert_eq!(t0.elapsed().as_millis(), 230);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_spaced_too() {
        let l = std::sync::Arc::new(RateLimiter::new(RateLimit::new(20.0, 8)));
        let t0 = Instant::now();
        let starts: Vec<_> = (0..6)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    let _p = l.acquire().await;
                    t0.elapsed().as_millis()
                })
            })
            .collect();
        let mut at = Vec::new();
        for s in starts {
            at.push(s.await.unwrap());
        }
        at.sort_unstable();
        assert_eq!(at, [0, 50, 100, 150, 200, 250]);
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_slows_down_and_success_recovers() {
        let l = RateLimiter::new(RateLimit::new(10.0, 1));
        l.on_throttled();
        assert_eq!(l.current_interval(), Some(Duration::from_millis(200)));
        for _ in 0..100 {
            l.on_success();
        }
        assert_eq!(l.current_interval(), Some(Duration::from_millis(100)));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_bounded() {
        let l = RateLimiter::new(RateLimit::unlimited(2));
        let a = l.acquire().await;
        let b = l.acquire().await;
        assert!(a.is_some() && b.is_some());
        let third = tokio::time::timeout(Duration::from_secs(1), l.acquire()).await;
        assert!(third.is_err(), "a third permit must wait");
        drop(a);
        assert!(l.acquire().await.is_some());
    }

    /// A budget shared by two limiters (two "processes"), clocked by tokio's paused time.
    #[derive(Default)]
    struct SharedNext(Mutex<Option<Instant>>, std::sync::atomic::AtomicUsize);
    #[async_trait]
    impl RateBudget for SharedNext {
        async fn try_start(&self, interval: Duration) -> Result<Option<Duration>, Error> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut next = self.0.lock().unwrap();
            let now = Instant::now();
            match *next {
                Some(at) if at > now => Ok(Some(at - now)),
                _ => {
                    *next = Some(now + interval);
                    Ok(None)
                }
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn limiters_sharing_a_budget_stay_within_one_rate_together() {
        let budget = Arc::new(SharedNext::default());
        let a = Arc::new(RateLimiter::with_budget(
            RateLimit::new(10.0, 4),
            budget.clone(),
        ));
        let b = Arc::new(RateLimiter::with_budget(
            RateLimit::new(10.0, 4),
            budget.clone(),
        ));
        assert!(a.is_shared());
        let t0 = Instant::now();
        let starts: Vec<_> = (0..10)
            .map(|i| {
                let l = if i % 2 == 0 { a.clone() } else { b.clone() };
                tokio::spawn(async move {
                    let _p = l.try_acquire().await.unwrap();
                    t0.elapsed().as_millis()
                })
            })
            .collect();
        let mut at = Vec::new();
        for s in starts {
            at.push(s.await.unwrap());
        }
        at.sort_unstable();
        assert_eq!(at, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    }

    struct Down;
    #[async_trait]
    impl RateBudget for Down {
        async fn try_start(&self, _interval: Duration) -> Result<Option<Duration>, Error> {
            Err(Error::new(crate::ErrorKind::SharedStore, "Redis is down"))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_budget_fails_try_acquire_and_acquire_spaces_locally() {
        let l = RateLimiter::with_budget(RateLimit::new(10.0, 1), Arc::new(Down));
        let e = l.try_acquire().await.unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::SharedStore);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.acquire().await.is_some());
        }
        assert_eq!(t0.elapsed().as_millis(), 200);
    }

    #[tokio::test(start_paused = true)]
    async fn no_rate_means_the_budget_is_not_asked() {
        let budget = Arc::new(SharedNext::default());
        let l = RateLimiter::with_budget(RateLimit::unlimited(2), budget.clone());
        for _ in 0..5 {
            drop(l.try_acquire().await.unwrap());
        }
        assert_eq!(budget.1.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
