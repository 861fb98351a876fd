//! Raw calls: any endpoint of a vendor, typed or not, through the same machinery (auth,
//! signing, retries, rate limits, redaction, tracing), as JSON.
//!
//! A [`RawRequest`] names a method, a path, query parameters and JSON body fields; the vendor's
//! envelope is opened as for typed calls (errors classified by its code table) and the payload
//! comes back as a [`serde_json::Value`]. With [`RawPaging`] it pages like a typed operation —
//! in any of the built-in styles, with the field names the caller chooses — through the same
//! driver (loop guard, page cap, resume positions, empty-page retries, drift policy).
//!
//! ```
//! use scrm_core::raw::{RawPaging, RawRequest};
//! use scrm_core::{Method, Operation, PagingStyle};
//! # struct Demo;
//! # impl scrm_core::Vendor for Demo {
//! #     const NAME: &'static str = "demo";
//! #     fn open<T: serde::de::DeserializeOwned>(&self, r: &scrm_core::HttpResponse, _: &scrm_core::SignReceipt) -> Result<T, scrm_core::Error> {
//! #         scrm_core::decode_json(&r.body)
//! #     }
//! # }
//! let request = RawRequest::<Demo>::new(Method::GET, "/open-api/external_user/list")
//!     .field("start_time", 1_700_000_000)
//!     .paging(RawPaging::new(PagingStyle::Offset, "external_user_list").size(100));
//! assert_eq!(request.route().path, "/open-api/external_user/list");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::operation::{Encoding, Operation, Route, Vendor};
use crate::paging::{
    Cursor, CursorPaged, Keyset, KeysetPaged, Offset, OffsetPaged, Page, PageNumber, PageNumbered,
    PageOptions, PageRows, PageRowsPaged, Paged, Paginator, PagingStyle, Position, Single, Step,
};
use crate::transport::Method;
use crate::{Error, ErrorKind};

/// How a raw request pages: the style and the field names of its position, size, items, total,
/// cursor or key. Dotted names reach into nested objects (`data.list`); an empty items name
/// means the payload itself is the list.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawPaging {
    /// The style.
    pub style: PagingStyle,
    /// Where the records are in the payload.
    pub items: String,
    /// The request field of the position: the page (page number, page/rows), the offset, the
    /// cursor or the last id.
    pub position_field: String,
    /// The request field of the page size (`None`: not sent).
    pub size_field: Option<String>,
    /// The page size to ask for.
    pub size: u64,
    /// Where the total is in the payload (page number, offset).
    pub total_field: Option<String>,
    /// Where the next cursor is in the payload (cursor).
    pub next_field: String,
    /// The record field whose value is the next last id (keyset).
    pub key_field: String,
    /// Send positions and sizes as strings of digits (waiqin's `page`/`rows`).
    pub numbers_as_strings: bool,
}

impl RawPaging {
    /// Paging in `style` with the records at `items`, and the usual field names of that style:
    /// `page`/`page_size`/`total`, `offset`/`limit`/`total`, `page`/`rows`,
    /// `cursor`/`size`/`next_cursor`, `last_id`/`page_size`/`id`; 100 records a page.
    pub fn new(style: PagingStyle, items: impl Into<String>) -> Self {
        let (position, size, total) = match style {
            PagingStyle::PageNumber => ("page", Some("page_size"), Some("total")),
            PagingStyle::Offset => ("offset", Some("limit"), Some("total")),
            PagingStyle::PageRows => ("page", Some("rows"), None),
            PagingStyle::Cursor => ("cursor", Some("size"), None),
            PagingStyle::Keyset => ("last_id", Some("page_size"), None),
            PagingStyle::Single => ("", None, None),
        };
        RawPaging {
            style,
            items: items.into(),
            position_field: position.to_owned(),
            size_field: size.map(str::to_owned),
            size: 100,
            total_field: total.map(str::to_owned),
            next_field: "next_cursor".to_owned(),
            key_field: "id".to_owned(),
            numbers_as_strings: false,
        }
    }

    /// The request field of the position.
    pub fn position_field(mut self, name: impl Into<String>) -> Self {
        self.position_field = name.into();
        self
    }

    /// The request field of the page size.
    pub fn size_field(mut self, name: impl Into<String>) -> Self {
        self.size_field = Some(name.into());
        self
    }

