//! weiban operations (`vendor-docs/weiban-*.txt`). Token in the query; GET
//! parameters in the query (numbers arrive as strings), POST bodies are JSON.

use serde_json::Value;

use super::{J, idx_of, num_id};
use crate::data::{
    ALNUM, CITIES, COMPANIES, Dataset, F_CITY, F_ID, F_ID2, F_MISC, F_MISC2, F_NAME, F_PHONE,
    F_TEXT, NICKNAMES, PopView, Rec, Vendor, pick, push_mobile, push_name, push_rand,
};
use crate::engine::{
    Axis, Filter, How, Kind, Method, OpDecl, Page, Paging, Pop, Rej, Size, Unit, any_found, f,
    field, get_str, no_check, no_filters,
};
use crate::weiban::{WEIBAN_DEFAULT_LIMIT, WEIBAN_MAX_LIMIT, list, object};

/// The list key of `GET /open-api/staff/list`: undocumented (third-party code only returns the
/// raw JSON); weiban's convention is `<thing>_list`. One constant, easy to change.
pub const WEIBAN_STAFF_LIST_KEY: &str = "staff_list";
/// The list key of `GET /open-api/group_chat/list`: undocumented, as for staff.
pub const WEIBAN_GROUP_CHAT_LIST_KEY: &str = "group_chat_list";
/// The body key of `POST /open-api/external_user/batch_get` that the production clients
/// send (`id_list`); the OpenAPI generator's `external_user_ids` is accepted too, as the doc
/// file notes the conflict.
pub const WEIBAN_BATCH_GET_KEY: &str = "id_list";
/// At most this many ids per `batch_get` call.
pub const WEIBAN_BATCH_GET_MAX: usize = 20;
/// At most this many ids per `stage/get` call (error 20608).
pub const WEIBAN_STAGE_GET_MAX: usize = 50;

/// Offset paging as on the third-party-documented weiban lists: limit default 30, max 100.
const fn offset(max: i64) -> Paging {
    Paging::Offset {
        offset: "offset",
        limit: "limit",
        default: 30,
        max,
    }
}

const STAFF_NAMES: [(&str, &str); 8] = [
    ("ZhangSan", "张三"),
    ("LiSi", "李四"),
    ("WangWu", "王五"),
    ("PanPan", "潘潘"),
    ("Shiyan", "诗妍"),
    ("WuYaJun", "吴雅君"),
    ("ChengLi", "程立"),
    ("ZhaoMin", "赵敏"),
];

// ------------------------------------------------------------------ smart-form users (seed)

fn sf_form(d: &Dataset, r: &Rec) -> String {
    d.weiban_form_id(d.weiban_form_of(r.i)).to_string()
}
fn sf_city(d: &Dataset, r: &Rec) -> String {
    d.weiban_city_of(r.i)
        .map_or(String::new(), |k| CITIES[k].0.to_owned())
}
fn sf_key(_: &Dataset, r: &Rec) -> String {
    (1000 + r.i as u64).to_string()
}
/// A demo `smart-form-users` request: `status` is required (every record is a submission).
fn demo_sf(_: &Dataset) -> Value {
    serde_json::json!({ "status": "submit" })
}
fn sf_check(req: &Value) -> Result<(), Rej> {
    match get_str(req, "status")?.as_deref().map(str::trim) {
        None | Some("") => Err(Rej::param("status不能为空 (status is required)")),
        Some(_) => Ok(()),
    }
}
fn sf_envelope(p: &Page<'_>) -> String {
    list(p, "result", true)
}

/// `GET /open-api/smart_form/form/user/list` (seed page, fidelity: page).
pub(crate) const SMART_FORM_USERS: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "smart-form-users",
    method: Method::Get,
    path: "/open-api/smart_form/form/user/list",
    pop: Pop {
        salt: 2,
        size: Size::Records,
    },
    generate: Dataset::write_weiban,
    key: sf_key,
    filters: &[
        // Every sandbox record is a submission.
        f("status", How::Const("submit")),
        f("form_id", How::Eq(Kind::Int, sf_form)),
        f("city", How::Contains(sf_city)),
        f("start_time", How::From(Unit::Secs, Axis::Primary)),
        f("end_time", How::To(Unit::Secs, true, Axis::Primary)),
    ],
    paging: Paging::Offset {
        offset: "offset",
        limit: "limit",
        default: WEIBAN_DEFAULT_LIMIT as i64,
        max: WEIBAN_MAX_LIMIT as i64,
    },
    envelope: sf_envelope,
    check: sf_check,
    found: any_found,
    demo: demo_sf,
    note: "seed page (fidelity: page); status required; submit_at window in seconds, inclusive",
};

// ------------------------------------------------------------------ staff

const STAFF_POP: Pop = Pop {
    salt: 33,
    size: Size::Div(50),
};

