//! `scrm demo`: the sandbox in-process, every registered operation exported through the real
//! client stack with faults on, each checked record by record (whole records, as JSON values)
//! against the sandbox's dataset.
//!
//! Nothing here is per operation: the operations come from the registries ([`OpRef::all`]),
//! each one's request from the sandbox's declaration of it ([`scrm_sandbox::Dataset::demo_request`]),
//! the records to expect from the sandbox's dataset ([`scrm_sandbox::Dataset::expected_for_each`]).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Duration;

use scrm_core::PageOptions;
use scrm_sandbox::{Sandbox, SandboxConfig, Vendor};

use crate::ops::{ExportError, Job};
use crate::output::{Progress, Sink, Summary, canonical};
use crate::{explain, fail, faults};
use scrm_cli::args::{DemoArgs, Tuning};
use scrm_cli::env::VendorEnv;
use scrm_cli::vendors::OpRef;

struct Row {
    op: OpRef,
    summary: Summary,
    expected: usize,
    verdict: String,
}

/// `got` against `expected`, both as canonical JSON records (a multiset: a record the sandbox
/// serves twice must arrive twice). A changed record counts as one missing and one unexpected.
fn check(op: OpRef, expected: &[String], got: &[String]) -> String {
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for r in expected {
        *counts.entry(r.as_str()).or_default() += 1;
    }
    let mut extra = Vec::new();
    for r in got {
        match counts.get_mut(r.as_str()) {
            Some(n) => *n -= 1,
            None => extra.push(r.as_str()),
        }
    }
    let missing: i64 = counts.values().filter(|n| **n > 0).sum();
    let twice: i64 = counts.values().filter(|n| **n < 0).map(|n| -n).sum();
    if missing == 0 && twice == 0 && extra.is_empty() {
        return "exact".to_owned();
    }
    // One example of each kind on stderr, to see what differs.
    let cut = |r: &str| r.chars().take(400).collect::<String>();
    if let Some(r) = extra.first() {
        eprintln!("scrm demo: {op:?}: unexpected record: {}", cut(r));
    }
    // The missing record nearest to the first unexpected one (most fields equal): likely the
    // same record, read differently.
    let parse = |s: &str| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s);
    let same_fields = |a: &str, b: &str| match (parse(a), parse(b)) {
        (Ok(a), Ok(b)) => a.iter().filter(|(k, v)| b.get(*k) == Some(v)).count(),
        _ => 0,
    };
    let missing_one = match extra.first() {
        Some(got) => counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .max_by_key(|(r, _)| same_fields(r, got))
            .map(|(r, _)| *r),
        None => counts.iter().find(|(_, n)| **n > 0).map(|(r, _)| *r),
    };
    if let Some(r) = missing_one {
        eprintln!("scrm demo: {op:?}: missing record: {}", cut(r));
    }
    if let (Some(got), Some(want)) = (extra.first(), missing_one) {
        eprintln!(
            "scrm demo: {op:?}: the nearest two differ in: {}",
            differences(want, got)
        );
    }
    format!(
        "MISMATCH: {missing} missing, {twice} twice, {} unexpected",
        extra.len()
    )
}

