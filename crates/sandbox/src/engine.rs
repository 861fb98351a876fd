//! The generic engine: an operation is a declaration ([`OpDecl`]) — route, population, record
//! generator, documented filters, paging style with its documented limits, envelope — and one
//! engine per paging style serves it over the lazy [`Dataset`].
//!
//! Selection: time windows on a population's time axis become index ranges by binary search;
//! id lookups (`Lookup`/`AnyLookup`) invert the id function in O(1); every other filter is a
//! predicate evaluated by one scan whose result is cached (per request filters and per
//! population generation, so mutations invalidate it).

use std::sync::Arc;

use serde_json::Value;

use crate::data::{Dataset, PopView, Rec, Vendor};
use crate::util::{
    b64_decode24, b64_encode24, json_i64, json_string, mix, parse_cst_date, parse_cst_datetime,
    push_int,
};

/// A record attribute as text (for equality / contains filters and primary keys).
pub(crate) type Attr = fn(&Dataset, &Rec) -> String;
/// A record attribute holding several values (tags, owners ...).
pub(crate) type AttrMany = fn(&Dataset, &Rec) -> Vec<String>;
/// A record time attribute, Unix seconds.
pub(crate) type TimeAttr = fn(&Dataset, &Rec) -> i64;
/// Indices of the records with this id (inverse of the id function), ascending.
pub(crate) type Find = fn(&Dataset, &PopView, &str) -> Vec<usize>;
/// Appends the JSON of a record.
pub(crate) type Gen = fn(&Dataset, &Rec, &mut String);
/// Builds the success body of a page.
pub(crate) type Envelope = fn(&Page<'_>) -> String;
/// Checks a request before selection (required fields, list lengths ...).
pub(crate) type Check = fn(&Value) -> Result<(), Rej>;
/// Checks a selection's size (e.g. "nothing found" error codes of lookup endpoints).
pub(crate) type Found = fn(&Value, usize) -> Result<(), Rej>;
/// A valid demo request of an operation: its required filters, valued from the dataset.
pub(crate) type Demo = fn(&Dataset) -> Value;

/// A rejection: `code: None` is the vendor's parameter error, `Some(c)` a documented code.
#[derive(Debug)]
pub(crate) struct Rej {
    pub(crate) code: Option<i64>,
    pub(crate) msg: String,
}

impl Rej {
    pub(crate) fn param(msg: impl Into<String>) -> Self {
        Self {
            code: None,
            msg: msg.into(),
        }
    }
    pub(crate) fn code(code: i64, msg: impl Into<String>) -> Self {
        Self {
            code: Some(code),
            msg: msg.into(),
        }
    }
}

impl From<String> for Rej {
    fn from(msg: String) -> Self {
        Rej::param(msg)
    }
}

/// How a population's size follows `SandboxConfig::records`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Size {
    /// `records`.
    Records,
    /// A fixed number (type lists, tag trees).
    Fixed(usize),
    /// `records / n` (at least 1).
    Div(usize),
}

/// A population of records: operations sharing one (a list, its detail lookup, its change
/// feed) see the same records and the same mutations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pop {
    /// Hash salt; also the population's identity.
    pub(crate) salt: u64,
    pub(crate) size: Size,
}

/// Units of a request time value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Unix seconds (number or numeric string).
    Secs,
    /// Unix milliseconds.
    Millis,
    /// `yyyy-MM-dd`, China time (day granularity).
    Date,
    /// `yyyy-MM-dd HH:mm:ss`, China time.
    DateTime,
}

/// Which time a window applies to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Axis {
    /// The population's own (ascending) time: binary search.
    Primary,
    /// Another time of the record (modification ...): cached scan.
    Attr(TimeAttr),
}

/// The type of a request value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An integer, as a JSON number or a numeric string.
    Int,
    /// A string (numbers taken as their decimal text).
    Str,
}

