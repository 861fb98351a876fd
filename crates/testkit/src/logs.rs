//! Capturing `tracing` output as text.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::subscriber::DefaultGuard;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// A shared, append-only byte buffer the fmt layer writes into.
#[derive(Clone, Debug, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl io::Write for SharedBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for SharedBuf {
    type Writer = SharedBuf;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures everything `tracing` records on the current thread, at TRACE level, while alive.
///
/// Installs a `tracing-subscriber` fmt subscriber (no ANSI colours, span creation and close
/// reported with their fields) as the thread's default; dropping the capture restores the
/// previous default. Events from other threads are not captured: drive async code with a
/// current-thread runtime inside the capture.
///
/// ```
/// let capture = scrm_testkit::LogCapture::start();
/// tracing::info!(user = "u1", "hello");
/// assert!(capture.text().contains("hello"));
/// ```
#[must_use = "logs are captured only while the LogCapture is alive"]
#[derive(Debug)]
pub struct LogCapture {
    buf: SharedBuf,
    _guard: DefaultGuard,
    // Keeps a second dispatcher registered while capturing: tracing caches per callsite whether
    // anyone is interested, decided by whichever thread hits it first; with more than one
    // dispatcher alive every event asks the current thread's one, so parallel tests cannot
    // disable this thread's capture.
    _second: tracing::Dispatch,
}

impl LogCapture {
    /// Starts capturing on the current thread.
    pub fn start() -> Self {
        let buf = SharedBuf::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(buf.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .finish();
        let second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        Self {
            buf,
            _guard: guard,
            _second: second,
        }
    }

    /// Everything captured so far (lossily decoded as UTF-8).
    pub fn text(&self) -> String {
        let bytes = self.buf.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Runs `f` while capturing its `tracing` output (see [`LogCapture`]); returns `f`'s result and
/// the captured text.
///
/// ```
/// let ((), logs) = scrm_testkit::capture_logs(|| tracing::warn!("retrying"));
/// assert!(logs.contains("retrying"));
/// scrm_testkit::assert_no_canary(&logs);
/// ```
pub fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    let capture = LogCapture::start();
    let result = f();
    let text = capture.text();
    (result, text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn captures_trace_events_and_span_fields() {
        let (value, text) = capture_logs(|| {
            let span = tracing::trace_span!("call", vendor = "wshoto");
            let _entered = span.enter();
            tracing::trace!(attempt = 2, "sending 请求");
            7
        });
        assert_eq!(value, 7);
        assert!(text.contains("sending 请求"), "{text}");
        assert!(text.contains("attempt=2"), "{text}");
        assert!(text.contains("vendor=\"wshoto\""), "{text}");
    }

    #[test]
    fn capture_ends_with_guard() {
        let capture = LogCapture::start();
        drop(capture);
        let (_, text) = capture_logs(|| ());
        assert!(text.is_empty());
    }
}
