//! scrm-sync against real databases: SQLite files everywhere, PostgreSQL when
//! `SCRM_TEST_POSTGRES_URL` is set (required under `CI=true`), and an HTTP double of a test
//! vendor declared with the core macros.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod double;
mod postgres;
mod seen;
mod sqlite;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "scrm-sync-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PostgreSQL URL for tests, or `None` (with a skip line) when unset outside CI.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("SCRM_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "{test}: SCRM_TEST_POSTGRES_URL is not set and CI=true: the PostgreSQL tests must run in CI"
                );
            }
            eprintln!(
                "skipped {test}: set SCRM_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL tests"
            );
            None
        }
    }
}
