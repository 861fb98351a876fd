//! Every operation through raw HTTP: a multi-page export with its documented filters equals
//! `Dataset::expected`, the filters select (fewer than all), single answers and their codes.

use scrm_sandbox::{Dataset, Sandbox, SandboxConfig};
use serde_json::{Value, json};

use crate::walk::{Conn, OpSpec, Style, code, items, walk};

const fn page(total: Option<&'static str>) -> Style {
    Style::Page {
        page: "current_index",
        size: "page_size",
        total,
    }
}
const fn spec(vendor: &'static str, op: &'static str, items: &'static str, style: Style) -> OpSpec {
    OpSpec {
        vendor,
        op,
        items,
        style,
    }
}
const OFFSET: Style = Style::Offset {
    offset: "offset",
    limit: "limit",
};
const TANMA_PAGE: Style = Style::Page {
    page: "pageNo",
    size: "pageSize",
    total: None,
};
const WAIQIN_ROWS: Style = Style::Page {
    page: "page",
    size: "rows",
    total: None,
};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        records: 400,
        seed: 11,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn rec(d: &Dataset, vendor: &str, op: &str, i: usize) -> Value {
    d.record(vendor, op, i).unwrap()
}

/// Walks `spec` with `req`, compares with the expected records, and checks the filter
/// selects a proper, non-empty subset (when `filtered`).
async fn check(
    conn: &mut Conn<'_>,
    spec: &OpSpec,
    req: Value,
    size: usize,
    filtered: bool,
) -> usize {
    let d = conn.sb.dataset();
    let want = d.expected(spec.vendor, spec.op, &req).unwrap();
    let (got, requests) = walk(conn, spec, &req, size).await;
    assert!(!want.is_empty(), "{} {req}: nothing expected", spec.op);
    assert_eq!(got.len(), want.len(), "{} {req}", spec.op);
    assert_eq!(got, want, "{} {req}", spec.op);
    if filtered {
        let all = d.operation(spec.vendor, spec.op).unwrap().records;
        assert!(
            want.len() < all,
            "{} {req}: the filter selects everything",
            spec.op
        );
    }
    if !matches!(spec.style, Style::One) {
        assert!(
            requests > 2,
            "{} {req}: not multi-page ({requests})",
            spec.op
        );
    }
    requests
}

#[tokio::test]
async fn wshoto_operations() {
    let sb = sandbox().await;
    let d = sb.dataset();
    let mut conn = Conn::new(&sb);
    let total = Some("/data/total");
    let customers = spec("wshoto", "customers", "/data/records", page(total));
    check(&mut conn, &customers, json!({}), 60, false).await;

    let sea = spec("wshoto", "open-sea", "/data/records", page(total));
    let (a, b) = (
        rec(d, "wshoto", "open-sea", 40),
        rec(d, "wshoto", "open-sea", 300),
    );
    assert!(
        a["open_sea_return_time"].as_i64().unwrap() > 1_700_000_000_000,
        "ms"
    );
    let req = json!({
        "pool_ids": [a["open_sea_pool_id"].clone()],
        "return_time_start": a["open_sea_return_time"],
        "return_time_end": b["open_sea_return_time"],
    });
    check(&mut conn, &sea, req.clone(), 20, true).await;
    let got = d.expected("wshoto", "open-sea", &req).unwrap();
    assert_eq!(got.first(), Some(&a), "inclusive start");

    let members = spec("wshoto", "group-members", "/data/records", page(total));
    let chat = d.fixtures().wshoto_chat_ids[1].clone();
    check(&mut conn, &members, json!({ "chat_id": chat }), 7, true).await;

    let contacts = spec("wshoto", "contacts", "/data/records", page(total));
    let (a, b) = (
        rec(d, "wshoto", "contacts", 20),
        rec(d, "wshoto", "contacts", 380),
    );
    let req = json!({
        "owner_ids": [a["owner_id"].clone()],
        "create_start_time": a["create_time"],
        "create_end_time": b["create_time"],
    });
    check(&mut conn, &contacts, req, 10, true).await;
    assert!(
        a["contact_id"].as_u64().unwrap() > 1 << 53,
        "19-digit ids as JSON numbers"
    );

    let tags = spec("wshoto", "product-tags", "/data/records", page(total));
    check(&mut conn, &tags, json!({ "tag_name": "新品" }), 1, true).await;
    let a = conn
        .call("wshoto", "product-tags", &json!({ "page_size": 1 }))
        .await
        .json();
    assert_eq!(a["sub_code"], "00000");
}

