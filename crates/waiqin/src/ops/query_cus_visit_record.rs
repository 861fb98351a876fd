//! 任务执行记录 (formerly 拜访记录查询): `POST /api/cusVisit/v1/queryCusVisitRecord`, visit
//! records, paged by `page`/`rows` (strings, at most 1000) with no total: a short page ends the
//! export. A change feed: `modify_start`/`modify_end` select by the day of the last change.
//!
//! Fidelity: **partial** (`vendor-docs/waiqin-cus-visit-query-record.txt`, from
//! <https://api.waiqin365.com/SERVER/app/visit/visit.html>, its api.qince.com rendering and the
//! legacy `customerVisit` page). The request table is complete; the response table is cut off
//! after 4 rows in every copy, so the record types the rows of the current table, the rows of
//! the legacy table (also cut off, after `visit_time`) and the keys of the documented example;
//! anything else the vendor sends is kept in `extra`.

use scrm_core::check;
use scrm_core::de::{ChinaDate, ChinaDateTime, Digits, Id};

use crate::codes::{ApprovalStatus, FlowType, PlanSource, RecordStatus, VisitType};
use crate::{MAX_ROWS, Waiqin, wire};

scrm_core::operation! {
    /// Request of 任务执行记录 (`POST /api/cusVisit/v1/queryCusVisitRecord`).
    ///
    /// The page marks `date_start`/`date_end` required unless `id` is given ("传入此id时,可不传
    /// 日期"), so a request with neither is refused before sending; it does not say whether the
    /// modification dates alone would do, so they do not lift that rule. `page`/`rows` travel as
    /// strings, `rows` at most [`MAX_ROWS`]; streams send both (1 and [`MAX_ROWS`] unless set).
    /// Dates are `yyyy-MM-dd`, visit times `yyyy-MM-dd HH:mm:ss` (China time).
    ///
    /// ```
    /// use scrm_waiqin::{ChinaDate, QueryCusVisitRecord, VisitType};
    /// let request = QueryCusVisitRecord::new()
    ///     .date_start(ChinaDate::parse("2017-01-10")?)
    ///     .date_end(ChinaDate::parse("2017-01-20")?)
    ///     .visit_type(VisitType::Temporary)
    ///     .rows(500);
    /// assert_eq!(
    ///     serde_json::to_string(&request)?,
    ///     r#"{"date_start":"2017-01-10","date_end":"2017-01-20","rows":"500","visit_type":"2"}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct QueryCusVisitRecord: Waiqin, POST "/api/cusVisit/v1/queryCusVisitRecord"
        => Vec<Visit> as "cusVisit/v1/queryCusVisitRecord" {
        /// 拜访id: one visit record; with it the dates may be left out.
        id: Id,
        /// 查询拜访日期起: visits planned on or after this day (required unless `id`).
        date_start: ChinaDate,
        /// 查询拜访日期止: visits planned on or before this day (required unless `id`).
        date_end: ChinaDate,
        /// 查询修改日期起: records modified on or after this day.
        modify_start: ChinaDate,
        /// 查询修改日期止: records modified on or before this day.
        modify_end: ChinaDate,
        /// 查询实际拜访时间起: actual visit time from (`yyyy-MM-dd HH:mm:ss`).
        visit_time_start: ChinaDateTime,
        /// 查询实际拜访时间止: actual visit time to (`yyyy-MM-dd HH:mm:ss`).
        visit_time_end: ChinaDateTime,
        /// 数据页码: the page, from 1 (documented as required; streams send it).
        page: Digits,
        /// 每页数据显示条数: rows per page, 1 to [`MAX_ROWS`] (documented as required).
        rows: Digits,
        /// 拜访人员工账号: the visiting employee's account.
        visitor_code: String,
        /// 计划类型 (api.qince.com rendering only; whether it is required was not captured).
        visit_type: VisitType,
    }
    validate(r) {
        check::in_range("rows", r.rows, 1, u64::from(MAX_ROWS))?;
        check::at_least("page", r.page, 1)?;
        wire::dates_unless_id(r.id.is_some(), r.date_start.is_some() && r.date_end.is_some())?;
        check::window("date_start", r.date_start, "date_end", r.date_end)?;
        check::window("modify_start", r.modify_start, "modify_end", r.modify_end)?;
        check::window("visit_time_start", r.visit_time_start.as_ref(), "visit_time_end", r.visit_time_end.as_ref())
    }
}

