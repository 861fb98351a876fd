//! Exports a collect form's submissions to stdout, one JSON record per line.
//!
//! ```text
//! WSHOTO_APP_ID=… WSHOTO_APP_SECRET=… cargo run -p scrm-wshoto --example wshoto_export -- 1634567890987645
//! ```
//!
//! `WSHOTO_BASE_URL` overrides the base URL (everything before `/openapi/…`).

use std::io::Write;

use scrm_wshoto::prelude::*;
use scrm_wshoto::{CollectDetailPage, DetailStatus};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let form_id = std::env::args().nth(1).unwrap_or("1634567890987645".into());
    let mut builder = WshotoClient::builder()
        .app_id(std::env::var("WSHOTO_APP_ID").unwrap_or_default())
        .app_secret(std::env::var("WSHOTO_APP_SECRET").unwrap_or_default());
    if let Ok(url) = std::env::var("WSHOTO_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    let request = CollectDetailPage::new()
        .form_id(form_id)
        .detail_status(DetailStatus::Submitted);
    let mut records = client.items(request);
    let mut out = std::io::stdout().lock();
    while let Some(record) = records.try_next().await? {
        // Records serialize back to the vendor's field names (undocumented ones included).
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
