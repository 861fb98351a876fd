//! tanma operations (`vendor-docs/tanma-*.txt`): signed headers, JSON bodies,
//! `{code, message, data}` envelope.

use serde_json::Value;

use super::{J, idx_of};
use crate::data::{
    ALNUM, COMPANIES, Dataset, F_CITY, F_ID2, F_MISC, F_MISC2, F_NAME, NICKNAMES, PopView, Rec,
    TANMA_SALES, Vendor, pick, push_hex, push_mobile, push_name, push_rand,
};
use crate::engine::{
    Axis, How, Kind, Method, OpDecl, Page, Paging, Pop, Rej, Size, Unit, any_found, f, get_str,
    no_check, no_filters,
};
use crate::tanma::{TANMA_DEFAULT_SIZE, TANMA_MAX_SIZE, counted_page, cursor_page, ok};
use crate::util::{TimeFmt, fmt_cst, push_json_str};

// ------------------------------------------------------------------ clues (seed)

fn clue_type(d: &Dataset, r: &Rec) -> String {
    d.clue_type_of(r.i).to_string()
}
fn clue_key(d: &Dataset, r: &Rec) -> String {
    d.tanma_customer_id(r.i).to_string()
}

/// `POST /api/v3/clue/list-by-create-time-asc` (seed page, fidelity: page).
pub(crate) const CLUES: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "clues",
    method: Method::Post,
    path: "/api/v3/clue/list-by-create-time-asc",
    pop: Pop {
        salt: 5,
        size: Size::Records,
    },
    generate: Dataset::write_clue,
    key: clue_key,
    filters: &[
        f("since", How::From(Unit::DateTime, Axis::Primary)),
        f("before", How::To(Unit::DateTime, false, Axis::Primary)),
        f("type", How::Eq(Kind::Int, clue_type)),
    ],
    paging: Paging::Cursor {
        cursor: "cursor",
        size: "size",
        default: TANMA_DEFAULT_SIZE,
        max: TANMA_MAX_SIZE,
    },
    envelope: cursor_page,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "seed page (fidelity: page); since inclusive / before exclusive, yyyy-MM-dd HH:mm:ss; opaque cursor, nextCursor null at the end",
};

// ------------------------------------------------------------------ customer files (seed)

fn file_sales_id(d: &Dataset, r: &Rec) -> String {
    d.tanma_sales_id(d.file_sales(r.i)).to_string()
}
fn file_user(d: &Dataset, r: &Rec) -> Vec<String> {
    let k = d.file_sales(r.i);
    vec![TANMA_SALES[k].0.to_owned(), d.tanma_sales_id(k).to_string()]
}
fn file_customer(d: &Dataset, r: &Rec) -> String {
    d.tanma_customer_id(d.file_customer(r.i)).to_string()
}
fn file_external(d: &Dataset, r: &Rec) -> String {
    d.tanma_external_user_id(d.file_customer(r.i))
}
fn file_key(d: &Dataset, r: &Rec) -> u64 {
    d.file_id(r.i)
}
fn file_key_text(d: &Dataset, r: &Rec) -> String {
    d.file_id(r.i).to_string()
}
fn files_newest_first(d: &Dataset) -> bool {
    d.tanma_files_newest_first
}
fn files_envelope(p: &Page<'_>) -> String {
    counted_page(p)
}

/// `POST /api/v3/customer/list-file-of-customer` (seed page, fidelity: page).
pub(crate) const CUSTOMER_FILES: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "customer-files",
    method: Method::Post,
    path: "/api/v3/customer/list-file-of-customer",
    pop: Pop {
        salt: 6,
        size: Size::Records,
    },
    generate: Dataset::write_file,
    key: file_key_text,
    filters: &[
        f("salesId", How::Eq(Kind::Int, file_sales_id)),
        f("userId", How::AnyOfMany(Kind::Str, file_user)),
        f("customerId", How::Eq(Kind::Int, file_customer)),
        f("externalUserId", How::Eq(Kind::Str, file_external)),
    ],
    paging: Paging::Keyset {
        last: "lastId",
        size: "pageSize",
        offset: None,
        default: TANMA_DEFAULT_SIZE,
        max: TANMA_MAX_SIZE,
        key: file_key,
        newest_first: files_newest_first,
    },
    envelope: files_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "seed page (fidelity: page); keyset lastId: ids ascend, a page holds ids > lastId (SandboxConfig::tanma_files_newest_first: ids descend, ids < lastId); userId = WeCom userid or decimal salesId",
};

