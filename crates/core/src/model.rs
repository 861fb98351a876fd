//! Declaring requests and records in one or two lines a field.
//!
//! [`operation!`](crate::operation) declares a request type and its [`Operation`](crate::Operation)
//! impl; [`record!`](crate::record) declares a response or record type; [`paging!`](macro@crate::paging)
//! says how an operation pages; [`register!`](crate::register) puts it in its vendor's registry.
//! Every field is an `Option` decoded through [`FromWire`](crate::de::FromWire), so a number, a
//! numeric string, `""` and `null` read as they should without per-field attributes, and every
//! field keeps the vendor's spelling on the wire (`name as "wireName": Type`).

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

use crate::de::FieldType;

/// One documented field of a request or a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The name on the wire (`customerId`).
    pub name: &'static str,
    /// The Rust field and setter name (`customer_id`).
    pub rust: &'static str,
    /// What it holds.
    pub ty: FieldType,
    /// Whether the vendor requires it (requests only; checked before sending).
    pub required: bool,
    /// The documentation of the field.
    pub doc: &'static str,
}

impl Field {
    /// A field description (used by the declaration macros).
    pub const fn new(
        name: &'static str,
        rust: &'static str,
        ty: FieldType,
        required: bool,
        doc: &'static str,
    ) -> Self {
        Field {
            name,
            rust,
            ty,
            required,
            doc,
        }
    }

    /// The first sentence of the documentation on one line, without rustdoc markup.
    pub fn summary(&self) -> String {
        let text = self
            .doc
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace("[`", "")
            .replace("`]", "")
            .replace('`', "");
        let bytes = text.as_bytes();
        let end = (0..bytes.len().saturating_sub(2)).find(|&i| {
            bytes[i] == b'.' && bytes[i + 1] == b' ' && bytes[i + 2].is_ascii_uppercase()
        });
        match end {
            Some(i) => text[..=i].to_owned(),
            None => text,
        }
    }
}

/// The next key of `map`: borrowed from the input, or — when the input's key had escapes —
/// copied into `buffer`. What [`record!`](crate::record) and [`operation!`](crate::operation)
/// read keys with: the key is a plain `&str`, so a record's field loop carries no drop glue
/// (a `Cow` key there cost about a tenth of decoding a page).
#[doc(hidden)]
#[inline]
pub fn next_key<'de: 'b, 'b, A: de::MapAccess<'de>>(
    map: &mut A,
    buffer: &'b mut String,
) -> Result<Option<&'b str>, A::Error> {
    let key = map.next_key_seed(KeySeed(&mut *buffer))?;
    let buffer: &'b String = buffer;
    Ok(key.map(|key| match key {
        KeyRef::Borrowed(k) => k,
        KeyRef::Buffered => buffer.as_str(),
    }))
}

/// Where [`next_key`] found a key: borrowed from the input, or unescaped into the buffer.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum KeyRef<'de> {
    /// The key as it stands in the input.
    Borrowed(&'de str),
    /// The key is in the buffer given to [`KeySeed`].
    Buffered,
}

/// Reads a map key into a [`KeyRef`] (for a reader that forwards keys with their lifetime,
/// such as weiban's envelope); [`next_key`] is the usual way.
#[doc(hidden)]
pub struct KeySeed<'a>(pub &'a mut String);

impl<'de> de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = KeyRef<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyRef<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = KeyRef<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyRef<'de>, E> {
        Ok(KeyRef::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyRef<'de>, E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(KeyRef::Buffered)
    }
}

/// The error for a key a request does not document.
#[doc(hidden)]
pub fn unknown_field<E: de::Error>(key: &str, fields: &[Field]) -> E {
    let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
    E::custom(format!(
        "unknown field `{key}`; documented fields: {}",
        known.join(", ")
    ))
}

/// The wire name of a field: its `as "…"` name, else the Rust name.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $wire:literal) => {
        $wire
    };
}

