//! The documented operations: one module per endpoint.
//!
//! | operation | path | paging |
//! |---|---|---|
//! | [`ClueListRequest`] 按创建时间列出线索&待分配客户 | `POST /api/v3/clue/list-by-create-time-asc` | cursor (`cursor`/`size` → `nextCursor`) |
//! | [`CustomerFileListRequest`] 客户文件查询接口 | `POST /api/v3/customer/list-file-of-customer` | keyset (`lastId` + `pageSize`) |

mod clues;
mod customer_files;

pub use clues::{Clue, ClueField, ClueList, ClueListRequest, CompanyInfo, FieldValue};
pub use customer_files::{
    CustomerFile, CustomerFileList, CustomerFileListRequest, DEFAULT_PAGE_SIZE, FileContent,
    FileKeyset,
};

use scrm_core::de::Id;
use scrm_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serializer};

/// `null` read as the type's default (an empty list).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Reads an optional `string` leniently: a number or boolean becomes its text.
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "scrm_core::de::string_or_number")] String);
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

/// An id the request sends as a JSON number (tanma's ids are integers on the wire).
fn numeric_id(field: &str, id: &Id) -> Result<u64, Error> {
    id.as_u64().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "`{field}` must be a non-negative integer, got {:?}",
                id.as_str()
            ),
        )
    })
}

/// Serializes an optional id as a JSON number (validated beforehand by `numeric_id`).
fn opt_id_as_number<S: Serializer>(id: &Option<Id>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        None => s.serialize_none(),
        Some(id) => match id.as_u64() {
            Some(n) => s.serialize_u64(n),
            None => Err(serde::ser::Error::custom(format!(
                "id {:?} is not an integer",
                id.as_str()
            ))),
        },
    }
}
