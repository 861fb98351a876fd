//! The SQLite sink and the driver against the HTTP double.

use std::collections::BTreeMap;

use scrm_sync::{
    Mode, PageCounts, PageWrite, Sink, SqliteSink, StreamSpec, SyncError, SyncErrorKind,
    SyncOptions, sync,
};
use serde_json::json;

use crate::double::{ALL, DAYS, Double, GROUPED, NEWEST, Stored, UPDATES, china_date, now};
use crate::temp_dir;

/// Every row of `table`: key text → (record, version).
pub fn rows(
    path: &std::path::Path,
    table: &str,
    key: &str,
) -> BTreeMap<String, (serde_json::Value, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT \"{key}\", record, _scrm_version FROM \"{table}\""
        ))
        .unwrap();
    stmt.query_map([], |r| {
        let k: String = r.get(0)?;
        let record: String = r.get(1)?;
        let v: i64 = r.get(2)?;
        Ok((k, (serde_json::from_str(&record).unwrap(), v)))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The stored rows equal the double's items, each exactly once.
pub fn assert_same(rows: &BTreeMap<String, (serde_json::Value, i64)>, items: &[Stored]) {
    assert_eq!(rows.len(), items.len(), "row count");
    for item in items {
        let (record, _) = rows
            .get(&item.id.to_string())
            .unwrap_or_else(|| panic!("item {} missing", item.id));
        assert_eq!(record["id"], json!(item.id));
        assert_eq!(record["name"], json!(item.name));
        assert_eq!(record["updated_at"], json!(item.updated_at));
    }
}

#[tokio::test]
async fn full_then_incremental_reads_only_changes() {
    let double = Double::start(95).await;
    let client = double.client();
    let dir = temp_dir("incremental");
    let path = dir.join("scrm.db");
    let mut sink = SqliteSink::open(&path).unwrap();

    let first = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(first.mode, Some(Mode::Full));
    assert_eq!((first.inserted, first.updated, first.unchanged), (95, 0, 0));
    assert_eq!(first.pages, 10);
    assert_eq!(first.requests, 10);
    assert_eq!(double.calls("/items/updates"), 10);
    assert_same(&rows(&path, "demo_item_updates", "id"), &double.items());

    double.change(&[3, 50, 94]);
    double.add(2);
    let second = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(second.mode, Some(Mode::Incremental));
    assert_eq!(
        (second.inserted, second.updated, second.unchanged),
        (2, 3, 0)
    );
    assert!(
        second.requests * 2 < first.requests,
        "incremental {} requests vs full {}",
        second.requests,
        first.requests
    );
    assert_eq!(second.requests, 1);
    let stored = rows(&path, "demo_item_updates", "id");
    assert_same(&stored, &double.items());
    assert_eq!(stored["50"].1, 2, "a changed row's version is bumped");
    assert_eq!(stored["51"].1, 1);

    // Nothing changed: the safety window re-reads the last changes, which change nothing.
    let third = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((third.inserted, third.updated, third.unchanged), (0, 0, 5));

    // --full re-reads every page and rewrites every row (all unchanged).
    let full = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default().full(true),
    )
    .await
    .unwrap();
    assert_eq!(full.mode, Some(Mode::Full));
    assert_eq!((full.inserted, full.updated, full.unchanged), (0, 0, 97));
    assert_eq!(full.requests, 10);
}

#[tokio::test]
async fn the_request_window_a_user_sets_is_theirs() {
    let double = Double::start(30).await;
    let client = double.client();
    let dir = temp_dir("user-window");
    let mut sink = SqliteSink::open(dir.join("scrm.db")).unwrap();
    let request = json!({"updated_from": "0"});
    for _ in 0..2 {
        let s = sync(
            &client,
            UPDATES,
            request.clone(),
            &mut sink,
            SyncOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(s.mode, Some(Mode::Full));
        assert_eq!(s.requests, 3);
    }
}

#[tokio::test]
async fn newest_first_stops_at_the_first_stored_id() {
    let double = Double::start(45).await;
    let client = double.client();
    let dir = temp_dir("newest");
    let path = dir.join("scrm.db");
    let mut sink = SqliteSink::open(&path).unwrap();
    let first = sync(
        &client,
        NEWEST,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(first.inserted, 45);
    assert_eq!(first.requests, 5);
    double.add(3);
    let second = sync(
        &client,
        NEWEST,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(second.mode, Some(Mode::Incremental));
    assert!(second.stopped_early);
    assert_eq!(second.inserted, 3);
    assert_eq!(second.requests, 1);
    assert_same(&rows(&path, "demo_items_newest", "id"), &double.items());
    // The next run stops at the newest of the three.
    let third = sync(
        &client,
        NEWEST,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((third.inserted, third.unchanged, third.requests), (0, 1, 1));
}

#[tokio::test]
async fn operations_without_a_filter_are_reread_fully() {
    let double = Double::start(25).await;
    let client = double.client();
    let dir = temp_dir("no-filter");
    let mut sink = SqliteSink::open(dir.join("scrm.db")).unwrap();
    let first = sync(&client, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap();
    double.change(&[7]);
    let second = sync(&client, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(first.requests, second.requests);
    assert_eq!(
        (second.inserted, second.updated, second.unchanged),
        (0, 1, 24)
    );
}

#[tokio::test]
async fn keys_from_the_request_and_alternatives() {
    let double = Double::start(12).await;
    let client = double.client();
    let dir = temp_dir("keys");
    let path = dir.join("scrm.db");
    let mut sink = SqliteSink::open(&path).unwrap();
    for group in ["g1", "g2"] {
        let s = sync(
            &client,
            GROUPED,
            json!({"group": group}),
            &mut sink,
            SyncOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(s.inserted, 12);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare("SELECT \"group\", alias_or_id FROM demo_items_grouped ORDER BY 1, 2")
        .unwrap();
    let keys: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(keys.len(), 24);
    assert!(keys.contains(&("g1".into(), "a1".into())));
    assert!(
        keys.contains(&("g2".into(), "3".into())),
        "no alias: the id"
    );
    let states: i64 = conn
        .query_row(
            "SELECT count(*) FROM _scrm_state WHERE vendor = 'demo' AND operation = 'items-grouped'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(states, 2, "one bookmark per stream (filters)");
}

/// A sink that fails the commit of page `fail_at` (a crash between pages).
struct Crashing {
    inner: SqliteSink,
    commits: u32,
    fail_at: u32,
}

#[async_trait::async_trait]
impl Sink for Crashing {
    fn database(&self) -> String {
        self.inner.database().to_owned()
    }
    async fn open(&mut self, s: &StreamSpec) -> Result<Option<String>, SyncError> {
        self.inner.open(s).await
    }
    async fn commit_page(
        &mut self,
        s: &StreamSpec,
        page: PageWrite,
    ) -> Result<PageCounts, SyncError> {
        self.commits += 1;
        if self.commits == self.fail_at {
            return Err(SyncError::new(
                SyncErrorKind::Database,
                self.database(),
                "injected crash",
            ));
        }
        self.inner.commit_page(s, page).await
    }
    async fn close(&mut self, s: &StreamSpec) -> Result<(), SyncError> {
        // The lock of a process that died is recognized as stale (the CLI tests SIGKILL a
        // real one); this one lives on and releases it.
        self.inner.close(s).await
    }
}

#[tokio::test]
async fn a_crash_resumes_from_the_bookmark() {
    let double = Double::start(100).await;
    let client = double.client();
    let dir = temp_dir("resume");
    let path = dir.join("scrm.db");
    let mut crashing = Crashing {
        inner: SqliteSink::open(&path).unwrap(),
        commits: 0,
        fail_at: 4,
    };
    let e = sync(
        &client,
        UPDATES,
        json!({}),
        &mut crashing,
        SyncOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Database);
    assert_eq!(e.summary.inserted, 30);
    assert_eq!(rows(&path, "demo_item_updates", "id").len(), 30);
    drop(crashing);

    let mut sink = SqliteSink::open(&path).unwrap();
    let before = double.calls("/items/updates");
    let resumed = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.mode, Some(Mode::Full));
    // Page 4 was fetched but not committed: it is fetched again, then pages 5..10.
    assert_eq!(double.calls("/items/updates") - before, 7);
    assert_eq!((resumed.inserted, resumed.unchanged), (70, 0));
    assert_same(&rows(&path, "demo_item_updates", "id"), &double.items());
}

#[tokio::test]
async fn a_vendor_failure_keeps_what_was_committed() {
    let double = Double::start(50).await;
    double.state.lock().unwrap().fail_at = Some(3);
    let client = ClientWithOneAttempt::new(&double);
    let dir = temp_dir("vendor-failure");
    let path = dir.join("scrm.db");
    let mut sink = SqliteSink::open(&path).unwrap();
    let e = sync(&client.0, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Vendor);
    assert_eq!(e.summary.inserted, 20);
    let again = sync(&client.0, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap();
    assert!(again.resumed);
    assert_eq!(again.inserted, 30);
    assert_same(&rows(&path, "demo_items_all", "id"), &double.items());
}

struct ClientWithOneAttempt(scrm_core::Client<crate::double::Demo>);

impl ClientWithOneAttempt {
    fn new(double: &Double) -> Self {
        use scrm_core::Configure;
        use std::sync::Arc;
        ClientWithOneAttempt(
            scrm_core::ClientOptions::new(double.url(), scrm_core::RateLimit::unlimited(8))
                .retry_policy(scrm_core::RetryPolicy::default().max_attempts(1))
                .build(crate::double::Demo, Arc::new(NoSign))
                .unwrap(),
        )
    }
}

struct NoSign;
#[async_trait::async_trait]
impl scrm_core::Signer for NoSign {
    async fn sign(
        &self,
        _r: &mut scrm_core::HttpRequest,
        _c: &scrm_core::SignContext<'_>,
    ) -> Result<scrm_core::SignReceipt, scrm_core::Error> {
        Ok(scrm_core::SignReceipt::default())
    }
}

#[tokio::test]
async fn a_second_sync_of_the_stream_is_refused_while_one_runs() {
    let double = Double::start(10).await;
    let client = double.client();
    let dir = temp_dir("locked");
    let path = dir.join("scrm.db");
    let mut first = SqliteSink::open(&path).unwrap();
    let spec = StreamSpec::new(scrm_core::registry::DynOperation::info(ALL), &json!({})).unwrap();
    first.open(&spec).await.unwrap();
    let mut second = SqliteSink::open(&path).unwrap();
    let e = sync(&client, ALL, json!({}), &mut second, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Locked);
    let text = e.error.to_string();
    assert!(
        text.contains(&format!("sqlite:{}", path.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("pid {}", std::process::id())),
        "{text}"
    );
    assert_eq!(double.calls("/items/all"), 0, "refused before any request");
    // Another stream of the same database is not blocked.
    let other = sync(
        &client,
        UPDATES,
        json!({}),
        &mut second,
        SyncOptions::default(),
    )
    .await;
    assert!(other.is_ok());
    first.close(&spec).await.unwrap();
    let ok = sync(&client, ALL, json!({}), &mut second, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(ok.inserted, 10);
}

#[tokio::test]
async fn two_concurrent_syncs_of_one_stream_never_corrupt_it() {
    let double = Double::start(60).await;
    let dir = temp_dir("concurrent");
    let path = dir.join("scrm.db");
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let client = double.client();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut sink = SqliteSink::open(&path).unwrap();
            sync(&client, ALL, json!({}), &mut sink, SyncOptions::default()).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.error.kind(), SyncErrorKind::Locked, "{e}"),
        }
    }
    assert!(ok >= 1);
    assert_same(&rows(&path, "demo_items_all", "id"), &double.items());
}

#[tokio::test]
async fn a_corrupt_bookmark_is_refused_and_nothing_is_lost() {
    let double = Double::start(20).await;
    let client = double.client();
    let dir = temp_dir("corrupt");
    let path = dir.join("scrm.db");
    let mut sink = SqliteSink::open(&path).unwrap();
    sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE _scrm_state SET bookmark = '{\"version\":1,\"complete\":tru'",
        [],
    )
    .unwrap();
    let e = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Bookmark);
    let text = e.error.to_string();
    assert!(
        text.contains(&format!("sqlite:{}", path.display())),
        "{text}"
    );
    assert!(text.contains("--full"), "{text}");
    assert_eq!(rows(&path, "demo_item_updates", "id").len(), 20);
    // --full recovers: everything re-read, rows kept.
    let s = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default().full(true),
    )
    .await
    .unwrap();
    assert_eq!((s.inserted, s.unchanged), (0, 20));
}

#[tokio::test]
async fn a_conflicting_table_is_left_untouched() {
    let double = Double::start(5).await;
    let client = double.client();
    let dir = temp_dir("conflict");
    let path = dir.join("scrm.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE demo_items_all (name TEXT PRIMARY KEY, record TEXT); \
         INSERT INTO demo_items_all VALUES ('mine', 'precious');",
    )
    .unwrap();
    let mut sink = SqliteSink::open(&path).unwrap();
    let e = sync(&client, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Schema);
    let text = e.error.to_string();
    assert!(
        text.contains("demo_items_all") && text.contains("rename or drop it"),
        "{text}"
    );
    assert_eq!(double.calls("/items/all"), 0);
    let kept: String = conn
        .query_row(
            "SELECT record FROM demo_items_all WHERE name = 'mine'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, "precious");
}

#[tokio::test]
async fn an_older_table_is_migrated() {
    let double = Double::start(5).await;
    let client = double.client();
    let dir = temp_dir("migrate");
    let path = dir.join("scrm.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    // A table of an earlier layout: key and record only.
    conn.execute_batch(
        "CREATE TABLE demo_item_updates (id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL); \
         INSERT INTO demo_item_updates VALUES ('1', '{\"id\":1}');",
    )
    .unwrap();
    let mut sink = SqliteSink::open(&path).unwrap();
    let s = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((s.inserted, s.updated), (4, 1));
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('demo_item_updates')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for c in [
        "updated_at",
        "_scrm_written_at",
        "_scrm_version",
        "_scrm_changed",
    ] {
        assert!(cols.iter().any(|x| x == c), "{c} added: {cols:?}");
    }
    let typed: i64 = conn
        .query_row(
            "SELECT updated_at FROM demo_item_updates WHERE id = '2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(typed, double.items()[1].updated_at);
}

#[tokio::test]
async fn a_read_only_database_is_named_with_what_to_do() {
    let dir = temp_dir("readonly");
    let path = dir.join("scrm.db");
    drop(SqliteSink::open(&path).unwrap());
    // Root ignores permission bits: make the file immutable instead.
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let protect = |on: bool| {
        if root {
            let flag = if on { "+i" } else { "-i" };
            let ok = std::process::Command::new("chattr")
                .arg(flag)
                .arg(&path)
                .status()
                .unwrap()
                .success();
            assert!(ok, "chattr {flag} failed");
        } else {
            use std::os::unix::fs::PermissionsExt;
            let mode = if on { 0o444 } else { 0o644 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            std::fs::set_permissions(
                &dir,
                std::fs::Permissions::from_mode(if on { 0o555 } else { 0o755 }),
            )
            .unwrap();
        }
    };
    protect(true);
    let result = SqliteSink::open(&path);
    protect(false);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), SyncErrorKind::Database);
    let text = e.to_string();
    assert!(
        text.contains(&format!("sqlite:{}", path.display())),
        "{text}"
    );
    assert!(
        text.contains("read-only") || text.contains("permission"),
        "{text}"
    );
}

#[tokio::test]
async fn a_resumed_run_keeps_the_page_size_it_started_with() {
    let double = Double::start(100).await;
    let client = double.client();
    let dir = temp_dir("resume-size");
    let path = dir.join("scrm.db");
    let mut crashing = Crashing {
        inner: SqliteSink::open(&path).unwrap(),
        commits: 0,
        fail_at: 3,
    };
    let small = json!({"page_size": "5"});
    sync(&client, ALL, small, &mut crashing, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(rows(&path, "demo_items_all", "id").len(), 10);
    drop(crashing);
    // Resuming at page 3 with pages of 20 would skip records 11..40.
    let mut sink = SqliteSink::open(&path).unwrap();
    let resumed = sync(
        &client,
        ALL,
        json!({"page_size": "20"}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.inserted, 90);
    assert_same(&rows(&path, "demo_items_all", "id"), &double.items());
}

#[tokio::test]
async fn day_filters_reread_the_bookmarks_day() {
    let double = Double::start(30).await;
    {
        // Ten items changed three days ago, the rest an hour ago.
        let mut s = double.state.lock().unwrap();
        for item in s.items.iter_mut().take(10) {
            item.updated_at = now() - 3 * 86_400;
        }
    }
    let client = double.client();
    let dir = temp_dir("days");
    let path = dir.join("scrm.db");
    let mut sink = SqliteSink::open(&path).unwrap();
    let before = now();
    let first = sync(&client, DAYS, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap();
    let after = now();
    assert_eq!((first.inserted, first.requests), (30, 3));
    let full_body = double.state.lock().unwrap().day_bodies[0].clone();
    assert!(
        full_body.get("day_from").is_none(),
        "a full read sends no window: {full_body}"
    );

    double.change(&[25]);
    let second = sync(&client, DAYS, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap();
    let body = double
        .state
        .lock()
        .unwrap()
        .day_bodies
        .last()
        .unwrap()
        .clone();
    let from = body["day_from"].as_str().unwrap().to_owned();
    // The window starts on the day the previous run started (minus the 5-minute lag).
    assert!(
        from == china_date(before - 300) || from == china_date(after - 300),
        "day_from {from}"
    );
    assert_eq!(body["day_to"].as_str().unwrap(), china_date(now()));
    // Everything changed on or after that day is re-read; the old ten are not.
    let recent = double
        .items()
        .iter()
        .filter(|i| china_date(i.updated_at) >= from)
        .count() as u64;
    assert_eq!(second.records(), recent);
    assert_eq!(second.updated, 1);
    assert!(second.requests < first.requests);
    assert_same(&rows(&path, "demo_item_days", "id"), &double.items());
}