#[tokio::test]
async fn weiban_operations() {
    let sb = sandbox().await;
    let d = sb.dataset();
    let fx = d.fixtures();
    let mut conn = Conn::new(&sb);

    let customers = spec("weiban", "customers", "/external_user_list", OFFSET);
    let req = json!({ "type": "1", "order": "desc" });
    check(&mut conn, &customers, req.clone(), 30, true).await;
    let want = d.expected("weiban", "customers", &req).unwrap();
    let created: Vec<i64> = want
        .iter()
        .map(|r| r["created_at"].as_i64().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] > w[1]), "order=desc");

    let updates = OpSpec {
        op: "customer-updates",
        ..customers
    };
    let mut ts: Vec<i64> = (0..400)
        .map(|i| {
            rec(d, "weiban", "customer-updates", i)["updated_at"]
                .as_i64()
                .unwrap()
        })
        .collect();
    ts.sort_unstable();
    let req = json!({
        "source": "external_user",
        "start_update_time": ts[100].to_string(),
        "end_update_time": ts[299].to_string(),
    });
    check(&mut conn, &updates, req.clone(), 30, true).await;
    assert_eq!(
        d.expected("weiban", "customer-updates", &req)
            .unwrap()
            .len(),
        200
    );
    let a = conn
        .call("weiban", "customer-updates", &json!({}))
        .await
        .json();
    assert_eq!(code("weiban", &a), "10049", "source is required: {a}");

    let staff_rel = OpSpec {
        op: "customer-staff",
        ..customers
    };
    let (a, b) = (
        rec(d, "weiban", "customer-staff", 10),
        rec(d, "weiban", "customer-staff", 390),
    );
    let req = json!({
        "start_add_time": a["staff_relation"]["add_time"],
        "end_add_time": b["staff_relation"]["add_time"],
        "staff_id": a["staff_relation"]["staff_id"],
    });
    check(&mut conn, &staff_rel, req, 5, true).await;

    let events = spec(
        "weiban",
        "customer-events",
        "/event_list",
        Style::Keyset {
            last: "last_id",
            size: "limit",
            key: "id",
        },
    );
    let req = json!({ "external_user_id": fx.weiban_customer_ids[2] });
    check(&mut conn, &events, req.clone(), 3, true).await;
    let evs = d.expected("weiban", "customer-events", &req).unwrap();
    assert!(
        evs.iter()
            .all(|e| e["external_user_id"] == fx.weiban_customer_ids[2])
    );
    let by_union = json!({ "external_user_unionid": fx.weiban_unionids[0] });
    let evs = d.expected("weiban", "customer-events", &by_union).unwrap();
    assert!(!evs.is_empty());
    let a = conn
        .call("weiban", "customer-events", &json!({}))
        .await
        .json();
    assert_eq!(code("weiban", &a), "21901", "a customer is required: {a}");

    let staff = spec("weiban", "staff", "/staff_list", OFFSET);
    check(&mut conn, &staff, json!({}), 3, false).await;
    let chats = spec("weiban", "group-chats", "/group_chat_list", OFFSET);
    check(&mut conn, &chats, json!({}), 6, false).await;

    // Single answers.
    let one = |op: &'static str, items: &'static str| spec("weiban", op, items, Style::One);
    let id = fx.weiban_customer_ids[1].clone();
    let got = check(
        &mut conn,
        &one("customer", "/external_user"),
        json!({ "id": id }),
        1,
        true,
    )
    .await;
    assert_eq!(got, 1);
    let detail = d
        .expected("weiban", "customer", &json!({ "id": id }))
        .unwrap();
    assert_eq!(detail[0]["id"], id);
    let by_union = d
        .expected(
            "weiban",
            "customer",
            &json!({ "unionid": fx.weiban_unionids[0] }),
        )
        .unwrap();
    assert_eq!(by_union[0]["unionid"], fx.weiban_unionids[0]);
    for (req, want) in [
        (json!({}), "20208"),
        (json!({ "id": "wm8xjUCAAAnope" }), "20206"),
        (json!({ "unionid": "nope" }), "20207"),
    ] {
        let a = conn.call("weiban", "customer", &req).await.json();
        assert_eq!(code("weiban", &a), want, "{req}: {a}");
    }

    let mut ids: Vec<Value> = fx.weiban_customer_ids.iter().map(|s| json!(s)).collect();
    ids.push(json!("wm8xjUCAAAunknown"));
    let batch = one("customers-batch", "/external_user");
    check(&mut conn, &batch, json!({ "id_list": ids }), 1, true).await;
    let a = conn
        .call("weiban", "customers-batch", &json!({ "id_list": ids }))
        .await
        .json();
    assert_eq!(a["total"], 5);
    let alt = d
        .expected(
            "weiban",
            "customers-batch",
            &json!({ "external_user_ids": ids }),
        )
        .unwrap();
    assert_eq!(alt.len(), 5, "the conflicting key is accepted too");
    let many: Vec<String> = (0..21).map(|k| format!("x{k}")).collect();
    let a = conn
        .call("weiban", "customers-batch", &json!({ "id_list": many }))
        .await
        .json();
    assert_eq!(code("weiban", &a), "21901", "more than 20 ids: {a}");

    let stages = one("customer-stages", "/stage_list");
    check(
        &mut conn,
        &stages,
        json!({ "external_user_ids": ids }),
        1,
        true,
    )
    .await;
    for (req, want) in [
        (json!({ "external_user_ids": [] }), "20607"),
        (
            json!({ "external_user_ids": (0..51).collect::<Vec<_>>() }),
            "20608",
        ),
        (json!({ "external_user_ids": ["nobody"] }), "20609"),
    ] {
        let a = conn.call("weiban", "customer-stages", &req).await.json();
        assert_eq!(code("weiban", &a), want, "{a}");
    }

    let st = sb.stats();
    let batch_stats = st.operation("weiban", "customers-batch").unwrap();
    // The walk, the call with the same ids, the call with 21 ids (rejected).
    assert_eq!(
        (batch_stats.requests, batch_stats.ok),
        (3, 2),
        "per-operation counters"
    );
    assert_eq!(batch_stats.records, 10);
    assert!(st.operation("weiban", "nope").is_none());
    let chat = fx.weiban_group_chat_ids[2].clone();
    check(
        &mut conn,
        &one("group-chat", "/group_chat"),
        json!({ "group_chat_id": chat }),
        1,
        true,
    )
    .await;
    let a = conn
        .call(
            "weiban",
            "group-chat",
            &json!({ "group_chat_id": "wr8xjUCAAAnope" }),
        )
        .await
        .json();
    assert_eq!(code("weiban", &a), "20209");
    let members = one("group-chat-members", "/member_list");
    check(
        &mut conn,
        &members,
        json!({ "group_chat_id": chat }),
        1,
        true,
    )
    .await;
    let a = conn
        .call(
            "weiban",
            "group-chat-members",
            &json!({ "group_chat_id": chat }),
        )
        .await
        .json();
    let detail = d
        .expected("weiban", "group-chat", &json!({ "group_chat_id": chat }))
        .unwrap();
    assert_eq!(
        a["total"], detail[0]["member_count"],
        "member_count matches the member list"
    );
}