    /// The page size to ask for (at least 1).
    pub fn size(mut self, size: u64) -> Self {
        self.size = size.max(1);
        self
    }

    /// Where the total is in the payload.
    pub fn total_field(mut self, path: impl Into<String>) -> Self {
        self.total_field = Some(path.into());
        self
    }

    /// Where the next cursor is in the payload.
    pub fn next_field(mut self, path: impl Into<String>) -> Self {
        self.next_field = path.into();
        self
    }

    /// The record field of the keyset key.
    pub fn key_field(mut self, name: impl Into<String>) -> Self {
        self.key_field = name.into();
        self
    }

    /// Send positions and sizes as strings of digits.
    pub fn numbers_as_strings(mut self, yes: bool) -> Self {
        self.numbers_as_strings = yes;
        self
    }
}

/// A request to any endpoint of vendor `V`: the payload comes back as JSON. Fields travel in
/// the query for `GET`, in a JSON body otherwise; [`RawRequest::query`] adds query parameters
/// to any method.
pub struct RawRequest<V> {
    route: Route,
    fields: Map<String, Value>,
    paging: RawPaging,
    _vendor: PhantomData<fn() -> V>,
}

impl<V> Clone for RawRequest<V> {
    fn clone(&self) -> Self {
        RawRequest {
            route: self.route.clone(),
            fields: self.fields.clone(),
            paging: self.paging.clone(),
            _vendor: PhantomData,
        }
    }
}

impl<V> fmt::Debug for RawRequest<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("route", &self.route)
            .field("fields", &self.fields)
            .field("paging", &self.paging)
            .finish()
    }
}

impl<V> RawRequest<V> {
    /// A request of `method` to `path` (everything after the base URL), not paged.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let path = path.into();
        let encoding = if method == Method::GET {
            Encoding::Query
        } else {
            Encoding::Json
        };
        RawRequest {
            route: Route {
                name: Cow::Owned(path.trim_start_matches('/').to_owned()),
                method,
                path: Cow::Owned(path),
                encoding,
                idempotent: true,
                query: Vec::new(),
            },
            fields: Map::new(),
            paging: RawPaging::new(PagingStyle::Single, ""),
            _vendor: PhantomData,
        }
    }

    /// Sets a field: a query parameter for `GET`, a body field otherwise.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// Sets every field of `body` (a JSON object); anything else is refused when sent.
    pub fn fields(mut self, body: Map<String, Value>) -> Self {
        self.fields.extend(body);
        self
    }

    /// Adds a query parameter, whatever the method.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.route.query.push((name.into(), value.into()));
        self
    }

    /// Marks it a write that must not be sent twice: it is retried only when it certainly did
    /// not reach the vendor.
    pub fn not_idempotent(mut self) -> Self {
        self.route.idempotent = false;
        self
    }

    /// Pages it.
    pub fn paging(mut self, paging: RawPaging) -> Self {
        self.paging = paging;
        self
    }

    /// The fields as they will be sent.
    pub fn field_values(&self) -> &Map<String, Value> {
        &self.fields
    }

    fn number(&self, n: u64) -> Value {
        if self.paging.numbers_as_strings {
            Value::String(n.to_string())
        } else {
            Value::from(n)
        }
    }

    fn get_u64(&self, field: &str) -> Option<u64> {
        self.fields.get(field).and_then(as_u64)
    }

    fn set(&mut self, field: &str, value: Value) {
        if !field.is_empty() {
            self.fields.insert(field.to_owned(), value);
        }
    }
}

impl<V> Serialize for RawRequest<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(s)
    }
}

impl<V: Vendor> Operation for RawRequest<V> {
    type Vendor = V;
    type Response = Value;
    const NAME: &'static str = "raw call";
    const PATH: &'static str = "";

    fn validate(&self) -> Result<(), Error> {
        if !self.route.path.starts_with('/') {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "the path {:?} must start with '/' (everything after the base URL)",
                    self.route.path
                ),
            ));
        }
        Ok(())
    }

    fn route(&self) -> Route {
        self.route.clone()
    }
}

