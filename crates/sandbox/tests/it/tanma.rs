//! tanma: header signature, millisecond timestamp window, cursor and lastId paging.

use scrm_sandbox::{
    Op, Query, TANMA_BAD_SIGN, TANMA_BAD_TIMESTAMP, TANMA_PARAM_ERROR, TanmaClueFilter,
    TanmaFileFilter, tanma_sign,
};
use serde_json::Value;

use crate::common::{assert_exact, client, start, tanma, tanma_raw};

const CLUES: &str = "/api/v3/clue/list-by-create-time-asc";
const FILES: &str = "/api/v3/customer/list-file-of-customer";

async fn walk_clues(
    sb: &scrm_sandbox::Sandbox,
    c: &reqwest::Client,
    filter: &str,
    size: u32,
) -> Vec<String> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let cur = cursor
            .as_ref()
            .map(|c| format!(r#","cursor":"{c}""#))
            .unwrap_or_default();
        let body = format!(r#"{{{filter}"size":{size}{cur}}}"#);
        let a = tanma(sb, c, CLUES, &body).await.json();
        assert_eq!(a["code"], 0, "{a}");
        for r in a["data"]["list"].as_array().unwrap() {
            // customerId is a JSON number, exact even above 2^53.
            keys.push(r["customerId"].as_u64().unwrap().to_string());
            let mobile = r["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["field"] == "mobile")
                .unwrap();
            if let Some(s) = mobile["valueAsText"].as_str() {
                assert!(serde_json::from_str::<Vec<String>>(s).is_ok(), "{s}");
            }
        }
        match &a["data"]["nextCursor"] {
            Value::Null => return keys,
            Value::String(s) => cursor = Some(s.clone()),
            other => panic!("{other}"),
        }
    }
}

#[tokio::test]
async fn clue_cursor_walk() {
    let sb = start(777).await;
    let c = client();
    let all = walk_clues(
        &sb,
        &c,
        r#""since":"2024-01-01 00:00:00","before":"2025-06-01 00:00:00","#,
        100,
    )
    .await;
    assert_exact(
        &all,
        &sb.dataset()
            .expected_keys(&Query::TanmaClues(TanmaClueFilter::default())),
    );
    assert!(all.iter().any(|k| k.parse::<u64>().unwrap() > 1 << 53));

    let f = TanmaClueFilter {
        since: Some("2024-02-01 00:00:00".into()),
        before: Some("2024-09-01 12:00:00".into()),
        clue_type: Some(2),
    };
    let expected = sb.dataset().expected_keys(&Query::TanmaClues(f));
    assert!(!expected.is_empty());
    let got = walk_clues(
        &sb,
        &c,
        r#""since":"2024-02-01 00:00:00","before":"2024-09-01 12:00:00","type":2,"#,
        33,
    )
    .await;
    assert_exact(&got, &expected);

    let bad = tanma(&sb, &c, CLUES, r#"{"since":"sunt","size":10}"#)
        .await
        .json();
    assert_eq!(bad["code"], TANMA_PARAM_ERROR);
    let bad = tanma(&sb, &c, CLUES, r#"{"cursor":"quis"}"#).await.json();
    assert_eq!(bad["code"], TANMA_PARAM_ERROR);
}

async fn walk_files(
    sb: &scrm_sandbox::Sandbox,
    c: &reqwest::Client,
    filter: &str,
    size: u32,
) -> Vec<String> {
    let mut keys = Vec::new();
    let mut last: Option<u64> = None;
    loop {
        let l = last
            .map(|l| format!(r#","lastId":{l}"#))
            .unwrap_or_default();
        let a = tanma(
            sb,
            c,
            FILES,
            &format!(r#"{{{filter}"pageSize":{size}{l}}}"#),
        )
        .await
        .json();
        assert_eq!(a["code"], 0, "{a}");
        let d = &a["data"];
        let result = d["result"].as_array().unwrap();
        for r in result {
            let content: Value = serde_json::from_str(r["fileContent"].as_str().unwrap()).unwrap();
            assert!(content["url"].as_str().unwrap().starts_with("https://"));
            keys.push(r["id"].as_u64().unwrap().to_string());
        }
        if (result.len() as u32) < size {
            assert_eq!(d["totalCount"].as_u64().unwrap() as usize, keys.len());
            return keys;
        }
        last = result.last().and_then(|r| r["id"].as_u64());
    }
}

#[tokio::test]
async fn files_keyset_walk() {
    let sb = start(640).await;
    let c = client();
    assert_exact(
        &walk_files(&sb, &c, "", 64).await,
        &sb.dataset()
            .expected_keys(&Query::TanmaCustomerFiles(TanmaFileFilter::default())),
    );
    let s = &sb.dataset().fixtures().tanma_sales[3];
    let expected = sb
        .dataset()
        .expected_keys(&Query::TanmaCustomerFiles(TanmaFileFilter {
            sales_id: Some(s.sales_id),
            ..Default::default()
        }));
    assert!(!expected.is_empty());
    // The example sends salesId (a number); the table documents userId (a string).
    assert_exact(
        &walk_files(&sb, &c, &format!(r#""salesId":{},"#, s.sales_id), 9).await,
        &expected,
    );
    assert_exact(
        &walk_files(&sb, &c, &format!(r#""userId":"{}","#, s.user_id), 10).await,
        &expected,
    );

    let cust = sb.dataset().tanma_customer_id(5);
    let ext = sb.dataset().tanma_external_user_id(5);
    let by_cust = walk_files(&sb, &c, &format!(r#""customerId":{cust},"#), 2).await;
    assert_eq!(
        by_cust,
        walk_files(&sb, &c, &format!(r#""externalUserId":"{ext}","#), 3).await
    );
    assert_eq!(
        by_cust,
        sb.dataset()
            .expected_keys(&Query::TanmaCustomerFiles(TanmaFileFilter {
                customer_id: Some(cust),
                ..Default::default()
            }))
    );
    assert!(sb.stats().op(Op::TanmaCustomerListFileOfCustomer).ok > 10);
}

#[tokio::test]
async fn signature_and_timestamp_rejections() {
    let sb = start(10).await;
    let c = client();
    let cr = sb.credentials().clone();
    let body = r#"{"size":5}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let ts = now.to_string();
    let good = tanma_sign(&cr.tanma_app_id, &ts, body.as_bytes(), &cr.tanma_app_key);
    let a = tanma_raw(&sb, &c, CLUES, body, &cr.tanma_app_id, &ts, &good)
        .await
        .json();
    assert_eq!(a["code"], 0);
    // Same signature, different body bytes.
    let a = tanma_raw(
        &sb,
        &c,
        CLUES,
        r#"{"size": 5}"#,
        &cr.tanma_app_id,
        &ts,
        &good,
    )
    .await
    .json();
    assert_eq!(a["code"], TANMA_BAD_SIGN);
    let a = tanma_raw(&sb, &c, CLUES, body, "wwOTHER", &ts, &good)
        .await
        .json();
    assert_eq!(a["code"], TANMA_BAD_SIGN);
    for stale in [now - 301_000, now + 301_000, now / 1000] {
        let t = stale.to_string();
        let s = tanma_sign(&cr.tanma_app_id, &t, body.as_bytes(), &cr.tanma_app_key);
        let a = tanma_raw(&sb, &c, CLUES, body, &cr.tanma_app_id, &t, &s)
            .await
            .json();
        assert_eq!(a["code"], TANMA_BAD_TIMESTAMP, "{t}");
    }
    // Empty body signs "".
    let s = tanma_sign(&cr.tanma_app_id, &ts, b"", &cr.tanma_app_key);
    let a = tanma_raw(&sb, &c, FILES, "", &cr.tanma_app_id, &ts, &s)
        .await
        .json();
    assert_eq!(a["code"], 0);
    assert_eq!(a["data"]["totalCount"], 10);
    let st = sb.stats().tanma;
    assert_eq!(
        (st.signature_rejections, st.timestamp_rejections, st.ok),
        (2, 3, 2)
    );
}