/// The top-level fields in which two records (canonical JSON objects) differ, as
/// `field: expected … got …`.
fn differences(want: &str, got: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s);
    let (Ok(want), Ok(got)) = (parse(want), parse(got)) else {
        return "(not objects)".to_owned();
    };
    let mut keys: Vec<&String> = want.keys().chain(got.keys()).collect();
    keys.sort();
    keys.dedup();
    let absent = serde_json::Value::String("(absent)".into());
    keys.into_iter()
        .filter(|k| want.get(*k) != got.get(*k))
        .map(|k| {
            let w = want.get(k).unwrap_or(&absent);
            let g = got.get(k).unwrap_or(&absent);
            format!("{k}: expected {w} got {g}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The demo request of `op` (the sandbox's: the filters the vendor requires), as the client
/// takes it and as the sandbox's dataset selects with it.
fn demo_request(sandbox: &Sandbox, op: OpRef) -> Result<serde_json::Value, String> {
    let info = op.info();
    sandbox
        .dataset()
        .demo_request(info.vendor, info.name)
        .ok_or_else(|| {
            format!(
                "NOT SERVED: the sandbox declares no {} {} (add it to crates/sandbox/src/ops)",
                info.vendor, info.name
            )
        })
}

/// A served record as the typed record reads it, by the registry's record field types: an
/// id of `"-1"` is absent (`Option<Id>` reads `null`, `""` and `"-1"` as `None`; [`canonical`]
/// leaves out the first two).
fn as_read(op: OpRef, mut record: serde_json::Value) -> serde_json::Value {
    if let Some(object) = record.as_object_mut() {
        object.retain(|name, value| {
            let id = op
                .info()
                .record_fields
                .iter()
                .any(|f| f.name == name && f.ty == scrm_core::de::FieldType::Id);
            !(id && value.as_str() == Some("-1"))
        });
    }
    record
}

/// Every record a complete export of `request` returns, as canonical JSON.
fn expected(
    sandbox: &Sandbox,
    op: OpRef,
    request: &serde_json::Value,
) -> Result<Vec<String>, String> {
    let info = op.info();
    let mut records = Vec::new();
    let mut bad = None;
    sandbox
        .dataset()
        .expected_for_each(
            info.vendor,
            info.name,
            request,
            |json| match serde_json::from_str::<serde_json::Value>(json) {
                Ok(v) => records.push(canonical(&as_read(op, v))),
                Err(e) => bad = Some(e.to_string()),
            },
        )
        .ok_or_else(|| format!("FAILED: the sandbox rejects its own demo request {request}"))?;
    match bad {
        Some(e) => Err(format!(
            "FAILED: the sandbox served a record that is not JSON: {e}"
        )),
        None => Ok(records),
    }
}

pub async fn run(args: DemoArgs) -> ExitCode {
    let faults = match faults::parse(&args.faults) {
        Ok(f) => f,
        Err(message) => return fail(2, &message),
    };
    let config = SandboxConfig {
        records: args.records,
        ..SandboxConfig::default()
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => return fail(1, &format!("cannot start the sandbox on 127.0.0.1: {e}")),
    };
    // An empty page means "the end" in waiqin's and tanma's paging, by their documentation:
    // throttled empty pages are a weiban (and wshoto) failure mode, so only they get it.
    for vendor in [
        Vendor::Wshoto,
        Vendor::Weiban,
        Vendor::Waiqin,
        Vendor::Tanma,
    ] {
        let mut f = faults;
        if matches!(vendor, Vendor::Waiqin | Vendor::Tanma) {
            f.empty_page_every = None;
        }
        sandbox.set_vendor_faults(vendor, f);
    }
    if let Some(dir) = &args.out
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return fail(2, &format!("cannot create {}: {e}", dir.display()));
    }
    println!(
        "scrm demo: sandbox on {} with {} records per operation, faults: {}",
        sandbox.base_url(),
        args.records,
        args.faults
    );
    let tuning = Tuning {
        rps: args.tuning.rps.or(Some(50.0)),
        ..args.tuning.clone()
    };
    let mut rows = Vec::new();
    let mut failed = false;
    for op in OpRef::all() {
        let env = VendorEnv::sandbox(&sandbox, op.vendor());
        let prepared = demo_request(&sandbox, op).and_then(|demo| {
            let want = expected(&sandbox, op, &demo)?;
            Ok((demo, want))
        });
        let (demo, want) = match prepared {
            Ok(p) => p,
            Err(verdict) => {
                failed = true;
                rows.push(Row {
                    op,
                    summary: Summary::default(),
                    expected: 0,
                    verdict,
                });
                continue;
            }
        };
        let request = match op.request_json(demo, tuning.page_size) {
            Ok(r) => r,
            Err(e) => return fail(2, &e.0),
        };
        let out: Option<Box<dyn Write + Send>> = match &args.out {
            None => None,
            Some(dir) => {
                let path = dir.join(format!("{}-{}.jsonl", op.vendor().as_str(), op.info().name));
                match File::create(&path) {
                    Ok(f) => Some(Box::new(BufWriter::new(f))),
                    Err(e) => return fail(2, &format!("cannot create {}: {e}", path.display())),
                }
            }
        };
        let mut sink = Sink::collecting(out);
        let mut progress = Progress::new(false);
        let job = Job {
            op,
            env: &env,
            request,
            tuning: &tuning,
            pages: PageOptions::default().empty_page_backoff(Duration::from_millis(100)),
        };
        let (summary, verdict) = match crate::ops::run(job, &mut sink, &mut progress).await {
            Ok(summary) => (summary, check(op, &want, &sink.take_records())),
            Err(ExportError::Usage(e)) => return fail(2, &e.0),
            Err(ExportError::Failed(failure, summary)) => {
                let message = explain(op, &failure, &summary);
                (summary, format!("FAILED: {message}"))
            }
        };
        failed |= verdict != "exact";
        rows.push(Row {
            op,
            summary,
            expected: want.len(),
            verdict,
        });
    }
    print_table(&rows);
    // scrm sync of every operation into a temporary SQLite database, a crash injected once.
    // Operations without a primary key cannot be synced (scrm sync refuses them): not in it.
    let mut jobs = Vec::new();
    for op in OpRef::all() {
        let info = op.info();
        if info.primary_key.is_empty() {
            continue;
        }
        let Ok(demo) = demo_request(&sandbox, op) else {
            continue; // already a failed row of the export table
        };
        // Rows are upserted by primary key: as many as the distinct keys of the records.
        let Some(keys) = sandbox
            .dataset()
            .expected_keys_of(info.vendor, info.name, &demo)
        else {
            continue;
        };
        let request = match op.request_json(demo, tuning.page_size) {
            Ok(r) => r,
            Err(e) => return fail(2, &e.0),
        };
        jobs.push(crate::sync::DemoJob {
            op,
            env: VendorEnv::sandbox(&sandbox, op.vendor()),
            request,
            expected: keys.into_iter().collect::<HashSet<_>>().len(),
        });
    }
    failed |= !crate::sync::demo(jobs, &tuning).await;
    let stats = sandbox.stats();
    let injected: u64 = [&stats.wshoto, &stats.weiban, &stats.waiqin, &stats.tanma]
        .iter()
        .map(|v| {
            let f = &v.faults;
            f.server_errors + f.dropped + f.empty_pages + f.tokens_invalidated
        })
        .sum();
    println!("\nfaults injected by the sandbox: {injected}; every one was absorbed by a retry");
    sandbox.shutdown().await;
    failed |= !pushes(args.out.as_deref()).await;
    if failed {
        return fail(1, "the demo found a mismatch (see the table)");
    }
    ExitCode::SUCCESS
}

/// `scrm listen`'s server in-process, fed by the sandbox's pushers of weiban, tanma and waiqin
/// (valid, redelivered, repeated and forged pushes). `true` when every event was written once
/// and every forgery refused.
async fn pushes(dir: Option<&std::path::Path>) -> bool {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use scrm_core::push::MemorySeenStore;
    use scrm_sandbox::push::{PushKeys, PushPlan, Pusher};

    use crate::listen::{Listener, Out, Receivers};

    let keys = PushKeys::default();
    let build = || -> Result<Receivers, String> {
        let e = |e: scrm_core::Error| e.to_string();
        Ok(Receivers {
            weiban: Some(
                scrm_weiban::push::PushReceiver::builder()
                    .token(keys.weiban_token.as_str())
                    .encoding_aes_key(keys.weiban_aes_key.as_str())
                    .receive_id(keys.weiban_receive_id.as_str())
                    .build()
                    .map_err(e)?,
            ),
            tanma: Some(
                scrm_tanma::push::PushReceiver::builder()
                    .app_id(keys.tanma_app_id.as_str())
                    .app_key(keys.tanma_app_key.as_str())
                    .build()
                    .map_err(e)?,
            ),
            waiqin: Some(
                scrm_waiqin::push::PushReceiver::builder()
                    .push_secret(keys.waiqin_push_secret.as_str())
                    .build()
                    .map_err(e)?,
            ),
        })
    };
    let out = match dir {
        None => Out::Writer(Box::new(std::io::sink())),
        Some(d) => Out::File(d.join("pushes.jsonl")),
    };
    let started = match build() {
        Ok(receivers) => {
            Listener {
                receivers,
                seen: Arc::new(MemorySeenStore::new()),
                sink: None,
                out,
                log_refusals: false,
            }
            .start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
        }
        Err(e) => Err(e),
    };
    let running = match started {
        Ok(r) => r,
        Err(e) => {
            println!("\npushes: FAILED to start the listener: {e}");
            return false;
        }
    };
    let plan = PushPlan {
        lose_ack_every: Some(7),
        ..PushPlan::default()
    };
    let report = match Pusher::new(&format!("http://{}", running.addr), keys.clone()) {
        Ok(p) => p.run(&plan).await,
        Err(e) => {
            println!("\npushes: FAILED to start the pusher: {e}");
            running.shutdown().await;
            return false;
        }
    };
    let c = running.counters.clone();
    running.shutdown().await;
    let sent = report.total();
    let written = c.written.load(Ordering::Relaxed);
    let dropped = c.duplicates.load(Ordering::Relaxed);
    let refused = c.refused.load(Ordering::Relaxed);
    let expected = plan.expected_ids().len() as u64;
    let ok = written == expected
        && sent.unacknowledged == 0
        && sent.forged_accepted == 0
        && refused == sent.forged
        // Redeliveries after a lost answer are repeats of stored events: dropped too.
        && dropped == sent.duplicates + sent.redeliveries;
    println!(
        "\nscrm listen on 127.0.0.1 (in-process), pushed by the sandbox as weiban, tanma and waiqin:"
    );
    println!(
        "\n| vendor | events | received | redeliveries | duplicates dropped | forgeries refused |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (vendor, v) in &report.vendors {
        println!(
            "| {} | {} | {} | {} | {}/{} | {}/{} |",
            vendor.as_str(),
            v.events,
            v.acknowledged,
            v.redeliveries,
            v.duplicates_acknowledged,
            v.duplicates,
            v.forged_refused,
            v.forged
        );
    }
    println!(
        "\nreceived {written} events (each written once), {dropped} duplicates dropped (redeliveries after a lost answer included), {refused} forgeries refused: {}",
        if ok { "exact" } else { "MISMATCH" }
    );
    ok
}

fn print_table(rows: &[Row]) {
    println!("\n| operation | records | expected | pages | requests | retries | elapsed | check |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        println!(
            "| {} {} | {} | {} | {} | {} | {} | {:.2} s | {} |",
            r.op.vendor().as_str(),
            r.op.info().name,
            r.summary.records,
            r.expected,
            r.summary.pages,
            r.summary.requests,
            r.summary.retries,
            r.summary.elapsed.as_secs_f64(),
            r.verdict
        );
    }
}
