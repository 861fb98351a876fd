//! waiqin: path digest, timestamp window, page/rows paging without total, task types.

use scrm_sandbox::{
    Op, Query, WAIQIN_BAD_DIGEST, WAIQIN_BAD_TIMESTAMP, WAIQIN_PARAM_ERROR, WAIQIN_TASK_TYPES,
    WAIQIN_UNKNOWN_API, WAIQIN_UNKNOWN_OPENID, WaiqinTaskFilter, waiqin_timestamp,
    waiqin_timestamp_now,
};
use serde_json::Value;

use crate::common::{assert_exact, client, post, start, waiqin, waiqin_at};

fn data(a: &Value) -> Vec<Value> {
    assert_eq!(a["return_code"], "0", "{a}");
    let s = a["response_data"]
        .as_str()
        .expect("response_data is a string");
    serde_json::from_str::<Vec<Value>>(s).unwrap()
}

#[tokio::test]
async fn walk_tasks_with_string_and_number_paging() {
    let sb = start(1234).await;
    let c = client();
    let mut keys = Vec::new();
    for page in 1.. {
        // Alternate strings (documented) and numbers (accepted).
        let body = if page % 2 == 0 {
            format!(r#"{{"page":{page},"rows":300}}"#)
        } else {
            format!(r#"{{"page":"{page}","rows":"300"}}"#)
        };
        let a = waiqin(&sb, &c, "cusTask/v1/queryTask", &body).await.json();
        assert!(a["msg_id"].as_str().unwrap().starts_with("msg-"));
        let rows = data(&a);
        for r in &rows {
            assert!(
                r["task_id"].is_string() && r["status"].is_string() && r["task_status"].is_string()
            );
            assert_eq!(r["create_time"].as_str().unwrap().len(), 16);
            assert!(
                r["receivers"].is_array()
                    && r["creator"]["id"].is_string()
                    && r["feedback_detail"].is_array()
            );
            keys.push(r["task_id"].as_str().unwrap().to_owned());
        }
        if rows.len() < 300 {
            break;
        }
    }
    let expected = sb
        .dataset()
        .expected_keys(&Query::WaiqinTasks(WaiqinTaskFilter::default()));
    assert_exact(&keys, &expected);

    // Default rows is 1000; some visit_function_id are bare numbers above 2^53, parsed exactly.
    let a = waiqin(&sb, &c, "cusTask/v1/queryTask", "").await.json();
    let rows = data(&a);
    assert_eq!(rows.len(), 1000);
    let big = rows
        .iter()
        .filter_map(|r| r["visit_function_id"].as_u64())
        .collect::<Vec<_>>();
    assert!(!big.is_empty() && big.iter().all(|&n| n > 1 << 53));
}

#[tokio::test]
async fn date_filters_and_task_types() {
    let sb = start(800).await;
    let c = client();
    let f = WaiqinTaskFilter {
        create_date_from: Some("2024-03-01".into()),
        create_date_to: Some("2024-06-30".into()),
        modify_date_from: Some("2024-03-15".into()),
        modify_date_to: None,
    };
    let expected = sb.dataset().expected_keys(&Query::WaiqinTasks(f));
    assert!(!expected.is_empty() && expected.len() < 800);
    let mut keys = Vec::new();
    for page in 1.. {
        let body = format!(
            r#"{{"create_date_from":"2024-03-01","create_date_to":"2024-06-30","modify_date_from":"2024-03-15","page":"{page}","rows":"50"}}"#
        );
        let rows = data(&waiqin(&sb, &c, "cusTask/v1/queryTask", &body).await.json());
        for r in &rows {
            let ct = r["create_time"].as_str().unwrap();
            assert!(("2024-03-01".."2024-07-01").contains(&ct), "{ct}");
            keys.push(r["task_id"].as_str().unwrap().to_owned());
        }
        if rows.len() < 50 {
            break;
        }
    }
    assert_exact(&keys, &expected);

    let ids = sb.dataset().fixtures().waiqin_task_type_ids;
    let body = format!(r#"{{"type_ids":["{}","{}","999"]}}"#, ids[4], ids[1]);
    let types = data(
        &waiqin(&sb, &c, "cusTask/v1/queryTaskType", &body)
            .await
            .json(),
    );
    let got: Vec<&str> = types
        .iter()
        .map(|t| t["type_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[1].as_str(), ids[4].as_str()]);
    assert_eq!(
        data(
            &waiqin(&sb, &c, "cusTask/v1/queryTaskType", "{}")
                .await
                .json()
        )
        .len(),
        WAIQIN_TASK_TYPES
    );
    assert_eq!(
        data(
            &waiqin(&sb, &c, "cusTask/v1/queryTaskType", r#"{"type_ids":[]}"#)
                .await
                .json()
        )
        .len(),
        12
    );
    assert_eq!(sb.stats().op(Op::WaiqinQueryTaskType).requests, 3);
}

#[tokio::test]
async fn rejections() {
    let sb = start(10).await;
    let c = client();
    let api = "cusTask/v1/queryTask";
    let ts = waiqin_timestamp_now();
    let a = waiqin_at(
        &sb,
        &c,
        api,
        "{}",
        &ts,
        Some("00000000000000000000000000000000"),
    )
    .await
    .json();
    assert_eq!(a["return_code"], WAIQIN_BAD_DIGEST);
    assert_eq!(a["msg_id"], format!("msg-{ts}"));
    // Correctly signed but stale (the official example's timestamp) and 11 minutes in the future.
    let a = waiqin_at(&sb, &c, api, "{}", "20150806142836", None)
        .await
        .json();
    assert_eq!(a["return_code"], WAIQIN_BAD_TIMESTAMP);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let a = waiqin_at(&sb, &c, api, "{}", &waiqin_timestamp(now + 660), None)
        .await
        .json();
    assert_eq!(a["return_code"], WAIQIN_BAD_TIMESTAMP);
    let a = waiqin_at(&sb, &c, api, "{}", &waiqin_timestamp(now - 500), None)
        .await
        .json();
    assert_eq!(a["return_code"], "0");
    // UTC instead of China time is 8 hours off.
    let a = waiqin_at(&sb, &c, api, "{}", &waiqin_timestamp(now - 8 * 3600), None)
        .await
        .json();
    assert_eq!(a["return_code"], WAIQIN_BAD_TIMESTAMP);
    let url = format!("{}/api/{api}/123/{ts}/abc/m1", sb.base_url());
    assert_eq!(
        post(&c, url, "{}").await.json()["return_code"],
        WAIQIN_UNKNOWN_OPENID
    );
    assert_eq!(
        waiqin(&sb, &c, api, r#"{"rows":"1001"}"#).await.json()["return_code"],
        WAIQIN_PARAM_ERROR
    );
    assert_eq!(
        waiqin(&sb, &c, api, r#"{"create_date_from":"2024/01/01"}"#)
            .await
            .json()["return_code"],
        WAIQIN_PARAM_ERROR
    );
    assert_eq!(
        waiqin(&sb, &c, "cusTask/v1/nope", "{}").await.json()["return_code"],
        WAIQIN_UNKNOWN_API
    );
    let st = sb.stats().waiqin;
    assert_eq!(
        (
            st.signature_rejections,
            st.timestamp_rejections,
            st.param_errors
        ),
        (2, 3, 2)
    );
}
