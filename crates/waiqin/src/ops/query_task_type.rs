//! 任务类型查询接口: `POST /api/cusTask/v1/queryTaskType`, task types by id, not paged.
//! Fidelity: the whole vendor page (`vendor-docs/waiqin-cus-task-query.txt`, source
//! <https://api.waiqin365.com/SERVER/app/cm_task/task.html>).

use scrm_core::de::{ChinaDateTime, Id};

use crate::Waiqin;
use crate::codes::{
    AlbumPermission, ExecuteDemand, PictureRequirement, PublishStatus, ReceiverLimit,
    TaskTypeStatus,
};

scrm_core::operation! {
    /// Request of 任务类型查询 (`POST /api/cusTask/v1/queryTaskType`).
    ///
    /// `type_ids` is sent as a list of strings. Unset, the field is left out (`{}`); the page
    /// documents no limit on the number of ids and does not say what the vendor answers to
    /// none.
    ///
    /// ```
    /// use scrm_waiqin::QueryTaskType;
    /// let request = QueryTaskType::new().type_ids(["5030058251754787854", "5000995017435559677"]);
    /// assert_eq!(
    ///     serde_json::to_string(&request)?,
    ///     r#"{"type_ids":["5030058251754787854","5000995017435559677"]}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub struct QueryTaskType: Waiqin, POST "/api/cusTask/v1/queryTaskType"
        => Vec<TaskType> as "cusTask/v1/queryTaskType" {
        /// 任务类型ID: the task types to fetch (e.g. [`Task::task_type_id`](crate::Task)s).
        type_ids: Vec<String>,
    }
}

scrm_core::record! {
    /// A task type (任务类型), as `queryTaskType` returns it, with every documented field; fields
    /// the page does not document are kept in `extra`. Serializes back to the vendor's names
    /// and wire forms (flags as strings).
    pub struct TaskType {
        /// 任务类型ID.
        type_id: Id,
        /// 任务类型名称.
        type_name: String,
        /// 状态 (CHAR(1)).
        status: TaskTypeStatus,
        /// 发布状态.
        publish_status: PublishStatus,
        /// 创建人唯一ID.
        creator_id: Id,
        /// 创建人姓名.
        creator_name: String,
        /// 创建时间 (`yyyy-MM-dd HH:mm`, China time).
        create_time: ChinaDateTime,
        /// 修改人唯一ID.
        modifier_id: Id,
        /// 修改人姓名.
        modifier_name: String,
        /// 最后一次修改时间 (`yyyy-MM-dd HH:mm`).
        modify_time: ChinaDateTime,
        /// 是否要求现场反馈.
        execute_demand: ExecuteDemand,
        /// 接收人限制.
        receiver_limit: ReceiverLimit,
        /// 反馈照片必填限制.
        feedback_picture_required: PictureRequirement,
        /// 反馈照片从相册选取.
        is_album_permitted: AlbumPermission,
        /// 备注 (`""` when there is none, kept as sent).
        remark: String,
    }
}

scrm_core::paging!(QueryTaskType => TaskType, single, items(*));

scrm_core::register!(QueryTaskType {
    name: "task-types",
    title: "任务类型查询接口",
    record: TaskType,
    key: ["type_id"],
    incremental: None,
    fidelity: Page,
});
