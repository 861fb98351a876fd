//! 获取客户详情: `GET /open-api/external_user/get`, one customer with the staff who follow it.
//!
//! Fidelity: **partial** (`vendor-docs/weiban-external-user-get.txt`): the parameters and the
//! request example are complete; the response table and example are cut off, so
//! [`CustomerDetail`] types the fields visible before the cut and keeps the rest in `extra`.

use scrm_core::check;

use crate::Weiban;
use crate::customer::CustomerDetail;

scrm_core::operation! {
    /// Request of 获取客户详情 (`GET /open-api/external_user/get`): `id` or `unionid` is required
    /// (20208); the parameters travel in the query.
    ///
    /// Fidelity of our copy of the docs: partial: response table and example cut off.
    ///
    /// ```
    /// use scrm_weiban::GetCustomer;
    /// let request = GetCustomer::new().id("wm8zkSaSL7dgds4s45fw");
    /// assert_eq!(request.id.as_deref(), Some("wm8zkSaSL7dgds4s45fw"));
    /// ```
    pub struct GetCustomer: Weiban, GET "/open-api/external_user/get", query
        => GetCustomerResponse as "external_user/get" {
        /// The customer's external user id (20206 if unknown).
        id: String,
        /// The customer's WeChat unionid (20207 if unknown).
        unionid: String,
        /// The customer's WeChat openid.
        openid: String,
    }
    validate(r) {
        check::not_blank("id", r.id.as_ref())?;
        check::not_blank("unionid", r.unionid.as_ref())?;
        check::one_of(&[("id", r.id.is_some()), ("unionid", r.unionid.is_some())])
    }
}

scrm_core::record! {
    /// Payload of [`GetCustomer`].
    pub struct GetCustomerResponse {
        /// Documented as "session总量" (copied from another page); 1 in the example.
        total: u64,
        /// The customer.
        external_user: CustomerDetail,
    }
}

scrm_core::paging!(GetCustomer => CustomerDetail, single, item(external_user));

scrm_core::register!(GetCustomer {
    name: "customer",
    title: "获取客户详情",
    record: CustomerDetail,
    key: ["id"],
    incremental: None,
    fidelity: Partial,
});
