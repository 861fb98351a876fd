//! Exports the customers page by page and saves where to resume after each page, so an
//! interrupted run continues where it stopped instead of starting over.
//!
//! ```text
//! WSHOTO_APP_ID=… WSHOTO_APP_SECRET=… cargo run -p scrm-wshoto --example wshoto_resume -- customers.position
//! ```

use scrm_wshoto::prelude::*;
use scrm_wshoto::{Position, SelfCustomerList};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let saved = std::env::args()
        .nth(1)
        .unwrap_or("customers.position".into());
    let client = WshotoClient::builder()
        .app_id(std::env::var("WSHOTO_APP_ID").unwrap_or_default())
        .app_secret(std::env::var("WSHOTO_APP_SECRET").unwrap_or_default())
        .build()?;

    let mut pages = client.pages(SelfCustomerList::new().page_size(100));
    if let Ok(text) = std::fs::read_to_string(&saved) {
        let position: Position = serde_json::from_str(&text)?;
        eprintln!("resuming from {position}");
        pages = pages.resume_from(position);
    }
    while let Some(page) = pages.try_next().await? {
        for customer in &page.items {
            println!("{}", serde_json::to_string(customer)?);
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
