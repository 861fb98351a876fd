//! The SQLite sink (bundled SQLite through `rusqlite`, run on tokio's blocking threads).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::bookmark::{now, now_rfc3339};
use crate::error::{SyncError, SyncErrorKind};
use crate::sink::{PageCounts, PageWrite, Sink, quote};
use crate::stream::{ColumnType, CursorValue, StreamSpec};

/// How long a stream's lock lasts without a page committed (it is renewed with every page).
pub const LOCK_LEASE: Duration = Duration::from_secs(600);

/// A stream's lock holder: this process, on this host.
#[derive(Clone, Debug)]
pub(crate) struct Holder {
    pub(crate) id: String,
    pub(crate) host: String,
    pub(crate) pid: u32,
}

impl Holder {
    pub(crate) fn new() -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "unknown-host".to_owned());
        Holder {
            id: uuid::Uuid::new_v4().to_string(),
            host,
            pid: std::process::id(),
        }
    }
}

/// Whether process `pid` on this host is gone (only known where `/proc` exists).
pub(crate) fn process_gone(pid: i64) -> bool {
    if !Path::new("/proc/self").exists() {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // A zombie has exited; only its exit status is left to collect.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// Syncs into an SQLite file.
///
/// ```
/// # fn main() -> Result<(), scrm_sync::SyncError> {
/// let dir = std::env::temp_dir().join(format!("scrm-sync-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).ok();
/// let sink = scrm_sync::SqliteSink::open(dir.join("scrm.db"))?;
/// assert!(sink.database().starts_with("sqlite:"));
/// # Ok(()) }
/// # use scrm_sync::Sink;
/// ```
pub struct SqliteSink {
    conn: Arc<Mutex<Connection>>,
    name: String,
    holder: Holder,
}

impl std::fmt::Debug for SqliteSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSink")
            .field("database", &self.name)
            .finish_non_exhaustive()
    }
}

/// A message a user can act on for an SQLite error.
pub(crate) fn explain(e: &rusqlite::Error) -> String {
    let code = e.sqlite_error_code();
    let advice = match code {
        Some(ErrorCode::ReadOnly) => {
            "the database is read-only: check the permissions of the file and of its directory (SQLite writes a -wal file next to it), or choose another --db"
        }
        Some(ErrorCode::CannotOpen) => {
            "cannot open the database file: check that its directory exists and is writable"
        }
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            "the database stayed locked by another process for more than 30 s: retry when it is done"
        }
        Some(ErrorCode::NotADatabase) => {
            "the file is not an SQLite database: choose another --db path"
        }
        Some(ErrorCode::DiskFull) => "the disk is full: free some space and run again",
        Some(ErrorCode::PermissionDenied) => {
            "permission denied: check the permissions of the file and its directory"
        }
        _ => "",
    };
    if advice.is_empty() {
        e.to_string()
    } else {
        format!("{advice} ({e})")
    }
}

/// The [`SyncErrorKind::Database`] error of `e` on the database `name`.
fn db_error(name: &str, e: &rusqlite::Error) -> SyncError {
    SyncError::new(SyncErrorKind::Database, name, explain(e))
}

impl SqliteSink {
    /// Opens (creating when missing) the SQLite database at `path`, in WAL mode.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SyncError> {
        let path: PathBuf = path.as_ref().to_owned();
        let name = format!("sqlite:{}", path.display());
        let conn = open_connection(&path, &name)?;
        Ok(SqliteSink {
            conn: Arc::new(Mutex::new(conn)),
            name,
            holder: Holder::new(),
        })
    }

    /// The database's display name (`sqlite:PATH`).
    pub fn database(&self) -> &str {
        &self.name
    }

    /// The number of rows of `table` (the demo's check).
    pub async fn count_rows(&self, table: &str) -> Result<u64, SyncError> {
        let sql = format!("SELECT count(*) FROM {}", quote(table));
        self.blocking(move |conn, name, _| {
            conn.query_row(&sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(|e| db_error(name, &e))
        })
        .await
    }

    async fn blocking<T, F>(&self, f: F) -> Result<T, SyncError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &str, &Holder) -> Result<T, SyncError> + Send + 'static,
    {
        let conn = self.conn.clone();
        let name = self.name.clone();
        let holder = self.holder.clone();
        let name2 = self.name.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| {
                SyncError::new(
                    SyncErrorKind::Database,
                    name.clone(),
                    "an earlier database call panicked; open the database again",
                )
            })?;
            f(&mut guard, &name, &holder)
        })
        .await
        .map_err(|e| {
            SyncError::new(
                SyncErrorKind::Database,
                name2,
                format!("the database task failed: {e}"),
            )
        })?
    }
}

