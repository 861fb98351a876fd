//! wshoto: token issue/expiry and `collect/detail/page` paging.

use std::time::Duration;

use scrm_sandbox::{
    Op, Query, Sandbox, SandboxConfig, WSHOTO_BAD_CREDENTIALS, WSHOTO_PARAM_ERROR,
    WSHOTO_TOKEN_INVALID, WshotoFilter,
};

use crate::common::{assert_exact, client, get, start, wshoto_page, wshoto_token};

async fn walk(
    sb: &Sandbox,
    c: &reqwest::Client,
    token: &str,
    filter_json: &str,
    size: usize,
) -> (Vec<String>, u64) {
    let mut keys = Vec::new();
    let mut total = 0;
    for index in 1.. {
        let sep = if filter_json.is_empty() { "" } else { "," };
        let body = format!(r#"{{{filter_json}{sep}"current_index":{index},"page_size":{size}}}"#);
        let a = wshoto_page(sb, c, token, &body).await;
        assert_eq!(a["code"], 0, "{a}");
        total = a["data"]["total"].as_u64().unwrap();
        let recs = a["data"]["records"].as_array().unwrap();
        for r in recs {
            keys.push(r["external_userid"].as_str().unwrap().to_owned());
            let detail: serde_json::Value =
                serde_json::from_str(r["detail_data"].as_str().unwrap()).unwrap();
            assert!(detail["area"].is_object() && detail["gender"].is_array());
            assert!(
                detail
                    .as_object()
                    .unwrap()
                    .keys()
                    .any(|k| k.starts_with("mf_collect_form_"))
            );
        }
        if recs.is_empty() || (index * size) as u64 >= total {
            break;
        }
    }
    (keys, total)
}

#[tokio::test]
async fn token_and_full_walk() {
    let sb = start(450).await;
    let c = client();
    let token = wshoto_token(&sb, &c).await;
    assert_eq!(
        token,
        wshoto_token(&sb, &c).await,
        "re-fetch while valid returns the same token"
    );
    let (keys, total) = walk(&sb, &c, &token, "", 200).await;
    assert_eq!(total, 450);
    let expected = sb
        .dataset()
        .expected_keys(&Query::WshotoCollectDetail(WshotoFilter::default()));
    assert_exact(&keys, &expected);
    let st = sb.stats();
    assert_eq!(st.wshoto.tokens_issued, 2);
    assert_eq!(st.op(Op::WshotoCollectDetailPage).records, 450);
    assert_eq!(st.op(Op::WshotoCollectDetailPage).requests, 3);
}

#[tokio::test]
async fn filters_form_id_number_or_string() {
    let sb = start(600).await;
    let c = client();
    let token = wshoto_token(&sb, &c).await;
    let fx = sb.dataset().fixtures();
    let form = fx.wshoto_form_ids[1];
    assert!(form > 1 << 53);
    let expected = sb
        .dataset()
        .expected_keys(&Query::WshotoCollectDetail(WshotoFilter {
            form_id: Some(form),
            ..Default::default()
        }));
    assert!(!expected.is_empty() && expected.len() < 600);
    let (as_number, _) = walk(&sb, &c, &token, &format!(r#""form_id":{form}"#), 37).await;
    assert_exact(&as_number, &expected);
    let (as_string, _) = walk(&sb, &c, &token, &format!(r#""form_id":"{form}""#), 50).await;
    assert_exact(&as_string, &expected);

    let first = sb
        .dataset()
        .record_json(Op::WshotoCollectDetailPage, 100)
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let t0 = first["commit_time"].as_i64().unwrap();
    let f = WshotoFilter {
        form_id: Some(form),
        send_user_id: Some(fx.wshoto_send_user_ids[2].clone()),
        detail_status: Some(2),
        start_commit_time: Some(t0),
        end_commit_time: Some(t0 + 120 * 86_400),
    };
    let expected = sb
        .dataset()
        .expected_keys(&Query::WshotoCollectDetail(f.clone()));
    assert!(!expected.is_empty());
    let json = format!(
        r#""form_id":"{form}","send_user_id":"{}","detail_status":2,"start_commit_time":{},"end_commit_time":{}"#,
        fx.wshoto_send_user_ids[2],
        t0,
        t0 + 120 * 86_400
    );
    let (keys, total) = walk(&sb, &c, &token, &json, 10).await;
    assert_eq!(total as usize, expected.len());
    assert_exact(&keys, &expected);
}

#[tokio::test]
async fn rejections() {
    let sb = start(10).await;
    let c = client();
    let bad = get(
        &c,
        format!(
            "{}/openapi/access_token?appid=x&app_secret=y",
            sb.base_url()
        ),
    )
    .await
    .json();
    assert_eq!(bad["code"], WSHOTO_BAD_CREDENTIALS);
    let a = wshoto_page(&sb, &c, "nope", "{}").await;
    assert_eq!(a["code"], WSHOTO_TOKEN_INVALID);
    let token = wshoto_token(&sb, &c).await;
    let a = wshoto_page(&sb, &c, &token, r#"{"page_size":201}"#).await;
    assert_eq!(a["code"], WSHOTO_PARAM_ERROR);
    let a = wshoto_page(&sb, &c, &token, r#"{"page_size":200}"#).await;
    assert_eq!(a["code"], 0);
    assert_eq!(a["data"]["records"].as_array().unwrap().len(), 10);
    sb.expire_tokens();
    let a = wshoto_page(&sb, &c, &token, "{}").await;
    assert_eq!(a["code"], WSHOTO_TOKEN_INVALID);
    let fresh = wshoto_token(&sb, &c).await;
    assert_ne!(fresh, token);
    assert_eq!(wshoto_page(&sb, &c, &fresh, "{}").await["code"], 0);
    let st = sb.stats().wshoto;
    assert_eq!(
        (
            st.credential_rejections,
            st.token_rejections,
            st.param_errors
        ),
        (1, 2, 1)
    );
}

#[tokio::test]
async fn token_ttl_expires() {
    let sb = Sandbox::start(SandboxConfig {
        records: 5,
        token_ttl: Duration::from_millis(300),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = client();
    let token = wshoto_token(&sb, &c).await;
    assert_eq!(wshoto_page(&sb, &c, &token, "{}").await["code"], 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        wshoto_page(&sb, &c, &token, "{}").await["code"],
        WSHOTO_TOKEN_INVALID
    );
    let fresh = wshoto_token(&sb, &c).await;
    assert_ne!(fresh, token);
}
