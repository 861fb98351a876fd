//! The durable push-dedup store.

use std::sync::Arc;

use scrm_sync::seen::{Claim, DbSeenStore, PushEvent, SeenStore};

use crate::postgres::Schema;
use crate::{postgres_url, temp_dir};

async fn exercise(store: DbSeenStore, reopen: impl AsyncFn() -> DbSeenStore) {
    assert_eq!(store.claim("weiban", "e1").await.unwrap(), Claim::New);
    assert_eq!(store.claim("weiban", "e1").await.unwrap(), Claim::InFlight);
    assert_eq!(
        store.claim("tanma", "e1").await.unwrap(),
        Claim::New,
        "ids are per vendor"
    );
    store.release("weiban", "e1").await.unwrap();
    assert_eq!(
        store.claim("weiban", "e1").await.unwrap(),
        Claim::New,
        "released: claimable again"
    );
    let ev = PushEvent::new(
        "weiban",
        "e1",
        "meeting_change",
        "2026-12-01T08:00:00Z",
        r#"{"id":"e1","n":12345678901234567890}"#,
    );
    store.record_event(&ev).await.unwrap();
    store.record_event(&ev).await.unwrap();
    assert_eq!(store.claim("weiban", "e1").await.unwrap(), Claim::Seen);
    store.complete("tanma", "e1").await.unwrap();
    store.release("tanma", "e1").await.unwrap();
    assert_eq!(
        store.claim("tanma", "e1").await.unwrap(),
        Claim::Seen,
        "release does not undo complete"
    );
    drop(store);
    // Durable: a restarted listener sees the same.
    let store = reopen().await;
    assert_eq!(store.claim("weiban", "e1").await.unwrap(), Claim::Seen);
    // A claim whose handler crashed expires.
    let store = store.lease(std::time::Duration::ZERO);
    assert_eq!(store.claim("waiqin", "x").await.unwrap(), Claim::New);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        store.claim("waiqin", "x").await.unwrap(),
        Claim::New,
        "stale claim taken over"
    );
    // Concurrent claims: exactly one owner.
    let store = Arc::new(store.lease(std::time::Duration::from_secs(60)));
    let claims = futures::future::join_all((0..8).map(|_| {
        let s = store.clone();
        async move { s.claim("waiqin", "race").await.unwrap() }
    }))
    .await;
    assert_eq!(
        claims.iter().filter(|c| **c == Claim::New).count(),
        1,
        "{claims:?}"
    );
}

#[tokio::test]
async fn sqlite_seen_store() {
    let dir = temp_dir("seen");
    let url = format!("sqlite:{}", dir.join("push.db").display());
    let store = DbSeenStore::connect(&url).await.unwrap();
    exercise(store, async || DbSeenStore::connect(&url).await.unwrap()).await;
    let conn = rusqlite::Connection::open(dir.join("push.db")).unwrap();
    let (ty, event): (String, String) = conn
        .query_row(
            "SELECT type, event FROM _scrm_push_events WHERE vendor = 'weiban' AND id = 'e1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(ty, "meeting_change");
    assert!(
        event.contains("12345678901234567890"),
        "big numbers kept exactly"
    );
}

#[tokio::test]
async fn postgres_seen_store() {
    let Some(url) = postgres_url("postgres_seen_store") else {
        return;
    };
    let schema = Schema::new(&url, "seen").await;
    let u = schema.url(&url);
    let store = DbSeenStore::connect(&u).await.unwrap();
    exercise(store, async || DbSeenStore::connect(&u).await.unwrap()).await;
    let n: i64 = schema
        .client
        .query_one("SELECT count(*) FROM _scrm_push_events", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    schema.drop().await;
}
