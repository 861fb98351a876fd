//! 按创建时间列出线索&待分配客户: `POST /api/v3/clue/list-by-create-time-asc`.

use super::customer_files::DEFAULT_PAGE_SIZE;
use futures::Stream;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use scrm_core::de::{ChinaDateTime, Id};
use scrm_core::{Cursor, CursorPaged, Error, ErrorKind, Operation, Page, PageOptions, Paged};

use super::null_as_default;
use crate::TanmaClient;
use crate::envelope::Tanma;

/// Request of 按创建时间列出线索&待分配客户: the clues and not-yet-assigned customers created in
/// `[since, before)`, oldest first, paged by an opaque cursor.
///
/// On the wire: `{"since": "2024-01-01 00:00:00", "before": "2024-01-02 00:00:00", "size": 100,
/// "type": 1, "cursor": "…"}`. `since` and `before` are always sent as `yyyy-MM-dd HH:mm:ss` in
/// China time (UTC+8), whatever form they were parsed from; fractional seconds are dropped
/// (both bounds alike, so consecutive windows `[a, b)`, `[b, c)` still tile).
///
/// The vendor's own example (`"since": "sunt", "before": "enim qui in"`) is lorem-ipsum filler
/// that no date parser accepts: deserializing it into this type fails with an error naming
/// `since`. The documented format is the one working clients send.
///
/// ```
/// use scrm_tanma::{ChinaDateTime, ClueListRequest};
/// let request = ClueListRequest::new(
///     ChinaDateTime::parse("2024-01-01 00:00:00").unwrap(),
///     ChinaDateTime::parse("2024-01-02").unwrap(),
/// )
/// .size(100);
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#
/// );
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClueListRequest {
    /// Start of the creation-time window, inclusive (指定时间段开始时间(包含)).
    #[serde(serialize_with = "wire_datetime")]
    pub since: ChinaDateTime,
    /// End of the creation-time window, exclusive (指定时间段结束时间(不包含)).
    #[serde(serialize_with = "wire_datetime")]
    pub before: ChinaDateTime,
    /// Records per page (获取数量); not sent when unset by a single call, while the
    /// streams send [`DEFAULT_PAGE_SIZE`]. Cursor paging does not depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// `type` (类型): undocumented values (the examples show 1 and 2); not sent when unset.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<i64>,
    /// The `nextCursor` of the previous page; unset for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

fn wire_datetime<S: Serializer>(t: &ChinaDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(ChinaDateTime::new(t.datetime()).as_str())
}

impl ClueListRequest {
    /// Records created in `[since, before)`.
    pub fn new(since: ChinaDateTime, before: ChinaDateTime) -> Self {
        ClueListRequest {
            since,
            before,
            size: None,
            r#type: None,
            cursor: None,
        }
    }

    /// Records per page (at least 1).
    pub fn size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }

    /// The `type` filter (undocumented values; the examples show 1 and 2).
    pub fn r#type(mut self, value: i64) -> Self {
        self.r#type = Some(value);
        self
    }

    /// Starts from a cursor handed out by an earlier page (to resume an export); an empty
    /// string means the first page.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        let cursor = cursor.into();
        self.cursor = (!cursor.is_empty()).then_some(cursor);
        self
    }
}

impl Operation for ClueListRequest {
    type Vendor = Tanma;
    type Response = ClueList;
    const NAME: &'static str = "clue/list-by-create-time-asc";
    const PATH: &'static str = "/api/v3/clue/list-by-create-time-asc";

    fn validate(&self) -> Result<(), Error> {
        if self.since.datetime() > self.before.datetime() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "`since` ({}) is after `before` ({}): the window [since, before) is empty",
                    self.since, self.before
                ),
            ));
        }
        if self.size == Some(0) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "`size` must be at least 1",
            ));
        }
        Ok(())
    }
}

impl Paged for ClueListRequest {
    type Item = Clue;
    type Style = Cursor;

    fn take_items(response: &mut ClueList) -> Vec<Clue> {
        std::mem::take(&mut response.list)
    }
}

