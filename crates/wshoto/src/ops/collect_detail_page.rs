//! 获取收集表填写数据 — `POST /openapi/collect/detail/page`: the answers customers gave to a
//! collect form (收集表) an employee shared, page by page.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use scrm_wshoto::ops::{CollectDetailPage, DetailStatus};
//! use scrm_wshoto::de::UnixSeconds;
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let request = CollectDetailPage::new()
//!     .form_id("1634567890987645")
//!     .detail_status(DetailStatus::Submitted)
//!     .start_commit_time(UnixSeconds(1_645_632_000))
//!     .end_commit_time(UnixSeconds(1_645_646_000));
//! let mut records = std::pin::pin!(client.collect_details(request));
//! while let Some(record) = records.try_next().await? {
//!     if let Some(answers) = &record.detail_data {
//!         for (key, _) in answers.value().form_fields() {
//!             println!("{key}: {:?}", answers.value().form_field_values(key));
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use futures::Stream;
use scrm_core::de::{self, Id, JsonString, UnixSeconds};
use scrm_core::{Error, ErrorKind, Operation, Page, PageNumber, PageNumbered, PageOptions, Paged};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::WshotoClient;
use crate::envelope::{Wshoto, opt_text};

/// Largest `page_size` the vendor accepts ("最大不能超过200").
pub const MAX_PAGE_SIZE: u64 = 200;

/// The vendor's page size when `page_size` is not sent.
pub const VENDOR_DEFAULT_PAGE_SIZE: u64 = 20;

/// The page size the record and page streams send when the request sets none.
pub const STREAM_PAGE_SIZE: u64 = MAX_PAGE_SIZE;

scrm_core::lenient_enum! {
    /// State of a customer's answer (`detail_status`).
    pub enum DetailStatus: int {
        /// 0 — 已查看未填写: viewed, not filled in.
        ViewedNotFilled = 0,
        /// 1 — 已填写未提交: filled in, not submitted.
        FilledNotSubmitted = 1,
        /// 2 — 已提交: submitted.
        Submitted = 2,
    }
}

/// The request: filters, page (`current_index`, from 1) and page size (at most 200).
///
/// Every field is optional on the wire (the page marks none as required); unset fields are
/// not sent. Build it with [`CollectDetailPage::new`] and the setters.
///
/// `form_id` is typed `string` in the vendor's table while its example sends a JSON number:
/// it goes out in the form you give — `.form_id("1634567890987645")` sends a string (as the
/// table says; recommended, and safe for 19-digit ids), `.form_id(1634567890987645_u64)` a
/// number (as the example does).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CollectDetailPage {
    /// 收集表的id: the collect form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_id: Option<Id>,
    /// 发送人id: the employee who sent the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_user_id: Option<String>,
    /// Only answers in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_status: Option<DetailStatus>,
    /// Submitted at or after (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_commit_time: Option<UnixSeconds>,
    /// Submitted at or before (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_commit_time: Option<UnixSeconds>,
    /// 当前页数: the page, from 1 (the vendor's default when unset: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_index: Option<u64>,
    /// 每页大小: records per page, 1..=200 (the vendor's default when unset: 20; the streams
    /// send 200 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u64>,
}

impl CollectDetailPage {
    /// A request without filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only answers to this form (a `&str`/`String` is sent as a string, a `u64` as a number).
    pub fn form_id(mut self, form_id: impl Into<Id>) -> Self {
        self.form_id = Some(form_id.into());
        self
    }

    /// Only forms sent by this employee.
    pub fn send_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.send_user_id = Some(user_id.into());
        self
    }

    /// Only answers in this state.
    pub fn detail_status(mut self, status: DetailStatus) -> Self {
        self.detail_status = Some(status);
        self
    }

    /// Only answers submitted at or after this time.
    pub fn start_commit_time(mut self, at: UnixSeconds) -> Self {
        self.start_commit_time = Some(at);
        self
    }

    /// Only answers submitted at or before this time.
    pub fn end_commit_time(mut self, at: UnixSeconds) -> Self {
        self.end_commit_time = Some(at);
        self
    }

    /// The page to fetch (from 1). Streams start here.
    pub fn current_index(mut self, page: u64) -> Self {
        self.current_index = Some(page);
        self
    }

    /// Records per page, 1..=200 (larger values are refused before sending).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// The request a stream sends first: page and page size made explicit, so that every
    /// page sent says where it is and the vendor's small default page size is not used.
    fn for_stream(mut self) -> Self {
        self.current_index.get_or_insert(1);
        self.page_size.get_or_insert(STREAM_PAGE_SIZE);
        self
    }
}

