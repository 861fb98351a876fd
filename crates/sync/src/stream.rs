//! A stream: one operation with its filters, its table, primary key and cursor columns, and
//! how the columns are read from a record.

use std::collections::BTreeMap;
use std::fmt;

use scrm_core::registry::{ChangeKind, Granularity, Incremental, OpInfo};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{SyncError, SyncErrorKind};

/// The columns every synced table has besides its key and cursor columns.
pub const RESERVED_COLUMNS: [&str; 4] = [
    "record",
    "_scrm_written_at",
    "_scrm_version",
    "_scrm_changed",
];

/// The SQL type of a typed column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnType {
    /// Text (keys, dates and date-times).
    Text,
    /// A 64-bit integer (epoch seconds or milliseconds, increasing ids).
    Integer,
}

/// One part of a primary key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyPart {
    /// A record field.
    Field(String),
    /// The first of these record fields that is present and not empty.
    FirstOf(Vec<String>),
    /// A request field the records do not carry (its value in this stream's request).
    Request {
        /// The request field.
        field: String,
        /// Its value in this stream's request (`None` when the request leaves it out).
        value: Option<String>,
    },
}

/// A typed column.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its SQL type.
    pub ty: ColumnType,
}

/// What a sync writes and where: built from the registry's [`OpInfo`] and the request.
///
/// ```
/// # fn info() -> &'static scrm_core::registry::OpInfo { scrm_core::registry::DynOperation::info(scrm_weiban_op()) }
/// # fn scrm_weiban_op() -> &'static dyn scrm_core::registry::DynOperation<scrm_weiban::Weiban> { scrm_weiban::OPERATIONS[0] }
/// let request = serde_json::json!({"status": "submit", "limit": "100"});
/// let spec = scrm_sync::StreamSpec::new(info(), &request).unwrap();
/// assert_eq!(spec.table(), "weiban_smart_form_users");
/// assert_eq!(spec.filters(), r#"{"status":"submit"}"#);
/// assert_eq!(spec.key_columns()[0].name, "u_id");
/// ```
#[derive(Clone, Debug)]
pub struct StreamSpec {
    info: &'static OpInfo,
    table: String,
    filters: String,
    key: Vec<KeyPart>,
    key_columns: Vec<Column>,
    cursor: Option<(Incremental, Column)>,
    incremental: Option<Incremental>,
    fields: Vec<String>,
}

fn column_name(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if RESERVED_COLUMNS.contains(&name.as_str()) || name.starts_with("_scrm") || name.is_empty() {
        name = format!("key_{name}");
    }
    name
}

