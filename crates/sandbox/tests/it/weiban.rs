//! weiban: token issue/expiry and offset paging of `smart_form/form/user/list`.

use scrm_sandbox::{
    Op, Query, WEIBAN_BAD_CREDENTIALS, WEIBAN_PARAM_ERROR, WEIBAN_TOKEN_EXPIRED,
    WEIBAN_TOKEN_INVALID, WeibanFilter,
};

use crate::common::{assert_exact, client, enc, post, start, weiban_list, weiban_token};

async fn walk(
    sb: &scrm_sandbox::Sandbox,
    c: &reqwest::Client,
    token: &str,
    query: &str,
    limit: u64,
) -> Vec<String> {
    let mut keys = Vec::new();
    let mut offset = 0u64;
    loop {
        let a = weiban_list(
            sb,
            c,
            token,
            &format!("{query}&limit={limit}&offset={offset}"),
        )
        .await
        .json();
        assert_eq!(a["errcode"], 0, "{a}");
        let total = a["total"].as_u64().unwrap();
        let result = a["result"].as_array().unwrap();
        for r in result {
            assert_eq!(r["status"], "submit");
            assert!(r["form_id"].is_u64() && r["submit_at"].is_u64());
            keys.push(r["u_id"].as_u64().unwrap().to_string());
        }
        offset += result.len() as u64;
        if offset >= total || result.is_empty() {
            return keys;
        }
    }
}

#[tokio::test]
async fn token_and_walks() {
    let sb = start(530).await;
    let c = client();
    let token = weiban_token(&sb, &c).await;
    let keys = walk(&sb, &c, &token, "status=submit", 100).await;
    let expected = sb
        .dataset()
        .expected_keys(&Query::WeibanSmartFormUsers(WeibanFilter {
            status: Some("submit".into()),
            ..Default::default()
        }));
    assert_eq!(expected.len(), 530);
    assert_exact(&keys, &expected);

    let fx = sb.dataset().fixtures();
    let f = WeibanFilter {
        status: Some("submit".into()),
        form_id: Some(fx.weiban_form_ids[0]),
        city: Some("武汉".into()),
        ..Default::default()
    };
    let expected = sb.dataset().expected_keys(&Query::WeibanSmartFormUsers(f));
    assert!(!expected.is_empty());
    let q = format!(
        "status=submit&form_id={}&city={}",
        fx.weiban_form_ids[0],
        enc("武汉")
    );
    assert_exact(&walk(&sb, &c, &token, &q, 7).await, &expected);
    assert_eq!(
        sb.stats().op(Op::WeibanSmartFormUserList).records,
        530 + expected.len() as u64
    );

    // Time window on submit_at (inclusive) and other statuses.
    let r: serde_json::Value = serde_json::from_str(
        &sb.dataset()
            .record_json(Op::WeibanSmartFormUserList, 10)
            .unwrap(),
    )
    .unwrap();
    let t = r["submit_at"].as_i64().unwrap();
    let a = weiban_list(
        &sb,
        &c,
        &token,
        &format!("status=submit&start_time={t}&end_time={t}"),
    )
    .await
    .json();
    assert_eq!(a["total"], 1);
    assert_eq!(a["result"][0]["u_id"], r["u_id"]);
    let a = weiban_list(&sb, &c, &token, "status=view").await.json();
    assert_eq!(
        (a["errcode"].as_i64(), a["total"].as_i64()),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn rejections() {
    let sb = start(10).await;
    let c = client();
    let bad = post(
        &c,
        format!("{}/open-api/access_token/get", sb.base_url()),
        r#"{"corp_id":"1","secret":"x"}"#,
    )
    .await;
    assert_eq!(bad.json()["errcode"], WEIBAN_BAD_CREDENTIALS);
    assert_eq!(
        weiban_list(&sb, &c, "bogus", "status=submit").await.json()["errcode"],
        WEIBAN_TOKEN_INVALID
    );
    let token = weiban_token(&sb, &c).await;
    assert_eq!(
        weiban_list(&sb, &c, &token, "limit=10").await.json()["errcode"],
        WEIBAN_PARAM_ERROR
    );
    assert_eq!(
        weiban_list(&sb, &c, &token, "status=submit&limit=ten")
            .await
            .json()["errcode"],
        WEIBAN_PARAM_ERROR
    );
    sb.expire_tokens();
    assert_eq!(
        weiban_list(&sb, &c, &token, "status=submit").await.json()["errcode"],
        WEIBAN_TOKEN_EXPIRED
    );
    let fresh = weiban_token(&sb, &c).await;
    assert_eq!(
        weiban_list(&sb, &c, &fresh, "status=submit").await.json()["total"],
        10
    );
    sb.revoke_tokens();
    assert_eq!(
        weiban_list(&sb, &c, &fresh, "status=submit").await.json()["errcode"],
        WEIBAN_TOKEN_INVALID
    );
    let st = sb.stats().weiban;
    assert_eq!(
        (
            st.credential_rejections,
            st.token_rejections,
            st.param_errors,
            st.tokens_issued
        ),
        (1, 3, 2, 2)
    );
}
