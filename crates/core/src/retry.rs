//! When and how long to wait before trying a call again.

use std::time::Duration;

use backon::BackoffBuilder;
use tokio::time::Instant;

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

/// What a call does after a failed attempt ([`RetryState::after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// The vendor rejected the token: drop it and try again at once (once per call; the
    /// attempt is not counted against `max_attempts`).
    Refresh,
    /// The vendor rejected the request's clock: sign again and try again at once (once per
    /// call; not counted either).
    Resign,
    /// Try again after this delay.
    Retry(Duration),
    /// Give up: the attempts are spent, or the error is not retried.
    Fail,
    /// Give up: the next delay would pass the call's deadline.
    Deadline,
}

/// The retry decisions of one call: its attempts (counted and not), the one token refresh and
/// the one re-sign it may spend, its backoff, and its deadline.
pub(crate) struct RetryState<'a> {
    policy: &'a RetryPolicy,
    idempotent: bool,
    started: Instant,
    backoff: Box<dyn Iterator<Item = Duration> + Send>,
    attempt: u32,
    counted: u32,
    refreshed_token: bool,
    resigned_for_skew: bool,
}

impl<'a> RetryState<'a> {
    /// A call starting now under `policy`.
    pub(crate) fn new(policy: &'a RetryPolicy, idempotent: bool) -> Self {
        RetryState {
            policy,
            idempotent,
            started: Instant::now(),
            backoff: Box::new(policy.backoff()),
            attempt: 0,
            counted: 0,
            refreshed_token: false,
            resigned_for_skew: false,
        }
    }

    /// Starts the next attempt and returns its number (1 for the first).
    pub(crate) fn begin(&mut self) -> u32 {
        self.attempt += 1;
        self.counted += 1;
        self.attempt
    }

    /// What to do after the current attempt failed with `error`.
    pub(crate) fn after(&mut self, error: &Error) -> Next {
        match error.kind() {
            ErrorKind::AuthExpired if !self.refreshed_token => {
                self.refreshed_token = true;
                self.counted -= 1;
                return Next::Refresh;
            }
            ErrorKind::ClockSkew if !self.resigned_for_skew => {
                self.resigned_for_skew = true;
                self.counted -= 1;
                return Next::Resign;
            }
            _ => {}
        }
        let policy = self.policy;
        if self.counted >= policy.max_attempts || !policy.should_retry(error, self.idempotent) {
            return Next::Fail;
        }
        let mut delay = self.backoff.next().unwrap_or(Duration::from_secs(1));
        match error.retry_after() {
            Some(asked) => delay = delay.max(asked),
            None if error.is_throttled() => delay = delay.max(policy.throttle_delay),
            None => {}
        }
        if let Some(deadline) = policy.deadline
            && self.started.elapsed() + delay > deadline
        {
            return Next::Deadline;
        }
        Next::Retry(delay)
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

    #[test]
    fn one_token_refresh_and_one_resign_are_not_counted() {
        let p = RetryPolicy::never();
        let mut r = RetryState::new(&p, true);
        let expired = Error::new(ErrorKind::AuthExpired, "token");
        let skew = Error::new(ErrorKind::ClockSkew, "clock");
        assert_eq!(r.begin(), 1);
        assert_eq!(r.after(&expired), Next::Refresh);
        assert_eq!(r.begin(), 2);
        assert_eq!(r.after(&skew), Next::Resign);
        assert_eq!(r.begin(), 3);
        assert_eq!(
            r.after(&expired),
            Next::Fail,
            "a second refresh is not spent"
        );
        let mut r = RetryState::new(&p, true);
        r.begin();
        assert_eq!(r.after(&skew), Next::Resign);
        r.begin();
        assert_eq!(r.after(&skew), Next::Fail, "a second re-sign is not spent");
    }

    #[test]
    fn delays_follow_backoff_retry_after_and_throttle_delay() {
        let p = RetryPolicy::default()
            .jitter(false)
            .max_attempts(4)
            .initial_delay(Duration::from_millis(100))
            .throttle_delay(Duration::from_secs(1))
            .no_deadline();
        let mut r = RetryState::new(&p, true);
        r.begin();
        let transient = Error::new(ErrorKind::Transient, "502");
        assert_eq!(r.after(&transient), Next::Retry(Duration::from_millis(100)));
        r.begin();
        let throttled = Error::new(ErrorKind::Throttled, "429");
        assert_eq!(r.after(&throttled), Next::Retry(Duration::from_secs(1)));
        r.begin();
        let asked =
            Error::new(ErrorKind::Throttled, "429").with_retry_after(Some(Duration::from_secs(7)));
        assert_eq!(r.after(&asked), Next::Retry(Duration::from_secs(7)));
        r.begin();
        assert_eq!(r.after(&transient), Next::Fail, "four attempts spent");
    }

    #[test]
    fn a_delay_past_the_deadline_ends_the_call() {
        let p = RetryPolicy::default().deadline(Duration::from_secs(5));
        let mut r = RetryState::new(&p, true);
        r.begin();
        let asked =
            Error::new(ErrorKind::Throttled, "429").with_retry_after(Some(Duration::from_secs(60)));
        assert_eq!(r.after(&asked), Next::Deadline);
        let mut r = RetryState::new(&p, false);
        r.begin();
        let transient = Error::new(ErrorKind::Transient, "502");
        assert_eq!(
            r.after(&transient),
            Next::Fail,
            "a write that may have been sent"
        );
    }
}
