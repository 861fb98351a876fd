//! 客户文件查询接口: `POST /api/v3/customer/list-file-of-customer`, the files attached to
//! customers, paged by the last id received (`lastId` + `pageSize`), with paging totals.
//! Fidelity: the whole vendor page (`vendor-docs/tanma-customer-list-file-of-customer.txt`).

use scrm_core::check;
use scrm_core::de::{ChinaDateTime, Id, JsonString};

use super::clues::DEFAULT_PAGE_SIZE;
use crate::Tanma;
use crate::wire::{NumId, numeric};

scrm_core::operation! {
    /// Request of 客户文件查询接口: the files attached to customers, paged by the last id
    /// received. Fidelity: page.
    ///
    /// **`userId` or `salesId`**: the vendor's field table documents `userId` (string, the
    /// salesperson's WeCom userid, 销售用户的企微userId), while its example sends `salesId` (a
    /// number, a tanma-internal user id) instead, and which one the server honours is not
    /// documented. Both are optional and each is sent only when set: set the one your tenant's
    /// data answers to (or both). Setting neither is not refused: a server that needs one
    /// answers with its own error.
    ///
    /// Ids (`salesId`, `customerId`, `lastId`) travel as JSON numbers ([`NumId`]); an id that
    /// is not an integer is refused before sending. Streams always send `pageSize`
    /// ([`DEFAULT_PAGE_SIZE`] unless set).
    ///
    /// ```
    /// use scrm_tanma::CustomerFileList;
    /// let request = CustomerFileList::new()
    ///     .sales_id(410308323612736u64)
    ///     .customer_id(442273848965184u64)
    ///     .page_size(30);
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"salesId":410308323612736,"customerId":442273848965184,"pageSize":30}"#
    /// );
    /// ```
    pub struct CustomerFileList: Tanma, POST "/api/v3/customer/list-file-of-customer"
        => CustomerFileListResponse as "customer/list-file-of-customer" {
        /// The salesperson's WeCom userid (销售用户的企微userId; per the field table).
        user_id as "userId": String,
        /// The salesperson's tanma user id (per the example; not in the field table).
        sales_id as "salesId": NumId,
        /// The tanma customer id (探马客户id).
        customer_id as "customerId": NumId,
        /// The customer's WeCom external userid (企微客户id).
        external_user_id as "externalUserId": String,
        /// Records per page (页大小), at least 1.
        page_size as "pageSize": u32,
        /// The id of the last record of the previous page (最大记录id); unset for the first page.
        last_id as "lastId": NumId,
    }
    validate(r) {
        check::at_least("pageSize", r.page_size, 1)?;
        numeric("salesId", r.sales_id.as_ref())?;
        numeric("customerId", r.customer_id.as_ref())?;
        numeric("lastId", r.last_id.as_ref())
    }
}

scrm_core::record! {
    /// One page (`data`) of [`CustomerFileList`], with its paging totals (which stay readable
    /// on `Page::response` once the records moved to `Page::items`).
    pub struct CustomerFileListResponse {
        /// 总条数: number of records.
        total_count as "totalCount": i64,
        /// 总页数: number of pages.
        total_page as "totalPage": i64,
        /// 页数: page number (`0` in the example; its base is undocumented).
        page_no as "pageNo": i64,
        /// 页大小: the page size the server applied.
        page_size as "pageSize": i64,
        /// 文件信息: the records.
        result: Vec<CustomerFile>,
    }
}

scrm_core::record! {
    /// A file attached to a customer. `followContent` (`null` in every example, type
    /// undocumented) stays in `extra`, so a record is written back exactly as received.
    pub struct CustomerFile {
        /// The record id (the keyset position).
        id: Id,
        /// The WeCom corp id (lower-case key on the wire).
        corpid: String,
        /// The salesperson's tanma user id.
        sales_id as "salesId": Id,
        /// The tanma customer id.
        customer_id as "customerId": Id,
        /// Upload time (China time).
        create_time as "createTime": ChinaDateTime,
        /// A JSON document inside a string, decoded; the original string is kept
        /// ([`JsonString::raw`]) and written back unchanged.
        file_content as "fileContent": JsonString<FileContent>,
        /// The file name.
        file_name as "fileName": String,
        /// Who uploaded it.
        operator_id as "operatorId": Id,
        /// The uploader's name.
        author_name as "authorName": String,
    }
}

scrm_core::record! {
    /// The decoded `fileContent` of a [`CustomerFile`].
    pub struct FileContent {
        /// The file's display name.
        name: String,
        /// Where to download it.
        url: String,
        /// Human-readable text such as `"29.9KB"`, not a number of bytes.
        size: String,
        /// The file extension (`"rar"`).
        r#type as "type": String,
        /// The storage id.
        file_id as "fileId": String,
    }
}

