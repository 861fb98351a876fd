//! The operations `scrm export` knows: request fields from `--param`, client from the
//! environment, pages to the sink.

use scrm_core::PageOptions;
use serde_json::{Map, Value};

use crate::args::{Tuning, VendorName};
use crate::env::{UsageError, VendorEnv, configure};
use crate::output::{Failure, Progress, Sink, Summary, drain, write_all};

/// How a documented request field's text is converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A JSON number (an integer).
    Int,
    /// A JSON string.
    Str,
    /// A JSON array of strings, from a comma-separated value.
    List,
}

/// The six seed operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    WshotoCollectDetails,
    WeibanSmartFormUsers,
    WaiqinTasks,
    WaiqinTaskTypes,
    TanmaClues,
    TanmaCustomerFiles,
}

impl Op {
    pub const ALL: [Op; 6] = [
        Op::WshotoCollectDetails,
        Op::WeibanSmartFormUsers,
        Op::WaiqinTasks,
        Op::WaiqinTaskTypes,
        Op::TanmaClues,
        Op::TanmaCustomerFiles,
    ];

    pub fn vendor(self) -> VendorName {
        match self {
            Op::WshotoCollectDetails => VendorName::Wshoto,
            Op::WeibanSmartFormUsers => VendorName::Weiban,
            Op::WaiqinTasks | Op::WaiqinTaskTypes => VendorName::Waiqin,
            Op::TanmaClues | Op::TanmaCustomerFiles => VendorName::Tanma,
        }
    }

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Op::WshotoCollectDetails => "collect-details",
            Op::WeibanSmartFormUsers => "smart-form-users",
            Op::WaiqinTasks => "tasks",
            Op::WaiqinTaskTypes => "task-types",
            Op::TanmaClues => "clues",
            Op::TanmaCustomerFiles => "customer-files",
        }
    }

    pub fn parse(vendor: VendorName, name: &str) -> Result<Op, UsageError> {
        Op::ALL
            .into_iter()
            .find(|op| op.vendor() == vendor && op.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Op::ALL
                    .iter()
                    .filter(|op| op.vendor() == vendor)
                    .map(|op| op.name())
                    .collect();
                UsageError(format!(
                    "{} has no operation {name:?}; known: {}",
                    vendor.as_str(),
                    known.join(", ")
                ))
            })
    }

    /// The documented request fields and how their values convert.
    fn fields(self) -> &'static [(&'static str, Kind)] {
        use Kind::*;
        match self {
            Op::WshotoCollectDetails => &[
                ("form_id", Str),
                ("send_user_id", Str),
                ("detail_status", Int),
                ("start_commit_time", Int),
                ("end_commit_time", Int),
                ("current_index", Int),
                ("page_size", Int),
            ],
            Op::WeibanSmartFormUsers => &[
                ("status", Str),
                ("form_id", Str),
                ("city", Str),
                ("start_time", Int),
                ("end_time", Int),
                ("limit", Int),
                ("offset", Int),
            ],
            Op::WaiqinTasks => &[
                ("create_date_from", Str),
                ("create_date_to", Str),
                ("modify_date_from", Str),
                ("modify_date_to", Str),
                ("page", Str),
                ("rows", Str),
            ],
            Op::WaiqinTaskTypes => &[("type_ids", List)],
            Op::TanmaClues => &[
                ("since", Str),
                ("before", Str),
                ("size", Int),
                ("cursor", Str),
                ("type", Int),
            ],
            Op::TanmaCustomerFiles => &[
                ("userId", Str),
                ("salesId", Int),
                ("customerId", Int),
                ("externalUserId", Str),
                ("pageSize", Int),
                ("lastId", Int),
            ],
        }
    }

    /// The field `--page-size` sets, if the operation pages.
    fn page_size_field(self) -> Option<&'static str> {
        match self {
            Op::WshotoCollectDetails => Some("page_size"),
            Op::WeibanSmartFormUsers => Some("limit"),
            Op::WaiqinTasks => Some("rows"),
            Op::WaiqinTaskTypes => None,
            Op::TanmaClues => Some("size"),
            Op::TanmaCustomerFiles => Some("pageSize"),
        }
    }

    /// The field identifying a record (the demo checks every one arrives exactly once).
    pub fn key_field(self) -> &'static str {
        match self {
            Op::WshotoCollectDetails => "external_userid",
            Op::WeibanSmartFormUsers => "u_id",
            Op::WaiqinTasks => "task_id",
            Op::WaiqinTaskTypes => "type_id",
            Op::TanmaClues => "customerId",
            Op::TanmaCustomerFiles => "id",
        }
    }

    /// The request as the vendor's JSON object, from `KEY=VALUE` params.
    pub fn request(self, params: &[String], page_size: Option<u64>) -> Result<Value, UsageError> {
        let fields = self.fields();
        let mut object = Map::new();
        for param in params {
            let (key, value) = param
                .split_once('=')
                .ok_or_else(|| UsageError(format!("--param {param:?} is not KEY=VALUE")))?;
            let key = key.trim();
            let Some((name, kind)) = fields.iter().find(|(name, _)| *name == key) else {
                let known: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                return Err(UsageError(format!(
                    "{} {} has no request field {key:?}; documented fields: {}",
                    self.vendor().as_str(),
                    self.name(),
                    known.join(", ")
                )));
            };
            let converted = match kind {
                Kind::Str => Value::String(value.to_owned()),
                Kind::Int => value
                    .trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| value.trim().parse::<u64>().map(Value::from))
                    .map_err(|_| {
                        UsageError(format!("--param {name}: {value:?} is not an integer"))
                    })?,
                Kind::List => Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_owned()))
                        .collect(),
                ),
            };
            object.insert((*name).to_owned(), converted);
        }
        if let (Some(size), Some(field)) = (page_size, self.page_size_field()) {
            let kind = fields.iter().find(|(n, _)| *n == field).map(|(_, k)| *k);
            let value = match kind {
                Some(Kind::Str) => Value::String(size.to_string()),
                _ => Value::from(size),
            };
            object.entry(field.to_owned()).or_insert(value);
        }
        Ok(Value::Object(object))
    }
}

