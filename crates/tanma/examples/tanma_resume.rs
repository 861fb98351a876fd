//! Exports a customer's files page by page and saves where to resume after each page, so an
//! interrupted run continues where it stopped instead of starting over.
//!
//! ```text
//! TANMA_APP_ID=… TANMA_APP_KEY=… cargo run -p scrm-tanma --example tanma_resume -- 442273848965184 files.position
//! ```

use scrm_tanma::prelude::*;
use scrm_tanma::{CustomerFileList, Position};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let customer: u64 = args.next().unwrap_or("442273848965184".into()).parse()?;
    let saved = args.next().unwrap_or("files.position".into());
    let client = TanmaClient::builder()
        .app_id(std::env::var("TANMA_APP_ID").unwrap_or_default())
        .app_key(std::env::var("TANMA_APP_KEY").unwrap_or_default())
        .build()?;

    let mut pages = client.pages(CustomerFileList::new().customer_id(customer));
    if let Ok(text) = std::fs::read_to_string(&saved) {
        let position: Position = serde_json::from_str(&text)?;
        eprintln!("resuming from {position}");
        pages = pages.resume_from(position);
    }
    while let Some(page) = pages.try_next().await? {
        for file in &page.items {
            println!("{}", serde_json::to_string(file)?);
        }
        // Save the position only after the page's records are written.
        match &page.next {
            Some(next) => std::fs::write(&saved, serde_json::to_string(next)?)?,
            None => {
                let _ = std::fs::remove_file(&saved);
            }
        }
    }
    Ok(())
}
