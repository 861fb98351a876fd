//! 获取群聊成员列表: `GET /open-api/group_chat/member/list`, every member of one group chat in one
//! answer (a `total` comes back, but no paging parameter is documented).
//!
//! Fidelity: **page** (`vendor-docs/weiban-group-chat-member-list.txt`). Its two renderings
//! disagree (a 4-field table, a 14-field table cut off, an example with 13 keys): the record
//! types the union, every field optional.

use scrm_core::check;
use scrm_core::de::{Id, UnixSeconds};

use crate::Weiban;

scrm_core::operation! {
    /// Request of 获取群聊成员列表 (`GET /open-api/group_chat/member/list`).
    ///
    /// Fidelity of our copy of the docs: page.
    ///
    /// ```
    /// use scrm_weiban::GroupChatMemberList;
    /// let request = GroupChatMemberList::new().group_chat_id("wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A");
    /// # let _ = request;
    /// ```
    pub struct GroupChatMemberList: Weiban, GET "/open-api/group_chat/member/list", query
        => GroupChatMemberListResponse as "group_chat/member/list" {
        /// The group chat's id (企业群聊id), required.
        group_chat_id: String = required,
    }
    validate(r) {
        check::not_blank("group_chat_id", r.group_chat_id.as_ref())
    }
}

scrm_core::record! {
    /// Payload of [`GroupChatMemberList`].
    pub struct GroupChatMemberListResponse {
        /// The members (documented as 客户列表).
        member_list: Vec<GroupChatMember>,
        /// Members of the group (群成员总数).
        total: u64,
    }
}

scrm_core::record! {
    /// A member of a group chat (`member_list[]`).
    pub struct GroupChatMember {
        /// Messages sent (消息数量; `null` in the example).
        chat_msg_count: u64,
        /// Row created at, epoch seconds.
        created_at: UnixSeconds,
        /// Whether the member left (是否退群).
        deleted: bool,
        /// When the member left (退群时间), epoch seconds.
        deleted_time: UnixSeconds,
        /// The group chat's id (客户群ID).
        group_id: String,
        /// Row id (an integer).
        id: Id,
        /// Who invited the member (邀请人).
        invitor_ext_id: String,
        /// How the member joined (values not documented).
        join_scene: i64,
        /// When the member joined (群成员加入时间), epoch seconds.
        join_time: UnixSeconds,
        /// Last message time (最近一次聊天的时间), epoch seconds.
        last_chat_msg_time: UnixSeconds,
        /// Group nickname (docs-site table only).
        other_name: String,
        /// The customer's unionid (客户unionid; `null` for staff).
        unionid: String,
        /// Staff id or external user id.
        user_id: String,
        /// 1 for staff, 2 for a customer, as the example implies.
        user_type: i64,
    }
}

scrm_core::paging!(GroupChatMemberList => GroupChatMember, single, items(member_list));

scrm_core::register!(GroupChatMemberList {
    name: "group-chat-members",
    title: "获取群聊成员列表",
    record: GroupChatMember,
    key: ["id"],
    incremental: None,
    fidelity: Page,
});