/// The `staff_id` of staff member `k`.
pub(crate) fn staff_id(k: usize) -> String {
    format!(
        "{}{}",
        STAFF_NAMES[k % STAFF_NAMES.len()].0,
        k / STAFF_NAMES.len()
    )
}
fn staff_name(k: usize) -> String {
    let n = STAFF_NAMES[k % STAFF_NAMES.len()].1;
    match k / STAFF_NAMES.len() {
        0 => n.to_owned(),
        x => format!("{n}{x}"),
    }
}
fn staff_count(d: &Dataset) -> usize {
    d.base_len(STAFF_POP.size)
}
fn staff_key(_: &Dataset, r: &Rec) -> String {
    staff_id(r.i)
}
fn gen_staff(_: &Dataset, r: &Rec, out: &mut String) {
    // Only staff_id is attested (GET /open-api/staff/get takes it); the response of the list is
    // undocumented, so a record is the id and the display name.
    J::new(out)
        .s("staff_id", &staff_id(r.i))
        .s("name", &staff_name(r.i))
        .end();
}
fn staff_envelope(p: &Page<'_>) -> String {
    list(p, WEIBAN_STAFF_LIST_KEY, false)
}

/// `GET /open-api/staff/list` (fidelity: third-party code).
pub(crate) const STAFF: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "staff",
    method: Method::Get,
    path: "/open-api/staff/list",
    pop: STAFF_POP,
    generate: gen_staff,
    key: staff_key,
    filters: &[
        f("start_time", How::From(Unit::Secs, Axis::Primary)),
        f("end_time", How::To(Unit::Secs, true, Axis::Primary)),
    ],
    paging: offset(100),
    envelope: staff_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: third-party code; response undocumented: list key WEIBAN_STAFF_LIST_KEY, records {staff_id, name}; start_time/end_time on the staff's (unshown) creation time",
};

// ------------------------------------------------------------------ customers (one population)

const CUSTOMERS_POP: Pop = Pop {
    salt: 30,
    size: Size::Records,
};
const CUSTOMER_PREFIX: &str = "wm8xjUCAAA";
const UNIONID_PREFIX: &str = "oz9xvw_";

fn cust(c: usize) -> Rec {
    Rec {
        salt: CUSTOMERS_POP.salt,
        i: c,
        t: 0,
        m: None,
        v: 0,
    }
}
/// The external user id of weiban customer `c`.
pub(crate) fn customer_id(d: &Dataset, c: usize) -> String {
    let mut s = String::from(CUSTOMER_PREFIX);
    push_rand(&mut s, d.rh(&cust(c), F_ID), 16, ALNUM);
    super::push_idx(&mut s, c as u64, d.seed() ^ 30);
    s
}
fn customer_type(d: &Dataset, c: usize) -> u64 {
    1 + u64::from(d.rh(&cust(c), F_MISC).is_multiple_of(5))
}
fn unionid(d: &Dataset, c: usize) -> Option<String> {
    (customer_type(d, c) == 1).then(|| {
        let mut s = String::from(UNIONID_PREFIX);
        push_rand(&mut s, d.rh(&cust(c), F_ID2), 15, ALNUM);
        super::push_idx(&mut s, c as u64, d.seed() ^ 31);
        s
    })
}
fn find_by_tail(d: &Dataset, view: &PopView, id: &str, prefix: &str, salt: u64) -> Option<usize> {
    let tail = id.get(id.len().checked_sub(6)?..)?;
    if !id.starts_with(prefix) {
        return None;
    }
    idx_of(tail, "", d.seed() ^ salt, view.len())
}
fn find_customer(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    find_by_tail(d, view, id, CUSTOMER_PREFIX, 30)
        .filter(|&c| customer_id(d, c) == id)
        .into_iter()
        .collect()
}
fn find_unionid(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    find_by_tail(d, view, id, UNIONID_PREFIX, 31)
        .filter(|&c| unionid(d, c).as_deref() == Some(id))
        .into_iter()
        .collect()
}
/// Staff following customer `c` (1 or 2).
fn follow_staff(d: &Dataset, c: usize) -> Vec<usize> {
    let h = d.rh(&cust(c), F_MISC2);
    let n = staff_count(d);
    let first = (h % n as u64) as usize;
    if h.is_multiple_of(3) && n > 1 {
        vec![first, (first + 1 + (h >> 8) as usize % (n - 1)) % n]
    } else {
        vec![first]
    }
}
fn customer_name(d: &Dataset, r: &Rec) -> String {
    pick(&NICKNAMES, d.rh(r, F_NAME) ^ u64::from(r.v)).to_owned()
}
fn avatar(out: &mut J<'_>, d: &Dataset, r: &Rec) {
    let mut a = String::from("http://wx.qlogo.cn/mmhead/");
    push_rand(&mut a, d.rh(r, F_TEXT), 56, &ALNUM[..62]);
    a.push_str("/0");
    out.s("avatar", &a);
}
fn updated_at(d: &Dataset, r: &Rec) -> i64 {
    r.modified((d.rh(r, F_MISC) >> 8) as i64 % (150 * 86_400))
}
fn phone(d: &Dataset, c: usize, k: usize) -> String {
    let mut s = String::new();
    push_mobile(&mut s, d.rh(&cust(c), F_PHONE) ^ k as u64);
    s
}
fn c_key(d: &Dataset, r: &Rec) -> String {
    customer_id(d, r.i)
}
fn c_type(d: &Dataset, r: &Rec) -> String {
    customer_type(d, r.i).to_string()
}
fn c_staff(d: &Dataset, r: &Rec) -> Vec<String> {
    follow_staff(d, r.i).into_iter().map(staff_id).collect()
}
fn c_phones(d: &Dataset, r: &Rec) -> Vec<String> {
    (0..follow_staff(d, r.i).len())
        .map(|k| phone(d, r.i, k))
        .collect()
}
fn c_updated(d: &Dataset, r: &Rec) -> i64 {
    updated_at(d, r)
}

