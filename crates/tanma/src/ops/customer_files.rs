//! 客户文件查询接口: `POST /api/v3/customer/list-file-of-customer`.

use futures::Stream;
use serde::{Deserialize, Serialize};

use scrm_core::de::{ChinaDateTime, Id, JsonString};
use scrm_core::{Error, ErrorKind, Operation, Page, PageOptions, Paged, Paginator, Position, Step};

use super::{null_as_default, numeric_id, opt_id_as_number, opt_text};
use crate::TanmaClient;
use crate::envelope::Tanma;

/// The `pageSize` sent when none is set: 100.
///
/// It is always sent explicitly, so that the end of an export (a page shorter than the page
/// size) is judged against a size the server was actually asked for, never against an
/// undocumented server default.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

fn default_page_size() -> u32 {
    DEFAULT_PAGE_SIZE
}

/// Request of 客户文件查询接口: the files attached to customers, paged by the last id received.
///
/// **`userId` or `salesId`**: the vendor's field table documents `userId` (string, the
/// salesperson's WeCom userid, 销售用户的企微userId), while its example sends `salesId` (a
/// number, a tanma-internal user id) instead, and which one the server honours is not
/// documented. Both are supported, both are optional, and each is sent only when set: set the
/// one your tenant's data answers to (or both). Setting neither is not refused either: the
/// table marks only `customerId`, `externalUserId`, `pageSize` and `lastId` as nullable, so a
/// server may reject a request without `userId`, and that error then comes from the server.
///
/// Ids (`salesId`, `customerId`, `lastId`) travel as JSON numbers; an id that is not an integer
/// is refused before sending. `pageSize` is always sent ([`DEFAULT_PAGE_SIZE`] unless set).
///
/// ```
/// use scrm_tanma::CustomerFileListRequest;
/// let request = CustomerFileListRequest::new()
///     .sales_id(410308323612736u64)
///     .customer_id(442273848965184u64)
///     .page_size(30);
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"salesId":410308323612736,"customerId":442273848965184,"pageSize":30}"#
/// );
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomerFileListRequest {
    /// `userId`: the salesperson's WeCom userid (per the field table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `salesId`: the salesperson's tanma user id (per the example; not in the field table).
    #[serde(
        default,
        serialize_with = "opt_id_as_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub sales_id: Option<Id>,
    /// `customerId`: the tanma customer id (探马客户id).
    #[serde(
        default,
        serialize_with = "opt_id_as_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<Id>,
    /// `externalUserId`: the customer's WeCom external userid (企微客户id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    /// `pageSize`: records per page (页大小), at least 1.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// `lastId`: the id of the last record of the previous page (最大记录id); unset for the
    /// first page.
    #[serde(
        default,
        serialize_with = "opt_id_as_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_id: Option<Id>,
}

impl Default for CustomerFileListRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl CustomerFileListRequest {
    /// A request with no filter and the default page size.
    pub fn new() -> Self {
        CustomerFileListRequest {
            user_id: None,
            sales_id: None,
            customer_id: None,
            external_user_id: None,
            page_size: DEFAULT_PAGE_SIZE,
            last_id: None,
        }
    }

    /// `userId`: the salesperson's WeCom userid.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// `salesId`: the salesperson's tanma user id.
    pub fn sales_id(mut self, sales_id: impl Into<Id>) -> Self {
        self.sales_id = Some(sales_id.into());
        self
    }

    /// `customerId`: the tanma customer id.
    pub fn customer_id(mut self, customer_id: impl Into<Id>) -> Self {
        self.customer_id = Some(customer_id.into());
        self
    }

    /// `externalUserId`: the customer's WeCom external userid.
    pub fn external_user_id(mut self, external_user_id: impl Into<String>) -> Self {
        self.external_user_id = Some(external_user_id.into());
        self
    }

    /// `pageSize`: records per page (at least 1; default [`DEFAULT_PAGE_SIZE`]).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// `lastId`: starts after this record id (to resume an export).
    pub fn last_id(mut self, last_id: impl Into<Id>) -> Self {
        self.last_id = Some(last_id.into());
        self
    }
}

impl Operation for CustomerFileListRequest {
    type Vendor = Tanma;
    type Response = CustomerFileList;
    const NAME: &'static str = "customer/list-file-of-customer";
    const PATH: &'static str = "/api/v3/customer/list-file-of-customer";

