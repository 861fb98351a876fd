//! 获取公海列表 — `POST /openapi/crm3/openSea/listOpenSeaData`: the contacts and companies in the
//! CRM public pool (公海), paged by `current_index` (from 1) with a `total`. Fidelity: **partial**
//! (`vendor-docs/wshoto-crm3-open-sea-list-open-sea-data.txt`, source
//! <https://open.wshoto.com/doc/pages/crm3/openSeaDataList.html>): the 必填 column was not
//! captured (nothing is checked as required) and the response table stops after
//! `open_sea_return_reason_type`; the last three record fields are typed from the example.
//!
//! Times are epoch **milliseconds** here (`return_time_*`, `open_sea_return_time`,
//! `create_time`), unlike most wshoto times. The page states no maximum `page_size`; the
//! streams send [`STREAM_PAGE_SIZE`] (the maximum of the other wshoto list pages).
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::{OpenSeaList, UnixMillis};
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let request = OpenSeaList::new()
//!     .return_time_start(UnixMillis(1_735_660_800_000))
//!     .return_time_end(UnixMillis(1_738_339_200_000));
//! let mut records = client.items(request);
//! while let Some(r) = records.try_next().await? {
//!     println!("{:?} returned {:?} times", r.contact_name, r.open_sea_return_num);
//! }
//! # Ok(()) }
//! ```

use scrm_core::check;
use scrm_core::de::{Id, UnixMillis};

use crate::Wshoto;
use crate::wire::{RecordPage, check_page};

/// The page size the streams send when the request sets none (the page states no maximum).
pub const STREAM_PAGE_SIZE: u64 = 100;

scrm_core::operation! {
    /// The request of 获取公海列表: the pools, the previous owner, a window on the time records
    /// were returned to the pool (epoch ms), and the page.
    ///
    /// Fidelity: partial (the 必填 column and the last response rows were not captured).
    pub struct OpenSeaList: Wshoto, POST "/openapi/crm3/openSea/listOpenSeaData"
        => OpenSeaListResponse as "crm3/openSea/listOpenSeaData" {
        /// 公海池ID: only these pools (element type not stated; pool ids are numbers in the
        /// records).
        pool_ids: Vec<Id>,
        /// 前负责人: only records whose previous owner is this employee.
        pre_owner_id: String,
        /// 回收/退回时间起: returned to the pool at or after (epoch ms).
        return_time_start: UnixMillis,
        /// 回收/退回时间止: returned to the pool at or before (epoch ms).
        return_time_end: UnixMillis,
        /// 当前页: the page, from 1.
        current_index: u64,
        /// 每页大小: records per page (no documented maximum).
        page_size: u64,
    }
    validate(r) {
        check::window("return_time_start", r.return_time_start, "return_time_end", r.return_time_end)?;
        check_page(r.current_index, r.page_size, None)
    }
}

/// One page of 获取公海列表.
pub type OpenSeaListResponse = RecordPage<OpenSeaRecord>;

scrm_core::record! {
    /// A record in the public pool. Ids are 19-digit JSON numbers on the live API (never read
    /// through `f64`); where table and example disagree the field reads both.
    pub struct OpenSeaRecord {
        /// 企业ID.
        company_id: Id,
        /// 企业名称.
        company_name: String,
        /// 联系人ID (typed string, a number in the example).
        contact_id: Id,
        /// 联系人名称 (typed long, a string in the example).
        contact_name: String,
        /// 公海池ID.
        open_sea_pool_id: Id,
        /// 前负责人 (typed long, a string in the example).
        pre_owner_id: String,
        /// 前负责人部门.
        pre_owner_dept_id: Id,
        /// 退回次数.
        open_sea_return_num: u64,
        /// 退回时间 (epoch ms).
        open_sea_return_time: UnixMillis,
        /// 退回原因类型 (codes not documented).
        open_sea_return_reason_type: i64,
        /// 退回原因 (from the example; its table row was not captured).
        open_sea_return_reason: String,
        /// Material ids attached to the return (from the example: strings).
        open_sea_return_material_ids: Vec<Id>,
        /// Created at, epoch ms (from the example).
        create_time: UnixMillis,
    }
}

scrm_core::paging!(OpenSeaList => OpenSeaRecord,
    page_number(current_index, page_size = STREAM_PAGE_SIZE), total(total), items(records));

scrm_core::register!(OpenSeaList {
    name: "open-sea",
    title: "获取公海列表",
    record: OpenSeaRecord,
    key: ["company_id", "contact_id"],
    incremental: Some(Incremental::new(
        ChangeKind::Creations,
        "open_sea_return_time",
        Some("return_time_start"),
        Some("return_time_end"),
        Granularity::Millis
    )),
    fidelity: Partial,
});
