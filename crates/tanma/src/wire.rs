//! tanma's wire types, shared by the operations: ids that travel as JSON numbers, date-times
//! sent as `yyyy-MM-dd HH:mm:ss`, the `fields[]` of customer-like records (JSON inside strings
//! by field type), and the check that an id is an integer.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use scrm_core::__private::SmallText;
use scrm_core::de::{ChinaDateTime, FieldType, FromWire, Id};
use scrm_core::{Error, ErrorKind, IntoField};

/// An id tanma expects as a JSON number (`customerId`, `salesId`, `lastId`, `userId` of the
/// group list): read from a number or a string, never through `f64`, and always sent as a
/// number. A request holding an id that is not an integer is refused before sending (the
/// operation's `validate` says which field).
///
/// ```
/// use scrm_tanma::NumId;
/// use scrm_core::IntoField;
/// let id: NumId = "410308323612736".into_field();
/// assert_eq!(serde_json::to_string(&id).unwrap(), "410308323612736");
/// assert_eq!(id.as_u64(), Some(410308323612736));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NumId(Id);

impl NumId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The id as an integer, if it is one (it must be, to be sent).
    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_u64()
    }
}

impl fmt::Display for NumId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for NumId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_u64() {
            Some(n) => s.serialize_u64(n),
            None => Err(serde::ser::Error::custom(format!(
                "id {:?} is not an integer",
                self.as_str()
            ))),
        }
    }
}

impl FromWire for NumId {
    const TYPE: FieldType = FieldType::Id;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(Id::read_wire(d)?.map(NumId))
    }
}

impl IntoField<NumId> for u64 {
    fn into_field(self) -> NumId {
        NumId(Id::number(self))
    }
}

impl IntoField<NumId> for i32 {
    fn into_field(self) -> NumId {
        NumId(self.into_field())
    }
}

impl IntoField<NumId> for &str {
    fn into_field(self) -> NumId {
        NumId(Id::string(self))
    }
}

impl IntoField<NumId> for String {
    fn into_field(self) -> NumId {
        NumId(Id::string(self))
    }
}

impl IntoField<NumId> for Id {
    fn into_field(self) -> NumId {
        NumId(self)
    }
}

/// `id`, when set, is an integer (tanma's ids travel as JSON numbers).
///
/// ```
/// use scrm_core::IntoField;
/// let bad: scrm_tanma::NumId = "wmEXAMPLE".into_field();
/// let e = scrm_tanma::wire::numeric("customerId", Some(&bad)).unwrap_err();
/// assert_eq!(e.message(), "`customerId` must be a non-negative integer, got \"wmEXAMPLE\"");
/// ```
pub fn numeric(field: &str, id: Option<&NumId>) -> Result<(), Error> {
    match id {
        Some(id) if id.as_u64().is_none() => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "`{field}` must be a non-negative integer, got {:?}",
                id.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

/// A China-time date-time request parameter, always sent as `yyyy-MM-dd HH:mm:ss` whatever
/// form it was parsed from (fractional seconds dropped, a bare date is midnight), so that
/// consecutive windows `[a, b)`, `[b, c)` tile. Read from the formats [`ChinaDateTime`] accepts.
///
/// ```
/// use scrm_tanma::{ChinaDateTime, DateTimeParam};
/// let t = DateTimeParam::from(ChinaDateTime::parse("2024-01-02 00:00:00.250").unwrap());
/// assert_eq!(serde_json::to_string(&t).unwrap(), "\"2024-01-02 00:00:00\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeParam(ChinaDateTime);

impl DateTimeParam {
    /// The instant.
    pub fn datetime(&self) -> &ChinaDateTime {
        &self.0
    }

    /// Parses one of the formats [`ChinaDateTime::parse`] accepts.
    pub fn parse(text: &str) -> Result<Self, String> {
        ChinaDateTime::parse(text).map(Self::from)
    }
}

impl From<ChinaDateTime> for DateTimeParam {
    fn from(t: ChinaDateTime) -> Self {
        DateTimeParam(ChinaDateTime::new(t.datetime()))
    }
}

impl IntoField<DateTimeParam> for ChinaDateTime {
    fn into_field(self) -> DateTimeParam {
        self.into()
    }
}

impl PartialOrd for DateTimeParam {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.0.datetime().cmp(&other.0.datetime()))
    }
}

impl fmt::Display for DateTimeParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl Serialize for DateTimeParam {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl FromWire for DateTimeParam {
    const TYPE: FieldType = FieldType::DateTime;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(ChinaDateTime::read_wire(d)?.map(Self::from))
    }
}

