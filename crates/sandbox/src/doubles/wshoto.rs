//! wshoto operations (`vendor-docs/wshoto-*.txt`). Token in the query
//! (`access_token`); POST bodies are JSON; GET parameters are query parameters.

use serde_json::Value;

use super::{J, id_str, idx_of, num_id};
use crate::data::{
    ALNUM, COMPANIES, Dataset, F_ID, F_ID2, F_MISC, F_MISC2, F_NAME, F_PHONE, F_TEXT, NICKNAMES,
    PopView, Rec, Vendor, id19, pick, push_mobile, push_name, push_rand,
};
use crate::engine::{
    Axis, How, Kind, Method, OpDecl, Paging, Pop, Rej, Size, Unit, any_found, f, get_str, no_check,
    no_filters,
};
use crate::wshoto::{WSHOTO_DEFAULT_PAGE_SIZE, WSHOTO_MAX_PAGE_SIZE, page, page_sub_code};

const fn paging(max: i64) -> Paging {
    Paging::PageTotal {
        page: "current_index",
        size: "page_size",
        default: WSHOTO_DEFAULT_PAGE_SIZE,
        max,
    }
}

/// Tags of the corp (group, tag, WeCom id suffix).
const CORP_TAGS: [(&str, &str); 8] = [
    ("客户等级", "重要客户"),
    ("客户等级", "普通客户"),
    ("客户来源", "展会"),
    ("客户来源", "官网"),
    ("客户来源", "转介绍"),
    ("意向", "高意向"),
    ("意向", "观望"),
    ("行业", "制造业"),
];

fn corp_tag_id(d: &Dataset, k: usize) -> String {
    let mut s = String::from("etAJ2GCAAA");
    push_rand(&mut s, d.hs(130, k), 22, ALNUM);
    s
}

fn name_of(d: &Dataset, r: &Rec, f: u64) -> String {
    let mut n = String::new();
    push_name(&mut n, d.rh(r, f));
    n
}

// ------------------------------------------------------------------ collect details (seed)

fn collect_form(d: &Dataset, r: &Rec) -> String {
    d.wshoto_form_id(d.wshoto_form_of(r.i)).to_string()
}
fn collect_sender(d: &Dataset, r: &Rec) -> String {
    d.wshoto_sender(d.wshoto_sender_of(r.i))
}
fn collect_status(d: &Dataset, r: &Rec) -> String {
    d.wshoto_status_of(r.i).to_string()
}
fn collect_key(d: &Dataset, r: &Rec) -> String {
    d.wshoto_external_userid(r.i)
}
fn collect_check(req: &Value) -> Result<(), Rej> {
    let s = crate::util::json_i64(req, "detail_status")?;
    if s.is_some_and(|s| !(0..=2).contains(&s)) {
        return Err(Rej::param("detail_status must be 0, 1 or 2"));
    }
    Ok(())
}

/// `POST /openapi/collect/detail/page` (seed page, fidelity: page).
pub(crate) const COLLECT_DETAILS: OpDecl = OpDecl {
    vendor: Vendor::Wshoto,
    name: "collect-details",
    method: Method::Post,
    path: "/openapi/collect/detail/page",
    pop: Pop {
        salt: 1,
        size: Size::Records,
    },
    generate: Dataset::write_wshoto,
    key: collect_key,
    filters: &[
        f("form_id", How::Eq(Kind::Int, collect_form)),
        f("send_user_id", How::Eq(Kind::Str, collect_sender)),
        f("detail_status", How::Eq(Kind::Int, collect_status)),
        f("start_commit_time", How::From(Unit::Secs, Axis::Primary)),
        f("end_commit_time", How::To(Unit::Secs, true, Axis::Primary)),
    ],
    paging: paging(WSHOTO_MAX_PAGE_SIZE),
    envelope: page,
    check: collect_check,
    found: any_found,
    demo: no_filters,
    note: "seed page (fidelity: page); commit times in seconds, both ends inclusive",
};

// ------------------------------------------------------------------ customers

const CUSTOMERS_POP: Pop = Pop {
    salt: 20,
    size: Size::Records,
};

