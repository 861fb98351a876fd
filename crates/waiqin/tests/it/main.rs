//! Integration tests of scrm-waiqin: one binary, one module per concern.
//!
//! Every test talks only to 127.0.0.1 (httpmock, `scrm_testkit::ScriptedServer`) or to an
//! in-memory transport.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod common;
mod fixtures;
mod query_cus_visit_record;
mod query_emp_track_time;
mod query_task;
mod query_task_type;
mod redaction;
mod resilience;
