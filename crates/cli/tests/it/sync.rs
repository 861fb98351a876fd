//! `scrm sync` end to end: the real binary, the in-process sandbox, real SQLite files (and a
//! real PostgreSQL when `SCRM_TEST_POSTGRES_URL` is set).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use scrm_sandbox::{Faults, Query, WeibanFilter};

use super::{sandbox, scrm};

fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "scrm-cli-sync-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn weiban_query() -> Query {
    Query::WeibanSmartFormUsers(WeibanFilter {
        status: Some("submit".into()),
        ..WeibanFilter::default()
    })
}

fn sync_cmd(sandbox: &scrm_sandbox::Sandbox, db: &str, extra: &[&str]) -> Command {
    let mut cmd = scrm(sandbox);
    cmd.args([
        "sync",
        "weiban",
        "smart-form-users",
        "--param",
        "status=submit",
        "--db",
        db,
    ]);
    if !extra.contains(&"--rps") {
        cmd.args(["--rps", "200"]);
    }
    cmd.args(extra);
    cmd
}

/// The stored rows of the weiban table: u_id → record text.
fn stored(path: &Path) -> BTreeMap<String, String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'weiban_smart_form_users'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if tables == 0 {
        return BTreeMap::new();
    }
    let mut stmt = conn
        .prepare("SELECT u_id, record FROM weiban_smart_form_users")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// What `scrm export` prints for the same request: u_id → line.
fn exported(sandbox: &scrm_sandbox::Sandbox) -> BTreeMap<String, String> {
    let out = scrm(sandbox)
        .args([
            "export",
            "weiban",
            "smart-form-users",
            "--param",
            "status=submit",
            "--rps",
            "200",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let key = match &v["u_id"] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (key, line.to_owned())
        })
        .collect()
}

fn assert_ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn sync_writes_every_record_once_with_the_summary_line() {
    let sandbox = sandbox(Faults::none());
    let dir = temp_dir("basic");
    let path = dir.join("scrm.db");
    let db = format!("sqlite:{}", path.display());
    let stdout = assert_ok(
        &sync_cmd(&sandbox, &db, &["--page-size", "40"])
            .output()
            .unwrap(),
    );
    let expected = sandbox.dataset().expected_count(&weiban_query());
    let pages = expected.div_ceil(40);
    assert_eq!(
        stdout.trim(),
        format!(
            "scrm sync: weiban smart-form-users into {db} (full run): {expected} inserted, 0 updated, 0 unchanged, {pages} pages, {pages} requests"
        )
    );
    let rows = stored(&path);
    assert_eq!(rows, exported(&sandbox), "content equal to scrm export's");
    // A rerun re-reads (the operation has no change filter) and changes nothing.
    let stdout = assert_ok(
        &sync_cmd(&sandbox, &db, &["--page-size", "40"])
            .output()
            .unwrap(),
    );
    assert!(
        stdout.contains(&format!("0 inserted, 0 updated, {expected} unchanged")),
        "{stdout}"
    );
}