fn customer_id(d: &Dataset, r: &Rec) -> String {
    let mut s = String::from("wmDkH9EAAA");
    push_rand(&mut s, d.rh(r, F_ID), 16, ALNUM);
    super::push_idx(&mut s, r.i as u64, d.seed() ^ 20);
    s
}

fn gen_customer(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let mut j = J::new(out);
    j.s("external_userid", &customer_id(d, r));
    // unionid is not returned for customers created after 2022-06-20: absent for some.
    if !misc.is_multiple_of(3) {
        let mut u = String::from("oLRmLx");
        push_rand(&mut u, d.rh(r, F_ID2), 22, ALNUM);
        j.s("unionid", &u);
    }
    j.n("type", 1 + misc % 2)
        .n("gender", ((misc >> 3) + u64::from(r.v)) % 3);
    let users = 1 + (misc >> 6) % 2;
    j.arr("follow_users", users as usize, |o, u| {
        let mut f = J::new(o);
        f.s("userid", &d.wshoto_sender(((misc >> 8) as usize + u) % 6));
        let tags = ((misc >> (12 + u)) % 4) as usize;
        f.arr("tag_list", tags, |o, t| {
            let k = ((misc >> 20) as usize + t * 3 + u) % CORP_TAGS.len();
            J::new(o)
                .s("group_name", CORP_TAGS[k].0)
                .s("tag_name", CORP_TAGS[k].1)
                .s("tag_id", &corp_tag_id(d, k))
                .end();
        });
        f.end();
    });
    j.end();
}