/// One entry of a record's `fields`: `{"field": "mobile", "type": 8, "valueAsText": "[\"145678388\"]"}`.
///
/// `valueAsText` is text whose meaning depends on `type`, which the vendor does not document.
/// From the examples: 1 text, 2 an option id, 3 a date, 8 a JSON array inside the string
/// (phone numbers). [`value`](Self::value) decodes type 8 as JSON and keeps every other type as
/// text; [`value_as_text`](Self::value_as_text) is the string as sent (what is written back).
/// The value is read on the first call of `value`, once: a record that is only stored or
/// forwarded never pays for it, and names and texts of up to 20 bytes are held without an
/// allocation of their own (ten fields per clue made twenty strings per record).
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
#[derive(Clone)]
pub struct ClueField {
    field: SmallText,
    field_type: Option<i64>,
    /// `valueAsText` as sent; `None` for `null`.
    text: Option<SmallText>,
    /// The value read by the type, once asked for (boxed: a field holds it only after that).
    value: OnceLock<Box<FieldValue>>,
}

impl PartialEq for ClueField {
    /// Fields are equal when they were sent alike (the decoded value follows from the text and
    /// the type).
    fn eq(&self, other: &Self) -> bool {
        self.field() == other.field()
            && self.field_type == other.field_type
            && self.value_as_text() == other.value_as_text()
    }
}

impl fmt::Debug for ClueField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClueField")
            .field("field", &self.field())
            .field("field_type", &self.field_type)
            .field("raw", &self.value_as_text())
            .field("value", &self.value())
            .finish()
    }
}

impl ClueField {
    /// The `type` whose `valueAsText` is a JSON document (a JSON array of strings in the
    /// examples, e.g. `mobile`).
    pub const JSON_TYPE: i64 = 8;

    /// `field`: the field's key (`"mobile"`, `"name"`, `"customer_stage"`…).
    pub fn field(&self) -> &str {
        self.field.as_str()
    }

    /// `type`: the field type code.
    pub fn field_type(&self) -> Option<i64> {
        self.field_type
    }

    /// `valueAsText` exactly as sent; `None` for `null`.
    pub fn value_as_text(&self) -> Option<&str> {
        self.text.as_ref().map(SmallText::as_str)
    }

    /// The value read by the field's type; `None` for `null`. Read on the first call and kept
    /// (texts are held inline up to 20 bytes, so a `FieldValue` is only built when asked for).
    pub fn value(&self) -> Option<&FieldValue> {
        let text = self.value_as_text()?;
        Some(self.value.get_or_init(|| {
            Box::new(if self.field_type == Some(ClueField::JSON_TYPE) {
                FieldValue::json(text)
            } else {
                FieldValue::Text(text.to_owned())
            })
        }))
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
    /// Decodes a [`ClueField::JSON_TYPE`] value: a list of strings (what the examples show)
    /// straight into its `Vec`, any other JSON as a `Value`, text that is not JSON as text.
    fn json(raw: &str) -> FieldValue {
        if let Ok(items) = serde_json::from_str::<Vec<String>>(raw) {
            return FieldValue::List(items);
        }
        match serde_json::from_str::<serde_json::Value>(raw) {
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
    #[serde(borrow)]
    field: std::borrow::Cow<'a, str>,
    #[serde(rename = "type", default, deserialize_with = "scrm_core::de::opt_int")]
    field_type: Option<i64>,
    #[serde(default, borrow)]
    value_as_text: Option<std::borrow::Cow<'a, str>>,
}

impl Serialize for ClueField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireField {
            field: self.field.as_str().into(),
            field_type: self.field_type,
            value_as_text: self.value_as_text().map(Into::into),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ClueField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = WireField::deserialize(d)?;
        let text = |t: std::borrow::Cow<'_, str>| match t {
            std::borrow::Cow::Borrowed(t) => SmallText::new(t),
            std::borrow::Cow::Owned(t) => SmallText::from_string(t),
        };
        Ok(ClueField {
            field: text(wire.field),
            field_type: wire.field_type,
            text: wire.value_as_text.map(text),
            value: OnceLock::new(),
        })
    }
}

scrm_core::record! {
    /// A `{start, end}` window of [`CustomerSearch`](crate::CustomerSearch) (texts; the example writes
    /// `yyyy-MM-dd HH:mm:ss`). `TimeRange::new()` and the `start`/`end` setters build one.
    pub struct TimeRange {
        /// 开始时间.
        start: String,
        /// 结束时间.
        end: String,
    }
}

setters!(TimeRange {
    start: String,
    end: String
});

/// `new()` and `x(value)` setters for a nested request object declared with
/// [`scrm_core::record!`] (whose types are `#[non_exhaustive]`, so users cannot write them as
/// struct literals).
macro_rules! setters {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        impl $name {
            /// An object with no field set.
            pub fn new() -> Self {
                Self::default()
            }
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $field(mut self, value: impl ::scrm_core::IntoField<$ty>) -> Self {
                    self.$field = Some(::scrm_core::IntoField::into_field(value));
                    self
                }
            )*
        }
    };
}
pub(crate) use setters;

