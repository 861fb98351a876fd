//! A client-side request-rate and concurrency limit per credential.

use std::sync::Mutex;
use std::time::Duration;

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
            max_concurrent: max_concurrent.max(1),
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
}

const SLOWEST: Duration = Duration::from_secs(10);

impl RateLimiter {
    /// A limiter for `limit`.
    pub fn new(limit: RateLimit) -> Self {
        let interval = (limit.requests_per_second > 0.0)
            .then(|| Duration::from_secs_f64(1.0 / limit.requests_per_second));
        RateLimiter {
            limit,
            semaphore: Semaphore::new(limit.max_concurrent),
            pace: Mutex::new(Pace {
                interval,
                next: None,
            }),
        }
    }

    /// The configured limit.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    fn base_interval(&self) -> Option<Duration> {
        (self.limit.requests_per_second > 0.0)
            .then(|| Duration::from_secs_f64(1.0 / self.limit.requests_per_second))
    }

    /// Waits for a concurrency slot and the next start time; hold the permit while the request
    /// is in flight.
    ///
    /// A start is claimed at the moment it actually happens (not at the moment it was planned):
    /// timers fire late by up to a millisecond or so, and spacing from planned times would let
    /// a late start and an on-time one land closer than the interval — one request too many in
    /// a vendor's one-second window.
    pub async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.semaphore.acquire().await.ok();
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
        permit
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
}
