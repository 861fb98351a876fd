//! `scrm ops`, `scrm call` and `scrm export --path`: the registry listed, and any endpoint
//! reached through the clients.

use std::io::Write;
use std::process::ExitCode;

use scrm_cli::args::{CallArgs, ExportArgs, OpsArgs, VendorName};
use scrm_cli::env::{UsageError, VendorEnv};
use scrm_cli::vendors::{Connected, OpRef, RawSpec};
use scrm_core::raw::RawPaging;
use scrm_core::registry::{ChangeKind, OpInfo};
use scrm_core::{Method, PageOptions, PagingStyle};
use serde_json::{Map, Value};

use crate::fail;
use crate::output::{Progress, Sink, drain};

/// `scrm ops [vendor] [operation]`.
pub fn ops(args: OpsArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match (args.vendor, args.operation) {
        (vendor, None) => {
            let ops = match vendor {
                Some(v) => OpRef::of(v),
                None => OpRef::all(),
            };
            for op in ops {
                let i = op.info();
                let _ = writeln!(
                    out,
                    "{} {} {} {} {}",
                    i.vendor, i.name, i.method, i.path, i.paging
                );
            }
        }
        (Some(vendor), Some(name)) => match OpRef::find(vendor, &name) {
            Ok(op) => {
                let _ = out.write_all(describe(op.info()).as_bytes());
            }
            Err(UsageError(message)) => return fail(2, &message),
        },
        (None, Some(_)) => return fail(2, "name the vendor before the operation"),
    }
    ExitCode::SUCCESS
}

/// What `scrm ops <vendor> <operation>` prints.
fn describe(i: &OpInfo) -> String {
    let mut s = format!(
        "{} {}: {}\n{} {} (paging: {}; documentation: {})\n\nrequest fields:\n",
        i.vendor,
        i.name,
        i.title,
        i.method,
        i.path,
        i.paging,
        i.fidelity.as_str()
    );
    let width = i.fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
    for f in i.fields {
        let required = if f.required { " (required)" } else { "" };
        s.push_str(&format!(
            "  {:width$}  {}{required}  {}\n",
            f.name,
            f.ty,
            f.summary()
        ));
    }
    if let Some(size) = i.page_size_field {
        s.push_str(&format!("\n--page-size sets: {size}\n"));
    }
    s.push_str(&format!("primary key: {}\n", i.primary_key.join(", ")));
    match &i.incremental {
        None => s.push_str("incremental: none (scrm sync re-reads it fully)\n"),
        Some(inc) => {
            let what = match inc.kind {
                ChangeKind::Updates => "new and changed records",
                ChangeKind::Creations => "new records only",
                ChangeKind::NewestFirst => "newest first, stops at the first stored record",
                _ => "records",
            };
            let window = match (inc.from_param, inc.to_param) {
                (Some(from), Some(to)) => format!(" via {from}..{to}"),
                (Some(from), None) => format!(" via {from}"),
                _ => String::new(),
            };
            s.push_str(&format!(
                "incremental: {what}, cursor {} ({:?}){window}\n",
                inc.record_field, inc.granularity
            ));
        }
    }
    s
}

fn method(text: &str) -> Result<Method, UsageError> {
    Method::from_bytes(text.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| UsageError(format!("{text:?} is not an HTTP method")))
}

fn key_value(param: &str) -> Result<(String, String), UsageError> {
    param
        .split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| UsageError(format!("--param {param:?} is not KEY=VALUE")))
}

/// A `--param` value of a raw request: integers as numbers, anything else as text.
fn raw_value(text: &str) -> Value {
    text.parse::<i64>()
        .map(Value::from)
        .or_else(|_| text.parse::<u64>().map(Value::from))
        .unwrap_or_else(|_| Value::String(text.to_owned()))
}

fn body(text: Option<&str>) -> Result<Map<String, Value>, UsageError> {
    match text {
        None => Ok(Map::new()),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(UsageError("--body must be a JSON object".into())),
            Err(e) => Err(UsageError(format!("--body is not JSON: {e}"))),
        },
    }
}

async fn connect(
    vendor: VendorName,
    args_tuning: &scrm_cli::args::Tuning,
) -> Result<Connected, ExitCode> {
    let env = VendorEnv::from_env(vendor).map_err(|UsageError(m)| fail(2, &m))?;
    // SCRM_REDIS_URL: the token and the --rps budget shared with other processes.
    match scrm_cli::shared::init(vendor, &env).await {
        Ok(()) => {}
        Err(scrm_cli::shared::SharedError::Usage(UsageError(m))) => return Err(fail(2, &m)),
        Err(scrm_cli::shared::SharedError::Unavailable(m)) => return Err(fail(1, &m)),
    }
    Connected::connect(vendor, &env, args_tuning, PageOptions::default())
        .map_err(|e| fail(2, &format!("{} client: {e}", vendor.as_str())))
}

