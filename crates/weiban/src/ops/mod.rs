//! The documented operations: one file each, with its request, response and record types, how
//! it pages and its registry entry.

pub mod customer_batch_get;
pub mod customer_event_list;
pub mod customer_get;
pub mod customer_list;
pub mod customer_staff_relation_list;
pub mod customer_stage_get;
pub mod customer_update_list;
pub mod group_chat_detail;
pub mod group_chat_list;
pub mod group_chat_member_list;
pub mod smart_form_user_list;
pub mod staff_list;

use scrm_core::registry::{DynOperation, Entry};

use crate::Weiban;

/// Every typed weiban operation, for tools that work from the registry (`scrm export`,
/// `scrm ops`, `scrm sync`, the demo and the bench).
///
/// ```
/// let names: Vec<&str> = scrm_weiban::OPERATIONS.iter().map(|op| op.info().name).collect();
/// assert!(names.contains(&"smart-form-users"));
/// ```
pub static OPERATIONS: &[&dyn DynOperation<Weiban>] = &[
    &Entry::<smart_form_user_list::SmartFormUserList>::NEW,
    &Entry::<customer_update_list::CustomerUpdateList>::NEW,
    &Entry::<customer_list::CustomerList>::NEW,
    &Entry::<customer_get::GetCustomer>::NEW,
    &Entry::<customer_batch_get::BatchGetCustomers>::NEW,
    &Entry::<customer_staff_relation_list::CustomerStaffList>::NEW,
    &Entry::<customer_event_list::CustomerEventList>::NEW,
    &Entry::<customer_stage_get::CustomerStageGet>::NEW,
    &Entry::<staff_list::StaffList>::NEW,
    &Entry::<group_chat_list::GroupChatList>::NEW,
    &Entry::<group_chat_detail::GroupChatDetail>::NEW,
    &Entry::<group_chat_member_list::GroupChatMemberList>::NEW,
];
