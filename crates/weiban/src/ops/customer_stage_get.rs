//! 获取客户阶段状态: `POST /open-api/external_user/stage/get`, the sales stage of up to 50
//! customers, one row per (customer, following staff).
//!
//! Fidelity: **partial** (`vendor-docs/weiban-external-user-stage-get.txt`): the error table and
//! the request and response examples, no field tables. When none of the ids has a stage weiban
//! answers error 20609 rather than an empty list.

use scrm_core::check;
use scrm_core::de::Id;

use crate::Weiban;

/// Ids per call (20608: "external_user_ids列表长度超过限制(50)").
pub const MAX_STAGE_IDS: usize = 50;

scrm_core::operation! {
    /// Request of 获取客户阶段状态 (`POST /open-api/external_user/stage/get`, JSON body).
    ///
    /// Fidelity of our copy of the docs: partial: examples only, no field tables.
    ///
    /// ```
    /// use scrm_weiban::CustomerStageGet;
    /// let request = CustomerStageGet::new().external_user_ids(["wm1"]);
    /// assert_eq!(serde_json::to_string(&request).unwrap(), r#"{"external_user_ids":["wm1"]}"#);
    /// ```
    pub struct CustomerStageGet: Weiban, POST "/open-api/external_user/stage/get"
        => CustomerStageGetResponse as "external_user/stage/get" {
        /// The customers' external user ids, 1 to [`MAX_STAGE_IDS`] (20607, 20608); required.
        external_user_ids: Vec<String> = required,
    }
    validate(r) {
        check::list_len("external_user_ids", r.external_user_ids.as_ref(), MAX_STAGE_IDS)
    }
}

scrm_core::record! {
    /// Payload of [`CustomerStageGet`].
    pub struct CustomerStageGetResponse {
        /// One row per customer and following staff.
        stage_list: Vec<CustomerStage>,
        /// Rows returned.
        total: u64,
    }
}

scrm_core::record! {
    /// A customer's stage with one staff member (`stage_list[]`).
    pub struct CustomerStage {
        /// The customer's external user id.
        external_user_id: String,
        /// The staff member.
        staff_id: String,
        /// The stage's id (an integer).
        stage_id: Id,
        /// The stage's name.
        stage_name: String,
    }
}

scrm_core::paging!(CustomerStageGet => CustomerStage, single, items(stage_list));

scrm_core::register!(CustomerStageGet {
    name: "customer-stages",
    title: "获取客户阶段状态",
    record: CustomerStage,
    key: ["external_user_id", "staff_id"],
    incremental: None,
    fidelity: Partial,
});