    fn validate(&self) -> Result<(), Error> {
        if self.page_size == 0 {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "`pageSize` must be at least 1",
            ));
        }
        for (field, id) in [
            ("salesId", &self.sales_id),
            ("customerId", &self.customer_id),
            ("lastId", &self.last_id),
        ] {
            if let Some(id) = id {
                numeric_id(field, id)?;
            }
        }
        Ok(())
    }
}

impl Paged for CustomerFileListRequest {
    type Item = CustomerFile;
    type Style = FileKeyset;

    fn take_items(response: &mut CustomerFileList) -> Vec<CustomerFile> {
        std::mem::take(&mut response.result)
    }
}

/// The paging style of [`CustomerFileListRequest`]: keyset by the last record's id.
///
/// The next request is the previous one with `lastId` set to the id of the last record
/// received (every filter kept). The export ends on an empty page or a short one: shorter than
/// the `pageSize` asked for or, when the response reports a smaller `pageSize` (a server-side
/// cap), shorter than that, so a capped page size does not end an export early. A `lastId`
/// requested twice (a server ignoring it) is reported as a pagination error instead of
/// looping. If an export started from the beginning ends before the `totalCount` of its first
/// page was reached, a warning is logged (the meaning of the totals under keyset paging is not
/// documented, so it is not treated as an error).
#[derive(Debug, Default)]
pub struct FileKeyset {
    first_total: Option<i64>,
    seen: u64,
}

impl Paginator<CustomerFileListRequest> for FileKeyset {
    const STYLE: scrm_core::PagingStyle = scrm_core::PagingStyle::Keyset;

    fn position(&self, request: &CustomerFileListRequest) -> Position {
        Position::LastId {
            last_id: request.last_id.as_ref().map(|id| id.as_str().to_owned()),
        }
    }

    fn resume(
        &mut self,
        request: &mut CustomerFileListRequest,
        position: &Position,
    ) -> Result<(), Error> {
        match position {
            Position::LastId { last_id } => {
                request.last_id = match last_id {
                    None => None,
                    Some(text) => {
                        let id = Id::string(text.as_str());
                        Some(Id::number(numeric_id("lastId", &id)?))
                    }
                };
                Ok(())
            }
            other => Err(Error::new(
                ErrorKind::InvalidInput,
                format!("cannot resume from {other}: customer files page by last id"),
            )),
        }
    }

    fn next(
        &mut self,
        request: &CustomerFileListRequest,
        response: &CustomerFileList,
        items: &[CustomerFile],
        _options: &PageOptions,
    ) -> Result<Step<CustomerFileListRequest>, Error> {
        let Some(last) = items.last() else {
            return Ok(Step::Done);
        };
        let received = items.len() as u64;
        if self.seen == 0 && request.last_id.is_none() {
            // The first page of an export from the start: its total covers the whole export.
            self.first_total = response.total_count;
        }
        self.seen += received;
        let asked = u64::from(request.page_size);
        let served = response
            .page_size
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n > 0)
            .map_or(asked, |n| n.min(asked));
        if received < served {
            if let Some(total) = self.first_total
                && i64::try_from(self.seen).is_ok_and(|seen| seen < total)
            {
                tracing::warn!(
                    operation = <CustomerFileListRequest as Operation>::NAME,
                    seen = self.seen,
                    total,
                    "short page before the first page's totalCount: export ends here"
                );
            }
            return Ok(Step::Done);
        }
        let last_id = last.id.as_u64().ok_or_else(|| {
            Error::new(
                ErrorKind::Pagination,
                format!(
                    "the last record's id {:?} is not an integer: cannot send it as `lastId`",
                    last.id.as_str()
                ),
            )
        })?;
        let mut next = request.clone();
        next.last_id = Some(Id::number(last_id));
        Ok(Step::Next(next))
    }
}

