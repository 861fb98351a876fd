//! 按创建时间列出线索&待分配客户: `POST /api/v3/clue/list-by-create-time-asc`, the clues and
//! not-yet-assigned customers created in `[since, before)`, oldest first, paged by an opaque
//! cursor (`cursor`/`size` → `nextCursor`). Fidelity: the whole vendor page
//! (`vendor-docs/tanma-clue-list-by-create-time-asc.txt`).

use scrm_core::check;
use scrm_core::de::{ChinaDateTime, Id};

use crate::Tanma;
use crate::wire::{ClueField, DateTimeParam};

/// Records per page the streams ask for when the request sets no `size` (and the `pageSize` of
/// the other tanma streams): 100. Sent explicitly, so an export never crawls at an undocumented
/// server default.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

scrm_core::operation! {
    /// Request of 按创建时间列出线索&待分配客户: the clues and not-yet-assigned customers created
    /// in `[since, before)`, oldest first, paged by an opaque cursor. Fidelity: page.
    ///
    /// On the wire: `{"since": "2024-01-01 00:00:00", "before": "2024-01-02 00:00:00", "size":
    /// 100, "type": 1, "cursor": "…"}`. `since` and `before` are always sent as
    /// `yyyy-MM-dd HH:mm:ss` in China time (UTC+8), whatever form they were parsed from
    /// ([`DateTimeParam`]).
    ///
    /// The vendor's own example (`"since": "sunt", "before": "enim qui in"`) is lorem-ipsum
    /// filler that no date parser accepts: deserializing it into this type fails with an error
    /// naming `since`. The documented format is the one working clients send.
    ///
    /// ```
    /// use scrm_tanma::{ChinaDateTime, ClueList};
    /// let request = ClueList::new()
    ///     .since(ChinaDateTime::parse("2024-01-01 00:00:00").unwrap())
    ///     .before(ChinaDateTime::parse("2024-01-02").unwrap())
    ///     .size(100);
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#
    /// );
    /// ```
    pub struct ClueList: Tanma, POST "/api/v3/clue/list-by-create-time-asc"
        => ClueListResponse as "clue/list-by-create-time-asc" {
        /// Start of the creation-time window, inclusive (指定时间段开始时间(包含)). Required by
        /// tanma; streams send 2000-01-01 00:00:00 when unset (the whole history).
        since: DateTimeParam = required,
        /// End of the creation-time window, exclusive (指定时间段结束时间(不包含)). Required by
        /// tanma; streams send tomorrow (China time) when unset.
        before: DateTimeParam = required,
        /// Records per page (获取数量), at least 1; streams send [`DEFAULT_PAGE_SIZE`] when unset.
        size: u32,
        /// 类型: undocumented values (the examples show 1 and 2).
        r#type as "type": i64,
        /// 游标: the `nextCursor` of the previous page; unset (or empty) for the first page.
        cursor: String,
    }
    validate(r) {
        check::window("since", r.since.as_ref(), "before", r.before.as_ref())?;
        check::at_least("size", r.size, 1)
    }
}

scrm_core::record! {
    /// One page (`data`) of [`ClueList`].
    pub struct ClueListResponse {
        /// 线索&待分配客户列表: the records (taken out into `Page::items` by page streams).
        list: Vec<Clue>,
        /// 游标 of the next page; null, absent or empty at the end.
        next_cursor as "nextCursor": String,
    }
}

scrm_core::record! {
    /// A clue or not-yet-assigned customer (线索&待分配客户). The page announces 9 keys per
    /// record and shows 8: the others stay in `extra`.
    pub struct Clue {
        /// The tanma customer id (a JSON number, possibly above 2^53).
        customer_id as "customerId": Id,
        /// Whether the record is a clue (false on both documented examples).
        is_clue as "isClue": bool,
        /// Undocumented values (the examples show 1 and 2).
        r#type as "type": i64,
        /// The record's field values, each decoded by its type ([`ClueField`]).
        fields: Vec<ClueField>,
        /// WeCom tag ids.
        tag_ids as "tagIds": Vec<String>,
        /// Creation time (China time; may carry fractional seconds).
        create_time as "createTime": ChinaDateTime,
        /// Last update time (China time; may carry fractional seconds).
        last_update_time as "lastUpdateTime": ChinaDateTime,
        /// The company the record belongs to, when it has one.
        company_info as "companyInfo": CompanyInfo,
    }
}