/// Fills an unset creation-time window with the whole history: from 2000-01-01 00:00:00 to
/// this time tomorrow, China time (what `scrm export tanma clues` without a window reads).
pub(crate) fn whole_history(since: &mut Option<DateTimeParam>, before: &mut Option<DateTimeParam>) {
    if since.is_none() {
        *since = DateTimeParam::parse("2000-01-01 00:00:00").ok();
    }
    if before.is_none() {
        let tomorrow = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
        *before = Some(ChinaDateTime::new(tomorrow.into()).into());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// A field as received, decoded (or not) by its `type`.
    fn decode(field_type: Option<i64>, raw: &str) -> FieldValue {
        let f: ClueField = serde_json::from_value(serde_json::json!({
            "field": "f", "type": field_type, "valueAsText": raw
        }))
        .unwrap();
        assert_eq!(f.value_as_text(), Some(raw), "the text as sent");
        f.value().unwrap().clone()
    }

    #[test]
    fn field_values_by_type() {
        let by = |t, raw| decode(Some(t), raw);
        assert_eq!(by(1, "[\"a\"]"), FieldValue::Text("[\"a\"]".into()));
        assert_eq!(
            by(8, "[\"a\",\"b\"]"),
            FieldValue::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(by(8, "[]"), FieldValue::List(vec![]));
        assert_eq!(by(8, "[1,2]"), FieldValue::Json(serde_json::json!([1, 2])));
        assert_eq!(by(8, "not json"), FieldValue::Text("not json".into()));
        // Decoded once, on first use; equality and the written form follow the text.
        let f: ClueField =
            serde_json::from_str(r#"{"field":"mobile","type":"8","valueAsText":"[\"1\"]"}"#)
                .unwrap();
        let copy = f.clone();
        assert!(std::ptr::eq(f.value().unwrap(), f.value().unwrap()));
        assert_eq!(f, copy, "a decoded field equals its undecoded copy");
        assert_eq!(
            copy.value().and_then(FieldValue::as_list),
            Some(&["1".to_owned()][..])
        );
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"field":"mobile","type":8,"valueAsText":"[\"1\"]"}"#
        );
        let null: ClueField =
            serde_json::from_str(r#"{"field":"mobile","type":8,"valueAsText":null}"#).unwrap();
        assert_eq!((null.value(), null.value_as_text()), (None, None));
        assert_ne!(null, f);
        // Escaped and long texts, from a slice and from a reader (which lends nothing).
        let json = r#"{"field":"na\u006de","type":1,"valueAsText":"a text of more than twenty bytes, \"quoted\""}"#;
        for f in [
            serde_json::from_str::<ClueField>(json).unwrap(),
            serde_json::from_reader::<_, ClueField>(json.as_bytes()).unwrap(),
        ] {
            assert_eq!(f.field(), "name");
            assert_eq!(
                f.value_as_text(),
                Some(r#"a text of more than twenty bytes, "quoted""#)
            );
            assert_eq!(
                f.value(),
                Some(&FieldValue::Text(
                    r#"a text of more than twenty bytes, "quoted""#.into()
                ))
            );
            assert_eq!(
                serde_json::to_value(&f).unwrap(),
                serde_json::from_str::<serde_json::Value>(json).unwrap()
            );
        }
        assert_eq!(decode(None, "x"), FieldValue::Text("x".into()));
    }

    #[test]
    fn ids_travel_as_numbers_and_non_numeric_ones_are_named() {
        let id: NumId = "410308323612736".into_field();
        assert_eq!(serde_json::to_string(&id).unwrap(), "410308323612736");
        assert!(numeric("salesId", Some(&id)).is_ok());
        let bad: NumId = "abc".into_field();
        let e = numeric("lastId", Some(&bad)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("`lastId`"), "{e}");
        assert!(serde_json::to_string(&bad).is_err());
        assert!(numeric("lastId", None).is_ok());
    }

    #[test]
    fn date_time_params_are_normalised() {
        let at = |s| DateTimeParam::parse(s).unwrap().to_string();
        assert_eq!(at("2024-01-01 08:00"), "2024-01-01 08:00:00");
        assert_eq!(at("2024-01-02"), "2024-01-02 00:00:00");
        assert_eq!(at("2024-01-02 00:00:00.250"), "2024-01-02 00:00:00");
        assert!(DateTimeParam::parse("sunt").is_err());
    }
}
