//! 获取客户事件列表: `GET /open-api/external_user_event/list`, one customer's events, read by
//! keyset: each page asks for the events with an id above the last one received (`last_id`).
//!
//! Fidelity: **page** (`vendor-docs/weiban-external-user-event-list.txt`); its example holds
//! schema placeholders (`"string"`, `0`). The query is per customer, so the keyset is an
//! incremental cursor per customer only, not a corp-wide feed. The page says ids increase with
//! creation and `last_id` returns the events after it, so pages are taken as ascending by id
//! (the next `last_id` is the last event received); the order of a page is not stated.

use scrm_core::check;
use scrm_core::de::{Id, UnixSeconds};

use crate::{MAX_LIST_LIMIT, Weiban};

scrm_core::operation! {
    /// Request of 获取客户事件列表 (`GET /open-api/external_user_event/list`): `external_user_id`
    /// or `external_user_unionid` is required. Streams page by `last_id`; `offset` is documented
    /// too, but set it only for single calls.
    ///
    /// Fidelity of our copy of the docs: page.
    ///
    /// ```
    /// use scrm_weiban::CustomerEventList;
    /// let request = CustomerEventList::new().external_user_id("wm1").last_id(41u64);
    /// assert_eq!(request.last_id.as_ref().map(|id| id.as_str()), Some("41"));
    /// ```
    pub struct CustomerEventList: Weiban, GET "/open-api/external_user_event/list", query
        => CustomerEventListResponse as "external_user_event/list" {
        /// WeCom staff id (no 可选 marker on the page).
        staff_id: String,
        /// Only events with an id above this one (客户事件id).
        last_id: Id,
        /// The customer's external user id.
        external_user_id: String,
        /// The customer's unionid.
        external_user_unionid: String,
        /// The customer's openid (needed with `external_user_unionid` for 密文 corps).
        external_user_openid: String,
        /// Events per page, 1 to [`MAX_LIST_LIMIT`] (default 30; streams send 100).
        limit: u32,
        /// Events to skip, from 0.
        offset: u64,
    }
    validate(r) {
        check::in_range("limit", r.limit, 1, MAX_LIST_LIMIT.into())?;
        check::not_blank("external_user_id", r.external_user_id.as_ref())?;
        check::not_blank("external_user_unionid", r.external_user_unionid.as_ref())?;
        check::one_of(&[
            ("external_user_id", r.external_user_id.is_some()),
            ("external_user_unionid", r.external_user_unionid.is_some()),
        ])
    }
}

scrm_core::record! {
    /// Payload of [`CustomerEventList`].
    pub struct CustomerEventListResponse {
        /// Events in all pages (客户事件总数).
        total: u64,
        /// The events of this page.
        event_list: Vec<CustomerEvent>,
    }
}

scrm_core::record! {
    /// A customer event (ExternalUserEvent).
    pub struct CustomerEvent {
        /// Event id, increasing with creation (the keyset).
        id: Id,
        /// When weiban recorded it, epoch seconds.
        created_at: UnixSeconds,
        /// Event content.
        content: String,
        /// Event title.
        event_title: String,
        /// A basic weiban event type, or a custom one as `{"custom":<custom_event_type_id>}`.
        event_type: String,
        /// The customer's external user id.
        external_user_id: String,
        /// Staff id.
        staff_id: String,
        /// Staff name.
        staff_name: String,
    }
}

scrm_core::paging!(CustomerEventList => CustomerEvent,
    keyset(last_id, limit = MAX_LIST_LIMIT as u64), key(id), items(event_list));

scrm_core::register!(CustomerEventList {
    name: "customer-events",
    title: "获取客户事件列表",
    record: CustomerEvent,
    key: ["id"],
    incremental: Some(Incremental::new(
        ChangeKind::Creations,
        "id",
        Some("last_id"),
        None,
        Granularity::Id
    )),
    fidelity: Page,
});
