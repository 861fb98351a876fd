//! 获取添加客户列表: `GET /open-api/external_user_staff_relation/list`, customer–staff relations
//! (who added whom, when), paged by `offset`/`limit` (at most 100) with a `total`.
//!
//! Fidelity: **third-party code** (`vendor-docs/weiban-external-user-staff-relation-list.txt`):
//! no vendor page was found; parameters and fields come from a production client's docstring.
//! `start_add_time`/`end_add_time` filter on when the staff added the customer (creation of
//! the relation), so this is not a change feed.

use scrm_core::check;
use scrm_core::de::UnixSeconds;

use crate::wire::CustomerType;
use crate::{MAX_LIST_LIMIT, Weiban};

scrm_core::lenient_enum! {
    /// Whether the customer was lost (`outflow`): leave unset for every customer.
    pub enum Outflow: int {
        /// Not lost (未流失, `0`).
        Kept = 0,
        /// Lost (已流失, `1`).
        Lost = 1,
    }
}

scrm_core::operation! {
    /// Request of 获取添加客户列表 (`GET /open-api/external_user_staff_relation/list`).
    ///
    /// Fidelity of our copy of the docs: third-party code.
    ///
    /// ```
    /// use scrm_weiban::{CustomerStaffList, Outflow, UnixSeconds};
    /// let request = CustomerStaffList::new().outflow(Outflow::Kept).start_add_time(UnixSeconds(1));
    /// assert_eq!(request.outflow, Some(Outflow::Kept));
    /// ```
    pub struct CustomerStaffList: Weiban, GET "/open-api/external_user_staff_relation/list", query
        => CustomerStaffListResponse as "external_user_staff_relation/list" {
        /// Added at or after, epoch seconds (起始时间).
        start_add_time: UnixSeconds,
        /// Added at or before, epoch seconds (截止时间).
        end_add_time: UnixSeconds,
        /// Records per page, 1 to [`MAX_LIST_LIMIT`] (default 30; streams send 100).
        limit: u32,
        /// Records to skip, from 0.
        offset: u64,
        /// Only the relations of this staff member.
        staff_id: String,
        /// Only lost (1) or kept (0) customers.
        outflow: Outflow,
    }
    validate(r) {
        check::in_range("limit", r.limit, 1, MAX_LIST_LIMIT.into())?;
        check::not_negative("start_add_time", r.start_add_time.map(|t| t.0))?;
        check::window("start_add_time", r.start_add_time, "end_add_time", r.end_add_time)
    }
}

scrm_core::record! {
    /// Payload of [`CustomerStaffList`].
    pub struct CustomerStaffListResponse {
        /// The relations of this page (客户列表).
        external_user_list: Vec<CustomerStaff>,
        /// Relations in all pages (总数).
        total: u64,
    }
}

scrm_core::record! {
    /// A customer with one of its staff relations (`external_user_list[]`).
    pub struct CustomerStaff {
        /// The customer's external user id.
        id: String,
        /// Nickname (客户昵称).
        name: String,
        /// Avatar URL.
        avatar: String,
        /// Gender.
        gender: u8,
        /// 1 a WeChat user, 2 a WeCom user.
        customer_type as "type": CustomerType,
        /// Company short name (企业名称).
        corp_name: String,
        /// Full company name (企业全称).
        corp_full_name: String,
        /// Position (职位).
        position: String,
        /// Customer score (客户评分), as sent.
        score: serde_json::Value,
        /// WeChat unionid.
        unionid: String,
        /// When weiban recorded the customer (入库时间), epoch seconds.
        created_at: UnixSeconds,
        /// When the customer last changed (更新时间), epoch seconds.
        updated_at: UnixSeconds,
        /// The relation: staff id, add time, remark.
        staff_relation: StaffRelation,
    }
}

scrm_core::record! {
    /// A customer–staff relation (`staff_relation`).
    pub struct StaffRelation {
        /// The staff member (员工id).
        staff_id: String,
        /// When the staff added the customer (员工添加时间), epoch seconds.
        add_time: UnixSeconds,
        /// The staff's remark (备注).
        remark: String,
    }
}

scrm_core::paging!(CustomerStaffList => CustomerStaff,
    offset(offset, limit = MAX_LIST_LIMIT as u64), total(total), items(external_user_list));

scrm_core::register!(CustomerStaffList {
    name: "customer-staff",
    title: "获取添加客户列表",
    record: CustomerStaff,
    key: ["id", "staff_relation.staff_id"],
    incremental: None,
    fidelity: ThirdPartyCode,
});