/// `POST /openapi/customer/list/selfCustomersByTenant` (fidelity: page).
pub(crate) const CUSTOMERS: OpDecl = OpDecl {
    vendor: Vendor::Wshoto,
    name: "customers",
    method: Method::Post,
    path: "/openapi/customer/list/selfCustomersByTenant",
    pop: CUSTOMERS_POP,
    generate: gen_customer,
    key: customer_id,
    filters: &[],
    paging: paging(100),
    envelope: page,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: page; no filters; page_size <= 100; unionid absent for some customers; follow_users[].userid a string (the example, not the table's int userId)",
};

// ------------------------------------------------------------------ open sea

const OPEN_SEA_POP: Pop = Pop {
    salt: 21,
    size: Size::Records,
};

fn pool_id(d: &Dataset, k: usize) -> u64 {
    1_700_000_000_000_000_000 + d.hs(131, k) % 100_000_000_000_000_000
}
fn pre_owner(d: &Dataset, k: usize) -> String {
    let mut s = String::new();
    crate::data::push_hex(&mut s, d.hs(132, k), 12);
    s
}
fn sea_pool(d: &Dataset, r: &Rec) -> String {
    pool_id(d, (d.rh(r, F_MISC) % 3) as usize).to_string()
}
fn sea_owner(d: &Dataset, r: &Rec) -> String {
    pre_owner(d, ((d.rh(r, F_MISC) >> 2) % 6) as usize)
}
fn sea_contact(d: &Dataset, r: &Rec) -> String {
    num_id(1_630_000_000_000_000_000, 1_000_003, r.i, d.rh(r, F_ID)).to_string()
}
const RETURN_REASONS: [&str; 4] = [
    "长期未跟进，自动退回公海",
    "客户无意向",
    "负责人离职",
    "重复客户",
];

fn gen_open_sea(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let mut j = J::new(out);
    j.n("company_id", id19(d.rh(r, F_ID2)))
        .s("company_name", pick(&COMPANIES, d.rh(r, F_MISC2)))
        .raw("contact_id", &sea_contact(d, r))
        .s("contact_name", &name_of(d, r, F_NAME))
        .raw("open_sea_pool_id", &sea_pool(d, r))
        .s("pre_owner_id", &sea_owner(d, r))
        .n("pre_owner_dept_id", (misc >> 5) % 20)
        .n("open_sea_return_num", 1 + (misc >> 10) % 5 + u64::from(r.v))
        .n("open_sea_return_time", r.t * 1000);
    let reason = ((misc >> 14) % 4) as usize;
    j.n("open_sea_return_reason_type", reason + 1)
        .s("open_sea_return_reason", RETURN_REASONS[reason])
        .arr(
            "open_sea_return_material_ids",
            ((misc >> 18) % 3) as usize,
            |o, k| {
                o.push('"');
                crate::util::push_int(
                    o,
                    100_000_000_000 + (misc >> 20) % 900_000_000_000 + k as u64,
                );
                o.push('"');
            },
        )
        .n(
            "create_time",
            (r.t - 86_400 * (30 + ((misc >> 30) % 300) as i64)) * 1000,
        )
        .end();
}

/// `POST /openapi/crm3/openSea/listOpenSeaData` (fidelity: partial).
pub(crate) const OPEN_SEA: OpDecl = OpDecl {
    vendor: Vendor::Wshoto,
    name: "open-sea",
    method: Method::Post,
    path: "/openapi/crm3/openSea/listOpenSeaData",
    pop: OPEN_SEA_POP,
    generate: gen_open_sea,
    key: sea_contact,
    filters: &[
        f("pool_ids", How::AnyOf(Kind::Str, sea_pool)),
        f("pre_owner_id", How::Eq(Kind::Str, sea_owner)),
        f("return_time_start", How::From(Unit::Millis, Axis::Primary)),
        f(
            "return_time_end",
            How::To(Unit::Millis, true, Axis::Primary),
        ),
    ],
    // The page states no maximum: 100 as on the other wshoto pages (sandbox choice).
    paging: paging(100),
    envelope: page,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: partial; return-time window in epoch MILLISECONDS on open_sea_return_time (inclusive); max page_size not stated (100 assumed); ids above 2^53 as JSON numbers",
};

// ------------------------------------------------------------------ group members

const MEMBERS_POP: Pop = Pop {
    salt: 22,
    size: Size::Records,
};
/// Members per chat, on average.
const MEMBERS_PER_CHAT: usize = 50;

fn chats(d: &Dataset) -> usize {
    d.base_len(Size::Div(MEMBERS_PER_CHAT))
}
/// The `chat_id` of chat `k`.
pub(crate) fn chat_id(d: &Dataset, k: usize) -> String {
    id_str("wrDkH9EAAA", k, d.seed() ^ 22)
}
/// Members of the chat with this id (member i belongs to chat i % chats).
fn find_members(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    let n = chats(d);
    match idx_of(id, "wrDkH9EAAA", d.seed() ^ 22, n) {
        Some(k) => (k..view.len()).step_by(n).collect(),
        None => Vec::new(),
    }
}
fn member_id(d: &Dataset, r: &Rec) -> String {
    let staff = d.rh(r, F_MISC).is_multiple_of(8);
    let mut s = String::from(if staff { "woJYSuBgAA" } else { "wmJYSuBgAA" });
    push_rand(&mut s, d.rh(r, F_ID), 16, ALNUM);
    super::push_idx(&mut s, r.i as u64, d.seed() ^ 23);
    s
}
/// A demo `group-members` request: the dataset's first chat.
fn demo_members(d: &Dataset) -> Value {
    serde_json::json!({ "chat_id": chat_ids(d, 1).first() })
}
fn members_check(req: &Value) -> Result<(), Rej> {
    match get_str(req, "chat_id")? {
        Some(_) => Ok(()),
        None => Err(Rej::param("chat_id is required")),
    }
}

fn gen_member(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let staff = misc.is_multiple_of(8);
    let mut j = J::new(out);
    j.s("userid", &member_id(d, r))
        .n("type", if staff { 1 } else { 2 })
        .n("join_time", r.t * 1000 + (misc >> 4) as i64 % 1000)
        .n("join_scene", 1 + (misc >> 16) % 3)
        .s(
            "user_chat_nick_name",
            pick(&NICKNAMES, d.rh(r, F_NAME) ^ u64::from(r.v)),
        )
        .s("invitor", &name_of(d, r, F_TEXT))
        .end();
}

/// `GET /openapi/chat/group/member/list` (fidelity: page).
pub(crate) const GROUP_MEMBERS: OpDecl = OpDecl {
    vendor: Vendor::Wshoto,
    name: "group-members",
    method: Method::Get,
    path: "/openapi/chat/group/member/list",
    pop: MEMBERS_POP,
    generate: gen_member,
    key: member_id,
    filters: &[f("chat_id", How::Lookup(Kind::Str, find_members))],
    paging: paging(100),
    envelope: page,
    check: members_check,
    found: any_found,
    demo: demo_members,
    note: "fidelity: page; GET, all parameters in the query; chat_id required (table); join_time in MILLISECONDS as in the example",
};

// ------------------------------------------------------------------ contacts

const CONTACTS_POP: Pop = Pop {
    salt: 23,
    size: Size::Records,
};
const CHANNELS: [&str; 4] = ["官网留资", "展会", "转介绍", "抖音广告"];

fn channel_id(d: &Dataset, k: usize) -> String {
    (1_831_517_114_528_779_266u64 + d.hs(133, k) % 1_000_000_000).to_string()
}
fn contact_id(d: &Dataset, r: &Rec) -> String {
    num_id(1_631_517_114_528_779_266, 1_000_003, r.i, d.rh(r, F_ID)).to_string()
}
fn contact_name(d: &Dataset, r: &Rec) -> String {
    name_of(d, r, F_NAME)
}
fn contact_owner(d: &Dataset, r: &Rec) -> String {
    d.wshoto_sender(((d.rh(r, F_MISC) >> 3) % 6) as usize)
}
fn contact_tags(d: &Dataset, r: &Rec) -> Vec<String> {
    let misc = d.rh(r, F_MISC);
    (0..((misc >> 6) % 3) as usize)
        .map(|t| corp_tag_id(d, ((misc >> 9) as usize + t * 5) % CORP_TAGS.len()))
        .collect()
}
fn contact_channels(d: &Dataset, r: &Rec) -> Vec<usize> {
    let misc = d.rh(r, F_MISC);
    (0..((misc >> 13) % 3) as usize)
        .map(|k| ((misc >> 15) as usize + k) % CHANNELS.len())
        .collect()
}
fn contact_channel_ids(d: &Dataset, r: &Rec) -> Vec<String> {
    contact_channels(d, r)
        .into_iter()
        .map(|k| channel_id(d, k))
        .collect()
}
fn contact_external(d: &Dataset, r: &Rec) -> String {
    if d.rh(r, F_MISC).is_multiple_of(4) {
        String::new()
    } else {
        let mut s = String::from("wmvvCXcAAA");
        push_rand(&mut s, d.rh(r, F_ID2), 16, ALNUM);
        super::push_idx(&mut s, r.i as u64, d.seed() ^ 24);
        s
    }
}
fn contact_mobile(d: &Dataset, r: &Rec) -> String {
    let mut s = String::new();
    if !d.rh(r, F_MISC).is_multiple_of(3) {
        push_mobile(&mut s, d.rh(r, F_PHONE));
    }
    s
}

fn gen_contact(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let follow = r.modified(((misc >> 20) % (30 * 86_400)) as i64);
    let mut j = J::new(out);
    j.raw("contact_id", &contact_id(d, r))
        .s("contact_name", &contact_name(d, r))
        .s("uin_contact_id", "")
        .arr("corp_tag_ids", contact_tags(d, r).len(), |o, k| {
            crate::util::push_json_str(o, &contact_tags(d, r)[k]);
        })
        .raw("business_tag_ids", "[]")
        .n(
            "company_id",
            1_531_517_114_528_779_266 + d.rh(r, F_MISC2) % 1_000_000_000,
        )
        .s("external_user_id", &contact_external(d, r))
        .s("mobile_phone", &contact_mobile(d, r));
    let ch = contact_channels(d, r);
    j.arr("access_customer_channel", ch.len(), |o, k| {
        J::new(o)
            .s("name", CHANNELS[ch[k]])
            .s("id", &channel_id(d, ch[k]))
            .end();
    });
    let owner = contact_owner(d, r);
    j.s("remark", if r.v > 0 { "资料已更新" } else { "" })
        .s("owner_id", &owner)
        .s("create_user_id", &owner)
        .n("create_time", r.t)
        .n("last_follow_time", follow)
        .s(
            "last_follow",
            if misc.is_multiple_of(2) {
                ""
            } else {
                "电话沟通，客户有采购意向"
            },
        )
        .on(
            "relate_customer_time",
            (misc % 3 == 1).then_some(r.t + ((misc >> 24) % 86_400) as i64),
        )
        .n("add_friend_status", (misc >> 28) % 2)
        .n(
            "owner_change_time",
            r.t + ((misc >> 32) % (10 * 86_400)) as i64,
        )
        .end();
}

/// `POST /openapi/crm3/contact/page` (fidelity: partial).
pub(crate) const CONTACTS: OpDecl = OpDecl {
    vendor: Vendor::Wshoto,
    name: "contacts",
    method: Method::Post,
    path: "/openapi/crm3/contact/page",
    pop: CONTACTS_POP,
    generate: gen_contact,
    key: contact_id,
    filters: &[
        f("contact_name", How::Contains(contact_name)),
        f("owner_ids", How::AnyOf(Kind::Str, contact_owner)),
        f("create_start_time", How::From(Unit::Secs, Axis::Primary)),
        f("create_end_time", How::To(Unit::Secs, true, Axis::Primary)),
        f("tag_ids", How::AnyOfMany(Kind::Str, contact_tags)),
        f(
            "access_customer_channel",
            How::AnyOfMany(Kind::Str, contact_channel_ids),
        ),
        f("mobile_phone", How::Eq(Kind::Str, contact_mobile)),
        f("external_user_ids", How::AnyOf(Kind::Str, contact_external)),
        // Documented, but the records carry no field they could select on (the response
        // table is cut off; the example has no email/phase/level): accepted, no effect.
        f("email", How::Accept(Kind::Str)),
        f("field_map", How::Ignore),
        f("company_phases", How::Ignore),
        f("company_levels", How::Ignore),
    ],
    paging: paging(100),
    envelope: page,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: partial (response table cut off; records follow the example); creation window in seconds, inclusive; email/field_map/company_phases/company_levels accepted without effect",
};

// ------------------------------------------------------------------ product tags

const PRODUCT_TAGS_POP: Pop = Pop {
    salt: 24,
    size: Size::Div(10),
};
const PRODUCT_WORDS: [&str; 6] = ["新品", "爆款", "限时折扣", "企业版", "高端系列", "入门款"];

fn product_tag_id(d: &Dataset, r: &Rec) -> String {
    id_str("ptag_", r.i, d.seed() ^ 25)
}
fn product_tag_name(d: &Dataset, r: &Rec) -> String {
    format!(
        "{}{}",
        pick(&PRODUCT_WORDS, d.rh(r, F_NAME) ^ u64::from(r.v)),
        r.i
    )
}
fn gen_product_tag(d: &Dataset, r: &Rec, out: &mut String) {
    J::new(out)
        .s("tag_id", &product_tag_id(d, r))
        .s("tag_name", &product_tag_name(d, r))
        .end();
}

/// `POST /openapi/product/library/page_query_product_library_tag_info_list` (fidelity: page).
pub(crate) const PRODUCT_TAGS: OpDecl = OpDecl {
    vendor: Vendor::Wshoto,
    name: "product-tags",
    method: Method::Post,
    path: "/openapi/product/library/page_query_product_library_tag_info_list",
    pop: PRODUCT_TAGS_POP,
    generate: gen_product_tag,
    key: product_tag_id,
    filters: &[f("tag_name", How::Contains(product_tag_name))],
    paging: paging(100),
    envelope: page_sub_code,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "fidelity: page; envelope carries sub_code \"00000\"; records = records/10 tags",
};

/// The first chat ids (fixtures).
pub(crate) fn chat_ids(d: &Dataset, n: usize) -> Vec<String> {
    (0..n.min(chats(d))).map(|k| chat_id(d, k)).collect()
}