// ------------------------------------------------------------------ customer details

const DETAILS_POP: Pop = Pop {
    salt: 50,
    size: Size::Records,
};
const EXT_PREFIX: &str = "wmTm9xCAAA";

/// Relation `i` is customer `i / 2` with one of two sales people.
fn detail_sales(d: &Dataset, r: &Rec) -> usize {
    let c = r.i / 2;
    let step = 1 + (d.tanma_customer_id(c) % 5) as usize;
    (c + (r.i % 2) * step) % TANMA_SALES.len()
}
fn detail_external(d: &Dataset, r: &Rec) -> String {
    d.tanma_external_user_id(r.i / 2)
}
fn detail_qw_user(d: &Dataset, r: &Rec) -> String {
    TANMA_SALES[detail_sales(d, r)].0.to_owned()
}
fn detail_key(d: &Dataset, r: &Rec) -> String {
    format!("{}:{}", detail_external(d, r), detail_qw_user(d, r))
}
fn find_external(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    let Some(tail) = id.get(id.len().saturating_sub(6)..) else {
        return Vec::new();
    };
    if !id.starts_with(EXT_PREFIX) {
        return Vec::new();
    }
    match idx_of(tail, "", d.seed() ^ 11, view.len().div_ceil(2)) {
        Some(c) if d.tanma_external_user_id(c) == id => {
            (2 * c..(2 * c + 2).min(view.len())).collect()
        }
        _ => Vec::new(),
    }
}
fn gen_detail(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let mut j = J::new(out);
    j.s("qwUserId", &detail_qw_user(d, r))
        .s("externalUserId", &detail_external(d, r));
    let union = (!misc.is_multiple_of(4)).then(|| {
        let mut s = String::from("oTm9x");
        push_rand(&mut s, d.rh(r, F_ID2), 23, ALNUM);
        s
    });
    j.os("unionId", union.as_deref()).os(
        "qwCustomerTime",
        (!misc.is_multiple_of(5))
            .then(|| fmt_cst(r.modified(0), TimeFmt::Second))
            .as_deref(),
    );
    if misc.is_multiple_of(3) {
        j.null("mobiles");
    } else {
        j.arr("mobiles", 1, |o, _| {
            let mut m = String::new();
            push_mobile(&mut m, misc >> 7);
            push_json_str(o, &m);
        });
    }
    j.os(
        "wechatNickname",
        (!misc.is_multiple_of(6)).then(|| pick(&NICKNAMES, d.rh(r, F_NAME) ^ u64::from(r.v))),
    );
    let mut a = String::from("https://wx.qlogo.cn/mmhead/");
    push_rand(&mut a, d.rh(r, F_MISC2), 40, &ALNUM[..62]);
    a.push_str("/0");
    j.s("wechatAvatar", &a).end();
}
/// A demo `customer-details` request: the dataset's first customer.
fn demo_details(d: &Dataset) -> Value {
    serde_json::json!({ "externalUserId": d.tanma_external_user_id(0) })
}
fn details_check(req: &Value) -> Result<(), Rej> {
    match get_str(req, "externalUserId")? {
        Some(_) => Ok(()),
        None => Err(Rej::param("externalUserId is required")),
    }
}
fn list_envelope(p: &Page<'_>) -> String {
    ok("success", p.items)
}

/// `POST /api/v2/customer/qw-details` (fidelity: partial).
pub(crate) const CUSTOMER_DETAILS: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "customer-details",
    method: Method::Post,
    path: "/api/v2/customer/qw-details",
    pop: DETAILS_POP,
    generate: gen_detail,
    key: detail_key,
    filters: &[
        f("externalUserId", How::Lookup(Kind::Str, find_external)),
        f("qwUserId", How::Eq(Kind::Str, detail_qw_user)),
    ],
    paging: Paging::None,
    envelope: list_envelope,
    check: details_check,
    found: any_found,
    demo: demo_details,
    note: "fidelity: partial (7 of 8 response fields documented; the 8th is unknown and absent); data = one element per sales-customer relation (2 per customer); externalUserId required (sandbox choice: the endpoint is a lookup by it)",
};

