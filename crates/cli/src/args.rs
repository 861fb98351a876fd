//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Export WeCom/SCRM/CRM data from wshoto, weiban, waiqin and tanma as JSON lines.
///
/// Credentials and base URLs come from the environment:
///   SCRM_WSHOTO_APP_ID, SCRM_WSHOTO_APP_SECRET, SCRM_WEIBAN_CORP_ID, SCRM_WEIBAN_SECRET,
///   SCRM_WAIQIN_OPENID, SCRM_WAIQIN_APPKEY, SCRM_TANMA_APP_ID, SCRM_TANMA_APP_KEY,
///   and SCRM_<VENDOR>_BASE_URL (everything before the documented path, e.g.
///   http://127.0.0.1:8080; plain http:// only for loopback hosts).
/// RUST_LOG sets the log filter on stderr (e.g. RUST_LOG=debug or RUST_LOG=scrm_core=trace).
#[derive(Parser, Debug)]
#[command(name = "scrm", version, verbatim_doc_comment)]
// The text above is `scrm --help`, not HTML: `<VENDOR>` is a placeholder.
#[allow(rustdoc::invalid_html_tags)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Export every record of an operation to stdout, one JSON object per line.
    Export(ExportArgs),
    /// Serve the stateful doubles of the four vendors on 127.0.0.1 until Ctrl-C.
    Sandbox(SandboxArgs),
    /// Start the doubles in-process and export every operation through the real clients.
    Demo(DemoArgs),
    /// Sync every record of an operation into SQLite or PostgreSQL: crash-safe, incremental
    /// on reruns where the vendor documents a change filter.
    #[command(
        after_help = "Run `scrm sync --help` for the tables and what each operation does.",
        after_long_help = crate::sync_help::operations()
    )]
    Sync(SyncArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct SyncArgs {
    /// The vendor.
    pub vendor: VendorName,
    /// The operation (the same names as `scrm export`; see the list below).
    pub operation: String,
    /// A request field, by the vendor's documented name (repeatable), as for `scrm export`.
    /// The filters identify the stream: each set of filters has its own bookmark.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// The database: sqlite:PATH, or postgres://user:password@host:port/dbname (the password
    /// optional). Default: $SCRM_DB when set, else sqlite:scrm.db in the working directory.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Re-read everything (ignoring the bookmark) and rewrite every row.
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    pub tuning: Tuning,
}

/// The vendors.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VendorName {
    /// wshoto 微盛·企微管家
    Wshoto,
    /// weiban 微伴助手
    Weiban,
    /// waiqin 外勤365 / 勤策
    Waiqin,
    /// tanma 探马SCRM
    Tanma,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// The vendor.
    pub vendor: VendorName,
    /// The operation: wshoto collect-details; weiban smart-form-users; waiqin tasks,
    /// task-types; tanma clues, customer-files.
    pub operation: String,
    /// A request field, by the vendor's documented name (repeatable), e.g.
    /// --param form_id=1634567890987645 --param detail_status=2. Lists are comma-separated.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub tuning: Tuning,
}

/// Knobs shared by export and demo.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Tuning {
    /// Records per page (each operation's documented maximum applies).
    #[arg(long, value_name = "N")]
    pub page_size: Option<u64>,
    /// Attempts per request, the first included (default 3).
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,
    /// Requests per second for this credential (default: the vendor's conservative default).
    #[arg(long, value_name = "N")]
    pub rps: Option<f64>,
    /// Requests in flight at once; page-number and offset exports also prefetch this many pages.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Records per operation.
    #[arg(long, default_value_t = 1000)]
    pub records: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Faults, comma-separated: 5xx=N (every Nth data request answers 502 HTML), drop=N (every
    /// Nth connection dropped), latency=MS, empty=N (every Nth page empty), invalidate=N (token
    /// revoked after N uses), rate=N (requests/s per vendor, then HTTP 429).
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Records per operation.
    #[arg(long, default_value_t = 2000)]
    pub records: usize,
    /// Faults to inject (same syntax as `scrm sandbox --faults`); `none` for a clean run.
    #[arg(
        long,
        value_name = "SPEC",
        default_value = "5xx=9,drop=13,empty=7,invalidate=25"
    )]
    pub faults: String,
    /// Write the records of every operation as JSON lines into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub tuning: Tuning,
}
