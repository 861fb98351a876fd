//! Integration tests of scrm-weiban against local doubles (127.0.0.1 only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod common;
mod fixtures;
mod push;
mod redaction;
mod resilience;
mod smart_form_user_list;
