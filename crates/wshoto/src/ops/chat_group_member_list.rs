//! 获取客户群成员列表 — `GET /openapi/chat/group/member/list`: the members of a customer group
//! chat, paged by `current_index` (from 1) and `page_size` (at most 100) with a `total`; every
//! parameter in the query. Fidelity: the whole vendor page
//! (`vendor-docs/wshoto-chat-group-member-list.txt`, source
//! <https://open.wshoto.com/doc/pages/chat/info.html>).
//!
//! The intro says `chat_id` may be omitted, the table marks it required: it is required here.
//! `join_time` is epoch **milliseconds** (13 digits in the example).
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::{GroupMemberList, MemberType};
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let mut members = client.items(GroupMemberList::new().chat_id("wrJYSuBgAA…"));
//! while let Some(m) = members.try_next().await? {
//!     if m.member_type == Some(MemberType::External) {
//!         println!("{:?} joined {:?}", m.userid, m.join_time);
//!     }
//! }
//! # Ok(()) }
//! ```

use scrm_core::check;
use scrm_core::de::UnixMillis;

use crate::Wshoto;
use crate::wire::{RecordPage, check_page};

/// Largest `page_size` the vendor accepts ("最大值为100").
pub const MAX_PAGE_SIZE: u64 = 100;

scrm_core::lenient_enum! {
    /// 成员类型 (`type`).
    pub enum MemberType: int {
        /// 1 — 企业成员: an employee.
        Staff = 1,
        /// 2 — 外部联系人: an external contact.
        External = 2,
    }
}

scrm_core::lenient_enum! {
    /// 入群方式 (`join_scene`).
    pub enum JoinScene: int {
        /// 1 — 由成员邀请入群(直接邀请入群): invited directly by a member.
        Invited = 1,
        /// 2 — 由成员邀请入群(通过邀请链接入群): through a member's invitation link.
        InviteLink = 2,
        /// 3 — 通过扫描群二维码入群: by scanning the group's QR code.
        QrCode = 3,
    }
}

scrm_core::operation! {
    /// The request of 获取客户群成员列表: the group (`chat_id`, required) and the page.
    ///
    /// Fidelity: the whole vendor page.
    pub struct GroupMemberList: Wshoto, GET "/openapi/chat/group/member/list", query
        => GroupMemberListResponse as "chat/group/member/list" {
        /// 群聊id: the group chat.
        chat_id: String = required,
        /// 页码: the page, from 1 (default 1).
        current_index: u64,
        /// 列表返回长度: records per page, 1..=100 (default 20; the streams send 100 when unset).
        page_size: u64,
    }
    validate(r) {
        check::not_blank("chat_id", r.chat_id.as_ref())?;
        check_page(r.current_index, r.page_size, Some(MAX_PAGE_SIZE))
    }
}

/// One page of 获取客户群成员列表 (`records` are typed `Chat[]`).
pub type GroupMemberListResponse = RecordPage<GroupMember>;

scrm_core::record! {
    /// A member of the group (`Chat`).
    pub struct GroupMember {
        /// 群成员id: an employee's userid or a customer's external userid.
        userid: String,
        /// 成员类型.
        member_type as "type": MemberType,
        /// 进群时间 (epoch ms; the table says only `long`).
        join_time: UnixMillis,
        /// 入群方式.
        join_scene: JoinScene,
        /// 员工群内昵称: the nickname in the group.
        user_chat_nick_name: String,
        /// 邀请人: who invited the member.
        invitor: String,
    }
}

scrm_core::paging!(GroupMemberList => GroupMember,
    page_number(current_index, page_size = MAX_PAGE_SIZE), total(total), items(records));

scrm_core::register!(GroupMemberList {
    name: "group-members",
    title: "获取客户群成员列表",
    record: GroupMember,
    key: ["$chat_id", "userid"],
    incremental: None,
    fidelity: Page,
});
