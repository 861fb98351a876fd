//! Exports the customers changed in a window (weiban's change feed) to stdout, one JSON
//! record per line.
//!
//! ```text
//! WEIBAN_CORP_ID=… WEIBAN_SECRET=… cargo run -p scrm-weiban --example weiban_export -- 1634054400 1634140799
//! ```
//!
//! `WEIBAN_BASE_URL` overrides the base URL (everything before `/open-api/…`).

use std::io::Write;

use scrm_weiban::prelude::*;
use scrm_weiban::{CustomerUpdateList, Secret, UnixSeconds, UpdateSource};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let start: i64 = args.next().unwrap_or("1634054400".into()).parse()?;
    let end: i64 = args.next().unwrap_or("1634140799".into()).parse()?;
    let mut builder = WeibanClient::builder()
        .corp_id(std::env::var("WEIBAN_CORP_ID").unwrap_or_default())
        .secret(Secret::new(
            std::env::var("WEIBAN_SECRET").unwrap_or_default(),
        ));
    if let Ok(url) = std::env::var("WEIBAN_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    let request = CustomerUpdateList::new()
        .source(UpdateSource::ExternalUser)
        .start_update_time(UnixSeconds(start))
        .end_update_time(UnixSeconds(end));
    let mut customers = client.items(request);
    let mut out = std::io::stdout().lock();
    while let Some(customer) = customers.try_next().await? {
        // Records serialize back to the vendor's field names (undocumented ones included).
        serde_json::to_writer(&mut out, &customer)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
