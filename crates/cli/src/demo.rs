//! `scrm demo`: the sandbox in-process, every seed operation exported through the real client
//! stack with faults on, each checked record by record against the sandbox's dataset.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Duration;

use scrm_core::{PageOptions, Secret};
use scrm_sandbox::{
    Query, Sandbox, SandboxConfig, TanmaClueFilter, TanmaFileFilter, Vendor, WaiqinTaskFilter,
    WeibanFilter, WshotoFilter,
};

use crate::ops::{ExportError, Job};
use crate::output::{Progress, Sink, Summary};
use crate::{explain, fail, faults};
use scrm_cli::args::{DemoArgs, Tuning, VendorName};
use scrm_cli::env::VendorEnv;
use scrm_cli::vendors::OpRef;

fn env_for(sandbox: &Sandbox, vendor: VendorName) -> VendorEnv {
    let c = sandbox.credentials();
    let (id, secret) = match vendor {
        VendorName::Wshoto => (&c.wshoto_app_id, &c.wshoto_app_secret),
        VendorName::Weiban => (&c.weiban_corp_id, &c.weiban_secret),
        VendorName::Waiqin => (&c.waiqin_openid, &c.waiqin_appkey),
        VendorName::Tanma => (&c.tanma_app_id, &c.tanma_app_key),
    };
    VendorEnv {
        id: id.clone(),
        secret: Secret::new(secret.clone()),
        base_url: Some(sandbox.base_url()),
    }
}

// Transitional: the sandbox's typed queries of the six seed operations, until the sandbox
// answers "what does a complete export of this request return" for any registered operation.
fn query(op: OpRef) -> Option<(Query, &'static str)> {
    let info = op.info();
    Some(match (info.vendor, info.name) {
        ("wshoto", "collect-details") => (
            Query::WshotoCollectDetail(WshotoFilter::default()),
            "external_userid",
        ),
        ("weiban", "smart-form-users") => (
            Query::WeibanSmartFormUsers(WeibanFilter {
                status: Some("submit".into()),
                ..WeibanFilter::default()
            }),
            "u_id",
        ),
        ("waiqin", "tasks") => (Query::WaiqinTasks(WaiqinTaskFilter::default()), "task_id"),
        ("waiqin", "task-types") => (Query::WaiqinTaskTypes(Vec::new()), "type_id"),
        ("tanma", "clues") => (Query::TanmaClues(TanmaClueFilter::default()), "customerId"),
        ("tanma", "customer-files") => {
            (Query::TanmaCustomerFiles(TanmaFileFilter::default()), "id")
        }
        _ => return None,
    })
}

/// The request of each operation in the demo: no filter but the ones a vendor requires.
fn params(op: OpRef) -> Vec<String> {
    match (op.info().vendor, op.info().name) {
        ("weiban", "smart-form-users") => vec!["status=submit".into()],
        _ => Vec::new(),
    }
}

struct Row {
    op: OpRef,
    summary: Summary,
    expected: usize,
    verdict: String,
}

fn check(expected: &[String], got: &[String]) -> String {
    let mut seen = HashSet::new();
    let duplicates = got.iter().filter(|k| !seen.insert(k.as_str())).count();
    let want: HashSet<&str> = expected.iter().map(String::as_str).collect();
    let missing = want.iter().filter(|k| !seen.contains(**k)).count();
    let extra = seen.iter().filter(|k| !want.contains(**k)).count();
    match (missing, duplicates, extra) {
        (0, 0, 0) => "exact".to_owned(),
        _ => format!("MISMATCH: {missing} missing, {duplicates} twice, {extra} unexpected"),
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
        let Some((query, key)) = query(op) else {
            continue;
        };
        let env = env_for(&sandbox, op.vendor());
        let request = match op.request(&params(op), tuning.page_size) {
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
        let mut sink = Sink::keys(out, key);
        let mut progress = Progress::new(false);
        let job = Job {
            op,
            env: &env,
            request,
            tuning: &tuning,
            pages: PageOptions::default().empty_page_backoff(Duration::from_millis(100)),
        };
        let expected = sandbox.dataset().expected_keys(&query);
        let (summary, verdict) = match crate::ops::run(job, &mut sink, &mut progress).await {
            Ok(summary) => (summary, check(&expected, &sink.take_keys())),
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
            expected: expected.len(),
            verdict,
        });
    }
    print_table(&rows);
    // scrm sync of every operation into a temporary SQLite database, a crash injected once.
    let mut jobs = Vec::new();
    for op in OpRef::all() {
        let Some((query, _)) = query(op) else {
            continue;
        };
        let request = match op.request(&params(op), tuning.page_size) {
            Ok(r) => r,
            Err(e) => return fail(2, &e.0),
        };
        jobs.push(crate::sync::DemoJob {
            op,
            env: env_for(&sandbox, op.vendor()),
            request,
            expected: sandbox.dataset().expected_count(&query),
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
