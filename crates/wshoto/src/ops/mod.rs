//! The documented operations, one file each: request type ([`Operation`](scrm_core::Operation),
//! paging), response and record types, and the [`WshotoClient`](crate::WshotoClient) methods.

pub mod collect_detail_page;

pub use collect_detail_page::{
    Area, CollectDetail, CollectDetailPage, CollectDetailPageResponse, DetailData, DetailStatus,
    FieldValue,
};
