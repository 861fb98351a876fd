//! 高级筛选接口(新版): `POST /api/v3/customer/search`, the advanced customer search, paged by
//! page number (`pageNo`/`pageSize`). Fidelity: partial (`vendor-docs/tanma-customer-search.txt`:
//! the parameter table is complete, the request example is cut off and not valid JSON, and the
//! response section is missing: the response shape `{totalPage, data: [...]}` comes from
//! third-party code only).

use scrm_core::check;
use scrm_core::de::{Id, JsonString};

use crate::Tanma;
use crate::wire::{NumId, TimeRange, numeric};

/// Records per page the stream asks for when the request sets no `pageSize`: 100, the size of
/// the vendor's (cut-off) example and of the third-party callers; no maximum is documented.
pub const SEARCH_PAGE_SIZE: u32 = 100;

scrm_core::lenient_enum! {
    /// `role`: whose customers to search, sent as a string (`"1"`, `"2"`); read from a string or
    /// a number, and values this version does not know are kept as [`CustomerRole::Unknown`].
    pub enum CustomerRole: str {
        /// `1` 负责人: the salesperson owns the customer.
        Owner = "1",
        /// `2` 协作人: the salesperson collaborates on the customer.
        Collaborator = "2",
    }
}

scrm_core::operation! {
    /// Request of 高级筛选接口(新版) (`POST /api/v3/customer/search`). Fidelity: partial (no
    /// response section: the response is typed from third-party code only).
    ///
    /// Types follow the vendor's table where its example disagrees: `role` is a string (the
    /// example sends `1`; [`CustomerRole`]), the id lists hold ids sent as given (the table says `array[string]`,
    /// the example sends numbers). `qwCustomerTime` and `qwLastFollowTypes` appear in the
    /// example only. The op codes of `conditions.conditionItems[].op` are not documented.
    ///
    /// ```
    /// use scrm_tanma::{CustomerSearch, TimeRange};
    /// let window = TimeRange::new().start("2022-12-13 00:00:00").end("2022-12-19 23:59:59");
    /// let request = CustomerSearch::new().search_key("测试").create_time(window).page_size(100);
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"searchKey":"测试","createTime":{"start":"2022-12-13 00:00:00","end":"2022-12-19 23:59:59"},"pageSize":100}"#
    /// );
    /// ```
    pub struct CustomerSearch: Tanma, POST "/api/v3/customer/search"
        => CustomerSearchResponse as "customer/search" {
        /// 客户id: the tanma customer id (a number).
        customer_id as "customerId": NumId,
        /// 搜索内容: search text.
        search_key as "searchKey": String,
        /// `1` 负责人 (owner) or `2` 协作人 (collaborator).
        role: CustomerRole,
        /// 所属员工: owners' tanma user ids.
        sales_id_list as "salesIdList": Vec<Id>,
        /// 所属部门: department ids.
        department_id_list as "departmentIdList": Vec<Id>,
        /// 创建时间: creation-time window.
        create_time as "createTime": TimeRange,
        /// 加企微好友时间 window (in the example, not in the table).
        qw_customer_time as "qwCustomerTime": TimeRange,
        /// `{start, end}` (in the example, not in the table; meaning not documented).
        qw_last_follow_types as "qwLastFollowTypes": TimeRange,
        /// 高级筛选条件: advanced conditions.
        conditions: SearchConditions,
        /// 分页大小: records per page; streams send [`SEARCH_PAGE_SIZE`] when unset.
        page_size as "pageSize": u32,
        /// 页码: page number, from 1.
        page_no as "pageNo": u32,
        /// 统一社会信用代码: the company's unified social credit code.
        credit_code as "creditCode": String,
    }
    validate(r) {
        numeric("customerId", r.customer_id.as_ref())?;
        if r.conditions.as_ref().is_some_and(|c| c.condition_items.is_none()) {
            return Err(check::missing("conditions.conditionItems"));
        }
        check::at_least("pageSize", r.page_size, 1)?;
        check::at_least("pageNo", r.page_no, 1)
    }
}

scrm_core::record! {
    /// `conditions` of [`CustomerSearch`].
    pub struct SearchConditions {
        /// 多个条件关系: how the conditions combine (values not documented).
        condition_op as "conditionOp": i64,
        /// The conditions (required when `conditions` is sent).
        condition_items as "conditionItems": Vec<ConditionItem>,
    }
}

scrm_core::record! {
    /// One condition: `{"name": "tagIds", "op": 6, "values": [2801078]}`.
    pub struct ConditionItem {
        /// The field (`tagIds`, `contentTagIds`, `sales_stage`, `point_credit`…).
        name: String,
        /// The operator code (2, 6, 7… in the example; not explained).
        op: i64,
        /// The operands (strings or numbers).
        values: Vec<serde_json::Value>,
    }
}

scrm_core::record! {
    /// One page (`data`) of [`CustomerSearch`], as third-party code reads it.
    pub struct CustomerSearchResponse {
        /// Pages in all (not records: the stream ends on a short page).
        total_page as "totalPage": u64,
        /// The customers.
        data: Vec<Customer>,
    }
}

scrm_core::record! {
    /// A customer found by [`CustomerSearch`]. No vendor page lists its fields: third-party code
    /// shows fixed keys beside custom-field keys named by numeric strings (`"133180"`), which
    /// stay in `extra`.
    pub struct Customer {
        /// The tanma customer id, as the request's `customerId` filter names it (the key rows
        /// are upserted on; not attested by a response example).
        customer_id as "customerId": Id,
        /// The owners' department names: a JSON array inside a string (third-party code
        /// `JSON.parse`s it), decoded with the raw string kept.
        sales_dept_names as "salesDeptNames": JsonString<Vec<String>>,
    }
}

crate::wire::setters!(SearchConditions { condition_op: i64, condition_items: Vec<ConditionItem> });
crate::wire::setters!(ConditionItem { name: String, op: i64, values: Vec<serde_json::Value> });

scrm_core::paging!(CustomerSearch => Customer,
    page_number(page_no, page_size = SEARCH_PAGE_SIZE as u64), items(data));

scrm_core::register!(CustomerSearch {
    name: "customers",
    title: "高级筛选接口(新版)",
    record: Customer,
    key: ["customerId"],
    incremental: None,
    fidelity: Partial,
});