impl CursorPaged for ClueListRequest {
    fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    fn set_cursor(&mut self, cursor: Option<String>) {
        self.cursor = cursor;
    }

    fn next_cursor(response: &ClueList) -> Option<&str> {
        response.next_cursor.as_deref()
    }
}

/// One page (`data`) of 按创建时间列出线索&待分配客户.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClueList {
    /// The records (taken out into [`Page::items`] by page streams).
    #[serde(default, deserialize_with = "null_as_default")]
    pub list: Vec<Clue>,
    /// Cursor of the next page; `None` (null, absent) or empty at the end.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A clue or not-yet-assigned customer (线索&待分配客户).
///
/// Serializes back to the vendor's record form (`valueAsText` as the original string).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Clue {
    /// `customerId`: the tanma customer id (a JSON number, possibly above 2^53).
    pub customer_id: Id,
    /// `isClue`: whether the record is a clue (false on both documented examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_clue: Option<bool>,
    /// `type`: undocumented values (the examples show 1 and 2).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "scrm_core::de::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub r#type: Option<i64>,
    /// `fields`: the record's field values, each decoded by its type.
    #[serde(default, deserialize_with = "null_as_default")]
    pub fields: Vec<ClueField>,
    /// `tagIds`: WeCom tag ids.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tag_ids: Vec<String>,
    /// `createTime` (China time; may carry fractional seconds).
    pub create_time: ChinaDateTime,
    /// `lastUpdateTime` (China time; may carry fractional seconds).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_china_datetime",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_update_time: Option<ChinaDateTime>,
    /// `companyInfo`: the company the record belongs to, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_info: Option<CompanyInfo>,
    /// Keys this version does not model (the page announces 9 keys per record and shows 8),
    /// kept so that nothing the vendor sends is lost.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Clue {
    /// The field named `name` (e.g. `"mobile"`), if the record has it.
    pub fn field(&self, name: &str) -> Option<&ClueField> {
        self.fields.iter().find(|f| f.field == name)
    }
}

/// `companyInfo` of a [`Clue`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompanyInfo {
    /// Company id.
    #[serde(default)]
    pub id: Option<Id>,
    /// Company name.
    #[serde(default)]
    pub name: Option<String>,
}

/// One entry of [`Clue::fields`]: `{"field": "mobile", "type": 8, "valueAsText": "[\"145678388\"]"}`.
///
/// `valueAsText` is text whose meaning depends on `type`, which the vendor does not document.
/// From the examples: 1 text, 2 an option id, 3 a date, 8 a JSON array inside the string
/// (phone numbers). [`value`](Self::value) decodes type 8 as JSON and keeps every other type as
/// text; [`value_as_text`](Self::value_as_text) is the string as sent.
///
/// ```
/// use scrm_tanma::{ClueField, FieldValue};
/// let f: ClueField = serde_json::from_str(r#"{"field":"mobile","type":8,"valueAsText":"[\"145678388\"]"}"#).unwrap();
/// assert_eq!(f.value(), Some(&FieldValue::List(vec!["145678388".into()])));
/// assert_eq!(f.value_as_text(), Some(r#"["145678388"]"#));
/// assert_eq!(
///     serde_json::to_string(&f).unwrap(),
///     r#"{"field":"mobile","type":8,"valueAsText":"[\"145678388\"]"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ClueField {
    field: String,
    field_type: Option<i64>,
    raw: Option<String>,
    value: Option<FieldValue>,
}

impl ClueField {
    /// The `type` whose `valueAsText` is a JSON document (a JSON array of strings in the
    /// examples, e.g. `mobile`).
    pub const JSON_TYPE: i64 = 8;

    /// `field`: the field's key (`"mobile"`, `"name"`, `"customer_stage"`…).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// `type`: the field type code.
    pub fn field_type(&self) -> Option<i64> {
        self.field_type
    }

