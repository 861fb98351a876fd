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
        // A URL of another scheme is shown without its password. Anything else (a libpq
        // `key=value` string, a typo) may hold a password in a shape nothing here can mask: its
        // scheme alone says what was given.
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+'));
        let shown = match scheme {
            Some(_) if url.contains("://") => redact_url(url),
            Some(s) => format!("{s}:…"),
            None => "(the value given)".to_owned(),
        };
        Err(SyncError::new(
            SyncErrorKind::Usage,
            shown,
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
/// The password runs from the first `:` after `://` to an `@`. tokio-postgres ends the
/// credentials at the first `@`; a password may also hold `@`, `/` or `?` written raw. So
/// everything up to the **last** `@` is masked: a password is never shown, at worst some of
/// the host is hidden too.
///
/// ```
/// assert_eq!(scrm_sync::redact_url("postgres://app:hunter2@db:5432/crm"), "postgres://app:***@db:5432/crm");
/// assert_eq!(scrm_sync::redact_url("postgres://app:pa/s?s@db/crm"), "postgres://app:***@db/crm");
/// assert_eq!(scrm_sync::redact_url("postgres://db/crm?password=x&sslmode=disable"), "postgres://db/crm?password=***&sslmode=disable");
/// assert_eq!(scrm_sync::redact_url("postgres://db/crm?pass%77ord=x"), "postgres://db/crm?pass%77ord=***");
/// ```
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        if let Some(at) = out[rest_start..].rfind('@')
            && let Some(colon) = out[rest_start..rest_start + at].find(':')
        {
            out.replace_range(rest_start + colon + 1..rest_start + at, "***");
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if is_password_key(k) => format!("{k}=***"),
                _ => kv.to_owned(),
            })
            .collect();
        out = format!("{head}{}", query.join("&"));
    }
    out
}

/// Whether a query key means `password` once percent-decoded (as tokio-postgres reads it).
fn is_password_key(key: &str) -> bool {
    url::form_urlencoded::parse(key.as_bytes())
        .next()
        .is_some_and(|(k, _)| k.eq_ignore_ascii_case("password"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_password_survives_redaction() {
        for (url, password) in [
            ("postgres://app:hunter2@db:5432/crm", "hunter2"),
            ("postgres://app:pa/ss@db:5432/crm", "pa/ss"),
            ("postgres://app:pa?ss@db:5432/crm", "pa?ss"),
            ("postgres://app:p@ss@db:5432/crm", "p@ss"),
            ("postgres://app:pa#ss@db:5432/crm", "pa#ss"),
            ("postgresql://app:s3cr3t@db/crm?sslmode=disable", "s3cr3t"),
            ("postgres://db/crm?pass%77ord=s3cr3t", "s3cr3t"),
            ("postgres://db/crm?PASSWORD=s3cr3t", "s3cr3t"),
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains(password), "{url} → {shown}");
            assert!(shown.contains("***"), "{url} → {shown}");
            let parsed = DatabaseUrl::parse(url).map(|u| u.display());
            assert!(parsed.is_ok_and(|d| !d.contains(password)), "{url}");
        }
        assert_eq!(
            redact_url("postgres://app@db/crm?application_name=x"),
            "postgres://app@db/crm?application_name=x",
            "nothing to mask"
        );
    }

    #[test]
    fn a_value_that_is_no_url_is_not_echoed() {
        for value in [
            "host=db user=app password=hunter2 dbname=crm",
            "postgres:/app:hunter2@db/crm",
            "mysql://app:hunter2@db/crm",
        ] {
            let Err(e) = DatabaseUrl::parse(value) else {
                panic!("{value} parsed");
            };
            let text = e.to_string();
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("sqlite:PATH or postgres://"), "{text}");
        }
    }
}