/// How a request field selects records.
#[derive(Clone, Copy, Debug)]
pub(crate) enum How {
    /// Lower bound (inclusive) of a time window.
    From(Unit, Axis),
    /// Upper bound of a time window; `true` = inclusive.
    To(Unit, bool, Axis),
    /// The record attribute equals the value.
    Eq(Kind, Attr),
    /// Every record has this value: the value selects all records, any other none (no scan).
    Const(&'static str),
    /// The record attribute contains the value.
    Contains(Attr),
    /// The value is a list; the attribute is one of its elements (empty list: no filter).
    AnyOf(Kind, Attr),
    /// The value is a list; one of the record's attribute values is in it.
    AnyOfMany(Kind, AttrMany),
    /// The value is one id: the record with that id (O(1) lookup).
    Lookup(Kind, Find),
    /// The value is a list of ids (O(1) lookups).
    AnyLookup(Find),
    /// `asc` (default) or `desc`: serving order.
    Order,
    /// Documented and type-checked, but the sandbox data has nothing it could select on.
    Accept(Kind),
    /// Documented, of a shape the sandbox does not interpret (objects, unknown enums).
    Ignore,
}

/// A documented request field and how it selects records.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Filter {
    /// Field name; `a.b` addresses a nested object field.
    pub(crate) field: &'static str,
    pub(crate) how: How,
}

/// A filter declaration in one line: `f("start_time", How::From(Unit::Secs, Axis::Primary))`.
pub(crate) const fn f(field: &'static str, how: How) -> Filter {
    Filter { field, how }
}

/// Paging styles with their documented request fields and limits.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Paging {
    /// 1-based page number + page size; the envelope reports a total.
    PageTotal {
        page: &'static str,
        size: &'static str,
        default: i64,
        max: i64,
    },
    /// 0-based offset + limit.
    Offset {
        offset: &'static str,
        limit: &'static str,
        default: i64,
        max: i64,
    },
    /// 1-based page + rows, no total; `ints` rejects numeric strings; `required`: both
    /// fields must be sent.
    PageRows {
        page: &'static str,
        rows: &'static str,
        default: i64,
        max: i64,
        ints: bool,
        required: bool,
    },
    /// Opaque cursor + size; next cursor `None` at the end.
    Cursor {
        cursor: &'static str,
        size: &'static str,
        default: i64,
        max: i64,
    },
    /// Keyset on an increasing numeric key: ascending pages hold keys > `last`; newest-first
    /// (when `newest_first` says so for the running config) pages hold keys < `last`,
    /// descending. `offset` (if documented) skips further records after the cut.
    Keyset {
        last: &'static str,
        size: &'static str,
        offset: Option<&'static str>,
        default: i64,
        max: i64,
        key: fn(&Dataset, &Rec) -> u64,
        newest_first: fn(&Dataset) -> bool,
    },
    /// One answer with every selected record.
    None,
}

impl Paging {
    /// Short name of the style.
    pub(crate) fn style(&self) -> &'static str {
        match self {
            Paging::PageTotal { .. } => "page number + total",
            Paging::Offset { .. } => "offset",
            Paging::PageRows { .. } => "page/rows, no total",
            Paging::Cursor { .. } => "cursor",
            Paging::Keyset { .. } => "keyset",
            Paging::None => "none",
        }
    }
}

/// HTTP method of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
}

/// One served operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpDecl {
    pub(crate) vendor: Vendor,
    /// The CLI name (the operation catalog).
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    /// Exact path; for waiqin the `/api/{module}/{version}/{op}` prefix.
    pub(crate) path: &'static str,
    pub(crate) pop: Pop,
    pub(crate) generate: Gen,
    /// Primary key of a record (decimal text for numbers).
    pub(crate) key: Attr,
    pub(crate) filters: &'static [Filter],
    pub(crate) paging: Paging,
    pub(crate) envelope: Envelope,
    pub(crate) check: Check,
    pub(crate) found: Found,
    /// What `scrm demo` and the bench send: the required filters only, valued from the dataset.
    pub(crate) demo: Demo,
    /// Where the declaration comes from (fidelity of the vendor page, sandbox choices).
    pub(crate) note: &'static str,
}

/// No extra request check.
pub(crate) fn no_check(_: &Value) -> Result<(), Rej> {
    Ok(())
}

/// A demo request with no filter (the operation requires none).
pub(crate) fn no_filters(_: &Dataset) -> Value {
    Value::Object(serde_json::Map::new())
}

/// No selection-size check.
pub(crate) fn any_found(_: &Value, _: usize) -> Result<(), Rej> {
    Ok(())
}