pub(crate) fn open_connection(path: &Path, name: &str) -> Result<Connection, SyncError> {
    // Two processes creating the same new database both switch it to WAL: one of them can
    // get SQLITE_BUSY at once (SQLite skips the busy handler where waiting could deadlock).
    // Opening again a moment later finds it in WAL mode.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match try_open(path, name) {
            Err((e, true)) if std::time::Instant::now() < deadline => {
                tracing::debug!(database = name, error = %e, "database busy while opening; again");
                std::thread::sleep(Duration::from_millis(50));
            }
            Err((e, _)) => return Err(e),
            Ok(conn) => return Ok(conn),
        }
    }
}

/// One attempt at opening the database; the error says whether it was busy (worth retrying).
fn try_open(path: &Path, name: &str) -> Result<Connection, (SyncError, bool)> {
    let err = |e: rusqlite::Error| {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        );
        (db_error(name, &e), busy)
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(err)?;
    // SQLite opens a file it may not write read-only, and fails at the first real write.
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return Err((
            SyncError::new(
                SyncErrorKind::Database,
                name,
                "the database is read-only: check the permissions (and attributes) of the file and of its directory (SQLite writes a -wal file next to it), or choose another --db",
            ),
            false,
        ));
    }
    // WAL: readers never block the sync; NORMAL sync is durable across process crashes.
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        tracing::debug!(database = name, mode, "SQLite did not switch to WAL");
    }
    conn.execute_batch("PRAGMA synchronous=NORMAL;")
        .map_err(err)?;
    // A read-only file opens fine and fails at the first write: find out now.
    conn.execute_batch(
        "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS _scrm_state (
            vendor TEXT NOT NULL,
            operation TEXT NOT NULL,
            filters TEXT NOT NULL,
            bookmark TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (vendor, operation, filters)
        );
        CREATE TABLE IF NOT EXISTS _scrm_locks (
            vendor TEXT NOT NULL,
            operation TEXT NOT NULL,
            filters TEXT NOT NULL,
            holder TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (vendor, operation, filters)
        ); COMMIT;",
    )
    .map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        err(e)
    })?;
    Ok(conn)
}

fn sql_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Text => "TEXT",
        ColumnType::Integer => "INTEGER",
    }
}

/// The columns of an existing table: name → (declared type, position in the primary key).
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quote(table)))?;
    let rows = stmt.query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(5)?)))?;
    rows.collect()
}

