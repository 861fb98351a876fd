//! The documented operations: one file each, with its request, response and record types, how
//! it pages and its registry entry.

pub mod smart_form_user_list;

use scrm_core::registry::{DynOperation, Entry};

use crate::Weiban;

/// Every typed weiban operation, for tools that work from the registry (`scrm export`,
/// `scrm ops`, `scrm sync`, the demo and the bench).
///
/// ```
/// let names: Vec<&str> = scrm_weiban::OPERATIONS.iter().map(|op| op.info().name).collect();
/// assert!(names.contains(&"smart-form-users"));
/// ```
pub static OPERATIONS: &[&dyn DynOperation<Weiban>] =
    &[&Entry::<smart_form_user_list::SmartFormUserList>::NEW];
