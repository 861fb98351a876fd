//! Types shared by several wshoto operations: the page of a list, its checks, value types of
//! records, and the decoded `detail_data` of a collect-form answer.

use scrm_core::de::Id;
use scrm_core::{Error, check};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One page of a wshoto list: the `data` of the answer, `{"total": …, "records": […]}`.
///
/// ```
/// use scrm_wshoto::{ProductTag, RecordPage};
/// let page: RecordPage<ProductTag> =
///     serde_json::from_str(r#"{"total": "3", "records": [{"tag_id": "t1"}]}"#).unwrap();
/// assert_eq!(page.total, Some(3));
/// assert_eq!(page.records.unwrap()[0].tag_id.as_deref(), Some("t1"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned", serialize = "T: Serialize"))]
#[non_exhaustive]
pub struct RecordPage<T> {
    /// Records matching the request in all pages (a number or a numeric string).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::wire",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<u64>,
    /// The records of this page (`null` reads as none; `None` in a stream's
    /// [`Page::response`](scrm_core::Page::response): the stream moves them to its items).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::wire",
        skip_serializing_if = "Option::is_none"
    )]
    pub records: Option<Vec<T>>,
}

impl<T> Default for RecordPage<T> {
    fn default() -> Self {
        RecordPage {
            total: None,
            records: None,
        }
    }
}

/// The checks every page-number request of wshoto shares: `current_index` from 1, `page_size`
/// from 1 and, where documented, at most `max`.
pub(crate) fn check_page(
    current_index: Option<u64>,
    page_size: Option<u64>,
    max: Option<u64>,
) -> Result<(), Error> {
    check::at_least("current_index", current_index, 1)?;
    check::in_range("page_size", page_size, 1, max.unwrap_or(u64::MAX))
}

scrm_core::record! {
    /// The decoded `detail_data` of a collect-form answer: the customer-info fields wshoto puts
    /// in every collect form, plus the form's own questions under dynamic keys
    /// `mf_collect_form_<code>_<n>` (in [`extra`](DetailData::extra), with every other key this
    /// version does not know; see [`form_fields`](DetailData::form_fields)).
    ///
    /// Known fields keep the vendor's values as sent (`""` stays `""`).
    pub struct DetailData {
        /// 地区: `{code, name}`.
        area: Area,
        /// 地址.
        address: String,
        /// 手机号 (`cellPhoneNumber`).
        cell_phone_number as "cellPhoneNumber": String,
        /// 电话 (`mobilePhone`).
        mobile_phone as "mobilePhone": String,
        /// 性别: the chosen options, as sent (an array; element shape undocumented — see
        /// [`DetailData::gender_values`]).
        gender: Vec<Value>,
        /// 称呼: the name the customer gave.
        compellation: String,
        /// 邮箱.
        email: String,
        /// 获客渠道 (`accessCustomerChannel`): as sent (an array; element shape undocumented).
        access_customer_channel as "accessCustomerChannel": Vec<Value>,
    }
}

/// Prefix of the keys of a form's own questions in `detail_data`.
pub const FORM_FIELD_PREFIX: &str = "mf_collect_form_";

impl DetailData {
    /// The form's own questions (`mf_collect_form_*` keys) and their raw answers, in the order
    /// received.
    pub fn form_fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.extra
            .iter()
            .filter(|(k, _)| k.starts_with(FORM_FIELD_PREFIX))
    }

    /// The answer to question `key` read as a list of `{name, id, value}` items (uploads,
    /// chosen options); `None` if the key is absent or its answer has another shape.
    pub fn form_field_values(&self, key: &str) -> Option<Vec<FieldValue>> {
        self.extra.get(key).and_then(FieldValue::list)
    }

    /// [`gender`](DetailData::gender) read as `{name, id, value}` items, when it has that shape.
    pub fn gender_values(&self) -> Option<Vec<FieldValue>> {
        let gender = self.gender.as_ref()?;
        gender.iter().map(FieldValue::from_value).collect()
    }
}

scrm_core::record! {
    /// 地区: a region code and name (both `""` when not filled in).
    pub struct Area {
        /// Region code.
        code: String,
        /// Region name.
        name: String,
    }
}

scrm_core::record! {
    /// One item of an answer list: `{"name": "865d79af8f424dd", "id": "1800356349545037315",
    /// "value": "https://…jpeg"}` (an uploaded file, a chosen option…).
    pub struct FieldValue {
        /// Display name (for uploads, the file name).
        name: String,
        /// Id of the item (19-digit ids arrive as strings; never read through `f64`).
        id: Id,
        /// The value (for uploads, the file's URL), as sent.
        value: Value,
    }
}

impl FieldValue {
    /// An answer read as a list of items; `None` if it is not an array of objects of this shape.
    pub fn list(answer: &Value) -> Option<Vec<FieldValue>> {
        answer
            .as_array()?
            .iter()
            .map(FieldValue::from_value)
            .collect()
    }

    fn from_value(item: &Value) -> Option<FieldValue> {
        if !item.is_object() {
            return None;
        }
        FieldValue::deserialize(item).ok()
    }

    /// [`value`](FieldValue::value) when it is a string.
    pub fn value_str(&self) -> Option<&str> {
        self.value.as_ref().and_then(Value::as_str)
    }
}

scrm_core::lenient_enum! {
    /// 性别 (`gender`): 0 unknown, 1 male, 2 female.
    pub enum Gender: int {
        /// 0 — 未知: not known to wshoto (values this SDK does not know are `Unknown(n)`).
        Unspecified = 0,
        /// 1 — 男性.
        Male = 1,
        /// 2 — 女性.
        Female = 2,
    }
}

scrm_core::record! {
    /// 获客渠道: an acquisition channel `{name, id}` (the id is a string of a 19-digit number).
    pub struct Channel {
        /// Channel name.
        name: String,
        /// Channel id.
        id: Id,
    }
}
