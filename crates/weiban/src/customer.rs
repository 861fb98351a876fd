//! The customer detail record shared by [`GetCustomer`](crate::GetCustomer) and
//! [`BatchGetCustomers`], and the batch helper
//! [`WeibanClient::batch_get`].
//!
//! Fidelity: the field table of 获取客户详情 is cut off after `avatar`, and its example after the
//! third `custom_fields` entry (`vendor-docs/weiban-external-user-get.txt`). The fields below are
//! those the table and the visible part of the example name; whatever else weiban sends (tags,
//! …) is kept in each record's `extra`.

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use scrm_core::de::{JsonString, UnixSeconds};

use crate::wire::CustomerType;
use crate::{BatchGetCustomers, Error, WeibanClient};

scrm_core::record! {
    /// A customer (外部联系人) as 获取客户详情 returns it (`external_user`).
    pub struct CustomerDetail {
        /// The customer's external user id (`wm…`).
        id: String,
        /// 1 a WeChat user, 2 a WeCom user.
        customer_type as "type": CustomerType,
        /// WeChat unionid (`null` when weiban has none).
        unionid: String,
        /// When weiban recorded the customer, epoch seconds.
        created_at: UnixSeconds,
        /// Nickname (外部联系人昵称).
        name: String,
        /// Avatar URL.
        avatar: String,
        /// Full company name (WeCom customers; `null` otherwise).
        corp_full_name: String,
        /// Company short name.
        corp_name: String,
        /// Gender as WeCom codes it (the example shows 1).
        gender: u8,
        /// Position.
        position: String,
        /// WeCom external profile (`null` in the example), as sent.
        external_profile: serde_json::Value,
        /// The staff who follow this customer, with their remarks and custom fields.
        follow_staffs: Vec<FollowStaff>,
    }
}

scrm_core::record! {
    /// A staff member following a customer, with what that staff member recorded
    /// (`follow_staffs[]`).
    pub struct FollowStaff {
        /// Staff id (weiban's).
        staff_id: String,
        /// Staff name.
        staff_name: String,
        /// Staff avatar URL.
        staff_avatar: String,
        /// The channel state the customer was added through (`wb:269`).
        state: String,
        /// The state described (`通过渠道码 xx 添加`).
        state_text: String,
        /// The kind of state (`corp_contact_way`).
        state_type: String,
        /// The staff's remark on the customer.
        remark: String,
        /// The channel remark (`微伴渠道`).
        remark_state: String,
        /// Description.
        description: String,
        /// Company named in the remark.
        remark_corp_name: String,
        /// Remarked phone numbers: a JSON list inside a string (`"[]"`), raw kept.
        remark_mobiles: JsonString<Vec<String>>,
        /// When the relation was deleted, epoch seconds.
        deleted_at: UnixSeconds,
        /// Who deleted it (`external_user`).
        deleted_by: String,
        /// Whether both sides deleted each other.
        deleted_each_other: bool,
        /// Age, as a string (`"26"`).
        age: String,
        /// Phone number.
        phone_number: String,
        /// QQ number, as a string.
        qq: String,
        /// Weibo account.
        weibo: String,
        /// Email.
        email: String,
        /// Address.
        address: String,
        /// Birthday as text (`2月15`).
        birthday: String,
        /// The company's custom fields with this staff member's values.
        custom_fields: Vec<CustomField>,
    }
}

scrm_core::record! {
    /// A custom customer field and its value (`follow_staffs[].custom_fields[]`).
    pub struct CustomField {
        /// weiban's corp id (19 digits, as a string).
        corp_id: String,
        /// When the field was created, epoch seconds.
        created_at: UnixSeconds,
        /// Whether the field was deleted.
        deleted: bool,
        /// The field's kind (`text`).
        field_type: String,
        /// The value recorded.
        field_value: String,
        /// Whether staff have used it.
        has_staff_used: bool,
        /// The field's id.
        id: u64,
        /// The field's name.
        name: String,
        /// Its rank in the list.
        rank_num: i64,
    }
}

/// What [`WeibanClient::batch_get`] found.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct BatchCustomers {
    /// The customers found, in the order their ids were given (duplicates asked once).
    pub customers: Vec<CustomerDetail>,
    /// The ids asked for that weiban did not return, in the order given.
    pub missing: Vec<String>,
    /// Records whose `id` matches none of the ids asked for (kept rather than dropped).
    pub unrequested: Vec<CustomerDetail>,
}

/// Batches in flight at once in [`WeibanClient::batch_get`] (the client's rate limit applies
/// on top; a production client uses at most 5 "to avoid throttling").
const BATCHES_IN_FLIGHT: usize = 2;

impl WeibanClient {
    /// The details of any number of customers through 批量获取客户详情: the ids are sent in
    /// batches of [`BatchGetCustomers::MAX_IDS`] (duplicates once), the customers come back in
    /// the order of `ids`, and the ids weiban did not return are listed in
    /// [`BatchCustomers::missing`]. The first failing batch fails the call.
    ///
    /// ```no_run
    /// # async fn demo(client: scrm_weiban::WeibanClient) -> Result<(), scrm_weiban::Error> {
    /// let found = client.batch_get(["wm1", "wm2", "wm3"]).await?;
    /// for customer in &found.customers {
    ///     println!("{:?} {:?}", customer.id, customer.name);
    /// }
    /// println!("not found: {:?}", found.missing);
    /// # Ok(()) }
    /// ```
    pub async fn batch_get<I>(&self, ids: I) -> Result<BatchCustomers, Error>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let mut wanted: Vec<String> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for id in ids {
            let id = id.into();
            if !position.contains_key(&id) {
                position.insert(id.clone(), wanted.len());
                wanted.push(id);
            }
        }
        let requests: Vec<BatchGetCustomers> = wanted
            .chunks(BatchGetCustomers::MAX_IDS)
            .map(|chunk| BatchGetCustomers::new().id_list(chunk.to_vec()))
            .collect();
        let pages: Vec<Vec<CustomerDetail>> = futures::stream::iter(requests)
            .map(|request| async move {
                let mut response = self.call(&request).await?;
                Ok::<_, Error>(response.external_user.take().unwrap_or_default())
            })
            .buffered(BATCHES_IN_FLIGHT)
            .try_collect()
            .await?;
        let mut found: Vec<Vec<CustomerDetail>> = vec![Vec::new(); wanted.len()];
        let mut out = BatchCustomers::default();
        for customer in pages.into_iter().flatten() {
            match customer.id.as_ref().and_then(|id| position.get(id)) {
                Some(&at) => found[at].push(customer),
                None => out.unrequested.push(customer),
            }
        }
        for (id, customers) in wanted.into_iter().zip(found) {
            if customers.is_empty() {
                out.missing.push(id);
            }
            out.customers.extend(customers);
        }
        Ok(out)
    }
}
