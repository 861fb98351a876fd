//! waiqin operations (`vendor-docs/waiqin-*.txt`): signed path, JSON body,
//! records as a JSON array inside the `response_data` string; every value a string.

use serde_json::Value;

use super::{J, num_id, num_idx};
use crate::data::{
    COMPANIES, Dataset, EMPLOYEES, F_ID, F_MISC, F_MISC2, F_TEXT, PopView, Rec, Vendor,
    WAIQIN_TASK_TYPES, id19, pick,
};
use crate::engine::{
    Axis, How, Kind, Method, OpDecl, Paging, Pop, Rej, Size, Unit, any_found, f, field, no_check,
    no_filters,
};
use crate::util::{TimeFmt, fmt_cst};
use crate::waiqin::{WAIQIN_MAX_ROWS, data};

// ------------------------------------------------------------------ tasks (seed)

fn task_modified(d: &Dataset, r: &Rec) -> i64 {
    d.waiqin_modify_time(r)
}
fn task_key(d: &Dataset, r: &Rec) -> String {
    d.task_id(r.i).to_string()
}

/// `POST /api/cusTask/v1/queryTask/...` (seed page, fidelity: page).
pub(crate) const TASKS: OpDecl = OpDecl {
    vendor: Vendor::Waiqin,
    name: "tasks",
    method: Method::Post,
    path: "/api/cusTask/v1/queryTask",
    pop: Pop {
        salt: 3,
        size: Size::Records,
    },
    generate: Dataset::write_task,
    key: task_key,
    filters: &[
        f("create_date_from", How::From(Unit::Date, Axis::Primary)),
        f("create_date_to", How::To(Unit::Date, true, Axis::Primary)),
        f(
            "modify_date_from",
            How::From(Unit::Date, Axis::Attr(task_modified)),
        ),
        f(
            "modify_date_to",
            How::To(Unit::Date, true, Axis::Attr(task_modified)),
        ),
    ],
    paging: Paging::PageRows {
        page: "page",
        rows: "rows",
        default: WAIQIN_MAX_ROWS,
        max: WAIQIN_MAX_ROWS,
        ints: false,
        required: false,
    },
    envelope: data,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "seed page (fidelity: page); create/modify dates yyyy-MM-dd, day granularity, inclusive; page/rows strings or numbers",
};

fn type_key(d: &Dataset, r: &Rec) -> String {
    d.task_type_id(r.i).to_string()
}

/// `POST /api/cusTask/v1/queryTaskType/...` (seed page, fidelity: page).
pub(crate) const TASK_TYPES: OpDecl = OpDecl {
    vendor: Vendor::Waiqin,
    name: "task-types",
    method: Method::Post,
    path: "/api/cusTask/v1/queryTaskType",
    pop: Pop {
        salt: 4,
        size: Size::Fixed(WAIQIN_TASK_TYPES),
    },
    generate: Dataset::write_task_type,
    key: type_key,
    filters: &[f("type_ids", How::AnyOf(Kind::Str, type_key))],
    paging: Paging::None,
    envelope: data,
    check: no_check,
    found: any_found,
    demo: no_filters,
    note: "seed page (fidelity: page); absent, null or [] type_ids = all 12 types; unknown ids ignored",
};

// ------------------------------------------------------------------ visits

const VISITS_POP: Pop = Pop {
    salt: 40,
    size: Size::Records,
};
const VISIT_BASE: u64 = 8_336_850_706_919_142_842 - 8_336_850_706_919_142_842 % 1_000_003;
const SUMMARIES: [&str; 4] = [
    "总结",
    "陈列达标，已拍照",
    "客户要求补货",
    "门店关门，改日再访",
];

