//! Stateful HTTP doubles of the wshoto, weiban, waiqin and tanma open APIs on `127.0.0.1`.
//!
//! One listener serves all four vendors, routed by path (their paths do not collide), so the
//! base URL of every vendor is [`Sandbox::base_url`] (`http://127.0.0.1:PORT`, "everything before
//! the documented path"). The sandbox verifies what the vendors verify (tokens and their expiry
//! for wshoto and weiban, the waiqin MD5 path digest with a China-time timestamp window, the
//! tanma SHA-256 header signature with a millisecond timestamp window), pages a deterministic
//! seeded [`Dataset`] exactly as each vendor pages, and injects faults on demand ([`Faults`]).
//! Counters ([`Stats`]) let tests assert what happened.
//!
//! ```
//! use std::io::{Read, Write};
//! use scrm_sandbox::{Sandbox, SandboxConfig};
//!
//! # fn main() -> std::io::Result<()> {
//! // Own thread and runtime: usable from synchronous code. In async code use `Sandbox::start`.
//! let sandbox = Sandbox::start_background(SandboxConfig { records: 50, ..SandboxConfig::default() })?;
//! let cred = sandbox.credentials();
//! let mut tcp = std::net::TcpStream::connect(sandbox.addr())?;
//! write!(
//!     tcp,
//!     "GET /openapi/access_token?appid={}&app_secret={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
//!     cred.wshoto_app_id, cred.wshoto_app_secret
//! )?;
//! let mut answer = String::new();
//! tcp.read_to_string(&mut answer)?;
//! assert!(answer.contains(r#""code":0"#) && answer.contains("access_token"));
//! assert_eq!(sandbox.stats().wshoto.tokens_issued, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Routes and answers
//!
//! Token endpoints: wshoto `GET /openapi/access_token?appid=&app_secret=`, weiban
//! `POST /open-api/access_token/get` `{"corp_id","secret"}`. Every operation of the catalog
//! declared in `src/doubles/<vendor>.rs` and served by the generic engine
//! ([`Dataset::operations`] lists them; [`Dataset::operation`] describes one):
//!
//! | vendor | operation | route | paging and limits | filters |
//! |---|---|---|---|---|
//! | wshoto | `collect-details` | `POST /openapi/collect/detail/page` | `current_index` (1-based) + `page_size` (default 20, ≤ 200) → `data.total`, `data.records` | `form_id`, `send_user_id`, `detail_status`, `start_commit_time`, `end_commit_time` |
//! | wshoto | `customers` | `POST /openapi/customer/list/selfCustomersByTenant` | `current_index` + `page_size` (≤ 100) → `data.total` | — |
//! | wshoto | `open-sea` | `POST /openapi/crm3/openSea/listOpenSeaData` | `current_index` + `page_size` (≤ 100, not stated) → `data.total`; window in epoch **ms** | `pool_ids`, `pre_owner_id`, `return_time_start`, `return_time_end` |
//! | wshoto | `group-members` | `GET /openapi/chat/group/member/list` | GET; `chat_id` required; `current_index` + `page_size` (≤ 100) → `data.total` | `chat_id` |
//! | wshoto | `contacts` | `POST /openapi/crm3/contact/page` | `current_index` + `page_size` (≤ 100) → `data.total`; creation window in seconds | `contact_name`, `owner_ids`, `create_start_time`, `create_end_time`, `tag_ids`, `access_customer_channel`, `mobile_phone`, `external_user_ids`, `email`, `field_map`, `company_phases`, `company_levels` |
//! | wshoto | `product-tags` | `POST /openapi/product/library/page_query_product_library_tag_info_list` | `current_index` + `page_size` (≤ 100) → `data.total`, `sub_code: "00000"` | `tag_name` |
//! | weiban | `smart-form-users` | `GET /open-api/smart_form/form/user/list` | `status` required; `offset` + `limit` (default 20, ≤ 1000) → `result`, `total` | `status`, `form_id`, `city`, `start_time`, `end_time` |
//! | weiban | `customer-updates` | `GET /open-api/external_user/update/list` | `source` required (10049); `offset` + `limit` (default 30, ≤ 100) → `external_user_list`, `total`; update window on `updated_at` | `start_update_time`, `end_update_time`, `start_add_time`, `end_add_time`, `staff_id`, `type`, `phone_number`, `order`, `source` |
//! | weiban | `customer` | `GET /open-api/external_user/get` | none; `id` or `unionid` (20208); not found 20206 / 20207 → `total`, `external_user` | `id`, `unionid`, `openid` |
//! | weiban | `customers-batch` | `POST /open-api/external_user/batch_get` | none; body `id_list` (or `external_user_ids`), 1–20 ids → `external_user[]`, `total` | `id_list`, `external_user_ids` |
//! | weiban | `customers` | `GET /open-api/external_user/list` | `offset` + `limit` (default 30, ≤ 100) → `external_user_list` (no total); `order=desc` reverses | `staff_id`, `type`, `phone_number`, `order`, `start_time`, `end_time` |
//! | weiban | `customer-staff` | `GET /open-api/external_user_staff_relation/list` | `offset` + `limit` (default 30, ≤ 100) → `external_user_list`, `total` | `start_add_time`, `end_add_time`, `staff_id`, `outflow` |
//! | weiban | `customer-events` | `GET /open-api/external_user_event/list` | `last_id` keyset (id > last_id) + `offset` + `limit` (default 30, ≤ 100) → `event_list`, `total`; a customer id required | `external_user_id`, `external_user_unionid`, `staff_id`, `external_user_openid` |
//! | weiban | `customer-stages` | `POST /open-api/external_user/stage/get` | none; `external_user_ids` 1–50 (20607/20608), none found 20609 → `stage_list`, `total` | `external_user_ids` |
//! | weiban | `staff` | `GET /open-api/staff/list` | `offset` + `limit` (default 30, ≤ 100) → `staff_list` (undocumented key) | `start_time`, `end_time` |
//! | weiban | `group-chats` | `GET /open-api/group_chat/list` | `offset` + `limit` (default 30, ≤ 100) → `group_chat_list` (undocumented key) | `staff_id` |
//! | weiban | `group-chat` | `GET /open-api/group_chat/detail` | none; `group_chat_id` required, unknown 20209 → `group_chat` | `group_chat_id` |
//! | weiban | `group-chat-members` | `GET /open-api/group_chat/member/list` | none; `group_chat_id` required → `member_list`, `total` | `group_chat_id` |
//! | waiqin | `tasks` | `POST /api/cusTask/v1/queryTask` | `page` (default 1) + `rows` (default and max 1000), strings or numbers; no total | `create_date_from`, `create_date_to`, `modify_date_from`, `modify_date_to` |
//! | waiqin | `task-types` | `POST /api/cusTask/v1/queryTaskType` | none; absent/`null`/`[]` `type_ids` = all 12 types | `type_ids` |
//! | waiqin | `visits` | `POST /api/cusVisit/v1/queryCusVisitRecord` | `page` + `rows` (≤ 1000) required; `date_start`/`date_end` required unless `id`; no total | `id`, `date_start`, `date_end`, `modify_start`, `modify_end`, `visit_time_start`, `visit_time_end`, `visitor_code`, `visit_type` |
//! | waiqin | `tracks` | `POST /api/waiqinTrack/v1/queryEmpTrackTime` | `page_number` + `page_size` INTs (default and max 1000; strings rejected); `date_start`/`date_end` required; no total | `date_start`, `date_end` |
//! | tanma | `clues` | `POST /api/v3/clue/list-by-create-time-asc` | `cursor` + `size` (default 20, ≤ 1000) → `data.list`, `data.nextCursor` (`null` at the end) | `since`, `before`, `type` |
//! | tanma | `customer-files` | `POST /api/v3/customer/list-file-of-customer` | `lastId` keyset (ids ascending, ids > lastId; newest-first by config) + `pageSize` (≤ 1000) → `totalCount`, `totalPage`, `pageNo` (0-based), `result` | `salesId`, `userId`, `customerId`, `externalUserId` |
//! | tanma | `customer-details` | `POST /api/v2/customer/qw-details` | none; `externalUserId` required → `data[]` | `externalUserId`, `qwUserId` |
//! | tanma | `customers` | `POST /api/v3/customer/search` | `pageNo` + `pageSize` (≤ 1000) → `data.totalPage`, `data.data` | `customerId`, `searchKey`, `role`, `salesIdList`, `departmentIdList`, `createTime.start`, `createTime.end`, `creditCode`, `conditions` |
//! | tanma | `tags` | `POST /api/v3/tags/list-tree` | none; no body → `data[]` (groups with `tags`) | — |
//! | tanma | `group-chats` | `POST /api/v3/groupSop/getGroupList` | `pageNo` + `pageSize` (≤ 1000) → `totalCount`, `totalPage`, `pageNo` (1-based), `result` | `userId`, `keyword`, `tagGroupIds`, `conditionOp`, `startCreateTime`, `endCreateTime` |
//! | tanma | `staff` | `POST /api/v3/get-users` | `pageNo` + `pageSize` (≤ 1000), no totals: a short page is the end → `data.result` | `name`, `deleted` |
//!
//! Time windows follow each page: seconds, milliseconds (wshoto open sea), `yyyy-MM-dd` days
//! (waiqin, inclusive) or `yyyy-MM-dd HH:mm:ss` (tanma); ends are inclusive unless the page
//! says otherwise (tanma clues: `before` exclusive). GET parameters arrive as strings and are
//! read leniently (numbers or numeric strings), as are POST body numbers.
//!
//! # Mutations and the request log
//!
//! [`Sandbox::append`] and [`Sandbox::change`] add and change records of an operation at the
//! dataset's "now" (after every generated time), so incremental readers using the documented
//! creation / update / modification filters see exactly the additions and changes.
//! [`Stats::request_times`] logs every request a vendor received (monotonic milliseconds, data or
//! token, throttled or not); [`RequestTimes::max_per_second`] is the most data requests within
//! any sliding one-second window.
//!
//! Rejection codes (vendor-documented ones marked *doc*, the others are sandbox choices):
//!
//! * wshoto (`code`): 10001 token invalid/expired/revoked (seen in public client code), 10002 bad appid/app_secret,
//!   10003 parameter error, 45009 too frequent (HTTP 429).
//! * weiban (`errcode`): 40001 bad corp_id/secret, 40014 token invalid or revoked, 42001 token
//!   expired, 21901 parameter check failed (*doc*; missing `status`, bad numbers, limit), 45009
//!   too frequent (HTTP 429). 21902 (*doc*) is never produced.
//! * waiqin (`return_code`, a string): "1001" digest mismatch, "1002" timestamp malformed or outside
//!   the window, "1003" unknown openid, "1004" parameter error, "1005" unknown interface, "1006"
//!   too frequent (HTTP 429). Errors carry `response_data: ""`.
//! * tanma (`code`): 1000 parameter error, 1002 bad signature or unknown appId (*doc*), 1003
//!   timestamp too far from server time (*doc*), 1004 too frequent (HTTP 429).
//!
//! * Documented business codes of the other operations: weiban 20206 / 20207 / 20208 (customer
//!   detail: id not found, unionid not found, neither given), 20209 (unknown `group_chat_id`),
//!   20203 (bad `type`), 10049 (bad or missing `source`), 20607 / 20608 / 20609 (stage lookup:
//!   empty list, more than 50 ids, nothing found).
//!
//! Business rejections are HTTP 200 with the vendor's envelope, as the vendors do.

