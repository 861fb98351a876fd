//! Why a sync stopped.

use std::fmt;

/// What went wrong, broadly: the CLI maps it to an exit code and advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyncErrorKind {
    /// The vendor call failed ([`SyncError::vendor_error`] has the details).
    Vendor,
    /// The database could not be opened, reached or written (unreachable, read-only, full).
    Database,
    /// Another sync of the same stream holds its lock.
    Locked,
    /// A table of that name exists with a schema this version cannot use.
    Schema,
    /// The stored bookmark cannot be read.
    Bookmark,
    /// A record lacks a primary-key field.
    Record,
    /// The database URL or the request is not usable.
    Usage,
}

/// Why a sync (or a push-store call) failed. The message names the database (without its
/// password) and says what to do. Nothing already committed is lost by any of these.
///
/// ```
/// use scrm_sync::{SyncError, SyncErrorKind};
/// let e = SyncError::new(SyncErrorKind::Locked, "sqlite:scrm.db", "stream held by pid 42");
/// assert_eq!(e.to_string(), "database sqlite:scrm.db: stream held by pid 42");
/// assert_eq!(e.kind(), SyncErrorKind::Locked);
/// ```
#[derive(Debug)]
pub struct SyncError {
    kind: SyncErrorKind,
    database: String,
    message: String,
    vendor: Option<scrm_core::Error>,
}

impl SyncError {
    /// An error about `database` (its display name, see [`redact_url`](crate::redact_url)).
    pub fn new(
        kind: SyncErrorKind,
        database: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SyncError {
            kind,
            database: database.into(),
            message: message.into(),
            vendor: None,
        }
    }

    /// A failed vendor call.
    pub fn vendor(error: scrm_core::Error) -> Self {
        SyncError {
            kind: SyncErrorKind::Vendor,
            database: String::new(),
            message: error.to_string(),
            vendor: Some(error),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> SyncErrorKind {
        self.kind
    }

    /// The database's display name (empty for vendor errors).
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The message, without the database name.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The vendor error, when the vendor call failed.
    pub fn vendor_error(&self) -> Option<&scrm_core::Error> {
        self.vendor.as_ref()
    }

    /// The vendor error, when the vendor call failed.
    pub fn into_vendor_error(self) -> Result<scrm_core::Error, SyncError> {
        match self.vendor {
            Some(e) => Ok(e),
            None => Err(self),
        }
    }

    /// As a [`scrm_core::Error`] (for the push-dedup store's trait).
    pub fn into_core(self) -> scrm_core::Error {
        match self.vendor {
            Some(e) => e,
            None => scrm_core::Error::new(scrm_core::ErrorKind::Transport, self.to_string()),
        }
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vendor {
            Some(e) => write!(f, "{e}"),
            // An error about the operation itself (e.g. no primary key) names no database.
            None if self.database.is_empty() => f.write_str(&self.message),
            None => write!(f, "database {}: {}", self.database, self.message),
        }
    }
}

impl std::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.vendor
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<scrm_core::Error> for SyncError {
    fn from(e: scrm_core::Error) -> Self {
        SyncError::vendor(e)
    }
}
