//! The seed operations with a hand-written baseline, matched to their registry entries by
//! (vendor, name), and the SDK side of an export: the real client (signing, tokens, retries,
//! rate limiter) running the registry's typed drain, every record visited once. Nothing here
//! is per operation but the baselines' own facts (the filters they send, the vendor's page cap).

use std::time::Duration;

use scrm_cli::args::VendorName;
use scrm_cli::vendors::{Connected, OpRef};
use scrm_core::{Configure, PageOptions, RateLimit};
use scrm_sandbox::Credentials;

/// A seed operation with a hand-written baseline (waiqin task types, a 12-record list, has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchOp {
    /// wshoto `collect/detail/page` (page number + total, page size ≤ 200).
    WshotoCollectDetails,
    /// weiban `smart_form/form/user/list` (offset + total, limit ≤ 1000).
    WeibanSmartFormUsers,
    /// waiqin `queryTask` (page/rows, no total, rows ≤ 1000).
    WaiqinTasks,
    /// tanma `clue/list-by-create-time-asc` (cursor, size ≤ 1000).
    TanmaClues,
    /// tanma `customer/list-file-of-customer` (keyset by `lastId`, pageSize ≤ 1000).
    TanmaCustomerFiles,
}

impl BenchOp {
    /// Every measured operation.
    pub const ALL: [BenchOp; 5] = [
        BenchOp::WshotoCollectDetails,
        BenchOp::WeibanSmartFormUsers,
        BenchOp::WaiqinTasks,
        BenchOp::TanmaClues,
        BenchOp::TanmaCustomerFiles,
    ];

    /// The registry entry this baseline is written for, by (vendor, name).
    pub fn registry_name(self) -> (VendorName, &'static str) {
        match self {
            BenchOp::WshotoCollectDetails => (VendorName::Wshoto, "collect-details"),
            BenchOp::WeibanSmartFormUsers => (VendorName::Weiban, "smart-form-users"),
            BenchOp::WaiqinTasks => (VendorName::Waiqin, "tasks"),
            BenchOp::TanmaClues => (VendorName::Tanma, "clues"),
            BenchOp::TanmaCustomerFiles => (VendorName::Tanma, "customer-files"),
        }
    }

    /// The filters the hand-written baseline sends (`KEY=VALUE`, the vendor's field names):
    /// the SDK side sends the same through the registry.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            BenchOp::WeibanSmartFormUsers => &["status=submit"],
            _ => &[],
        }
    }

    /// The registry entry matched by (vendor, name).
    pub fn op(self) -> Result<OpRef, String> {
        let (vendor, name) = self.registry_name();
        OpRef::find(vendor, name).map_err(|e| e.0)
    }

    /// `vendor op` as printed.
    pub fn name(self) -> String {
        let (vendor, name) = self.registry_name();
        format!("{} {name}", vendor.as_str())
    }

    /// A short command-line name.
    pub fn slug(self) -> &'static str {
        match self {
            BenchOp::WshotoCollectDetails => "wshoto",
            BenchOp::WeibanSmartFormUsers => "weiban",
            BenchOp::WaiqinTasks => "waiqin",
            BenchOp::TanmaClues => "tanma-clues",
            BenchOp::TanmaCustomerFiles => "tanma-files",
        }
    }

    /// Parses [`BenchOp::slug`].
    pub fn from_slug(s: &str) -> Option<BenchOp> {
        BenchOp::ALL.into_iter().find(|op| op.slug() == s)
    }

    /// The largest page the vendor serves (used by both sides).
    pub fn max_page_size(self) -> u64 {
        match self {
            BenchOp::WshotoCollectDetails => 200,
            _ => 1000,
        }
    }

    /// The SDK's request: [`BenchOp::params`] and `page_size`, through the registry.
    pub fn request(self, page_size: u64) -> Result<serde_json::Value, String> {
        let params: Vec<String> = self.params().iter().map(|p| (*p).to_owned()).collect();
        self.op()?
            .request(&params, Some(page_size))
            .map_err(|e| e.0)
    }

    /// Records of a complete export in `dataset` (to check both sides' counts).
    pub fn expected(self, dataset: &scrm_sandbox::Dataset) -> Result<u64, String> {
        let (vendor, name) = self.registry_name();
        let op = self.op()?;
        let request = op
            .info()
            .request_from_params(self.params().iter().copied(), None)
            .map_err(|e| e.to_string())?;
        dataset
            .expected_for_each(vendor.as_str(), name, &request, |_| {})
            .map(|n| n as u64)
            .ok_or_else(|| format!("{}: the sandbox rejects {request}", self.name()))
    }
}

