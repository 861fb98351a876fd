//! The documented operations: one file each, with its request, response and record types, how
//! it pages and its registry entry.

pub mod collect_detail_page;

pub use crate::wire::{Area, DetailData, FORM_FIELD_PREFIX, FieldValue};
pub use collect_detail_page::{
    CollectDetail, CollectDetailPage, CollectDetailPageResponse, DetailStatus,
};

use scrm_core::registry::{DynOperation, Entry};

use crate::Wshoto;

/// Every typed wshoto operation, for tools that work from the registry (`scrm export`,
/// `scrm ops`, `scrm sync`, the demo and the bench).
///
/// ```
/// let names: Vec<&str> = scrm_wshoto::OPERATIONS.iter().map(|op| op.info().name).collect();
/// assert!(names.contains(&"collect-details"));
/// ```
pub static OPERATIONS: &[&dyn DynOperation<Wshoto>] =
    &[&Entry::<collect_detail_page::CollectDetailPage>::NEW];
