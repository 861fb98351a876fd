//! 自定义表单用户与表单关系列表: `GET /open-api/smart_form/form/user/list`, the customers who
//! submitted smart forms, paged by `offset`/`limit` with a `total`.

use futures::Stream;
use serde::{Deserialize, Serialize};

use scrm_core::de::{Id, UnixSeconds};
use scrm_core::{
    Encoding, Error, ErrorKind, Method, Offset, OffsetPaged, Operation, Page, PageOptions, Paged,
};

use super::{null_as_empty, opt_uint, opt_unix_seconds};
use crate::{Weiban, WeibanClient};

/// Records per page the streams ask for when the request sets no `limit`. weiban documents
/// neither a default nor a maximum (its example asks for 10); 100 keeps exports to few calls
/// without asking for pages a server may refuse. A server returning fewer is handled: the
/// stream advances by the number of records actually received.
pub const DEFAULT_PAGE_LIMIT: u32 = 100;

scrm_core::lenient_enum! {
    /// Relation status of a customer and a form (`status`), read from a string; values this
    /// version does not know are kept as [`FormUserStatus::Unknown`].
    pub enum FormUserStatus: str {
        /// Submitted (`submit`), the documented value.
        Submit = "submit",
    }
}

/// Request of 自定义表单用户与表单关系列表 (`GET /open-api/smart_form/form/user/list`).
///
/// Every parameter travels in the query; numbers are written as digits (weiban types them all
/// as strings, which is the same text). Unset parameters are left out. Build it with
/// [`SmartFormUserList::new`] and the setters:
///
/// ```
/// use scrm_weiban::{FormUserStatus, SmartFormUserList, UnixSeconds};
/// let request = SmartFormUserList::new(FormUserStatus::Submit)
///     .limit(10)
///     .offset(0)
///     .city("武汉")
///     .form_id(111u64)
///     .start_time(UnixSeconds(1626192000))
///     .end_time(UnixSeconds(1626192001));
/// assert_eq!(request.form_id.as_ref().map(|id| id.as_str()), Some("111"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SmartFormUserList {
    /// Records per page (`limit`, optional; weiban documents no default or maximum). The
    /// streams use [`DEFAULT_PAGE_LIMIT`] when unset.
    #[serde(
        default,
        deserialize_with = "opt_uint",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u32>,
    /// Records to skip (`offset`, from 0; optional). The streams start at 0 when unset.
    #[serde(
        default,
        deserialize_with = "opt_uint",
        skip_serializing_if = "Option::is_none"
    )]
    pub offset: Option<u64>,
    /// Relation status (`status`, required): [`FormUserStatus::Submit`].
    pub status: FormUserStatus,
    /// Customer city (`city`), e.g. `武汉`.
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub city: Option<String>,
    /// Form id (`form_id`; the records carry it as a number).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub form_id: Option<Id>,
    /// Earliest submission, epoch seconds (`start_time`).
    #[serde(
        default,
        deserialize_with = "opt_unix_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<UnixSeconds>,
    /// Latest submission, epoch seconds (`end_time`).
    #[serde(
        default,
        deserialize_with = "opt_unix_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<UnixSeconds>,
}

impl SmartFormUserList {
    /// A request for relations in `status`, with no other filter.
    pub fn new(status: FormUserStatus) -> Self {
        SmartFormUserList {
            limit: None,
            offset: None,
            status,
            city: None,
            form_id: None,
            start_time: None,
            end_time: None,
        }
    }

    /// Sets `limit` (records per page, at least 1).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sets `offset` (records to skip).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Sets `status`.
    pub fn status(mut self, status: FormUserStatus) -> Self {
        self.status = status;
        self
    }

    /// Filters by customer city.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// Filters by form id.
    pub fn form_id(mut self, form_id: impl Into<Id>) -> Self {
        self.form_id = Some(form_id.into());
        self
    }