impl Operation for CollectDetailPage {
    type Vendor = Wshoto;
    type Response = CollectDetailPageResponse;
    const NAME: &'static str = "collect/detail/page";
    const PATH: &'static str = "/openapi/collect/detail/page";

    fn validate(&self) -> Result<(), Error> {
        let invalid = |message: String| Err(Error::new(ErrorKind::InvalidInput, message));
        if let Some(size) = self.page_size
            && !(1..=MAX_PAGE_SIZE).contains(&size)
        {
            return invalid(format!(
                "page_size must be between 1 and {MAX_PAGE_SIZE}, got {size}"
            ));
        }
        if self.current_index == Some(0) {
            return invalid("current_index counts from 1, got 0".to_owned());
        }
        if let (Some(start), Some(end)) = (self.start_commit_time, self.end_commit_time)
            && start > end
        {
            return invalid(format!(
                "start_commit_time ({start}) is after end_commit_time ({end}): nothing can match"
            ));
        }
        Ok(())
    }
}

impl Paged for CollectDetailPage {
    type Item = CollectDetail;
    type Style = PageNumber;

    fn take_items(response: &mut CollectDetailPageResponse) -> Vec<CollectDetail> {
        std::mem::take(&mut response.records)
    }
}

impl PageNumbered for CollectDetailPage {
    fn page(&self) -> u64 {
        self.current_index.unwrap_or(1)
    }

    fn set_page(&mut self, page: u64) {
        self.current_index = Some(page);
    }

    fn page_size(&self) -> u64 {
        self.page_size.unwrap_or(VENDOR_DEFAULT_PAGE_SIZE)
    }

    fn total(response: &CollectDetailPageResponse) -> Option<u64> {
        response.total.and_then(|t| u64::try_from(t).ok())
    }
}

/// One page: `data` of the answer (the vendor's table types it `File`, a typo for the page).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CollectDetailPageResponse {
    /// 总量: records matching the filters, across all pages.
    #[serde(
        default,
        deserialize_with = "de::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<i64>,
    /// 收集表详情列表 (empty in [`Page::response`]: the stream moves them to `items`).
    #[serde(default, deserialize_with = "vec_or_null")]
    pub records: Vec<CollectDetail>,
}

/// One customer's answer to a collect form (`Detail`). Identity fields are returned "if
/// present" and are all optional; fields this version does not know are kept in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CollectDetail {
    /// 客户名称.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// 客户unionid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
    /// 客户openid (documented, absent from the example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// 客户external_userid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_userid: Option<String>,
    /// State of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_status: Option<DetailStatus>,
    /// 查看时间: when the customer opened the form (epoch seconds).
    #[serde(
        default,
        deserialize_with = "opt_unix_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub view_time: Option<UnixSeconds>,
    /// 提交时间: when the customer submitted it (epoch seconds).
    #[serde(
        default,
        deserialize_with = "opt_unix_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub commit_time: Option<UnixSeconds>,
    /// 发送员工userid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_user_id: Option<String>,
    /// 员工主部门id (number or string on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept_id: Option<Id>,
    /// 客户填写的收集表详情: the answers, a JSON document sent inside a string; decoded, with the
    /// original string kept ([`JsonString::raw`]). `""` and `null` read as `None`.
    #[serde(
        default,
        deserialize_with = "de::opt_json_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub detail_data: Option<JsonString<DetailData>>,
    /// Fields this version of the SDK does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The decoded `detail_data`: the customer-info fields wshoto puts in every collect form, plus
