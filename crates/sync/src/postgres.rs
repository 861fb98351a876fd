//! The PostgreSQL sink (`tokio-postgres`, no TLS: for a database on the same host or a
//! private network).

use std::time::Duration;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};

use crate::error::{SyncError, SyncErrorKind};
use crate::sink::{PageCounts, PageWrite, Sink, quote};
use crate::stream::{ColumnType, CursorValue, StreamSpec};
use crate::url::redact_url;

/// Syncs into a PostgreSQL database.
///
/// ```no_run
/// # async fn run() -> Result<(), scrm_sync::SyncError> {
/// let sink = scrm_sync::PostgresSink::connect("postgres://postgres@127.0.0.1:5432/test")
///     .await?
///     .schema("crm")
///     .await?;
/// # Ok(()) }
/// ```
pub struct PostgresSink {
    client: Client,
    name: String,
    locked: Option<String>,
    /// The open stream's per-page statements, prepared on its first page.
    prepared: Option<Prepared>,
}

/// A stream's per-page statements, prepared once per stream.
struct Prepared {
    /// The table and the `refresh` they were prepared for (both fixed for a run).
    table: String,
    refresh: bool,
    /// The rows' upsert ([`upsert_sql`]).
    upsert: Statement,
    /// The `_scrm_state` upsert.
    state: Statement,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("database", &self.name)
            .finish_non_exhaustive()
    }
}

/// A message a user can act on for a PostgreSQL error.
pub(crate) fn explain(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let advice = match code {
            "25006" => {
                "the database is read-only (a read-only transaction or standby): use a writable primary"
            }
            "42501" => "permission denied: grant the user CREATE and write rights on the schema",
            "3D000" => "the database does not exist: check the database name in the URL",
            "28P01" | "28000" => "authentication failed: check the user and password in the URL",
            "53100" => "the disk is full: free some space and run again",
            _ => "",
        };
        let detail = format!("{} (SQLSTATE {code})", db.message());
        if advice.is_empty() {
            return detail;
        }
        return format!("{advice}: {detail}");
    }
    if e.is_closed() {
        return "the connection to PostgreSQL was closed: check that the server is running and run again".to_owned();
    }
    format!(
        "cannot reach PostgreSQL ({e}): check that the server is running and the host and port in the URL"
    )
}

impl PostgresSink {
    /// Connects to `url` (`postgres://user[:password]@host:port/dbname`).
    pub async fn connect(url: &str) -> Result<Self, SyncError> {
        let name = redact_url(url);
        let client = connect_client(url, &name).await?;
        Ok(PostgresSink {
            client,
            name,
            locked: None,
            prepared: None,
        })
    }

    /// Uses (creating when missing) the schema `schema` instead of the connection's default.
    pub async fn schema(mut self, schema: &str) -> Result<Self, SyncError> {
        let q = quote(schema);
        self.client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {q}; SET search_path TO {q}"
            ))
            .await
            .map_err(|e| self.err(e))?;
        self.name = format!("{} (schema {schema})", self.name);
        Ok(self)
    }

    /// The database's display name (the URL without its password).
    pub fn database(&self) -> &str {
        &self.name
    }

    fn err(&self, e: tokio_postgres::Error) -> SyncError {
        SyncError::new(SyncErrorKind::Database, self.name.clone(), explain(&e))
    }

    /// Runs a `BEGIN; …; COMMIT;` batch; on failure rolls back, so the session stays usable.
    async fn batch_tx(&self, sql: &str) -> Result<(), SyncError> {
        match self.client.batch_execute(sql).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK").await;
                Err(self.err(e))
            }
        }
    }

    async fn setup(&self) -> Result<(), SyncError> {
        self.batch_tx(
            "BEGIN;
                SELECT pg_advisory_xact_lock(hashtext('scrm_sync ddl'));
                CREATE TABLE IF NOT EXISTS _scrm_state (
                    vendor TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    filters TEXT NOT NULL,
                    bookmark JSONB NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    PRIMARY KEY (vendor, operation, filters)
                );
                COMMIT;",
        )
        .await
    }
}

pub(crate) async fn connect_client(url: &str, name: &str) -> Result<Client, SyncError> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
        SyncError::new(
            SyncErrorKind::Usage,
            name,
            format!(
                "not a usable PostgreSQL URL ({e}): use postgres://user[:password]@host:port/dbname"
            ),
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("scrm-sync");
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| SyncError::new(SyncErrorKind::Database, name, explain(&e)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "PostgreSQL connection ended");
        }
    });
    Ok(client)
}

fn sql_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Text => "TEXT",
        ColumnType::Integer => "BIGINT",
    }
}

fn lock_key(spec: &StreamSpec) -> String {
    let info = spec.info();
    format!(
        "scrm_sync stream {} {} {}",
        info.vendor,
        info.name,
        spec.filters()
    )
}

