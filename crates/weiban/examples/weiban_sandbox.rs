//! Tests code against the weiban double of `scrm-sandbox` on 127.0.0.1, without credentials:
//! the double issues and checks access tokens, pages as the vendor documents and can inject
//! faults.
//!
//! ```text
//! cargo run -p scrm-weiban --example weiban_sandbox
//! ```

use scrm_sandbox::{Query, Sandbox, SandboxConfig, WeibanFilter};
use scrm_weiban::prelude::*;
use scrm_weiban::{FormUserStatus, Secret, SmartFormUserList};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let credentials = sandbox.credentials();
    let client = WeibanClient::builder()
        .corp_id(credentials.weiban_corp_id.clone())
        .secret(Secret::new(credentials.weiban_secret.clone()))
        .base_url(sandbox.base_url())
        .build()?;

    let users: Vec<_> = client
        .items(SmartFormUserList::new().status(FormUserStatus::Submit))
        .try_collect()
        .await?;
    let expected = sandbox
        .dataset()
        .expected_count(&Query::WeibanSmartFormUsers(WeibanFilter {
            status: Some("submit".into()),
            ..WeibanFilter::default()
        }));

    // Customer details for any number of ids, in the order asked; unknown ids are reported.
    let mut ids = sandbox.dataset().fixtures().weiban_customer_ids;
    ids.truncate(3);
    ids.push("wm-not-a-customer".into());
    let batch = client.batch_get(ids).await?;

    println!(
        "{} smart-form users, {} customers found",
        users.len(),
        batch.customers.len()
    );
    assert_eq!(users.len(), expected);
    assert_eq!(batch.customers.len(), 3);
    assert_eq!(batch.missing, ["wm-not-a-customer"]);
    Ok(())
}