/// What an envelope needs to build a page answer.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    /// The records as a JSON array text (`[...]`).
    pub(crate) items: &'a str,
    /// Matching records (all pages).
    pub(crate) total: usize,
    /// Next cursor (cursor paging), `None` at the end.
    pub(crate) next: Option<&'a str>,
    /// Page number as the vendor reports it (1-based for page styles, 0-based for keyset).
    pub(crate) page_no: usize,
    /// Page size in effect.
    pub(crate) size: usize,
    /// waiqin `msg_id` echo (empty elsewhere).
    pub(crate) msg_id: &'a str,
}

/// The records a request selects, in serving order.
#[derive(Clone, Debug)]
pub(crate) struct Selection {
    sel: Sel,
    rev: bool,
}

#[derive(Clone, Debug)]
enum Sel {
    Range(usize, usize),
    List(Arc<Vec<u32>>),
}

impl Selection {
    pub(crate) fn len(&self) -> usize {
        match &self.sel {
            Sel::Range(a, b) => b.saturating_sub(*a),
            Sel::List(v) => v.len(),
        }
    }

    /// Index of the `k`-th record in serving order.
    pub(crate) fn get(&self, k: usize) -> usize {
        let k = if self.rev {
            self.len().saturating_sub(k + 1)
        } else {
            k
        };
        match &self.sel {
            Sel::Range(a, _) => a + k,
            Sel::List(v) => v.get(k).map_or(usize::MAX, |&i| i as usize),
        }
    }

    fn reversed(mut self) -> Self {
        self.rev = !self.rev;
        self
    }
}

/// A field of a request object; `a.b` addresses nested objects (or a literal `a.b` key, as
/// a flat `--param a.b=x` gives).
pub(crate) fn field<'a>(req: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = req.get(path) {
        return Some(v);
    }
    let mut v = req;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    Some(v)
}

fn get_i64(req: &Value, path: &str) -> Result<Option<i64>, String> {
    if req.get(path).is_some() {
        return json_i64(req, path);
    }
    match path.rsplit_once('.') {
        Some((parent, last)) => match field(req, parent) {
            Some(p) => json_i64(p, last),
            None => Ok(None),
        },
        None => json_i64(req, path),
    }
}

pub(crate) fn get_str(req: &Value, path: &str) -> Result<Option<String>, String> {
    if req.get(path).is_some() {
        return json_string(req, path);
    }
    match path.rsplit_once('.') {
        Some((parent, last)) => match field(req, parent) {
            Some(p) => json_string(p, last),
            None => Ok(None),
        },
        None => json_string(req, path),
    }
}

fn get_value(req: &Value, path: &str, kind: Kind) -> Result<Option<String>, String> {
    match kind {
        Kind::Int => Ok(get_i64(req, path)?.map(|n| n.to_string())),
        Kind::Str => get_str(req, path),
    }
}

/// A list value: a JSON array of strings/numbers, or (query strings) a comma-separated text.
fn get_list(req: &Value, path: &str, kind: Kind) -> Result<Option<Vec<String>>, String> {
    let bad = || format!("{path} must be a list of ids");
    match field(req, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => {
            let mut out = Vec::with_capacity(a.len());
            for x in a {
                match x {
                    Value::String(s) => {
                        if kind == Kind::Int && s.trim().parse::<i64>().is_err() {
                            return Err(bad());
                        }
                        out.push(s.trim().to_owned());
                    }
                    Value::Number(n) => out.push(n.to_string()),
                    _ => return Err(bad()),
                }
            }
            Ok((!out.is_empty()).then_some(out))
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split(',').map(|x| x.trim().to_owned()).collect())),
        Some(_) => Err(bad()),
    }
}

fn time_value(req: &Value, path: &str, unit: Unit) -> Result<Option<i64>, String> {
    match unit {
        Unit::Secs | Unit::Millis => get_i64(req, path),
        Unit::Date => match get_str(req, path)? {
            None => Ok(None),
            Some(s) => parse_cst_date(&s)
                .map(Some)
                .ok_or_else(|| format!("{path} must be yyyy-MM-dd")),
        },
        Unit::DateTime => match get_str(req, path)? {
            None => Ok(None),
            Some(s) => parse_cst_datetime(&s)
                .map(Some)
                .ok_or_else(|| format!("{path} must be yyyy-MM-dd HH:mm:ss")),
        },
    }
}