/// Where and how an export runs.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The sandbox base URL.
    pub base: String,
    /// The sandbox credentials.
    pub credentials: Credentials,
    /// Records per page (both sides).
    pub page_size: u64,
    /// Client rate limit (requests/s; ≤ 0 = none) and concurrency.
    pub rate_limit: RateLimit,
    /// Page options of the SDK's stream (concurrency of page prefetch).
    pub pages: PageOptions,
}

impl Setup {
    /// An unlimited, sequential export of `page_size` pages from `base`.
    pub fn new(base: String, credentials: Credentials, page_size: u64) -> Setup {
        Setup {
            base,
            credentials,
            page_size,
            rate_limit: RateLimit::unlimited(4),
            pages: PageOptions::default(),
        }
    }
}

/// Figures of a finished SDK export.
#[derive(Clone, Copy, Debug, Default)]
pub struct SdkRun {
    /// Records received.
    pub records: u64,
    /// The client's own request count.
    pub requests: u64,
    /// Responses the client saw throttled (HTTP 429 or the vendor's code).
    pub throttled: u64,
    /// Retries made.
    pub retries: u64,
}

fn configure<B: Configure>(b: B, s: &Setup) -> B {
    b.base_url(s.base.clone())
        .rate_limit(s.rate_limit)
        .page_options(s.pages.clone())
        .retry_policy(scrm_core::RetryPolicy::default().initial_delay(Duration::from_millis(50)))
}

/// The client of `vendor`, configured from `s` (building one — TLS roots, connection pool — is
/// kept out of the timed part, as the baseline's `reqwest::Client` is). Per vendor, never per
/// operation: any registered operation runs on it.
pub fn build(vendor: VendorName, s: &Setup) -> Result<Connected, String> {
    let c = &s.credentials;
    let err = |e: scrm_core::Error| e.to_string();
    Ok(match vendor {
        VendorName::Wshoto => {
            let b = scrm_wshoto::WshotoClient::builder()
                .app_id(c.wshoto_app_id.clone())
                .app_secret(c.wshoto_app_secret.clone());
            Connected::Wshoto(configure(b, s).build().map_err(err)?)
        }
        VendorName::Weiban => {
            let b = scrm_weiban::WeibanClient::builder()
                .corp_id(c.weiban_corp_id.clone())
                .secret(c.weiban_secret.clone());
            Connected::Weiban(configure(b, s).build().map_err(err)?)
        }
        VendorName::Waiqin => {
            let b = scrm_waiqin::WaiqinClient::builder()
                .openid(c.waiqin_openid.clone())
                .appkey(c.waiqin_appkey.clone());
            Connected::Waiqin(configure(b, s).build().map_err(err)?)
        }
        VendorName::Tanma => {
            let b = scrm_tanma::TanmaClient::builder()
                .app_id(c.tanma_app_id.clone())
                .app_key(c.tanma_app_key.clone());
            Connected::Tanma(configure(b, s).build().map_err(err)?)
        }
    })
}

/// Exports every record of `op` for `request` on `client` through the registry's typed drain
/// (the boxed, `Unpin` item stream; every record visited, none turned into JSON).
pub async fn export(
    client: &Connected,
    op: OpRef,
    request: serde_json::Value,
    s: &Setup,
) -> Result<SdkRun, String> {
    let drained = client
        .drain(op, request, s.pages.clone())
        .map_err(|e| e.to_string())?
        .await
        .map_err(|e| e.to_string())?;
    let stats = client.stats();
    Ok(SdkRun {
        records: drained.records,
        requests: stats.requests,
        throttled: stats.throttled,
        retries: stats.retries,
    })
}

/// A built client of `op`'s vendor and its request, ready to export.
pub struct SdkClient {
    client: Connected,
    op: OpRef,
    request: serde_json::Value,
}

impl SdkClient {
    /// The client and request of the seed operation `op`, configured from `s`.
    pub fn build(op: BenchOp, s: &Setup) -> Result<SdkClient, String> {
        Ok(SdkClient {
            client: build(op.registry_name().0, s)?,
            op: op.op()?,
            request: op.request(s.page_size)?,
        })
    }

    /// Exports every record.
    pub async fn export(&self, s: &Setup) -> Result<SdkRun, String> {
        export(&self.client, self.op, self.request.clone(), s).await
    }
}

/// Builds the client and exports every record of `op` through the SDK.
pub async fn sdk_export(op: BenchOp, s: &Setup) -> Result<SdkRun, String> {
    SdkClient::build(op, s)?.export(s).await
}
