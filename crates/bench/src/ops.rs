//! The measured operations and the SDK side of each export: the real client (signing, tokens,
//! retries, rate limiter) with its item stream, every record visited once.

use std::hint::black_box;
use std::time::Duration;

use futures::{Stream, TryStreamExt};
use scrm_core::{Configure, PageOptions, RateLimit};
use scrm_sandbox::{
    Credentials, Query, TanmaClueFilter, TanmaFileFilter, WaiqinTaskFilter, WeibanFilter,
    WshotoFilter,
};

/// A seed operation under measurement (waiqin task types, a 12-record list, is left out).
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

    /// `vendor op` as printed.
    pub fn name(self) -> &'static str {
        match self {
            BenchOp::WshotoCollectDetails => "wshoto collect-details",
            BenchOp::WeibanSmartFormUsers => "weiban smart-form-users",
            BenchOp::WaiqinTasks => "waiqin tasks",
            BenchOp::TanmaClues => "tanma clues",
            BenchOp::TanmaCustomerFiles => "tanma customer-files",
        }
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

    /// The sandbox query of a complete export (to check the count).
    pub fn query(self) -> Query {
        match self {
            BenchOp::WshotoCollectDetails => Query::WshotoCollectDetail(WshotoFilter::default()),
            BenchOp::WeibanSmartFormUsers => Query::WeibanSmartFormUsers(WeibanFilter {
                status: Some("submit".into()),
                ..WeibanFilter::default()
            }),
            BenchOp::WaiqinTasks => Query::WaiqinTasks(WaiqinTaskFilter::default()),
            BenchOp::TanmaClues => Query::TanmaClues(TanmaClueFilter::default()),
            BenchOp::TanmaCustomerFiles => Query::TanmaCustomerFiles(TanmaFileFilter::default()),
        }
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

async fn drain<T>(stream: impl Stream<Item = Result<T, scrm_core::Error>>) -> Result<u64, String> {
    let mut stream = std::pin::pin!(stream);
    let mut n = 0u64;
    while let Some(record) = stream.try_next().await.map_err(|e| e.to_string())? {
        black_box(&record);
        n += 1;
    }
    Ok(n)
}

fn run(records: u64, s: scrm_core::ClientStats) -> SdkRun {
    SdkRun {
        records,
        requests: s.requests,
        throttled: s.throttled,
        retries: s.retries,
    }
}

/// A built SDK client of one vendor (building one — TLS roots, connection pool — is kept out of
/// the timed part, as the baseline's `reqwest::Client` is).
pub enum SdkClient {
    /// wshoto.
    Wshoto(scrm_wshoto::WshotoClient),
    /// weiban.
    Weiban(scrm_weiban::WeibanClient),
    /// waiqin.
    Waiqin(scrm_waiqin::WaiqinClient),
    /// tanma.
    Tanma(scrm_tanma::TanmaClient),
}

impl SdkClient {
    /// The client `op` needs, configured from `s`.
    pub fn build(op: BenchOp, s: &Setup) -> Result<SdkClient, String> {
        let c = &s.credentials;
        let err = |e: scrm_core::Error| e.to_string();
        Ok(match op {
            BenchOp::WshotoCollectDetails => {
                let b = scrm_wshoto::WshotoClient::builder()
                    .app_id(c.wshoto_app_id.clone())
                    .app_secret(c.wshoto_app_secret.clone());
                SdkClient::Wshoto(configure(b, s).build().map_err(err)?)
            }
            BenchOp::WeibanSmartFormUsers => {
                let b = scrm_weiban::WeibanClient::builder()
                    .corp_id(c.weiban_corp_id.clone())
                    .secret(c.weiban_secret.clone());
                SdkClient::Weiban(configure(b, s).build().map_err(err)?)
            }
            BenchOp::WaiqinTasks => {
                let b = scrm_waiqin::WaiqinClient::builder()
                    .openid(c.waiqin_openid.clone())
                    .appkey(c.waiqin_appkey.clone());
                SdkClient::Waiqin(configure(b, s).build().map_err(err)?)
            }
            BenchOp::TanmaClues | BenchOp::TanmaCustomerFiles => {
                let b = scrm_tanma::TanmaClient::builder()
                    .app_id(c.tanma_app_id.clone())
                    .app_key(c.tanma_app_key.clone());
                SdkClient::Tanma(configure(b, s).build().map_err(err)?)
            }
        })
    }

    /// Exports every record of `op` through the client's item stream.
    pub async fn export(&self, op: BenchOp, s: &Setup) -> Result<SdkRun, String> {
        let size = u32::try_from(s.page_size).map_err(|e| e.to_string())?;
        let mismatch = || format!("{} needs another client", op.name());
        match (op, self) {
            (BenchOp::WshotoCollectDetails, SdkClient::Wshoto(client)) => {
                let request = scrm_wshoto::ops::CollectDetailPage::new().page_size(s.page_size);
                let n = drain(client.collect_details_with(request, s.pages.clone())).await?;
                Ok(run(n, client.core().stats()))
            }
            (BenchOp::WeibanSmartFormUsers, SdkClient::Weiban(client)) => {
                use scrm_weiban::{FormUserStatus, SmartFormUserList};
                let request = SmartFormUserList::new()
                    .status(FormUserStatus::Submit)
                    .limit(size);
                let n = drain(client.items(request).options(s.pages.clone())).await?;
                Ok(run(n, client.core().stats()))
            }
            (BenchOp::WaiqinTasks, SdkClient::Waiqin(client)) => {
                let request = scrm_waiqin::QueryTask::new().rows(size);
                let n = drain(client.items(request).options(s.pages.clone())).await?;
                Ok(run(n, client.core().stats()))
            }
            (BenchOp::TanmaClues, SdkClient::Tanma(client)) => {
                use scrm_tanma::{ChinaDateTime, ClueListRequest};
                let since = ChinaDateTime::parse("2000-01-01 00:00:00")?;
                let before = ChinaDateTime::parse("2100-01-01 00:00:00")?;
                let request = ClueListRequest::new(since, before).size(size);
                let n = drain(client.core().items(request).options(s.pages.clone())).await?;
                Ok(run(n, client.core().stats()))
            }
            (BenchOp::TanmaCustomerFiles, SdkClient::Tanma(client)) => {
                let request = scrm_tanma::CustomerFileListRequest::new().page_size(size);
                let n = drain(client.core().items(request).options(s.pages.clone())).await?;
                Ok(run(n, client.core().stats()))
            }
            _ => Err(mismatch()),
        }
    }
}

/// Builds the client and exports every record of `op` through the SDK.
pub async fn sdk_export(op: BenchOp, s: &Setup) -> Result<SdkRun, String> {
    SdkClient::build(op, s)?.export(op, s).await
}
