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
/// Several processes, one credential: SCRM_REDIS_URL=redis://host:port[/db] shares the access
///   token and the --rps budget of `scrm export` and `scrm sync` with every process using the
///   same Redis (concurrency stays per process), and `scrm listen` deduplicates pushes there.
///   If Redis is unreachable the export fails, naming Redis;
///   SCRM_REDIS_FALLBACK=local goes on with per-process tokens and rate limit instead (with a
///   warning). SCRM_REDIS_PREFIX sets the first segment of the keys (default scrm).
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
    ///
    /// A typed operation (`scrm ops` lists them), or any endpoint with --path:
    ///   scrm export weiban smart-form-users --param status=submit
    ///   scrm export wshoto --path /openapi/customer/list/selfCustomersByTenant --paging page-number --items records --position-field current_index
    ///   scrm export weiban --path /open-api/external_user/list --paging offset --items external_user_list
    ///   scrm export waiqin --path /api/cusTask/v1/queryTask --paging page-rows --items ''
    ///   scrm export tanma --path /api/v3/clue/list-by-create-time-asc --paging cursor --items list --next-field nextCursor --param since='2024-01-01 00:00:00' --param before='2024-02-01 00:00:00'
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
    /// Serve the stateful doubles of the four vendors on 127.0.0.1 until Ctrl-C.
    Sandbox(SandboxArgs),
    /// Start the doubles in-process and export every operation through the real clients.
    Demo(DemoArgs),
    /// List the typed operations, or describe one: its request fields, types and primary key.
    Ops(OpsArgs),
    /// Call any endpoint through the client (auth, signing, retries, rate limits) and print the
    /// payload as JSON.
    ///
    /// Examples:
    ///   scrm call wshoto POST /openapi/customer/list/selfCustomersByTenant --body '{"current_index":1,"page_size":10}'
    ///   scrm call weiban GET /open-api/staff/list --param limit=10 --param offset=0
    ///   scrm call waiqin POST /api/employee/v2/queryEmployee --body '{"emp_status":"1"}'
    ///   scrm call tanma POST /api/v3/tags/list-tree
    #[command(verbatim_doc_comment)]
    Call(CallArgs),
    /// Receive weiban, tanma and waiqin pushes into JSON lines (verified, deduplicated).
    ///
    /// Each new event is written as a JSON line and flushed, then acknowledged. Secrets from
    /// SCRM_WEIBAN_CALLBACK_TOKEN,
    /// SCRM_WEIBAN_CALLBACK_AES_KEY, SCRM_WEIBAN_CALLBACK_RECEIVE_ID; SCRM_TANMA_APP_ID,
    /// SCRM_TANMA_APP_KEY (SCRM_TANMA_CORP_ID optional); SCRM_WAIQIN_PUSH_SECRET.
    Listen(ListenArgs),
    /// Sync every record of an operation into SQLite or PostgreSQL: crash-safe, incremental
    /// on reruns where the vendor documents a change filter.
    #[command(
        after_help = "Run `scrm sync --help` for the tables and what each operation does.",
        after_long_help = crate::sync_help::operations()
    )]
    Sync(SyncArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct ListenArgs {
    /// Address and port to serve on (another interface only when given here).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8787")]
    pub bind: String,
    /// Where the JSON lines go: a file (appended to) or `-` for stdout.
    #[arg(long, value_name = "PATH|-", default_value = "-")]
    pub out: String,
    /// Also commit events to this database and deduplicate there (across restarts).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct OpsArgs {
    /// Only this vendor's operations.
    pub vendor: Option<VendorName>,
    /// Describe this operation.
    pub operation: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CallArgs {
    /// The vendor.
    pub vendor: VendorName,
    /// GET or POST (or another HTTP method).
    pub method: String,
    /// The path after the base URL, e.g. /open-api/staff/list (for waiqin the part before the
    /// signed /{openid}/{timestamp}/{digest}/{msg_id} segments).
    pub path: String,
    /// A query parameter (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// The JSON body (an object).
    #[arg(long, value_name = "JSON")]
    pub body: Option<String>,
    #[command(flatten)]
    pub tuning: Tuning,
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
    /// The operation (`scrm ops` lists them). Leave it out to export any endpoint with --path.
    #[arg(required_unless_present = "path")]
    pub operation: Option<String>,
    /// A request field, by the vendor's documented name (repeatable), e.g.
    /// --param form_id=1634567890987645 --param detail_status=2. Lists are comma-separated.
    /// With --path: a field of the query (GET) or body (other methods); integers are sent as
    /// numbers.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub raw: RawExportArgs,
    #[command(flatten)]
    pub tuning: Tuning,
}

/// Exporting an endpoint that has no typed operation.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RawExportArgs {
    /// The endpoint's path, e.g. /open-api/external_user/list (instead of an operation).
    #[arg(long, value_name = "PATH", conflicts_with = "operation")]
    pub path: Option<String>,
    /// How it pages: page-number, offset, page-rows, cursor, keyset or none.
    #[arg(long, value_name = "STYLE", requires = "path")]
    pub paging: Option<String>,
    /// Where the records are in the payload (dotted for nested fields, e.g. data.list; empty
    /// when the payload is the list).
    #[arg(long, value_name = "FIELD", requires = "path")]
    pub items: Option<String>,
    /// HTTP method (default: GET for weiban, POST for the others).
    #[arg(long, value_name = "METHOD", requires = "path")]
    pub method: Option<String>,
    /// The request field of the position (default by style: page, offset, page, cursor, last_id).
    #[arg(long, value_name = "FIELD", requires = "path")]
    pub position_field: Option<String>,
    /// The request field of the page size (default by style: page_size, limit, rows, size,
    /// page_size).
    #[arg(long, value_name = "FIELD", requires = "path")]
    pub size_field: Option<String>,
    /// Where the total is in the payload (page-number and offset; default total).
    #[arg(long, value_name = "FIELD", requires = "path")]
    pub total_field: Option<String>,
    /// Where the next cursor is in the payload (cursor; default next_cursor).
    #[arg(long, value_name = "FIELD", requires = "path")]
    pub next_field: Option<String>,
    /// The record field giving the next last id (keyset; default id).
    #[arg(long, value_name = "FIELD", requires = "path")]
    pub key_field: Option<String>,
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
    /// Requests per second for this credential (default: the vendor's conservative default;
    /// 0 for no client-side limit).
    #[arg(long, value_name = "N", value_parser = parse_rps)]
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

/// `--rps`: a number of requests per second, 0 or more.
fn parse_rps(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rps) if rps.is_finite() && rps >= 0.0 => Ok(rps),
        _ => Err(format!(
            "{text:?} is not a number of requests per second (0 or more, e.g. 5 or 0.5)"
        )),
    }
}
