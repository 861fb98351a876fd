//! `external_user/get`: exact query, the record decoded from a body built from the documented
//! fields (the page's example is truncated, so it is no fixture), the id/unionid rule.

use httpmock::prelude::*;
use scrm_weiban::{CustomerDetail, CustomerType, ErrorKind, GetCustomer, OPERATIONS, UnixSeconds};

use crate::common::*;

const PATH: &str = "/open-api/external_user/get";

/// A body with the fields the table and the visible part of the example name.
pub fn detail_json(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","type":1,"unionid":"oz9xvw_jfkmHMGWVSn5CatKSTOMU","created_at":1579243948,"name":"clth","avatar":"http://wx.qlogo.cn/x/0","corp_full_name":null,"corp_name":null,"gender":1,"position":null,"external_profile":null,"follow_staffs":[{{"staff_id":"zhangsan","staff_name":"张三","staff_avatar":"http://w/0","state":"wb:269","state_text":"通过渠道码 xx 添加","state_type":"corp_contact_way","remark":"微伴客户","remark_state":"微伴渠道","description":"","remark_corp_name":"夜莺科技","remark_mobiles":"[\"13800000000\"]","deleted_at":1591940337,"deleted_by":"external_user","deleted_each_other":false,"age":"26","phone_number":"13000000000","qq":"487892822","weibo":"zhangsan","email":"487892822@qq.com","address":"武汉市","birthday":"2月15","custom_fields":[{{"corp_id":"1654076890000000000","created_at":1618383250,"deleted":false,"field_type":"text","field_value":"","has_staff_used":true,"id":307,"name":"自定义信息3","rank_num":2}}],"tags":[{{"id":"t1"}}]}}]}}"#
    )
}

pub fn check_detail(c: &CustomerDetail, id: &str) {
    assert_eq!(c.id.as_deref(), Some(id));
    assert_eq!(c.customer_type, Some(CustomerType::Wechat));
    assert_eq!(c.created_at, Some(UnixSeconds(1579243948)));
    assert_eq!(
        (c.corp_name.as_deref(), c.external_profile.as_ref()),
        (None, None)
    );
    let [staff] = c.follow_staffs.as_deref().unwrap() else {
        panic!("{c:?}")
    };
    assert_eq!(staff.staff_name.as_deref(), Some("张三"));
    let mobiles = staff.remark_mobiles.as_ref().unwrap();
    assert_eq!(mobiles.value(), &["13800000000"]);
    assert_eq!(mobiles.raw(), r#"["13800000000"]"#);
    assert_eq!(staff.deleted_at, Some(UnixSeconds(1591940337)));
    assert_eq!(staff.age.as_deref(), Some("26"));
    let field = &staff.custom_fields.as_deref().unwrap()[0];
    assert_eq!(
        (field.id, field.rank_num, field.has_staff_used),
        (Some(307), Some(2), Some(true))
    );
    assert_eq!(field.corp_id.as_deref(), Some("1654076890000000000"));
    assert_eq!(staff.extra["tags"], serde_json::json!([{"id": "t1"}]));
}

#[tokio::test]
async fn sends_the_documented_query_and_decodes_the_documented_fields() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    let expected = "id=wm8zkSaSL7dgds4s45fw&unionid=oYtnV58v4QOisCZdE4qU02eK1pvU\
                    &openid=ohpYX63Ss6YnNTdv9YKcjpPGnBhA&access_token=tok-1";
    let body = format!(
        r#"{{"errcode":0,"errmsg":"ok","total":1,"external_user":{}}}"#,
        detail_json("wm8zkSaSL7dgds4s45fw")
    );
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .is_true(move |req| req.uri().query() == Some(expected) && req.body().is_empty());
            then.status(200).body(body);
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = GetCustomer::new()
        .id("wm8zkSaSL7dgds4s45fw")
        .unionid("oYtnV58v4QOisCZdE4qU02eK1pvU")
        .openid("ohpYX63Ss6YnNTdv9YKcjpPGnBhA");
    let answer = client.call(&request).await.unwrap();
    assert_eq!(answer.total, Some(1));
    check_detail(
        answer.external_user.as_ref().unwrap(),
        "wm8zkSaSL7dgds4s45fw",
    );
    // The registry's item stream yields the one customer.
    let items: Vec<CustomerDetail> = scrm_weiban::collect_all(client.items(request))
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(get.calls_async().await, 2);
}

#[tokio::test]
async fn id_or_unionid_is_required_and_unknown_ids_are_invalid_requests() {
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-1").await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH).query_param("id", "nobody");
            then.status(200)
                .body(error_body(20206, "id 错误,找不到对应客户"));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let e = client
        .call(&GetCustomer::new().openid("o1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string().contains("one of `id`, `unionid` is required"),
        "{e}"
    );
    let e = client
        .call(&GetCustomer::new().id("nobody"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::InvalidRequest, Some("20206"))
    );
    assert_eq!(e.attempts(), 1);
}

#[test]
fn registered_with_its_key_and_fidelity() {
    let info = OPERATIONS
        .iter()
        .find(|op| op.info().name == "customer")
        .unwrap()
        .info();
    assert_eq!(info.primary_key, ["id"]);
    assert_eq!(info.fidelity.as_str(), "partial");
    assert_eq!(info.paging.as_str(), "none");
    assert!(info.record_fields.iter().any(|f| f.name == "follow_staffs"));
}
