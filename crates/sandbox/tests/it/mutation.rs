//! Mutations: appended and changed records reach exactly the readers whose documented
//! filters select them (change feeds see both, creation windows see additions only).

use std::collections::HashSet;

use scrm_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

use crate::walk::{Conn, OpSpec, Style, walk};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        records: 500,
        seed: 21,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn keys(v: &[Value], key: &str) -> HashSet<String> {
    v.iter().map(|r| r[key].to_string()).collect()
}

#[tokio::test]
async fn weiban_change_feed_sees_additions_and_changes() {
    let sb = sandbox().await;
    let d = sb.dataset();
    let spec = OpSpec {
        vendor: "weiban",
        op: "customer-updates",
        items: "/external_user_list",
        style: Style::Offset {
            offset: "offset",
            limit: "limit",
        },
    };
    let mut conn = Conn::new(&sb);
    let all = json!({"source": "external_user"});
    let (full, _) = walk(&mut conn, &spec, &all, 100).await;
    assert_eq!(full.len(), 500);
    let bookmark = full
        .iter()
        .map(|r| r["updated_at"].as_i64().unwrap())
        .max()
        .unwrap();
    let before: Vec<Value> = full.clone();

    let changed = sb.change("weiban", "customer-updates", 5).unwrap();
    assert_eq!(changed.len(), 5);
    assert_eq!(
        sb.append("weiban", "customers", 3),
        Some(503),
        "shared population"
    );

    let since = json!({"source": "external_user", "start_update_time": (bookmark + 1).to_string()});
    let (inc, requests) = walk(&mut conn, &spec, &since, 100).await;
    assert_eq!(requests, 1);
    assert_eq!(inc.len(), 8, "5 changed + 3 appended");
    let want: HashSet<String> = changed
        .iter()
        .map(|&i| before[i]["id"].to_string())
        .chain((500..503).map(|i| d.record("weiban", "customers", i).unwrap()["id"].to_string()))
        .collect();
    assert_eq!(keys(&inc, "id"), want);
    for &i in &changed {
        let now = d.record("weiban", "customer-updates", i).unwrap();
        assert_eq!(now["id"], before[i]["id"]);
        assert_eq!(
            now["created_at"], before[i]["created_at"],
            "creation never moves"
        );
        assert!(now["updated_at"].as_i64().unwrap() > bookmark);
        assert_ne!(now["name"], before[i]["name"], "content changed");
    }
    assert_eq!(
        d.expected("weiban", "customer-updates", &since).unwrap(),
        inc
    );
    // The detail lookup sees an appended customer.
    let id = d.record("weiban", "customers", 501).unwrap()["id"].clone();
    let got = d
        .expected("weiban", "customer", &json!({"id": id}))
        .unwrap();
    assert_eq!(got.len(), 1);
    // A full read now has everything once.
    let (full, _) = walk(&mut conn, &spec, &all, 100).await;
    assert_eq!(keys(&full, "id").len(), 503);
}