fn typed<T: serde::de::DeserializeOwned>(op: Op, request: Value) -> Result<T, UsageError> {
    serde_json::from_value(request).map_err(|e| {
        UsageError(format!(
            "invalid request for {} {}: {e}",
            op.vendor().as_str(),
            op.name()
        ))
    })
}

/// Everything an export needs.
pub struct Job<'a> {
    pub op: Op,
    pub env: &'a VendorEnv,
    pub request: Value,
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

fn built<T>(r: Result<T, scrm_core::Error>) -> Result<T, ExportError> {
    r.map_err(|e| ExportError::Failed(Failure::Vendor(e), Summary::default()))
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
    let base = env.base_url.as_deref();
    let failed = |(f, s)| ExportError::Failed(f, s);
    match op {
        Op::WshotoCollectDetails => {
            use scrm_wshoto::{CollectDetailPage, WshotoClient};
            let builder = WshotoClient::builder()
                .app_id(env.id.clone())
                .app_secret(env.secret.clone());
            let builder = crate::shared::tokens(builder);
            let client = built(configure(builder, base, tuning, pages.clone()).build())?;
            let request: CollectDetailPage = typed(op, request)?;
            let stats = || client.core().stats();
            drain(client.pages(request), sink, progress, stats)
                .await
                .map_err(failed)
        }
        Op::WeibanSmartFormUsers => {
            use scrm_weiban::{SmartFormUserList, WeibanClient};
            let builder = WeibanClient::builder()
                .corp_id(env.id.clone())
                .secret(env.secret.clone());
            let builder = crate::shared::tokens(builder);
            let client = built(configure(builder, base, tuning, pages.clone()).build())?;
            let request: SmartFormUserList = typed(op, request)?;
            let stats = || client.core().stats();
            drain(client.pages(request), sink, progress, stats)
                .await
                .map_err(failed)
        }
        Op::WaiqinTasks | Op::WaiqinTaskTypes => {
            use scrm_waiqin::WaiqinClient;
            let builder = WaiqinClient::builder()
                .openid(env.id.clone())
                .appkey(env.secret.clone());
            let client = built(configure(builder, base, tuning, pages.clone()).build())?;
            let stats = || client.core().stats();
            if op == Op::WaiqinTaskTypes {
                let request = waiqin_task_types(&request)?;
                let started = std::time::Instant::now();
                let types = built(client.call(&request).await)?;
                let records = write_all(&types, sink)
                    .map_err(|f| ExportError::Failed(f, Summary::default()))?;
                let s = stats();
                return Ok(Summary {
                    records,
                    pages: 1,
                    requests: s.requests,
                    retries: s.retries,
                    throttled: s.throttled,
                    elapsed: started.elapsed(),
                });
            }
            let request = waiqin_tasks(&request)?;
            drain(client.pages(request), sink, progress, stats)
                .await
                .map_err(failed)
        }
        Op::TanmaClues | Op::TanmaCustomerFiles => {
            use scrm_tanma::TanmaClient;
            let builder = TanmaClient::builder()
                .app_id(env.id.clone())
                .app_key(env.secret.clone());
            let client = built(configure(builder, base, tuning, pages.clone()).build())?;
            let stats = || client.core().stats();
            if op == Op::TanmaClues {
                let request: scrm_tanma::ClueList = typed(op, with_clue_window(request))?;
                drain(client.pages(request), sink, progress, stats)
                    .await
                    .map_err(failed)
            } else {
                let request: scrm_tanma::CustomerFileList = typed(op, request)?;
                drain(client.pages(request), sink, progress, stats)
                    .await
                    .map_err(failed)
            }
        }
    }
}