mod data;
mod doubles;
mod engine;
mod faults;
pub mod push;
mod server;
mod tanma;
mod util;
mod waiqin;
mod weiban;
mod wshoto;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub use data::{
    Dataset, Fixtures, Op, Operation, Query, TanmaClueFilter, TanmaFileFilter, TanmaSales, Vendor,
    WAIQIN_TASK_TYPES, WaiqinTaskFilter, WeibanFilter, WshotoFilter,
};
pub use doubles::weiban::{
    WEIBAN_BATCH_GET_KEY, WEIBAN_BATCH_GET_MAX, WEIBAN_GROUP_CHAT_LIST_KEY, WEIBAN_STAFF_LIST_KEY,
    WEIBAN_STAGE_GET_MAX,
};
pub use faults::{
    FaultStats, Faults, OpStats, REQUEST_LOG_CAP, RequestTime, RequestTimes, Stats, VendorStats,
};
pub use tanma::{
    TANMA_BAD_SIGN, TANMA_BAD_TIMESTAMP, TANMA_DEFAULT_SIZE, TANMA_MAX_SIZE, TANMA_PARAM_ERROR,
    TANMA_TOO_FREQUENT, tanma_sign, tanma_timestamp_now, verify_tanma_sign,
};
pub use waiqin::{
    WAIQIN_BAD_DIGEST, WAIQIN_BAD_TIMESTAMP, WAIQIN_MAX_ROWS, WAIQIN_PARAM_ERROR,
    WAIQIN_TOO_FREQUENT, WAIQIN_UNKNOWN_API, WAIQIN_UNKNOWN_OPENID, verify_waiqin_digest,
    waiqin_digest, waiqin_timestamp, waiqin_timestamp_now,
};
pub use weiban::{
    WEIBAN_BAD_CREDENTIALS, WEIBAN_DEFAULT_LIMIT, WEIBAN_MAX_LIMIT, WEIBAN_PARAM_ERROR,
    WEIBAN_QUERY_FAILED, WEIBAN_TOKEN_EXPIRED, WEIBAN_TOKEN_INVALID, WEIBAN_TOO_FREQUENT,
};
pub use wshoto::{
    WSHOTO_BAD_CREDENTIALS, WSHOTO_DEFAULT_PAGE_SIZE, WSHOTO_MAX_PAGE_SIZE, WSHOTO_PARAM_ERROR,
    WSHOTO_TOKEN_INVALID, WSHOTO_TOO_FREQUENT,
};

