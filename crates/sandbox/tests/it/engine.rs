//! The paging engines, one test per style: exact pages, filters kept on every page, the end
//! condition, and documented limits rejected with the vendor's parameter error.

use scrm_sandbox::{Faults, Sandbox, SandboxConfig, Vendor};
use serde_json::{Value, json};

use crate::walk::{Conn, OpSpec, Style, code, items, ok};

async fn sandbox(newest_first: bool) -> Sandbox {
    Sandbox::start(SandboxConfig {
        records: 300,
        seed: 3,
        tanma_files_newest_first: newest_first,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn merge(a: &Value, b: Value) -> Value {
    let mut m = a.as_object().cloned().unwrap_or_default();
    m.extend(b.as_object().cloned().unwrap_or_default());
    Value::Object(m)
}

async fn page(conn: &mut Conn<'_>, spec: &OpSpec, req: Value) -> (Value, Vec<Value>) {
    let a = conn.call(spec.vendor, spec.op, &req).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let v = a.json();
    assert!(ok(spec.vendor, &v), "{req}: {v}");
    let it = items(spec, &v);
    (v, it)
}

async fn rejected(conn: &mut Conn<'_>, spec: &OpSpec, req: Value, want: &str) {
    let v = conn.call(spec.vendor, spec.op, &req).await.json();
    assert_eq!(code(spec.vendor, &v), want, "{} {req}: {v}", spec.op);
}

#[tokio::test]
async fn page_number_with_total() {
    let sb = sandbox(false).await;
    let mut conn = Conn::new(&sb);
    let spec = OpSpec {
        vendor: "wshoto",
        op: "contacts",
        items: "/data/records",
        style: Style::One,
    };
    let d = sb.dataset();
    let owner = d.record("wshoto", "contacts", 0).unwrap()["owner_id"].clone();
    let filter = json!({ "owner_ids": [owner] });
    let want = d.expected("wshoto", "contacts", &filter).unwrap();
    let n = want.len();
    assert!(n > 20 && n < 300, "{n}");
    for k in 1..=n.div_ceil(7) + 1 {
        let (v, got) = page(
            &mut conn,
            &spec,
            merge(&filter, json!({"current_index": k, "page_size": 7})),
        )
        .await;
        assert_eq!(v["data"]["total"], n, "total on every page");
        let from = ((k - 1) * 7).min(n);
        assert_eq!(got, want[from..(from + 7).min(n)].to_vec(), "page {k}");
    }
    // Defaults: page 1, 20 records.
    let (_, got) = page(&mut conn, &spec, filter.clone()).await;
    assert_eq!(got, want[..20].to_vec());
    // Above the documented maximum, zero, page 0, not a number.
    for req in [
        json!({"page_size": 101}),
        json!({"page_size": 0}),
        json!({"current_index": 0}),
        json!({"current_index": "x"}),
    ] {
        rejected(&mut conn, &spec, req, "10003").await;
    }
}

#[tokio::test]
async fn offset_with_and_without_total() {
    let sb = sandbox(false).await;
    let mut conn = Conn::new(&sb);
    let d = sb.dataset();
    let spec = OpSpec {
        vendor: "weiban",
        op: "customer-staff",
        items: "/external_user_list",
        style: Style::One,
    };
    let staff =
        d.record("weiban", "customer-staff", 3).unwrap()["staff_relation"]["staff_id"].clone();
    let filter = json!({ "staff_id": staff });
    let want = d.expected("weiban", "customer-staff", &filter).unwrap();
    let n = want.len();
    assert!(n > 10 && n < 300);
    for off in [0, 5, n - 1, n, n + 10] {
        let (v, got) = page(
            &mut conn,
            &spec,
            merge(&filter, json!({"offset": off.to_string(), "limit": "5"})),
        )
        .await;
        assert_eq!(v["total"], n);
        let from = off.min(n);
        assert_eq!(got, want[from..(from + 5).min(n)].to_vec(), "offset {off}");
    }
    // Default limit 30.
    let (_, got) = page(&mut conn, &spec, filter.clone()).await;
    assert_eq!(got.len(), 30.min(n));
    for req in [
        json!({"limit": "101"}),
        json!({"offset": "-1"}),
        json!({"limit": "abc"}),
    ] {
        rejected(&mut conn, &spec, req, "21901").await;
    }
    // The list without total (customers): no "total" key.
    let spec = OpSpec {
        op: "customers",
        ..spec
    };
    let (v, got) = page(&mut conn, &spec, json!({"limit": 10})).await;
    assert!(v.get("total").is_none(), "{v}");
    assert_eq!(got.len(), 10);
}

#[tokio::test]
async fn page_rows_without_total() {
    let sb = sandbox(false).await;
    let mut conn = Conn::new(&sb);
    let d = sb.dataset();
    let spec = OpSpec {
        vendor: "waiqin",
        op: "tracks",
        items: "@",
        style: Style::One,
    };
    let filter = json!({"date_start": "2024-01-01", "date_end": "2024-06-30"});
    let want = d.expected("waiqin", "tracks", &filter).unwrap();
    let n = want.len();
    assert!(n > 100 && n < 300, "{n}");
    let mut k = 1;
    let mut all = Vec::new();
    loop {
        let (v, got) = page(
            &mut conn,
            &spec,
            merge(&filter, json!({"page_number": k, "page_size": 40})),
        )
        .await;
        assert!(v.get("total").is_none());
        let short = got.len() < 40;
        all.extend(got);
        if short {
            break;
        }
        k += 1;
    }
    assert_eq!(all, want, "a short page is the end");
    for req in [
        merge(&filter, json!({"page_size": 1001})),
        merge(&filter, json!({"page_number": "1"})),
        json!({"date_start": "2024-01-01"}),
        merge(&filter, json!({"date_end": "2024/06/30"})),
    ] {
        rejected(&mut conn, &spec, req, "1004").await;
    }
    // Visits: page/rows strings, both required.
    let spec = OpSpec {
        op: "visits",
        ..spec
    };
    let (_, got) = page(
        &mut conn,
        &spec,
        merge(&filter, json!({"page": "2", "rows": "10"})),
    )
    .await;
    let want = d.expected("waiqin", "visits", &filter).unwrap();
    assert_eq!(got, want[10..20].to_vec());
    rejected(
        &mut conn,
        &spec,
        merge(&filter, json!({"page": "1"})),
        "1004",
    )
    .await;
    rejected(
        &mut conn,
        &spec,
        merge(&filter, json!({"page": "1", "rows": "1001"})),
        "1004",
    )
    .await;
}

#[tokio::test]
async fn cursor_ends_with_null_and_empty_pages_repeat_the_cursor() {
    let sb = sandbox(false).await;
    let mut conn = Conn::new(&sb);
    let d = sb.dataset();
    let spec = OpSpec {
        vendor: "tanma",
        op: "clues",
        items: "/data/list",
        style: Style::One,
    };
    let filter =
        json!({"since": "2024-03-01 00:00:00", "before": "2024-09-01 00:00:00", "type": 1});
    let want = d.expected("tanma", "clues", &filter).unwrap();
    sb.set_vendor_faults(
        Vendor::Tanma,
        Faults {
            empty_page_every: Some(3),
            ..Faults::none()
        },
    );
    let mut all = Vec::new();
    let mut cursor = Value::Null;
    let mut empties = 0;
    loop {
        let req = if cursor.is_null() {
            merge(&filter, json!({"size": 13}))
        } else {
            merge(&filter, json!({"size": 13, "cursor": cursor}))
        };
        let (v, got) = page(&mut conn, &spec, req).await;
        let next = v["data"]["nextCursor"].clone();
        if got.is_empty() && !next.is_null() {
            empties += 1;
            assert_eq!(
                next,
                cursor.clone().as_str().map_or(next.clone(), |c| json!(c))
            );
        }
        all.extend(got);
        if next.is_null() {
            break;
        }
        cursor = next;
    }
    assert!(empties > 0);
    assert_eq!(all, want);
    sb.clear_faults();
    rejected(&mut conn, &spec, json!({"cursor": "not-a-cursor"}), "1000").await;
    rejected(&mut conn, &spec, json!({"size": 1001}), "1000").await;
    rejected(
        &mut conn,
        &spec,
        json!({"since": "2024-13-01 00:00:00"}),
        "1000",
    )
    .await;
}

async fn keyset_walk(sb: &Sandbox, filter: &Value, size: usize) -> Vec<Value> {
    let mut conn = Conn::new(sb);
    let spec = OpSpec {
        vendor: "tanma",
        op: "customer-files",
        items: "/data/result",
        style: Style::One,
    };
    let mut all: Vec<Value> = Vec::new();
    loop {
        let req = match all.last() {
            None => merge(filter, json!({"pageSize": size})),
            Some(r) => merge(filter, json!({"pageSize": size, "lastId": r["id"]})),
        };
        let (v, got) = page(&mut conn, &spec, req).await;
        assert_eq!(v["data"]["pageSize"], size);
        let short = got.len() < size;
        all.extend(got);
        if short {
            break;
        }
    }
    all
}

#[tokio::test]
async fn keyset_ascending_and_newest_first() {
    let filter = json!({"userId": "WangFang"});
    let asc = sandbox(false).await;
    let want = asc
        .dataset()
        .expected("tanma", "customer-files", &filter)
        .unwrap();
    let got = keyset_walk(&asc, &filter, 9).await;
    assert_eq!(got, want);
    let ids: Vec<u64> = got.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending ids");

    let desc = sandbox(true).await;
    let want_desc = desc
        .dataset()
        .expected("tanma", "customer-files", &filter)
        .unwrap();
    let got = keyset_walk(&desc, &filter, 9).await;
    assert_eq!(got, want_desc);
    let mut rev = want.clone();
    rev.reverse();
    assert_eq!(got, rev, "newest first: the same records, ids descending");

    // weiban events: keyset plus offset.
    let mut conn = Conn::new(&asc);
    let spec = OpSpec {
        vendor: "weiban",
        op: "customer-events",
        items: "/event_list",
        style: Style::One,
    };
    let c = asc.dataset().fixtures().weiban_customer_ids[0].clone();
    let filter = json!({"external_user_id": c});
    let want = asc
        .dataset()
        .expected("weiban", "customer-events", &filter)
        .unwrap();
    assert!(want.len() >= 5, "{}", want.len());
    let last = want[1]["id"].clone();
    let (v, got) = page(
        &mut conn,
        &spec,
        merge(
            &filter,
            json!({"last_id": last.to_string(), "offset": "1", "limit": "2"}),
        ),
    )
    .await;
    assert_eq!(got, want[3..5].to_vec(), "ids > last_id, then offset");
    assert_eq!(v["total"], want.len());
    rejected(
        &mut conn,
        &spec,
        merge(&filter, json!({"limit": "101"})),
        "21901",
    )
    .await;
}

#[tokio::test]
async fn none_style_answers_everything_selected_at_once() {
    let sb = sandbox(false).await;
    let mut conn = Conn::new(&sb);
    let spec = OpSpec {
        vendor: "tanma",
        op: "tags",
        items: "/data",
        style: Style::One,
    };
    // No body at all (the page's curl sends none) and `{}` both work.
    let cr = sb.credentials().clone();
    let ts = scrm_sandbox::tanma_timestamp_now();
    let sign = scrm_sandbox::tanma_sign(&cr.tanma_app_id, &ts, b"", &cr.tanma_app_key);
    let a = crate::common::tanma_raw(
        &sb,
        &conn.c,
        "/api/v3/tags/list-tree",
        "",
        &cr.tanma_app_id,
        &ts,
        &sign,
    )
    .await;
    assert_eq!(a.json()["data"].as_array().unwrap().len(), 6);
    let (_, got) = page(&mut conn, &spec, json!({})).await;
    assert_eq!(got.len(), 6);
    assert!(
        got.iter()
            .all(|g| g["tags"].as_array().is_some_and(|t| !t.is_empty()))
    );
}