/// Creates the table of `spec`, or checks and migrates an existing one.
fn ensure_table(conn: &Connection, spec: &StreamSpec, name: &str) -> Result<(), SyncError> {
    let err = |e: rusqlite::Error| db_error(name, &e);
    let table = spec.table();
    let columns = table_columns(conn, table).map_err(err)?;
    if columns.is_empty() {
        let mut defs: Vec<String> = spec
            .key_columns()
            .iter()
            .map(|c| format!("{} {} NOT NULL", quote(&c.name), sql_type(c.ty)))
            .collect();
        if let Some(c) = spec.cursor_column() {
            defs.push(format!("{} {}", quote(&c.name), sql_type(c.ty)));
        }
        defs.push("record TEXT NOT NULL".into());
        defs.push("_scrm_written_at TEXT NOT NULL".into());
        defs.push("_scrm_version INTEGER NOT NULL DEFAULT 1".into());
        defs.push("_scrm_changed INTEGER NOT NULL DEFAULT 1".into());
        let pk: Vec<String> = spec.key_columns().iter().map(|c| quote(&c.name)).collect();
        defs.push(format!("PRIMARY KEY ({})", pk.join(", ")));
        conn.execute_batch(&format!(
            "CREATE TABLE {} (\n  {}\n)",
            quote(table),
            defs.join(",\n  ")
        ))
        .map_err(err)?;
        return Ok(());
    }
    let conflict = |why: String| {
        SyncError::new(
            SyncErrorKind::Schema,
            name,
            format!(
                "table {table} exists with a schema scrm sync cannot use ({why}); it was left untouched: rename or drop it, or sync into another --db"
            ),
        )
    };
    let has = |n: &str| columns.iter().find(|(c, _, _)| c == n);
    let mut pk: Vec<(i64, &str)> = columns
        .iter()
        .filter(|(_, _, p)| *p > 0)
        .map(|(c, _, p)| (*p, c.as_str()))
        .collect();
    pk.sort();
    let pk: Vec<&str> = pk.into_iter().map(|(_, c)| c).collect();
    let want: Vec<&str> = spec.key_columns().iter().map(|c| c.name.as_str()).collect();
    if pk != want {
        return Err(conflict(format!(
            "its primary key is ({}), expected ({})",
            pk.join(", "),
            want.join(", ")
        )));
    }
    match has("record") {
        None => return Err(conflict("no column record".into())),
        Some((_, ty, _)) if !ty.is_empty() && !ty.eq_ignore_ascii_case("TEXT") => {
            return Err(conflict(format!("column record is {ty}, expected TEXT")));
        }
        Some(_) => {}
    }
    // Migrations: columns later versions added are added to older tables.
    let mut add = Vec::new();
    if let Some(c) = spec.cursor_column()
        && has(&c.name).is_none()
    {
        add.push(format!("{} {}", quote(&c.name), sql_type(c.ty)));
    }
    for (col, def) in [
        ("_scrm_written_at", "TEXT NOT NULL DEFAULT ''"),
        ("_scrm_version", "INTEGER NOT NULL DEFAULT 1"),
        ("_scrm_changed", "INTEGER NOT NULL DEFAULT 1"),
    ] {
        if has(col).is_none() {
            add.push(format!("{col} {def}"));
        }
    }
    for def in add {
        tracing::info!(
            database = name,
            table,
            column = def,
            "migrating: adding a column"
        );
        conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {def}", quote(table)))
            .map_err(err)?;
    }
    Ok(())
}

fn upsert_sql(spec: &StreamSpec, refresh: bool) -> String {
    let t = quote(spec.table());
    let mut cols: Vec<String> = spec.key_columns().iter().map(|c| quote(&c.name)).collect();
    let keys = cols.join(", ");
    let cursor = spec.cursor_column().map(|c| quote(&c.name));
    if let Some(c) = &cursor {
        cols.push(c.clone());
    }
    cols.push("record".into());
    cols.push("_scrm_written_at".into());
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    if !refresh {
        // Without --full: insert when new (1 change), else update when changed
        // ([`update_sql`]: 1 change), else nothing: each outcome counted exactly.
        return format!(
            "INSERT INTO {t} ({}, _scrm_version, _scrm_changed) VALUES ({}, 1, 1) \
             ON CONFLICT ({keys}) DO NOTHING",
            cols.join(", "),
            placeholders.join(", ")
        );
    }
    // --full rewrites every row and says which ones changed.
    let mut sets = Vec::new();
    if let Some(c) = &cursor {
        sets.push(format!("{c} = excluded.{c}"));
    }
    sets.push("record = excluded.record".into());
    sets.push("_scrm_written_at = excluded._scrm_written_at".into());
    sets.push(format!(
        "_scrm_version = {t}._scrm_version + ({t}.record IS NOT excluded.record)"
    ));
    sets.push(format!(
        "_scrm_changed = ({t}.record IS NOT excluded.record)"
    ));
    format!(
        "INSERT INTO {t} ({}, _scrm_version, _scrm_changed) VALUES ({}, 1, 1) \
         ON CONFLICT ({keys}) DO UPDATE SET {} RETURNING _scrm_version, _scrm_changed",
        cols.join(", "),
        placeholders.join(", "),
        sets.join(", ")
    )
}

