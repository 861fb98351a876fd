//! 获取员工列表: `GET /open-api/staff/list`, the staff, paged by `offset`/`limit` (at most 100).
//!
//! Fidelity: **third-party code** (`vendor-docs/weiban-staff-list.txt`): the parameters come from
//! a public SDK's comments; the response is documented nowhere, so the records are read from
//! whatever list the answer carries ([`AnyList`]) and kept whole as [`Staff`]`.extra`. What
//! `start_time`/`end_time` filter on is not stated.

use scrm_core::check;
use scrm_core::de::UnixSeconds;

use crate::wire::AnyList;
use crate::{MAX_LIST_LIMIT, Weiban};

scrm_core::operation! {
    /// Request of 获取员工列表 (`GET /open-api/staff/list`). Every parameter is optional.
    ///
    /// Fidelity of our copy of the docs: third-party code; response undocumented.
    ///
    /// ```
    /// use scrm_weiban::{StaffList, UnixSeconds};
    /// let request = StaffList::new().start_time(UnixSeconds(1640833484)).limit(50);
    /// assert_eq!(request.limit, Some(50));
    /// ```
    pub struct StaffList: Weiban, GET "/open-api/staff/list", query
        => AnyList<Staff> as "staff/list" {
        /// Window start, epoch seconds (meaning not stated).
        start_time: UnixSeconds,
        /// Window end, epoch seconds.
        end_time: UnixSeconds,
        /// Records per page, 1 to [`MAX_LIST_LIMIT`] (default 30; streams send 100).
        limit: u32,
        /// Records to skip, from 0.
        offset: u64,
    }
    validate(r) {
        check::in_range("limit", r.limit, 1, MAX_LIST_LIMIT.into())?;
        check::not_negative("start_time", r.start_time.map(|t| t.0))?;
        check::window("start_time", r.start_time, "end_time", r.end_time)
    }
}

scrm_core::record! {
    /// A staff member: no field is documented, so all of it is in `extra`, as sent.
    pub struct Staff {}
}

scrm_core::paging!(StaffList => Staff,
    offset(offset, limit = MAX_LIST_LIMIT as u64), total(total), items(items));

scrm_core::register!(StaffList {
    name: "staff",
    title: "获取员工列表",
    record: Staff,
    key: [],
    incremental: None,
    fidelity: ThirdPartyCode,
});