    /// `valueAsText` exactly as sent; `None` for `null`.
    pub fn value_as_text(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// The value decoded by the field's type; `None` for `null`.
    pub fn value(&self) -> Option<&FieldValue> {
        self.value.as_ref()
    }
}

/// A [`ClueField`]'s value, decoded by its `type`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum FieldValue {
    /// Plain text (every type but [`ClueField::JSON_TYPE`], and a JSON-typed value that is not
    /// valid JSON, kept as sent).
    Text(String),
    /// A JSON array of strings (type 8, e.g. phone numbers).
    List(Vec<String>),
    /// Any other JSON document of type 8.
    Json(serde_json::Value),
}

impl FieldValue {
    /// Decodes `raw` as the field type says.
    fn decode(field_type: Option<i64>, raw: &str) -> FieldValue {
        if field_type != Some(ClueField::JSON_TYPE) {
            return FieldValue::Text(raw.to_owned());
        }
        match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Array(items)) if items.iter().all(|v| v.is_string()) => {
                FieldValue::List(
                    items
                        .into_iter()
                        .filter_map(|v| match v {
                            serde_json::Value::String(s) => Some(s),
                            _ => None,
                        })
                        .collect(),
                )
            }
            Ok(other) => FieldValue::Json(other),
            Err(_) => FieldValue::Text(raw.to_owned()),
        }
    }

    /// The text, for a [`FieldValue::Text`].
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The strings, for a [`FieldValue::List`].
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            FieldValue::List(items) => Some(items),
            _ => None,
        }
    }
}

/// The wire form of a [`ClueField`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireField<'a> {
    field: std::borrow::Cow<'a, str>,
    #[serde(rename = "type", default, deserialize_with = "scrm_core::de::opt_int")]
    field_type: Option<i64>,
    #[serde(default)]
    value_as_text: Option<std::borrow::Cow<'a, str>>,
}

impl Serialize for ClueField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireField {
            field: self.field.as_str().into(),
            field_type: self.field_type,
            value_as_text: self.raw.as_deref().map(Into::into),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ClueField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = WireField::deserialize(d)?;
        let raw = wire.value_as_text.map(|c| c.into_owned());
        let value = raw
            .as_deref()
            .map(|raw| FieldValue::decode(wire.field_type, raw));
        Ok(ClueField {
            field: wire.field.into_owned(),
            field_type: wire.field_type,
            raw,
            value,
        })
    }
}

impl TanmaClient {
    /// Every clue and not-yet-assigned customer created in the request's window, oldest first,
    /// across all pages (按创建时间列出线索&待分配客户).
    ///
    /// The cursor stream ends on a null, absent or empty `nextCursor` or an empty page; a
    /// cursor handed out twice with records is reported as a pagination error instead of
    /// looping. The first error ends the stream.
    ///
    /// ```no_run
    /// # async fn run(client: scrm_tanma::TanmaClient) -> Result<(), Box<dyn std::error::Error>> {
    /// use futures::TryStreamExt;
    /// use scrm_tanma::{ChinaDateTime, ClueListRequest};
    /// let request = ClueListRequest::new(
    ///     ChinaDateTime::parse("2024-01-01 00:00:00")?,
    ///     ChinaDateTime::parse("2024-01-02 00:00:00")?,
    /// )
    /// .size(100);
    /// let mut clues = std::pin::pin!(client.clues_by_create_time(request));
    /// while let Some(clue) = clues.try_next().await? {
    ///     println!("{} {:?}", clue.customer_id, clue.field("mobile").and_then(|f| f.value()));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn clues_by_create_time(
        &self,
        request: ClueListRequest,
    ) -> impl Stream<Item = Result<Clue, Error>> + Send + 'static {
        self.core().items(request.for_stream())
    }

    /// The pages of [`clues_by_create_time`](Self::clues_by_create_time); each page's `next`
    /// is the position (cursor) to resume from.
    pub fn clues_by_create_time_pages(
        &self,
        request: ClueListRequest,
    ) -> impl Stream<Item = Result<Page<ClueListRequest>, Error>> + Send + 'static {
        self.core().pages(request.for_stream())
    }

    /// [`clues_by_create_time_pages`](Self::clues_by_create_time_pages) with explicit page
    /// options (page cap, resume position).
    pub fn clues_by_create_time_pages_with(
        &self,
        request: ClueListRequest,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page<ClueListRequest>, Error>> + Send + 'static {
        self.core().pages(request.for_stream()).options(options)
    }
}

