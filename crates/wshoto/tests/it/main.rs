//! Integration tests of scrm-wshoto: fixtures, auth, every operation's requests and paging, resilience and
//! redaction. Every server is on 127.0.0.1 (httpmock, the testkit's scripted server) or
//! in-process (a fake transport).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod chat_group_member_list;
mod collect_detail_page;
mod common;
mod crm_contact_page;
mod fixtures;
mod open_sea_list;
mod product_tag_list;
mod redaction;
mod resilience;
mod self_customers_by_tenant;
