//! Tests code against the waiqin double of `scrm-sandbox` on 127.0.0.1, without credentials:
//! the double checks the MD5 path digest, pages as the vendor documents and can inject faults.
//!
//! ```text
//! cargo run -p scrm-waiqin --example waiqin_sandbox
//! ```

use scrm_sandbox::{Query, Sandbox, SandboxConfig, WaiqinTaskFilter};
use scrm_waiqin::prelude::*;
use scrm_waiqin::{ChinaDate, QueryTask, QueryTaskType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let credentials = sandbox.credentials();
    let client = WaiqinClient::builder()
        .openid(credentials.waiqin_openid.clone())
        .appkey(credentials.waiqin_appkey.clone())
        .base_url(sandbox.base_url())
        .build()?;

    let (from, to) = ("2000-01-01", "2099-12-31");
    let request = QueryTask::new()
        .modify_date_from(ChinaDate::parse(from)?)
        .modify_date_to(ChinaDate::parse(to)?);
    let tasks: Vec<_> = client.items(request).try_collect().await?;
    let expected = sandbox
        .dataset()
        .expected_count(&Query::WaiqinTasks(WaiqinTaskFilter {
            modify_date_from: Some(from.into()),
            modify_date_to: Some(to.into()),
            ..WaiqinTaskFilter::default()
        }));
    let types: Vec<_> = client.items(QueryTaskType::new()).try_collect().await?;
    println!("{} tasks, {} task types", tasks.len(), types.len());
    assert_eq!(tasks.len(), expected);
    assert_eq!(
        types.len(),
        sandbox
            .dataset()
            .expected_count(&Query::WaiqinTaskTypes(Vec::new()))
    );
    Ok(())
}
