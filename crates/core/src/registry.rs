//! The registry: every typed operation of a vendor, with the metadata tools need.
//!
//! Each vendor crate lists its operations in one static slice (`scrm_weiban::OPERATIONS`).
//! The `scrm` CLI (`export`, `ops`, `sync`), the demo, the bench and the sandbox checks iterate
//! it: adding an operation to the registry makes it appear everywhere, with no other edit.
//! An entry is a [`DynOperation`]: the operation's [`OpInfo`] plus type-erased verbs that take
//! the request as JSON (the vendor's field names) and yield records as JSON.

use std::fmt;
use std::marker::PhantomData;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::client::Client;
use crate::de::FieldType;
use crate::model::Field;
use crate::operation::Vendor;
use crate::paging::{PageOptions, Paged, Pages, PagingStyle, Position};
use crate::transport::{HttpResponse, Method};
use crate::{Error, ErrorKind};

/// How faithful our copy of the vendor's documentation is (see `vendor-docs/INDEX.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fidelity {
    /// The whole vendor page was captured.
    Page,
    /// Vendor page text, with a section missing or cut off.
    Partial,
    /// No vendor page: known from public client code only.
    ThirdPartyCode,
}

impl Fidelity {
    /// `page`, `partial` or `third-party code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fidelity::Page => "page",
            Fidelity::Partial => "partial",
            Fidelity::ThirdPartyCode => "third-party code",
        }
    }
}

/// The unit of an incremental cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Granularity {
    /// Epoch seconds.
    Seconds,
    /// Epoch milliseconds.
    Millis,
    /// A China-time day (`yyyy-MM-dd`): a re-read must include the bookmark's day.
    Day,
    /// A China-time date-time text (`yyyy-MM-dd HH:mm:ss`).
    DateTime,
    /// An increasing record id (keyset).
    Id,
}

/// What an incremental read can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeKind {
    /// New and changed records (a modification-time filter).
    Updates,
    /// New records only (a creation or submission time filter): edits are not seen.
    Creations,
    /// No filter, but records come newest first by an increasing id (`record_field`): read
    /// from the start and stop at the first record already stored.
    NewestFirst,
}

/// How an operation can be read incrementally: the record field that moves forward, the
/// request filters that select from a bookmark on, and their unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Incremental {
    /// What the filter sees.
    pub kind: ChangeKind,
    /// The record field (wire name) holding the cursor value.
    pub record_field: &'static str,
    /// The request field (wire name) of the window's start (`None` for
    /// [`ChangeKind::NewestFirst`]).
    pub from_param: Option<&'static str>,
    /// The request field (wire name) of the window's end, if any.
    pub to_param: Option<&'static str>,
    /// The unit of the values.
    pub granularity: Granularity,
}

impl Incremental {
    /// An incremental cursor (used by [`register!`](crate::register)).
    pub const fn new(
        kind: ChangeKind,
        record_field: &'static str,
        from_param: Option<&'static str>,
        to_param: Option<&'static str>,
        granularity: Granularity,
    ) -> Self {
        Incremental {
            kind,
            record_field,
            from_param,
            to_param,
            granularity,
        }
    }
}

/// What the tools know of a typed operation.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct OpInfo {
    /// The vendor (`weiban`).
    pub vendor: &'static str,
    /// The command-line name (`smart-form-users`).
    pub name: &'static str,
    /// The vendor's title of the endpoint (`自定义表单用户与表单关系列表`).
    pub title: &'static str,
    /// The name in errors and logs (`smart_form/form/user/list`).
    pub operation: &'static str,
    /// HTTP method.
    pub method: Method,
    /// The documented path.
    pub path: &'static str,
    /// How it pages.
    pub paging: PagingStyle,
    /// The documented request fields.
    pub fields: &'static [Field],
    /// The documented fields of a record.
    pub record_fields: &'static [Field],
    /// The wire name of the page-size field, if it pages.
    pub page_size_field: Option<&'static str>,
    /// The record fields (wire names) that identify a record. A name starting with `$` is a
    /// request field the records do not carry (`$form_id`); `a|b|c` is the first of those
    /// fields that is present and not empty (`external_userid|unionid|openid`); `a.b` is field
    /// `b` of the object in field `a` (`staff_relation.staff_id`). Empty when the vendor
    /// documents no identifying field.
    pub primary_key: &'static [&'static str],
    /// How to read it incrementally, if the vendor documents a filter for that.
    pub incremental: Option<Incremental>,
    /// Whether sending it twice is harmless.
    pub idempotent: bool,
    /// How faithful our copy of the documentation is.
    pub fidelity: Fidelity,
}

