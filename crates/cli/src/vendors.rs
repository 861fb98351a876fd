//! The four vendors behind one interface: their registries, and a client built from the
//! environment that runs any registered operation with JSON in and JSON out.
//!
//! Everything here is per vendor, never per operation: a new operation in a vendor crate's
//! `OPERATIONS` appears in `scrm export`, `scrm ops`, `scrm sync` and the demo by itself.

use scrm_core::registry::{Drain, DynOperation, JsonPages, OpInfo};
use scrm_core::{ClientStats, Error, PageOptions};
use scrm_tanma::{Tanma, TanmaClient};
use scrm_waiqin::{Waiqin, WaiqinClient};
use scrm_weiban::{Weiban, WeibanClient};
use scrm_wshoto::{Wshoto, WshotoClient};

use crate::args::{Tuning, VendorName};
use crate::env::{UsageError, VendorEnv, configure};

/// A registry entry of one of the four vendors.
#[derive(Clone, Copy)]
pub enum OpRef {
    Wshoto(&'static dyn DynOperation<Wshoto>),
    Weiban(&'static dyn DynOperation<Weiban>),
    Waiqin(&'static dyn DynOperation<Waiqin>),
    Tanma(&'static dyn DynOperation<Tanma>),
}

impl std::fmt::Debug for OpRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.info().vendor, self.info().name)
    }
}

impl OpRef {
    /// Every typed operation of `vendor`, in registry order.
    pub fn of(vendor: VendorName) -> Vec<OpRef> {
        match vendor {
            VendorName::Wshoto => scrm_wshoto::OPERATIONS
                .iter()
                .map(|o| OpRef::Wshoto(*o))
                .collect(),
            VendorName::Weiban => scrm_weiban::OPERATIONS
                .iter()
                .map(|o| OpRef::Weiban(*o))
                .collect(),
            VendorName::Waiqin => scrm_waiqin::OPERATIONS
                .iter()
                .map(|o| OpRef::Waiqin(*o))
                .collect(),
            VendorName::Tanma => scrm_tanma::OPERATIONS
                .iter()
                .map(|o| OpRef::Tanma(*o))
                .collect(),
        }
    }

    /// Every typed operation of every vendor.
    pub fn all() -> Vec<OpRef> {
        VendorName::ALL.into_iter().flat_map(OpRef::of).collect()
    }

    /// The operation `name` of `vendor`, or a usage error listing the known ones.
    pub fn find(vendor: VendorName, name: &str) -> Result<OpRef, UsageError> {
        let ops = OpRef::of(vendor);
        ops.iter()
            .copied()
            .find(|op| op.info().name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = ops.iter().map(|op| op.info().name).collect();
                UsageError(format!(
                    "{} has no operation {name:?}; known: {}",
                    vendor.as_str(),
                    known.join(", ")
                ))
            })
    }

    pub fn vendor(self) -> VendorName {
        match self {
            OpRef::Wshoto(_) => VendorName::Wshoto,
            OpRef::Weiban(_) => VendorName::Weiban,
            OpRef::Waiqin(_) => VendorName::Waiqin,
            OpRef::Tanma(_) => VendorName::Tanma,
        }
    }

    pub fn info(self) -> &'static OpInfo {
        match self {
            OpRef::Wshoto(op) => op.info(),
            OpRef::Weiban(op) => op.info(),
            OpRef::Waiqin(op) => op.info(),
            OpRef::Tanma(op) => op.info(),
        }
    }

    /// The request from `--param KEY=VALUE`s and `--page-size`, decoded and checked by the
    /// operation's own request type (usage errors name the field and what it expects).
    pub fn request(
        self,
        params: &[String],
        page_size: Option<u64>,
    ) -> Result<serde_json::Value, UsageError> {
        let info = self.info();
        let request = info
            .request_from_params(params.iter().map(String::as_str), page_size)
            .map_err(|e| self.usage(e))?;
        self.request_json(request, None)
    }

    /// The request given as a JSON object with the vendor's field names (a sandbox's demo
    /// request), `page_size` filling the page-size field it does not set, checked as
    /// [`OpRef::request`] checks.
    pub fn request_json(
        self,
        mut request: serde_json::Value,
        page_size: Option<u64>,
    ) -> Result<serde_json::Value, UsageError> {
        if let (Some(size), Some(field), Some(object)) = (
            page_size,
            self.info().page_size_field,
            request.as_object_mut(),
        ) {
            object
                .entry(field.to_owned())
                .or_insert_with(|| serde_json::Value::String(size.to_string()));
        }
        let checked = match self {
            OpRef::Wshoto(op) => op.check(request.clone()),
            OpRef::Weiban(op) => op.check(request.clone()),
            OpRef::Waiqin(op) => op.check(request.clone()),
            OpRef::Tanma(op) => op.check(request.clone()),
        };
        checked.map(|_| request).map_err(|e| self.usage(e))
    }

    fn usage(self, e: Error) -> UsageError {
        let info = self.info();
        UsageError(format!("{} {}: {}", info.vendor, info.name, e.message()))
    }
}

/// A vendor client built from the environment.
#[derive(Clone, Debug)]
pub enum Connected {
    Wshoto(WshotoClient),
    Weiban(WeibanClient),
    Waiqin(WaiqinClient),
    Tanma(TanmaClient),
}

/// Why an operation could not be paired with a client.
fn mismatch(op: OpRef, client: VendorName) -> Error {
    Error::new(
        scrm_core::ErrorKind::Config,
        format!("{op:?} cannot run on a {} client", client.as_str()),
    )
}