scrm_core::record! {
    /// `companyInfo` of a [`Clue`].
    pub struct CompanyInfo {
        /// Company id.
        id: Id,
        /// Company name.
        name: String,
    }
}

impl Clue {
    /// The field named `name` (e.g. `"mobile"`), if the record has it.
    pub fn field(&self, name: &str) -> Option<&ClueField> {
        self.fields.iter().flatten().find(|f| f.field() == name)
    }
}

scrm_core::paging!(ClueList => Clue,
    cursor(cursor, size = DEFAULT_PAGE_SIZE as u64), next(next_cursor), items(list),
    then(r) { crate::wire::whole_history(&mut r.since, &mut r.before) });

scrm_core::register!(ClueList {
    name: "clues",
    title: "按创建时间列出线索&待分配客户",
    record: Clue,
    key: ["customerId"],
    incremental: Some(Incremental::new(
        ChangeKind::Creations,
        "createTime",
        Some("since"),
        Some("before"),
        Granularity::DateTime,
    )),
    fidelity: Page,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::{ErrorKind, Operation, Paged};

    use super::*;

    fn at(s: &str) -> ChinaDateTime {
        ChinaDateTime::parse(s).unwrap()
    }

    fn window(since: &str, before: &str) -> ClueList {
        ClueList::new().since(at(since)).before(at(before))
    }

    #[test]
    fn streams_make_the_page_size_explicit() {
        let mut r = window("2024-01-01 00:00:00", "2024-01-02 00:00:00");
        r.prepare();
        assert_eq!(r.size, Some(DEFAULT_PAGE_SIZE));
        let mut r = r.size(7u32);
        r.prepare();
        assert_eq!(r.size, Some(7), "an explicit size is kept");
    }

    #[test]
    fn request_wire_form_is_normalised() {
        let r = window("2024-01-01 08:00", "2024-01-02 00:00:00.250")
            .r#type(2)
            .cursor("AAAA");
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"since":"2024-01-01 08:00:00","before":"2024-01-02 00:00:00","type":2,"cursor":"AAAA"}"#
        );
        let mut r = window("2024-01-01", "2024-01-01").cursor("");
        r.prepare();
        assert_eq!(r.cursor, None);
    }

    #[test]
    fn validate_refuses_reversed_windows_and_zero_size() {
        let ok = window("2024-01-01", "2024-01-01");
        assert!(ok.validate().is_ok());
        let e = window("2024-01-02", "2024-01-01").validate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("`since`"), "{e}");
        let e = ok.size(0u32).validate().unwrap_err();
        assert!(e.message().contains("`size`"), "{e}");
        let e = ClueList::new()
            .before(at("2024-01-01"))
            .validate()
            .unwrap_err();
        assert_eq!(e.message(), "`since` is required");
    }

    #[test]
    fn clue_keeps_unknown_keys_and_round_trips() {
        let json = r#"{"customerId":9007199254740993,"isClue":true,"type":"1","fields":null,"tagIds":null,"createTime":"2021-05-11 15:15:48.123456","lastUpdateTime":"","ownerId":7}"#;
        let clue: Clue = serde_json::from_str(json).unwrap();
        assert_eq!(
            clue.customer_id.as_ref().unwrap().as_str(),
            "9007199254740993"
        );
        assert_eq!(clue.r#type, Some(1));
        assert!(clue.fields.is_none() && clue.tag_ids.is_none());
        assert_eq!(
            clue.create_time.as_ref().unwrap().as_str(),
            "2021-05-11 15:15:48.123456"
        );
        assert_eq!(clue.last_update_time, None);
        assert_eq!(clue.extra.get("ownerId"), Some(&serde_json::json!(7)));
        let out = serde_json::to_value(&clue).unwrap();
        assert_eq!(out["customerId"], serde_json::json!(9007199254740993u64));
        assert_eq!(out["ownerId"], serde_json::json!(7));
    }
}