/// Default wshoto `appid`.
pub const SANDBOX_WSHOTO_APP_ID: &str = "wsapp_sandbox_0001";
/// Default wshoto `app_secret`.
pub const SANDBOX_WSHOTO_APP_SECRET: &str = "sandbox-wshoto-app-secret";
/// Default weiban `corp_id` (weiban's own 19-digit id, as a string).
pub const SANDBOX_WEIBAN_CORP_ID: &str = "1650000000000000001";
/// Default weiban `secret`.
pub const SANDBOX_WEIBAN_SECRET: &str = "sandbox-weiban-secret";
/// Default waiqin `openid` (the one of the vendor's documented digest example).
pub const SANDBOX_WAIQIN_OPENID: &str = "5465103569540931532";
/// Default waiqin `appkey` (the one of the vendor's documented digest example).
pub const SANDBOX_WAIQIN_APPKEY: &str = "BFCO0PAgIUgd50c0l6";
/// Default tanma `appId`.
pub const SANDBOX_TANMA_APP_ID: &str = "wwEXAMPLE_corp_AbCdEf";
/// Default tanma `appKey`.
pub const SANDBOX_TANMA_APP_KEY: &str = "EXAMPLEAPPKEY";

/// The credentials the sandbox accepts. `Default` gives the public `SANDBOX_*` constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// wshoto `appid`.
    pub wshoto_app_id: String,
    /// wshoto `app_secret`.
    pub wshoto_app_secret: String,
    /// weiban `corp_id`.
    pub weiban_corp_id: String,
    /// weiban `secret`.
    pub weiban_secret: String,
    /// waiqin `openid` (path segment).
    pub waiqin_openid: String,
    /// waiqin `appkey` (digest secret).
    pub waiqin_appkey: String,
    /// tanma `appId` (header).
    pub tanma_app_id: String,
    /// tanma `appKey` (signature secret).
    pub tanma_app_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            wshoto_app_id: SANDBOX_WSHOTO_APP_ID.to_owned(),
            wshoto_app_secret: SANDBOX_WSHOTO_APP_SECRET.to_owned(),
            weiban_corp_id: SANDBOX_WEIBAN_CORP_ID.to_owned(),
            weiban_secret: SANDBOX_WEIBAN_SECRET.to_owned(),
            waiqin_openid: SANDBOX_WAIQIN_OPENID.to_owned(),
            waiqin_appkey: SANDBOX_WAIQIN_APPKEY.to_owned(),
            tanma_app_id: SANDBOX_TANMA_APP_ID.to_owned(),
            tanma_app_key: SANDBOX_TANMA_APP_KEY.to_owned(),
        }
    }
}