/// The list fields (third-party clients read id, created_at, name, type, avatar, gender,
/// unionid); `with_updated` adds the change feed's `updated_at`.
fn write_list_customer(d: &Dataset, r: &Rec, out: &mut String, with_updated: bool) {
    let mut j = J::new(out);
    j.s("id", &customer_id(d, r.i))
        .n("created_at", r.t)
        .s("name", &customer_name(d, r))
        .n("type", customer_type(d, r.i));
    avatar(&mut j, d, r);
    j.n("gender", d.rh(r, F_MISC) % 3)
        .os("unionid", unionid(d, r.i).as_deref());
    if with_updated {
        j.n("updated_at", updated_at(d, r));
    }
    j.end();
}
fn gen_list_customer(d: &Dataset, r: &Rec, out: &mut String) {
    write_list_customer(d, r, out, false);
}
fn gen_updated_customer(d: &Dataset, r: &Rec, out: &mut String) {
    write_list_customer(d, r, out, true);
}

const STATES: [(&str, &str, &str); 3] = [
    ("wb:269", "通过渠道码 xx 添加", "corp_contact_way"),
    ("", "搜索手机号添加", "search_mobile"),
    ("", "扫描名片添加", "scan_card"),
];

/// The detail of `GET /open-api/external_user/get` as far as the truncated example goes
/// (it ends inside `custom_fields`; nothing after it is invented).
fn gen_customer_detail(d: &Dataset, r: &Rec, out: &mut String) {
    let c = r.i;
    let misc = d.rh(r, F_MISC);
    let company = misc.is_multiple_of(4).then(|| pick(&COMPANIES, misc >> 3));
    let mut j = J::new(out);
    j.s("id", &customer_id(d, c))
        .n("type", customer_type(d, c))
        .os("unionid", unionid(d, c).as_deref())
        .n("created_at", r.t)
        .s("name", &customer_name(d, r));
    avatar(&mut j, d, r);
    j.os("corp_full_name", company)
        .os("corp_name", company.map(|x| x.trim_end_matches("有限公司")))
        .n("gender", misc % 3)
        .os("position", company.map(|_| "采购经理"))
        .null("external_profile");
    let staff = follow_staff(d, c);
    j.arr("follow_staffs", staff.len(), |o, k| {
        let s = staff[k];
        let h = d.rh(r, F_MISC2) ^ k as u64;
        let (state, state_text, state_type) = STATES[(h % 3) as usize];
        let deleted = h.is_multiple_of(11);
        let mut f = J::new(o);
        f.s("staff_id", &staff_id(s))
            .s("staff_name", &staff_name(s));
        let mut a = String::from("http://wework.qpic.cn/wwhead/");
        push_rand(&mut a, h, 60, &ALNUM[..62]);
        a.push_str("/0");
        f.s("staff_avatar", &a)
            .s("state", state)
            .s("state_text", state_text)
            .s("state_type", state_type)
            .s(
                "remark",
                if r.v > 0 {
                    "微伴客户(已更新)"
                } else {
                    "微伴客户"
                },
            )
            .s("remark_state", "微伴渠道")
            .s("description", "")
            .s("remark_corp_name", company.unwrap_or(""));
        // remark_mobiles is a JSON array encoded as a string.
        let mobiles = if h.is_multiple_of(2) {
            "[]".to_owned()
        } else {
            format!("[\"{}\"]", phone(d, c, k))
        };
        f.s("remark_mobiles", &mobiles);
        if deleted {
            f.n("deleted_at", r.t + 86_400 * 30)
                .s("deleted_by", "external_user");
        } else {
            f.null("deleted_at").null("deleted_by");
        }
        f.b("deleted_each_other", false)
            .s("age", &(20 + h % 40).to_string())
            .s("phone_number", &phone(d, c, k))
            .s("qq", &(100_000_000 + h % 900_000_000).to_string())
            .s("weibo", "")
            .s("email", "")
            .s("address", pick(&CITIES, d.rh(r, F_CITY)).0)
            .s(
                "birthday",
                &format!("{}月{}", 1 + h % 12, 1 + (h >> 4) % 28),
            );
        f.arr("custom_fields", 2, |o, n| {
            J::new(o)
                .s("corp_id", crate::SANDBOX_WEIBAN_CORP_ID)
                .n("created_at", 1_618_383_250 + n as u64 * 176_043)
                .b("deleted", false)
                .s("field_type", "text")
                .s(
                    "field_value",
                    if (h >> n).is_multiple_of(2) {
                        ""
                    } else {
                        "VIP"
                    },
                )
                .b("has_staff_used", true)
                .n("id", 307 + n * 24)
                .s("name", &format!("自定义信息{}", 3 - n))
                .n("rank_num", 2 - n)
                .end();
        });
        f.end();
    });
    j.end();
}

