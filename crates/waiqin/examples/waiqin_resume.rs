//! Exports the visits of a window of days page by page and saves where to resume after each
//! page, so an interrupted run continues where it stopped instead of starting over.
//!
//! ```text
//! WAIQIN_OPENID=… WAIQIN_APPKEY=… cargo run -p scrm-waiqin --example waiqin_resume -- \
//!     2024-03-01 2024-03-31 visits.position
//! ```

use scrm_waiqin::prelude::*;
use scrm_waiqin::{ChinaDate, Position, QueryCusVisitRecord};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let from = ChinaDate::parse(&args.next().unwrap_or("2024-03-01".into()))?;
    let to = ChinaDate::parse(&args.next().unwrap_or("2024-03-31".into()))?;
    let saved = args.next().unwrap_or("visits.position".into());
    let client = WaiqinClient::builder()
        .openid(std::env::var("WAIQIN_OPENID").unwrap_or_default())
        .appkey(std::env::var("WAIQIN_APPKEY").unwrap_or_default())
        .build()?;

    let mut pages = client.pages(QueryCusVisitRecord::new().date_start(from).date_end(to));
    if let Ok(text) = std::fs::read_to_string(&saved) {
        let position: Position = serde_json::from_str(&text)?;
        eprintln!("resuming from {position}");
        pages = pages.resume_from(position);
    }
    while let Some(page) = pages.try_next().await? {
        for visit in &page.items {
            println!("{}", serde_json::to_string(visit)?);
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
