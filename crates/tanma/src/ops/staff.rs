//! 查询员工: `POST /api/v3/get-users`, the employees, paged by page number with no known totals
//! (a short page is the end). Fidelity: third-party code (`vendor-docs/tanma-get-users.txt`: no
//! vendor page was found; a public client sends `{pageNo, pageSize, deleted, name}` and reads
//! `data.result[].salesId`, and nothing else is known).

use scrm_core::check;
use scrm_core::de::Id;

use crate::Tanma;

/// Records per page the stream asks for when the request sets no `pageSize`: 20, what the
/// client that calls the live API sends (nothing is documented; a server answering with fewer
/// per page than asked would end the export early).
pub const STAFF_PAGE_SIZE: u32 = 20;

scrm_core::operation! {
    /// Request of 查询员工 (`POST /api/v3/get-users`), as a third-party client sends it.
    /// Fidelity: third-party code (no vendor page).
    ///
    /// ```
    /// use scrm_tanma::UserList;
    /// let request = UserList::new().page_no(1).page_size(20).deleted(0).name("张三");
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"pageNo":1,"pageSize":20,"deleted":0,"name":"张三"}"#
    /// );
    /// ```
    pub struct UserList: Tanma, POST "/api/v3/get-users" => UserListResponse as "get-users" {
        /// Page number, from 1.
        page_no as "pageNo": u32,
        /// Records per page; streams send [`STAFF_PAGE_SIZE`] when unset.
        page_size as "pageSize": u32,
        /// The client sends 0, presumably "not deleted/resigned" (meaning not documented).
        deleted: i64,
        /// Filter by the employee's name (the client looks a salesperson up by name).
        name: String,
    }
    validate(r) {
        check::at_least("pageNo", r.page_no, 1)?;
        check::at_least("pageSize", r.page_size, 1)
    }
}

scrm_core::record! {
    /// One page (`data`) of [`UserList`]. Whether it carries totals is unknown: any it sends
    /// stay in `extra`.
    pub struct UserListResponse {
        /// The employees.
        result: Vec<User>,
    }
}

scrm_core::record! {
    /// An employee. Only `salesId` is attested; every other field stays in `extra`.
    pub struct User {
        /// The employee's tanma user id (the client passes it on as `qwUserId` and
        /// `handoverToUserid`).
        sales_id as "salesId": Id,
    }
}

scrm_core::paging!(UserList => User,
    page_number(page_no, page_size = STAFF_PAGE_SIZE as u64), items(result));

scrm_core::register!(UserList {
    name: "staff",
    title: "查询员工",
    record: User,
    key: ["salesId"],
    incremental: None,
    fidelity: ThirdPartyCode,
});
