//! 客户任务信息查询 `cusTask/v1/queryTask`: customer tasks, paged by `page`/`rows`, no total.

use scrm_core::de::{ChinaDate, ChinaDateTime, Id, opt_id};
use scrm_core::{
    Error, ErrorKind, Operation, Page, PageOptions, PageRows, PageRowsPaged, Paged, Stream,
};
use serde::{Deserialize, Serialize};

use super::ExecuteDemand;
use super::wire::{self, blank_is_unset};
use crate::{Waiqin, WaiqinClient};

/// The most `rows` a page may have (and the vendor's default).
pub const MAX_ROWS: u32 = 1000;

/// Request of 客户任务信息查询 (`POST /api/cusTask/v1/queryTask`): every filter is optional.
///
/// `page` and `rows` travel as strings, as documented (`{"rows":"1"}`); dates as `yyyy-MM-dd`.
/// `rows` above [`MAX_ROWS`] (or 0), `page` 0 and a `*_from` after its `*_to` are refused
/// before anything is sent.
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct QueryTask {
    /// 任务创建开始时间: tasks created on or after this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date_from: Option<ChinaDate>,
    /// 任务创建截止时间: tasks created on or before this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date_to: Option<ChinaDate>,
    /// 最后一次修改开始时间: tasks last modified on or after this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modify_date_from: Option<ChinaDate>,
    /// 最后一次修改截止时间: tasks last modified on or before this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modify_date_to: Option<ChinaDate>,
    /// 数据页码: the page, from 1 (vendor default 1).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_number_as_string"
    )]
    pub page: Option<u64>,
    /// 每页数据显示条数: rows per page, 1 to [`MAX_ROWS`] (vendor default 1000).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_number_as_string"
    )]
    pub rows: Option<u32>,
}

impl QueryTask {
    /// A request without filters (all tasks).
    pub fn new() -> Self {
        QueryTask::default()
    }

    /// Tasks created on or after `date`.
    pub fn create_date_from(mut self, date: ChinaDate) -> Self {
        self.create_date_from = Some(date);
        self
    }

    /// Tasks created on or before `date`.
    pub fn create_date_to(mut self, date: ChinaDate) -> Self {
        self.create_date_to = Some(date);
        self
    }

    /// Tasks last modified on or after `date`.
    pub fn modify_date_from(mut self, date: ChinaDate) -> Self {
        self.modify_date_from = Some(date);
        self
    }

    /// Tasks last modified on or before `date`.
    pub fn modify_date_to(mut self, date: ChinaDate) -> Self {
        self.modify_date_to = Some(date);
        self
    }

    /// The page to request (from 1). Streams start here.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Rows per page (1 to [`MAX_ROWS`]).
    pub fn rows(mut self, rows: u32) -> Self {
        self.rows = Some(rows);
        self
    }

    /// The request as streams send it: `page` and `rows` explicit (1 and [`MAX_ROWS`] unless
    /// set), so no page size depends on an undocumented server default.
    fn for_export(mut self) -> Self {
        self.page.get_or_insert(1);
        self.rows.get_or_insert(MAX_ROWS);
        self
    }
}

fn check_range(name: &str, from: Option<ChinaDate>, to: Option<ChinaDate>) -> Result<(), Error> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{name}_from {from} is after {name}_to {to}: no task can match"),
        )),
        _ => Ok(()),
    }
}

impl Operation for QueryTask {
    type Vendor = Waiqin;
    type Response = Vec<Task>;
    const NAME: &'static str = "cusTask/v1/queryTask";
    const PATH: &'static str = "/api/cusTask/v1/queryTask";

    fn validate(&self) -> Result<(), Error> {
        if let Some(rows) = self.rows
            && !(1..=MAX_ROWS).contains(&rows)
        {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "rows must be between 1 and {MAX_ROWS} (the documented maximum), got {rows}"
                ),
            ));
        }
        if self.page == Some(0) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "page counts from 1, got 0",
            ));
        }
        check_range("create_date", self.create_date_from, self.create_date_to)?;
        check_range("modify_date", self.modify_date_from, self.modify_date_to)
    }
}

impl Paged for QueryTask {
    type Item = Task;
    type Style = PageRows;

    fn take_items(response: &mut Vec<Task>) -> Vec<Task> {
        std::mem::take(response)
    }
}

impl PageRowsPaged for QueryTask {
    fn page(&self) -> u64 {
        self.page.unwrap_or(1)
    }

    fn set_page(&mut self, page: u64) {
        self.page = Some(page);
    }

    fn rows(&self) -> u64 {
        u64::from(self.rows.unwrap_or(MAX_ROWS))
    }
}