// ------------------------------------------------------------------ customer search

const SEARCH_POP: Pop = Pop {
    salt: 51,
    size: Size::Records,
};
const DEPARTMENTS: [(u64, &str); 4] = [
    (966_461, "销售一部"),
    (558_613, "销售二部"),
    (771_203, "渠道部"),
    (120_455, "大客户部"),
];

fn search_customer_id(d: &Dataset, r: &Rec) -> String {
    d.tanma_customer_id(r.i).to_string()
}
fn search_sales(d: &Dataset, r: &Rec) -> usize {
    (d.rh(r, F_MISC) % TANMA_SALES.len() as u64) as usize
}
fn search_sales_id(d: &Dataset, r: &Rec) -> String {
    d.tanma_sales_id(search_sales(d, r)).to_string()
}
fn search_dept(d: &Dataset, r: &Rec) -> usize {
    ((d.rh(r, F_MISC) >> 4) % DEPARTMENTS.len() as u64) as usize
}
fn search_dept_id(d: &Dataset, r: &Rec) -> String {
    DEPARTMENTS[search_dept(d, r)].0.to_string()
}
fn search_name(d: &Dataset, r: &Rec) -> String {
    let mut n = String::new();
    if d.rh(r, F_MISC).is_multiple_of(3) {
        n.push_str(pick(&COMPANIES, d.rh(r, F_MISC2)));
    } else {
        push_name(&mut n, d.rh(r, F_NAME));
    }
    n
}
fn search_credit(d: &Dataset, r: &Rec) -> String {
    let mut s = String::from("91420100");
    push_rand(&mut s, d.rh(r, F_CITY), 10, &ALNUM[26..62]);
    s.make_ascii_uppercase();
    s
}
fn gen_search(d: &Dataset, r: &Rec, out: &mut String) {
    // Response known from third-party code only: rows under data.data with fixed keys
    // beside numeric-string custom-field keys ("133180") and salesDeptNames as a
    // JSON-encoded string array. The fixed keys generated are the request's filter fields.
    let k = search_sales(d, r);
    let dept = DEPARTMENTS[search_dept(d, r)];
    let mut j = J::new(out);
    j.raw("customerId", &search_customer_id(d, r))
        .s("name", &search_name(d, r))
        .s("creditCode", &search_credit(d, r))
        .s("createTime", &fmt_cst(r.t, TimeFmt::Second))
        .ns("salesId", d.tanma_sales_id(k))
        .s("salesName", TANMA_SALES[k].1)
        .ns("departmentId", dept.0)
        .s("salesDeptNames", &format!("[\"{}\"]", dept.1))
        .s(
            "133180",
            if r.v > 0 {
                "已更新"
            } else {
                pick(&["A类", "B类", "C类"], d.rh(r, F_MISC) >> 8)
            },
        )
        .end();
}
fn search_envelope(p: &Page<'_>) -> String {
    let mut s = String::from("{\"totalPage\":");
    crate::util::push_int(&mut s, p.total.div_ceil(p.size.max(1)));
    s.push_str(",\"data\":");
    s.push_str(p.items);
    s.push('}');
    ok("success", &s)
}

/// `POST /api/v3/customer/search` (fidelity: partial, response from third-party code).
pub(crate) const CUSTOMERS: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "customers",
    method: Method::Post,
    path: "/api/v3/customer/search",
    pop: SEARCH_POP,
    generate: gen_search,
    key: search_customer_id,
    filters: &[
        f("customerId", How::Eq(Kind::Int, search_customer_id)),
        f("searchKey", How::Contains(search_name)),
        f("role", How::Accept(Kind::Str)),
        f("salesIdList", How::AnyOf(Kind::Str, search_sales_id)),
        f("departmentIdList", How::AnyOf(Kind::Str, search_dept_id)),
        f("createTime.start", How::From(Unit::DateTime, Axis::Primary)),
        f(
            "createTime.end",
            How::To(Unit::DateTime, true, Axis::Primary),
        ),
        f("creditCode", How::Eq(Kind::Str, search_credit)),
        f("conditions", How::Ignore),
    ],
    // Max pageSize not stated: tanma's documented maximum elsewhere (1000), sandbox choice.
    paging: Paging::PageTotal {
        page: "pageNo",
        size: "pageSize",
        default: TANMA_DEFAULT_SIZE,
        max: TANMA_MAX_SIZE,
    },
    envelope: search_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: partial; response {totalPage, data:[...]} from third-party code; createTime window inclusive; conditions and role accepted without effect",
};