crate::paging::keyset_with_totals!(CustomerFileList => CustomerFile,
    last_id(last_id as "lastId"), page_size(page_size = DEFAULT_PAGE_SIZE), key(id),
    items(result), totals(total_count, page_size));

scrm_core::register!(CustomerFileList {
    name: "customer-files",
    title: "客户文件查询接口",
    record: CustomerFile,
    key: ["id"],
    // `lastId` is documented as 最大记录id ("the largest record id"): pages come newest first,
    // each holding ids below the last one (issue 14 treats this list as newest first too).
    incremental: Some(Incremental::new(
        ChangeKind::NewestFirst,
        "id",
        None,
        None,
        Granularity::Id,
    )),
    fidelity: Page,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::{ErrorKind, Operation, PageOptions, Paged, Paginator, Position, Step};

    use super::*;
    use crate::FileKeyset;

    fn file(id: u64) -> CustomerFile {
        serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
    }

    fn page(page_size: Option<i64>, total: Option<i64>) -> CustomerFileListResponse {
        CustomerFileListResponse {
            page_size,
            total_count: total,
            ..CustomerFileListResponse::default()
        }
    }

    fn next_last_id(step: Step<CustomerFileList>) -> Option<String> {
        match step {
            Step::Next(r) => Some(r.last_id.unwrap().to_string()),
            Step::Done => None,
            Step::Retry(e) => panic!("unexpected retry: {e}"),
        }
    }

    #[test]
    fn keyset_continues_on_full_pages_and_keeps_filters() {
        let mut style = FileKeyset::default();
        let request = CustomerFileList::new().user_id("zhangsan").page_size(2u32);
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
        assert_eq!(next.last_id.as_ref().map(NumId::as_str), Some("7"));
        assert_eq!(serde_json::to_value(&next.last_id).unwrap(), 7);
        assert_eq!(next.user_id.as_deref(), Some("zhangsan"));
        assert_eq!(next.page_size, Some(2));
    }

    #[test]
    fn keyset_ends_on_short_or_empty_pages() {
        let request = CustomerFileList::new().page_size(2u32);
        let o = PageOptions::default();
        let mut style = FileKeyset::default();
        let short = style.next(&request, &page(None, None), &[file(9)], &o);
        assert_eq!(next_last_id(short.unwrap()), None);
        let empty = style.next(&request, &page(None, None), &[], &o);
        assert_eq!(next_last_id(empty.unwrap()), None);
    }

    #[test]
    fn keyset_uses_a_smaller_served_page_size() {
        let request = CustomerFileList::new().page_size(100u32);
        let o = PageOptions::default();
        let mut style = FileKeyset::default();
        // The server capped the page at 2: a page of 2 is full, not short.
        let step = style
            .next(&request, &page(Some(2), Some(5)), &[file(9), file(8)], &o)
            .unwrap();
        assert_eq!(next_last_id(step).as_deref(), Some("8"));
        // A larger reported size never makes the threshold exceed what was asked for.
        let request = CustomerFileList::new().page_size(2u32);
        let step = style
            .next(&request, &page(Some(50), None), &[file(7), file(6)], &o)
            .unwrap();
        assert_eq!(next_last_id(step).as_deref(), Some("6"));
    }

    #[test]
    fn a_non_numeric_last_record_id_is_a_pagination_error() {
        let request = CustomerFileList::new().page_size(1u32);
        let item: CustomerFile = serde_json::from_str(r#"{"id":"abc"}"#).unwrap();
        let e = FileKeyset::default()
            .next(
                &request,
                &page(None, None),
                &[item],
                &PageOptions::default(),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Pagination);
        assert!(e.message().contains("\"abc\""), "{e}");
    }

    #[test]
    fn resume_accepts_only_numeric_last_ids() {
        let mut style = FileKeyset::default();
        let mut request = CustomerFileList::new();
        request.prepare();
        let at = |id: &str| Position::LastId {
            last_id: Some(id.into()),
        };
        style.resume(&mut request, &at("460911105235008")).unwrap();
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"pageSize":100,"lastId":460911105235008}"#
        );
        let e = style.resume(&mut request, &at("abc")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e = style
            .resume(&mut request, &Position::Offset { offset: 3 })
            .unwrap_err();
        assert!(e.message().contains("last id"), "{e}");
    }

    #[test]
    fn validate_refuses_non_numeric_ids_and_zero_page_size() {
        assert!(CustomerFileList::new().validate().is_ok());
        let e = CustomerFileList::new()
            .customer_id("abc")
            .validate()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("`customerId`"), "{e}");
        // A numeric id held as a string is sent as a number.
        let mut r = CustomerFileList::new().sales_id("410308323612736");
        r.prepare();
        assert!(r.validate().is_ok());
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"salesId":410308323612736,"pageSize":100}"#
        );
        let e = CustomerFileList::new()
            .page_size(0u32)
            .validate()
            .unwrap_err();
        assert!(e.message().contains("`pageSize`"), "{e}");
    }
}