/// the form's own questions under dynamic keys `mf_collect_form_<code>_<n>` (in
/// [`fields`](DetailData::fields), with every other key this version does not know).
///
/// Known fields keep the vendor's values as sent (`""` stays `""`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DetailData {
    /// 地区: `{code, name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
    /// 地址.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<String>,
    /// 手机号 (`cellPhoneNumber`).
    #[serde(
        rename = "cellPhoneNumber",
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub cell_phone_number: Option<String>,
    /// 电话 (`mobilePhone`).
    #[serde(
        rename = "mobilePhone",
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub mobile_phone: Option<String>,
    /// 性别: the chosen options, as sent (an array; element shape undocumented — see
    /// [`FieldValue::list`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Vec<Value>>,
    /// 称呼: the name the customer gave.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub compellation: Option<String>,
    /// 邮箱.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<String>,
    /// 获客渠道 (`accessCustomerChannel`): as sent (an array; element shape undocumented).
    #[serde(
        rename = "accessCustomerChannel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_customer_channel: Option<Vec<Value>>,
    /// Every other key: the form's questions (`mf_collect_form_*`) and anything new.
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

/// Prefix of the keys of a form's own questions in `detail_data`.
pub const FORM_FIELD_PREFIX: &str = "mf_collect_form_";