// ------------------------------------------------------------------ tag tree

const TAGS_POP: Pop = Pop {
    salt: 52,
    size: Size::Fixed(6),
};
const TAG_GROUPS: [(&str, [&str; 3]); 6] = [
    ("企业类型", ["央企", "国企", "民企"]),
    ("华协口腔", ["新增客户", "复诊客户", "流失客户"]),
    ("餐饮类别", ["菌汤底料", "酸菜底料", "火锅底料"]),
    ("客户等级", ["A", "B", "C"]),
    ("来源渠道", ["抖音", "展会", "转介绍"]),
    ("意向程度", ["高", "中", "低"]),
];

fn qw_tag(d: &Dataset, k: usize) -> String {
    let mut s = String::from("etCBS_DwAA");
    push_rand(&mut s, d.hs(160, k), 22, ALNUM);
    s
}
fn tag_group_id(_: &Dataset, r: &Rec) -> String {
    (56_970 + r.i * 1000).to_string()
}
fn gen_tag_group(d: &Dataset, r: &Rec, out: &mut String) {
    let (name, tags) = TAG_GROUPS[r.i % TAG_GROUPS.len()];
    let n = if r.v > 0 { 3 } else { 2 + r.i % 2 };
    let mut j = J::new(out);
    j.s("name", name)
        .raw("id", &tag_group_id(d, r))
        .s("qwTagId", &qw_tag(d, r.i * 10))
        .arr("tags", n, |o, k| {
            J::new(o)
                .n("id", 56_971 + r.i * 1000 + k)
                .s("name", tags[k])
                .s("qwTagId", &qw_tag(d, r.i * 10 + k + 1))
                .end();
        })
        .end();
}

/// `POST /api/v3/tags/list-tree` (fidelity: partial).
pub(crate) const TAGS: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "tags",
    method: Method::Post,
    path: "/api/v3/tags/list-tree",
    pop: TAGS_POP,
    generate: gen_tag_group,
    key: tag_group_id,
    filters: &[],
    paging: Paging::None,
    envelope: list_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: partial; no body (an empty body or {} both accepted); 6 tag groups with their tags",
};

// ------------------------------------------------------------------ group chats

const GROUPS_POP: Pop = Pop {
    salt: 53,
    size: Size::Div(20),
};

fn group_sales(d: &Dataset, r: &Rec) -> usize {
    (d.rh(r, F_MISC) % TANMA_SALES.len() as u64) as usize
}
fn group_user(d: &Dataset, r: &Rec) -> String {
    d.tanma_sales_id(group_sales(d, r)).to_string()
}
fn group_chat_id(d: &Dataset, r: &Rec) -> String {
    let mut s = String::from("wr2ohRCAAA");
    push_rand(&mut s, d.rh(r, F_ID2), 16, ALNUM);
    super::push_idx(&mut s, r.i as u64, d.seed() ^ 53);
    s
}
fn group_name(d: &Dataset, r: &Rec) -> String {
    let misc = d.rh(r, F_MISC);
    let mut n = TANMA_SALES[group_sales(d, r)].1.to_owned();
    for k in 0..2 {
        n.push('、');
        n.push_str(pick(&NICKNAMES, (misc >> (8 + k * 4)) ^ u64::from(r.v)));
    }
    n.push_str("...");
    n
}
fn group_tag_groups(_: &Dataset, r: &Rec) -> Vec<String> {
    vec![(56_970 + (r.i % TAG_GROUPS.len()) * 1000).to_string()]
}
fn gen_group(d: &Dataset, r: &Rec, out: &mut String) {
    // 9 item fields per the table; the truncated example shows salesId, salesName,
    // departmentName, chatId, chatName and tasks[].id — the other 3 are unknown and absent.
    let misc = d.rh(r, F_MISC2);
    let k = group_sales(d, r);
    J::new(out)
        .ns("salesId", d.tanma_sales_id(k))
        .s("salesName", TANMA_SALES[k].1)
        .s("departmentName", DEPARTMENTS[k % DEPARTMENTS.len()].1)
        .s("chatId", &group_chat_id(d, r))
        .s("chatName", &group_name(d, r))
        .arr("tasks", (misc % 3) as usize, |o, t| {
            let mut id = String::new();
            push_hex(&mut id, misc ^ t as u64, 32);
            J::new(o).s("id", &id).end();
        })
        .end();
}

