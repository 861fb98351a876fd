//! Checks of documented limits, run before anything is sent, with one wording for every
//! vendor. Each returns an [`ErrorKind::InvalidInput`] error naming the wire field.
//!
//! ```
//! use scrm_core::check;
//! assert!(check::at_most("page_size", Some(100u32), 100).is_ok());
//! let e = check::at_most("page_size", Some(101u32), 100).unwrap_err();
//! assert_eq!(e.message(), "`page_size` must be at most 100, got 101");
//! let e = check::window("start_time", Some(20), "end_time", Some(10)).unwrap_err();
//! assert_eq!(e.message(), "`start_time` 20 is after `end_time` 10");
//! ```

use std::fmt::Display;

use crate::{Error, ErrorKind};

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidInput, message)
}

/// The error for a required field that is not set.
pub fn missing(field: &str) -> Error {
    invalid(format!("`{field}` is required"))
}

/// `value`, when set, is at most `max`.
pub fn at_most<T: Copy + Into<u64>>(field: &str, value: Option<T>, max: u64) -> Result<(), Error> {
    match value.map(Into::into) {
        Some(v) if v > max => Err(invalid(format!("`{field}` must be at most {max}, got {v}"))),
        _ => Ok(()),
    }
}

/// `value`, when set, is at least `min`.
pub fn at_least<T: Copy + Into<u64>>(field: &str, value: Option<T>, min: u64) -> Result<(), Error> {
    match value.map(Into::into) {
        Some(v) if v < min => Err(invalid(format!(
            "`{field}` must be at least {min}, got {v}"
        ))),
        _ => Ok(()),
    }
}

/// `value`, when set, lies in `min..=max` (a page size: at least 1, at most the documented
/// maximum).
pub fn in_range<T: Copy + Into<u64>>(
    field: &str,
    value: Option<T>,
    min: u64,
    max: u64,
) -> Result<(), Error> {
    at_least(field, value, min)?;
    at_most(field, value, max)
}

/// A window's start is not after its end (when both are set).
pub fn window<T: PartialOrd + Display>(
    from_field: &str,
    from: Option<T>,
    to_field: &str,
    to: Option<T>,
) -> Result<(), Error> {
    match (from, to) {
        (Some(a), Some(b)) if a > b => Err(invalid(format!(
            "`{from_field}` {a} is after `{to_field}` {b}"
        ))),
        _ => Ok(()),
    }
}

/// Text, when set, is not blank.
pub fn not_blank<T: AsRef<str>>(field: &str, value: Option<&T>) -> Result<(), Error> {
    match value {
        Some(v) if v.as_ref().trim().is_empty() => {
            Err(invalid(format!("`{field}` must not be empty")))
        }
        _ => Ok(()),
    }
}

/// A list, when set, holds between 1 and `max` items.
pub fn list_len<T>(field: &str, value: Option<&Vec<T>>, max: usize) -> Result<(), Error> {
    match value.map(Vec::len) {
        Some(0) => Err(invalid(format!("`{field}` must not be empty"))),
        Some(n) if n > max => Err(invalid(format!(
            "`{field}` holds at most {max} items, got {n}"
        ))),
        _ => Ok(()),
    }
}

/// An integer, when set, is not negative.
pub fn not_negative<T: Copy + Into<i64>>(field: &str, value: Option<T>) -> Result<(), Error> {
    match value.map(Into::into) {
        Some(v) if v < 0 => Err(invalid(format!("`{field}` must not be negative, got {v}"))),
        _ => Ok(()),
    }
}

/// A credential given to a client builder, trimmed: the same wording for every vendor
/// (`` `corp_id` is required: weiban's own corp id from its admin console``).
pub fn credential(
    vendor: &'static str,
    field: &str,
    value: Option<String>,
    hint: &str,
) -> Result<String, Error> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing_credential(vendor, field, hint))
}

/// A secret given to a client builder: not blank, same wording as [`credential`].
pub fn secret_credential(
    vendor: &'static str,
    field: &str,
    value: Option<crate::Secret>,
    hint: &str,
) -> Result<crate::Secret, Error> {
    value
        .filter(|s| !s.expose().trim().is_empty())
        .ok_or_else(|| missing_credential(vendor, field, hint))
}

fn missing_credential(vendor: &'static str, field: &str, hint: &str) -> Error {
    Error::new(ErrorKind::Config, format!("`{field}` is required: {hint}")).with_vendor(vendor)
}

/// At least one of several alternative fields is set (`fields`: wire name, whether it is
/// set and not blank).
///
/// ```
/// use scrm_core::check;
/// assert!(check::one_of(&[("id", false), ("unionid", true)]).is_ok());
/// let e = check::one_of(&[("id", false), ("unionid", false)]).unwrap_err();
/// assert_eq!(e.message(), "one of `id`, `unionid` is required");
/// ```
pub fn one_of(fields: &[(&str, bool)]) -> Result<(), Error> {
    if fields.iter().any(|(_, set)| *set) {
        return Ok(());
    }
    let names: Vec<String> = fields.iter().map(|(name, _)| format!("`{name}`")).collect();
    Err(invalid(format!("one of {} is required", names.join(", "))))
}
