//! [`Extra`]: the fields of a record its documentation does not list.

use std::fmt;
use std::ops::Index;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::de::SmallText;

/// The fields of a record that its documentation does not list, as the vendor sent them: in the
/// order received, and written back with the record. Lookups answer the last value of a key
/// sent twice, as JSON parsers do; [`Index`] answers [`Value::Null`] for a key not sent (as
/// indexing a `serde_json::Value` does), never panics.
///
/// A list rather than a map: most records carry none or a few of these, and the first one
/// allocated a whole `BTreeMap` node (~600 bytes) per record; a page of 1000 tanma files (one
/// undocumented key each) decoded in ~1.35 ms with the map and ~0.93 ms with a list. A single
/// field is held in place (no allocation at all), and keys of up to 20 bytes are held inline,
/// not in a string of their own.
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
pub struct Extra(Fields);

/// One field is held in place (most records with any carry one: no allocation), more in a
/// list. 56 bytes.
#[derive(Clone)]
enum Fields {
    Many(Vec<(SmallText, Value)>),
    One((SmallText, Value)),
}

impl Default for Fields {
    fn default() -> Self {
        Fields::Many(Vec::new())
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Fields {
    fn as_slice(&self) -> &[(SmallText, Value)] {
        match self {
            Fields::Many(v) => v,
            Fields::One(field) => std::slice::from_ref(field),
        }
    }

    fn as_mut_slice(&mut self) -> &mut [(SmallText, Value)] {
        match self {
            Fields::Many(v) => v,
            Fields::One(field) => std::slice::from_mut(field),
        }
    }

    fn push(&mut self, field: (SmallText, Value)) {
        match self {
            Fields::Many(fields) if fields.capacity() == 0 => *self = Fields::One(field),
            Fields::Many(fields) => fields.push(field),
            Fields::One(_) => {
                if let Fields::One(first) = std::mem::take(self) {
                    *self = Fields::Many(vec![first, field]);
                }
            }
        }
    }

    /// Removes every field of `key`; the last value is returned.
    fn remove(&mut self, key: &str) -> Option<Value> {
        match self {
            Fields::One((k, _)) if k.as_str() == key => match std::mem::take(self) {
                Fields::One((_, value)) => Some(value),
                Fields::Many(_) => None,
            },
            Fields::One(_) => None,
            Fields::Many(fields) => {
                let mut last = None;
                fields.retain_mut(|(k, v)| {
                    if k.as_str() == key {
                        last = Some(std::mem::take(v));
                        false
                    } else {
                        true
                    }
                });
                last
            }
        }
    }
}

impl Extra {
    /// No fields.
    pub const fn new() -> Self {
        Extra(Fields::Many(Vec::new()))
    }

    /// The value of `key` (the last one, if it was sent twice).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .as_slice()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    /// The value of `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0
            .as_mut_slice()
            .iter_mut()
            .rev()
            .find(|(k, _)| k.as_str() == key)
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
                self.add(SmallText::from_string(key), value);
                None
            }
        }
    }

    /// Removes every value of `key`; the last one is returned.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// How many fields (a key sent twice counts twice).
    pub fn len(&self) -> usize {
        self.0.as_slice().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.as_slice().is_empty()
    }

    /// The fields in the order received.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.0.as_slice().iter())
    }

    /// The keys in the order received.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.as_slice().iter().map(|(k, _)| k.as_str())
    }

    /// The values in the order received.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.as_slice().iter().map(|(_, v)| v)
    }

    /// As a JSON object (the last value of a key sent twice).
    pub fn into_map(self) -> Map<String, Value> {
        self.into_iter().collect()
    }

    /// Adds a field as received, without looking for an earlier one (decoding).
    #[doc(hidden)]
    pub fn push(&mut self, key: &str, value: Value) {
        self.add(SmallText::new(key), value);
    }

    fn add(&mut self, key: SmallText, value: Value) {
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

/// The fields of an [`Extra`] in the order received ([`Extra::iter`]).
#[derive(Clone, Debug)]
pub struct Iter<'a>(std::slice::Iter<'a, (SmallText, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The fields of an [`Extra`] by value, in the order received.
#[derive(Debug)]
pub struct IntoIter(IntoIterRepr);

#[derive(Debug)]
enum IntoIterRepr {
    Many(std::vec::IntoIter<(SmallText, Value)>),
    One(std::option::IntoIter<(SmallText, Value)>),
}

impl Iterator for IntoIter {
    type Item = (String, Value);
    fn next(&mut self) -> Option<Self::Item> {
        let field = match &mut self.0 {
            IntoIterRepr::Many(fields) => fields.next(),
            IntoIterRepr::One(field) => field.next(),
        };
        field.map(|(k, v)| (k.into_string(), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IntoIterRepr::Many(fields) => fields.size_hint(),
            IntoIterRepr::One(field) => field.size_hint(),
        }
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Extra {
    type Item = (String, Value);
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        IntoIter(match self.0 {
            Fields::Many(fields) => IntoIterRepr::Many(fields.into_iter()),
            Fields::One(field) => IntoIterRepr::One(Some(field).into_iter()),
        })
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut extra = Extra::new();
        for (k, v) in iter {
            extra.add(SmallText::from_string(k), v);
        }
        extra
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
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self {
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
                let mut buffer = String::new();
                while let Some(key) = crate::__private::next_key(&mut map, &mut buffer)? {
                    let value = map.next_value()?;
                    out.push(key, value);
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
    fn one_field_is_held_in_place_and_more_in_a_list() {
        let mut extra = Extra::new();
        extra.push("a", json!(1));
        assert!(matches!(extra.0, Fields::One(_)));
        assert_eq!((extra.len(), extra.get("a")), (1, Some(&json!(1))));
        *extra.get_mut("a").unwrap() = json!(2);
        let one = extra.clone();
        extra.push("b", json!(3));
        assert!(matches!(extra.0, Fields::Many(_)));
        assert_eq!(extra.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(extra.remove("b"), Some(json!(3)));
        assert_eq!(extra, one, "equal whichever way they are held");
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            serde_json::to_string(&one).unwrap()
        );
        let mut one = one;
        assert_eq!(one.remove("x"), None);
        assert_eq!(one.remove("a"), Some(json!(2)));
        assert!(one.is_empty() && one.get("a").is_none());
        one.insert("c", json!(4));
        assert_eq!(
            one.into_iter().collect::<Vec<_>>(),
            [("c".to_owned(), json!(4))]
        );
        let by_value: Extra = serde_json::from_str(r#"{"k":true}"#).unwrap();
        let mut it = by_value.into_iter();
        assert_eq!(it.size_hint(), (1, Some(1)));
        assert_eq!(it.next(), Some(("k".to_owned(), json!(true))));
        assert_eq!((it.next(), it.size_hint()), (None, (0, Some(0))));
        assert!(
            std::mem::size_of::<Extra>() <= 56,
            "{}",
            std::mem::size_of::<Extra>()
        );
    }

    #[test]
    fn debug_and_iteration_keep_the_received_order() {
        let extra: Extra = Map::from_iter([("z".to_owned(), json!(1))])
            .into_iter()
            .chain([("a".to_owned(), json!(2))])
            .collect();
        assert_eq!(format!("{extra:?}"), r#"{"z": Number(1), "a": Number(2)}"#);
        let pairs: Vec<(&str, &Value)> = (&extra).into_iter().collect();
        assert_eq!(pairs[0].0, "z");
        assert_eq!(extra.iter().len(), 2);
        let long = "a key of more than twenty bytes";
        let mut extra = extra;
        extra.insert(long, json!(3));
        extra.insert("a\0b", json!(4));
        assert_eq!(extra.get(long), Some(&json!(3)));
        assert_eq!(extra.get("a\0b"), Some(&json!(4)));
        let owned: Vec<(String, Value)> = extra.clone().into_iter().collect();
        assert_eq!(owned[2], (long.to_owned(), json!(3)));
        assert_eq!(owned[3].0, "a\0b");
        let back: Extra = owned.into_iter().collect();
        assert_eq!(back, extra);
        assert_eq!(
            extra.values().collect::<Vec<_>>(),
            [&json!(1), &json!(2), &json!(3), &json!(4)]
        );
        assert_eq!(Extra::from(Map::new()), Extra::new());
    }
}