/// `POST /api/v3/groupSop/getGroupList` (fidelity: partial).
pub(crate) const GROUP_CHATS: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "group-chats",
    method: Method::Post,
    path: "/api/v3/groupSop/getGroupList",
    pop: GROUPS_POP,
    generate: gen_group,
    key: group_chat_id,
    filters: &[
        f("userId", How::Eq(Kind::Int, group_user)),
        f("keyword", How::Contains(group_name)),
        f("tagGroupIds", How::AnyOfMany(Kind::Int, group_tag_groups)),
        f("conditionOp", How::Accept(Kind::Int)),
        f("startCreateTime", How::From(Unit::DateTime, Axis::Primary)),
        f(
            "endCreateTime",
            How::To(Unit::DateTime, true, Axis::Primary),
        ),
    ],
    // Max pageSize not stated: 1000 as elsewhere at tanma (sandbox choice).
    paging: Paging::PageTotal {
        page: "pageNo",
        size: "pageSize",
        default: TANMA_DEFAULT_SIZE,
        max: TANMA_MAX_SIZE,
    },
    envelope: counted_page,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: partial; totalCount/totalPage/pageNo (1-based)/pageSize/result; startCreateTime/endCreateTime as yyyy-MM-dd HH:mm:ss (format unstated), inclusive; salesId a string in records",
};

// ------------------------------------------------------------------ staff

const STAFF_POP: Pop = Pop {
    salt: 54,
    size: Size::Div(20),
};

fn staff_name(_: &Dataset, r: &Rec) -> String {
    let n = TANMA_SALES[r.i % TANMA_SALES.len()].1;
    match r.i / TANMA_SALES.len() {
        0 => n.to_owned(),
        x => format!("{n}{x}"),
    }
}
fn staff_deleted(_: &Dataset, r: &Rec) -> String {
    u8::from(r.i % 7 == 6).to_string()
}
fn staff_key(d: &Dataset, r: &Rec) -> String {
    d.tanma_sales_id(r.i).to_string()
}
fn gen_staff(d: &Dataset, r: &Rec, out: &mut String) {
    // Only data.result[].salesId is attested (third-party code); `name` is the filter the
    // client sends.
    J::new(out)
        .raw("salesId", &staff_key(d, r))
        .s("name", &staff_name(d, r))
        .end();
}
fn staff_envelope(p: &Page<'_>) -> String {
    let mut s = String::from("{\"result\":");
    s.push_str(p.items);
    s.push('}');
    ok("success", &s)
}

/// `POST /api/v3/get-users` (fidelity: third-party code).
pub(crate) const STAFF: OpDecl = OpDecl {
    vendor: Vendor::Tanma,
    name: "staff",
    method: Method::Post,
    path: "/api/v3/get-users",
    pop: STAFF_POP,
    generate: gen_staff,
    key: staff_key,
    filters: &[
        f("name", How::Eq(Kind::Str, staff_name)),
        f("deleted", How::Eq(Kind::Int, staff_deleted)),
    ],
    paging: Paging::PageRows {
        page: "pageNo",
        rows: "pageSize",
        default: TANMA_DEFAULT_SIZE,
        max: TANMA_MAX_SIZE,
        ints: false,
        required: false,
    },
    envelope: staff_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: third-party code; page number without totals (a short page is the end); records {salesId, name}; deleted 0/1 selects on a flag the records do not show",
};
