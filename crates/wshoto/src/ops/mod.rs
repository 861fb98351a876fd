//! The documented operations: one file each, with its request, response and record types, how
//! it pages and its registry entry.

pub mod chat_group_member_list;
pub mod collect_detail_page;
pub mod crm_contact_page;
pub mod open_sea_list;
pub mod product_tag_list;
pub mod self_customers_by_tenant;

pub use chat_group_member_list::{
    GroupMember, GroupMemberList, GroupMemberListResponse, JoinScene, MemberType,
};
pub use collect_detail_page::{
    CollectDetail, CollectDetailPage, CollectDetailPageResponse, DetailStatus,
};
pub use crm_contact_page::{Contact, ContactPage, ContactPageResponse};
pub use open_sea_list::{OpenSeaList, OpenSeaListResponse, OpenSeaRecord};
pub use product_tag_list::{ProductTag, ProductTagList, ProductTagListResponse};
pub use self_customers_by_tenant::{
    CustomerTag, CustomerType, FollowUser, SelfCustomer, SelfCustomerList, SelfCustomerListResponse,
};

pub use crate::wire::{
    Area, Channel, DetailData, FORM_FIELD_PREFIX, FieldValue, Gender, RecordPage,
};

use scrm_core::registry::{DynOperation, Entry};

use crate::Wshoto;

/// Every typed wshoto operation, for tools that work from the registry (`scrm export`,
/// `scrm ops`, `scrm sync`, the demo and the bench).
///
/// ```
/// let names: Vec<&str> = scrm_wshoto::OPERATIONS.iter().map(|op| op.info().name).collect();
/// assert_eq!(
///     names,
///     ["collect-details", "customers", "open-sea", "group-members", "contacts", "product-tags"]
/// );
/// ```
pub static OPERATIONS: &[&dyn DynOperation<Wshoto>] = &[
    &Entry::<CollectDetailPage>::NEW,
    &Entry::<SelfCustomerList>::NEW,
    &Entry::<OpenSeaList>::NEW,
    &Entry::<GroupMemberList>::NEW,
    &Entry::<ContactPage>::NEW,
    &Entry::<ProductTagList>::NEW,
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::OPERATIONS;
    use scrm_core::PagingStyle;
    use serde_json::json;

    /// What the registry says of each operation names fields the operation really has.
    #[test]
    fn registry_entries_name_real_fields() {
        let mut names = Vec::new();
        for op in OPERATIONS {
            let info = op.info();
            names.push(info.name);
            assert_eq!(info.vendor, "wshoto");
            assert_eq!(info.paging, PagingStyle::PageNumber, "{}", info.name);
            assert!(info.page_size_field == Some("page_size"), "{}", info.name);
            assert!(info.field("current_index").is_some(), "{}", info.name);
            let record = |name: &str| info.record_fields.iter().any(|f| f.name == name);
            for key in info.primary_key {
                match key.strip_prefix('$') {
                    Some(request) => assert!(info.field(request).is_some(), "{key}"),
                    None => assert!(key.split('|').all(record), "{}: {key}", info.name),
                }
            }
            if let Some(inc) = info.incremental {
                assert!(record(inc.record_field), "{}", info.name);
                for param in [inc.from_param, inc.to_param].into_iter().flatten() {
                    assert!(info.field(param).is_some(), "{}: {param}", info.name);
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len(), "CLI names are unique");
    }

    /// Requests built from text (as `scrm export --param` does) are typed by the declaration.
    #[test]
    fn requests_from_json_are_typed_and_checked() {
        let members = scrm_core::registry::find(OPERATIONS, "group-members").unwrap();
        let wire = members
            .check(json!({"chat_id": "c1", "page_size": "50"}))
            .unwrap();
        // As a stream sends it first: the first page filled in.
        assert_eq!(wire["chat_id"], json!("c1"));
        assert_eq!(wire["page_size"], json!(50));
        assert_eq!(wire.as_object().map(|o| o.len()), Some(3), "{wire}");
        let e = members.check(json!({"page_size": 50})).unwrap_err();
        assert!(e.message().contains("`chat_id` is required"), "{e}");
        let e = members
            .check(json!({"chat_id": "c1", "nope": 1}))
            .unwrap_err();
        assert!(e.message().contains("documented fields: chat_id"), "{e}");
        let contacts = scrm_core::registry::find(OPERATIONS, "contacts").unwrap();
        let e = contacts
            .check(json!({"owner_ids": ["u1"], "current_index": 1, "page_size": 101}))
            .unwrap_err();
        assert!(
            e.message().contains("`page_size` must be at most 100"),
            "{e}"
        );
        // Filters alone are a valid export: the streams fill in the first page and its size.
        for op in OPERATIONS
            .iter()
            .filter(|op| op.info().name != "group-members")
        {
            let info = op.info();
            let wire = op.check(json!({})).unwrap();
            assert_eq!(wire["current_index"], json!(1), "{}", info.name);
            let size = info.page_size_field.unwrap();
            assert!(wire[size].as_u64().is_some_and(|n| n >= 1), "{}", info.name);
        }
    }
}