fn customers_envelope(p: &Page<'_>) -> String {
    list(p, "external_user_list", false)
}
fn customers_check(req: &Value) -> Result<(), Rej> {
    match get_str(req, "type")?.as_deref() {
        None | Some("1") | Some("2") => Ok(()),
        Some(_) => Err(Rej::code(20203, "type 不合法 (type must be 1 or 2)")),
    }
}

const CUSTOMER_FILTERS: [Filter; 6] = [
    f("staff_id", How::AnyOfMany(Kind::Str, c_staff)),
    f("type", How::Eq(Kind::Int, c_type)),
    f("phone_number", How::AnyOfMany(Kind::Str, c_phones)),
    f("order", How::Order),
    f("start_time", How::From(Unit::Secs, Axis::Primary)),
    f("end_time", How::To(Unit::Secs, true, Axis::Primary)),
];

/// `GET /open-api/external_user/list` (fidelity: third-party code).
pub(crate) const CUSTOMERS: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customers",
    method: Method::Get,
    path: "/open-api/external_user/list",
    pop: CUSTOMERS_POP,
    generate: gen_list_customer,
    key: c_key,
    filters: &CUSTOMER_FILTERS,
    paging: offset(100),
    envelope: customers_envelope,
    check: customers_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: third-party code; start_time/end_time on created_at (weiban's 收录 time, inclusive); order asc|desc; no total (not observed); records carry the keys the clients read",
};

/// A demo `customer-updates` request: `source` is required.
fn demo_updates(_: &Dataset) -> Value {
    serde_json::json!({ "source": "external_user" })
}
fn updates_check(req: &Value) -> Result<(), Rej> {
    customers_check(req)?;
    match get_str(req, "source")?.as_deref() {
        Some("external_user" | "remark" | "staff_relation" | "tag_relation") => Ok(()),
        None => Err(Rej::code(10049, "source不能为空 (source is required)")),
        Some(_) => Err(Rej::code(
            10049,
            "source must be external_user, remark, staff_relation or tag_relation",
        )),
    }
}
fn updates_envelope(p: &Page<'_>) -> String {
    list(p, "external_user_list", true)
}

/// `GET /open-api/external_user/update/list` (fidelity: partial, response undocumented).
pub(crate) const CUSTOMER_UPDATES: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customer-updates",
    method: Method::Get,
    path: "/open-api/external_user/update/list",
    pop: CUSTOMERS_POP,
    generate: gen_updated_customer,
    key: c_key,
    filters: &[
        f(
            "start_update_time",
            How::From(Unit::Secs, Axis::Attr(c_updated)),
        ),
        f(
            "end_update_time",
            How::To(Unit::Secs, true, Axis::Attr(c_updated)),
        ),
        f("start_add_time", How::From(Unit::Secs, Axis::Primary)),
        f("end_add_time", How::To(Unit::Secs, true, Axis::Primary)),
        f("staff_id", How::AnyOfMany(Kind::Str, c_staff)),
        f("type", How::Eq(Kind::Int, c_type)),
        f("phone_number", How::AnyOfMany(Kind::Str, c_phones)),
        f("order", How::Order),
        f("source", How::Accept(Kind::Str)),
    ],
    // Max limit not stated on this page: 100 as on the sibling lists (sandbox choice).
    paging: offset(100),
    envelope: updates_envelope,
    check: updates_check,
    found: any_found,
    demo: demo_updates,
    note: "fidelity: partial; response undocumented: the sibling lists' {external_user_list, total} with updated_at (the change feed's field); every source filters on updated_at; update/add windows in seconds, inclusive",
};

/// A demo `customer` request: the dataset's first customer.
fn demo_customer(d: &Dataset) -> Value {
    serde_json::json!({ "id": fixture_customers(d, 1).first() })
}
fn get_check(req: &Value) -> Result<(), Rej> {
    if get_str(req, "id")?.is_none() && get_str(req, "unionid")?.is_none() {
        return Err(Rej::code(20208, "unionid 和 id 必须至少提供一个"));
    }
    Ok(())
}
fn get_found(req: &Value, n: usize) -> Result<(), Rej> {
    if n > 0 {
        Ok(())
    } else if get_str(req, "id").ok().flatten().is_some() {
        Err(Rej::code(20206, "id 错误,找不到对应客户"))
    } else {
        Err(Rej::code(20207, "unionid 错误,找不到对应客户"))
    }
}
fn get_envelope(p: &Page<'_>) -> String {
    object(p, "external_user", true)
}

/// `GET /open-api/external_user/get` (fidelity: partial).
pub(crate) const CUSTOMER: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customer",
    method: Method::Get,
    path: "/open-api/external_user/get",
    pop: CUSTOMERS_POP,
    generate: gen_customer_detail,
    key: c_key,
    filters: &[
        f("id", How::Lookup(Kind::Str, find_customer)),
        f("unionid", How::Lookup(Kind::Str, find_unionid)),
        f("openid", How::Accept(Kind::Str)),
    ],
    paging: Paging::None,
    envelope: get_envelope,
    check: get_check,
    found: get_found,
    demo: demo_customer,
    note: "fidelity: partial (example truncated inside custom_fields; the record stops there); 20208 without id/unionid, 20206/20207 when not found",
};

