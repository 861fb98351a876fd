//! # scrm-waiqin
//!
//! A typed async client for the open API of waiqin (外勤365 / 勤策): MD5 path signing and the
//! customer-task, visit and field-track exports as streams that do not lose a row.
//!
//! ```no_run
//! use scrm_waiqin::prelude::*;
//! use scrm_waiqin::{ChinaDate, QueryTask, QueryTaskType};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = WaiqinClient::builder()
//!     .openid("5465103569540931532")
//!     .appkey(std::env::var("WAIQIN_APPKEY")?)
//!     // .base_url("https://<your tenant's host>")   // tenants on other clouds
//!     .build()?;
//!
//! // Every task modified in March, 1000 per page, page after page.
//! let request = QueryTask::new()
//!     .modify_date_from(ChinaDate::parse("2024-03-01")?)
//!     .modify_date_to(ChinaDate::parse("2024-03-31")?);
//! let mut tasks = client.items(request);
//! while let Some(task) = tasks.try_next().await? {
//!     println!("{:?} {:?} {:?}", task.task_id, task.task_status, task.modify_time);
//! }
//!
//! // Task types by id (not paged).
//! let types = client
//!     .call(&QueryTaskType::new().type_ids(["6067108969643484875"]))
//!     .await?;
//! # let _ = types;
//! # Ok(()) }
//! ```
//!
//! Every client offers the same three verbs for any operation: [`WaiqinClient::call`] (one
//! request), [`WaiqinClient::pages`] (pages with the position to resume from) and
//! [`WaiqinClient::items`] (records); page options are set on what they return. The typed
//! operations are listed in [`OPERATIONS`], the registry the `scrm` tool reads.
//!
//! ## What a call does
//!
//! - The request is serialized once; every attempt is signed anew ([`WaiqinSigner`]): a
//!   China-time timestamp, a fresh `msg_id` (UUID v4) and the [`digest`] of the exact body
//!   bytes go into the URL path. The appkey never leaves the process; digests and signed paths
//!   never appear in errors or logs.
//! - The envelope ([`Waiqin`]) checks the `msg_id` echo, classifies non-`"0"` return codes
//!   ([`classify`]) and decodes the JSON document inside `response_data` into typed records.
//! - Transport failures, HTTP 5xx/429, gateway pages and mismatched echoes are retried with
//!   backoff (3 attempts by default); a client-side rate limit (5 requests/s, 4 in flight)
//!   applies per client. See [`Configure`] for every setting.
//!
//! ## Operations
//!
//! | waiqin | `scrm export waiqin …` | request → record | paging |
//! |---|---|---|---|
//! | 客户任务信息查询 `cusTask/v1/queryTask` | `tasks` | [`QueryTask`] → [`Task`] | page/rows |
//! | 任务类型查询 `cusTask/v1/queryTaskType` | `task-types` | [`QueryTaskType`] → [`TaskType`] | none |
//! | 任务执行记录 (拜访记录) `cusVisit/v1/queryCusVisitRecord` | `visits` | [`QueryCusVisitRecord`] → [`Visit`] | page/rows |
//! | 外勤轨迹查询 `waiqinTrack/v1/queryEmpTrackTime` | `tracks` | [`QueryEmpTrackTime`] → [`Track`] | page_number/page_size (integers) |

mod auth;
mod client;
pub mod codes;
mod envelope;
pub mod ops;
mod wire;

pub mod push;

/// Compiles the README's examples.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use auth::{UuidIds, WaiqinSigner, digest};
pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND, WaiqinClient,
    WaiqinClientBuilder,
};
pub use codes::{
    AlbumPermission, ApprovalStatus, ExecuteDemand, FlowType, PictureRequirement, PlanSource,
    PublishStatus, ReceiverLimit, RecordStatus, TaskStatus, TaskTypeStatus, VisitType,
};
pub use envelope::{SUCCESS, Waiqin, classify};
pub use ops::OPERATIONS;
pub use ops::query_cus_visit_record::{QueryCusVisitRecord, Visit};
pub use ops::query_emp_track_time::{QueryEmpTrackTime, Track};
pub use ops::query_task::{FeedbackDetail, QueryTask, Task, TaskPerson};
pub use ops::query_task_type::{QueryTaskType, TaskType};
pub use wire::{LenientDateTime, MAX_ROWS};

/// What most programs need: the client, the builder trait and the stream extensions
/// (`try_next`, `next`, `try_collect`), so that only this crate and tokio are dependencies.
pub mod prelude {
    pub use crate::{Configure, Error, WaiqinClient};
    pub use scrm_core::prelude::*;
}

pub use scrm_core::de::{ChinaDate, ChinaDateTime, Digits, Id};
pub use scrm_core::{
    Clock, Configure, DriftPolicy, Error, ErrorKind, Extra, FixedIds, Items, ManualClock, Page,
    PageOptions, Pages, Position, RateLimit, RequestIds, RetryPolicy, Secret, Stream, SystemClock,
    Transport, collect_all,
};

/// The shared machinery underneath (transport, signer and paging traits), for adding
/// operations or transports of your own.
pub use scrm_core;
