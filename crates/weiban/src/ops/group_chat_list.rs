//! 获取群聊列表: `GET /open-api/group_chat/list`, the group chats, paged by `offset`/`limit` (at
//! most 100). Each group's detail is [`GroupChatDetail`](crate::GroupChatDetail), its members
//! [`GroupChatMemberList`](crate::GroupChatMemberList).
//!
//! Fidelity: **third-party code** (`vendor-docs/weiban-group-chat-list.txt`): the parameters come
//! from a public SDK's comments; the response is documented nowhere, so the records are read
//! from whatever list the answer carries ([`AnyList`]) and kept whole as [`GroupChatListItem`]
//! `.extra`. No time filter is documented: there is no incremental mode.

use scrm_core::check;

use crate::wire::AnyList;
use crate::{MAX_LIST_LIMIT, Weiban};

scrm_core::operation! {
    /// Request of 获取群聊列表 (`GET /open-api/group_chat/list`). Every parameter is optional.
    ///
    /// Fidelity of our copy of the docs: third-party code; response undocumented.
    ///
    /// ```
    /// use scrm_weiban::GroupChatList;
    /// let request = GroupChatList::new().staff_id("PanPan");
    /// assert_eq!(request.staff_id.as_deref(), Some("PanPan"));
    /// ```
    pub struct GroupChatList: Weiban, GET "/open-api/group_chat/list", query
        => AnyList<GroupChatListItem> as "group_chat/list" {
        /// Only this staff member's groups: weiban's encrypted staff id (实则微伴加密的员工ID).
        staff_id: String,
        /// Records per page, 1 to [`MAX_LIST_LIMIT`] (default 30; streams send 100).
        limit: u32,
        /// Records to skip, from 0.
        offset: u64,
    }
    validate(r) {
        check::in_range("limit", r.limit, 1, MAX_LIST_LIMIT.into())
    }
}

scrm_core::record! {
    /// A group chat of the list: no field is documented, so all of it is in `extra`, as sent.
    pub struct GroupChatListItem {}
}

scrm_core::paging!(GroupChatList => GroupChatListItem,
    offset(offset, limit = MAX_LIST_LIMIT as u64), total(total), items(items));

scrm_core::register!(GroupChatList {
    name: "group-chats",
    title: "获取群聊列表",
    record: GroupChatListItem,
    key: [],
    incremental: None,
    fidelity: ThirdPartyCode,
});
