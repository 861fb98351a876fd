//! Integration tests of scrm-wshoto: fixtures, auth, the collect-detail export, resilience and
//! redaction. Every server is on 127.0.0.1 (httpmock, the testkit's scripted server) or
//! in-process (a fake transport).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod collect_detail_page;
mod common;
mod fixtures;
mod redaction;
mod resilience;