impl ClueListRequest {
    /// What the streams send: `size` made explicit ([`DEFAULT_PAGE_SIZE`] unless set), so an
    /// export does not crawl at the server's small default page size.
    fn for_stream(mut self) -> Self {
        self.size.get_or_insert(DEFAULT_PAGE_SIZE);
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn at(s: &str) -> ChinaDateTime {
        ChinaDateTime::parse(s).unwrap()
    }

    #[test]
    fn streams_make_the_page_size_explicit() {
        let r = ClueListRequest::new(at("2024-01-01 00:00:00"), at("2024-01-02 00:00:00"));
        assert_eq!(r.clone().for_stream().size, Some(DEFAULT_PAGE_SIZE));
        assert_eq!(
            r.size(7).for_stream().size,
            Some(7),
            "an explicit size is kept"
        );
    }

    #[test]
    fn request_wire_form_is_normalised() {
        let r = ClueListRequest::new(at("2024-01-01 08:00"), at("2024-01-02 00:00:00.250"))
            .r#type(2)
            .cursor("AAAA");
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"since":"2024-01-01 08:00:00","before":"2024-01-02 00:00:00","type":2,"cursor":"AAAA"}"#
        );
        assert_eq!(
            ClueListRequest::new(at("2024-01-01"), at("2024-01-01"))
                .cursor("")
                .cursor,
            None
        );
    }

    #[test]
    fn validate_refuses_reversed_windows_and_zero_size() {
        let ok = ClueListRequest::new(at("2024-01-01"), at("2024-01-01"));
        assert!(ok.validate().is_ok());
        let e = ClueListRequest::new(at("2024-01-02"), at("2024-01-01"))
            .validate()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("`since`"), "{e}");
        let e = ok.size(0).validate().unwrap_err();
        assert!(e.message().contains("`size`"), "{e}");
    }

    #[test]
    fn field_values_by_type() {
        let decode = |t, raw| FieldValue::decode(Some(t), raw);
        assert_eq!(decode(1, "[\"a\"]"), FieldValue::Text("[\"a\"]".into()));
        assert_eq!(
            decode(8, "[\"a\",\"b\"]"),
            FieldValue::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(decode(8, "[]"), FieldValue::List(vec![]));
        assert_eq!(
            decode(8, "[1,2]"),
            FieldValue::Json(serde_json::json!([1, 2]))
        );
        assert_eq!(decode(8, "not json"), FieldValue::Text("not json".into()));
        assert_eq!(FieldValue::decode(None, "x"), FieldValue::Text("x".into()));
    }

    #[test]
    fn clue_keeps_unknown_keys_and_round_trips() {
        let json = r#"{"customerId":9007199254740993,"isClue":true,"type":"1","fields":null,"tagIds":null,"createTime":"2021-05-11 15:15:48.123456","lastUpdateTime":"","ownerId":7}"#;
        let clue: Clue = serde_json::from_str(json).unwrap();
        assert_eq!(clue.customer_id.as_str(), "9007199254740993");
        assert_eq!(clue.r#type, Some(1));
        assert!(clue.fields.is_empty() && clue.tag_ids.is_empty());
        assert_eq!(clue.create_time.as_str(), "2021-05-11 15:15:48.123456");
        assert_eq!(clue.last_update_time, None);
        assert_eq!(clue.other.get("ownerId"), Some(&serde_json::json!(7)));
        let out = serde_json::to_value(&clue).unwrap();
        assert_eq!(out["customerId"], serde_json::json!(9007199254740993u64));
        assert_eq!(out["ownerId"], serde_json::json!(7));
    }
}
