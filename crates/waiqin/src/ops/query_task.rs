//! 客户任务信息查询接口: `POST /api/cusTask/v1/queryTask`, customer tasks, paged by `page`/`rows`
//! with no total (a short page ends the export). Fidelity: the whole vendor page
//! (`vendor-docs/waiqin-cus-task-query.txt`, source
//! <https://api.waiqin365.com/SERVER/app/cm_task/task.html>). A change feed:
//! `modify_date_from`/`modify_date_to` select by the day of the last change.

use scrm_core::check;
use scrm_core::de::{ChinaDate, ChinaDateTime, Digits, Id};

use crate::codes::{ExecuteDemand, RecordStatus, TaskStatus};
use crate::{LenientDateTime, MAX_ROWS, Waiqin, wire};

scrm_core::operation! {
    /// Request of 客户任务信息查询 (`POST /api/cusTask/v1/queryTask`): every filter is optional.
    ///
    /// `page` and `rows` travel as strings, as documented (`{"rows":"1"}`); dates as
    /// `yyyy-MM-dd`. `rows` outside 1..=[`MAX_ROWS`], `page` 0 and a `*_from` after its `*_to`
    /// are refused before anything is sent. Streams send `page` and `rows` explicitly (1 and
    /// [`MAX_ROWS`] unless set).
    ///
    /// ```
    /// use scrm_waiqin::{ChinaDate, QueryTask};
    /// let request = QueryTask::new()
    ///     .modify_date_from(ChinaDate::parse("2024-03-01")?)
    ///     .modify_date_to(ChinaDate::parse("2024-03-31")?)
    ///     .rows(500);
    /// assert_eq!(
    ///     serde_json::to_string(&request)?,
    ///     r#"{"modify_date_from":"2024-03-01","modify_date_to":"2024-03-31","rows":"500"}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct QueryTask: Waiqin, POST "/api/cusTask/v1/queryTask" => Vec<Task> as "cusTask/v1/queryTask" {
        /// 任务创建开始时间: tasks created on or after this day (`yyyy-MM-dd`).
        create_date_from: ChinaDate,
        /// 任务创建截止时间: tasks created on or before this day.
        create_date_to: ChinaDate,
        /// 最后一次修改开始时间: tasks last modified on or after this day.
        modify_date_from: ChinaDate,
        /// 最后一次修改截止时间: tasks last modified on or before this day.
        modify_date_to: ChinaDate,
        /// 数据页码: the page, from 1 (vendor default 1).
        page: Digits,
        /// 每页数据显示条数: rows per page, 1 to [`MAX_ROWS`] (vendor default 1000).
        rows: Digits,
    }
    validate(r) {
        check::in_range("rows", r.rows, 1, u64::from(MAX_ROWS))?;
        check::at_least("page", r.page, 1)?;
        check::window("create_date_from", r.create_date_from, "create_date_to", r.create_date_to)?;
        check::window("modify_date_from", r.modify_date_from, "modify_date_to", r.modify_date_to)
    }
}

scrm_core::record! {
    /// A customer task (客户任务), as `queryTask` returns it, with every documented field
    /// (`None` where the vendor leaves one out; `""` and `"-1"` ids read as `None`). Fields the
    /// page does not document are kept in `extra`. Serializes back to the vendor's names.
    pub struct Task {
        /// 任务唯一ID.
        task_id: Id,
        /// 创建人: the creator.
        creator: TaskPerson,
        /// 创建时间 (`yyyy-MM-dd HH:mm`, China time).
        create_time: ChinaDateTime,
        /// 任务类型ID (see [`TaskType`](crate::TaskType)).
        task_type_id: Id,
        /// 任务来源ID.
        task_source_id: Id,
        /// 任务来源名称.
        task_source_name: String,
        /// 是否要求现场反馈.
        execute_demand: ExecuteDemand,
        /// 任务内容.
        task_content: String,
        /// 接收人: the receivers.
        receivers: Vec<TaskPerson>,
        /// 最后一次反馈时间 (documented as `yyyy-MM-dd HH:mm:`, sent as `yyyy-MM-dd HH:mm`).
        latest_feedback_time: LenientDateTime,
        /// 最后一次反馈内容.
        latest_feedback_content: String,
        /// 最后一次修改时间 (`yyyy-MM-dd HH:mm`): the change-feed cursor.
        modify_time: ChinaDateTime,
        /// 反馈限期: the feedback deadline (`yyyy-MM-dd HH:mm`).
        feedback_deadline: ChinaDateTime,
        /// 任务状态.
        task_status: TaskStatus,
        /// 删除状态 (the example sends the number `1`, the table says VARCHAR: both are read, the
        /// string is written).
        status: RecordStatus,
        /// 任务完成情况 (in the table, not in the example).
        task_achievement: String,
        /// 新增任务时关联的拜访记录ID (a [`Visit`](crate::Visit) id).
        visit_implement_id: Id,
        /// 新增任务时关联的拜访子任务记录ID (in the table, not in the example).
        visit_function_id: Id,
        /// 客户唯一ID.
        customer_id: Id,
        /// 反馈明细: every feedback given.
        feedback_detail: Vec<FeedbackDetail>,
    }
}

scrm_core::record! {
    /// A person on a task: its creator or one of its receivers.
    pub struct TaskPerson {
        /// 唯一ID.
        id: Id,
        /// 姓名.
        name: String,
        /// 外部source_code: the id in your own system (in the table, not in the example).
        source_code: String,
    }
}

scrm_core::record! {
    /// One feedback on a task (反馈明细).
    pub struct FeedbackDetail {
        /// 反馈内容.
        feedback_content: String,
        /// 反馈任务时关联的拜访记录ID.
        feedback_visit_id: Id,
        /// 反馈时间 (`yyyy-MM-dd HH:mm`).
        feedback_time: ChinaDateTime,
    }
}

scrm_core::paging!(QueryTask => Task, page_rows(page, rows = u64::from(MAX_ROWS)), items(*));

scrm_core::register!(QueryTask {
    name: "tasks",
    title: "客户任务信息查询接口",
    record: Task,
    key: ["task_id"],
    incremental: wire::modified_days("modify_time", "modify_date_from", "modify_date_to"),
    fidelity: Page,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::{Operation, Paged};

    use super::*;

    #[test]
    fn streams_ask_for_explicit_pages() {
        let mut r = QueryTask::new();
        r.prepare();
        assert_eq!((r.page, r.rows), (Some(Digits(1)), Some(Digits(1000))));
        let mut r = QueryTask::new().page(3).rows(7);
        r.prepare();
        assert_eq!((r.page, r.rows), (Some(Digits(3)), Some(Digits(7))));
        assert!(QueryTask::new().rows(1000).validate().is_ok());
    }
}