impl DetailData {
    /// The form's own questions (`mf_collect_form_*` keys) and their raw answers, by key.
    pub fn form_fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields
            .iter()
            .filter(|(k, _)| k.starts_with(FORM_FIELD_PREFIX))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The answer to question `key` read as a list of `{name, id, value}` items (uploads,
    /// chosen options); `None` if the key is absent or its answer has another shape.
    pub fn form_field_values(&self, key: &str) -> Option<Vec<FieldValue>> {
        self.fields.get(key).and_then(FieldValue::list)
    }

    /// [`gender`](DetailData::gender) read as `{name, id, value}` items, when it has that shape.
    pub fn gender_values(&self) -> Option<Vec<FieldValue>> {
        let gender = self.gender.as_ref()?;
        gender.iter().map(FieldValue::from_value).collect()
    }
}

/// 地区: a region code and name (both `""` when not filled in).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Area {
    /// Region code.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
    /// Region name.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Other keys, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One item of an answer list: `{"name": "865d79af8f424dd", "id": "1800356349545037315",
/// "value": "https://…jpeg"}` (an uploaded file, a chosen option…).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldValue {
    /// Display name (for uploads, the file name).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Id of the item (19-digit ids arrive as strings; never read through `f64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The value (for uploads, the file's URL), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Other keys, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
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

// `CollectDetail`, `DetailData` and `Area` keep the keys they do not model in a catch-all map.
// `#[serde(flatten)]` would do that by first buffering every record into serde's private
// `Content` tree and then deserializing the struct from it — about a third of the CPU an export
// spends per record. These hand-written visitors read each key once, straight from the parser:
// known keys into their typed fields (with the same helpers the attributes name), every other
// key into the map. A repeated key keeps its last value, as `serde_json::Value` does.

#[derive(Deserialize)]
struct Text(#[serde(deserialize_with = "opt_text")] Option<String>);

impl<'de> Deserialize<'de> for CollectDetail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier)]
        #[allow(non_camel_case_types)]
        enum Key {
            customer_name,
            unionid,
            openid,
            external_userid,
            detail_status,
            view_time,
            commit_time,
            send_user_id,
            dept_id,
            detail_data,
            Other(String),
        }
        #[derive(Deserialize)]
        struct Seconds(#[serde(deserialize_with = "opt_unix_seconds")] Option<UnixSeconds>);
        #[derive(Deserialize)]
        struct Detail(
            #[serde(deserialize_with = "de::opt_json_string")] Option<JsonString<DetailData>>,
        );

        struct Record;
        impl<'de> Visitor<'de> for Record {
            type Value = CollectDetail;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a collect detail record (an object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CollectDetail, A::Error> {
                let mut r = CollectDetail::default();
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::customer_name => r.customer_name = map.next_value()?,
                        Key::unionid => r.unionid = map.next_value()?,
                        Key::openid => r.openid = map.next_value()?,
                        Key::external_userid => r.external_userid = map.next_value()?,
                        Key::detail_status => r.detail_status = map.next_value()?,
                        Key::view_time => r.view_time = map.next_value::<Seconds>()?.0,
                        Key::commit_time => r.commit_time = map.next_value::<Seconds>()?.0,
                        Key::send_user_id => r.send_user_id = map.next_value()?,
                        Key::dept_id => r.dept_id = map.next_value()?,
                        Key::detail_data => r.detail_data = map.next_value::<Detail>()?.0,
                        Key::Other(key) => {
                            let value = map.next_value()?;
                            r.extra.insert(key, value);
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(Record)
    }
}

impl<'de> Deserialize<'de> for DetailData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier)]
        #[allow(non_camel_case_types)]
        enum Key {
            area,
            address,
            cellPhoneNumber,
            mobilePhone,
            gender,
            compellation,
            email,
            accessCustomerChannel,
            Other(String),
        }

        struct Answers;
        impl<'de> Visitor<'de> for Answers {
            type Value = DetailData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the answers of a collect form (an object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DetailData, A::Error> {
                let mut r = DetailData::default();
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::area => r.area = map.next_value()?,
                        Key::address => r.address = map.next_value::<Text>()?.0,
                        Key::cellPhoneNumber => r.cell_phone_number = map.next_value::<Text>()?.0,
                        Key::mobilePhone => r.mobile_phone = map.next_value::<Text>()?.0,
                        Key::gender => r.gender = map.next_value()?,
                        Key::compellation => r.compellation = map.next_value::<Text>()?.0,
                        Key::email => r.email = map.next_value::<Text>()?.0,
                        Key::accessCustomerChannel => {
                            r.access_customer_channel = map.next_value()?
                        }
                        Key::Other(key) => {
                            let value = map.next_value()?;
                            r.fields.insert(key, value);
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(Answers)
    }
}

impl<'de> Deserialize<'de> for Area {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier)]
        #[allow(non_camel_case_types)]
        enum Key {
            code,
            name,
            Other(String),
        }

        struct Region;
        impl<'de> Visitor<'de> for Region {
            type Value = Area;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an area `{code, name}`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Area, A::Error> {
                let mut r = Area::default();
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::code => r.code = map.next_value::<Text>()?.0,
                        Key::name => r.name = map.next_value::<Text>()?.0,
                        Key::Other(key) => {
                            let value = map.next_value()?;
                            r.extra.insert(key, value);
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(Region)
    }
}

fn vec_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn opt_unix_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<UnixSeconds>, D::Error> {
    Ok(de::opt_int(d)?.map(UnixSeconds))
}

impl WshotoClient {
    /// Fetches one page as requested (`current_index` and `page_size` as set, vendor defaults
    /// 1 and 20 otherwise).
    pub async fn collect_detail_page(
        &self,
        request: &CollectDetailPage,
    ) -> Result<CollectDetailPageResponse, Error> {
        self.core().call(request).await
    }

    /// Every record matching `request`, across pages, in order.
    ///
    /// Starts at `current_index` (default 1) and sends `current_index`, `page_size` (200 when
    /// unset) and every filter on every page; ends when `total` is reached or a page is short. The first error
    /// ends the stream; [`collect_detail_pages`](WshotoClient::collect_detail_pages) tells where
    /// to resume.
    pub fn collect_details(
        &self,
        request: CollectDetailPage,
    ) -> impl Stream<Item = Result<CollectDetail, Error>> + Send + 'static {
        self.collect_details_with(request, self.core().page_options().clone())
    }

    /// [`collect_details`](WshotoClient::collect_details) with explicit page options.
    pub fn collect_details_with(
        &self,
        request: CollectDetailPage,
        options: PageOptions,
    ) -> impl Stream<Item = Result<CollectDetail, Error>> + Send + 'static {
        self.core().items(request.for_stream()).options(options)
    }

    /// The pages of `request` (see [`collect_details`](WshotoClient::collect_details)); each
    /// page's [`next`](Page::next) is the position to resume from. Resume with the same
    /// `page_size`: positions are page numbers.
    pub fn collect_detail_pages(
        &self,
        request: CollectDetailPage,
    ) -> impl Stream<Item = Result<Page<CollectDetailPage>, Error>> + Send + 'static {
        self.collect_detail_pages_with(request, self.core().page_options().clone())
    }

    /// [`collect_detail_pages`](WshotoClient::collect_detail_pages) with explicit page options
    /// (page cap, resume position…).
    pub fn collect_detail_pages_with(
        &self,
        request: CollectDetailPage,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page<CollectDetailPage>, Error>> + Send + 'static {
        self.core().pages(request.for_stream()).options(options)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_only_what_is_set() {
        assert_eq!(
            serde_json::to_value(CollectDetailPage::new()).unwrap(),
            json!({})
        );
        let r = CollectDetailPage::new()
            .form_id("1800356349545037315")
            .send_user_id("Wang")
            .detail_status(DetailStatus::Submitted)
            .start_commit_time(UnixSeconds(1))
            .end_commit_time(UnixSeconds(2))
            .current_index(3)
            .page_size(50);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"form_id": "1800356349545037315", "send_user_id": "Wang", "detail_status": 2,
                   "start_commit_time": 1, "end_commit_time": 2, "current_index": 3, "page_size": 50})
        );
        let numeric = CollectDetailPage::new().form_id(1_800_356_349_545_037_315_u64);
        assert_eq!(
            serde_json::to_string(&numeric).unwrap(),
            r#"{"form_id":1800356349545037315}"#
        );
    }

    #[test]
    fn validate_documented_limits() {
        assert!(CollectDetailPage::new().page_size(200).validate().is_ok());
        assert!(CollectDetailPage::new().page_size(1).validate().is_ok());
        for bad in [
            CollectDetailPage::new().page_size(201),
            CollectDetailPage::new().page_size(0),
            CollectDetailPage::new().current_index(0),
            CollectDetailPage::new()
                .start_commit_time(UnixSeconds(10))
                .end_commit_time(UnixSeconds(9)),
        ] {
            assert_eq!(
                bad.validate().unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
        let e = CollectDetailPage::new()
            .page_size(201)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("201"), "{e}");
    }

    #[test]
    fn paging_accessors() {
        let r = CollectDetailPage::new();
        assert_eq!(r.page(), 1);
        assert_eq!(PageNumbered::page_size(&r), VENDOR_DEFAULT_PAGE_SIZE);
        let s = r.clone().for_stream();
        assert_eq!(s.page_size, Some(STREAM_PAGE_SIZE));
        assert_eq!(s.current_index, Some(1));
        let kept = CollectDetailPage::new()
            .page_size(7)
            .current_index(3)
            .for_stream();
        assert_eq!((kept.current_index, kept.page_size), (Some(3), Some(7)));
        let mut r = r;
        r.set_page(4);
        assert_eq!(r.current_index, Some(4));
    }

    #[test]
    fn detail_data_keeps_dynamic_fields() {
        let raw = r#"{"area":{"code":"320100","name":"南京"},"gender":[{"name":"男","id":"1","value":"男"}],"mf_collect_form_abc_1":[{"name":"f","id":"1800356349545037315","value":"https://x/y.jpeg"}],"mf_collect_form_abc_2":"free text","new_key":5}"#;
        let d: JsonString<DetailData> = JsonString::parse(raw).unwrap();
        let v = d.value();
        assert_eq!(v.area.as_ref().unwrap().name.as_deref(), Some("南京"));
        let keys: Vec<_> = v.form_fields().map(|(k, _)| k).collect();
        assert_eq!(keys, ["mf_collect_form_abc_1", "mf_collect_form_abc_2"]);
        let files = v.form_field_values("mf_collect_form_abc_1").unwrap();
        assert_eq!(
            files[0].id.as_ref().unwrap().as_str(),
            "1800356349545037315"
        );
        assert_eq!(files[0].value_str(), Some("https://x/y.jpeg"));
        assert_eq!(v.form_field_values("mf_collect_form_abc_2"), None);
        assert_eq!(v.form_field_values("missing"), None);
        assert_eq!(v.gender_values().unwrap()[0].name.as_deref(), Some("男"));
        assert_eq!(v.fields["new_key"], json!(5));
        assert_eq!(d.raw(), raw);
    }

    #[test]
    fn records_tolerate_absent_and_odd_fields() {
        let r: CollectDetailPageResponse = serde_json::from_value(json!({
            "total": "2",
            "records": [
                {"detail_data": "", "view_time": "", "dept_id": "7", "brand_new": true},
                {"detail_status": 9, "commit_time": "1645632012"}
            ]
        }))
        .unwrap();
        assert_eq!(r.total, Some(2));
        assert_eq!(r.records[0].detail_data, None);
        assert_eq!(r.records[0].view_time, None);
        assert_eq!(r.records[0].extra["brand_new"], json!(true));
        assert_eq!(r.records[1].detail_status, Some(DetailStatus::Unknown(9)));
        assert_eq!(r.records[1].commit_time, Some(UnixSeconds(1_645_632_012)));
        let empty: CollectDetailPageResponse =
            serde_json::from_value(json!({"total": 0, "records": null})).unwrap();
        assert!(empty.records.is_empty());
    }
}
