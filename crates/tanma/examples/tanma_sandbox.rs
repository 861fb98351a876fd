//! Tests code against the tanma double of `scrm-sandbox` on 127.0.0.1, without credentials:
//! the double checks the signature, pages as the vendor documents and can inject faults.
//!
//! ```text
//! cargo run -p scrm-tanma --example tanma_sandbox
//! ```

use scrm_sandbox::{Sandbox, SandboxConfig};
use scrm_tanma::prelude::*;
use scrm_tanma::{ChinaDateTime, ClueList, CustomerFileList};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let credentials = sandbox.credentials();
    let client = TanmaClient::builder()
        .app_id(credentials.tanma_app_id.clone())
        .app_key(credentials.tanma_app_key.clone())
        .base_url(sandbox.base_url())
        .build()?;

    let window = ClueList::new()
        .since(ChinaDateTime::parse("2000-01-01 00:00:00")?)
        .before(ChinaDateTime::parse("2100-01-01 00:00:00")?);
    let clues: Vec<_> = client.items(window).try_collect().await?;
    let files: Vec<_> = client.items(CustomerFileList::new()).try_collect().await?;
    println!("{} clues, {} files", clues.len(), files.len());
    assert!(!clues.is_empty() && !files.is_empty());
    Ok(())
}
