//! A test vendor declared with the core macros, and an HTTP double on 127.0.0.1 that
//! implements its documented filters:
//!
//! - `POST /items/updates` {page, page_size, updated_from, updated_to}: the items with
//!   `updated_from <= updated_at < updated_to` (epoch seconds; each bound optional), by id
//!   ascending, page numbers from 1, with `total`.
//! - `POST /items/newest` {last_id, page_size}: every item, newest (highest id) first, the
//!   ones below `last_id` when it is set.
//! - `POST /items/all` {page, page_size}: every item by id, no filter, with `total`.
//! - `POST /items/grouped` {group, page, page_size}: every item of a group, keyed by the
//!   request's group and the item's alias, else its id.
//!
//! Answers `{"code":0,"msg":"ok","data":…}`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper::{Request, Response};
use scrm_core::registry::{DynOperation, Entry};
use scrm_core::{
    Client, ClientOptions, Configure, Error, ErrorKind, HttpRequest, HttpResponse, RateLimit,
    RetryPolicy, SignContext, SignReceipt, Signer, Vendor, async_trait, decode_json,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub struct Demo;

#[derive(Deserialize)]
struct Envelope<T> {
    code: i64,
    #[serde(default)]
    msg: String,
    data: Option<T>,
}

impl Vendor for Demo {
    const NAME: &'static str = "demo";

    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        _receipt: &SignReceipt,
    ) -> Result<T, Error> {
        let e: Envelope<T> = decode_json(&response.body)?;
        match (e.code, e.data) {
            (0, Some(d)) => Ok(d),
            (0, None) => Err(Error::new(ErrorKind::Decode, "missing `data`")),
            (503, _) => Err(Error::vendor(ErrorKind::Transient, 503, e.msg)),
            (code, _) => Err(Error::vendor(ErrorKind::Service, code, e.msg)),
        }
    }
}

scrm_core::record! {
    /// An item.
    pub struct Item {
        /// Id.
        id: u64,
        /// Name.
        name: String,
        /// Alias (grouped items).
        alias: String,
        /// Last change, epoch seconds.
        updated_at: i64,
    }
}

scrm_core::record! {
    /// A page.
    pub struct ItemPage {
        /// Matching items in all pages.
        total: u64,
        /// This page.
        list: Vec<Item>,
    }
}

scrm_core::operation! {
    /// Items changed in a window.
    pub struct ItemUpdates: Demo, POST "/items/updates" => ItemPage as "items/updates" {
        /// Page from 1.
        page: u64,
        /// Page size.
        page_size: u64,
        /// Changed at or after (epoch seconds).
        updated_from: i64,
        /// Changed before (epoch seconds).
        updated_to: i64,
    }
}
scrm_core::paging!(ItemUpdates => Item, page_number(page, page_size = 10), total(total), items(list));
scrm_core::register!(ItemUpdates {
    name: "item-updates",
    title: "items by update time",
    record: Item,
    key: ["id"],
    incremental: Some(Incremental::new(
        ChangeKind::Updates,
        "updated_at",
        Some("updated_from"),
        Some("updated_to"),
        Granularity::Seconds
    )),
    fidelity: Page,
});

scrm_core::operation! {
    /// Items, newest first.
    pub struct ItemsNewest: Demo, POST "/items/newest" => ItemPage as "items/newest" {
        /// Last id of the previous page.
        last_id: u64,
        /// Page size.
        page_size: u64,
    }
}
scrm_core::paging!(ItemsNewest => Item, keyset(last_id, page_size = 10), key(id), items(list));
scrm_core::register!(ItemsNewest {
    name: "items-newest",
    title: "items newest first",
    record: Item,
    key: ["id"],
    incremental: Some(Incremental::new(
        ChangeKind::NewestFirst,
        "id",
        None,
        None,
        Granularity::Id
    )),
    fidelity: Page,
});

