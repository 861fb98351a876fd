//! 按企微客户id获取详情: `POST /api/v2/customer/qw-details`, a customer's details by WeCom
//! external user id, one element per sales–customer relation. No paging. Fidelity: partial
//! (`vendor-docs/tanma-customer-qw-details.txt`: the request side is complete; the response
//! table ends after 7 of its 8 fields and there is no response example).

use scrm_core::check;

use crate::Tanma;

scrm_core::operation! {
    /// Request of 按企微客户id获取详情 (`POST /api/v2/customer/qw-details`; 企微基础版、企微高级版).
    /// Fidelity: partial (the response table is cut off after 7 of 8 fields; no response
    /// example).
    ///
    /// The answer is a list: one [`QwCustomerDetail`] per salesperson the customer is a WeCom
    /// friend of (narrowed to one by `qwUserId`). The page marks no field required; the endpoint
    /// looks a customer up by `externalUserId`, so that one is required here.
    ///
    /// ```
    /// use scrm_tanma::CustomerQwDetails;
    /// let request = CustomerQwDetails::new()
    ///     .external_user_id("wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng")
    ///     .qw_user_id("ZhuShanPeng");
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"externalUserId":"wmvRo3DwAAjRcO70jPyfVZa3B6uXc9Ng","qwUserId":"ZhuShanPeng"}"#
    /// );
    /// ```
    pub struct CustomerQwDetails: Tanma, POST "/api/v2/customer/qw-details"
        => Vec<QwCustomerDetail> as "customer/qw-details" {
        /// 客户企微id: the customer's WeCom external user id. Required.
        external_user_id as "externalUserId": String = required,
        /// 销售企微id: the salesperson's WeCom user id (optional: narrows the answer).
        qw_user_id as "qwUserId": String,
    }
    validate(r) {
        check::not_blank("externalUserId", r.external_user_id.as_ref())?;
        check::not_blank("qwUserId", r.qw_user_id.as_ref())
    }
}

scrm_core::record! {
    /// One sales–customer relation of [`CustomerQwDetails`] (an element of `data`). The table
    /// announces 8 fields and the available copy shows 7 (`wechatAvatar`'s type is cut off);
    /// the 8th, and anything else the vendor sends, stays in `extra`.
    pub struct QwCustomerDetail {
        /// 销售企微id: the salesperson's WeCom user id.
        qw_user_id as "qwUserId": String,
        /// 客户企微id: the customer's WeCom external user id.
        external_user_id as "externalUserId": String,
        /// 客户unionId (string | null).
        union_id as "unionId": String,
        /// 加客户企微好友的时间: when the salesperson added the customer (string | null; the
        /// format is not stated, so it is kept as text).
        qw_customer_time as "qwCustomerTime": String,
        /// 客户手机号: the customer's phone numbers (array[string] | null).
        mobiles: Vec<String>,
        /// 客户微信昵称: WeChat nickname (string | null).
        wechat_nickname as "wechatNickname": String,
        /// The WeChat avatar URL (the row is cut off after its type, `string`).
        wechat_avatar as "wechatAvatar": String,
    }
}

scrm_core::paging!(CustomerQwDetails => QwCustomerDetail, single, items(*));

scrm_core::register!(CustomerQwDetails {
    name: "customer-details",
    title: "按企微客户id获取详情",
    record: QwCustomerDetail,
    key: ["qwUserId", "externalUserId"],
    incremental: None,
    fidelity: Partial,
});
