//! 自定义表单用户与表单关系列表: `GET /open-api/smart_form/form/user/list`, the customers who
//! submitted smart forms, paged by `offset`/`limit` with a `total`. Fidelity: the whole vendor
//! page (`vendor-docs/weiban-smart-form-user-list.txt`).

use scrm_core::check;
use scrm_core::de::{Id, UnixSeconds};

use crate::Weiban;

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

scrm_core::operation! {
    /// Request of 自定义表单用户与表单关系列表 (`GET /open-api/smart_form/form/user/list`).
    ///
    /// Fidelity of our copy of the docs: page.
    ///
    /// Every parameter travels in the query (weiban types them all as strings; numbers are the
    /// same digits). Unset parameters are left out.
    ///
    /// ```
    /// use scrm_weiban::{FormUserStatus, SmartFormUserList, UnixSeconds};
    /// let request = SmartFormUserList::new()
    ///     .status(FormUserStatus::Submit)
    ///     .city("武汉")
    ///     .form_id(111u64)
    ///     .start_time(UnixSeconds(1626192000));
    /// assert_eq!(request.form_id.as_ref().map(|id| id.as_str()), Some("111"));
    /// ```
    pub struct SmartFormUserList: Weiban, GET "/open-api/smart_form/form/user/list", query
        => SmartFormUserListResponse as "smart_form/form/user/list" {
        /// Records per page (optional; no documented default or maximum). Streams send
        /// [`DEFAULT_PAGE_LIMIT`] when unset.
        limit: u32,
        /// Records to skip, from 0 (optional). Streams start at 0 when unset.
        offset: u64,
        /// Relation status, required: [`FormUserStatus::Submit`].
        status: FormUserStatus = required,
        /// Customer city, e.g. `武汉`.
        city: String,
        /// Form id (the records carry it as a number).
        form_id: Id,
        /// Earliest submission, epoch seconds.
        start_time: UnixSeconds,
        /// Latest submission, epoch seconds.
        end_time: UnixSeconds,
    }
    validate(r) {
        check::at_least("limit", r.limit, 1)?;
        check::not_blank("status", r.status.as_ref().map(FormUserStatus::as_str).as_ref())?;
        check::not_blank("form_id", r.form_id.as_ref().map(Id::as_str).as_ref())?;
        check::not_negative("start_time", r.start_time.map(|t| t.0))?;
        check::not_negative("end_time", r.end_time.map(|t| t.0))?;
        check::window("start_time", r.start_time, "end_time", r.end_time)
    }
}

scrm_core::record! {
    /// Payload of [`SmartFormUserList`]: the keys next to `errcode`/`errmsg`.
    pub struct SmartFormUserListResponse {
        /// The records of this page (`null` or absent reads as none).
        result: Vec<SmartFormUser>,
        /// Records matching the filters in all pages.
        total: u64,
    }
}

scrm_core::record! {
    /// One customer–form relation (an item of `result`).
    pub struct SmartFormUser {
        /// Customer city (客户城市).
        user_city: String,
        /// Relation status (documented as required).
        status: FormUserStatus,
        /// Customer nickname (客户昵称).
        user_name: String,
        /// Form id (表单ID; a number in the records).
        form_id: Id,
        /// WeChat unionid (documented as required; empty when weiban has none). May contain `-`.
        unionid: String,
        /// The customer's WeCom external user id (documented as required).
        external_user_id: String,
        /// Id of this customer–form relation (表单客户关联ID).
        u_id: Id,
        /// Avatar URL (客户头像).
        avatar: String,
        /// Submission time, epoch seconds (表单提交时间戳).
        submit_at: UnixSeconds,
        /// Form name (表单名称).
        form_name: String,
    }
}

scrm_core::paging!(SmartFormUserList => SmartFormUser,
    offset(offset, limit = DEFAULT_PAGE_LIMIT as u64), total(total), items(result));

scrm_core::register!(SmartFormUserList {
    name: "smart-form-users",
    title: "自定义表单用户与表单关系列表",
    record: SmartFormUser,
    key: ["u_id"],
    incremental: None,
    fidelity: Page,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::{ErrorKind, Operation, Paged};

    use super::*;

    #[test]
    fn validation() {
        let ok = SmartFormUserList::new().status(FormUserStatus::Submit);
        assert!(ok.validate().is_ok());
        let bad = [
            (ok.clone().limit(0u32), "`limit` must be at least 1"),
            (SmartFormUserList::new(), "`status` is required"),
            (ok.clone().form_id(""), "`form_id` must not be empty"),
            (
                ok.clone().start_time(UnixSeconds(-1)),
                "`start_time` must not be negative",
            ),
            (
                ok.clone()
                    .start_time(UnixSeconds(20))
                    .end_time(UnixSeconds(10)),
                "`start_time` 20s is after `end_time` 10s",
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
        let mut r = SmartFormUserList::new();
        r.prepare();
        assert_eq!((r.limit, r.offset), (Some(DEFAULT_PAGE_LIMIT), Some(0)));
        let mut r = SmartFormUserList::new().limit(7u32).offset(21u64);
        r.prepare();
        assert_eq!((r.limit, r.offset), (Some(7), Some(21)));
    }
}