scrm_core::record! {
    /// A visit record (拜访记录). All numbers arrive as strings; `""` and `"-1"` ids read as
    /// `None` (a never-modified record has `"modifyier_id":"-1"` and `"modify_time":""`).
    pub struct Visit {
        /// 拜访记录ID.
        id: Id,
        /// 数据状态.
        status: RecordStatus,
        /// 拜访记录创建人ID.
        creator_id: Id,
        /// 拜访记录创建人姓名.
        creator_name: String,
        /// 拜访记录创建人外部source_code (legacy table).
        creator_sourcecode: String,
        /// 拜访记录创建时间 (`yyyy-MM-dd HH:mm:ss`; legacy table).
        create_time: ChinaDateTime,
        /// 拜访记录修改人ID (the vendor spells it `modifyier_id`; legacy table).
        modifier_id as "modifyier_id": Id,
        /// 拜访记录修改人姓名 (`modifyier_name`; legacy table).
        modifier_name as "modifyier_name": String,
        /// 拜访记录修改人外部source_code (`modifyier_sourcecode`; legacy table).
        modifier_sourcecode as "modifyier_sourcecode": String,
        /// 拜访记录修改时间 (legacy table): the change-feed cursor.
        modify_time: ChinaDateTime,
        /// 拜访人ID (legacy table).
        visitor: Id,
        /// 拜访人姓名 (legacy table).
        visitor_name: String,
        /// 拜访人外部source_code (legacy table).
        visitor_sourcecode: String,
        /// 拜访类型 / 计划类型.
        visit_type: VisitType,
        /// 流程类型 (legacy table).
        flow_type: FlowType,
        /// 计划来源 (legacy table).
        plan_source: PlanSource,
        /// 审批状态 (legacy table).
        approval_status: ApprovalStatus,
        /// 拜访客户ID (legacy table).
        customer: Id,
        /// 客户名称 (legacy table).
        customer_name: String,
        /// 客户外部source_code (legacy table).
        customer_sourcecode: String,
        /// 预定拜访日期 (legacy table).
        visit_date: ChinaDateTime,
        /// 实际拜访时间 (legacy table; its format is cut off in the copy).
        visit_time: ChinaDateTime,
        /// Customer code (example only; undocumented meaning).
        customer_code: String,
        /// Manager code (example only).
        manager_code: String,
        /// Manager name (example only).
        manager_name: String,
        /// Visiting manager name (example only).
        visit_manager_name: String,
        /// Visiting manager code (example only).
        visit_manager_code: String,
        /// Sequence (example only; the vendor's text, e.g. `"4"`).
        sequence: String,
        /// Visit status (example only; values undocumented, e.g. `"0"`).
        visit_status: String,
        /// Summary (example only).
        summary: String,
        /// Leave time (example only, `yyyy-MM-dd HH:mm:ss`).
        leave_time: ChinaDateTime,
        /// Plan content (example only, e.g. `"1"`).
        plan_content: String,
        /// Total score (example only; the vendor's text, e.g. `"60"`).
        total_score: String,
        /// Full marks (example only, e.g. `"100"`).
        full_marks: String,
        /// Task type (example only, e.g. `"1"`).
        task_type: String,
    }
}

scrm_core::paging!(QueryCusVisitRecord => Visit, page_rows(page, rows = u64::from(MAX_ROWS)), items(*));

scrm_core::register!(QueryCusVisitRecord {
    name: "visits",
    title: "任务执行记录",
    record: Visit,
    key: ["id"],
    incremental: wire::modified_days("modify_time", "modify_start", "modify_end"),
    fidelity: Partial,
});