/// A request value as text (numbers and strings as written, lists comma-joined).
fn request_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl StreamSpec {
    /// The stream of `info` for `request` (a JSON object with the vendor's field names, as
    /// `scrm export --param` builds it).
    pub fn new(info: &'static OpInfo, request: &serde_json::Value) -> Result<Self, SyncError> {
        let usage = |m: String| SyncError::new(SyncErrorKind::Usage, "", m);
        let object = match request {
            serde_json::Value::Object(o) => o,
            serde_json::Value::Null => &serde_json::Map::new(),
            _ => {
                return Err(usage(format!(
                    "{} {}: the request must be a JSON object",
                    info.vendor, info.name
                )));
            }
        };
        // The filters identify the stream: every request field but the page size and the
        // window the sync itself sets. Sorted, so the same filters always give the same text.
        let inc = info.incremental;
        let window_params: Vec<&str> = inc
            .iter()
            .flat_map(|i| [i.from_param, i.to_param])
            .flatten()
            .collect();
        let user_window = window_params.iter().any(|p| object.contains_key(*p));
        let filters: BTreeMap<&str, &serde_json::Value> = object
            .iter()
            .filter(|(k, _)| Some(k.as_str()) != info.page_size_field)
            .filter(|(k, _)| user_window || !window_params.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        let filters = serde_json::to_string(&filters).map_err(|e| usage(e.to_string()))?;

        let mut key = Vec::new();
        let mut key_columns = Vec::new();
        let mut fields: Vec<String> = Vec::new();
        for part in info.primary_key {
            if let Some(field) = part.strip_prefix('$') {
                key.push(KeyPart::Request {
                    field: field.to_owned(),
                    value: object.get(field).and_then(request_text),
                });
                key_columns.push(column_name(field));
            } else if part.contains('|') {
                let names: Vec<String> = part.split('|').map(str::to_owned).collect();
                key_columns.push(column_name(&names.join("_or_")));
                fields.extend(names.iter().cloned());
                key.push(KeyPart::FirstOf(names));
            } else {
                key.push(KeyPart::Field((*part).to_owned()));
                key_columns.push(column_name(part));
                fields.push((*part).to_owned());
            }
        }
        if key.is_empty() {
            return Err(usage(format!(
                "{} {} declares no primary key in its registry entry; it cannot be synced",
                info.vendor, info.name
            )));
        }
        let key_columns: Vec<Column> = key_columns
            .into_iter()
            .map(|name| Column {
                name,
                ty: ColumnType::Text,
            })
            .collect();
        // A window the user set is the user's: that stream is re-read fully every time.
        let incremental = if user_window { None } else { inc };
        let cursor = inc.map(|i| {
            let ty = match i.granularity {
                Granularity::Seconds | Granularity::Millis | Granularity::Id => ColumnType::Integer,
                _ => ColumnType::Text,
            };
            let mut name = column_name(i.record_field);
            if key_columns.iter().any(|c| c.name == name) {
                name = format!("cursor_{name}");
            }
            (i, Column { name, ty })
        });
        if let Some((i, _)) = &cursor {
            fields.push(i.record_field.to_owned());
        }
        fields.sort();
        fields.dedup();
        Ok(StreamSpec {
            info,
            table: info.table(),
            filters,
            key,
            key_columns,
            cursor,
            incremental,
            fields,
        })
    }

    /// The operation.
    pub fn info(&self) -> &'static OpInfo {
        self.info
    }

    /// The table (`<vendor>_<operation with '-' as '_'>`).
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The filters that identify the stream, as canonical JSON (keys sorted).
    pub fn filters(&self) -> &str {
        &self.filters
    }

    /// The primary key.
    pub fn key(&self) -> &[KeyPart] {
        &self.key
    }

    /// The primary-key columns, in key order (all text).
    pub fn key_columns(&self) -> &[Column] {
        &self.key_columns
    }

    /// The cursor column, if the operation declares an incremental cursor.
    pub fn cursor_column(&self) -> Option<&Column> {
        self.cursor.as_ref().map(|(_, c)| c)
    }

    /// How this stream reads incrementally (`None`: every run re-reads it fully — the
    /// vendor offers no filter, or the request sets the window itself).
    pub fn incremental(&self) -> Option<Incremental> {
        self.incremental
    }

    /// Whether an incremental run can skip what is already stored.
    pub fn is_incremental(&self) -> bool {
        self.incremental
            .is_some_and(|i| i.kind == ChangeKind::NewestFirst || i.from_param.is_some())
    }

    /// The row of `record`: its key values, cursor value and the record itself.
    pub fn row(&self, record: Box<RawValue>) -> Result<Row, SyncError> {
        let mut values = pick(record.get(), &self.fields).map_err(|e| {
            SyncError::new(
                SyncErrorKind::Record,
                "",
                format!(
                    "{} {}: a record is not a JSON object ({e})",
                    self.info.vendor, self.info.name
                ),
            )
        })?;
        let index = |name: &str| self.fields.binary_search_by(|f| f.as_str().cmp(name)).ok();
        // The cursor first: its field may also be part of the key (then it is read, not taken).
        let cursor = self.cursor.as_ref().and_then(|(i, col)| {
            let value = values[index(i.record_field)?].as_ref()?;
            Some(match col.ty {
                ColumnType::Integer => CursorValue::Integer(value.integer()?),
                ColumnType::Text => CursorValue::Text(value.text()?),
            })
        });
        let mut take = |name: &str| -> Option<String> {
            let i = index(name)?;
            values[i].take().and_then(Scalar::into_text)
        };
        // Dotted key fields (`staff_relation.staff_id`) are read from the parsed record.
        let mut nested: Option<serde_json::Value> = None;
        let mut nested_text = |path: &str| -> Option<String> {
            let root = nested.get_or_insert_with(|| {
                serde_json::from_str(record.get()).unwrap_or(serde_json::Value::Null)
            });
            let value = path.split('.').try_fold(&*root, |v, k| v.get(k))?;
            match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }
        };
        let composite = self.key.len() > 1;
        let mut key = Vec::with_capacity(self.key.len());
        for part in &self.key {
            let value = match part {
                KeyPart::Field(f) if f.contains('.') => nested_text(f),
                // One part of a composite key the record leaves out reads as empty (waiqin
                // tracks: `cusId` on attendance points); a key with no part present is refused.
                KeyPart::Field(f) if composite => Some(take(f).unwrap_or_default()),
                KeyPart::Field(f) => take(f),
                KeyPart::FirstOf(names) => {
                    names.iter().filter_map(|n| take(n)).find(|s| !s.is_empty())
                }
                KeyPart::Request { value, .. } => Some(value.clone().unwrap_or_default()),
            };
            let Some(value) = value else {
                let what = match part {
                    KeyPart::FirstOf(names) => format!("any of {}", names.join(", ")),
                    KeyPart::Field(f) => format!("the field {f}"),
                    KeyPart::Request { field, .. } => field.clone(),
                };
                return Err(SyncError::new(
                    SyncErrorKind::Record,
                    "",
                    format!(
                        "{} {}: a record has no primary key ({what} missing or empty): {}",
                        self.info.vendor,
                        self.info.name,
                        truncate(record.get())
                    ),
                ));
            };
            key.push(value);
        }
        if composite
            && self
                .key
                .iter()
                .zip(&key)
                .all(|(part, v)| v.is_empty() || matches!(part, KeyPart::Request { .. }))
        {
            return Err(SyncError::new(
                SyncErrorKind::Record,
                "",
                format!(
                    "{} {}: a record has no primary key (every key field missing or empty): {}",
                    self.info.vendor,
                    self.info.name,
                    truncate(record.get())
                ),
            ));
        }
        Ok(Row {
            key,
            cursor,
            record,
        })
    }
}