fn id_list_len(req: &Value, key: &str) -> usize {
    match field(req, key) {
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}
/// A demo `customers-batch` request: the dataset's first customers (at most one call's worth).
fn demo_batch(d: &Dataset) -> Value {
    serde_json::json!({ WEIBAN_BATCH_GET_KEY: fixture_customers(d, WEIBAN_BATCH_GET_MAX) })
}
fn batch_check(req: &Value) -> Result<(), Rej> {
    let n = id_list_len(req, WEIBAN_BATCH_GET_KEY) + id_list_len(req, "external_user_ids");
    if n == 0 {
        return Err(Rej::param(format!(
            "{WEIBAN_BATCH_GET_KEY} must be a non-empty list of external user ids"
        )));
    }
    if n > WEIBAN_BATCH_GET_MAX {
        return Err(Rej::param(format!(
            "批量查询最多支持{WEIBAN_BATCH_GET_MAX}个客户ID (at most {WEIBAN_BATCH_GET_MAX} ids per call)"
        )));
    }
    Ok(())
}
fn batch_envelope(p: &Page<'_>) -> String {
    list(p, "external_user", true)
}

/// `POST /open-api/external_user/batch_get` (fidelity: third-party code).
pub(crate) const CUSTOMERS_BATCH: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customers-batch",
    method: Method::Post,
    path: "/open-api/external_user/batch_get",
    pop: CUSTOMERS_POP,
    generate: gen_customer_detail,
    key: c_key,
    filters: &[
        f(WEIBAN_BATCH_GET_KEY, How::AnyLookup(find_customer)),
        f("external_user_ids", How::AnyLookup(find_customer)),
    ],
    paging: Paging::None,
    envelope: batch_envelope,
    check: batch_check,
    found: any_found,
    demo: demo_batch,
    note: "fidelity: third-party code; body id_list (external_user_ids accepted too: the sources conflict); <= 20 ids; unknown ids are left out; records in population order, shaped as external_user/get",
};

const STAGES: [(u64, &str); 4] = [
    (1956, "新客户"),
    (311, "意向客户"),
    (310, "付款客户1"),
    (312, "流失客户"),
];

fn gen_stage(d: &Dataset, r: &Rec, out: &mut String) {
    let (id, name) = STAGES[((d.rh(r, F_MISC) >> 4) as usize + r.v as usize) % STAGES.len()];
    J::new(out)
        .s("external_user_id", &customer_id(d, r.i))
        .s("staff_id", &staff_id(follow_staff(d, r.i)[0]))
        .n("stage_id", id)
        .s("stage_name", name)
        .end();
}
/// A demo `customer-stages` request: the dataset's first customers.
fn demo_stages(d: &Dataset) -> Value {
    serde_json::json!({ "external_user_ids": fixture_customers(d, WEIBAN_BATCH_GET_MAX) })
}
fn stage_check(req: &Value) -> Result<(), Rej> {
    let n = id_list_len(req, "external_user_ids");
    if n == 0 {
        return Err(Rej::code(20607, "external_user_ids不能为空"));
    }
    if n > WEIBAN_STAGE_GET_MAX {
        return Err(Rej::code(20608, "external_user_ids列表长度超过限制(50)"));
    }
    Ok(())
}
fn stage_found(_: &Value, n: usize) -> Result<(), Rej> {
    if n == 0 {
        return Err(Rej::code(
            20609,
            "未查询到任何客户阶段状态,请检查external_user_id是否合法或客户是否存在客户阶段",
        ));
    }
    Ok(())
}
fn stage_envelope(p: &Page<'_>) -> String {
    list(p, "stage_list", true)
}

/// `POST /open-api/external_user/stage/get` (fidelity: partial).
pub(crate) const CUSTOMER_STAGES: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customer-stages",
    method: Method::Post,
    path: "/open-api/external_user/stage/get",
    pop: CUSTOMERS_POP,
    generate: gen_stage,
    key: c_key,
    filters: &[f("external_user_ids", How::AnyLookup(find_customer))],
    paging: Paging::None,
    envelope: stage_envelope,
    check: stage_check,
    found: stage_found,
    demo: demo_stages,
    note: "fidelity: partial; 20607 empty list, 20608 more than 50 ids, 20609 none found; one stage row per customer (its first follow staff)",
};

// ------------------------------------------------------------------ customer–staff relations

const RELATIONS_POP: Pop = Pop {
    salt: 31,
    size: Size::Records,
};

