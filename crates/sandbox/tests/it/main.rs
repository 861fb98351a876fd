//! Integration tests of the sandbox over real HTTP on 127.0.0.1 (one test binary).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod engine;
mod faults;
mod lifecycle;
mod mutation;
mod ops;
mod registry;
mod request_log;
mod signatures;
mod tanma;
mod waiqin;
mod walk;
mod weiban;
mod wshoto;
