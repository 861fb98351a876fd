//! 获取收集表填写数据 — `POST /openapi/collect/detail/page`: the answers customers gave to a
//! collect form (收集表) an employee shared, page by page (`current_index` from 1, `total`).
//! Fidelity: the whole vendor page (`vendor-docs/wshoto-collect-detail-page.txt`, source
//! <https://open.wshoto.com/doc/pages/media/collect/detailPage.html>).
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::{CollectDetailPage, DetailStatus, UnixSeconds};
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let request = CollectDetailPage::new()
//!     .form_id("1634567890987645")
//!     .detail_status(DetailStatus::Submitted)
//!     .start_commit_time(UnixSeconds(1_645_632_000))
//!     .end_commit_time(UnixSeconds(1_645_646_000));
//! let mut records = client.items(request);
//! while let Some(record) = records.try_next().await? {
//!     if let Some(answers) = &record.detail_data {
//!         for (key, _) in answers.value().form_fields() {
//!             println!("{key}: {:?}", answers.value().form_field_values(key));
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

use scrm_core::check;
use scrm_core::de::{Id, JsonString, UnixSeconds};

use crate::Wshoto;
use crate::wire::DetailData;
use crate::wire::{RecordPage, check_page};

/// Largest `page_size` the vendor accepts ("最大不能超过200").
pub const MAX_PAGE_SIZE: u64 = 200;

/// The vendor's page size when `page_size` is not sent.
pub const VENDOR_DEFAULT_PAGE_SIZE: u64 = 20;

/// The page size the record and page streams send when the request sets none.
pub const STREAM_PAGE_SIZE: u64 = MAX_PAGE_SIZE;

scrm_core::lenient_enum! {
    /// State of a customer's answer (`detail_status`).
    pub enum DetailStatus: int {
        /// 0 — 已查看未填写: viewed, not filled in.
        ViewedNotFilled = 0,
        /// 1 — 已填写未提交: filled in, not submitted.
        FilledNotSubmitted = 1,
        /// 2 — 已提交: submitted.
        Submitted = 2,
    }
}

scrm_core::operation! {
    /// The request of 获取收集表填写数据: filters, page (`current_index`, from 1) and page size
    /// (at most 200). Every field is optional on the wire (the page marks none as required);
    /// unset fields are not sent.
    ///
    /// `form_id` is typed `string` in the vendor's table while its example sends a JSON number:
    /// it goes out in the form you give — `.form_id("1634567890987645")` sends a string (as the
    /// table says; recommended, and safe for 19-digit ids), `.form_id(1634567890987645_u64)` a
    /// number (as the example does).
    ///
    /// Fidelity: the whole vendor page.
    pub struct CollectDetailPage: Wshoto, POST "/openapi/collect/detail/page"
        => CollectDetailPageResponse as "collect/detail/page" {
        /// 收集表的id: the collect form (a `&str`/`String` is sent as a string, a `u64` as a
        /// number).
        form_id: Id,
        /// 发送人id: the employee who sent the form.
        send_user_id: String,
        /// Only answers in this state.
        detail_status: DetailStatus,
        /// Submitted at or after (epoch seconds).
        start_commit_time: UnixSeconds,
        /// Submitted at or before (epoch seconds).
        end_commit_time: UnixSeconds,
        /// 当前页数: the page, from 1 (the vendor's default when unset: 1). Streams start here.
        current_index: u64,
        /// 每页大小: records per page, 1..=200 (the vendor's default when unset: 20; the streams
        /// send 200 when unset).
        page_size: u64,
    }
    validate(r) {
        check::window("start_commit_time", r.start_commit_time, "end_commit_time", r.end_commit_time)?;
        check_page(r.current_index, r.page_size, Some(MAX_PAGE_SIZE))
    }
}

/// One page of 获取收集表填写数据: `data` of the answer (the vendor's table types it `File`, a typo
/// for the page; `records` are `Detail[]`).
pub type CollectDetailPageResponse = RecordPage<CollectDetail>;

scrm_core::record! {
    /// One customer's answer to a collect form (`Detail`). Identity fields are returned "if
    /// present" and are all optional.
    pub struct CollectDetail {
        /// 客户名称.
        customer_name: String,
        /// 客户unionid.
        unionid: String,
        /// 客户openid (documented, absent from the example).
        openid: String,
        /// 客户external_userid.
        external_userid: String,
        /// State of the answer.
        detail_status: DetailStatus,
        /// 查看时间: when the customer opened the form (epoch seconds).
        view_time: UnixSeconds,
        /// 提交时间: when the customer submitted it (epoch seconds).
        commit_time: UnixSeconds,
        /// 发送员工userid.
        send_user_id: String,
        /// 员工主部门id (number or string on the wire).
        dept_id: Id,
        /// 客户填写的收集表详情: the answers, a JSON document sent inside a string; decoded, with
        /// the original string kept ([`JsonString::raw`]). `""` and `null` read as `None`.
        detail_data: JsonString<DetailData>,
    }
}

scrm_core::paging!(CollectDetailPage => CollectDetail,
    page_number(current_index, page_size = STREAM_PAGE_SIZE), total(total), items(records));