/// Saves a stream's bookmark: `$1` vendor, `$2` operation, `$3` filters, `$4` the bookmark.
const STATE_UPSERT: &str = "INSERT INTO _scrm_state (vendor, operation, filters, bookmark, updated_at) \
     VALUES ($1, $2, $3, ($4::text)::jsonb, now()) ON CONFLICT (vendor, operation, filters) \
     DO UPDATE SET bookmark = excluded.bookmark, updated_at = excluded.updated_at";

fn upsert_sql(spec: &StreamSpec, refresh: bool) -> String {
    let t = quote(spec.table());
    let mut cols: Vec<String> = spec.key_columns().iter().map(|c| quote(&c.name)).collect();
    let keys = cols.join(", ");
    let mut values: Vec<String> = (1..=cols.len()).map(|i| format!("${i}::text")).collect();
    let mut sets = Vec::new();
    if let Some(c) = spec.cursor_column() {
        cols.push(quote(&c.name));
        values.push(format!(
            "${}::{}",
            values.len() + 1,
            sql_type(c.ty).to_lowercase()
        ));
        sets.push(format!("{0} = excluded.{0}", quote(&c.name)));
    }
    cols.push("record".into());
    values.push(format!("(${}::text)::jsonb", values.len() + 1));
    sets.push("record = excluded.record".into());
    sets.push("_scrm_written_at = excluded._scrm_written_at".into());
    sets.push(format!(
        "_scrm_version = {t}._scrm_version + ({t}.record IS DISTINCT FROM excluded.record)::int"
    ));
    sets.push(format!(
        "_scrm_changed = ({t}.record IS DISTINCT FROM excluded.record)::int"
    ));
    let filter = if refresh {
        String::new()
    } else {
        format!(" WHERE {t}.record IS DISTINCT FROM excluded.record")
    };
    format!(
        "INSERT INTO {t} ({}, _scrm_written_at, _scrm_version, _scrm_changed) VALUES ({}, now(), 1, 1) \
         ON CONFLICT ({keys}) DO UPDATE SET {}{filter} RETURNING _scrm_version::bigint, _scrm_changed::bigint",
        cols.join(", "),
        values.join(", "),
        sets.join(", ")
    )
}