/// The update of an existing row whose record changed, with the parameters of
/// [`upsert_sql`]: `?1..?k` the key, then the cursor (if any), the record, the written-at time.
fn update_sql(spec: &StreamSpec) -> String {
    let t = quote(spec.table());
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("?{n}")
    };
    let keys: Vec<String> = spec
        .key_columns()
        .iter()
        .map(|c| format!("{} = {}", quote(&c.name), next()))
        .collect();
    let mut sets = Vec::new();
    if let Some(c) = spec.cursor_column() {
        sets.push(format!("{} = {}", quote(&c.name), next()));
    }
    let record = next();
    sets.push(format!("record = {record}"));
    sets.push(format!("_scrm_written_at = {}", next()));
    sets.push("_scrm_version = _scrm_version + 1".into());
    sets.push("_scrm_changed = 1".into());
    format!(
        "UPDATE {t} SET {} WHERE {} AND record IS NOT {record}",
        sets.join(", "),
        keys.join(" AND ")
    )
}

/// Takes (or refuses) the lock of `spec` inside the current transaction.
fn take_lock(
    conn: &Connection,
    spec: &StreamSpec,
    name: &str,
    holder: &Holder,
) -> Result<(), SyncError> {
    let err = |e: rusqlite::Error| db_error(name, &e);
    let info = spec.info();
    let current: Option<(String, String, i64, i64)> = conn
        .query_row(
            "SELECT holder, host, pid, expires_at FROM _scrm_locks \
             WHERE vendor = ?1 AND operation = ?2 AND filters = ?3",
            params![info.vendor, info.name, spec.filters()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(err)?;
    let t = now();
    if let Some((id, host, pid, expires)) = current
        && id != holder.id
    {
        let stale = expires < t || (host == holder.host && process_gone(pid));
        if !stale {
            return Err(SyncError::new(
                SyncErrorKind::Locked,
                name,
                format!(
                    "another scrm sync of {} {} (filters {}) is running: pid {pid} on {host} holds its lock for {} s more; wait for it to finish (if that process is gone, delete its row from _scrm_locks)",
                    info.vendor,
                    info.name,
                    spec.filters(),
                    expires - t
                ),
            ));
        }
        tracing::info!(
            database = name,
            pid,
            host,
            "taking over a stale stream lock"
        );
    }
    conn.execute(
        "INSERT INTO _scrm_locks (vendor, operation, filters, holder, host, pid, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (vendor, operation, filters) DO UPDATE SET holder = excluded.holder, \
         host = excluded.host, pid = excluded.pid, expires_at = excluded.expires_at",
        params![
            info.vendor,
            info.name,
            spec.filters(),
            holder.id,
            holder.host,
            holder.pid,
            t + LOCK_LEASE.as_secs() as i64
        ],
    )
    .map_err(err)?;
    Ok(())
}

#[async_trait::async_trait]
impl Sink for SqliteSink {
    fn database(&self) -> String {
        self.name.clone()
    }

    async fn open(&mut self, stream: &StreamSpec) -> Result<Option<String>, SyncError> {
        let spec = stream.clone();
        self.blocking(move |conn, name, holder| {
            let err = |e: rusqlite::Error| db_error(name, &e);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            ensure_table(&tx, &spec, name)?;
            take_lock(&tx, &spec, name, holder)?;
            let info = spec.info();
            let bookmark: Option<String> = tx
                .query_row(
                    "SELECT bookmark FROM _scrm_state WHERE vendor = ?1 AND operation = ?2 AND filters = ?3",
                    params![info.vendor, info.name, spec.filters()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(bookmark)
        })
        .await
    }

    async fn commit_page(
        &mut self,
        stream: &StreamSpec,
        page: PageWrite,
    ) -> Result<PageCounts, SyncError> {
        let spec = stream.clone();
        self.blocking(move |conn, name, holder| {
            let err = |e: rusqlite::Error| db_error(name, &e);
            let info = spec.info();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            let t = now();
            let renewed = tx
                .execute(
                    "UPDATE _scrm_locks SET expires_at = ?5 \
                     WHERE vendor = ?1 AND operation = ?2 AND filters = ?3 AND holder = ?4",
                    params![
                        info.vendor,
                        info.name,
                        spec.filters(),
                        holder.id,
                        t + LOCK_LEASE.as_secs() as i64
                    ],
                )
                .map_err(err)?;
            if renewed != 1 {
                return Err(SyncError::new(
                    SyncErrorKind::Locked,
                    name,
                    format!(
                        "the lock of {} {} was taken over by another run while this one was paused past its lease; this page was not written: run again",
                        info.vendor, info.name
                    ),
                ));
            }
            let mut counts = PageCounts::default();
            {
                let mut stmt = tx
                    .prepare_cached(&upsert_sql(&spec, page.refresh))
                    .map_err(err)?;
                let mut update = if page.refresh {
                    None
                } else {
                    Some(tx.prepare_cached(&update_sql(&spec)).map_err(err)?)
                };
                let written_at = now_rfc3339();
                let null = rusqlite::types::Null;
                let has_cursor = spec.cursor_column().is_some();
                let records: Vec<&str> = page.rows.iter().map(|r| r.record.get()).collect();
                let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(8);
                for (row, record) in page.rows.iter().zip(&records) {
                    params.clear();
                    for k in &row.key {
                        params.push(k);
                    }
                    if has_cursor {
                        params.push(match &row.cursor {
                            Some(CursorValue::Integer(i)) => i,
                            Some(CursorValue::Text(s)) => s,
                            None => &null,
                        });
                    }
                    params.push(record);
                    params.push(&written_at);
                    if let Some(update) = &mut update {
                        if stmt.execute(params.as_slice()).map_err(err)? == 1 {
                            counts.inserted += 1;
                        } else if update.execute(params.as_slice()).map_err(err)? == 1 {
                            counts.updated += 1;
                        } else {
                            counts.unchanged += 1;
                        }
                        continue;
                    }
                    let mut rows = stmt.query(params.as_slice()).map_err(err)?;
                    let returned = match rows.next().map_err(err)? {
                        None => None,
                        Some(r) => Some((r.get(0).map_err(err)?, r.get(1).map_err(err)?)),
                    };
                    counts.tally(returned);
                }
            }
            tx.execute(
                "INSERT INTO _scrm_state (vendor, operation, filters, bookmark, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (vendor, operation, filters) \
                 DO UPDATE SET bookmark = excluded.bookmark, updated_at = excluded.updated_at",
                params![info.vendor, info.name, spec.filters(), page.bookmark, now_rfc3339()],
            )
            .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(counts)
        })
        .await
    }

    async fn close(&mut self, stream: &StreamSpec) -> Result<(), SyncError> {
        let spec = stream.clone();
        self.blocking(move |conn, name, holder| {
            let info = spec.info();
            conn.execute(
                "DELETE FROM _scrm_locks WHERE vendor = ?1 AND operation = ?2 AND filters = ?3 AND holder = ?4",
                params![info.vendor, info.name, spec.filters(), holder.id],
            )
            .map_err(|e| db_error(name, &e))?;
            Ok(())
        })
        .await
    }
}
