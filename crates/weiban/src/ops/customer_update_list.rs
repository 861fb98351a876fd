//! 根据更新时间获取客户列表: `GET /open-api/external_user/update/list`, the customers changed in a
//! time window — weiban's change feed for incremental sync (update window in epoch seconds).
//!
//! Fidelity: **partial** (`vendor-docs/weiban-external-user-update-list.txt`): the request
//! parameters are documented, the response is not. Records are read from whatever list the
//! answer carries ([`AnyList`]; the sibling lists use `external_user_list`) with `total` when
//! present; only `updated_at` is documented (the `source` note: "返回的数据是external_user的
//! updated_at"), everything else is kept in each record's `extra`.

use scrm_core::check;
use scrm_core::de::UnixSeconds;

use crate::Weiban;
use crate::wire::{AnyList, CustomerType, Order};

/// Records per page the streams ask for when the request sets no `limit` (this page states no
/// maximum; the sibling customer lists allow at most 100).
pub const UPDATE_PAGE_LIMIT: u32 = 100;

scrm_core::lenient_enum! {
    /// Which change the update window filters on (`source`, required).
    pub enum UpdateSource: str {
        /// The customer record itself (`external_user.updated_at`).
        ExternalUser = "external_user",
        /// Basic information updated (客户更新基本信息, `remark`).
        Remark = "remark",
        /// Customer–staff relation updated (客户更新关系, `staff_relation`).
        StaffRelation = "staff_relation",
        /// Tags updated (客户更新标签, `tag_relation`).
        TagRelation = "tag_relation",
    }
}

scrm_core::operation! {
    /// Request of 根据更新时间获取客户列表 (`GET /open-api/external_user/update/list`).
    ///
    /// Fidelity of our copy of the docs: partial: parameters documented, response not.
    ///
    /// ```
    /// use scrm_weiban::{CustomerUpdateList, UnixSeconds, UpdateSource};
    /// let request = CustomerUpdateList::new()
    ///     .source(UpdateSource::ExternalUser)
    ///     .start_update_time(UnixSeconds(1634054400))
    ///     .end_update_time(UnixSeconds(1634140799));
    /// assert_eq!(request.source, Some(UpdateSource::ExternalUser));
    /// ```
    pub struct CustomerUpdateList: Weiban, GET "/open-api/external_user/update/list", query
        => AnyList<CustomerUpdate> as "external_user/update/list" {
        /// Sort order (`desc` in the example).
        order: Order,
        /// What the update window filters on, required; the records' `updated_at` is the
        /// customer's own whatever the source.
        source: UpdateSource = required,
        /// Only the customers of this staff member (e.g. `WuYaJun`).
        staff_id: String,
        /// Earliest update, epoch seconds (typed string on the page).
        start_update_time: UnixSeconds,
        /// Latest update, epoch seconds (the example window ends at …799: inclusive).
        end_update_time: UnixSeconds,
        /// Earliest add time, epoch seconds.
        start_add_time: UnixSeconds,
        /// Latest add time, epoch seconds.
        end_add_time: UnixSeconds,
        /// Records per page (no documented maximum); streams send [`UPDATE_PAGE_LIMIT`].
        limit: u32,
        /// Records to skip, from 0.
        offset: u64,
        /// Only the customer with this phone number.
        phone_number: String,
        /// Customer type (`1` in the example).
        customer_type as "type": CustomerType,
    }
    validate(r) {
        check::at_least("limit", r.limit, 1)?;
        check::not_negative("start_update_time", r.start_update_time.map(|t| t.0))?;
        check::not_negative("start_add_time", r.start_add_time.map(|t| t.0))?;
        check::window("start_update_time", r.start_update_time, "end_update_time", r.end_update_time)?;
        check::window("start_add_time", r.start_add_time, "end_add_time", r.end_add_time)
    }
}

scrm_core::record! {
    /// A changed customer. Only `updated_at` is documented for this endpoint; `id` is the key
    /// of weiban's other customer lists. Everything else weiban sends is in `extra`.
    pub struct CustomerUpdate {
        /// The customer's external user id (as on the sibling lists; unconfirmed here).
        id: String,
        /// When the customer last changed, epoch seconds (the incremental cursor).
        updated_at: UnixSeconds,
    }
}

scrm_core::paging!(CustomerUpdateList => CustomerUpdate,
    offset(offset, limit = UPDATE_PAGE_LIMIT as u64), total(total), items(items));

scrm_core::register!(CustomerUpdateList {
    name: "customer-updates",
    title: "根据更新时间获取客户列表",
    record: CustomerUpdate,
    key: ["id"],
    incremental: Some(Incremental::new(
        ChangeKind::Updates,
        "updated_at",
        Some("start_update_time"),
        Some("end_update_time"),
        Granularity::Seconds
    )),
    fidelity: Partial,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::Operation;

    use super::*;

    #[test]
    fn validation() {
        let ok = CustomerUpdateList::new().source(UpdateSource::ExternalUser);
        assert!(ok.validate().is_ok());
        for (request, why) in [
            (CustomerUpdateList::new(), "`source` is required"),
            (ok.clone().limit(0), "`limit` must be at least 1"),
            (
                ok.clone()
                    .start_update_time(UnixSeconds(5))
                    .end_update_time(UnixSeconds(4)),
                "`start_update_time` 5s is after `end_update_time` 4s",
            ),
            (
                ok.clone().start_add_time(UnixSeconds(-1)),
                "`start_add_time` must not be negative",
            ),
        ] {
            let e = request.validate().unwrap_err();
            assert!(e.message().contains(why), "{e}");
        }
    }
}
