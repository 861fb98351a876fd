//! `scrm`: export WeCom/SCRM/CRM data from wshoto, weiban, waiqin and tanma as JSON lines, serve
//! the vendor sandbox, or run a demo of both. `scrm --help` for usage.

mod commands;
mod demo;
mod faults;
mod listen;
mod ops;
mod output;
mod sync;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use scrm_core::ErrorKind;

use crate::ops::{ExportError, Job};
use crate::output::{Failure, Progress, Sink, Summary};
use scrm_cli::args::{Cli, Command, ExportArgs, SandboxArgs};
use scrm_cli::env::{UsageError, VendorEnv};
use scrm_cli::shared;
use scrm_cli::vendors::OpRef;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(1, &format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        match cli.command {
            Command::Export(args) => export(args).await,
            Command::Sandbox(args) => sandbox(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Listen(args) => listen::run(args).await,
            Command::Ops(args) => commands::ops(args),
            Command::Call(args) => commands::call(args).await,
            Command::Sync(args) => sync::run(args).await,
        }
    })
}

/// Logs on stderr, filtered by `RUST_LOG` (`warn` when unset).
fn init_tracing() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => match spec.parse::<Targets>() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("scrm: ignoring RUST_LOG={spec:?}: {e}");
                Targets::new().with_default(LevelFilter::WARN)
            }
        },
        _ => Targets::new().with_default(LevelFilter::WARN),
    };
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_target(true),
        )
        .with(filter)
        .try_init();
}

pub(crate) fn fail(code: u8, message: &str) -> ExitCode {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "scrm: {message}");
    ExitCode::from(code)
}

/// The one-line message of a failed export: what failed and what to do.
pub(crate) fn explain(op: OpRef, failure: &Failure, summary: &Summary) -> String {
    let vendor = op.vendor();
    let done = if summary.records > 0 {
        format!(
            " after {} records ({} pages) were written",
            summary.records, summary.pages
        )
    } else {
        String::new()
    };
    match failure {
        Failure::Output(e) => format!("cannot write the records{done}: {e}"),
        Failure::Vendor(e) => {
            let [id, secret] = vendor.credential_vars();
            let advice = match e.kind() {
                ErrorKind::AuthRejected | ErrorKind::AuthExpired => {
                    format!(" (credentials come from {id} and {secret})")
                }
                ErrorKind::Transport | ErrorKind::Config => {
                    format!(" (the base URL comes from {})", vendor.base_url_var())
                }
                ErrorKind::Throttled => " (try a lower --rps or --concurrency)".to_owned(),
                ErrorKind::SharedStore => format!(" ({})", shared::advice()),
                ErrorKind::Pagination => {
                    " (run the export again; lower --rps if the vendor throttles)".to_owned()
                }
                _ => String::new(),
            };
            format!(
                "{} {} failed{done}: {e}{advice}",
                vendor.as_str(),
                op.info().name
            )
        }
    }
}

async fn export(args: ExportArgs) -> ExitCode {
    let Some(operation) = args.operation.clone() else {
        return commands::export_raw(args).await;
    };
    let prepared = (|| -> Result<(OpRef, VendorEnv, serde_json::Value), UsageError> {
        let op = OpRef::find(args.vendor, &operation)?;
        let request = op.request(&args.params, args.tuning.page_size)?;
        let env = VendorEnv::from_env(args.vendor)?;
        Ok((op, env, request))
    })();
    let (op, env, request) = match prepared {
        Ok(p) => p,
        Err(UsageError(message)) => return fail(2, &message),
    };
    match shared::init(args.vendor, &env).await {
        Ok(()) => {}
        Err(shared::SharedError::Usage(UsageError(message))) => return fail(2, &message),
        Err(shared::SharedError::Unavailable(message)) => return fail(1, &message),
    }
    let mut sink = Sink::stdout();
    let mut progress = Progress::new(true);
    let job = Job {
        op,
        env: &env,
        request,
        tuning: &args.tuning,
        pages: scrm_core::PageOptions::default(),
    };
    match ops::run(job, &mut sink, &mut progress).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(ExportError::Usage(UsageError(message))) => fail(2, &message),
        Err(ExportError::Failed(failure, summary)) => {
            let code = match &failure {
                Failure::Vendor(e) => scrm_cli::env::exit_code(e),
                Failure::Output(_) => 1,
            };
            fail(code, &explain(op, &failure, &summary))
        }
    }
}

async fn sandbox(args: SandboxArgs) -> ExitCode {
    let faults = match faults::parse(args.faults.as_deref().unwrap_or("none")) {
        Ok(f) => f,
        Err(message) => return fail(2, &message),
    };
    let config = scrm_sandbox::SandboxConfig {
        port: args.port,
        seed: args.seed,
        records: args.records,
        faults,
        ..scrm_sandbox::SandboxConfig::default()
    };
    let sandbox = match scrm_sandbox::Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => return fail(1, &format!("cannot listen on 127.0.0.1:{}: {e}", args.port)),
    };
    let base = sandbox.base_url();
    let c = sandbox.credentials().clone();
    println!(
        "# scrm sandbox on {base} ({} records per operation); Ctrl-C stops it.",
        args.records
    );
    println!("# These are the sandbox's public test credentials, not secrets.");
    for (name, value) in [
        ("SCRM_WSHOTO_BASE_URL", base.as_str()),
        ("SCRM_WSHOTO_APP_ID", c.wshoto_app_id.as_str()),
        ("SCRM_WSHOTO_APP_SECRET", c.wshoto_app_secret.as_str()),
        ("SCRM_WEIBAN_BASE_URL", base.as_str()),
        ("SCRM_WEIBAN_CORP_ID", c.weiban_corp_id.as_str()),
        ("SCRM_WEIBAN_SECRET", c.weiban_secret.as_str()),
        ("SCRM_WAIQIN_BASE_URL", base.as_str()),
        ("SCRM_WAIQIN_OPENID", c.waiqin_openid.as_str()),
        ("SCRM_WAIQIN_APPKEY", c.waiqin_appkey.as_str()),
        ("SCRM_TANMA_BASE_URL", base.as_str()),
        ("SCRM_TANMA_APP_ID", c.tanma_app_id.as_str()),
        ("SCRM_TANMA_APP_KEY", c.tanma_app_key.as_str()),
    ] {
        println!("export {name}={value}");
    }
    let _ = std::io::stdout().flush();
    sandbox
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    ExitCode::SUCCESS
}
