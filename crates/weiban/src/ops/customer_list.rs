//! 获取客户列表: `GET /open-api/external_user/list`, every customer, paged by `offset`/`limit`
//! (at most 100).
//!
//! Fidelity: **third-party code** (`vendor-docs/weiban-external-user-list.txt`): no vendor page
//! was found; the parameters come from a public SDK's comments, the record keys from a client
//! that reads them. `start_time`/`end_time` filter on the time weiban recorded the customer
//! (creation), so this is not a change feed: use [`CustomerUpdateList`](crate::CustomerUpdateList).

use scrm_core::check;
use scrm_core::de::UnixSeconds;

use crate::Weiban;
use crate::wire::{CustomerType, Order};

/// The documented maximum (and the streams' default) of `limit` on weiban's lists.
pub const MAX_LIST_LIMIT: u32 = 100;

scrm_core::operation! {
    /// Request of 获取客户列表 (`GET /open-api/external_user/list`). Every parameter is optional.
    ///
    /// Fidelity of our copy of the docs: third-party code.
    ///
    /// ```
    /// use scrm_weiban::{CustomerList, CustomerType, Order};
    /// let request = CustomerList::new().customer_type(CustomerType::Wechat).order(Order::Desc);
    /// assert_eq!(request.limit, None);
    /// ```
    pub struct CustomerList: Weiban, GET "/open-api/external_user/list", query
        => CustomerListResponse as "external_user/list" {
        /// Only the customers of this WeCom staff id (customers the staff deleted are left out).
        staff_id: String,
        /// Only customers of this type.
        customer_type as "type": CustomerType,
        /// Only the customer with this phone number.
        phone_number: String,
        /// Order by the time weiban recorded the customer (default `asc`).
        order: Order,
        /// Recorded at or after, epoch seconds.
        start_time: UnixSeconds,
        /// Recorded at or before, epoch seconds.
        end_time: UnixSeconds,
        /// Records per page, 1 to [`MAX_LIST_LIMIT`] (weiban's default 30; streams send 100).
        limit: u32,
        /// Records to skip, from 0.
        offset: u64,
    }
    validate(r) {
        check::in_range("limit", r.limit, 1, MAX_LIST_LIMIT.into())?;
        check::not_negative("start_time", r.start_time.map(|t| t.0))?;
        check::window("start_time", r.start_time, "end_time", r.end_time)
    }
}

scrm_core::record! {
    /// Payload of [`CustomerList`].
    pub struct CustomerListResponse {
        /// The customers of this page.
        external_user_list: Vec<Customer>,
        /// Customers in all pages: returned by the sibling lists, not observed for this one;
        /// used to check the export when present.
        total: u64,
    }
}

scrm_core::record! {
    /// A customer of [`CustomerList`] (the keys a production client reads; the rest in `extra`).
    pub struct Customer {
        /// The customer's external user id.
        id: String,
        /// When weiban recorded the customer, epoch seconds.
        created_at: UnixSeconds,
        /// Nickname.
        name: String,
        /// 1 a WeChat user, 2 a WeCom user.
        customer_type as "type": CustomerType,
        /// Avatar URL.
        avatar: String,
        /// Gender as WeCom codes it.
        gender: u8,
        /// WeChat unionid.
        unionid: String,
    }
}

scrm_core::paging!(CustomerList => Customer,
    offset(offset, limit = MAX_LIST_LIMIT as u64), total(total), items(external_user_list));

scrm_core::register!(CustomerList {
    name: "customers",
    title: "获取客户列表",
    record: Customer,
    key: ["id"],
    incremental: None,
    fidelity: ThirdPartyCode,
});