    /// Only submissions at or after `start` (epoch seconds).
    pub fn start_time(mut self, start: UnixSeconds) -> Self {
        self.start_time = Some(start);
        self
    }

    /// Only submissions at or before `end` (epoch seconds).
    pub fn end_time(mut self, end: UnixSeconds) -> Self {
        self.end_time = Some(end);
        self
    }

    /// The request a stream starts from: explicit `limit` ([`DEFAULT_PAGE_LIMIT`] if unset)
    /// and `offset` (0 if unset), so every page asks for a known size.
    fn for_export(mut self) -> Self {
        self.limit.get_or_insert(DEFAULT_PAGE_LIMIT);
        self.offset.get_or_insert(0);
        self
    }
}

impl Operation for SmartFormUserList {
    type Vendor = Weiban;
    type Response = SmartFormUserListResponse;
    const NAME: &'static str = "smart_form/form/user/list";
    const PATH: &'static str = "/open-api/smart_form/form/user/list";
    const METHOD: Method = Method::GET;
    const ENCODING: Encoding = Encoding::Query;

    fn validate(&self) -> Result<(), Error> {
        let refuse = |why: &str| Err(Error::new(ErrorKind::InvalidInput, why.to_owned()));
        if self.status.as_str().trim().is_empty() {
            return refuse("status is required (e.g. FormUserStatus::Submit)");
        }
        if self.limit == Some(0) {
            return refuse("limit must be at least 1");
        }
        if self
            .form_id
            .as_ref()
            .is_some_and(|id| id.as_str().trim().is_empty())
        {
            return refuse("form_id must not be empty");
        }
        for (name, t) in [("start_time", self.start_time), ("end_time", self.end_time)] {
            if t.is_some_and(|t| t.0 < 0) {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("{name} must be epoch seconds, not negative"),
                ));
            }
        }
        if let (Some(start), Some(end)) = (self.start_time, self.end_time)
            && start > end
        {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("start_time {} is after end_time {}", start.0, end.0),
            ));
        }
        Ok(())
    }
}

impl Paged for SmartFormUserList {
    type Item = SmartFormUser;
    type Style = Offset;

    fn take_items(response: &mut SmartFormUserListResponse) -> Vec<SmartFormUser> {
        std::mem::take(&mut response.result)
    }
}

impl OffsetPaged for SmartFormUserList {
    fn offset(&self) -> u64 {
        self.offset.unwrap_or(0)
    }

    fn set_offset(&mut self, offset: u64) {
        self.offset = Some(offset);
    }

    /// The `limit` sent. Unset, weiban's page size is unknown: 1, so that without a `total` only
    /// an empty page ends the export (the streams always set it).
    fn limit(&self) -> u64 {
        u64::from(self.limit.unwrap_or(1))
    }

    fn total(response: &SmartFormUserListResponse) -> Option<u64> {
        response.total
    }
}

/// Payload of [`SmartFormUserList`]: the keys next to `errcode`/`errmsg` in weiban's flat
/// envelope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SmartFormUserListResponse {
    /// The records of this page (`result`; `null` or absent reads as empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub result: Vec<SmartFormUser>,
    /// Records matching the filters in all pages (`total`).
    #[serde(
        default,
        deserialize_with = "opt_uint",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<u64>,
}

/// One customer–form relation (an item of `result`).
///
/// Serializes back to weiban's field names and order; absent optional fields stay absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SmartFormUser {
    /// Customer city (`user_city`, 客户城市).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_city: Option<String>,
    /// Relation status (`status`, required).
    pub status: FormUserStatus,
    /// Customer nickname (`user_name`, 客户昵称).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Form id (`form_id`, 表单ID; a number in the records).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub form_id: Option<Id>,
    /// WeChat unionid (`unionid`, documented as required; empty when weiban has none, e.g.
    /// without a bound WeChat open-platform account). May contain `-`.
    #[serde(default)]
    pub unionid: String,
    /// The customer's WeCom external user id (`external_user_id`, required).
    pub external_user_id: String,
    /// Id of this customer–form relation (`u_id`, 表单客户关联ID).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub u_id: Option<Id>,
    /// Avatar URL (`avatar`, 客户头像).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Submission time, epoch seconds (`submit_at`, 表单提交时间戳).
    #[serde(
        default,
        deserialize_with = "opt_unix_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub submit_at: Option<UnixSeconds>,
    /// Form name (`form_name`, 表单名称).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_name: Option<String>,
}