fn rel_staff(d: &Dataset, r: &Rec) -> String {
    staff_id(follow_staff(d, r.i)[0])
}
fn rel_outflow(d: &Dataset, r: &Rec) -> String {
    u8::from(d.rh(r, F_MISC).is_multiple_of(10)).to_string()
}
fn rel_key(d: &Dataset, r: &Rec) -> String {
    format!("{}:{}", customer_id(d, r.i), rel_staff(d, r))
}
fn gen_relation(d: &Dataset, r: &Rec, out: &mut String) {
    // The docstring's fields (a third-party client); relation i is customer i's relation with
    // its first follow staff. `outflow` selects on a flag the records do not show.
    let c = cust(r.i);
    let misc = d.rh(r, F_MISC);
    let company = misc.is_multiple_of(4).then(|| pick(&COMPANIES, misc >> 3));
    let mut j = J::new(out);
    j.s("id", &customer_id(d, r.i))
        .s("name", pick(&NICKNAMES, d.rh(&c, F_NAME)));
    avatar(&mut j, d, r);
    j.n("gender", misc % 3)
        .n("type", customer_type(d, r.i))
        .os("corp_name", company.map(|x| x.trim_end_matches("有限公司")))
        .os("corp_full_name", company)
        .os("position", company.map(|_| "采购经理"))
        .n("score", (misc >> 5) % 101)
        .os("unionid", unionid(d, r.i).as_deref())
        .n("created_at", r.t - 60)
        .n(
            "updated_at",
            r.modified((misc >> 12) as i64 % (90 * 86_400)),
        );
    let remark = if r.v > 0 { "老客户(已更新)" } else { "" };
    let rel = format!(
        "{{\"staff_id\":\"{}\",\"add_time\":{},\"remark\":\"{remark}\"}}",
        rel_staff(d, r),
        r.t
    );
    j.raw("staff_relation", &rel).end();
}
fn relations_envelope(p: &Page<'_>) -> String {
    list(p, "external_user_list", true)
}

/// `GET /open-api/external_user_staff_relation/list` (fidelity: third-party code).
pub(crate) const CUSTOMER_STAFF: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customer-staff",
    method: Method::Get,
    path: "/open-api/external_user_staff_relation/list",
    pop: RELATIONS_POP,
    generate: gen_relation,
    key: rel_key,
    filters: &[
        f("start_add_time", How::From(Unit::Secs, Axis::Primary)),
        f("end_add_time", How::To(Unit::Secs, true, Axis::Primary)),
        f("staff_id", How::Eq(Kind::Str, rel_staff)),
        f("outflow", How::Eq(Kind::Int, rel_outflow)),
    ],
    paging: offset(100),
    envelope: relations_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: third-party code; add window on staff_relation.add_time in seconds, inclusive; outflow 0/1",
};

// ------------------------------------------------------------------ customer events

const EVENTS_POP: Pop = Pop {
    salt: 32,
    size: Size::Records,
};
const EVENT_KINDS: [(&str, &str); 4] = [
    ("add_external_user", "添加客户"),
    ("open_radar", "打开雷达链接"),
    ("submit_smart_form", "提交自定义表单"),
    ("{\"custom\":12}", "自定义事件"),
];

fn event_customer(d: &Dataset, i: usize) -> usize {
    i % d.base_len(Size::Div(10))
}
fn ev_id(d: &Dataset, r: &Rec) -> u64 {
    num_id(100_000, 7, r.i, d.rh(r, F_ID))
}
fn ev_key(d: &Dataset, r: &Rec) -> String {
    ev_id(d, r).to_string()
}
/// Events of customer `c` (event i belongs to customer i % C): an O(events) lookup.
fn events_of(d: &Dataset, view: &PopView, c: Option<usize>) -> Vec<usize> {
    let n = d.base_len(Size::Div(10));
    match c {
        Some(c) if c < n => (c..view.len()).step_by(n).collect(),
        _ => Vec::new(),
    }
}
fn find_events(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    let c = find_by_tail(d, view, id, CUSTOMER_PREFIX, 30).filter(|&c| customer_id(d, c) == id);
    events_of(d, view, c)
}
fn find_union_events(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    let c = find_by_tail(d, view, id, UNIONID_PREFIX, 31)
        .filter(|&c| unionid(d, c).as_deref() == Some(id));
    events_of(d, view, c)
}
fn ev_customer(d: &Dataset, r: &Rec) -> String {
    customer_id(d, event_customer(d, r.i))
}
fn ev_staff(d: &Dataset, r: &Rec) -> String {
    staff_id(follow_staff(d, event_customer(d, r.i))[0])
}
fn gen_event(d: &Dataset, r: &Rec, out: &mut String) {
    let (ty, title) = pick(&EVENT_KINDS, d.rh(r, F_MISC));
    let s = follow_staff(d, event_customer(d, r.i))[0];
    J::new(out)
        .n("id", ev_id(d, r))
        .n("created_at", r.t)
        .s(
            "content",
            &format!("{}{}", title, if r.v > 0 { "(已更新)" } else { "" }),
        )
        .s("event_title", title)
        .s("event_type", ty)
        .s("external_user_id", &ev_customer(d, r))
        .s("staff_id", &staff_id(s))
        .s("staff_name", &staff_name(s))
        .end();
}
/// A demo `customer-events` request: the dataset's first customer.
fn demo_events(d: &Dataset) -> Value {
    serde_json::json!({ "external_user_id": fixture_customers(d, 1).first() })
}
fn events_check(req: &Value) -> Result<(), Rej> {
    if get_str(req, "external_user_id")?.is_none()
        && get_str(req, "external_user_unionid")?.is_none()
    {
        return Err(Rej::param(
            "external_user_id 和 external_user_unionid 必须选择一个填写 (one of them is required)",
        ));
    }
    Ok(())
}
fn events_envelope(p: &Page<'_>) -> String {
    list(p, "event_list", true)
}

