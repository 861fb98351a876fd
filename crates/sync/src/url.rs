//! Database URLs: `sqlite:PATH` or `postgres://user[:password]@host:port/dbname`.

use std::path::PathBuf;

use crate::error::{SyncError, SyncErrorKind};
use crate::sink::Sink;

/// A parsed `--db` URL.
///
/// ```
/// use scrm_sync::DatabaseUrl;
/// assert_eq!(DatabaseUrl::parse("sqlite:data/scrm.db").unwrap(), DatabaseUrl::Sqlite("data/scrm.db".into()));
/// assert!(matches!(DatabaseUrl::parse("postgres://u:pw@127.0.0.1:5432/db").unwrap(), DatabaseUrl::Postgres(_)));
/// assert!(DatabaseUrl::parse("mysql://x").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl DatabaseUrl {
    /// Parses `sqlite:PATH` (also `sqlite://PATH`) or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, SyncError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(SyncError::new(
                    SyncErrorKind::Usage,
                    url,
                    "no file path after sqlite: (e.g. sqlite:scrm.db)",
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        Err(SyncError::new(
            SyncErrorKind::Usage,
            redact_url(url),
            "not a database URL: use sqlite:PATH or postgres://user[:password]@host:port/dbname",
        ))
    }

    /// The URL without its password.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            DatabaseUrl::Postgres(u) => redact_url(u),
        }
    }
}

/// `url` with the password (and any `password=` parameter) replaced by `***`.
///
/// ```
/// assert_eq!(scrm_sync::redact_url("postgres://app:hunter2@db:5432/crm"), "postgres://app:***@db:5432/crm");
/// assert_eq!(scrm_sync::redact_url("postgres://db/crm?password=x&sslmode=disable"), "postgres://db/crm?password=***&sslmode=disable");
/// ```
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                out.replace_range(start..rest_start + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_owned(),
            })
            .collect();
        out = format!("{head}{}", query.join("&"));
    }
    out
}

/// Opens the sink of `url` (`sqlite:PATH` or `postgres://…`).
pub async fn connect(url: &str) -> Result<Box<dyn Sink>, SyncError> {
    match DatabaseUrl::parse(url)? {
        #[cfg(feature = "sqlite")]
        DatabaseUrl::Sqlite(path) => {
            let sink = tokio::task::spawn_blocking(move || crate::SqliteSink::open(path))
                .await
                .map_err(|e| {
                    SyncError::new(SyncErrorKind::Database, url, format!("cannot open: {e}"))
                })??;
            Ok(Box::new(sink))
        }
        #[cfg(feature = "postgres")]
        DatabaseUrl::Postgres(u) => Ok(Box::new(crate::PostgresSink::connect(&u).await?)),
        #[allow(unreachable_patterns)]
        other => Err(SyncError::new(
            SyncErrorKind::Usage,
            other.display(),
            "this build of scrm-sync has no sink for that database (enable its cargo feature)",
        )),
    }
}
