//! 查询群列表: `POST /api/v3/groupSop/getGroupList`, customer group chats, paged by page number
//! (`pageNo`/`pageSize` → `totalCount`, `totalPage`). Fidelity: partial
//! (`vendor-docs/tanma-group-sop-get-group-list.txt`: request side complete; the 9 item fields
//! are not listed and the response example is cut off inside its first item).

use scrm_core::check;
use scrm_core::de::Id;

use crate::Tanma;
use crate::wire::{NumId, numeric};

/// Records per page the stream asks for when the request sets no `pageSize`: 10, the size of
/// the vendor's example (no default or maximum is documented; a server answering with fewer
/// per page than asked would end the export early, with a warning).
pub const GROUP_PAGE_SIZE: u32 = 10;

scrm_core::operation! {
    /// Request of 查询群列表 (`POST /api/v3/groupSop/getGroupList`). Fidelity: partial (the
    /// response items are typed from the keys of a cut-off example).
    ///
    /// ```
    /// use scrm_tanma::GroupList;
    /// let request = GroupList::new().page_size(10).user_id(463352988837952u64);
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"pageSize":10,"userId":463352988837952}"#
    /// );
    /// ```
    pub struct GroupList: Tanma, POST "/api/v3/groupSop/getGroupList"
        => GroupListResponse as "groupSop/getGroupList" {
        /// 页码: page number, from 1 (the response of the example says 1 when it is omitted).
        page_no as "pageNo": u32,
        /// 每页数量: records per page; streams send [`GROUP_PAGE_SIZE`] when unset.
        page_size as "pageSize": u32,
        /// 员工(群主)id: the group owner's tanma user id (a number).
        user_id as "userId": NumId,
        /// 群名: group name.
        keyword: String,
        /// 群标签id: group tag ids.
        tag_group_ids as "tagGroupIds": Vec<i64>,
        /// 标签查询模式: how the tags combine (values not documented).
        condition_op as "conditionOp": i64,
        /// 群创建时间 from (format not stated; tanma writes `yyyy-MM-dd HH:mm:ss` elsewhere).
        start_create_time as "startCreateTime": String,
        /// 群创建时间 to (format not stated).
        end_create_time as "endCreateTime": String,
    }
    validate(r) {
        check::at_least("pageNo", r.page_no, 1)?;
        check::at_least("pageSize", r.page_size, 1)?;
        numeric("userId", r.user_id.as_ref())
    }
}

scrm_core::record! {
    /// One page (`data`) of [`GroupList`], with its totals.
    pub struct GroupListResponse {
        /// Groups matching the request in all pages.
        total_count as "totalCount": u64,
        /// Pages in all.
        total_page as "totalPage": u64,
        /// This page's number (1-based).
        page_no as "pageNo": u64,
        /// The page size applied.
        page_size as "pageSize": u64,
        /// The groups (`array [object {9}]`).
        result: Vec<GroupChat>,
    }
}

scrm_core::record! {
    /// A group chat. The page announces 9 fields without listing them; these 6 are the keys of
    /// its cut-off example, the other 3 (and anything else) stay in `extra`.
    pub struct GroupChat {
        /// The owner's tanma user id (a string here, a number in the request).
        sales_id as "salesId": Id,
        /// The owner's name.
        sales_name as "salesName": String,
        /// The owner's department.
        department_name as "departmentName": String,
        /// The WeCom chat id (`wr…`).
        chat_id as "chatId": String,
        /// The group name.
        chat_name as "chatName": String,
        /// The group's SOP tasks (only `id`, a string, is shown).
        tasks: Vec<GroupTask>,
    }
}

scrm_core::record! {
    /// A task of a [`GroupChat`]; the example is cut off after its `id`.
    pub struct GroupTask {
        /// The task id (a string).
        id: String,
    }
}

scrm_core::paging!(GroupList => GroupChat,
    page_number(page_no, page_size = GROUP_PAGE_SIZE as u64), total(total_count), items(result));

scrm_core::register!(GroupList {
    name: "group-chats",
    title: "查询群列表",
    record: GroupChat,
    key: ["chatId"],
    incremental: None,
    fidelity: Partial,
});