/// `GET /open-api/external_user_event/list` (fidelity: page).
pub(crate) const CUSTOMER_EVENTS: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "customer-events",
    method: Method::Get,
    path: "/open-api/external_user_event/list",
    pop: EVENTS_POP,
    generate: gen_event,
    key: ev_key,
    filters: &[
        f("external_user_id", How::Lookup(Kind::Str, find_events)),
        f(
            "external_user_unionid",
            How::Lookup(Kind::Str, find_union_events),
        ),
        f("staff_id", How::Eq(Kind::Str, ev_staff)),
        f("external_user_openid", How::Accept(Kind::Str)),
    ],
    paging: Paging::Keyset {
        last: "last_id",
        size: "limit",
        offset: Some("offset"),
        default: 30,
        max: 100,
        key: ev_id,
        newest_first: never,
    },
    envelope: events_envelope,
    check: events_check,
    found: any_found,
    demo: demo_events,
    note: "fidelity: page (placeholder example); per customer (external_user_id or external_user_unionid required); keyset last_id (id > last_id) plus offset; total = the customer's events",
};

/// Keyset lists that always ascend.
pub(crate) fn never(_: &Dataset) -> bool {
    false
}

// ------------------------------------------------------------------ group chats

const CHATS_POP: Pop = Pop {
    salt: 34,
    size: Size::Div(20),
};
const MEMBERS_POP: Pop = Pop {
    salt: 35,
    size: Size::Records,
};
const CHAT_PREFIX: &str = "wr8xjUCAAA";
const GROUP_TAGS: [&str; 6] = [
    "开木开门看看门",
    "客户积分测试",
    "新标签2",
    "观复嘟嘟",
    "啦啦啦啦",
    "VIP群",
];

/// The `group_chat_id` of chat `k`.
pub(crate) fn chat_id(d: &Dataset, k: usize) -> String {
    let mut s = String::from(CHAT_PREFIX);
    push_rand(&mut s, d.hs(140, k), 16, ALNUM);
    super::push_idx(&mut s, k as u64, d.seed() ^ 34);
    s
}
fn find_chat(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    find_by_tail(d, view, id, CHAT_PREFIX, 34)
        .filter(|&k| chat_id(d, k) == id)
        .into_iter()
        .collect()
}
fn chat_key(d: &Dataset, r: &Rec) -> String {
    chat_id(d, r.i)
}
fn chat_owner(d: &Dataset, r: &Rec) -> String {
    staff_id((d.rh(r, F_MISC) % staff_count(d) as u64) as usize)
}
fn chat_name(d: &Dataset, r: &Rec) -> String {
    let mut n = String::new();
    push_name(&mut n, d.rh(r, F_NAME));
    n.push_str(if r.v > 0 {
        "的客户群(新)"
    } else {
        "的客户群"
    });
    n
}
/// Members of chat `k` in the member population (member i belongs to chat i % chats).
fn member_count(d: &Dataset, k: usize) -> usize {
    let chats = d.base_len(CHATS_POP.size);
    let members = d.base_len(MEMBERS_POP.size);
    members / chats + usize::from(k < members % chats)
}
fn gen_chat_summary(d: &Dataset, r: &Rec, out: &mut String) {
    // Response undocumented (third-party code lists only the parameters): the fields of
    // group_chat/detail that identify a chat.
    J::new(out)
        .s("group_chat_id", &chat_id(d, r.i))
        .s("name", &chat_name(d, r))
        .s("owner_staff_id", &chat_owner(d, r))
        .n("create_time", r.t)
        .n("member_count", member_count(d, r.i))
        .end();
}
fn gen_chat_detail(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let dismissed = misc.is_multiple_of(17);
    let mut j = J::new(out);
    j.n("create_time", r.t)
        .null("description")
        .on("dismissed_at", dismissed.then_some(r.t + 86_400 * 60))
        .s("group_chat_id", &chat_id(d, r.i))
        .null("invite_link")
        .null("invite_qr")
        .b("is_dismissed", dismissed)
        .n("last_update_statistic_time", r.modified(86_400))
        .n("member_count", member_count(d, r.i))
        .s("name", &chat_name(d, r))
        .os(
            "notice",
            misc.is_multiple_of(3).then_some("请遵守群规，禁止发广告"),
        )
        .s("owner_staff_id", &chat_owner(d, r));
    let tags = ((misc >> 4) % 3) as usize;
    j.arr("tag_list", tags, |o, t| {
        let k = ((misc >> 8) as usize + t) % GROUP_TAGS.len();
        J::new(o)
            .n("id", 3672 + k * 7)
            .s("name", GROUP_TAGS[k])
            .n("tag_group_id", 142 + k / 2)
            .end();
    })
    .n("today_decrease_user_count", (misc >> 12) % 2)
    .n("today_increase_user_count", (misc >> 13) % 4)
    .end();
}
fn chats_envelope(p: &Page<'_>) -> String {
    list(p, WEIBAN_GROUP_CHAT_LIST_KEY, false)
}

/// `GET /open-api/group_chat/list` (fidelity: third-party code).
pub(crate) const GROUP_CHATS: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "group-chats",
    method: Method::Get,
    path: "/open-api/group_chat/list",
    pop: CHATS_POP,
    generate: gen_chat_summary,
    key: chat_key,
    filters: &[f("staff_id", How::Eq(Kind::Str, chat_owner))],
    paging: offset(100),
    envelope: chats_envelope,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: third-party code; response undocumented: list key WEIBAN_GROUP_CHAT_LIST_KEY, records = detail fields that identify a chat; records/20 chats",
};