impl Connected {
    /// The client of `vendor` with the credentials of `env`, tuned by the command line.
    pub fn connect(
        vendor: VendorName,
        env: &VendorEnv,
        tuning: &Tuning,
        pages: PageOptions,
    ) -> Result<Connected, Error> {
        let base = env.base_url.as_deref();
        macro_rules! tuned {
            ($builder:expr) => {
                configure($builder, base, tuning, pages.clone()).build()?
            };
        }
        Ok(match vendor {
            // Token vendors: the token store shared through Redis when SCRM_REDIS_URL is set.
            VendorName::Wshoto => Connected::Wshoto(tuned!(crate::shared::tokens(
                WshotoClient::builder()
                    .app_id(env.id.clone())
                    .app_secret(env.secret.clone())
            ))),
            VendorName::Weiban => Connected::Weiban(tuned!(crate::shared::tokens(
                WeibanClient::builder()
                    .corp_id(env.id.clone())
                    .secret(env.secret.clone())
            ))),
            VendorName::Waiqin => Connected::Waiqin(tuned!(
                WaiqinClient::builder()
                    .openid(env.id.clone())
                    .appkey(env.secret.clone())
            )),
            VendorName::Tanma => Connected::Tanma(tuned!(
                TanmaClient::builder()
                    .app_id(env.id.clone())
                    .app_key(env.secret.clone())
            )),
        })
    }

    pub fn vendor(&self) -> VendorName {
        match self {
            Connected::Wshoto(_) => VendorName::Wshoto,
            Connected::Weiban(_) => VendorName::Weiban,
            Connected::Waiqin(_) => VendorName::Waiqin,
            Connected::Tanma(_) => VendorName::Tanma,
        }
    }

    /// The pages of `op` for `request` (a JSON object with the vendor's field names).
    pub fn pages(
        &self,
        op: OpRef,
        request: serde_json::Value,
        options: PageOptions,
    ) -> Result<JsonPages, Error> {
        match (self, op) {
            (Connected::Wshoto(c), OpRef::Wshoto(op)) => op.pages(c.core(), request, options),
            (Connected::Weiban(c), OpRef::Weiban(op)) => op.pages(c.core(), request, options),
            (Connected::Waiqin(c), OpRef::Waiqin(op)) => op.pages(c.core(), request, options),
            (Connected::Tanma(c), OpRef::Tanma(op)) => op.pages(c.core(), request, options),
            _ => Err(mismatch(op, self.vendor())),
        }
    }

    /// `op` run to the end through its typed stream, records visited but not written.
    pub fn drain(
        &self,
        op: OpRef,
        request: serde_json::Value,
        options: PageOptions,
    ) -> Result<Drain, Error> {
        match (self, op) {
            (Connected::Wshoto(c), OpRef::Wshoto(op)) => op.drain(c.core(), request, options),
            (Connected::Weiban(c), OpRef::Weiban(op)) => op.drain(c.core(), request, options),
            (Connected::Waiqin(c), OpRef::Waiqin(op)) => op.drain(c.core(), request, options),
            (Connected::Tanma(c), OpRef::Tanma(op)) => op.drain(c.core(), request, options),
            _ => Err(mismatch(op, self.vendor())),
        }
    }

    /// The page options the client was built with (`--concurrency` prefetch included).
    pub fn page_options(&self) -> PageOptions {
        match self {
            Connected::Wshoto(c) => c.core().page_options().clone(),
            Connected::Weiban(c) => c.core().page_options().clone(),
            Connected::Waiqin(c) => c.core().page_options().clone(),
            Connected::Tanma(c) => c.core().page_options().clone(),
        }
    }

    pub fn stats(&self) -> ClientStats {
        match self {
            Connected::Wshoto(c) => c.core().stats(),
            Connected::Weiban(c) => c.core().stats(),
            Connected::Waiqin(c) => c.core().stats(),
            Connected::Tanma(c) => c.core().stats(),
        }
    }
}

/// A request to any endpoint (`scrm call`, `scrm export --path`).
#[derive(Clone, Debug)]
pub struct RawSpec {
    pub method: scrm_core::Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub paging: Option<scrm_core::raw::RawPaging>,
}

impl RawSpec {
    fn build<V: scrm_core::Vendor>(&self) -> scrm_core::raw::RawRequest<V> {
        let mut request = scrm_core::raw::RawRequest::<V>::new(self.method.clone(), &self.path)
            .fields(self.fields.clone());
        for (k, v) in &self.query {
            request = request.query(k, v);
        }
        match &self.paging {
            Some(paging) => request.paging(paging.clone()),
            None => request,
        }
    }
}

impl Connected {
    /// One raw call: the decoded payload.
    pub async fn call_raw(&self, spec: &RawSpec) -> Result<serde_json::Value, Error> {
        match self {
            Connected::Wshoto(c) => c.core().call(&spec.build()).await,
            Connected::Weiban(c) => c.core().call(&spec.build()).await,
            Connected::Waiqin(c) => c.core().call(&spec.build()).await,
            Connected::Tanma(c) => c.core().call(&spec.build()).await,
        }
    }

    /// The pages of a raw request, its records as JSON.
    pub fn raw_pages(&self, spec: &RawSpec, options: PageOptions) -> JsonPages {
        use scrm_core::registry::json_pages;
        match self {
            Connected::Wshoto(c) => json_pages(c.core().pages(spec.build()).options(options)),
            Connected::Weiban(c) => json_pages(c.core().pages(spec.build()).options(options)),
            Connected::Waiqin(c) => json_pages(c.core().pages(spec.build()).options(options)),
            Connected::Tanma(c) => json_pages(c.core().pages(spec.build()).options(options)),
        }
    }
}