/// A number, or digits in a string.
fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The value at a dotted path (`data.list`); the whole value for an empty path.
fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn take_at(value: &mut Value, path: &str) -> Option<Value> {
    if path.is_empty() {
        return Some(value.take());
    }
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (parent, last),
        None => ("", path),
    };
    let parent = if parent.is_empty() {
        Some(value)
    } else {
        parent.split('.').try_fold(value, |v, key| v.get_mut(key))
    };
    parent
        .and_then(|p| p.as_object_mut())
        .and_then(|o| o.remove(last))
}

impl<V: Vendor> Paged for RawRequest<V> {
    type Item = Value;
    type Style = RawPager;
    // The style is chosen per request; the registry never lists raw requests.
    const STYLE: PagingStyle = PagingStyle::Single;

    fn take_items(response: &mut Value) -> Vec<Value> {
        match response.take() {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => vec![other],
        }
    }

    fn items_of(&self, response: &mut Value) -> Vec<Value> {
        let (shaped, items) = self.reshape(response.take());
        *response = shaped;
        items
    }

    fn prepare(&mut self) {
        let p = self.paging.clone();
        if let Some(size_field) = &p.size_field
            && p.style != PagingStyle::Single
            && !self.fields.contains_key(size_field)
        {
            let size = self.number(p.size);
            self.set(size_field, size);
        }
        let start = match p.style {
            PagingStyle::PageNumber | PagingStyle::PageRows => Some(1),
            PagingStyle::Offset => Some(0),
            _ => None,
        };
        if let Some(start) = start
            && !self.fields.contains_key(&p.position_field)
        {
            let start = self.number(start);
            self.set(&p.position_field, start);
        }
    }
}

impl<V: Vendor> PageNumbered for RawRequest<V> {
    fn page(&self) -> u64 {
        self.get_u64(&self.paging.position_field).unwrap_or(1)
    }
    fn set_page(&mut self, page: u64) {
        let v = self.number(page);
        let field = self.paging.position_field.clone();
        self.set(&field, v);
    }
    fn page_size(&self) -> u64 {
        self.paging
            .size_field
            .as_deref()
            .and_then(|f| self.get_u64(f))
            .unwrap_or(self.paging.size)
    }
    fn total(response: &Value) -> Option<u64> {
        // Filled in by `RawPager` (the total's path is on the request).
        response.get(TOTAL_KEY).and_then(as_u64)
    }
}

impl<V: Vendor> OffsetPaged for RawRequest<V> {
    fn offset(&self) -> u64 {
        self.get_u64(&self.paging.position_field).unwrap_or(0)
    }
    fn set_offset(&mut self, offset: u64) {
        PageNumbered::set_page(self, offset);
    }
    fn limit(&self) -> u64 {
        PageNumbered::page_size(self)
    }
    fn total(response: &Value) -> Option<u64> {
        <Self as PageNumbered>::total(response)
    }
}

impl<V: Vendor> PageRowsPaged for RawRequest<V> {
    fn page(&self) -> u64 {
        PageNumbered::page(self)
    }
    fn set_page(&mut self, page: u64) {
        PageNumbered::set_page(self, page);
    }
    fn rows(&self) -> u64 {
        PageNumbered::page_size(self)
    }
}

impl<V: Vendor> CursorPaged for RawRequest<V> {
    fn cursor(&self) -> Option<&str> {
        self.fields
            .get(&self.paging.position_field)
            .and_then(Value::as_str)
    }
    fn set_cursor(&mut self, cursor: Option<String>) {
        let field = self.paging.position_field.clone();
        match cursor {
            Some(c) => self.set(&field, Value::String(c)),
            None => {
                self.fields.remove(&field);
            }
        }
    }
    fn next_cursor(response: &Value) -> Option<&str> {
        response.get(NEXT_KEY).and_then(Value::as_str)
    }
}

