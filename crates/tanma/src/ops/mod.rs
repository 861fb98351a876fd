//! The documented operations: one file each, with its request, response and record types, how
//! it pages and its registry entry.

pub mod clues;
pub mod customer_details;
pub mod customer_files;
pub mod customers;
pub mod group_chats;
pub mod staff;
pub mod tags;

use scrm_core::registry::{DynOperation, Entry};

use crate::Tanma;

/// Every typed tanma operation, for tools that work from the registry (`scrm export`,
/// `scrm ops`, `scrm sync`, the demo and the bench).
///
/// ```
/// let names: Vec<&str> = scrm_tanma::OPERATIONS.iter().map(|op| op.info().name).collect();
/// assert_eq!(
///     names,
///     ["clues", "customer-files", "customer-details", "customers", "tags", "group-chats", "staff"]
/// );
/// ```
pub static OPERATIONS: &[&dyn DynOperation<Tanma>] = &[
    &Entry::<clues::ClueList>::NEW,
    &Entry::<customer_files::CustomerFileList>::NEW,
    &Entry::<customer_details::CustomerQwDetails>::NEW,
    &Entry::<customers::CustomerSearch>::NEW,
    &Entry::<tags::TagTree>::NEW,
    &Entry::<group_chats::GroupList>::NEW,
    &Entry::<staff::UserList>::NEW,
];