fn visit_id(d: &Dataset, r: &Rec) -> String {
    num_id(VISIT_BASE, 1_000_003, r.i, d.rh(r, F_ID)).to_string()
}
fn find_visit(d: &Dataset, view: &PopView, id: &str) -> Vec<usize> {
    num_idx(id, VISIT_BASE, 1_000_003, view)
        .filter(|&i| visit_id(d, &view.rec(d, i)) == id.trim())
        .into_iter()
        .collect()
}
/// Modified records carry `modify_time`; never-modified ones show `""` (and `modifyier_id`
/// `"-1"`) as in the example; the modify window matches those by their creation time.
fn visit_modified_at(d: &Dataset, r: &Rec) -> Option<i64> {
    match r.m {
        Some(m) => Some(m),
        None => d
            .rh(r, F_MISC)
            .is_multiple_of(3)
            .then(|| r.t + 1800 + (d.rh(r, F_MISC2) % (20 * 86_400)) as i64),
    }
}
fn visit_modify_filter(d: &Dataset, r: &Rec) -> i64 {
    visit_modified_at(d, r).unwrap_or(r.t + 1800)
}
fn visit_leave(_: &Dataset, r: &Rec) -> i64 {
    r.t + 1200
}
fn visitor(d: &Dataset, r: &Rec) -> usize {
    (d.rh(r, F_MISC) >> 4) as usize % EMPLOYEES.len()
}
fn visitor_code(d: &Dataset, r: &Rec) -> String {
    format!("EMP{}", 1001 + visitor(d, r))
}
fn visit_type(d: &Dataset, r: &Rec) -> String {
    (1 + (d.rh(r, F_MISC) >> 8) % 8).to_string()
}
fn gen_visit(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC);
    let v = visitor(d, r);
    let creator = (misc >> 12) as usize % EMPLOYEES.len();
    let modified = visit_modified_at(d, r);
    let customer = (misc >> 16) % 5000;
    let mut j = J::new(out);
    j.s("id", &visit_id(d, r))
        .s("status", if misc.is_multiple_of(40) { "0" } else { "1" })
        .ns("customer", id19(d.hs(150, customer as usize)))
        .s(
            "customer_name",
            &format!(
                "{}门店{}",
                pick(&COMPANIES, customer).get(..6).unwrap_or(""),
                customer
            ),
        )
        .s("customer_code", &format!("CUS{:05}", customer))
        .s("customer_sourcecode", &format!("md{customer}"))
        .s("manager_code", &format!("EMP{}", 1001 + creator))
        .s("manager_name", EMPLOYEES[creator])
        .s("visit_manager_name", EMPLOYEES[creator])
        .s("visit_manager_code", &format!("EMP{}", 1001 + creator))
        .ns("visitor", d.employee_id(v))
        .s("visitor_name", EMPLOYEES[v])
        .s("visitor_sourcecode", &visitor_code(d, r))
        .s(
            "visit_date",
            &format!("{} 00:00:00", fmt_cst(r.t, TimeFmt::Date)),
        )
        .ns("sequence", 1 + (misc >> 20) % 9)
        .s("visit_status", &((misc >> 24) % 3).to_string())
        .s(
            "summary",
            pick(&SUMMARIES, d.rh(r, F_TEXT) ^ u64::from(r.v)),
        )
        .s("leave_time", &fmt_cst(visit_leave(d, r), TimeFmt::Second))
        .s("plan_content", &((misc >> 28) % 3).to_string())
        .s("visit_type", &visit_type(d, r))
        .ns("creator_id", d.employee_id(creator))
        .s("creator_name", EMPLOYEES[creator])
        .s(
            "creator_sourcecode",
            &format!("CODE{}", 93_486_697 + creator),
        )
        .s("create_time", &fmt_cst(r.t + 1800, TimeFmt::Second));
    match modified {
        Some(m) => j
            .ns("modifyier_id", d.employee_id(creator))
            .s("modify_time", &fmt_cst(m, TimeFmt::Second)),
        None => j.s("modifyier_id", "-1").s("modify_time", ""),
    };
    j.ns("total_score", 40 + (misc >> 32) % 61)
        .s("full_marks", "100")
        .s("task_type", &(1 + (misc >> 40) % 3).to_string())
        .end();
}
/// A demo request of the dated operations: every day of the dataset (and its modifications).
fn demo_days(_: &Dataset) -> Value {
    serde_json::json!({ "date_start": "2024-01-01", "date_end": "2025-12-31" })
}
fn visits_check(req: &Value) -> Result<(), Rej> {
    let has = |k: &str| {
        field(req, k).is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.is_empty()))
    };
    let dated = has("date_start") && has("date_end");
    if !(has("id") || dated) {
        return Err(Rej::param(
            "date_start and date_end are required unless id is given",
        ));
    }
    Ok(())
}