/// `scrm call <vendor> <METHOD> <path> [--param KEY=VALUE]... [--body JSON]`.
pub async fn call(args: CallArgs) -> ExitCode {
    let spec = (|| -> Result<RawSpec, UsageError> {
        Ok(RawSpec {
            method: method(&args.method)?,
            path: args.path.clone(),
            query: args
                .params
                .iter()
                .map(|p| key_value(p))
                .collect::<Result<_, _>>()?,
            fields: body(args.body.as_deref())?,
            paging: None,
        })
    })();
    let spec = match spec {
        Ok(s) => s,
        Err(UsageError(m)) => return fail(2, &m),
    };
    let client = match connect(args.vendor, &args.tuning).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    match client.call_raw(&spec).await {
        Ok(payload) => {
            let mut out = std::io::stdout().lock();
            let _ = serde_json::to_writer(&mut out, &payload);
            let _ = writeln!(out);
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = scrm_cli::env::exit_code(&e);
            fail(
                code,
                &format!(
                    "{} {} {} failed: {e}",
                    args.vendor.as_str(),
                    spec.method,
                    spec.path
                ),
            )
        }
    }
}

/// `scrm export <vendor> --path <path> --paging <style> --items <field> [--param ...]`.
pub async fn export_raw(args: ExportArgs) -> ExitCode {
    let raw = &args.raw;
    let spec = (|| -> Result<RawSpec, UsageError> {
        let path = raw.path.clone().unwrap_or_default();
        let style_name = raw.paging.as_deref().unwrap_or("none");
        let style = PagingStyle::parse(style_name).ok_or_else(|| {
            let known: Vec<&str> = PagingStyle::ALL.iter().map(|s| s.as_str()).collect();
            UsageError(format!(
                "--paging {style_name:?} is not one of {}",
                known.join(", ")
            ))
        })?;
        let mut paging = RawPaging::new(style, raw.items.clone().unwrap_or_default())
            .numbers_as_strings(
                args.vendor == VendorName::Waiqin && style == PagingStyle::PageRows,
            );
        if let Some(f) = &raw.position_field {
            paging = paging.position_field(f);
        }
        if let Some(f) = &raw.size_field {
            paging = paging.size_field(f);
        }
        if let Some(f) = &raw.total_field {
            paging = paging.total_field(f);
        }
        if let Some(f) = &raw.next_field {
            paging = paging.next_field(f);
        }
        if let Some(f) = &raw.key_field {
            paging = paging.key_field(f);
        }
        if let Some(size) = args.tuning.page_size {
            paging = paging.size(size);
        }
        let default_method = if args.vendor == VendorName::Weiban {
            "GET"
        } else {
            "POST"
        };
        let mut fields = Map::new();
        for p in &args.params {
            let (k, v) = key_value(p)?;
            fields.insert(k, raw_value(&v));
        }
        Ok(RawSpec {
            method: method(raw.method.as_deref().unwrap_or(default_method))?,
            path,
            query: Vec::new(),
            fields,
            paging: Some(paging),
        })
    })();
    let spec = match spec {
        Ok(s) => s,
        Err(UsageError(m)) => return fail(2, &m),
    };
    let client = match connect(args.vendor, &args.tuning).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let options = client.page_options();
    let mut sink = Sink::stdout();
    let mut progress = Progress::new(true);
    match drain(
        client.raw_pages(&spec, options),
        &mut sink,
        &mut progress,
        || client.stats(),
    )
    .await
    {
        Ok(_) => ExitCode::SUCCESS,
        Err((failure, summary)) => {
            let done = if summary.records > 0 {
                format!(
                    " after {} records ({} pages) were written",
                    summary.records, summary.pages
                )
            } else {
                String::new()
            };
            let (code, what) = match failure {
                crate::output::Failure::Vendor(e) => (scrm_cli::env::exit_code(&e), e.to_string()),
                crate::output::Failure::Output(e) => (1, format!("cannot write the records: {e}")),
            };
            fail(
                code,
                &format!(
                    "{} {} failed{done}: {what}",
                    args.vendor.as_str(),
                    spec.path
                ),
            )
        }
    }
}