impl OpInfo {
    /// The description of `Op`, with the registry facts only its declaration knows.
    #[allow(clippy::too_many_arguments)]
    pub fn of<Op: Paged>(
        name: &'static str,
        title: &'static str,
        record_fields: &'static [Field],
        primary_key: &'static [&'static str],
        incremental: Option<Incremental>,
        fidelity: Fidelity,
    ) -> OpInfo {
        let page_size_field = Op::PAGE_SIZE
            .and_then(|rust| Op::FIELDS.iter().find(|f| f.rust == rust).map(|f| f.name));
        OpInfo {
            vendor: <Op::Vendor as Vendor>::NAME,
            name,
            title,
            operation: Op::NAME,
            method: Op::METHOD,
            path: Op::PATH,
            paging: Op::STYLE,
            fields: Op::FIELDS,
            record_fields,
            page_size_field,
            primary_key,
            incremental,
            idempotent: Op::IDEMPOTENT,
            fidelity,
        }
    }

    /// The documented request field named `name` (wire name).
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The request as a JSON object built from `KEY=VALUE` texts (`scrm export --param`): keys
    /// are documented field names; lists are comma-separated, JSON fields parsed, every other
    /// value kept as text for the request's lenient decoding to type. `page_size` fills the
    /// page-size field when the parameters do not set it.
    ///
    pub fn request_from_params<'p>(
        &self,
        params: impl IntoIterator<Item = &'p str>,
        page_size: Option<u64>,
    ) -> Result<serde_json::Value, Error> {
        let invalid = |message: String| {
            Error::new(ErrorKind::InvalidInput, message)
                .with_vendor(self.vendor)
                .with_operation(self.operation)
                .not_sent()
        };
        let mut object = serde_json::Map::new();
        for param in params {
            let (key, value) = param
                .split_once('=')
                .ok_or_else(|| invalid(format!("parameter {param:?} is not KEY=VALUE")))?;
            let key = key.trim();
            let field = self.field(key).ok_or_else(|| {
                let known: Vec<&str> = self.fields.iter().map(|f| f.name).collect();
                invalid(format!(
                    "{} {} has no request field {key:?}; documented fields: {}",
                    self.vendor,
                    self.name,
                    known.join(", ")
                ))
            })?;
            let converted = match field.ty {
                FieldType::List => serde_json::Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| serde_json::Value::String(s.to_owned()))
                        .collect(),
                ),
                FieldType::Json => serde_json::from_str(value)
                    .map_err(|e| invalid(format!("parameter {key}: {value:?} is not JSON: {e}")))?,
                _ => serde_json::Value::String(value.to_owned()),
            };
            object.insert(field.name.to_owned(), converted);
        }
        if let (Some(size), Some(field)) = (page_size, self.page_size_field) {
            object
                .entry(field.to_owned())
                .or_insert_with(|| serde_json::Value::String(size.to_string()));
        }
        Ok(serde_json::Value::Object(object))
    }

    /// The table `scrm sync` writes: `<vendor>_<name with '-' as '_'>`.
    pub fn table(&self) -> String {
        format!("{}_{}", self.vendor, self.name.replace('-', "_"))
    }
}

