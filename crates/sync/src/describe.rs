//! What `scrm sync` does with an operation, in words, from its registry entry alone.

use scrm_core::registry::{ChangeKind, Granularity, OpInfo};

use crate::stream::{ColumnType, KeyPart, StreamSpec};

fn unit(g: Granularity) -> &'static str {
    match g {
        Granularity::Seconds => "epoch seconds",
        Granularity::Millis => "epoch milliseconds",
        Granularity::Day => "China-time days",
        Granularity::DateTime => "China-time date-times",
        Granularity::Id => "ids",
        _ => "values",
    }
}

/// One paragraph: the table, the key, and how reruns read the operation.
///
/// ```
/// let info = scrm_core::registry::DynOperation::info(scrm_weiban::OPERATIONS[0]);
/// let text = scrm_sync::describe(info);
/// assert!(text.starts_with("weiban smart-form-users → table weiban_smart_form_users, key u_id;"), "{text}");
/// assert!(text.contains("re-reads it fully"), "{text}");
/// ```
pub fn describe(info: &'static OpInfo) -> String {
    let spec = StreamSpec::new(info, &serde_json::Value::Null).ok();
    let key = match &spec {
        Some(spec) => spec
            .key()
            .iter()
            .map(|k| match k {
                KeyPart::Field(f) => f.clone(),
                KeyPart::FirstOf(names) => format!("the first of {} present", names.join("/")),
                KeyPart::Request { field, .. } => format!("the request's {field}"),
            })
            .collect::<Vec<_>>()
            .join(" + "),
        None => "none declared (cannot be synced)".to_owned(),
    };
    let cursor = spec
        .as_ref()
        .and_then(|s| s.cursor_column())
        .map(|c| {
            let ty = match c.ty {
                ColumnType::Integer => "integer",
                ColumnType::Text => "text",
            };
            format!(", cursor column {} ({ty})", c.name)
        })
        .unwrap_or_default();
    let how = match info.incremental {
        None => "no documented change filter: every run re-reads it fully (an interrupted run resumes where it stopped)".to_owned(),
        Some(i) => match (i.kind, i.from_param) {
            (ChangeKind::NewestFirst, _) => format!(
                "newest first by {}: a rerun reads from the start and stops at the first record already stored (new records only; edits to older ones need --full)",
                i.record_field
            ),
            (_, None) => "no documented change filter: every run re-reads it fully".to_owned(),
            (kind, Some(from)) => {
                let window = match i.to_param {
                    Some(to) => format!("{from}..{to}"),
                    None => from.to_owned(),
                };
                let what = match kind {
                    ChangeKind::Updates => "new and changed records",
                    _ => "new records only (edits to older ones are not seen: use --full now and then)",
                };
                let safety = match i.granularity {
                    Granularity::Day => "re-reading the last run's whole day".to_owned(),
                    Granularity::Id => "from the largest id stored".to_owned(),
                    _ => "re-reading 5 minutes before the last run started".to_owned(),
                };
                format!(
                    "incremental: a rerun reads {what} through {window} ({}), {safety}",
                    unit(i.granularity)
                )
            }
        },
    };
    format!(
        "{} {} → table {}, key {key}{cursor}; {how}.",
        info.vendor,
        info.name,
        info.table()
    )
}
