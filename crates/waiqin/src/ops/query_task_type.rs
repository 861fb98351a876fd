//! 任务类型查询 `cusTask/v1/queryTaskType`: task types by id (not paged).

use scrm_core::de::{ChinaDateTime, Id, opt_id};
use scrm_core::{Error, Operation};
use serde::{Deserialize, Serialize};

use super::ExecuteDemand;
use super::wire::{self, blank_is_unset};
use crate::{Waiqin, WaiqinClient};

/// Request of 任务类型查询 (`POST /api/cusTask/v1/queryTaskType`).
///
/// `type_ids` is sent as a list of strings. With no id the field is left out (`{}`); the page
/// does not say what the vendor answers then.
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct QueryTaskType {
    /// 任务类型ID: the task types to fetch.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub type_ids: Vec<String>,
}

impl QueryTaskType {
    /// A request without ids.
    pub fn new() -> Self {
        QueryTaskType::default()
    }

    /// Adds task type ids (e.g. [`Task::task_type_id`](crate::Task::task_type_id)s).
    pub fn type_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.type_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds one task type id.
    pub fn type_id(mut self, id: impl Into<String>) -> Self {
        self.type_ids.push(id.into());
        self
    }
}

impl Operation for QueryTaskType {
    type Vendor = Waiqin;
    type Response = Vec<TaskType>;
    const NAME: &'static str = "cusTask/v1/queryTaskType";
    const PATH: &'static str = "/api/cusTask/v1/queryTaskType";
}

/// A task type (任务类型), as `queryTaskType` returns it, with every documented field.
/// Serializes back to the vendor's field names and wire forms (flags as strings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskType {
    /// 任务类型ID.
    pub type_id: Id,
    /// 任务类型名称.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_name: Option<String>,
    /// 状态 (CHAR(1)).
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<TaskTypeStatus>,
    /// 发布状态.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub publish_status: Option<PublishStatus>,
    /// 创建人唯一ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub creator_id: Option<Id>,
    /// 创建人姓名.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub creator_name: Option<String>,
    /// 创建时间 (`yyyy-MM-dd HH:mm`, China time).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<ChinaDateTime>,
    /// 修改人唯一ID.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub modifier_id: Option<Id>,
    /// 修改人姓名.
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub modifier_name: Option<String>,
    /// 最后一次修改时间 (`yyyy-MM-dd HH:mm`).
    #[serde(
        default,
        deserialize_with = "wire::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub modify_time: Option<ChinaDateTime>,
    /// 是否要求现场反馈.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub execute_demand: Option<ExecuteDemand>,
    /// 接收人限制.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub receiver_limit: Option<ReceiverLimit>,
    /// 反馈照片必填限制.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub feedback_picture_required: Option<PictureRequirement>,
    /// 反馈照片从相册选取.
    #[serde(
        default,
        deserialize_with = "wire::opt_enum",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_album_permitted: Option<AlbumPermission>,
    /// 备注 (`""` when there is none, kept as sent).
    #[serde(
        default,
        deserialize_with = "wire::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub remark: Option<String>,
}

scrm_core::lenient_enum! {
    /// `status` of a task type (状态, CHAR(1)).
    pub enum TaskTypeStatus: str {
        /// `"0"` 已停用: disabled.
        Disabled = "0",
        /// `"1"` 启用中: enabled.
        Enabled = "1",
        /// `"2"` 已删除: deleted.
        Deleted = "2",
    }
}

scrm_core::lenient_enum! {
    /// `publish_status` (发布状态).
    pub enum PublishStatus: str {
        /// `"0"` 未发布: not published.
        Unpublished = "0",
        /// `"1"` 已发布: published.
        Published = "1",
    }
}

scrm_core::lenient_enum! {
    /// `receiver_limit` (接收人限制): who may receive tasks of this type.
    pub enum ReceiverLimit: str {
        /// `"0"` 仅限客户经理: the customer's account manager only.
        AccountManagerOnly = "0",
        /// `"1"` 不限: anyone.
        Anyone = "1",
    }
}

scrm_core::lenient_enum! {
    /// `feedback_picture_required` (反馈照片必填限制).
    pub enum PictureRequirement: str {
        /// `"0"` 不必填: a picture is optional.
        Optional = "0",
        /// `"1"` 必填: a picture is required.
        Required = "1",
    }
}

scrm_core::lenient_enum! {
    /// `is_album_permitted` (反馈照片从相册选取): whether feedback pictures may come from the
    /// phone's album rather than the camera.
    pub enum AlbumPermission: str {
        /// `"0"` 禁止: camera only.
        Forbidden = "0",
        /// `"1"` 允许: album allowed.
        Permitted = "1",
    }
}

blank_is_unset!(
    TaskTypeStatus,
    PublishStatus,
    ReceiverLimit,
    PictureRequirement,
    AlbumPermission
);

impl WaiqinClient {
    /// The task types with the ids in `request` (`cusTask/v1/queryTaskType`; not paged).
    pub async fn task_types(&self, request: &QueryTaskType) -> Result<Vec<TaskType>, Error> {
        self.core().call(request).await
    }
}