scrm_core::register!(CollectDetailPage {
    name: "collect-details",
    title: "获取收集表填写数据",
    record: CollectDetail,
    key: ["$form_id", "external_userid|unionid|openid", "send_user_id"],
    incremental: Some(Incremental::new(
        ChangeKind::Creations,
        "commit_time",
        Some("start_commit_time"),
        Some("end_commit_time"),
        Granularity::Seconds
    )),
    fidelity: Page,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use scrm_core::{ErrorKind, Operation, PageNumbered, Paged};
    use serde_json::json;

    #[test]
    fn serializes_only_what_is_set() {
        assert_eq!(
            serde_json::to_value(CollectDetailPage::new()).unwrap(),
            json!({})
        );
        let r = CollectDetailPage::new()
            .form_id("1800356349545037315")
            .send_user_id("Wang")
            .detail_status(DetailStatus::Submitted)
            .start_commit_time(UnixSeconds(1))
            .end_commit_time(UnixSeconds(2))
            .current_index(3)
            .page_size(50);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"form_id": "1800356349545037315", "send_user_id": "Wang", "detail_status": 2,
                   "start_commit_time": 1, "end_commit_time": 2, "current_index": 3, "page_size": 50})
        );
        let numeric = CollectDetailPage::new().form_id(1_800_356_349_545_037_315_u64);
        assert_eq!(
            serde_json::to_string(&numeric).unwrap(),
            r#"{"form_id":1800356349545037315}"#
        );
    }

    #[test]
    fn validate_documented_limits() {
        assert!(CollectDetailPage::new().page_size(200).validate().is_ok());
        assert!(CollectDetailPage::new().page_size(1).validate().is_ok());
        for bad in [
            CollectDetailPage::new().page_size(201),
            CollectDetailPage::new().page_size(0),
            CollectDetailPage::new().current_index(0),
            CollectDetailPage::new()
                .start_commit_time(UnixSeconds(10))
                .end_commit_time(UnixSeconds(9)),
        ] {
            assert_eq!(
                bad.validate().unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
        let e = CollectDetailPage::new()
            .page_size(201)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("201"), "{e}");
    }

    #[test]
    fn paging_accessors() {
        let r = CollectDetailPage::new();
        assert_eq!(r.page(), 1);
        let mut s = r.clone();
        s.prepare();
        assert_eq!(s.page_size, Some(STREAM_PAGE_SIZE));
        assert_eq!(s.current_index, Some(1));
        assert_eq!(PageNumbered::page_size(&s), STREAM_PAGE_SIZE);
        let mut kept = CollectDetailPage::new().page_size(7).current_index(3);
        kept.prepare();
        assert_eq!((kept.current_index, kept.page_size), (Some(3), Some(7)));
        let mut r = r;
        r.set_page(4);
        assert_eq!(r.current_index, Some(4));
    }

    #[test]
    fn detail_data_keeps_dynamic_fields() {
        let raw = r#"{"area":{"code":"320100","name":"南京"},"gender":[{"name":"男","id":"1","value":"男"}],"mf_collect_form_abc_1":[{"name":"f","id":"1800356349545037315","value":"https://x/y.jpeg"}],"mf_collect_form_abc_2":"free text","new_key":5}"#;
        let d: JsonString<DetailData> = JsonString::parse(raw).unwrap();
        let v = d.value();
        assert_eq!(v.area.as_ref().unwrap().name.as_deref(), Some("南京"));
        let keys: Vec<_> = v.form_fields().map(|(k, _)| k).collect();
        assert_eq!(keys, ["mf_collect_form_abc_1", "mf_collect_form_abc_2"]);
        let files = v.form_field_values("mf_collect_form_abc_1").unwrap();
        assert_eq!(
            files[0].id.as_ref().unwrap().as_str(),
            "1800356349545037315"
        );
        assert_eq!(files[0].value_str(), Some("https://x/y.jpeg"));
        assert_eq!(v.form_field_values("mf_collect_form_abc_2"), None);
        assert_eq!(v.form_field_values("missing"), None);
        assert_eq!(v.gender_values().unwrap()[0].name.as_deref(), Some("男"));
        assert_eq!(v.extra["new_key"], json!(5));
        assert_eq!(d.raw(), raw);
    }

    #[test]
    fn records_tolerate_absent_and_odd_fields() {
        let r: CollectDetailPageResponse = serde_json::from_value(json!({
            "total": "2",
            "records": [
                {"detail_data": "", "view_time": "", "dept_id": "7", "brand_new": true},
                {"detail_status": 9, "commit_time": "1645632012"}
            ]
        }))
        .unwrap();
        let records = r.records.as_deref().unwrap();
        assert_eq!(r.total, Some(2));
        assert_eq!(records[0].detail_data, None);
        assert_eq!(records[0].view_time, None);
        assert_eq!(records[0].extra["brand_new"], json!(true));
        assert_eq!(records[1].detail_status, Some(DetailStatus::Unknown(9)));
        assert_eq!(records[1].commit_time, Some(UnixSeconds(1_645_632_012)));
        let mut empty: CollectDetailPageResponse =
            serde_json::from_value(json!({"total": 0, "records": null})).unwrap();
        assert!(CollectDetailPage::take_items(&mut empty).is_empty());
    }
}