/// A demo `group-chat` or `group-chat-members` request: the dataset's first chat.
fn demo_chat(d: &Dataset) -> Value {
    serde_json::json!({ "group_chat_id": fixture_chats(d, 1).first() })
}
fn chat_required(req: &Value) -> Result<(), Rej> {
    match get_str(req, "group_chat_id")? {
        Some(_) => Ok(()),
        None => Err(Rej::param("group_chat_id is required")),
    }
}
fn chat_found(_: &Value, n: usize) -> Result<(), Rej> {
    if n == 0 {
        return Err(Rej::code(20209, "group_chat_id非法,不存在对应群聊"));
    }
    Ok(())
}
fn chat_envelope(p: &Page<'_>) -> String {
    object(p, "group_chat", false)
}

/// `GET /open-api/group_chat/detail` (fidelity: partial).
pub(crate) const GROUP_CHAT: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "group-chat",
    method: Method::Get,
    path: "/open-api/group_chat/detail",
    pop: CHATS_POP,
    generate: gen_chat_detail,
    key: chat_key,
    filters: &[f("group_chat_id", How::Lookup(Kind::Str, find_chat))],
    paging: Paging::None,
    envelope: chat_envelope,
    check: chat_required,
    found: chat_found,
    demo: demo_chat,
    note: "fidelity: partial (example only); 20209 for an unknown group_chat_id",
};

/// Members of the chat with this id (member i belongs to chat i % chats).
fn find_members(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    let chats = d.base_len(CHATS_POP.size);
    let tail = id.get(id.len().saturating_sub(6)..).unwrap_or("");
    match idx_of(tail, "", d.seed() ^ 34, chats) {
        Some(k) if id.starts_with(CHAT_PREFIX) && chat_id(d, k) == id => {
            (k..view.len()).step_by(chats).collect()
        }
        _ => Vec::new(),
    }
}
fn member_chat(d: &Dataset, r: &Rec) -> String {
    chat_id(d, r.i % d.base_len(CHATS_POP.size))
}
fn member_key(d: &Dataset, r: &Rec) -> String {
    format!("{}:{}", member_chat(d, r), 2 + r.i)
}
fn gen_member(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let staff = misc.is_multiple_of(6);
    let left = misc.is_multiple_of(9);
    let user = if staff {
        staff_id((misc >> 3) as usize % staff_count(d))
    } else {
        customer_id(d, (misc >> 3) as usize % d.records().max(1))
    };
    let mut j = J::new(out);
    j.on(
        "chat_msg_count",
        misc.is_multiple_of(4).then_some((misc >> 6) % 500),
    )
    .n("created_at", r.t + 3600)
    .b("deleted", left)
    .on("deleted_time", left.then_some(r.t + 86_400 * 20))
    .s("group_id", &member_chat(d, r))
    .n("id", 2 + r.i)
    .s(
        "invitor_ext_id",
        &staff_id((misc >> 20) as usize % staff_count(d)),
    )
    .n("join_scene", 1 + (misc >> 24) % 3)
    .n("join_time", r.t)
    .on(
        "last_chat_msg_time",
        misc.is_multiple_of(4).then_some(r.t + 7200),
    );
    if misc.is_multiple_of(5) {
        // other_name: in the docs-site table only, not in the example.
        j.s("other_name", pick(&NICKNAMES, misc >> 28));
    }
    let union = (!staff).then(|| {
        let mut s = String::from("omefmt_");
        push_rand(&mut s, d.rh(r, F_ID2), 21, ALNUM);
        s
    });
    j.os("unionid", union.as_deref())
        .s("user_id", &user)
        .n("user_type", if staff { 1 } else { 2 })
        .end();
}
fn members_envelope(p: &Page<'_>) -> String {
    list(p, "member_list", true)
}

/// `GET /open-api/group_chat/member/list` (fidelity: page).
pub(crate) const GROUP_CHAT_MEMBERS: OpDecl = OpDecl {
    vendor: Vendor::Weiban,
    name: "group-chat-members",
    method: Method::Get,
    path: "/open-api/group_chat/member/list",
    pop: MEMBERS_POP,
    generate: gen_member,
    key: member_key,
    filters: &[f("group_chat_id", How::Lookup(Kind::Str, find_members))],
    paging: Paging::None,
    envelope: members_envelope,
    check: chat_required,
    found: any_found,
    demo: demo_chat,
    note: "fidelity: page; one answer with every member and total; an unknown group_chat_id gives an empty list (the documented codes are copies from external_user/get)",
};

/// Fixtures: the first customers, chats and staff.
pub(crate) fn fixture_customers(d: &Dataset, n: usize) -> Vec<String> {
    (0..n.min(d.records())).map(|c| customer_id(d, c)).collect()
}
pub(crate) fn fixture_chats(d: &Dataset, n: usize) -> Vec<String> {
    (0..n.min(d.base_len(CHATS_POP.size)))
        .map(|k| chat_id(d, k))
        .collect()
}
pub(crate) fn fixture_staff(d: &Dataset) -> Vec<String> {
    (0..staff_count(d)).map(staff_id).collect()
}
pub(crate) fn fixture_unionid(d: &Dataset, c: usize) -> Option<String> {
    unionid(d, c)
}
