//! 获取联系人列表 — `POST /openapi/crm3/contact/page`: the CRM contacts (联系人), filtered by
//! name, owners, creation window, tags, channels, phone, email, customers and custom fields,
//! paged by `current_index` (from 1) and `page_size` (at most 100) with a `total`. Fidelity:
//! **partial** (`vendor-docs/wshoto-crm3-contact-page.txt`, source
//! <https://open.wshoto.com/doc/pages/crm3/crmContactPage.html>): the response field table is cut
//! off in every copy, so the record's fields are typed from the documented example.
//!
//! The only time filter is the creation window (epoch seconds): an incremental read sees new
//! contacts, not edits.
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::{ContactPage, UnixSeconds};
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let request = ContactPage::new()
//!     .owner_ids(["wovvCXcAAAXio3fEwulPCVHqUnRlT5iw"])
//!     .create_start_time(UnixSeconds(1_638_000_000));
//! let mut contacts = client.items(request);
//! while let Some(c) = contacts.try_next().await? {
//!     println!("{:?} {:?}", c.contact_id, c.contact_name);
//! }
//! # Ok(()) }
//! ```

use scrm_core::check;
use scrm_core::de::{Id, UnixSeconds};
use serde_json::Value;

use crate::Wshoto;
use crate::wire::Channel;
use crate::wire::{RecordPage, check_page};

/// Largest `page_size` the vendor accepts ("最大值为100").
pub const MAX_PAGE_SIZE: u64 = 100;

scrm_core::operation! {
    /// The request of 获取联系人列表. The page marks `current_index` and `page_size` 必填 while
    /// giving them defaults (1 and 20): the streams always send both (from 1, 100 a page); set
    /// them for a single [`call`](crate::WshotoClient::call). They are not refused when unset,
    /// so that a request built from filters alone (`scrm export`) pages as every other one.
    ///
    /// Fidelity: partial (the response field table was not captured; the record is typed from
    /// the documented example).
    pub struct ContactPage: Wshoto, POST "/openapi/crm3/contact/page"
        => ContactPageResponse as "crm3/contact/page" {
        /// 联系人名称.
        contact_name: String,
        /// 负责人ID: only contacts owned by these employees.
        owner_ids: Vec<String>,
        /// 联系人创建起始时间: created at or after (epoch seconds).
        create_start_time: UnixSeconds,
        /// 联系人创建结束时间: created at or before (epoch seconds).
        create_end_time: UnixSeconds,
        /// Company phases (in the request example only, not in the table; element type unknown).
        company_phases: Vec<Value>,
        /// Company levels (in the request example only, not in the table; element type unknown).
        company_levels: Vec<Value>,
        /// 标签ID: only contacts with these tags.
        tag_ids: Vec<String>,
        /// 获客渠道筛选: acquisition channel ids (multi-select).
        access_customer_channel: Vec<String>,
        /// 手机号码.
        mobile_phone: String,
        /// 邮箱.
        email: String,
        /// 客户ID集: only contacts of these customers (external user ids).
        external_user_ids: Vec<String>,
        /// 自定义字段筛选: custom-field filters, a JSON object.
        field_map: Value,
        /// 页码: the page, from 1 (marked required; default 1).
        current_index: u64,
        /// 列表返回长度: records per page, 1..=100 (marked required; default 20).
        page_size: u64,
    }
    validate(r) {
        check::window("create_start_time", r.create_start_time, "create_end_time", r.create_end_time)?;
        check_page(r.current_index, r.page_size, Some(MAX_PAGE_SIZE))
    }
}

/// One page of 获取联系人列表.
pub type ContactPageResponse = RecordPage<Contact>;

scrm_core::record! {
    /// A CRM contact, typed from the documented example (the field table is not available).
    pub struct Contact {
        /// Contact id (a 19-digit JSON number).
        contact_id: Id,
        /// Contact name.
        contact_name: String,
        /// `uin_contact_id` (meaning not documented; `""` in the example).
        uin_contact_id: String,
        /// WeCom tag ids (empty in the example; element type not documented).
        corp_tag_ids: Vec<Value>,
        /// Business tag ids (empty in the example; element type not documented).
        business_tag_ids: Vec<Value>,
        /// Company id (a 19-digit JSON number).
        company_id: Id,
        /// The customer's external user id.
        external_user_id: String,
        /// Mobile phone.
        mobile_phone: String,
        /// Acquisition channels `{name, id}`.
        access_customer_channel: Vec<Channel>,
        /// Remark.
        remark: String,
        /// Owner (an employee's userid).
        owner_id: String,
        /// Creator (an employee's userid).
        create_user_id: String,
        /// Created at (epoch seconds).
        create_time: UnixSeconds,
        /// Last follow-up at (epoch seconds).
        last_follow_time: UnixSeconds,
        /// Last follow-up.
        last_follow: String,
        /// Linked to a customer at (epoch seconds; `null` in the example).
        relate_customer_time: UnixSeconds,
        /// Friend status (codes not documented; `0` in the example).
        add_friend_status: i64,
        /// Owner changed at (epoch seconds).
        owner_change_time: UnixSeconds,
    }
}

scrm_core::paging!(ContactPage => Contact,
    page_number(current_index, page_size = MAX_PAGE_SIZE), total(total), items(records));

scrm_core::register!(ContactPage {
    name: "contacts",
    title: "获取联系人列表",
    record: Contact,
    key: ["contact_id"],
    incremental: Some(Incremental::new(
        ChangeKind::Creations,
        "create_time",
        Some("create_start_time"),
        Some("create_end_time"),
        Granularity::Seconds
    )),
    fidelity: Partial,
});
