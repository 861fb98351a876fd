//! Durable push deduplication for `scrm listen --db`: which (vendor, event id) pairs were
//! handled, and the events themselves.
//!
//! [`DbSeenStore`] implements `scrm_core::push::SeenStore` (re-exported here with [`Claim`]).
//!
//! Tables: `_scrm_push_seen` (vendor, id, state `in_flight`|`done`, claimed_at) and
//! `_scrm_push_events` (vendor, id, type, received_at, event — TEXT with JSON in SQLite,
//! `jsonb` in PostgreSQL).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use scrm_sync::seen::{Claim, DbSeenStore, PushEvent, SeenStore};
//! let dir = std::env::temp_dir().join(format!("scrm-seen-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let url = format!("sqlite:{}", dir.join("push.db").display());
//! let store = DbSeenStore::connect(&url).await?;
//! let _ = std::fs::remove_file(dir.join("push.db")); // a fresh database every run of the example
//! let store = DbSeenStore::connect(&url).await?;
//! assert_eq!(store.claim("weiban", "ev-1").await?, Claim::New);
//! assert_eq!(store.claim("weiban", "ev-1").await?, Claim::InFlight);
//! let event = PushEvent::new("weiban", "ev-1", "meeting_change", "2026-12-01T08:00:00Z", r#"{"id":"ev-1"}"#);
//! store.record_event(&event).await?; // the event stored and marked done, in one transaction
//! assert_eq!(store.claim("weiban", "ev-1").await?, Claim::Seen);
//! # Ok(()) }
//! ```

use std::time::Duration;

use scrm_core::{Error, ErrorKind};

use crate::bookmark::now;
use crate::error::{SyncError, SyncErrorKind};
use crate::url::DatabaseUrl;

pub use scrm_core::push::{Claim, SeenStore};

/// How long a claim lasts before a handler that crashed is presumed gone.
pub const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(60);

/// One received push, as `scrm listen` writes it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PushEvent<'a> {
    /// `weiban`, `tanma` or `waiqin`.
    pub vendor: &'a str,
    /// The event id.
    pub id: &'a str,
    /// The event type.
    pub event_type: &'a str,
    /// When it was received (RFC 3339).
    pub received_at: &'a str,
    /// The event as JSON text.
    pub event: &'a str,
}

impl<'a> PushEvent<'a> {
    /// An event.
    pub fn new(
        vendor: &'a str,
        id: &'a str,
        event_type: &'a str,
        received_at: &'a str,
        event: &'a str,
    ) -> Self {
        PushEvent {
            vendor,
            id,
            event_type,
            received_at,
            event,
        }
    }
}

enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(std::sync::Arc<std::sync::Mutex<rusqlite::Connection>>),
    #[cfg(feature = "postgres")]
    Postgres(tokio_postgres::Client),
}

/// A [`SeenStore`] in an SQLite or PostgreSQL database, with the events table.
pub struct DbSeenStore {
    backend: Backend,
    name: String,
    lease: Duration,
}

impl std::fmt::Debug for DbSeenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSeenStore")
            .field("database", &self.name)
            .finish_non_exhaustive()
    }
}

fn core_error(name: &str, message: String) -> Error {
    Error::new(ErrorKind::Transport, format!("database {name}: {message}"))
}

#[cfg(feature = "sqlite")]
const SQLITE_SCHEMA: &str = "BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS _scrm_push_seen (
    vendor TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL, claimed_at INTEGER NOT NULL,
    PRIMARY KEY (vendor, id));
CREATE TABLE IF NOT EXISTS _scrm_push_events (
    vendor TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, received_at TEXT NOT NULL,
    event TEXT NOT NULL, PRIMARY KEY (vendor, id));
COMMIT;";

#[cfg(feature = "postgres")]
const POSTGRES_SCHEMA: &str = "BEGIN;
SELECT pg_advisory_xact_lock(hashtext('scrm_sync ddl'));
CREATE TABLE IF NOT EXISTS _scrm_push_seen (
    vendor TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL, claimed_at BIGINT NOT NULL,
    PRIMARY KEY (vendor, id));
CREATE TABLE IF NOT EXISTS _scrm_push_events (
    vendor TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL,
    event JSONB NOT NULL, PRIMARY KEY (vendor, id));
COMMIT;";

