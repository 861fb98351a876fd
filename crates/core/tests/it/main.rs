//! scrm-core integration tests: the pipeline and every paging style through a scripted,
//! in-memory transport (no network), plus redaction through the real reqwest transport.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bounds;
mod concurrency;
mod demo;
mod paging;
mod pipeline;
mod props;
mod redaction;
mod serde_helpers;
