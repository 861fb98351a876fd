//! Integration tests of scrm-tanma: one binary, one module per concern.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod client;
mod clues;
mod common;
mod customer_files;
mod fixtures;
mod push;
mod redaction;
mod resilience;
