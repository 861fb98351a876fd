//! 外勤轨迹查询: `POST /api/waiqinTrack/v1/queryEmpTrackTime`, employees' field-track points
//! (attendance, customer sign-ins, visit registrations), paged by **integer**
//! `page_number`/`page_size` (at most 1000) with no total: a short page ends the export.
//! Append-only: `date_start`/`date_end` select by the day a point was submitted, so an
//! incremental read sees new points, never edits.
//!
//! Fidelity: **partial** (`vendor-docs/waiqin-track-query-emp-track-time.txt`, from
//! <https://api.qince.com/SERVER/app/waiqinTrack/waiqinTrack.html>). The request table is
//! complete but the page shows no request example; the response table is cut off after
//! `cusName`, so `cusCode`, `location`, `offset`, `submitTime` and `type` are typed from the
//! documented example only. Anything else the vendor sends is kept in `extra`.

use scrm_core::check;
use scrm_core::de::{ChinaDate, ChinaDateTime, Id};

use crate::{MAX_ROWS, Waiqin, wire};

scrm_core::operation! {
    /// Request of 外勤轨迹查询 (`POST /api/waiqinTrack/v1/queryEmpTrackTime`).
    ///
    /// `date_start` and `date_end` are required (`yyyy-MM-dd`, by submission day);
    /// `page_number`/`page_size` travel as JSON integers (unlike the strings of the other
    /// waiqin endpoints), `page_size` at most [`MAX_ROWS`]; streams send both (1 and
    /// [`MAX_ROWS`] unless set).
    ///
    /// ```
    /// use scrm_waiqin::{ChinaDate, QueryEmpTrackTime};
    /// let request = QueryEmpTrackTime::new()
    ///     .date_start(ChinaDate::parse("2022-11-01")?)
    ///     .date_end(ChinaDate::parse("2022-11-30")?)
    ///     .page_size(200);
    /// assert_eq!(
    ///     serde_json::to_string(&request)?,
    ///     r#"{"page_size":200,"date_start":"2022-11-01","date_end":"2022-11-30"}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct QueryEmpTrackTime: Waiqin, POST "/api/waiqinTrack/v1/queryEmpTrackTime"
        => Vec<Track> as "waiqinTrack/v1/queryEmpTrackTime" {
        /// 页码: the page, from 1 (vendor default 1).
        page_number: u32,
        /// 每页条数: points per page, 1 to [`MAX_ROWS`] (vendor default 1000).
        page_size: u32,
        /// 开始日期: points submitted on or after this day.
        date_start: ChinaDate = required,
        /// 结束日期: points submitted on or before this day.
        date_end: ChinaDate = required,
    }
    validate(r) {
        check::in_range("page_size", r.page_size, 1, u64::from(MAX_ROWS))?;
        check::at_least("page_number", r.page_number, 1)?;
        check::window("date_start", r.date_start, "date_end", r.date_end)
    }
}

scrm_core::record! {
    /// One field-track point (外勤轨迹). The table marks the customer fields required, but
    /// points that are not about a customer (attendance) send them as `""`: ids read as
    /// `None`, texts are kept as sent.
    ///
    /// The page documents no id for a point: the registry's primary key is our inference,
    /// `empId` + `submitTime` + `type` + `cusId` (minute precision, so two points of one kind
    /// for one customer within a minute would share a key).
    pub struct Track {
        /// 员工ID.
        emp_id as "empId": Id,
        /// 员工姓名.
        emp_name as "empName": String,
        /// 员工账号.
        emp_code as "empCode": String,
        /// 客户ID (`""` for points without a customer).
        cus_id as "cusId": Id,
        /// 客户名称.
        cus_name as "cusName": String,
        /// 客户编码 (the table row is cut off: `cusCod…`).
        cus_code as "cusCode": String,
        /// Where it was submitted, as text (example only; may be `定位失败!`, location failed).
        location: String,
        /// Offset (example only, meaning undocumented; the vendor's text, e.g. `"40395"`;
        /// absent on some points).
        offset: String,
        /// Submission time, `yyyy-MM-dd HH:mm` (example only): the incremental cursor.
        submit_time as "submitTime": ChinaDateTime,
        /// What was submitted, as the vendor labels it (example only: `考勤`, `客户签到`,
        /// `拜访-离开登记`).
        track_type as "type": String,
    }
}

scrm_core::paging!(QueryEmpTrackTime => Track, page_rows(page_number, page_size = u64::from(MAX_ROWS)), items(*));

scrm_core::register!(QueryEmpTrackTime {
    name: "tracks",
    title: "外勤轨迹查询",
    record: Track,
    key: ["empId", "submitTime", "type", "cusId"],
    incremental: wire::submitted_days("submitTime", "date_start", "date_end"),
    fidelity: Partial,
});