fn truncate(s: &str) -> String {
    if s.len() <= 200 {
        return s.to_owned();
    }
    let mut end = 200;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A cursor value as stored in the cursor column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CursorValue {
    /// Seconds, milliseconds or an id.
    Integer(i64),
    /// A date or date-time text.
    Text(String),
}

/// One record ready to be upserted.
#[derive(Debug)]
#[non_exhaustive]
pub struct Row {
    /// The primary-key values, in [`StreamSpec::key_columns`] order.
    pub key: Vec<String>,
    /// The cursor value, if the operation has a cursor and the record carries it.
    pub cursor: Option<CursorValue>,
    /// The record as `scrm export` prints it.
    pub record: Box<RawValue>,
}

/// A top-level scalar of a record.
#[derive(Debug)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
    Other,
}

impl Scalar {
    fn text(&self) -> Option<String> {
        match self {
            Scalar::Text(s) => Some(s.clone()),
            Scalar::Number(n) => Some(n.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Other => None,
        }
    }

    fn into_text(self) -> Option<String> {
        match self {
            Scalar::Text(s) => Some(s),
            other => other.text(),
        }
    }

    fn integer(&self) -> Option<i64> {
        match self {
            Scalar::Number(n) => n.as_i64(),
            Scalar::Text(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Scalar::Other, Scalar::Number))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads only the top-level fields named in `fields` (sorted) of a JSON object, skipping the
/// rest without building it.
fn pick(json: &str, fields: &[String]) -> Result<Vec<Option<Scalar>>, serde_json::Error> {
    struct Seed<'a>(&'a [String]);
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = Vec<Option<Scalar>>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = Vec<Option<Scalar>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<Option<Scalar>> = (0..self.0.len()).map(|_| None).collect();
            while let Some(index) = map.next_key_seed(FieldIndex(self.0))? {
                match index {
                    Some(i) => out[i] = Some(map.next_value::<Scalar>()?),
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(out)
        }
    }
    /// A key, looked up among the wanted fields without allocating.
    struct FieldIndex<'a>(&'a [String]);
    impl<'de> DeserializeSeed<'de> for FieldIndex<'_> {
        type Value = Option<usize>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl<'de> Visitor<'de> for FieldIndex<'_> {
        type Value = Option<usize>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a field name")
        }
        fn visit_str<E>(self, key: &str) -> Result<Option<usize>, E> {
            Ok(self.0.binary_search_by(|f| f.as_str().cmp(key)).ok())
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let out = Seed(fields).deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn picks_only_named_fields() {
        let fields = vec!["a".to_owned(), "c".to_owned()];
        let got = pick(
            r#"{"a":"x\"y","b":{"deep":[1,2]},"c":12345678901234}"#,
            &fields,
        )
        .unwrap();
        assert_eq!(got[0].as_ref().unwrap().text().unwrap(), "x\"y");
        assert_eq!(got[1].as_ref().unwrap().integer().unwrap(), 12345678901234);
        assert!(pick("[1]", &fields).is_err());
    }
}
