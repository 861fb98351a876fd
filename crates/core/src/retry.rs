//! When and how long to wait before trying a call again.

use std::time::Duration;

use backon::BackoffBuilder;

use crate::{Error, ErrorKind};

/// Retry policy: which failures are retried, how often, how long to wait.
///
/// Retried: network failures (connect refused/reset, timeouts), HTTP 5xx and 429, HTML or empty
/// gateway bodies, and vendor codes classified transient or throttled. Never retried: invalid
/// requests, rejected credentials or signatures, decode errors. A non-idempotent operation is
/// retried only when the request certainly did not reach the vendor or was throttled.
/// A rejected token is refreshed and the call retried once, and a clock-skew rejection re-signed
/// once, regardless of `max_attempts`.
///
/// ```
/// use std::time::Duration;
/// let policy = scrm_core::RetryPolicy::default()
///     .max_attempts(5)
///     .deadline(Duration::from_secs(120));
/// assert_eq!(policy.max_attempts, 5);
/// assert_eq!(policy.deadline, Some(Duration::from_secs(120)));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// First backoff delay.
    pub initial_delay: Duration,
    /// Largest backoff delay.
    pub max_delay: Duration,
    /// Overall time budget of one call across its attempts.
    pub deadline: Option<Duration>,
    /// Whether delays are randomised.
    pub jitter: bool,
    /// The shortest wait after a throttled answer that names no `Retry-After`.
    pub throttle_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            deadline: Some(Duration::from_secs(300)),
            jitter: true,
            throttle_delay: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Attempts per call, the first included (at least 1; default 3).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// First backoff delay (default 200 ms); it doubles per retry, with jitter.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Largest backoff delay (default 10 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Overall time budget of one call across its attempts (default 300 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// No overall time budget: only `max_attempts` bounds a call.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// The shortest wait after a throttled answer that names no `Retry-After` (default 1 s:
    /// vendors count requests per second, so retrying within the same second is throttled
    /// again).
    pub fn throttle_delay(mut self, delay: Duration) -> Self {
        self.throttle_delay = delay;
        self
    }

    /// Whether delays are randomised (default yes; tests may turn it off).
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The delays between attempts (exponential, capped, jittered).
    pub fn backoff(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        let mut b = backon::ExponentialBuilder::default()
            .with_min_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .without_max_times();
        if self.jitter {
            b = b.with_jitter();
        }
        b.build()
    }

    /// Whether `error` may be retried for an operation with the given idempotency.
    pub fn should_retry(&self, error: &Error, idempotent: bool) -> bool {
        match error.kind() {
            ErrorKind::Throttled => true,
            ErrorKind::Transient => idempotent,
            ErrorKind::Transport => idempotent || !error.maybe_sent(),
            // Shared state (Redis) unreachable: the request was not sent, a blip may pass.
            ErrorKind::SharedStore => !error.maybe_sent(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{TransportError, TransportErrorKind};

    #[test]
    fn classes_drive_the_decision() {
        let p = RetryPolicy::default();
        let transient = Error::new(ErrorKind::Transient, "502");
        assert!(p.should_retry(&transient, true));
        assert!(!p.should_retry(&transient, false));
        assert!(p.should_retry(&Error::new(ErrorKind::Throttled, ""), false));
        for k in [
            ErrorKind::InvalidRequest,
            ErrorKind::AuthRejected,
            ErrorKind::Service,
            ErrorKind::Decode,
            ErrorKind::InvalidInput,
        ] {
            assert!(!p.should_retry(&Error::new(k, ""), true), "{k:?}");
        }
        let refused = Error::transport(TransportError::new(TransportErrorKind::Connect, "", false));
        assert!(p.should_retry(&refused, false));
        let timeout = Error::transport(TransportError::new(TransportErrorKind::Timeout, "", true));
        assert!(p.should_retry(&timeout, true));
        assert!(
            !p.should_retry(&timeout, false),
            "a write that may have been sent"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(500));
        let d: Vec<_> = p.backoff().take(5).map(|d| d.as_millis()).collect();
        assert_eq!(d, [100, 200, 400, 500, 500]);
    }
}
