//! Records out as JSON lines on stdout; progress on stderr when it is a terminal.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use scrm_core::ClientStats;
use scrm_core::registry::JsonPage;
use serde_json::value::RawValue;

/// Where records go: JSON lines to a writer, and/or collected in a canonical form (the
/// demo's check).
pub struct Sink {
    out: Option<Box<dyn Write + Send>>,
    records: Option<Vec<String>>,
}

impl Sink {
    /// JSON lines on stdout.
    pub fn stdout() -> Self {
        Sink {
            out: Some(Box::new(BufWriter::with_capacity(1 << 16, io::stdout()))),
            records: None,
        }
    }

    /// JSON lines into `out` (or nowhere), collecting every record as [`canonical`] JSON.
    pub fn collecting(out: Option<Box<dyn Write + Send>>) -> Self {
        Sink {
            out,
            records: Some(Vec::new()),
        }
    }

    /// The records collected, as [`canonical`] JSON texts.
    pub fn take_records(&mut self) -> Vec<String> {
        self.records
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    fn write(&mut self, record: &RawValue) -> io::Result<()> {
        if let Some(out) = &mut self.out {
            out.write_all(record.get().as_bytes())?;
            out.write_all(b"\n")?;
        }
        if let Some(records) = &mut self.records {
            let value: serde_json::Value =
                serde_json::from_str(record.get()).map_err(io::Error::other)?;
            records.push(canonical(&value));
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub records: u64,
    pub pages: u64,
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
    pub elapsed: Duration,
}

/// Why an export stopped early.
pub enum Failure {
    Vendor(scrm_core::Error),
    Output(io::Error),
}

/// A progress line on stderr, only when stderr is a terminal.
pub struct Progress {
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        Progress {
            enabled: enabled && io::stderr().is_terminal(),
            started: Instant::now(),
            last: None,
        }
    }

    fn update(&mut self, records: u64, pages: u64, stats: ClientStats, done: bool) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if !done
            && self
                .last
                .is_some_and(|t| now - t < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{records} records · {pages} pages · {:.0} records/s · {} retries",
            records as f64 / secs,
            stats.retries
        );
        if done {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

/// Writes every record of every page, flushing after each page.
pub async fn drain<S>(
    pages: S,
    sink: &mut Sink,
    progress: &mut Progress,
    stats: impl Fn() -> ClientStats,
) -> Result<Summary, (Failure, Summary)>
where
    S: Stream<Item = Result<JsonPage, scrm_core::Error>>,
{
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut pages = std::pin::pin!(pages);
    let finish = |mut s: Summary, stats: ClientStats| {
        s.requests = stats.requests;
        s.retries = stats.retries;
        s.throttled = stats.throttled;
        s.elapsed = started.elapsed();
        s
    };
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                progress.update(summary.records, summary.pages, stats(), true);
                let _ = sink.flush();
                return Err((Failure::Vendor(e), finish(summary, stats())));
            }
        };
        for record in &page.records {
            if let Err(e) = sink.write(record) {
                return Err((Failure::Output(e), finish(summary, stats())));
            }
        }
        if let Err(e) = sink.flush() {
            return Err((Failure::Output(e), finish(summary, stats())));
        }
        summary.records += page.records.len() as u64;
        summary.pages += 1;
        progress.update(summary.records, summary.pages, stats(), false);
    }
    progress.update(summary.records, summary.pages, stats(), true);
    Ok(finish(summary, stats()))
}

/// `value` as JSON text with every object's keys sorted and its absent values (`null`, `""`)
/// left out: the typed records read both as absent (the vendors' lenient fields) and print
/// nothing for them. Two records are equal as JSON values, absent values aside, exactly when
/// their canonical texts are equal (whatever the field order).
pub fn canonical(value: &serde_json::Value) -> String {
    fn write(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map
                    .iter()
                    .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    write(v, out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}