#[tokio::test]
async fn waiqin_modify_dates_and_tanma_creation_windows() {
    let sb = sandbox().await;
    let d = sb.dataset();
    let mut conn = Conn::new(&sb);
    let tasks = OpSpec {
        vendor: "waiqin",
        op: "tasks",
        items: "@",
        style: Style::Page {
            page: "page",
            size: "rows",
            total: None,
        },
    };
    let (full, _) = walk(&mut conn, &tasks, &json!({}), 200).await;
    let last_day = full
        .iter()
        .map(|r| r["modify_time"].as_str().unwrap()[..10].to_owned())
        .max()
        .unwrap();
    let changed = sb.change("waiqin", "tasks", 4).unwrap();
    sb.append("waiqin", "tasks", 2);
    // Day granularity: re-read the bookmark's day.
    let inc_req = json!({"modify_date_from": last_day});
    let (inc, _) = walk(&mut conn, &tasks, &inc_req, 200).await;
    let got = keys(&inc, "task_id");
    for &i in &changed {
        assert!(
            got.contains(&full[i]["task_id"].to_string()),
            "changed task {i}"
        );
    }
    assert!(inc.len() >= 6 && inc.len() < 60, "{}", inc.len());
    for &i in &changed {
        let now = d.record("waiqin", "tasks", i).unwrap();
        assert!(now["modify_time"].as_str().unwrap()[..10] > *last_day);
        assert_eq!(now["create_time"], full[i]["create_time"]);
    }

    // Creation-only window (tanma clues): appended records only, never the changed ones.
    let clues = OpSpec {
        vendor: "tanma",
        op: "clues",
        items: "/data/list",
        style: Style::Cursor {
            cursor: "cursor",
            size: "size",
            next: "/data/nextCursor",
        },
    };
    let (full, _) = walk(&mut conn, &clues, &json!({}), 200).await;
    let last = full.last().unwrap()["createTime"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.change("tanma", "clues", 10);
    sb.append("tanma", "clues", 7);
    // `since` is inclusive: the bookmark's own record comes back with the additions.
    let since = last;
    let next = d
        .expected("tanma", "clues", &json!({"since": since}))
        .unwrap();
    assert_eq!(
        next.len(),
        8,
        "the bookmark's own record (inclusive since) + 7 appended"
    );
    let (inc, _) = walk(&mut conn, &clues, &json!({"since": since}), 3).await;
    assert_eq!(inc, next);

    // Keyset (tanma files, newest first by default): a read from the start meets the
    // appended ones first, then what was there before.
    let files = OpSpec {
        vendor: "tanma",
        op: "customer-files",
        items: "/data/result",
        style: Style::Keyset {
            last: "lastId",
            size: "pageSize",
            key: "id",
        },
    };
    let (full, _) = walk(&mut conn, &files, &json!({}), 200).await;
    sb.append("tanma", "customer-files", 4);
    let newest = full[0]["id"].as_u64().unwrap();
    let (fresh, _) = walk(&mut conn, &files, &json!({}), 200).await;
    assert_eq!(fresh.len(), full.len() + 4);
    assert!(
        fresh[..4]
            .iter()
            .all(|r| r["id"].as_u64().unwrap() > newest),
        "{:?}",
        &fresh[..4]
    );
    assert_eq!(&fresh[4..], &full[..]);

    // waiqin visits: the modify window sees changed and new visits.
    let visits = OpSpec {
        vendor: "waiqin",
        op: "visits",
        items: "@",
        style: Style::Page {
            page: "page",
            size: "rows",
            total: None,
        },
    };
    let window = json!({"date_start": "2024-01-01", "date_end": "2030-12-31"});
    let (full, _) = walk(&mut conn, &visits, &window, 250).await;
    let last_day = full
        .iter()
        .map(|r| {
            let m = r["modify_time"].as_str().unwrap();
            let at = if m.is_empty() {
                r["create_time"].as_str().unwrap()
            } else {
                m
            };
            at[..10].to_owned()
        })
        .max()
        .unwrap();
    let changed = sb.change("waiqin", "visits", 3).unwrap();
    sb.append("waiqin", "visits", 2);
    let mut req = window.clone();
    req["modify_start"] = json!(last_day);
    let (inc, _) = walk(&mut conn, &visits, &req, 250).await;
    let got = keys(&inc, "id");
    for &i in &changed {
        assert!(got.contains(&full[i]["id"].to_string()));
    }
    assert!(inc.len() >= 5 && inc.len() < 30, "{}", inc.len());
}

#[tokio::test]
async fn unknown_operations_are_refused() {
    let sb = sandbox().await;
    assert_eq!(sb.append("weiban", "nope", 1), None);
    assert_eq!(sb.change("nope", "customers", 1), None);
    assert_eq!(
        sb.change("tanma", "tags", 100).unwrap().len(),
        6,
        "at most every record"
    );
}
