//! Wire types shared by several weiban operations: documented codes, and the list payload of
//! the endpoints whose response shape weiban does not document.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

scrm_core::lenient_enum! {
    /// Sort order by the time weiban recorded the customer (`order`): `asc` (weiban's default)
    /// or `desc`.
    pub enum Order: str {
        /// Oldest first (`asc`).
        Asc = "asc",
        /// Newest first (`desc`).
        Desc = "desc",
    }
}

scrm_core::lenient_enum! {
    /// Customer type (`type`): 1 a WeChat user, 2 a WeCom user (外部联系人类型). Other values
    /// are kept as [`CustomerType::Unknown`].
    pub enum CustomerType: int {
        /// A WeChat user (微信客户, `1`).
        Wechat = 1,
        /// A WeCom user of another company (企业微信客户, `2`).
        Wecom = 2,
    }
}

/// The payload of a weiban list whose list key is not documented (the envelope convention is
/// `{errcode, errmsg, <list key>, total}`): the first array next to `errcode`/`errmsg` is the
/// list, whatever its key (kept in [`AnyList::list_key`]); every other key is kept in
/// [`AnyList::extra`], so nothing the vendor sent is lost.
///
/// ```
/// use scrm_weiban::AnyList;
/// let page: AnyList<serde_json::Value> =
///     serde_json::from_str(r#"{"total":"2","staff_list":[{"id":"a"},{"id":"b"}],"x":[1]}"#).unwrap();
/// assert_eq!((page.list_key.as_deref(), page.total), (Some("staff_list"), Some(2)));
/// assert_eq!(page.items.as_ref().map(Vec::len), Some(2));
/// assert_eq!(page.extra["x"], serde_json::json!([1]));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AnyList<T> {
    /// The records (the first array in the payload).
    pub items: Option<Vec<T>>,
    /// The key the records came under.
    pub list_key: Option<String>,
    /// `total`, when weiban sends one (a number or digits).
    pub total: Option<u64>,
    /// Every other key, as sent.
    pub extra: scrm_core::Extra,
}

impl<T> Default for AnyList<T> {
    fn default() -> Self {
        AnyList {
            items: None,
            list_key: None,
            total: None,
            extra: scrm_core::Extra::new(),
        }
    }
}

impl<T: Serialize> Serialize for AnyList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        if let (Some(key), Some(items)) = (&self.list_key, &self.items) {
            map.serialize_entry(key, items)?;
        }
        if let Some(total) = self.total {
            map.serialize_entry("total", &total)?;
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, T: DeserializeOwned + Serialize> Deserialize<'de> for AnyList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AnyListVisitor(PhantomData))
    }
}

struct AnyListVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned + Serialize> Visitor<'de> for AnyListVisitor<T> {
    type Value = AnyList<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a weiban list payload (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyList<T>, A::Error> {
        let mut out = AnyList::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "total" {
                out.total = map.next_value_seed(scrm_core::de::WireSeed::<u64>(PhantomData))?;
                continue;
            }
            match map.next_value_seed(ListOrValue::<T>(PhantomData))? {
                Either::List(items) if out.items.is_none() => {
                    out.items = Some(items);
                    out.list_key = Some(key);
                }
                Either::List(items) => {
                    let value = serde_json::to_value(items).map_err(de::Error::custom)?;
                    out.extra.insert(key, value);
                }
                Either::Other(value) => {
                    out.extra.insert(key, value);
                }
            }
        }
        Ok(out)
    }
}

enum Either<T> {
    List(Vec<T>),
    Other(Value),
}

/// An array decoded as records, anything else kept as JSON.
struct ListOrValue<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ListOrValue<T> {
    type Value = Either<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Either<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ListOrValue<T> {
    type Value = Either<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Either<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Either::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Either<T>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Either::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::Null))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Either<T>, E> {
        Ok(Either::Other(Value::String(v)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn the_first_array_is_the_list_and_the_rest_is_kept() {
        let json = r#"{"meta":{"a":[1]},"list_a":[{"k":1}],"n":null,"list_b":[2],"total":3,"s":"x","f":1.5,"b":true,"i":-1}"#;
        let page: AnyList<Value> = serde_json::from_str(json).unwrap();
        assert_eq!(page.list_key.as_deref(), Some("list_a"));
        assert_eq!(page.items, Some(vec![serde_json::json!({"k":1})]));
        assert_eq!(page.total, Some(3));
        assert_eq!(page.extra["list_b"], serde_json::json!([2]));
        assert_eq!(page.extra["meta"], serde_json::json!({"a":[1]}));
        assert_eq!(page.extra["n"], Value::Null);
        let back: Value = serde_json::to_value(&page).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
        let empty: AnyList<Value> = serde_json::from_str(r#"{"total":""}"#).unwrap();
        assert_eq!((empty.items, empty.total), (None, None));
        assert!(serde_json::from_str::<AnyList<u32>>(r#"{"list":["x"]}"#).is_err());
    }
}
