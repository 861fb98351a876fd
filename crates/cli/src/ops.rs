//! `scrm export` of a typed operation: the request from `--param` through the registry, the
//! client from the environment, pages to the sink.

use scrm_core::PageOptions;

use crate::output::{Failure, Progress, Sink, Summary, drain};
use scrm_cli::args::Tuning;
use scrm_cli::env::{UsageError, VendorEnv};
use scrm_cli::vendors::{Connected, OpRef};

/// Everything an export needs.
pub struct Job<'a> {
    pub op: OpRef,
    pub env: &'a VendorEnv,
    pub request: serde_json::Value,
    pub tuning: &'a Tuning,
    pub pages: PageOptions,
}

/// Why an export could not run or did not finish.
pub enum ExportError {
    Usage(UsageError),
    Failed(Failure, Summary),
}

impl From<UsageError> for ExportError {
    fn from(e: UsageError) -> Self {
        ExportError::Usage(e)
    }
}

fn failed(e: scrm_core::Error) -> ExportError {
    ExportError::Failed(Failure::Vendor(e), Summary::default())
}

/// Runs one export into `sink`.
pub async fn run(
    job: Job<'_>,
    sink: &mut Sink,
    progress: &mut Progress,
) -> Result<Summary, ExportError> {
    let Job {
        op,
        env,
        request,
        tuning,
        pages,
    } = job;
    let client = Connected::connect(op.vendor(), env, tuning, pages).map_err(failed)?;
    // The client's page options carry the tuning (`--concurrency` prefetch).
    let stream = client
        .pages(op, request, client.page_options())
        .map_err(failed)?;
    drain(stream, sink, progress, || client.stats())
        .await
        .map_err(|(f, s)| ExportError::Failed(f, s))
}