impl DbSeenStore {
    /// Opens the store in the database of `url` (`sqlite:PATH` or `postgres://…`), creating
    /// its tables when missing.
    pub async fn connect(url: &str) -> Result<Self, SyncError> {
        let parsed = DatabaseUrl::parse(url)?;
        let name = parsed.display();
        let backend = match parsed {
            #[cfg(feature = "sqlite")]
            DatabaseUrl::Sqlite(path) => {
                let n = name.clone();
                let conn = tokio::task::spawn_blocking(move || {
                    let conn = crate::sqlite::open_connection(&path, &n)?;
                    conn.execute_batch(SQLITE_SCHEMA).map_err(|e| {
                        let _ = conn.execute_batch("ROLLBACK");
                        SyncError::new(
                            SyncErrorKind::Database,
                            n.clone(),
                            crate::sqlite::explain(&e),
                        )
                    })?;
                    Ok::<_, SyncError>(conn)
                })
                .await
                .map_err(|e| {
                    SyncError::new(SyncErrorKind::Database, name.clone(), e.to_string())
                })??;
                Backend::Sqlite(std::sync::Arc::new(std::sync::Mutex::new(conn)))
            }
            #[cfg(feature = "postgres")]
            DatabaseUrl::Postgres(u) => {
                let client = crate::postgres::connect_client(&u, &name).await?;
                client.batch_execute(POSTGRES_SCHEMA).await.map_err(|e| {
                    SyncError::new(
                        SyncErrorKind::Database,
                        name.clone(),
                        crate::postgres::explain(&e),
                    )
                })?;
                Backend::Postgres(client)
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(SyncError::new(
                    SyncErrorKind::Usage,
                    other.display(),
                    "this build has no store for that database",
                ));
            }
        };
        Ok(DbSeenStore {
            backend,
            name,
            lease: DEFAULT_CLAIM_LEASE,
        })
    }

    /// How long a claim lasts before its handler is presumed gone ([`DEFAULT_CLAIM_LEASE`]).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The database's display name.
    pub fn database(&self) -> &str {
        &self.name
    }

    /// Stores `event` and marks its (vendor, id) done, in one transaction. Storing an event
    /// already stored changes nothing.
    pub async fn record_event(&self, event: &PushEvent<'_>) -> Result<(), Error> {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(conn) => {
                let (v, i, t, r, e) = (
                    event.vendor.to_owned(),
                    event.id.to_owned(),
                    event.event_type.to_owned(),
                    event.received_at.to_owned(),
                    event.event.to_owned(),
                );
                let at = now();
                self.sqlite(conn, move |c| {
                    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                    tx.execute(
                        "INSERT INTO _scrm_push_events (vendor, id, type, received_at, event) \
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (vendor, id) DO NOTHING",
                        rusqlite::params![v, i, t, r, e],
                    )?;
                    tx.execute(
                        "INSERT INTO _scrm_push_seen (vendor, id, state, claimed_at) VALUES (?1, ?2, 'done', ?3) \
                         ON CONFLICT (vendor, id) DO UPDATE SET state = 'done'",
                        rusqlite::params![v, i, at],
                    )?;
                    tx.commit()
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(client) => {
                let err =
                    |e: tokio_postgres::Error| core_error(&self.name, crate::postgres::explain(&e));
                // One round trip, one implicit transaction: both statements or neither.
                client
                    .execute(
                        "WITH ev AS (INSERT INTO _scrm_push_events (vendor, id, type, received_at, event) \
                         VALUES ($1, $2, $3, ($4::text)::timestamptz, ($5::text)::jsonb) ON CONFLICT (vendor, id) DO NOTHING) \
                         INSERT INTO _scrm_push_seen (vendor, id, state, claimed_at) VALUES ($1, $2, 'done', $6) \
                         ON CONFLICT (vendor, id) DO UPDATE SET state = 'done'",
                        &[&event.vendor, &event.id, &event.event_type, &event.received_at, &event.event, &now()],
                    )
                    .await
                    .map_err(err)?;
                Ok(())
            }
        }
    }

    #[cfg(feature = "sqlite")]
    async fn sqlite<T: Send + 'static>(
        &self,
        conn: &std::sync::Arc<std::sync::Mutex<rusqlite::Connection>>,
        f: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, Error> {
        let conn = conn.clone();
        let name = self.name.clone();
        let name2 = self.name.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn
                .lock()
                .map_err(|_| core_error(&name, "an earlier call panicked".into()))?;
            f(&mut c).map_err(|e| core_error(&name, crate::sqlite::explain(&e)))
        })
        .await
        .map_err(|e| core_error(&name2, e.to_string()))?
    }
}