#[tokio::test]
async fn waiqin_operations() {
    let sb = sandbox().await;
    let d = sb.dataset();
    let mut conn = Conn::new(&sb);
    let visits = spec("waiqin", "visits", "@", WAIQIN_ROWS);
    let req = json!({ "date_start": "2024-03-01", "date_end": "2024-08-31" });
    check(&mut conn, &visits, req, 17, true).await;
    let req = json!({
        "date_start": "2024-01-01",
        "date_end": "2024-12-31",
        "modify_start": "2024-05-01",
        "modify_end": "2024-06-30",
    });
    check(&mut conn, &visits, req.clone(), 9, true).await;
    for v in d.expected("waiqin", "visits", &req).unwrap() {
        let m = v["modify_time"].as_str().unwrap();
        let c = v["create_time"].as_str().unwrap();
        let at = if m.is_empty() { c } else { m };
        assert!(("2024-05-01".."2024-07-01").contains(&at), "{at}");
        assert!(v["id"].as_str().unwrap().len() == 19);
    }
    let one = rec(d, "waiqin", "visits", 7);
    let by_id = d
        .expected("waiqin", "visits", &json!({ "id": one["id"] }))
        .unwrap();
    assert_eq!(by_id, vec![one]);
    let a = conn
        .call("waiqin", "visits", &json!({ "page": "1", "rows": "10" }))
        .await
        .json();
    assert_eq!(
        code("waiqin", &a),
        "1004",
        "dates are required without id: {a}"
    );

    let tracks = spec(
        "waiqin",
        "tracks",
        "@",
        Style::Page {
            page: "page_number",
            size: "page_size",
            total: None,
        },
    );
    let req = json!({ "date_start": "2024-02-01", "date_end": "2024-02-29" });
    check(&mut conn, &tracks, req, 4, true).await;
    let a = conn
        .call(
            "waiqin",
            "tracks",
            &json!({ "date_start": "2024-02-01", "date_end": "2024-02-29", "page_size": "10" }),
        )
        .await
        .json();
    assert_eq!(code("waiqin", &a), "1004", "page_size is an INT: {a}");
}

