//! # scrm-waiqin
//!
//! A typed async client for the open API of waiqin (外勤365 / 勤策): MD5 path signing and the
//! customer-task exports as streams that do not lose a row.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use scrm_waiqin::{ChinaDate, Configure, QueryTask, QueryTaskType, WaiqinClient};
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
//! let mut tasks = std::pin::pin!(client.tasks(request));
//! while let Some(task) = tasks.try_next().await? {
//!     println!("{} {:?} {:?}", task.task_id, task.task_status, task.modify_time);
//! }
//!
//! // Task types by id (not paged).
//! let types = client
//!     .task_types(&QueryTaskType::new().type_id("6067108969643484875"))
//!     .await?;
//! # let _ = types;
//! # Ok(()) }
//! ```
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
//! | waiqin | request | client methods |
//! |---|---|---|
//! | 客户任务信息查询 `cusTask/v1/queryTask` | [`QueryTask`] → [`Task`] | [`tasks`](WaiqinClient::tasks), [`task_pages`](WaiqinClient::task_pages), [`query_task`](WaiqinClient::query_task) |
//! | 任务类型查询 `cusTask/v1/queryTaskType` | [`QueryTaskType`] → [`TaskType`] | [`task_types`](WaiqinClient::task_types) |

mod auth;
mod client;
mod envelope;
mod ops;

pub use auth::{UuidIds, WaiqinSigner, digest};
pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND, WaiqinClient,
    WaiqinClientBuilder,
};
pub use envelope::{SUCCESS, Waiqin, classify};
pub use ops::{
    AlbumPermission, ExecuteDemand, FeedbackDetail, MAX_ROWS, PictureRequirement, PublishStatus,
    QueryTask, QueryTaskType, ReceiverLimit, Task, TaskPerson, TaskRecordStatus, TaskStatus,
    TaskType, TaskTypeStatus,
};

pub use scrm_core::de::{ChinaDate, ChinaDateTime, Id};
pub use scrm_core::{
    Clock, Configure, DriftPolicy, Error, ErrorKind, FixedIds, ManualClock, Page, PageOptions,
    Position, RateLimit, RequestIds, RetryPolicy, Secret, Stream, SystemClock, Transport,
    collect_all,
};

/// The shared machinery underneath (transport, signer and paging traits), for adding
/// operations or transports of your own.
pub use scrm_core;

/// Every typed waiqin operation (the registry is being filled; see `scrm_weiban::OPERATIONS`).
pub static OPERATIONS: &[&dyn scrm_core::registry::DynOperation<Waiqin>] = &[];