/// One page (`data`) of 客户文件查询接口, with its paging totals.
///
/// In a page stream, [`Page::response`] is this value with `result` taken out: the totals of
/// each page stay readable there.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomerFileList {
    /// `totalCount`: number of records (总条数).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_count: Option<i64>,
    /// `totalPage`: number of pages (总页数).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_page: Option<i64>,
    /// `pageNo`: page number (页数; `0` in the example, its base is undocumented).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_no: Option<i64>,
    /// `pageSize`: the page size the server applied (页大小).
    #[serde(
        default,
        deserialize_with = "scrm_core::de::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<i64>,
    /// `result`: the records (文件信息), taken out into [`Page::items`] by page streams.
    #[serde(default, deserialize_with = "null_as_default")]
    pub result: Vec<CustomerFile>,
}

/// A file attached to a customer.
///
/// Serializes back to the vendor's record form (`fileContent` as the original string).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomerFile {
    /// `id`: the record id (the keyset position).
    pub id: Id,
    /// `corpid`: the WeCom corp id (lower-case key on the wire).
    #[serde(default)]
    pub corpid: Option<String>,
    /// `salesId`: the salesperson's tanma user id.
    #[serde(default)]
    pub sales_id: Option<Id>,
    /// `customerId`: the tanma customer id.
    #[serde(default)]
    pub customer_id: Option<Id>,
    /// `createTime` (China time).
    #[serde(default, deserialize_with = "scrm_core::de::opt_china_datetime")]
    pub create_time: Option<ChinaDateTime>,
    /// `fileContent`: a JSON document inside a string, decoded; the original string is kept
    /// ([`JsonString::raw`]) and written back unchanged.
    #[serde(default, deserialize_with = "scrm_core::de::opt_json_string")]
    pub file_content: Option<JsonString<FileContent>>,
    /// `fileName`.
    #[serde(default)]
    pub file_name: Option<String>,
    /// `operatorId`: who uploaded it.
    #[serde(default)]
    pub operator_id: Option<Id>,
    /// `authorName`.
    #[serde(default)]
    pub author_name: Option<String>,
    /// `followContent`: `null` in every example; its type is undocumented, so it is kept as
    /// JSON.
    #[serde(default)]
    pub follow_content: Option<serde_json::Value>,
    /// Keys this version does not model, kept so that nothing the vendor sends is lost.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// The decoded `fileContent` of a [`CustomerFile`]:
/// `{"name":"0.0.2-SNAPSHOT","url":"https://…rar","size":"29.9KB","type":"rar","fileId":"group1/…rar"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FileContent {
    /// `name`: the file's display name.
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// `url`: where to download it.
    #[serde(default, deserialize_with = "opt_text")]
    pub url: Option<String>,
    /// `size`: human-readable text such as `"29.9KB"`, not a number of bytes.
    #[serde(default, deserialize_with = "opt_text")]
    pub size: Option<String>,
    /// `type`: the file extension (`"rar"`).
    #[serde(rename = "type", default, deserialize_with = "opt_text")]
    pub r#type: Option<String>,
    /// `fileId`: the storage id.
    #[serde(default, deserialize_with = "opt_text")]
    pub file_id: Option<String>,
}