/// Whether a field is marked `= required`.
#[doc(hidden)]
#[macro_export]
macro_rules! __required {
    () => {
        false
    };
    (required) => {
        true
    };
}

/// Declares a request: the struct (every field an `Option`), `new()`, one setter per field
/// (`x(value)`), its wire form, its documented fields, and its [`Operation`](crate::Operation)
/// impl. Fields marked `= required` are checked before anything is sent; a `validate(r) {…}`
/// block adds the endpoint's documented limits (see [`check`](crate::check)).
///
/// ```
/// # mod demo {
/// # pub struct Demo;
/// # impl scrm_core::Vendor for Demo {
/// #     const NAME: &'static str = "demo";
/// #     fn open<T: serde::de::DeserializeOwned>(&self, r: &scrm_core::HttpResponse, _: &scrm_core::SignReceipt) -> Result<T, scrm_core::Error> {
/// #         scrm_core::decode_json(&r.body)
/// #     }
/// # }
/// use scrm_core::de::{Id, UnixSeconds};
/// scrm_core::record! {
///     /// The payload.
///     pub struct ListThingsResponse {
///         /// The things.
///         things: Vec<serde_json::Value>,
///     }
/// }
/// scrm_core::operation! {
///     /// List things.
///     pub struct ListThings: Demo, POST "/api/things/list" => ListThingsResponse as "things/list" {
///         /// Page size, at most 100.
///         page_size as "pageSize": u32,
///         /// Owner.
///         owner_id as "ownerId": Id = required,
///         /// Created at or after.
///         since: UnixSeconds,
///     }
///     validate(r) { scrm_core::check::at_most("pageSize", r.page_size, 100) }
/// }
/// # }
/// use demo::ListThings;
/// use scrm_core::Operation;
/// let r = ListThings::new().owner_id("42").page_size(20u32);
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"pageSize":20,"ownerId":"42"}"#);
/// let back: ListThings = serde_json::from_str(r#"{"pageSize":"20","ownerId":42,"since":""}"#).unwrap();
/// assert_eq!(back.page_size, Some(20));
/// assert_eq!(back.since, None);
/// assert!(r.validate().is_ok());
/// let e = ListThings::new().validate().unwrap_err();
/// assert_eq!(e.message(), "`ownerId` is required");
/// let e = r.page_size(500u32).validate().unwrap_err();
/// assert_eq!(e.message(), "`pageSize` must be at most 100, got 500");
/// assert_eq!(ListThings::FIELDS[0].name, "pageSize");
/// ```
#[macro_export]
macro_rules! operation {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident : $vendor:ty, $method:ident $path:literal $(, $enc:ident)?
            => $resp:ty as $opname:literal {
            $( $(#[doc = $doc:literal])* $field:ident $(as $wire:literal)? : $ty:ty $(= $req:ident)? ),* $(,)?
        }
        $(validate($r:ident) $body:block)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        $vis struct $name {
            $( $(#[doc = $doc])* pub $field: ::core::option::Option<$ty>, )*
        }

        impl $name {
            /// A request with no field set.
            pub fn new() -> Self {
                Self::default()
            }

            $(
                #[doc = concat!("Sets `", $crate::__wire!($field $(, $wire)?), "`.")]
                pub fn $field(mut self, value: impl $crate::IntoField<$ty>) -> Self {
                    self.$field = ::core::option::Option::Some($crate::IntoField::into_field(value));
                    self
                }
            )*
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                use $crate::__private::serde::ser::SerializeMap as _;
                let mut map = s.serialize_map(::core::option::Option::None)?;
                $(
                    if let ::core::option::Option::Some(v) = &self.$field {
                        map.serialize_entry($crate::__wire!($field $(, $wire)?), v)?;
                    }
                )*
                map.end()
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                struct V;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("the fields of ", stringify!($name)))
                    }
                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::core::result::Result<$name, A::Error> {
                        #[allow(unused_mut)]
                        let mut out = $name::default();
                        let mut buffer = ::std::string::String::new();
                        while let ::core::option::Option::Some(key) =
                            $crate::__private::next_key(&mut map, &mut buffer)?
                        {
                            match key {
                                $(
                                    $crate::__wire!($field $(, $wire)?) => {
                                        out.$field = map.next_value_seed(
                                            $crate::de::WireSeed::<$ty>(::core::marker::PhantomData),
                                        )?;
                                    }
                                )*
                                other => {
                                    return ::core::result::Result::Err(
                                        $crate::__private::unknown_field(
                                            other,
                                            <$name as $crate::Operation>::FIELDS,
                                        ),
                                    );
                                }
                            }
                        }
                        ::core::result::Result::Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl $crate::Operation for $name {
            type Vendor = $vendor;
            type Response = $resp;
            const NAME: &'static str = $opname;
            const PATH: &'static str = $path;
            const METHOD: $crate::Method = $crate::Method::$method;
            const ENCODING: $crate::Encoding = $crate::__encoding!($($enc)?);
            const FIELDS: &'static [$crate::Field] = &[
                $(
                    $crate::Field::new(
                        $crate::__wire!($field $(, $wire)?),
                        stringify!($field),
                        <$ty as $crate::de::FromWire>::TYPE,
                        $crate::__required!($($req)?),
                        concat!($($doc, "\n"),*),
                    ),
                )*
            ];

            fn validate(&self) -> ::core::result::Result<(), $crate::Error> {
                $(
                    if $crate::__required!($($req)?) && self.$field.is_none() {
                        return ::core::result::Result::Err($crate::check::missing(
                            $crate::__wire!($field $(, $wire)?),
                        ));
                    }
                )*
                $(
                    {
                        let $r = self;
                        let checked: ::core::result::Result<(), $crate::Error> = $body;
                        checked?;
                    }
                )?
                ::core::result::Result::Ok(())
            }
        }
    };
}

/// The encoding named in an [`operation!`]: `query`, else a JSON body.
#[doc(hidden)]
#[macro_export]
macro_rules! __encoding {
    () => {
        $crate::Encoding::Json
    };
    (json) => {
        $crate::Encoding::Json
    };
    (query) => {
        $crate::Encoding::Query
    };
}

/// Declares a response or record type: every field an `Option` decoded through
/// [`FromWire`](crate::de::FromWire), fields the docs do not list kept in `extra` (so nothing
/// the vendor sent is lost), and a wire form with the vendor's names: documented fields in
/// declaration order, then the undocumented ones.
///
/// ```
/// use scrm_core::de::{Id, UnixSeconds};
/// scrm_core::record! {
///     /// A customer.
///     pub struct Customer {
///         /// The customer's id.
///         id: Id,
///         /// Name.
///         name: String,
///         /// Added at.
///         add_time as "addTime": UnixSeconds,
///     }
/// }
/// let c: Customer = serde_json::from_str(r#"{"id":9007199254740993,"name":"王","addTime":"1700000000","vip":true}"#).unwrap();
/// assert_eq!(c.id.as_ref().map(|i| i.as_str()), Some("9007199254740993"));
/// assert_eq!(c.add_time, Some(UnixSeconds(1_700_000_000)));
/// assert_eq!(c.extra["vip"], serde_json::json!(true));
/// assert_eq!(
///     serde_json::to_string(&c).unwrap(),
///     r#"{"id":9007199254740993,"name":"王","addTime":1700000000,"vip":true}"#
/// );
/// ```
#[macro_export]
macro_rules! record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[doc = $doc:literal])* $field:ident $(as $wire:literal)? : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        $vis struct $name {
            $( $(#[doc = $doc])* pub $field: ::core::option::Option<$ty>, )*
            /// Fields the documentation does not list, as the vendor sent them (in the order
            /// received).
            pub extra: $crate::Extra,
        }

        impl $name {
            /// The documented fields.
            pub const FIELDS: &'static [$crate::Field] = &[
                $(
                    $crate::Field::new(
                        $crate::__wire!($field $(, $wire)?),
                        stringify!($field),
                        <$ty as $crate::de::FromWire>::TYPE,
                        false,
                        concat!($($doc, "\n"),*),
                    ),
                )*
            ];
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                use $crate::__private::serde::ser::SerializeMap as _;
                let mut map = s.serialize_map(::core::option::Option::None)?;
                $(
                    if let ::core::option::Option::Some(v) = &self.$field {
                        map.serialize_entry($crate::__wire!($field $(, $wire)?), v)?;
                    }
                )*
                for (k, v) in &self.extra {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                struct V;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("an object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::core::result::Result<$name, A::Error> {
                        let mut out = $name::default();
                        let mut buffer = ::std::string::String::new();
                        while let ::core::option::Option::Some(key) =
                            $crate::__private::next_key(&mut map, &mut buffer)?
                        {
                            match key {
                                $(
                                    $crate::__wire!($field $(, $wire)?) => {
                                        out.$field = map.next_value_seed(
                                            $crate::de::WireSeed::<$ty>(::core::marker::PhantomData),
                                        )?;
                                    }
                                )*
                                _ => {
                                    let value = map.next_value()?;
                                    out.extra.push(key, value);
                                }
                            }
                        }
                        ::core::result::Result::Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }

        $crate::__from_wire_via_deserialize!($name, $crate::de::FieldType::Json);
    };
}

/// The verbs every vendor client offers, the same in all four crates: [`call`] (one request,
/// one decoded answer), [`pages`] (a stream of pages with the position to resume from) and
/// [`items`] (a stream of records), plus [`stats`] and [`core`]. `$example` is a doctest body
/// with `client` and `request` in scope, shown on each verb.
///
/// [`call`]: crate::Client::call
/// [`pages`]: crate::Client::pages
/// [`items`]: crate::Client::items
/// [`stats`]: crate::Client::stats
/// [`core`]: crate::Client
#[doc(hidden)]
#[macro_export]
macro_rules! vendor_client_verbs {
    ($client:ty, $vendor:ty, call: $call_ex:literal, pages: $pages_ex:literal, items: $items_ex:literal) => {
        impl $client {
            /// Sends one request (one page of a list) and returns the vendor's decoded answer,
            /// with retries, token refresh and rate limiting.
            ///
            /// ```no_run
            #[doc = $call_ex]
            /// ```
            pub async fn call<Op: $crate::Operation<Vendor = $vendor>>(
                &self,
                request: &Op,
            ) -> ::core::result::Result<Op::Response, $crate::Error> {
                self.core().call(request).await
            }

            /// The pages of `request`, each with its position and the position to resume from;
            /// set page options on the returned stream (`.concurrency(4)`,
            /// `.resume_from(position)`, `.max_pages(10)`). Every filter is kept on every page;
            /// the first error ends the stream.
            ///
            /// ```no_run
            #[doc = $pages_ex]
            /// ```
            pub fn pages<Op: $crate::Paged<Vendor = $vendor>>(
                &self,
                request: Op,
            ) -> $crate::Pages<Op> {
                self.core().pages(request)
            }

            /// Every record of every page of `request`, in order; set page options on the
            /// returned stream as on [`pages`](Self::pages).
            ///
            /// ```no_run
            #[doc = $items_ex]
            /// ```
            pub fn items<Op: $crate::Paged<Vendor = $vendor>>(
                &self,
                request: Op,
            ) -> $crate::Items<Op> {
                self.core().items(request)
            }

            /// Counters of requests, retries and throttled answers so far (shared by clones).
            pub fn stats(&self) -> $crate::ClientStats {
                self.core().stats()
            }
        }
    };
}

/// What a request setter accepts for a field of type `T`: a `T`, or a value that converts
/// without loss of meaning — text for text and ids, integer literals (`i32` by default) for
/// the integer, id and timestamp types, string arrays for lists.
///
/// ```
/// use scrm_core::de::{Id, UnixSeconds};
/// use scrm_core::IntoField;
/// let limit: u32 = 10.into_field();
/// let id: Id = "42".into_field();
/// let at: UnixSeconds = 1_626_192_000.into_field();
/// let ids: Vec<String> = ["a", "b"].into_field();
/// assert_eq!((limit, id.as_str(), at.0, ids.len()), (10, "42", 1_626_192_000, 2));
/// // A negative literal for an unsigned field becomes 0, which validation refuses where the
/// // vendor wants a positive number.
/// let zero: u32 = (-5).into_field();
/// assert_eq!(zero, 0);
/// ```
pub trait IntoField<T> {
    /// The field's value.
    fn into_field(self) -> T;
}

impl<T> IntoField<T> for T {
    fn into_field(self) -> T {
        self
    }
}

impl IntoField<String> for &str {
    fn into_field(self) -> String {
        self.to_owned()
    }
}

impl IntoField<String> for &String {
    fn into_field(self) -> String {
        self.clone()
    }
}

macro_rules! from_i32 {
    ($($t:ty),*) => {$(
        impl IntoField<$t> for i32 {
            fn into_field(self) -> $t {
                <$t>::try_from(self.max(0)).unwrap_or(<$t>::MAX)
            }
        }
    )*};
}
from_i32!(u8, u16, u32, u64);

impl IntoField<i64> for i32 {
    fn into_field(self) -> i64 {
        i64::from(self)
    }
}

impl IntoField<crate::de::Id> for &str {
    fn into_field(self) -> crate::de::Id {
        crate::de::Id::string(self)
    }
}

impl IntoField<crate::de::Id> for String {
    fn into_field(self) -> crate::de::Id {
        crate::de::Id::string(self)
    }
}

impl IntoField<crate::de::Id> for u64 {
    fn into_field(self) -> crate::de::Id {
        crate::de::Id::number(self)
    }
}

impl IntoField<crate::de::Id> for i32 {
    fn into_field(self) -> crate::de::Id {
        match u64::try_from(self) {
            Ok(v) => crate::de::Id::number(v),
            Err(_) => crate::de::Id::string(self.to_string()),
        }
    }
}

impl IntoField<crate::de::Digits> for u64 {
    fn into_field(self) -> crate::de::Digits {
        crate::de::Digits(self)
    }
}

impl IntoField<crate::de::Digits> for u32 {
    fn into_field(self) -> crate::de::Digits {
        crate::de::Digits(u64::from(self))
    }
}

impl IntoField<crate::de::Digits> for i32 {
    fn into_field(self) -> crate::de::Digits {
        crate::de::Digits(u64::try_from(self.max(0)).unwrap_or(0))
    }
}

macro_rules! unix_from {
    ($($t:ident),*) => {$(
        impl IntoField<crate::de::$t> for i64 {
            fn into_field(self) -> crate::de::$t {
                crate::de::$t(self)
            }
        }
        impl IntoField<crate::de::$t> for i32 {
            fn into_field(self) -> crate::de::$t {
                crate::de::$t(i64::from(self))
            }
        }
    )*};
}
unix_from!(UnixSeconds, UnixMillis);

impl<const N: usize> IntoField<Vec<String>> for [&str; N] {
    fn into_field(self) -> Vec<String> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }
}

impl IntoField<Vec<String>> for &[&str] {
    fn into_field(self) -> Vec<String> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }
}

impl IntoField<Vec<String>> for Vec<&str> {
    fn into_field(self) -> Vec<String> {
        self.into_iter().map(str::to_owned).collect()
    }
}