/// One page of records as JSON.
#[derive(Debug)]
#[non_exhaustive]
pub struct JsonPage {
    /// The records, each as `scrm export` prints it (the vendor's field names).
    pub records: Vec<Box<RawValue>>,
    /// 1 for the first page of this stream.
    pub number: u64,
    /// The position this page was requested at.
    pub position: Position,
    /// Where to resume after this page; `None` when the export is complete.
    pub next: Option<Position>,
}

/// A stream of [`JsonPage`]s.
pub type JsonPages = BoxStream<'static, Result<JsonPage, Error>>;

/// What [`DynOperation::drain`] visited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drained {
    /// Records received.
    pub records: u64,
    /// Pages received.
    pub pages: u64,
}

/// A run of [`DynOperation::drain`].
pub type Drain = BoxFuture<'static, Result<Drained, Error>>;

/// Pages of any operation with their records as JSON (raw requests, registry entries).
pub fn json_pages<Op: Paged>(pages: Pages<Op>) -> JsonPages
where
    Op::Item: Serialize,
{
    pages
        .map(|page| {
            let page = page?;
            Ok(JsonPage {
                records: to_json(&page.items)?,
                number: page.number,
                position: page.position,
                next: page.next,
            })
        })
        .boxed()
}

/// A registry entry: a typed operation behind JSON in, JSON out.
pub trait DynOperation<V: Vendor>: Send + Sync + 'static {
    /// What the tools know of it.
    fn info(&self) -> &'static OpInfo;

    /// Decodes and checks a request given as a JSON object with the vendor's field names, and
    /// returns it in its wire form as a stream sends it first ([`Paged::prepare`] applied).
    fn check(&self, request: serde_json::Value) -> Result<serde_json::Value, Error>;

    /// The pages of `request` (a JSON object with the vendor's field names).
    fn pages(
        &self,
        client: &Client<V>,
        request: serde_json::Value,
        options: PageOptions,
    ) -> Result<JsonPages, Error>;

    /// Runs `request` to the end through the typed page stream, visiting every record where it
    /// lies in its page (by reference, as the bench's hand-written baselines visit theirs) without
    /// turning it into JSON. The bench measures this.
    fn drain(
        &self,
        client: &Client<V>,
        request: serde_json::Value,
        options: PageOptions,
    ) -> Result<Drain, Error>;

    /// Opens a response of this operation (envelope, payload, records) without sending
    /// anything: the records as JSON, or the error a call would return.
    fn decode(&self, vendor: &V, response: &HttpResponse) -> Result<Vec<Box<RawValue>>, Error>;
}

/// A registered operation: [`register!`](crate::register) implements it.
pub trait Registered: Paged + DeserializeOwned
where
    Self::Item: Serialize,
{
    /// What the tools know of it.
    fn info() -> &'static OpInfo;
}

/// The registry entry of `Op` (`&Entry::<MyOp>::NEW` in a vendor's `OPERATIONS`).
pub struct Entry<Op>(PhantomData<fn() -> Op>);

impl<Op> Entry<Op> {
    /// The entry.
    pub const NEW: Entry<Op> = Entry(PhantomData);
}

impl<Op> fmt::Debug for Entry<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::any::type_name::<Op>())
    }
}

fn typed<Op: Registered>(request: serde_json::Value) -> Result<Op, Error>
where
    Op::Item: Serialize,
{
    let info = Op::info();
    let mut op: Op = serde_json::from_value(request).map_err(|e| {
        Error::new(ErrorKind::InvalidInput, format!("invalid request: {e}"))
            .with_vendor(info.vendor)
            .with_operation(Op::NAME)
            .not_sent()
    })?;
    // What a stream sends first: the page position and size, and the operation's defaults.
    op.prepare();
    op.validate().map_err(|e| {
        e.with_vendor(info.vendor)
            .with_operation(Op::NAME)
            .not_sent()
    })?;
    Ok(op)
}

fn to_json<T: Serialize>(items: &[T]) -> Result<Vec<Box<RawValue>>, Error> {
    items
        .iter()
        .map(|item| {
            serde_json::value::to_raw_value(item).map_err(|e| {
                Error::new(
                    ErrorKind::Decode,
                    format!("could not write a record as JSON: {e}"),
                )
            })
        })
        .collect()
}