scrm_core::operation! {
    /// Every item, no filter.
    pub struct ItemsAll: Demo, POST "/items/all" => ItemPage as "items/all" {
        /// Page from 1.
        page: u64,
        /// Page size.
        page_size: u64,
    }
}
scrm_core::paging!(ItemsAll => Item, page_number(page, page_size = 10), total(total), items(list));
scrm_core::register!(ItemsAll {
    name: "items-all",
    title: "every item",
    record: Item,
    key: ["id"],
    incremental: None,
    fidelity: Page,
});

scrm_core::operation! {
    /// The items of a group.
    pub struct ItemsGrouped: Demo, POST "/items/grouped" => ItemPage as "items/grouped" {
        /// The group.
        group: String = required,
        /// Page from 1.
        page: u64,
        /// Page size.
        page_size: u64,
    }
}
scrm_core::paging!(ItemsGrouped => Item, page_number(page, page_size = 10), total(total), items(list));
scrm_core::register!(ItemsGrouped {
    name: "items-grouped",
    title: "items of a group",
    record: Item,
    key: ["$group", "alias|id"],
    incremental: None,
    fidelity: Page,
});

scrm_core::operation! {
    /// Items changed on days (China time), both bounds inclusive.
    pub struct ItemDays: Demo, POST "/items/days" => ItemPage as "items/days" {
        /// Page from 1.
        page: u64,
        /// Page size.
        page_size: u64,
        /// First day (yyyy-MM-dd).
        day_from: String,
        /// Last day (yyyy-MM-dd).
        day_to: String,
    }
}
scrm_core::paging!(ItemDays => Item, page_number(page, page_size = 10), total(total), items(list));
scrm_core::register!(ItemDays {
    name: "item-days",
    title: "items by day of change",
    record: Item,
    key: ["id"],
    incremental: Some(Incremental::new(
        ChangeKind::Updates,
        "updated_at",
        Some("day_from"),
        Some("day_to"),
        Granularity::Day
    )),
    fidelity: Page,
});

pub static DAYS: &dyn DynOperation<Demo> = &Entry::<ItemDays>::NEW;
pub static UPDATES: &dyn DynOperation<Demo> = &Entry::<ItemUpdates>::NEW;
pub static NEWEST: &dyn DynOperation<Demo> = &Entry::<ItemsNewest>::NEW;
pub static ALL: &dyn DynOperation<Demo> = &Entry::<ItemsAll>::NEW;
pub static GROUPED: &dyn DynOperation<Demo> = &Entry::<ItemsGrouped>::NEW;

/// One stored item of the double.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub id: u64,
    pub name: String,
    pub alias: String,
    pub updated_at: i64,
}

impl Stored {
    /// The record as the client writes it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({"id": self.id, "name": self.name, "alias": self.alias, "updated_at": self.updated_at})
    }
}

#[derive(Default)]
pub struct State {
    pub items: Vec<Stored>,
    pub calls: HashMap<String, usize>,
    /// Answer 503 to the data request with this number (1-based, counted over all paths).
    pub fail_at: Option<usize>,
    pub served: usize,
    /// The bodies of the requests to `/items/days`.
    pub day_bodies: Vec<serde_json::Value>,
}

