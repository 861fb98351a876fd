//! Tests code against the wshoto double of `scrm-sandbox` on 127.0.0.1, without credentials:
//! the double issues and checks access tokens, pages as the vendor documents and can inject
//! faults.
//!
//! ```text
//! cargo run -p scrm-wshoto --example wshoto_sandbox
//! ```

use scrm_sandbox::{Query, Sandbox, SandboxConfig, WshotoFilter};
use scrm_wshoto::prelude::*;
use scrm_wshoto::{CollectDetailPage, SelfCustomerList};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let credentials = sandbox.credentials();
    let client = WshotoClient::builder()
        .app_id(credentials.wshoto_app_id.clone())
        .app_secret(credentials.wshoto_app_secret.clone())
        .base_url(sandbox.base_url())
        .build()?;

    let form_id = sandbox.dataset().fixtures().wshoto_form_ids[0];
    let details: Vec<_> = client
        .items(CollectDetailPage::new().form_id(form_id.to_string()))
        .try_collect()
        .await?;
    let expected = sandbox
        .dataset()
        .expected_count(&Query::WshotoCollectDetail(WshotoFilter {
            form_id: Some(form_id),
            ..WshotoFilter::default()
        }));
    let customers: Vec<_> = client.items(SelfCustomerList::new()).try_collect().await?;
    println!(
        "{} submissions of form {form_id}, {} customers",
        details.len(),
        customers.len()
    );
    assert_eq!(details.len(), expected);
    assert!(!details.is_empty() && !customers.is_empty());
    Ok(())
}
