//! A string that must never be printed.

use std::fmt;
use std::sync::Arc;

/// A credential (app secret, app key, access token, signature) whose `Debug` and `Display`
/// print a redaction instead of the value.
///
/// The value is reachable only through [`Secret::expose`], so leaking it takes a visible call.
/// Cloning is cheap (the value is shared).
///
/// ```
/// use scrm_core::Secret;
/// let s = Secret::new("app-secret-value");
/// assert_eq!(format!("{s}"), "***");
/// assert_eq!(format!("{s:?}"), "Secret(***)");
/// assert_eq!(s.expose(), "app-secret-value");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret value itself. Call it only where the value leaves for the vendor.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when the value is empty (a configuration mistake worth reporting early).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

/// Replaces every occurrence of each secret in `text` with `***`.
///
/// Used on any text that came from outside (transport error messages, response excerpts) before
/// it is put into an error or a log line. Secrets shorter than 4 bytes are ignored: they would
/// redact ordinary words and cannot be real credentials.
pub fn scrub(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let v = s.expose();
        if v.len() >= 4 && out.contains(v) {
            out = out.replace(v, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("CANARY-123456");
        assert!(!format!("{s:?}").contains("CANARY"));
        assert!(!format!("{s}").contains("CANARY"));
        let wrapped = Some(vec![s.clone()]);
        assert!(!format!("{wrapped:?}").contains("CANARY"));
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        let s = Secret::new("tok-abcdef");
        let text = "GET /x?access_token=tok-abcdef failed; retry tok-abcdef";
        assert_eq!(
            scrub(text, &[s]),
            "GET /x?access_token=*** failed; retry ***"
        );
        assert_eq!(scrub("abc", &[Secret::new("a")]), "abc");
    }
}
