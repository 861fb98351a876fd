//! 获取群聊详情: `GET /open-api/group_chat/detail`, one group chat with its tags.
//!
//! Fidelity: **partial** (`vendor-docs/weiban-group-chat-detail.txt`): the error table, the curl
//! request and a complete response example; no parameter or field table. The types of
//! `dismissed_at` and `invite_*` when not `null` are not documented.

use scrm_core::check;
use scrm_core::de::{Id, UnixSeconds};

use crate::Weiban;

scrm_core::operation! {
    /// Request of 获取群聊详情 (`GET /open-api/group_chat/detail`).
    ///
    /// Fidelity of our copy of the docs: partial: examples only, no field tables.
    ///
    /// ```
    /// use scrm_weiban::GroupChatDetail;
    /// let request = GroupChatDetail::new().group_chat_id("wr8xjUCAAAb4IiVmBjWjHSwHTXxPa9-A");
    /// # let _ = request;
    /// ```
    pub struct GroupChatDetail: Weiban, GET "/open-api/group_chat/detail", query
        => GroupChatDetailResponse as "group_chat/detail" {
        /// The group chat's id, required (20209 if unknown).
        group_chat_id: String = required,
    }
    validate(r) {
        check::not_blank("group_chat_id", r.group_chat_id.as_ref())
    }
}

scrm_core::record! {
    /// Payload of [`GroupChatDetail`].
    pub struct GroupChatDetailResponse {
        /// The group chat.
        group_chat: GroupChat,
    }
}

scrm_core::record! {
    /// A group chat (`group_chat`).
    pub struct GroupChat {
        /// Created at, epoch seconds.
        create_time: UnixSeconds,
        /// Description (`null` in the example).
        description: String,
        /// When it was dismissed (`null` in the example; presumably epoch seconds), as sent.
        dismissed_at: serde_json::Value,
        /// The group chat's id.
        group_chat_id: String,
        /// Invite link (`null` in the example), as sent.
        invite_link: serde_json::Value,
        /// Invite QR code (`null` in the example), as sent.
        invite_qr: serde_json::Value,
        /// Whether it was dismissed.
        is_dismissed: bool,
        /// When its statistics were last updated, epoch seconds.
        last_update_statistic_time: UnixSeconds,
        /// Members.
        member_count: u64,
        /// Name.
        name: String,
        /// Notice (`null` in the example).
        notice: String,
        /// The owner's staff id.
        owner_staff_id: String,
        /// weiban group tags.
        tag_list: Vec<GroupChatTag>,
        /// Members who left today.
        today_decrease_user_count: u64,
        /// Members who joined today.
        today_increase_user_count: u64,
    }
}

scrm_core::record! {
    /// A weiban group tag (`tag_list[]`; integer ids, unlike WeCom's string tag ids).
    pub struct GroupChatTag {
        /// Tag id.
        id: Id,
        /// Tag name.
        name: String,
        /// Its tag group's id.
        tag_group_id: Id,
    }
}

scrm_core::paging!(GroupChatDetail => GroupChat, single, item(group_chat));

scrm_core::register!(GroupChatDetail {
    name: "group-chat",
    title: "获取群聊详情",
    record: GroupChat,
    key: ["group_chat_id"],
    incremental: None,
    fidelity: Partial,
});