fn text<'a>(request: &'a Value, field: &str) -> Option<&'a str> {
    request.get(field).and_then(Value::as_str)
}

fn waiqin_tasks(request: &Value) -> Result<scrm_waiqin::QueryTask, UsageError> {
    use scrm_waiqin::ChinaDate;
    let date = |field: &str| -> Result<Option<ChinaDate>, UsageError> {
        text(request, field)
            .map(|v| ChinaDate::parse(v).map_err(|e| UsageError(format!("--param {field}: {e}"))))
            .transpose()
    };
    let number = |field: &str| -> Result<Option<u64>, UsageError> {
        text(request, field)
            .map(|v| {
                v.trim().parse::<u64>().map_err(|_| {
                    UsageError(format!("--param {field}: {v:?} is not a whole number"))
                })
            })
            .transpose()
    };
    let mut q = scrm_waiqin::QueryTask::new();
    if let Some(d) = date("create_date_from")? {
        q = q.create_date_from(d);
    }
    if let Some(d) = date("create_date_to")? {
        q = q.create_date_to(d);
    }
    if let Some(d) = date("modify_date_from")? {
        q = q.modify_date_from(d);
    }
    if let Some(d) = date("modify_date_to")? {
        q = q.modify_date_to(d);
    }
    if let Some(page) = number("page")? {
        q = q.page(page);
    }
    if let Some(rows) = number("rows")? {
        let rows = u32::try_from(rows)
            .map_err(|_| UsageError(format!("--param rows: {rows} is too large")))?;
        q = q.rows(rows);
    }
    Ok(q)
}

fn waiqin_task_types(request: &Value) -> Result<scrm_waiqin::QueryTaskType, UsageError> {
    let ids: Vec<String> = request
        .get("type_ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let request = scrm_waiqin::QueryTaskType::new();
    Ok(if ids.is_empty() {
        request
    } else {
        request.type_ids(ids)
    })
}

/// tanma's clue list needs a creation-time window: without `since`/`before` the whole history
/// up to now is exported.
fn with_clue_window(mut request: Value) -> Value {
    if let Value::Object(map) = &mut request {
        map.entry("since")
            .or_insert_with(|| Value::from("2000-01-01 00:00:00"));
        if !map.contains_key("before") {
            let tomorrow = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
            let at = scrm_core::de::ChinaDateTime::new(tomorrow.into());
            map.insert("before".into(), Value::from(at.as_str()));
        }
    }
    request
}
