//! [`Extra`]: the fields of a record its documentation does not list.

use std::fmt;
use std::ops::Index;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The fields of a record that its documentation does not list, as the vendor sent them: in the
/// order received, and written back with the record. Lookups answer the last value of a key
/// sent twice, as JSON parsers do; [`Index`] answers [`Value::Null`] for a key not sent (as
/// indexing a `serde_json::Value` does), never panics.
///
/// A list rather than a map: most records carry none or a few of these, and the first one
/// allocated a whole `BTreeMap` node (~600 bytes) per record; a page of 1000 tanma files (one
/// undocumented key each) decoded in ~1.35 ms with the map and ~0.93 ms with a list sized for
/// one field.
///
/// ```
/// use scrm_core::Extra;
/// use serde_json::json;
/// let mut extra = Extra::new();
/// assert_eq!(extra.insert("vip", json!(true)), None);
/// extra.insert("level", json!(3));
/// assert_eq!(extra.insert("vip", json!(false)), Some(json!(true)));
/// assert_eq!(extra.get("vip"), Some(&json!(false)));
/// assert_eq!(extra["level"], json!(3));
/// assert_eq!(extra["missing"], json!(null));
/// assert_eq!(extra.keys().collect::<Vec<_>>(), ["vip", "level"]);
/// assert_eq!(serde_json::to_string(&extra).unwrap(), r#"{"vip":false,"level":3}"#);
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Extra(Vec<(String, Value)>);

impl Extra {
    /// No fields.
    pub const fn new() -> Self {
        Extra(Vec::new())
    }

    /// The value of `key` (the last one, if it was sent twice).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0
            .iter_mut()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` was sent.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (replacing its last value, which is returned), or adds it at the end.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.get_mut(&key) {
            Some(old) => Some(std::mem::replace(old, value)),
            None => {
                self.push(key, value);
                None
            }
        }
    }

    /// Removes every value of `key`; the last one is returned.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let mut last = None;
        self.0.retain_mut(|(k, v)| {
            if k == key {
                last = Some(std::mem::take(v));
                false
            } else {
                true
            }
        });
        last
    }

    /// How many fields (a key sent twice counts twice).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in the order received.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// The values in the order received.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }

    /// As a JSON object (the last value of a key sent twice).
    pub fn into_map(self) -> Map<String, Value> {
        self.0.into_iter().collect()
    }

    /// Adds a field as received, without looking for an earlier one (decoding).
    #[doc(hidden)]
    pub fn push(&mut self, key: String, value: Value) {
        // Most records carry one or two of these: room for one, not the four a first push makes.
        if self.0.capacity() == 0 {
            self.0.reserve_exact(1);
        }
        self.0.push((key, value));
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Index<&str> for Extra {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl IntoIterator for Extra {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Extra(iter.into_iter().collect())
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        map.into_iter().collect()
    }
}

impl From<Extra> for Map<String, Value> {
    fn from(extra: Extra) -> Self {
        extra.into_map()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Extra;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Extra, A::Error> {
                let mut out = Extra::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.push(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_sent_twice_is_kept_and_read_as_the_last() {
        let extra: Extra = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(extra.len(), 3);
        assert_eq!(extra.get("a"), Some(&json!(3)));
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            r#"{"a":1,"b":2,"a":3}"#
        );
        let map = extra.clone().into_map();
        assert_eq!(map.get("a"), Some(&json!(3)));
        assert_eq!(map.len(), 2);
        let mut extra = extra;
        assert_eq!(extra.remove("a"), Some(json!(3)));
        assert_eq!(extra.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(extra.remove("a"), None);
        assert!(!extra.contains_key("a") && extra.contains_key("b"));
    }

    #[test]
    fn debug_and_iteration_keep_the_received_order() {
        let extra: Extra = Map::from_iter([("z".to_owned(), json!(1))])
            .into_iter()
            .chain([("a".to_owned(), json!(2))])
            .collect();
        assert_eq!(format!("{extra:?}"), r#"{"z": Number(1), "a": Number(2)}"#);
        let pairs: Vec<(&String, &Value)> = (&extra).into_iter().collect();
        assert_eq!(pairs[0].0, "z");
        assert_eq!(extra.values().collect::<Vec<_>>(), [&json!(1), &json!(2)]);
        assert_eq!(Extra::from(Map::new()), Extra::new());
    }
}