/// Configuration of a [`Sandbox`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 (default) picks a free one.
    pub port: u16,
    /// Dataset seed (default 1): the same seed gives the same records.
    pub seed: u64,
    /// Records per paged operation (default 1000; waiqin task types are always 12).
    pub records: usize,
    /// Accepted credentials (default: the `SANDBOX_*` constants).
    pub credentials: Credentials,
    /// Lifetime of wshoto and weiban tokens (default 7200 s).
    pub token_ttl: Duration,
    /// Accepted distance of a waiqin timestamp from server time (default ±10 minutes).
    pub waiqin_timestamp_window: Duration,
    /// Accepted distance of a tanma timestamp from server time (default ±5 minutes).
    pub tanma_timestamp_window: Duration,
    /// Initial faults of every vendor (default: none).
    pub faults: Faults,
    /// Serve tanma customer files newest first (ids descending, a page holds ids < `lastId`,
    /// the default: the doc names `lastId` 最大记录id, "the largest record id") or, with
    /// `false`, ascending (ids > `lastId`).
    pub tanma_files_newest_first: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: 1,
            records: 1000,
            credentials: Credentials::default(),
            token_ttl: Duration::from_secs(7200),
            waiqin_timestamp_window: Duration::from_secs(600),
            tanma_timestamp_window: Duration::from_secs(300),
            faults: Faults::default(),
            tanma_files_newest_first: true,
        }
    }
}

