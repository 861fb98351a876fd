//! Integration tests of scrm-tanma: one binary, one module per concern.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod client;
mod clues;
mod common;
mod customer_details;
mod customer_files;
mod customers;
mod fixtures;
mod group_chats;
mod push;
mod redaction;
mod registry;
mod resilience;
mod staff;
mod tags;
