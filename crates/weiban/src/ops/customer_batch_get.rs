//! 批量获取客户详情: `POST /open-api/external_user/batch_get`, the details of up to 20 customers
//! at once. For any number of ids, use [`WeibanClient::batch_get`](crate::WeibanClient::batch_get)
//! (batches of 20, order kept, missing ids reported).
//!
//! Fidelity: **third-party code** (`vendor-docs/weiban-external-user-batch-get.txt`): no vendor
//! page was found. Both production clients send `{"id_list": […]}` and cap it at 20 ids; an
//! OpenAPI generator script says `external_user_ids` instead (the key of
//! `external_user/stage/get`). We follow the clients that call the live API: the body key is the
//! one `as "id_list"` below ([`BatchGetCustomers::BODY_KEY`]), the only place to change. The
//! records are presumably the `external_user` object of 获取客户详情 ([`CustomerDetail`]).

use scrm_core::{Operation, check};

use crate::Weiban;
use crate::customer::CustomerDetail;

scrm_core::operation! {
    /// Request of 批量获取客户详情 (`POST /open-api/external_user/batch_get`, JSON body).
    ///
    /// Fidelity of our copy of the docs: third-party code; body key `id_list` disputed.
    ///
    /// ```
    /// use scrm_weiban::BatchGetCustomers;
    /// let request = BatchGetCustomers::new().id_list(["wm1", "wm2"]);
    /// assert_eq!(serde_json::to_string(&request).unwrap(), r#"{"id_list":["wm1","wm2"]}"#);
    /// ```
    pub struct BatchGetCustomers: Weiban, POST "/open-api/external_user/batch_get"
        => BatchGetCustomersResponse as "external_user/batch_get" {
        /// The customers' external user ids, 1 to [`BatchGetCustomers::MAX_IDS`]; required.
        /// (The conflicting key: see the module documentation.)
        id_list as "id_list": Vec<String> = required,
    }
    validate(r) {
        check::list_len(Self::BODY_KEY, r.id_list.as_ref(), Self::MAX_IDS)
    }
}

impl BatchGetCustomers {
    /// Ids per call: "批量查询最多支持20个客户ID" (a production client); the other chunks by 20.
    pub const MAX_IDS: usize = 20;
    /// The body key of the id list, as declared above (`id_list`).
    pub const BODY_KEY: &'static str = <Self as Operation>::FIELDS[0].name;
}

scrm_core::record! {
    /// Payload of [`BatchGetCustomers`] (keys as both production clients read them).
    pub struct BatchGetCustomersResponse {
        /// The customers found (an array here, unlike 获取客户详情's single object).
        external_user: Vec<CustomerDetail>,
        /// Customers returned.
        total: u64,
    }
}

scrm_core::paging!(BatchGetCustomers => CustomerDetail, single, items(external_user));

scrm_core::register!(BatchGetCustomers {
    name: "customers-batch",
    title: "批量获取客户详情",
    record: CustomerDetail,
    key: ["id"],
    incremental: None,
    fidelity: ThirdPartyCode,
});
