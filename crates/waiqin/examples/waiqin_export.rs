//! Exports the customer tasks changed in a window of days to stdout, one JSON record per line.
//!
//! ```text
//! WAIQIN_OPENID=… WAIQIN_APPKEY=… WAIQIN_BASE_URL=https://<your tenant's host> \
//!     cargo run -p scrm-waiqin --example waiqin_export -- 2024-03-01 2024-03-31
//! ```

use std::io::Write;

use scrm_waiqin::prelude::*;
use scrm_waiqin::{ChinaDate, QueryTask};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let from = ChinaDate::parse(&args.next().unwrap_or("2024-03-01".into()))?;
    let to = ChinaDate::parse(&args.next().unwrap_or("2024-03-31".into()))?;
    let mut builder = WaiqinClient::builder()
        .openid(std::env::var("WAIQIN_OPENID").unwrap_or_default())
        .appkey(std::env::var("WAIQIN_APPKEY").unwrap_or_default());
    if let Ok(url) = std::env::var("WAIQIN_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    let mut tasks = client.items(QueryTask::new().modify_date_from(from).modify_date_to(to));
    let mut out = std::io::stdout().lock();
    while let Some(task) = tasks.try_next().await? {
        // Records serialize back to the vendor's field names (undocumented ones included).
        serde_json::to_writer(&mut out, &task)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