impl<Op> DynOperation<Op::Vendor> for Entry<Op>
where
    Op: Registered,
    Op::Item: Serialize,
{
    fn info(&self) -> &'static OpInfo {
        Op::info()
    }

    fn check(&self, request: serde_json::Value) -> Result<serde_json::Value, Error> {
        let op = typed::<Op>(request)?;
        serde_json::to_value(&op).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, format!("invalid request: {e}"))
                .with_vendor(Op::info().vendor)
                .with_operation(Op::NAME)
        })
    }

    fn pages(
        &self,
        client: &Client<Op::Vendor>,
        request: serde_json::Value,
        options: PageOptions,
    ) -> Result<JsonPages, Error> {
        let op = typed::<Op>(request)?;
        Ok(json_pages(client.pages(op).options(options)))
    }

    fn drain(
        &self,
        client: &Client<Op::Vendor>,
        request: serde_json::Value,
        options: PageOptions,
    ) -> Result<Drain, Error> {
        let op = typed::<Op>(request)?;
        let mut pages = client.pages(op).options(options);
        Ok(Box::pin(async move {
            let mut drained = Drained::default();
            while let Some(page) = pages.next().await {
                let page = page?;
                drained.pages += 1;
                for item in &page.items {
                    std::hint::black_box(item);
                    drained.records += 1;
                }
            }
            Ok(drained)
        }))
    }

    fn decode(
        &self,
        vendor: &Op::Vendor,
        response: &HttpResponse,
    ) -> Result<Vec<Box<RawValue>>, Error> {
        let receipt = crate::sign::SignReceipt::default();
        let mut payload: Op::Response = vendor.open(response, &receipt)?;
        to_json(&Op::take_items(&mut payload))
    }
}

/// Puts an operation in its vendor's registry: its command-line name, the vendor's title, its
/// record type, primary key, incremental cursor and documentation fidelity. The vendor's
/// `OPERATIONS` slice then lists `&scrm_core::registry::Entry::<Op>::NEW`.
///
/// ```text
/// scrm_core::register!(SmartFormUserList {
///     name: "smart-form-users",
///     title: "自定义表单用户与表单关系列表",
///     record: SmartFormUser,
///     key: ["u_id"],
///     incremental: None,
///     fidelity: Page,
/// });
/// ```
#[macro_export]
macro_rules! register {
    ($op:ty {
        name: $name:literal,
        title: $title:literal,
        record: $record:ty,
        key: [$($key:literal),* $(,)?],
        incremental: $incremental:expr,
        fidelity: $fidelity:ident $(,)?
    }) => {
        impl $crate::registry::Registered for $op {
            fn info() -> &'static $crate::registry::OpInfo {
                static INFO: ::std::sync::OnceLock<$crate::registry::OpInfo> = ::std::sync::OnceLock::new();
                INFO.get_or_init(|| {
                    #[allow(unused_imports)]
                    use $crate::registry::{ChangeKind, Granularity, Incremental};
                    $crate::registry::OpInfo::of::<$op>(
                        $name,
                        $title,
                        <$record>::FIELDS,
                        &[$($key),*],
                        $incremental,
                        $crate::registry::Fidelity::$fidelity,
                    )
                })
            }
        }
    };
}

/// The registry entry named `name` among `operations`, or an error listing the known names.
pub fn find<'a, V: Vendor>(
    operations: &'a [&'static dyn DynOperation<V>],
    name: &str,
) -> Result<&'a dyn DynOperation<V>, Error> {
    operations
        .iter()
        .find(|op| op.info().name == name)
        .map(|op| *op as &dyn DynOperation<V>)
        .ok_or_else(|| {
            let known: Vec<&str> = operations.iter().map(|op| op.info().name).collect();
            Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} has no operation {name:?}; known: {}",
                    V::NAME,
                    known.join(", ")
                ),
            )
        })
}
