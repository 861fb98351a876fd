//! Paging invariants as properties (arbtest): for any record count, page size and sequence
//! of faults a vendor (or the sandbox) produces — throttling codes, gateway HTML, timeouts,
//! transient codes, empty pages before the total, short offset pages — the item stream yields
//! every record exactly once, in order.

use arbitrary::Unstructured;
use arbtest::arbtest;
use scrm_core::{ErrorKind, TransportError, TransportErrorKind, collect_all};
use serde_json::json;

use crate::demo::{Answer, Scripted, client, code, ok};
use crate::paging::{ByOffset, ByPage, ByRows};

/// 0 to 2 failed attempts before an answer (the retry policy allows 3 attempts).
fn faults(u: &mut Unstructured<'_>, out: &mut Vec<Answer>) -> arbitrary::Result<()> {
    for _ in 0..u.int_in_range(0..=2)? {
        out.push(match u.int_in_range(0..=3)? {
            0 => code(429, "busy"),
            1 => Answer::Html(502),
            2 => code(503, "try again"),
            _ => Answer::Fail(TransportError::new(
                TransportErrorKind::Timeout,
                "timed out",
                true,
            )),
        });
    }
    Ok(())
}

/// Up to two empty pages (throttled pages that say total 0) before the real one.
fn empty_pages(u: &mut Unstructured<'_>, out: &mut Vec<Answer>) -> arbitrary::Result<()> {
    for _ in 0..u.int_in_range(0..=1)? {
        faults(u, out)?;
        out.push(ok(json!({"items": [], "total": 0})));
    }
    Ok(())
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn page_number_streams_every_record_once_in_order_through_faults() {
    arbtest(|u| {
        let n: u64 = u.int_in_range(0..=40)?;
        let size: u64 = u.int_in_range(1..=7)?;
        let records: Vec<u64> = (1..=n).collect();
        let mut answers = Vec::new();
        let chunks: Vec<&[u64]> = if records.is_empty() {
            vec![&[]]
        } else {
            records.chunks(size as usize).collect()
        };
        for (i, chunk) in chunks.iter().enumerate() {
            if i > 0 {
                empty_pages(u, &mut answers)?;
            }
            faults(u, &mut answers)?;
            answers.push(ok(json!({"items": chunk, "total": n})));
        }
        let t = Scripted::new(answers);
        let (c, _) = client(t.clone());
        let items = run(collect_all(c.items(ByPage::new("f", size))))
            .unwrap_or_else(|e| panic!("n={n} size={size}: {e}"));
        assert_eq!(items, records, "n={n} size={size}");
        Ok(())
    })
    .budget_ms(300);
}

#[test]
fn offset_streams_every_record_once_in_order_through_short_pages_and_faults() {
    arbtest(|u| {
        let n: u64 = u.int_in_range(0..=40)?;
        let limit: u64 = u.int_in_range(1..=7)?;
        let records: Vec<u64> = (1..=n).collect();
        let mut answers = Vec::new();
        let mut at = 0usize;
        if records.is_empty() {
            answers.push(ok(json!({"items": [], "total": 0})));
        }
        while at < records.len() {
            // The vendor may return fewer than asked; the offset advances by what came.
            let take = u.int_in_range(1..=limit as usize)?.min(records.len() - at);
            if at > 0 {
                empty_pages(u, &mut answers)?;
            }
            faults(u, &mut answers)?;
            answers.push(ok(json!({"items": &records[at..at + take], "total": n})));
            at += take;
        }
        let t = Scripted::new(answers);
        let (c, _) = client(t.clone());
        let items = run(collect_all(c.items(ByOffset::new("x", limit))))
            .unwrap_or_else(|e| panic!("n={n} limit={limit}: {e}"));
        assert_eq!(items, records, "n={n} limit={limit}");
        Ok(())
    })
    .budget_ms(300);
}

#[test]
fn page_rows_without_a_total_streams_every_record_once_in_order_through_faults() {
    arbtest(|u| {
        let n: u64 = u.int_in_range(0..=40)?;
        let rows: u64 = u.int_in_range(1..=7)?;
        let records: Vec<u64> = (1..=n).collect();
        let mut answers = Vec::new();
        for chunk in records.chunks(rows as usize) {
            faults(u, &mut answers)?;
            answers.push(ok(json!({"items": chunk})));
        }
        if n.is_multiple_of(rows) {
            // A full last page: the empty page after it ends the stream.
            faults(u, &mut answers)?;
            answers.push(ok(json!({"items": []})));
        }
        let t = Scripted::new(answers);
        let (c, _) = client(t.clone());
        let items = run(collect_all(c.items(ByRows::new("r", rows))))
            .unwrap_or_else(|e| panic!("n={n} rows={rows}: {e}"));
        assert_eq!(items, records, "n={n} rows={rows}");
        Ok(())
    })
    .budget_ms(300);
}

#[test]
fn a_fault_on_every_attempt_is_an_error_never_a_silent_gap() {
    arbtest(|u| {
        let size: u64 = u.int_in_range(1..=5)?;
        let first: Vec<u64> = (1..=size).collect();
        let mut answers = vec![ok(json!({"items": first, "total": size * 3}))];
        for _ in 0..3 {
            answers.push(Answer::Html(502));
        }
        let t = Scripted::new(answers);
        let (c, _) = client(t.clone());
        let err = run(collect_all(c.items(ByPage::new("f", size)))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Transient, "{err}");
        Ok(())
    })
    .budget_ms(100);
}