/// One request as the sandbox received it, recorded while [`Sandbox::record_requests`] is on
/// (to check request rates: the arrival times are the sandbox's own clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The vendor it was routed to.
    pub vendor: Vendor,
    /// When it arrived, since the sandbox started.
    pub at: Duration,
    /// Whether it asked for a token (wshoto, weiban).
    pub token: bool,
    /// Whether the rate limit answered it with 429.
    pub throttled: bool,
}

/// A running sandbox. Dropping it stops the server (as does [`Sandbox::shutdown`]).
#[derive(Debug)]
pub struct Sandbox {
    state: Arc<server::State>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    fn bind(config: &SandboxConfig) -> std::io::Result<std::net::TcpListener> {
        let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        l.set_nonblocking(true)?;
        Ok(l)
    }

    /// Binds `127.0.0.1:config.port` and serves on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let std_listener = Self::bind(&config)?;
        let addr = std_listener.local_addr()?;
        let listener = tokio::net::TcpListener::from_std(std_listener)?;
        let state = Arc::new(server::State::new(config));
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, state.clone(), rx));
        Ok(Sandbox {
            state,
            addr,
            stop,
            task: Some(task),
            thread: None,
        })
    }

    /// Binds `127.0.0.1:config.port` and serves on a dedicated thread with its own
    /// single-threaded runtime; needs no runtime from the caller (synchronous tests,
    /// benchmarks that must not share the client's runtime).
    pub fn start_background(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let std_listener = Self::bind(&config)?;
        let addr = std_listener.local_addr()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let state = Arc::new(server::State::new(config));
        let (stop, rx) = watch::channel(false);
        let st = state.clone();
        let thread = std::thread::Builder::new()
            .name("scrm-sandbox".into())
            .spawn(move || {
                rt.block_on(async move {
                    if let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) {
                        server::serve(listener, st, rx).await;
                    }
                });
            })?;
        Ok(Sandbox {
            state,
            addr,
            stop,
            task: None,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL of all four vendors.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The configuration it was started with.
    pub fn config(&self) -> &SandboxConfig {
        &self.state.config
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.state.config.credentials
    }

    /// The dataset it serves (to compute expected results).
    pub fn dataset(&self) -> &Dataset {
        &self.state.dataset
    }

    /// Sets the faults of every vendor (and restarts their "every Nth" counts).
    pub fn set_faults(&self, faults: Faults) {
        for v in Vendor::ALL {
            self.state.fault(v).set(faults);
        }
    }

    /// Sets the faults of one vendor (and restarts its "every Nth" counts).
    pub fn set_vendor_faults(&self, vendor: Vendor, faults: Faults) {
        self.state.fault(vendor).set(faults);
    }

    /// The current faults of one vendor.
    pub fn faults(&self, vendor: Vendor) -> Faults {
        self.state.fault(vendor).get()
    }

    /// Removes all faults.
    pub fn clear_faults(&self) {
        self.set_faults(Faults::none());
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }

    /// The request log of one vendor (see [`Stats::request_times`]), without a full snapshot.
    pub fn request_times(&self, vendor: Vendor) -> RequestTimes {
        self.state.counters.request_times(vendor)
    }

    /// Starts (`true`) or stops recording the arrival of every request (off by default: a
    /// long-running sandbox would grow without bound). Starting clears the log.
    pub fn record_requests(&self, on: bool) {
        if on && let Ok(mut log) = self.state.log.lock() {
            log.clear();
        }
        self.state
            .recording
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The requests recorded so far, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.state.counters.reset();
    }

    /// Appends `n` records to `vendor`'s operation `op` (CLI name, e.g. `("weiban",
    /// "customers")`) and returns the new record count; `None` for an unknown operation.
    /// See [`Dataset::append`]: they are created at the dataset's "now", after everything
    /// before, so creation/submission windows from a bookmark see exactly them.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let sandbox = scrm_sandbox::Sandbox::start_background(scrm_sandbox::SandboxConfig {
    ///     records: 10,
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(sandbox.append("tanma", "clues", 3), Some(13));
    /// let changed = sandbox.change("waiqin", "tasks", 2).unwrap();
    /// assert_eq!(changed, vec![0, 5]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn append(&self, vendor: &str, op: &str, n: usize) -> Option<usize> {
        self.state.dataset.append(vendor, op, n)
    }

    /// Changes `m` records of `vendor`'s operation `op`, spread over its records, and returns
    /// their indices; see [`Dataset::change`]: content changes and the modification / update
    /// time moves to the dataset's "now", so documented change feeds see exactly them.
    pub fn change(&self, vendor: &str, op: &str, m: usize) -> Option<Vec<usize>> {
        self.state.dataset.change(vendor, op, m)
    }

    /// Makes the current wshoto and weiban tokens expire now (as if their TTL had passed).
    pub fn expire_tokens(&self) {
        self.state.expire_tokens();
    }

    /// Revokes the current wshoto and weiban tokens now (the vendor invalidating them early).
    pub fn revoke_tokens(&self) {
        self.state.revoke_tokens();
    }

    /// Stops accepting, closes open connections and waits for the server to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        if let Some(t) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`), then shuts down.
    pub async fn run_until<F: Future>(self, signal: F) {
        let _ = signal.await;
        self.shutdown().await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The README's code, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
