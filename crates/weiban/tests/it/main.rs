//! Integration tests of scrm-weiban against local doubles (127.0.0.1 only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod common;
mod customer_batch_get;
mod customer_event_list;
mod customer_get;
mod customer_list;
mod customer_staff_relation_list;
mod customer_stage_get;
mod customer_update_list;
mod fixtures;
mod group_chat_detail;
mod group_chat_list;
mod group_chat_member_list;
mod redaction;
mod registry;
mod resilience;
mod smart_form_user_list;
mod staff_list;
