//! 批量获取企业自建应用的客户信息 — `POST /openapi/customer/list/selfCustomersByTenant`: the
//! customers of the self-built app, with the employees who added them and their tags, paged by
//! `current_index` (from 1) and `page_size` (at most 100) with a `total`. Fidelity: the whole
//! vendor page (`vendor-docs/wshoto-customer-list-self-customers-by-tenant.txt`, source
//! <https://open.wshoto.com/doc/pages/customer/selfCustomersByTenant.html>).
//!
//! The page lists `access_token` next to the body fields; as on every wshoto page it travels in
//! the query (the signer adds it) and `current_index`/`page_size` in the JSON body.
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::SelfCustomerList;
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let mut customers = client.items(SelfCustomerList::new());
//! while let Some(c) = customers.try_next().await? {
//!     let added_by: Vec<_> = c.follow_users.iter().flatten().filter_map(|f| f.userid.as_deref()).collect();
//!     println!("{:?} added by {added_by:?}", c.external_userid);
//! }
//! # Ok(()) }
//! ```

use crate::Wshoto;
use crate::wire::Gender;
use crate::wire::{RecordPage, check_page};

/// Largest `page_size` the vendor accepts ("最大值为100").
pub const MAX_PAGE_SIZE: u64 = 100;

scrm_core::lenient_enum! {
    /// 客户类型 (`type`).
    pub enum CustomerType: int {
        /// 1 — 微信用户: a WeChat user.
        WeChat = 1,
        /// 2 — 企业微信用户: a WeCom user.
        WeCom = 2,
    }
}

scrm_core::operation! {
    /// The request of 批量获取企业自建应用的客户信息: only the page (`current_index`, from 1;
    /// vendor default 1) and its size (`page_size`, 1..=100; vendor default 20, the streams send
    /// 100 when unset). No filters are documented.
    ///
    /// Fidelity: the whole vendor page.
    pub struct SelfCustomerList: Wshoto, POST "/openapi/customer/list/selfCustomersByTenant"
        => SelfCustomerListResponse as "customer/list/selfCustomersByTenant" {
        /// 页码: the page, from 1 (default 1).
        current_index: u64,
        /// 列表返回长度: records per page, 1..=100 (default 20).
        page_size: u64,
    }
    validate(r) {
        check_page(r.current_index, r.page_size, Some(MAX_PAGE_SIZE))
    }
}

/// One page of 批量获取企业自建应用的客户信息 (`Page`). The table describes `total` as "分页大小"
/// (page size); it is the total count, as on every other wshoto page.
pub type SelfCustomerListResponse = RecordPage<SelfCustomer>;

scrm_core::record! {
    /// One customer (`SelfCustomerInfoResponse`).
    pub struct SelfCustomer {
        /// 外部联系人ID: the WeCom external user id.
        external_userid: String,
        /// WeChat unionid (only for WeChat users when a developer id is bound; customers created
        /// after 2022-06-20 have none).
        unionid: String,
        /// 客户类型.
        customer_type as "type": CustomerType,
        /// 客户性别.
        gender: Gender,
        /// 添加人列表: the employees who added the customer, with the tags they set.
        follow_users: Vec<FollowUser>,
    }
}

scrm_core::record! {
    /// An employee who added the customer (`FollowUser`).
    pub struct FollowUser {
        /// 员工ID. The table names it `userId` (an int); the example sends `userid` with a string
        /// (`"admin"`): read as the example shows.
        userid: String,
        /// 标签数据: the tags this employee put on the customer.
        tag_list: Vec<CustomerTag>,
    }
}

scrm_core::record! {
    /// A WeCom customer tag (`Tag`).
    pub struct CustomerTag {
        /// 标签组名称.
        group_name: String,
        /// 标签名称.
        tag_name: String,
        /// 企微标签id.
        tag_id: String,
    }
}

scrm_core::paging!(SelfCustomerList => SelfCustomer,
    page_number(current_index, page_size = MAX_PAGE_SIZE), total(total), items(records));

scrm_core::register!(SelfCustomerList {
    name: "customers",
    title: "批量获取企业自建应用的客户信息",
    record: SelfCustomer,
    key: ["external_userid"],
    incremental: None,
    fidelity: Page,
});