#[test]
fn sync_survives_sigkill_at_random_moments() {
    let sandbox = sandbox(Faults {
        server_error_every: Some(5),
        drop_every: Some(7),
        empty_page_every: Some(6),
        latency: Duration::from_millis(3),
        ..Faults::none()
    });
    let dir = temp_dir("sigkill");
    let path = dir.join("scrm.db");
    let db = format!("sqlite:{}", path.display());
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut kills = Vec::new();
    let mut last = 0;
    for round in 0..6 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = 30 + seed % 400;
        // Every other run prefetches pages: the bookmark still follows the committed ones.
        let concurrency = if round % 2 == 0 { "1" } else { "3" };
        let mut child = sync_cmd(
            &sandbox,
            &db,
            &[
                "--page-size",
                "5",
                "--max-attempts",
                "6",
                "--rps",
                "100",
                "--concurrency",
                concurrency,
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        kills.push((delay, status.code()));
        if path.exists() {
            let n = stored(&path).len();
            assert!(
                n >= last,
                "rows never disappear ({n} after {last}; kills {kills:?})"
            );
            last = n;
        }
    }
    let killed = kills.iter().filter(|(_, code)| code.is_none()).count();
    assert!(killed >= 3, "most runs are killed mid-sync: {kills:?}");
    let out = sync_cmd(&sandbox, &db, &["--page-size", "10", "--max-attempts", "6"])
        .output()
        .unwrap();
    assert_ok(&out);
    sandbox.clear_faults();
    let rows = stored(&path);
    let expected = exported(&sandbox);
    assert_eq!(
        rows.len(),
        sandbox.dataset().expected_count(&weiban_query()),
        "kills {kills:?}"
    );
    assert_eq!(
        rows, expected,
        "every record exactly once, as exported (kills {kills:?})"
    );
}

#[test]
fn two_concurrent_syncs_of_one_stream() {
    let sandbox = sandbox(Faults {
        latency: Duration::from_millis(20),
        ..Faults::none()
    });
    let dir = temp_dir("concurrent");
    let path = dir.join("scrm.db");
    let db = format!("sqlite:{}", path.display());
    let children: Vec<_> = (0..2)
        .map(|_| {
            sync_cmd(&sandbox, &db, &["--page-size", "20"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut ok = 0;
    for out in &outs {
        if out.status.success() {
            ok += 1;
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(
                stderr.contains("another scrm sync of weiban smart-form-users"),
                "{stderr}"
            );
            assert!(stderr.contains(&db), "{stderr}");
        }
    }
    assert!(ok >= 1);
    assert_eq!(stored(&path), exported(&sandbox));
}

#[test]
fn the_default_database_and_scrm_db() {
    let sandbox = sandbox(Faults::none());
    let dir = temp_dir("default");
    let out = scrm(&sandbox)
        .current_dir(&dir)
        .args([
            "sync",
            "weiban",
            "smart-form-users",
            "--param",
            "status=submit",
        ])
        .output()
        .unwrap();
    assert!(assert_ok(&out).contains("into sqlite:scrm.db (full run)"));
    assert!(dir.join("scrm.db").exists());
    let out = scrm(&sandbox)
        .current_dir(&dir)
        .env("SCRM_DB", "sqlite:other.db")
        .args([
            "sync",
            "weiban",
            "smart-form-users",
            "--param",
            "status=submit",
        ])
        .output()
        .unwrap();
    assert!(assert_ok(&out).contains("into sqlite:other.db"));
    assert_eq!(
        stored(&dir.join("other.db")).len(),
        stored(&dir.join("scrm.db")).len()
    );
}

#[test]
fn bad_databases_fail_with_what_to_do() {
    let sandbox = sandbox(Faults::none());
    let out = sync_cmd(&sandbox, "mysql://db/crm", &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("sqlite:PATH or postgres://"), "{stderr}");

    let out = sync_cmd(&sandbox, "sqlite:/nonexistent-dir/x/scrm.db", &[])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("database sqlite:/nonexistent-dir/x/scrm.db"),
        "{stderr}"
    );
    assert!(stderr.contains("directory exists"), "{stderr}");

    let out = sync_cmd(&sandbox, "postgres://scrm:hunter2@127.0.0.1:1/crm", &[])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("postgres://scrm:***@127.0.0.1:1/crm"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn an_operation_without_a_primary_key_is_refused_before_the_database_is_opened() {
    let sandbox = sandbox(Faults::none());
    let dir = temp_dir("no-key");
    let db = dir.join("scrm.db");
    let out = scrm(&sandbox)
        .args(["sync", "weiban", "staff", "--db"])
        .arg(format!("sqlite:{}", db.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("weiban staff declares no primary key"),
        "{stderr}"
    );
    assert!(!stderr.contains("database :"), "{stderr}");
    assert!(!db.exists(), "no database file is created");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sync_help_documents_every_operation() {
    let out = Command::new(env!("CARGO_BIN_EXE_scrm"))
        .args(["sync", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for op in scrm_cli::vendors::OpRef::all() {
        let info = op.info();
        let line = format!("{} {} → table {}", info.vendor, info.name, info.table());
        assert!(help.contains(&line), "{line} missing:\n{help}");
    }
    assert!(help.contains("SCRM_DB"), "{help}");
}

#[test]
fn sync_into_postgres() {
    let Ok(url) = std::env::var("SCRM_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "SCRM_TEST_POSTGRES_URL is not set and CI=true: the PostgreSQL tests must run"
        );
        eprintln!("skipped sync_into_postgres: set SCRM_TEST_POSTGRES_URL to run it");
        return;
    };
    let schema = format!("scrm_cli_test_{}", std::process::id());
    let psql = |sql: &str| {
        let status = Command::new("psql")
            .args([url.as_str(), "-qc", sql])
            .status();
        assert!(status.is_ok_and(|s| s.success()), "psql {sql}");
    };
    psql(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ));
    let sep = if url.contains('?') { '&' } else { '?' };
    let db = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let sandbox = sandbox(Faults::none());
    let expected = sandbox.dataset().expected_count(&weiban_query());
    let stdout = assert_ok(&sync_cmd(&sandbox, &db, &[]).output().unwrap());
    assert!(
        stdout.contains(&format!("{expected} inserted, 0 updated, 0 unchanged")),
        "{stdout}"
    );
    let stdout = assert_ok(&sync_cmd(&sandbox, &db, &["--full"]).output().unwrap());
    assert!(
        stdout.contains(&format!("0 inserted, 0 updated, {expected} unchanged")),
        "{stdout}"
    );
    psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}

/// A newest-first keyset (tanma customer files): a rerun after the sandbox added records reads
/// from the start and stops at the first one already stored.
#[test]
fn an_incremental_rerun_of_a_newest_first_list_reads_only_the_new_records() {
    let sandbox = sandbox(Faults::none());
    let dir = temp_dir("newest-first");
    let path = dir.join("scrm.db");
    let db = format!("sqlite:{}", path.display());
    let run = || {
        let mut cmd = scrm(&sandbox);
        cmd.args([
            "sync",
            "tanma",
            "customer-files",
            "--db",
            &db,
            "--page-size",
            "20",
            "--rps",
            "200",
        ]);
        assert_ok(&cmd.output().unwrap())
    };
    let first = run();
    let total = sandbox
        .dataset()
        .expected("tanma", "customer-files", &serde_json::json!({}))
        .unwrap()
        .len();
    let pages = total.div_ceil(20);
    assert!(
        first.contains(&format!(
            "{total} inserted, 0 updated, 0 unchanged, {pages} pages"
        )),
        "{first}"
    );
    sandbox.append("tanma", "customer-files", 5).unwrap();
    let second = run();
    // One page: the 5 new records, then the first stored one ends the run.
    assert!(
        second
            .contains("(incremental run): 5 inserted, 0 updated, 1 unchanged, 1 pages, 1 requests"),
        "{second}"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM tanma_customer_files", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows as usize, total + 5);
}

/// An update feed (weiban customer-updates, seconds): a rerun after the sandbox added and
/// changed records reads only those, in far fewer requests than the first full run.
#[test]
fn an_incremental_rerun_of_an_update_feed_reads_the_additions_and_changes() {
    let sandbox = sandbox(Faults::none());
    let dir = temp_dir("updates");
    let path = dir.join("scrm.db");
    let db = format!("sqlite:{}", path.display());
    let run = || {
        let mut cmd = scrm(&sandbox);
        cmd.args([
            "sync",
            "weiban",
            "customer-updates",
            "--param",
            "source=external_user",
            "--db",
            &db,
            "--page-size",
            "20",
            "--rps",
            "200",
        ]);
        assert_ok(&cmd.output().unwrap())
    };
    let first = run();
    let total = sandbox
        .dataset()
        .expected(
            "weiban",
            "customer-updates",
            &serde_json::json!({"source": "external_user"}),
        )
        .unwrap()
        .len();
    let pages = total.div_ceil(20);
    assert!(pages > 3, "{total} records");
    assert!(
        first.contains(&format!(
            "(full run): {total} inserted, 0 updated, 0 unchanged"
        )),
        "{first}"
    );
    sandbox.append("weiban", "customer-updates", 3).unwrap();
    sandbox.change("weiban", "customer-updates", 4).unwrap();
    let second = run();
    assert!(
        second
            .contains("(incremental run): 3 inserted, 4 updated, 0 unchanged, 1 pages, 1 requests"),
        "{second}"
    );
}
