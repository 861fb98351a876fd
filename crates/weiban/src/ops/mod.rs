//! The documented operations: one file each, with its request, response and record types and
//! its methods on [`WeibanClient`](crate::WeibanClient).

pub mod smart_form_user_list;

use serde::{Deserialize, Deserializer};

use scrm_core::de::UnixSeconds;

/// An unsigned integer sent as a number or a numeric string; `null`/`""` read as absent.
pub(crate) fn opt_uint<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    match scrm_core::de::opt_int(d)? {
        None => Ok(None),
        Some(v) => T::try_from(v).map(Some).map_err(|_| {
            serde::de::Error::custom(format!("expected a non-negative integer, got {v}"))
        }),
    }
}

/// Epoch seconds as a number or numeric string; `null`/`""` read as absent.
pub(crate) fn opt_unix_seconds<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<UnixSeconds>, D::Error> {
    Ok(scrm_core::de::opt_int(d)?.map(UnixSeconds))
}

/// A list where `null` reads as empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