/// `POST /api/cusVisit/v1/queryCusVisitRecord/...` (fidelity: partial).
pub(crate) const VISITS: OpDecl = OpDecl {
    vendor: Vendor::Waiqin,
    name: "visits",
    method: Method::Post,
    path: "/api/cusVisit/v1/queryCusVisitRecord",
    pop: VISITS_POP,
    generate: gen_visit,
    key: visit_id,
    filters: &[
        f("id", How::Lookup(Kind::Str, find_visit)),
        f("date_start", How::From(Unit::Date, Axis::Primary)),
        f("date_end", How::To(Unit::Date, true, Axis::Primary)),
        f(
            "modify_start",
            How::From(Unit::Date, Axis::Attr(visit_modify_filter)),
        ),
        f(
            "modify_end",
            How::To(Unit::Date, true, Axis::Attr(visit_modify_filter)),
        ),
        f(
            "visit_time_start",
            How::From(Unit::DateTime, Axis::Attr(visit_leave)),
        ),
        f(
            "visit_time_end",
            How::To(Unit::DateTime, true, Axis::Attr(visit_leave)),
        ),
        f("visitor_code", How::Eq(Kind::Str, visitor_code)),
        f("visit_type", How::Eq(Kind::Str, visit_type)),
    ],
    paging: Paging::PageRows {
        page: "page",
        rows: "rows",
        default: WAIQIN_MAX_ROWS,
        max: WAIQIN_MAX_ROWS,
        ints: false,
        required: true,
    },
    envelope: data,
    check: visits_check,
    found: any_found,
    demo: demo_days,
    note: "fidelity: partial; date_start/date_end (visit date) required unless id, page/rows required (strings, rows <= 1000); modify_start/modify_end day granularity on modify_time (never-modified records by create_time); visit_time_* on leave_time",
};

// ------------------------------------------------------------------ tracks

const TRACKS_POP: Pop = Pop {
    salt: 41,
    size: Size::Records,
};
const TRACK_TYPES: [&str; 4] = ["考勤", "客户签到", "拜访-离开登记", "拜访-到达登记"];
const LOCATIONS: [&str; 4] = [
    "江苏省镇江市句容市崇明西路",
    "江苏省南京市建邺区白龙江东街南京国际广告大厦附近",
    "定位失败!",
    "湖北省武汉市洪山区光谷大道",
];

fn track_parts(d: &Dataset, r: &Rec) -> (usize, bool, u64) {
    let misc = d.rh(r, F_MISC);
    (
        (misc % 8) as usize,
        !(misc >> 3).is_multiple_of(4),
        (misc >> 5) % 5000,
    )
}
fn track_key(d: &Dataset, r: &Rec) -> String {
    let (e, _, _) = track_parts(d, r);
    format!(
        "{}|{}|{}",
        d.employee_id(e),
        fmt_cst(r.t, TimeFmt::Minute),
        r.i
    )
}
fn gen_track(d: &Dataset, r: &Rec, out: &mut String) {
    let misc = d.rh(r, F_MISC2);
    let (e, at_customer, c) = track_parts(d, r);
    let mut j = J::new(out);
    if at_customer {
        j.s("cusCode", &format!("CUS{:06}", 100_000 + c))
            .ns("cusId", id19(d.hs(150, c as usize)))
            .s("cusName", &format!("{}-{:03}", EMPLOYEES[e], c % 1000));
    } else {
        j.s("cusCode", "").s("cusId", "").s("cusName", "");
    }
    let code = format!("1530516{:04}", 7000 + e);
    j.s("empCode", &code)
        .ns("empId", d.employee_id(e))
        .s("empName", &code)
        .s("location", pick(&LOCATIONS, misc));
    // offset is absent in some records (the example's second one).
    if misc % 4 != 1 {
        j.ns("offset", (misc >> 4) % 50_000);
    }
    j.s("submitTime", &fmt_cst(r.t, TimeFmt::Minute))
        .s(
            "type",
            if at_customer {
                TRACK_TYPES[1 + ((misc >> 20) % 3) as usize]
            } else {
                TRACK_TYPES[0]
            },
        )
        .end();
}
fn tracks_check(req: &Value) -> Result<(), Rej> {
    for k in ["date_start", "date_end"] {
        if field(req, k).is_none_or(Value::is_null) {
            return Err(Rej::param(format!("{k} is required (yyyy-MM-dd)")));
        }
    }
    Ok(())
}

/// `POST /api/waiqinTrack/v1/queryEmpTrackTime/...` (fidelity: partial).
pub(crate) const TRACKS: OpDecl = OpDecl {
    vendor: Vendor::Waiqin,
    name: "tracks",
    method: Method::Post,
    path: "/api/waiqinTrack/v1/queryEmpTrackTime",
    pop: TRACKS_POP,
    generate: gen_track,
    key: track_key,
    filters: &[
        f("date_start", How::From(Unit::Date, Axis::Primary)),
        f("date_end", How::To(Unit::Date, true, Axis::Primary)),
    ],
    paging: Paging::PageRows {
        page: "page_number",
        rows: "page_size",
        default: WAIQIN_MAX_ROWS,
        max: WAIQIN_MAX_ROWS,
        ints: true,
        required: false,
    },
    envelope: data,
    check: tracks_check,
    found: any_found,
    demo: demo_days,
    note: "fidelity: partial; page_number/page_size INTEGERS (strings rejected), <= 1000, no total; date_start/date_end required, by submit date (day, inclusive); no documented id: the sandbox key is empId|submitTime|index",
};