impl PostgresSink {
    async fn ensure_table(&self, spec: &StreamSpec) -> Result<(), SyncError> {
        let table = spec.table();
        let columns: Vec<(String, String)> = self
            .client
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
                &[&table],
            )
            .await
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        if columns.is_empty() {
            let mut defs: Vec<String> = spec
                .key_columns()
                .iter()
                .map(|c| format!("{} {} NOT NULL", quote(&c.name), sql_type(c.ty)))
                .collect();
            if let Some(c) = spec.cursor_column() {
                defs.push(format!("{} {}", quote(&c.name), sql_type(c.ty)));
            }
            defs.push("record JSONB NOT NULL".into());
            defs.push("_scrm_written_at TIMESTAMPTZ NOT NULL DEFAULT now()".into());
            defs.push("_scrm_version BIGINT NOT NULL DEFAULT 1".into());
            defs.push("_scrm_changed INTEGER NOT NULL DEFAULT 1".into());
            let pk: Vec<String> = spec.key_columns().iter().map(|c| quote(&c.name)).collect();
            defs.push(format!("PRIMARY KEY ({})", pk.join(", ")));
            self.batch_tx(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock(hashtext('scrm_sync ddl')); \
                 CREATE TABLE IF NOT EXISTS {} (\n  {}\n); COMMIT;",
                quote(table),
                defs.join(",\n  ")
            ))
            .await?;
            return Ok(());
        }
        let conflict = |why: String| {
            SyncError::new(
                SyncErrorKind::Schema,
                self.name.clone(),
                format!(
                    "table {table} exists with a schema scrm sync cannot use ({why}); it was left untouched: rename or drop it, or sync into another --db"
                ),
            )
        };
        let pk: Vec<String> = self
            .client
            .query(
                "SELECT a.attname::text FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = to_regclass($1) AND i.indisprimary \
                 ORDER BY array_position(i.indkey::int2[], a.attnum)",
                &[&quote(table)],
            )
            .await
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let want: Vec<&str> = spec.key_columns().iter().map(|c| c.name.as_str()).collect();
        if pk != want {
            return Err(conflict(format!(
                "its primary key is ({}), expected ({})",
                pk.join(", "),
                want.join(", ")
            )));
        }
        let has = |n: &str| columns.iter().find(|(c, _)| c == n);
        match has("record") {
            None => return Err(conflict("no column record".into())),
            Some((_, ty)) if ty != "jsonb" => {
                return Err(conflict(format!("column record is {ty}, expected jsonb")));
            }
            Some(_) => {}
        }
        let mut add = Vec::new();
        if let Some(c) = spec.cursor_column()
            && has(&c.name).is_none()
        {
            add.push(format!("{} {}", quote(&c.name), sql_type(c.ty)));
        }
        for (col, def) in [
            ("_scrm_written_at", "TIMESTAMPTZ NOT NULL DEFAULT now()"),
            ("_scrm_version", "BIGINT NOT NULL DEFAULT 1"),
            ("_scrm_changed", "INTEGER NOT NULL DEFAULT 1"),
        ] {
            if has(col).is_none() {
                add.push(format!("{col} {def}"));
            }
        }
        for def in add {
            tracing::info!(database = %self.name, table, column = def, "migrating: adding a column");
            self.client
                .batch_execute(&format!(
                    "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {def}",
                    quote(table)
                ))
                .await
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Sink for PostgresSink {
    fn database(&self) -> String {
        self.name.clone()
    }

    async fn open(&mut self, stream: &StreamSpec) -> Result<Option<String>, SyncError> {
        self.prepared = None;
        self.setup().await?;
        self.ensure_table(stream).await?;
        let key = lock_key(stream);
        let got: bool = self
            .client
            .query_one(
                "SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ' ' || $1, 0))",
                &[&key],
            )
            .await
            .map_err(|e| self.err(e))?
            .get(0);
        let info = stream.info();
        if !got {
            return Err(SyncError::new(
                SyncErrorKind::Locked,
                self.name.clone(),
                format!(
                    "another scrm sync of {} {} (filters {}) is running (it holds the stream's advisory lock); wait for it to finish",
                    info.vendor,
                    info.name,
                    stream.filters()
                ),
            ));
        }
        self.locked = Some(key);
        let row = self
            .client
            .query_opt(
                "SELECT bookmark::text FROM _scrm_state WHERE vendor = $1 AND operation = $2 AND filters = $3",
                &[&info.vendor, &info.name, &stream.filters()],
            )
            .await
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn commit_page(
        &mut self,
        stream: &StreamSpec,
        page: PageWrite,
    ) -> Result<PageCounts, SyncError> {
        let name = self.name.clone();
        let err = |e: tokio_postgres::Error| {
            SyncError::new(SyncErrorKind::Database, name.clone(), explain(&e))
        };
        let info = stream.info();
        let (upsert, state) = match &self.prepared {
            Some(p) if p.refresh == page.refresh && p.table == stream.table() => {
                (p.upsert.clone(), p.state.clone())
            }
            _ => {
                let upsert = self
                    .client
                    .prepare(&upsert_sql(stream, page.refresh))
                    .await
                    .map_err(err)?;
                let state = self.client.prepare(STATE_UPSERT).await.map_err(err)?;
                self.prepared = Some(Prepared {
                    table: stream.table().to_owned(),
                    refresh: page.refresh,
                    upsert: upsert.clone(),
                    state: state.clone(),
                });
                (upsert, state)
            }
        };
        let tx = self.client.transaction().await.map_err(err)?;
        let has_cursor = stream.cursor_column().is_some();
        let int_cursor = stream
            .cursor_column()
            .is_some_and(|c| c.ty == ColumnType::Integer);
        // Every row's parameters, owned, so all the upserts can be pipelined at once.
        let params: Vec<(Vec<&str>, Option<i64>, Option<&str>, &str)> = page
            .rows
            .iter()
            .map(|row| {
                let (i, s) = match &row.cursor {
                    Some(CursorValue::Integer(i)) => (Some(*i), None),
                    Some(CursorValue::Text(s)) => (None, Some(s.as_str())),
                    None => (None, None),
                };
                (
                    row.key.iter().map(String::as_str).collect(),
                    i,
                    s,
                    row.record.get(),
                )
            })
            .collect();
        let queries = params.iter().map(|(key, i, s, record)| {
            let mut p: Vec<&(dyn ToSql + Sync)> =
                key.iter().map(|k| k as &(dyn ToSql + Sync)).collect();
            if has_cursor {
                if int_cursor {
                    p.push(i);
                } else {
                    p.push(s);
                }
            }
            p.push(record);
            let tx = &tx;
            let stmt = &upsert;
            async move { tx.query_opt(stmt, &p).await }
        });
        let results = futures::future::try_join_all(queries).await.map_err(err)?;
        let mut counts = PageCounts::default();
        for r in results {
            counts.tally(r.map(|r| (r.get(0), r.get(1))));
        }
        tx.execute(
            &state,
            &[&info.vendor, &info.name, &stream.filters(), &page.bookmark],
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(counts)
    }

    async fn close(&mut self, _stream: &StreamSpec) -> Result<(), SyncError> {
        self.prepared = None;
        if let Some(key) = self.locked.take() {
            self.client
                .execute(
                    "SELECT pg_advisory_unlock(hashtextextended(current_schema() || ' ' || $1, 0))",
                    &[&key],
                )
                .await
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}