impl<V: Vendor> KeysetPaged for RawRequest<V> {
    fn last_id(&self) -> Option<String> {
        self.fields
            .get(&self.paging.position_field)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    }
    fn set_last_id(&mut self, id: Option<&str>) -> Result<(), Error> {
        let field = self.paging.position_field.clone();
        match id {
            // Ids that are integers travel as numbers, unless the caller asked for strings.
            Some(id) => {
                let value = match id.parse::<u64>() {
                    Ok(n) if !self.paging.numbers_as_strings => Value::from(n),
                    _ => Value::String(id.to_owned()),
                };
                self.set(&field, value);
            }
            None => {
                self.fields.remove(&field);
            }
        }
        Ok(())
    }
    fn page_size(&self) -> u64 {
        PageNumbered::page_size(self)
    }
    fn key(item: &Value) -> String {
        match item.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    fn key_of(&self, item: &Value) -> String {
        match at(item, &self.paging.key_field) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}

// The driver hands paginators the response; the field names of a raw request live on the
// request, so `items_of` rewrites the response into this fixed shape first.
const TOTAL_KEY: &str = "\u{0}total";
const NEXT_KEY: &str = "\u{0}next";

/// The paginator of [`RawRequest`]: the built-in paginator of the request's style.
#[derive(Debug, Default)]
pub struct RawPager {
    page_number: PageNumber,
    offset: Offset,
    page_rows: PageRows,
    cursor: Cursor,
    keyset: Keyset,
    single: Single,
}

impl<V: Vendor> Paginator<RawRequest<V>> for RawPager {
    const STYLE: PagingStyle = PagingStyle::Single;

    fn position(&self, request: &RawRequest<V>) -> Position {
        match request.paging.style {
            PagingStyle::PageNumber => self.page_number.position(request),
            PagingStyle::Offset => self.offset.position(request),
            PagingStyle::PageRows => self.page_rows.position(request),
            PagingStyle::Cursor => self.cursor.position(request),
            PagingStyle::Keyset => self.keyset.position(request),
            PagingStyle::Single => self.single.position(request),
        }
    }

    fn resume(&mut self, request: &mut RawRequest<V>, position: &Position) -> Result<(), Error> {
        match request.paging.style {
            PagingStyle::PageNumber => self.page_number.resume(request, position),
            PagingStyle::Offset => self.offset.resume(request, position),
            PagingStyle::PageRows => self.page_rows.resume(request, position),
            PagingStyle::Cursor => self.cursor.resume(request, position),
            PagingStyle::Keyset => self.keyset.resume(request, position),
            PagingStyle::Single => self.single.resume(request, position),
        }
    }

    fn next(
        &mut self,
        request: &RawRequest<V>,
        response: &Value,
        items: &[Value],
        options: &PageOptions,
    ) -> Result<Step<RawRequest<V>>, Error> {
        match request.paging.style {
            PagingStyle::PageNumber => self.page_number.next(request, response, items, options),
            PagingStyle::Offset => self.offset.next(request, response, items, options),
            PagingStyle::PageRows => self.page_rows.next(request, response, items, options),
            PagingStyle::Cursor => self.cursor.next(request, response, items, options),
            PagingStyle::Keyset => self.keyset.next(request, response, items, options),
            PagingStyle::Single => self.single.next(request, response, items, options),
        }
    }

    fn after(&self, next: &RawRequest<V>, k: u64) -> Option<RawRequest<V>> {
        match next.paging.style {
            PagingStyle::PageNumber => self.page_number.after(next, k),
            PagingStyle::Offset => self.offset.after(next, k),
            _ => None,
        }
    }
}

impl<V: Vendor> RawRequest<V> {
    /// Splits a payload into the records at `items` and what the paginators read: the total
    /// and the next cursor under fixed private names.
    fn reshape(&self, mut payload: Value) -> (Value, Vec<Value>) {
        let p = &self.paging;
        let total = p
            .total_field
            .as_deref()
            .and_then(|path| at(&payload, path))
            .and_then(as_u64);
        let next = at(&payload, &p.next_field)
            .and_then(Value::as_str)
            .map(str::to_owned);
        let items = match take_at(&mut payload, &p.items) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) => Vec::new(),
            None => {
                // Most likely a wrong items field: say so rather than end quietly.
                let fields: Vec<&str> = payload
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                tracing::warn!(
                    items = %p.items,
                    fields = %fields.join(","),
                    "the payload has no items field by that name: no records on this page"
                );
                Vec::new()
            }
            Some(other) => vec![other],
        };
        let mut shaped = Map::new();
        if let Some(total) = total {
            shaped.insert(TOTAL_KEY.to_owned(), Value::from(total));
        }
        if let Some(next) = next {
            shaped.insert(NEXT_KEY.to_owned(), Value::String(next));
        }
        (Value::Object(shaped), items)
    }
}

/// A page of a raw request: its records as JSON.
pub type RawPage<V> = Page<RawRequest<V>>;
