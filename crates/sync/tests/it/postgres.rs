//! The PostgreSQL sink against a real server (`SCRM_TEST_POSTGRES_URL`), one schema per test.

use std::sync::atomic::{AtomicU32, Ordering};

use scrm_sync::{Mode, PostgresSink, Sink, StreamSpec, SyncErrorKind, SyncOptions, sync};
use serde_json::json;

use crate::double::{ALL, Double, NEWEST, UPDATES};
use crate::postgres_url;

/// A raw client, and a fresh schema dropped when the guard goes.
pub struct Schema {
    pub name: String,
    pub client: tokio_postgres::Client,
}

impl Schema {
    pub async fn new(url: &str, test: &str) -> Schema {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "scrm_test_{test}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .await
            .unwrap();
        client
            .batch_execute(&format!("SET search_path TO {name}"))
            .await
            .unwrap();
        Schema { name, client }
    }

    /// `url` with this schema as its search path.
    pub fn url(&self, url: &str) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{}", self.name)
    }

    pub async fn drop(self) {
        let _ = self
            .client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
            .await;
    }

    pub async fn rows(&self, table: &str) -> Vec<(String, serde_json::Value)> {
        self.client
            .query(
                &format!("SELECT id, record::text FROM {table} ORDER BY id::bigint"),
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let record: String = r.get(1);
                (r.get(0), serde_json::from_str(&record).unwrap())
            })
            .collect()
    }
}

#[tokio::test]
async fn postgres_full_incremental_and_newest_first() {
    let Some(url) = postgres_url("postgres_full_incremental_and_newest_first") else {
        return;
    };
    let schema = Schema::new(&url, "inc").await;
    let double = Double::start(95).await;
    let client = double.client();
    let mut sink = PostgresSink::connect(&url)
        .await
        .unwrap()
        .schema(&schema.name)
        .await
        .unwrap();
    let first = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((first.inserted, first.pages, first.requests), (95, 10, 10));
    double.change(&[1, 2]);
    double.add(1);
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
        (
            second.inserted,
            second.updated,
            second.unchanged,
            second.requests
        ),
        (1, 2, 0, 1)
    );
    let rows = schema.rows("demo_item_updates").await;
    let items = double.items();
    assert_eq!(rows.len(), items.len());
    for ((id, record), item) in rows.iter().zip(&items) {
        assert_eq!(id, &item.id.to_string());
        assert_eq!(record["name"], json!(item.name));
    }
    let ty: String = schema
        .client
        .query_one(
            "SELECT data_type::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'demo_item_updates' AND column_name = 'record'",
            &[&schema.name],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(ty, "jsonb");
    let full = sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default().full(true),
    )
    .await
    .unwrap();
    assert_eq!((full.inserted, full.updated, full.unchanged), (0, 0, 96));

    let n1 = sync(
        &client,
        NEWEST,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(n1.inserted, 96);
    double.add(2);
    let n2 = sync(
        &client,
        NEWEST,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((n2.inserted, n2.requests), (2, 1));
    schema.drop().await;
}

#[tokio::test]
async fn postgres_lock_refuses_a_second_run() {
    let Some(url) = postgres_url("postgres_lock_refuses_a_second_run") else {
        return;
    };
    let schema = Schema::new(&url, "lock").await;
    let double = Double::start(10).await;
    let client = double.client();
    let mut first = PostgresSink::connect(&schema.url(&url)).await.unwrap();
    let spec = StreamSpec::new(scrm_core::registry::DynOperation::info(ALL), &json!({})).unwrap();
    first.open(&spec).await.unwrap();
    let mut second = PostgresSink::connect(&schema.url(&url)).await.unwrap();
    let e = sync(&client, ALL, json!({}), &mut second, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Locked, "{}", e.error);
    assert_eq!(double.calls("/items/all"), 0);
    first.close(&spec).await.unwrap();
    let ok = sync(&client, ALL, json!({}), &mut second, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(ok.inserted, 10);
    // A connection that dies (a crashed process) releases its lock with it.
    first.open(&spec).await.unwrap();
    drop(first);
    let mut third = PostgresSink::connect(&schema.url(&url)).await.unwrap();
    let mut tries = 0;
    loop {
        match sync(&client, ALL, json!({}), &mut third, SyncOptions::default()).await {
            Ok(s) => {
                assert_eq!(s.unchanged, 10);
                break;
            }
            // The server notices the closed connection a moment later.
            Err(e) if e.error.kind() == SyncErrorKind::Locked && tries < 50 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    schema.drop().await;
}

#[tokio::test]
async fn postgres_bad_input() {
    let Some(url) = postgres_url("postgres_bad_input") else {
        return;
    };
    // Unreachable: nothing listens on port 1; the password is not shown.
    let e = PostgresSink::connect("postgres://postgres:hunter2@127.0.0.1:1/test")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), SyncErrorKind::Database);
    let text = e.to_string();
    assert!(
        text.contains("postgres://postgres:***@127.0.0.1:1/test"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("check that the server is running"), "{text}");

    let schema = Schema::new(&url, "bad").await;
    let double = Double::start(5).await;
    let client = double.client();
    // Read-only.
    let ro = format!(
        "{}%20-cdefault_transaction_read_only%3Don",
        schema.url(&url)
    );
    let mut sink = PostgresSink::connect(&ro).await.unwrap();
    let e = sync(&client, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Database);
    assert!(e.error.to_string().contains("read-only"), "{}", e.error);

    // A conflicting table.
    schema
        .client
        .batch_execute("CREATE TABLE demo_items_all (name TEXT PRIMARY KEY, record TEXT); INSERT INTO demo_items_all VALUES ('mine', 'precious')")
        .await
        .unwrap();
    let mut sink = PostgresSink::connect(&schema.url(&url)).await.unwrap();
    let e = sync(&client, ALL, json!({}), &mut sink, SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.error.kind(), SyncErrorKind::Schema, "{}", e.error);
    let kept: String = schema
        .client
        .query_one("SELECT record FROM demo_items_all", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, "precious");

    // A corrupt bookmark.
    sync(
        &client,
        UPDATES,
        json!({}),
        &mut sink,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    schema
        .client
        .batch_execute("UPDATE _scrm_state SET bookmark = '{\"version\": \"one\"}'::jsonb")
        .await
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
    assert_eq!(e.error.kind(), SyncErrorKind::Bookmark, "{}", e.error);
    assert!(e.error.to_string().contains("--full"));
    assert_eq!(schema.rows("demo_item_updates").await.len(), 5);
    schema.drop().await;
}
