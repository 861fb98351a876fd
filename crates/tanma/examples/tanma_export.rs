//! Exports the clues created in a window to stdout, one JSON record per line.
//!
//! ```text
//! TANMA_APP_ID=… TANMA_APP_KEY=… cargo run -p scrm-tanma --example tanma_export -- \
//!     "2024-01-01 00:00:00" "2024-01-02 00:00:00"
//! ```
//!
//! `TANMA_BASE_URL` overrides the base URL (everything before `/api/v3/…`).

use std::io::Write;

use scrm_tanma::prelude::*;
use scrm_tanma::{ChinaDateTime, ClueList};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let since = ChinaDateTime::parse(&args.next().unwrap_or("2024-01-01 00:00:00".into()))?;
    let before = ChinaDateTime::parse(&args.next().unwrap_or("2024-01-02 00:00:00".into()))?;
    let mut builder = TanmaClient::builder()
        .app_id(std::env::var("TANMA_APP_ID").unwrap_or_default())
        .app_key(std::env::var("TANMA_APP_KEY").unwrap_or_default());
    if let Ok(url) = std::env::var("TANMA_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    let mut clues = client.items(ClueList::new().since(since).before(before));
    let mut out = std::io::stdout().lock();
    while let Some(clue) = clues.try_next().await? {
        // Records serialize back to the vendor's field names (undocumented ones included).
        serde_json::to_writer(&mut out, &clue)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