/// A customer task (客户任务), as `queryTask` returns it. Every documented field is here; the
/// ones the vendor leaves out are `None`. Serializes back to the vendor's field names and
/// wire forms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Task {
    /// 任务唯一ID.
    pub task_id: Id,
    /// 创建人: the creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<TaskPerson>,
    /// 创建时间 (`yyyy-MM-dd HH:mm`, China time).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<ChinaDateTime>,
    /// 任务类型ID (see [`TaskType`](crate::TaskType)).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_type_id: Option<Id>,
    /// 任务来源ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_source_id: Option<Id>,
    /// 任务来源名称.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_source_name: Option<String>,
    /// 是否要求现场反馈.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub execute_demand: Option<ExecuteDemand>,
    /// 任务内容.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_content: Option<String>,
    /// 接收人: the receivers.
    #[serde(default, deserialize_with = "wire::null_as_default")]
    pub receivers: Vec<TaskPerson>,
    /// 最后一次反馈时间 (documented as `yyyy-MM-dd HH:mm:`, sent as `yyyy-MM-dd HH:mm`).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_feedback_time: Option<ChinaDateTime>,
    /// 最后一次反馈内容.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_feedback_content: Option<String>,
    /// 最后一次修改时间 (`yyyy-MM-dd HH:mm`).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub modify_time: Option<ChinaDateTime>,
    /// 反馈限期: the feedback deadline (`yyyy-MM-dd HH:mm`).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub feedback_deadline: Option<ChinaDateTime>,
    /// 任务状态.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_status: Option<TaskStatus>,
    /// 删除状态: deleted or normal (the example sends the number `1`; the table says
    /// VARCHAR: both are read, the string is written).
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<TaskRecordStatus>,
    /// 任务完成情况 (in the table, not in the example).
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_achievement: Option<String>,
    /// 新增任务时关联的拜访记录ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub visit_implement_id: Option<Id>,
    /// 新增任务时关联的拜访子任务记录ID (in the table, not in the example).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub visit_function_id: Option<Id>,
    /// 客户唯一ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<Id>,
    /// 反馈明细: every feedback given.
    #[serde(default, deserialize_with = "wire::null_as_default")]
    pub feedback_detail: Vec<FeedbackDetail>,
}

/// A person on a task: its creator or one of its receivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskPerson {
    /// 唯一ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Id>,
    /// 姓名.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// 外部source_code: the id in your own system (in the table, not in the example).
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_code: Option<String>,
}

/// One feedback on a task (反馈明细).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeedbackDetail {
    /// 反馈内容.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub feedback_content: Option<String>,
    /// 反馈任务时关联的拜访记录ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub feedback_visit_id: Option<Id>,
    /// 反馈时间 (`yyyy-MM-dd HH:mm`).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub feedback_time: Option<ChinaDateTime>,
}

scrm_core::lenient_enum! {
    /// `task_status` (任务状态).
    pub enum TaskStatus: str {
        /// `"0"` 待反馈: awaiting feedback.
        AwaitingFeedback = "0",
        /// `"1"` 已反馈: feedback given.
        FeedbackGiven = "1",
        /// `"2"` 验收通过: accepted.
        Accepted = "2",
        /// `"3"` 需重新反馈: feedback must be given again.
        FeedbackRequested = "3",
    }
}

scrm_core::lenient_enum! {
    /// `status` of a task (删除状态).
    pub enum TaskRecordStatus: str {
        /// `"0"` 删除: deleted.
        Deleted = "0",
        /// `"1"` 正常: normal.
        Normal = "1",
    }
}

blank_is_unset!(TaskStatus, TaskRecordStatus);

impl WaiqinClient {
    /// One page of tasks (`cusTask/v1/queryTask`) exactly as `request` asks.
    pub async fn query_task(&self, request: &QueryTask) -> Result<Vec<Task>, Error> {
        self.core().call(request).await
    }

    /// Every task matching `request`'s filters, page after page from `request.page` (by
    /// default page 1) with `request.rows` per page (by default [`MAX_ROWS`]; both are sent
    /// explicitly). The export ends on a page shorter than `rows`; an exact multiple ends on
    /// the following empty page.
    ///
    /// ```no_run
    /// # async fn run(client: scrm_waiqin::WaiqinClient) -> Result<(), scrm_waiqin::Error> {
    /// use futures::TryStreamExt;
    /// let mut tasks = std::pin::pin!(client.tasks(scrm_waiqin::QueryTask::new()));
    /// while let Some(task) = tasks.try_next().await? {
    ///     println!("{} {:?}", task.task_id, task.task_status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tasks(
        &self,
        request: QueryTask,
    ) -> impl Stream<Item = Result<Task, Error>> + Send + 'static {
        self.core().items(request.for_export())
    }

    /// [`tasks`](Self::tasks) with explicit page options (resume position, page cap).
    pub fn tasks_with(
        &self,
        request: QueryTask,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Task, Error>> + Send + 'static {
        self.core().items(request.for_export()).options(options)
    }

    /// The pages of [`tasks`](Self::tasks); each tells the [`Position`](crate::Position) to
    /// resume from.
    pub fn task_pages(
        &self,
        request: QueryTask,
    ) -> impl Stream<Item = Result<Page<QueryTask>, Error>> + Send + 'static {
        self.core().pages(request.for_export())
    }

    /// [`task_pages`](Self::task_pages) with explicit page options.
    pub fn task_pages_with(
        &self,
        request: QueryTask,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page<QueryTask>, Error>> + Send + 'static {
        self.core().pages(request.for_export()).options(options)
    }
}