/// Inclusive lower bound in seconds of a `From` value.
fn lower(unit: Unit, v: i64) -> i64 {
    match unit {
        Unit::Millis => v.div_euclid(1000) + i64::from(v.rem_euclid(1000) != 0),
        _ => v,
    }
}

/// Exclusive upper bound in seconds of a `To` value.
fn upper(unit: Unit, incl: bool, v: i64) -> i64 {
    match (unit, incl) {
        (Unit::Millis, true) => v.div_euclid(1000) + 1,
        (Unit::Millis, false) => lower(Unit::Millis, v),
        (Unit::Date, true) => v + 86_400,
        (_, true) => v.saturating_add(1),
        (_, false) => v,
    }
}

enum Pred {
    Eq(Attr, String),
    Contains(Attr, String),
    AnyOf(Attr, Vec<String>),
    AnyOfMany(AttrMany, Vec<String>),
    After(TimeAttr, i64),
    Before(TimeAttr, i64),
}

impl Pred {
    fn test(&self, d: &Dataset, r: &Rec) -> bool {
        match self {
            Pred::Eq(a, v) => a(d, r) == *v,
            Pred::Contains(a, v) => a(d, r).contains(v.as_str()),
            Pred::AnyOf(a, vs) => {
                let x = a(d, r);
                vs.contains(&x)
            }
            Pred::AnyOfMany(a, vs) => a(d, r).iter().any(|x| vs.contains(x)),
            Pred::After(a, t) => a(d, r) >= *t,
            Pred::Before(a, t) => a(d, r) < *t,
        }
    }
}

impl OpDecl {
    /// The records `req` selects (filters only; paging fields are ignored), in serving order.
    pub(crate) fn select(
        &self,
        d: &Dataset,
        view: &PopView,
        req: &Value,
    ) -> Result<Selection, Rej> {
        (self.check)(req)?;
        let mut from: Option<i64> = None;
        let mut until: Option<i64> = None;
        let mut cands: Option<Vec<usize>> = None;
        let mut preds: Vec<Pred> = Vec::new();
        let mut key = String::new();
        let mut rev = false;
        for f in self.filters {
            let before = key.len();
            match f.how {
                How::From(unit, axis) => {
                    if let Some(v) = time_value(req, f.field, unit)? {
                        let t = lower(unit, v);
                        match axis {
                            Axis::Primary => from = Some(from.map_or(t, |x| x.max(t))),
                            Axis::Attr(a) => preds.push(Pred::After(a, t)),
                        }
                        push_int(&mut key, t);
                    }
                }
                How::To(unit, incl, axis) => {
                    if let Some(v) = time_value(req, f.field, unit)? {
                        let t = upper(unit, incl, v);
                        match axis {
                            Axis::Primary => until = Some(until.map_or(t, |x| x.min(t))),
                            Axis::Attr(a) => preds.push(Pred::Before(a, t)),
                        }
                        push_int(&mut key, t);
                    }
                }
                How::Eq(kind, a) => {
                    if let Some(v) = get_value(req, f.field, kind)? {
                        key.push_str(&v);
                        preds.push(Pred::Eq(a, v));
                    }
                }
                How::Const(all) => {
                    if let Some(v) = get_str(req, f.field)?
                        && v.trim() != all
                    {
                        cands = Some(Vec::new());
                    }
                }
                How::Contains(a) => {
                    if let Some(v) = get_str(req, f.field)?.filter(|s| !s.trim().is_empty()) {
                        key.push_str(&v);
                        preds.push(Pred::Contains(a, v.trim().to_owned()));
                    }
                }
                How::AnyOf(kind, a) => {
                    if let Some(vs) = get_list(req, f.field, kind)? {
                        key.push_str(&vs.join(","));
                        preds.push(Pred::AnyOf(a, vs));
                    }
                }
                How::AnyOfMany(kind, a) => {
                    if let Some(vs) = get_list(req, f.field, kind)? {
                        key.push_str(&vs.join(","));
                        preds.push(Pred::AnyOfMany(a, vs));
                    }
                }
                How::Lookup(kind, find) => {
                    if let Some(v) = get_value(req, f.field, kind)? {
                        let hit = find(d, view, &v);
                        cands = Some(intersect(cands, hit));
                    }
                }
                How::AnyLookup(find) => {
                    if let Some(vs) = get_list(req, f.field, Kind::Str)? {
                        let mut hit: Vec<usize> =
                            vs.iter().flat_map(|v| find(d, view, v)).collect();
                        hit.sort_unstable();
                        hit.dedup();
                        cands = Some(intersect(cands, hit));
                    }
                }
                How::Order => match get_str(req, f.field)?.as_deref().map(str::trim) {
                    None | Some("asc") => {}
                    Some("desc") => rev = true,
                    Some(_) => return Err(Rej::param(format!("{} must be asc or desc", f.field))),
                },
                How::Accept(kind) => {
                    get_value(req, f.field, kind)?;
                }
                How::Ignore => {}
            }
            if key.len() > before {
                key.push('|');
                key.push_str(f.field);
                key.push(';');
            }
        }
        let len = view.len();
        let lo = from.map_or(0, |t| d.lower_bound(view, t));
        let hi = until.map_or(len, |t| d.lower_bound(view, t)).max(lo);
        let sel = match cands {
            Some(c) => {
                let list: Vec<u32> = c
                    .into_iter()
                    .filter(|&i| i >= lo && i < hi)
                    .filter(|&i| {
                        let r = view.rec(d, i);
                        preds.iter().all(|p| p.test(d, &r))
                    })
                    .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                    .collect();
                Sel::List(Arc::new(list))
            }
            None if preds.is_empty() => Sel::Range(lo, hi),
            None => {
                let ck = format!(
                    "{}|{}|{}|{lo}-{hi}|{key}",
                    self.vendor, self.name, view.generation
                );
                match d.cached(&ck) {
                    Some(Some(list)) => Sel::List(list),
                    Some(None) => Sel::Range(lo, hi),
                    None => {
                        let list: Vec<u32> = (lo..hi)
                            .filter(|&i| {
                                let r = view.rec(d, i);
                                preds.iter().all(|p| p.test(d, &r))
                            })
                            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                            .collect();
                        if list.len() == hi - lo {
                            d.cache_put(ck, None);
                            Sel::Range(lo, hi)
                        } else {
                            let list = Arc::new(list);
                            d.cache_put(ck, Some(list.clone()));
                            Sel::List(list)
                        }
                    }
                }
            }
        };
        let mut s = Selection { sel, rev };
        if let Paging::Keyset { newest_first, .. } = self.paging
            && newest_first(d)
        {
            s = s.reversed();
        }
        (self.found)(req, s.len())?;
        Ok(s)
    }
}