impl TanmaClient {
    /// Every file matching the request, across all pages (客户文件查询接口), in the server's
    /// order (descending ids in the example).
    ///
    /// Pages by `lastId` = the id of the last record received; ends on an empty or short page
    /// (see [`FileKeyset`]). The first error ends the stream.
    ///
    /// ```no_run
    /// # async fn run(client: scrm_tanma::TanmaClient) -> Result<(), scrm_tanma::Error> {
    /// use futures::TryStreamExt;
    /// use scrm_tanma::CustomerFileListRequest;
    /// let request = CustomerFileListRequest::new().customer_id(442273848965184u64);
    /// let files: Vec<_> = client.customer_files(request).try_collect().await?;
    /// for file in &files {
    ///     let url = file.file_content.as_ref().and_then(|c| c.value().url.as_deref());
    ///     println!("{} {:?} {:?}", file.id, file.file_name, url);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn customer_files(
        &self,
        request: CustomerFileListRequest,
    ) -> impl Stream<Item = Result<CustomerFile, Error>> + Send + 'static {
        self.core().items(request)
    }

    /// The pages of [`customer_files`](Self::customer_files), each with its paging totals in
    /// [`Page::response`] and the position to resume from in [`Page::next`].
    pub fn customer_files_pages(
        &self,
        request: CustomerFileListRequest,
    ) -> impl Stream<Item = Result<Page<CustomerFileListRequest>, Error>> + Send + 'static {
        self.core().pages(request)
    }

    /// [`customer_files_pages`](Self::customer_files_pages) with explicit page options (page
    /// cap, resume position, empty-page retries).
    pub fn customer_files_pages_with(
        &self,
        request: CustomerFileListRequest,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page<CustomerFileListRequest>, Error>> + Send + 'static {
        self.core().pages(request).options(options)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn file(id: u64) -> CustomerFile {
        serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
    }

    fn page(page_size: Option<i64>, total: Option<i64>) -> CustomerFileList {
        CustomerFileList {
            page_size,
            total_count: total,
            ..CustomerFileList::default()
        }
    }

    fn next_last_id(step: Step<CustomerFileListRequest>) -> Option<String> {
        match step {
            Step::Next(r) => Some(r.last_id.unwrap().to_string()),
            Step::Done => None,
            Step::Retry(e) => panic!("unexpected retry: {e}"),
        }
    }

    #[test]
    fn keyset_continues_on_full_pages_and_keeps_filters() {
        let mut style = FileKeyset::default();
        let request = CustomerFileListRequest::new()
            .user_id("zhangsan")
            .page_size(2);
        let step = style
            .next(
                &request,
                &page(None, None),
                &[file(9), file(7)],
                &PageOptions::default(),
            )
            .unwrap();
        let Step::Next(next) = step else {
            panic!("expected a next page")
        };
        assert_eq!(next.last_id, Some(Id::number(7)));
        assert_eq!(next.user_id.as_deref(), Some("zhangsan"));
        assert_eq!(next.page_size, 2);
    }

    #[test]
    fn keyset_ends_on_short_or_empty_pages() {
        let request = CustomerFileListRequest::new().page_size(2);
        let o = PageOptions::default();
        let mut style = FileKeyset::default();
        assert_eq!(
            next_last_id(
                style
                    .next(&request, &page(None, None), &[file(9)], &o)
                    .unwrap()
            ),
            None
        );
        assert_eq!(
            next_last_id(style.next(&request, &page(None, None), &[], &o).unwrap()),
            None
        );
    }

    #[test]
    fn keyset_uses_a_smaller_served_page_size() {
        let request = CustomerFileListRequest::new().page_size(100);
        let o = PageOptions::default();
        let mut style = FileKeyset::default();
        // The server capped the page at 2: a page of 2 is full, not short.
        let step = style
            .next(&request, &page(Some(2), Some(5)), &[file(9), file(8)], &o)
            .unwrap();
        assert_eq!(next_last_id(step).as_deref(), Some("8"));
        // A larger reported size never makes the threshold exceed what was asked for.
        let request = CustomerFileListRequest::new().page_size(2);
        let step = style
            .next(&request, &page(Some(50), None), &[file(7), file(6)], &o)
            .unwrap();
        assert_eq!(next_last_id(step).as_deref(), Some("6"));
    }

    #[test]
    fn resume_accepts_only_numeric_last_ids() {
        let mut style = FileKeyset::default();
        let mut request = CustomerFileListRequest::new();
        style
            .resume(
                &mut request,
                &Position::LastId {
                    last_id: Some("460911105235008".into()),
                },
            )
            .unwrap();
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"pageSize":100,"lastId":460911105235008}"#
        );
        let e = style
            .resume(
                &mut request,
                &Position::LastId {
                    last_id: Some("abc".into()),
                },
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e = style
            .resume(&mut request, &Position::Offset { offset: 3 })
            .unwrap_err();
        assert!(e.message().contains("last id"), "{e}");
    }

    #[test]
    fn validate_refuses_non_numeric_ids_and_zero_page_size() {
        assert!(CustomerFileListRequest::new().validate().is_ok());
        let e = CustomerFileListRequest::new()
            .customer_id("abc")
            .validate()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("`customerId`"), "{e}");
        // A numeric id held as a string is sent as a number.
        let r = CustomerFileListRequest::new().sales_id("410308323612736");
        assert!(r.validate().is_ok());
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"salesId":410308323612736,"pageSize":100}"#
        );
        let e = CustomerFileListRequest::new()
            .page_size(0)
            .validate()
            .unwrap_err();
        assert!(e.message().contains("`pageSize`"), "{e}");
    }
}