#[tokio::test]
async fn tanma_operations() {
    let sb = sandbox().await;
    let d = sb.dataset();
    let fx = d.fixtures();
    let mut conn = Conn::new(&sb);

    let details = spec("tanma", "customer-details", "/data", Style::One);
    let ext = fx.tanma_external_user_ids[3].clone();
    check(
        &mut conn,
        &details,
        json!({ "externalUserId": ext }),
        1,
        true,
    )
    .await;
    assert_eq!(
        d.expected(
            "tanma",
            "customer-details",
            &json!({ "externalUserId": ext })
        )
        .unwrap()
        .len(),
        2
    );

    let customers = spec("tanma", "customers", "/data/data", TANMA_PAGE);
    let (a, b) = (
        rec(d, "tanma", "customers", 30),
        rec(d, "tanma", "customers", 350),
    );
    let req = json!({
        "salesIdList": [a["salesId"].clone()],
        "createTime": { "start": a["createTime"], "end": b["createTime"] },
    });
    check(&mut conn, &customers, req.clone(), 8, true).await;
    let flat = json!({
        "salesIdList": req["salesIdList"],
        "createTime.start": req["createTime"]["start"],
        "createTime.end": req["createTime"]["end"],
    });
    assert_eq!(
        d.expected("tanma", "customers", &flat),
        d.expected("tanma", "customers", &req),
        "flat dotted keys address the nested fields"
    );
    let big = (0..400).any(|i| {
        rec(d, "tanma", "customers", i)["customerId"]
            .as_u64()
            .unwrap()
            > 1 << 53
    });
    assert!(big, "some customerId above 2^53");

    let tags = spec("tanma", "tags", "/data", Style::One);
    check(&mut conn, &tags, json!({}), 1, false).await;

    let groups = spec(
        "tanma",
        "group-chats",
        "/data/result",
        Style::Page {
            page: "pageNo",
            size: "pageSize",
            total: Some("/data/totalCount"),
        },
    );
    check(&mut conn, &groups, json!({}), 3, false).await;
    let g = rec(d, "tanma", "group-chats", 0);
    let user: u64 = g["salesId"].as_str().unwrap().parse().unwrap();
    check(&mut conn, &groups, json!({ "userId": user }), 1, true).await;

    let staff = spec("tanma", "staff", "/data/result", TANMA_PAGE);
    check(&mut conn, &staff, json!({ "deleted": 0 }), 4, true).await;
    let name = rec(d, "tanma", "staff", 0)["name"].clone();
    let one = d
        .expected("tanma", "staff", &json!({ "name": name }))
        .unwrap();
    assert_eq!(one.len(), 1);
}

#[tokio::test]
async fn seed_operations_through_the_generic_walker() {
    let sb = sandbox().await;
    let mut conn = Conn::new(&sb);
    let collect = spec(
        "wshoto",
        "collect-details",
        "/data/records",
        page(Some("/data/total")),
    );
    check(&mut conn, &collect, json!({ "detail_status": 2 }), 40, true).await;
    let sf = spec("weiban", "smart-form-users", "/result", OFFSET);
    check(
        &mut conn,
        &sf,
        json!({ "status": "submit", "city": "武汉" }),
        3,
        true,
    )
    .await;
    let tasks = spec("waiqin", "tasks", "@", WAIQIN_ROWS);
    check(
        &mut conn,
        &tasks,
        json!({ "modify_date_from": "2024-04-01" }),
        50,
        true,
    )
    .await;
    let clues = spec(
        "tanma",
        "clues",
        "/data/list",
        Style::Cursor {
            cursor: "cursor",
            size: "size",
            next: "/data/nextCursor",
        },
    );
    check(&mut conn, &clues, json!({ "type": 2 }), 20, true).await;
    let files = spec(
        "tanma",
        "customer-files",
        "/data/result",
        Style::Keyset {
            last: "lastId",
            size: "pageSize",
            key: "id",
        },
    );
    check(&mut conn, &files, json!({ "userId": "LiNa" }), 11, true).await;
    let types = spec("waiqin", "task-types", "@", Style::One);
    let a = conn.call("waiqin", "task-types", &json!({})).await.json();
    assert_eq!(items(&types, &a).len(), 12);
}