#[async_trait::async_trait]
impl SeenStore for DbSeenStore {
    async fn claim(&self, vendor: &str, id: &str) -> Result<Claim, Error> {
        let at = now();
        let stale_before = at - self.lease.as_secs() as i64;
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(conn) => {
                let (v, i) = (vendor.to_owned(), id.to_owned());
                self.sqlite(conn, move |c| {
                    use rusqlite::OptionalExtension;
                    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                    let found: Option<(String, i64)> = tx
                        .query_row(
                            "SELECT state, claimed_at FROM _scrm_push_seen WHERE vendor = ?1 AND id = ?2",
                            rusqlite::params![v, i],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    let claim = match found {
                        Some((state, _)) if state == "done" => Claim::Seen,
                        Some((_, claimed)) if claimed >= stale_before => Claim::InFlight,
                        _ => {
                            tx.execute(
                                "INSERT INTO _scrm_push_seen (vendor, id, state, claimed_at) VALUES (?1, ?2, 'in_flight', ?3) \
                                 ON CONFLICT (vendor, id) DO UPDATE SET state = 'in_flight', claimed_at = excluded.claimed_at",
                                rusqlite::params![v, i, at],
                            )?;
                            Claim::New
                        }
                    };
                    tx.commit()?;
                    Ok(claim)
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(client) => {
                let err =
                    |e: tokio_postgres::Error| core_error(&self.name, crate::postgres::explain(&e));
                let won = client
                    .query_opt(
                        "INSERT INTO _scrm_push_seen (vendor, id, state, claimed_at) VALUES ($1, $2, 'in_flight', $3) \
                         ON CONFLICT (vendor, id) DO UPDATE SET claimed_at = excluded.claimed_at \
                         WHERE _scrm_push_seen.state = 'in_flight' AND _scrm_push_seen.claimed_at < $4 \
                         RETURNING 1",
                        &[&vendor, &id, &at, &stale_before],
                    )
                    .await
                    .map_err(err)?;
                if won.is_some() {
                    return Ok(Claim::New);
                }
                let state: Option<String> = client
                    .query_opt(
                        "SELECT state FROM _scrm_push_seen WHERE vendor = $1 AND id = $2",
                        &[&vendor, &id],
                    )
                    .await
                    .map_err(err)?
                    .map(|r| r.get(0));
                Ok(match state.as_deref() {
                    Some("done") => Claim::Seen,
                    _ => Claim::InFlight,
                })
            }
        }
    }

    async fn complete(&self, vendor: &str, id: &str) -> Result<(), Error> {
        let at = now();
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(conn) => {
                let (v, i) = (vendor.to_owned(), id.to_owned());
                self.sqlite(conn, move |c| {
                    c.execute(
                        "INSERT INTO _scrm_push_seen (vendor, id, state, claimed_at) VALUES (?1, ?2, 'done', ?3) \
                         ON CONFLICT (vendor, id) DO UPDATE SET state = 'done'",
                        rusqlite::params![v, i, at],
                    )
                    .map(|_| ())
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(client) => {
                client
                    .execute(
                        "INSERT INTO _scrm_push_seen (vendor, id, state, claimed_at) VALUES ($1, $2, 'done', $3) \
                         ON CONFLICT (vendor, id) DO UPDATE SET state = 'done'",
                        &[&vendor, &id, &at],
                    )
                    .await
                    .map_err(|e| core_error(&self.name, crate::postgres::explain(&e)))?;
                Ok(())
            }
        }
    }

    async fn release(&self, vendor: &str, id: &str) -> Result<(), Error> {
        match &self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(conn) => {
                let (v, i) = (vendor.to_owned(), id.to_owned());
                self.sqlite(conn, move |c| {
                    c.execute(
                        "DELETE FROM _scrm_push_seen WHERE vendor = ?1 AND id = ?2 AND state = 'in_flight'",
                        rusqlite::params![v, i],
                    )
                    .map(|_| ())
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(client) => {
                client
                    .execute(
                        "DELETE FROM _scrm_push_seen WHERE vendor = $1 AND id = $2 AND state = 'in_flight'",
                        &[&vendor, &id],
                    )
                    .await
                    .map_err(|e| core_error(&self.name, crate::postgres::explain(&e)))?;
                Ok(())
            }
        }
    }
}