fn intersect(a: Option<Vec<usize>>, b: Vec<usize>) -> Vec<usize> {
    match a {
        None => b,
        Some(a) => a.into_iter().filter(|i| b.contains(i)).collect(),
    }
}

fn size_of(req: &Value, key: &str, default: i64, max: i64, ints: bool) -> Result<usize, Rej> {
    if ints && matches!(field(req, key), Some(Value::String(_))) {
        return Err(Rej::param(format!(
            "{key} must be an integer (INT), not a string"
        )));
    }
    let n = get_i64(req, key)?.unwrap_or(default);
    if !(1..=max).contains(&n) {
        return Err(Rej::param(format!("{key} must be 1..={max}")));
    }
    Ok(usize::try_from(n).unwrap_or(1))
}

fn page_of(req: &Value, key: &str, ints: bool) -> Result<usize, Rej> {
    if ints && matches!(field(req, key), Some(Value::String(_))) {
        return Err(Rej::param(format!(
            "{key} must be an integer (INT), not a string"
        )));
    }
    let n = get_i64(req, key)?.unwrap_or(1);
    if n < 1 {
        return Err(Rej::param(format!("{key} must be >= 1")));
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

fn encode_cursor(key_hash: u64, pos: usize) -> String {
    let mut b = [0u8; 24];
    b[8..16].copy_from_slice(&(key_hash & 0xFFFF_FFFF).to_be_bytes());
    b[16..].copy_from_slice(&(pos as u64).to_be_bytes());
    b64_encode24(&b)
}

fn decode_cursor(s: &str) -> Option<usize> {
    let b = b64_decode24(s)?;
    let mut p = [0u8; 8];
    p.copy_from_slice(&b[16..]);
    usize::try_from(u64::from_be_bytes(p)).ok()
}

/// What the engine served, for counters.
pub(crate) struct Served {
    pub(crate) body: String,
    pub(crate) records: usize,
}

/// Serves one request of `op`: selection, the paging style's page, the envelope.
pub(crate) fn serve(
    st: &crate::server::State,
    op: &OpDecl,
    req: &Value,
    msg_id: &str,
) -> Result<Served, Rej> {
    let d = &st.dataset;
    let view = d.view(op.pop);
    let sel = op.select(d, &view, req)?;
    let total = sel.len();
    let (start, mut end, size, page_no, mut next): (usize, usize, usize, usize, Option<String>);
    let mut paged = true;
    match op.paging {
        Paging::PageTotal {
            page,
            size: sk,
            default,
            max,
        } => {
            let idx = page_of(req, page, false)?;
            size = size_of(req, sk, default, max, false)?;
            start = (idx - 1).saturating_mul(size).min(total);
            end = start.saturating_add(size).min(total);
            page_no = idx;
            next = None;
        }
        Paging::Offset {
            offset,
            limit,
            default,
            max,
        } => {
            let off = get_i64(req, offset)?.unwrap_or(0);
            if off < 0 {
                return Err(Rej::param(format!("{offset} must be >= 0")));
            }
            size = size_of(req, limit, default, max, false)?;
            start = usize::try_from(off).unwrap_or(usize::MAX).min(total);
            end = start.saturating_add(size).min(total);
            page_no = start / size;
            next = None;
        }
        Paging::PageRows {
            page,
            rows,
            default,
            max,
            ints,
            required,
        } => {
            for k in [page, rows] {
                if required && field(req, k).is_none_or(Value::is_null) {
                    return Err(Rej::param(format!("{k} is required")));
                }
            }
            let idx = page_of(req, page, ints)?;
            size = size_of(req, rows, default, max, ints)?;
            start = (idx - 1).saturating_mul(size).min(total);
            end = start.saturating_add(size).min(total);
            page_no = idx;
            next = None;
        }
        Paging::Cursor {
            cursor,
            size: sk,
            default,
            max,
        } => {
            size = size_of(req, sk, default, max, false)?;
            start = match get_str(req, cursor)? {
                None => 0,
                Some(c) => match decode_cursor(&c) {
                    Some(p) if p <= total => p,
                    _ => return Err(Rej::param(format!("{cursor} invalid"))),
                },
            };
            end = start.saturating_add(size).min(total);
            page_no = start / size;
            let kh = mix(op.name.len() as u64 ^ total as u64);
            next = (end < total).then(|| encode_cursor(kh, end));
        }
        Paging::Keyset {
            last,
            size: sk,
            offset,
            default,
            max,
            key,
            newest_first,
        } => {
            size = size_of(req, sk, default, max, false)?;
            let desc = newest_first(d);
            let cut = match get_i64(req, last)? {
                None => 0,
                Some(l) => {
                    let (mut lo, mut hi) = (0usize, total);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        let k =
                            i64::try_from(key(d, &view.rec(d, sel.get(mid)))).unwrap_or(i64::MAX);
                        let passed = if desc { k >= l } else { k <= l };
                        if passed {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    lo
                }
            };
            let off = match offset {
                Some(o) => {
                    let v = get_i64(req, o)?.unwrap_or(0);
                    if v < 0 {
                        return Err(Rej::param(format!("{o} must be >= 0")));
                    }
                    usize::try_from(v).unwrap_or(usize::MAX)
                }
                None => 0,
            };
            start = cut.saturating_add(off).min(total);
            end = start.saturating_add(size).min(total);
            page_no = start / size;
            next = None;
        }
        Paging::None => {
            start = 0;
            end = total;
            size = total;
            page_no = 1;
            next = None;
            paged = false;
        }
    }
    if paged && end > start && st.empty_page(op.vendor) {
        end = start;
        if let Paging::Cursor { .. } = op.paging {
            next = Some(encode_cursor(
                mix(op.name.len() as u64 ^ total as u64),
                start,
            ));
        }
    }
    let mut items = String::with_capacity(2 + (end - start) * 900);
    items.push('[');
    for k in start..end {
        if k > start {
            items.push(',');
        }
        (op.generate)(d, &view.rec(d, sel.get(k)), &mut items);
    }
    items.push(']');
    let body = (op.envelope)(&Page {
        items: &items,
        total,
        next: next.as_deref(),
        page_no,
        size,
        msg_id,
    });
    Ok(Served {
        body,
        records: end - start,
    })
}