/// The China-time date of epoch second `at`.
pub fn china_date(at: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

pub struct Double {
    pub state: Arc<Mutex<State>>,
    pub addr: SocketAddr,
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Double {
    /// `n` items, ids 1..=n, changed an hour ago.
    pub async fn start(n: u64) -> Double {
        let hour_ago = now() - 3600;
        let items = (1..=n)
            .map(|id| Stored {
                id,
                name: format!("item {id}"),
                alias: if id % 3 == 0 {
                    String::new()
                } else {
                    format!("a{id}")
                },
                updated_at: hour_ago,
            })
            .collect();
        let state = Arc::new(Mutex::new(State {
            items,
            ..State::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(s.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Double { state, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn calls(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .calls
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub fn items(&self) -> Vec<Stored> {
        self.state.lock().unwrap().items.clone()
    }

    /// Changes the names of `ids` (changed a second ago).
    pub fn change(&self, ids: &[u64]) {
        let mut s = self.state.lock().unwrap();
        for item in s.items.iter_mut().filter(|i| ids.contains(&i.id)) {
            item.name = format!("{} (changed)", item.name);
            item.updated_at = now() - 1;
        }
    }

    /// Adds `n` items after the last id (changed a second ago).
    pub fn add(&self, n: u64) {
        let mut s = self.state.lock().unwrap();
        let last = s.items.iter().map(|i| i.id).max().unwrap_or(0);
        for id in last + 1..=last + n {
            s.items.push(Stored {
                id,
                name: format!("item {id}"),
                alias: format!("a{id}"),
                updated_at: now() - 1,
            });
        }
    }

    pub fn client(&self) -> Client<Demo> {
        ClientOptions::new(self.url(), RateLimit::unlimited(8))
            .retry_policy(
                RetryPolicy::default()
                    .initial_delay(std::time::Duration::from_millis(1))
                    .max_delay(std::time::Duration::from_millis(5))
                    .jitter(false),
            )
            .build(Demo, Arc::new(NoSigner))
            .unwrap()
    }
}

struct NoSigner;

#[async_trait]
impl Signer for NoSigner {
    async fn sign(
        &self,
        _req: &mut HttpRequest,
        _cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        Ok(SignReceipt::default())
    }
}

fn field(body: &serde_json::Value, name: &str) -> Option<i64> {
    match &body[name] {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut s = state.lock().unwrap();
    *s.calls.entry(path.clone()).or_default() += 1;
    s.served += 1;
    if path == "/items/days" {
        s.day_bodies.push(body.clone());
    }
    if s.fail_at == Some(s.served) {
        let reply = serde_json::json!({"code": 503, "msg": "busy"});
        return Ok(Response::new(Full::new(Bytes::from(reply.to_string()))));
    }
    let size = field(&body, "page_size").unwrap_or(10).max(1) as usize;
    let page = field(&body, "page").unwrap_or(1).max(1) as usize;
    let mut items: Vec<&Stored> = s.items.iter().collect();
    items.sort_by_key(|i| i.id);
    let (total, list): (usize, Vec<&Stored>) = match path.as_str() {
        "/items/updates" => {
            let from = field(&body, "updated_from");
            let to = field(&body, "updated_to");
            let matching: Vec<&Stored> = items
                .into_iter()
                .filter(|i| from.is_none_or(|f| i.updated_at >= f))
                .filter(|i| to.is_none_or(|t| i.updated_at < t))
                .collect();
            (
                matching.len(),
                matching
                    .into_iter()
                    .skip((page - 1) * size)
                    .take(size)
                    .collect(),
            )
        }
        "/items/days" => {
            let text = |name: &str| body[name].as_str().map(str::to_owned);
            let (from, to) = (text("day_from"), text("day_to"));
            let matching: Vec<&Stored> = items
                .into_iter()
                .filter(|i| from.as_ref().is_none_or(|f| china_date(i.updated_at) >= *f))
                .filter(|i| to.as_ref().is_none_or(|t| china_date(i.updated_at) <= *t))
                .collect();
            (
                matching.len(),
                matching
                    .into_iter()
                    .skip((page - 1) * size)
                    .take(size)
                    .collect(),
            )
        }
        "/items/all" | "/items/grouped" => (
            items.len(),
            items
                .into_iter()
                .skip((page - 1) * size)
                .take(size)
                .collect(),
        ),
        "/items/newest" => {
            let last = field(&body, "last_id");
            items.reverse();
            let list: Vec<&Stored> = items
                .into_iter()
                .filter(|i| last.is_none_or(|l| (i.id as i64) < l))
                .take(size)
                .collect();
            (0, list)
        }
        _ => (0, Vec::new()),
    };
    let list: Vec<serde_json::Value> = list.iter().map(|i| i.json()).collect();
    let reply = serde_json::json!({"code": 0, "msg": "ok", "data": {"total": total, "list": list}});
    Ok(Response::new(Full::new(Bytes::from(reply.to_string()))))
}