impl WeibanClient {
    /// Every record matching `request`, in order, across all pages.
    ///
    /// Starts at the request's `offset` (0 if unset) with its `limit` ([`DEFAULT_PAGE_LIMIT`] if
    /// unset) and keeps every filter on every page. Each next offset is the previous one plus
    /// the number of records actually received (a page may be shorter than `limit`); the
    /// export ends when `total` is reached.
    ///
    /// weiban sometimes answers errcode 0 with an empty `result` before `total` is reached
    /// (throttling): that page is requested again with backoff
    /// ([`PageOptions::empty_page_retries`], [`PageOptions::empty_page_backoff`]) and then the
    /// stream fails with an error naming the offset and the total, never ending silently. A
    /// `total` that changes during the export (rows added or removed) fails the stream by
    /// default, naming both totals ([`PageOptions::on_total_change`] to only warn).
    ///
    /// The first error ends the stream. To resume an interrupted export, use
    /// [`WeibanClient::smart_form_user_list_pages_with`] and [`PageOptions::resume_from`] with
    /// the last page's `next`.
    pub fn smart_form_user_list(
        &self,
        request: SmartFormUserList,
    ) -> impl Stream<Item = Result<SmartFormUser, Error>> + Send + 'static {
        self.core().items(request.for_export())
    }

    /// The pages of [`WeibanClient::smart_form_user_list`], each with its `total`, position and
    /// the position to resume from.
    pub fn smart_form_user_list_pages(
        &self,
        request: SmartFormUserList,
    ) -> impl Stream<Item = Result<Page<SmartFormUserList>, Error>> + Send + 'static {
        self.core().pages(request.for_export())
    }

    /// [`WeibanClient::smart_form_user_list_pages`] with explicit page options (resume
    /// position, page cap, empty-page retries, drift policy) instead of the client's defaults.
    pub fn smart_form_user_list_pages_with(
        &self,
        request: SmartFormUserList,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page<SmartFormUserList>, Error>> + Send + 'static {
        self.core().pages(request.for_export()).options(options)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn validation() {
        let ok = SmartFormUserList::new(FormUserStatus::Submit);
        assert!(ok.validate().is_ok());
        let bad = [
            (ok.clone().limit(0), "limit must be at least 1"),
            (
                ok.clone().status(FormUserStatus::Unknown(" ".into())),
                "status is required",
            ),
            (ok.clone().form_id(""), "form_id must not be empty"),
            (
                ok.clone().start_time(UnixSeconds(-1)),
                "start_time must be epoch seconds",
            ),
            (
                ok.clone()
                    .start_time(UnixSeconds(20))
                    .end_time(UnixSeconds(10)),
                "start_time 20 is after end_time 10",
            ),
        ];
        for (request, why) in bad {
            let e = request.validate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert!(e.message().contains(why), "{e}");
        }
    }

    #[test]
    fn streams_ask_for_explicit_pages() {
        let r = SmartFormUserList::new(FormUserStatus::Submit).for_export();
        assert_eq!((r.limit, r.offset), (Some(DEFAULT_PAGE_LIMIT), Some(0)));
        let r = SmartFormUserList::new(FormUserStatus::Submit)
            .limit(7)
            .offset(21)
            .for_export();
        assert_eq!((r.limit, r.offset), (Some(7), Some(21)));
    }
}
