//! Configuration from the environment.

use scrm_core::{Configure, PageOptions, Secret};

use crate::args::{Tuning, VendorName};

/// A problem the user fixes by changing the command line or the environment (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

/// The exit code of a failed call: 2 for input the user can fix (a documented limit, the base
/// URL, a credential's shape), 1 for everything else.
pub fn exit_code(error: &scrm_core::Error) -> u8 {
    use scrm_core::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidInput | ErrorKind::Config => 2,
        _ => 1,
    }
}

impl VendorName {
    pub const ALL: [VendorName; 4] = [
        VendorName::Wshoto,
        VendorName::Weiban,
        VendorName::Waiqin,
        VendorName::Tanma,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VendorName::Wshoto => "wshoto",
            VendorName::Weiban => "weiban",
            VendorName::Waiqin => "waiqin",
            VendorName::Tanma => "tanma",
        }
    }

    /// The environment variables holding this vendor's credentials.
    pub fn credential_vars(self) -> [&'static str; 2] {
        match self {
            VendorName::Wshoto => ["SCRM_WSHOTO_APP_ID", "SCRM_WSHOTO_APP_SECRET"],
            VendorName::Weiban => ["SCRM_WEIBAN_CORP_ID", "SCRM_WEIBAN_SECRET"],
            VendorName::Waiqin => ["SCRM_WAIQIN_OPENID", "SCRM_WAIQIN_APPKEY"],
            VendorName::Tanma => ["SCRM_TANMA_APP_ID", "SCRM_TANMA_APP_KEY"],
        }
    }

    pub fn base_url_var(self) -> &'static str {
        match self {
            VendorName::Wshoto => "SCRM_WSHOTO_BASE_URL",
            VendorName::Weiban => "SCRM_WEIBAN_BASE_URL",
            VendorName::Waiqin => "SCRM_WAIQIN_BASE_URL",
            VendorName::Tanma => "SCRM_TANMA_BASE_URL",
        }
    }
}

/// One vendor's settings: an id, a secret, an optional base URL.
pub struct VendorEnv {
    pub id: String,
    pub secret: Secret,
    pub base_url: Option<String>,
}

impl VendorEnv {
    /// The settings of `vendor` against `sandbox`: its credentials and base URL (the demo's and
    /// the bench's clients).
    pub fn sandbox(sandbox: &scrm_sandbox::Sandbox, vendor: VendorName) -> VendorEnv {
        let c = sandbox.credentials();
        let (id, secret) = match vendor {
            VendorName::Wshoto => (&c.wshoto_app_id, &c.wshoto_app_secret),
            VendorName::Weiban => (&c.weiban_corp_id, &c.weiban_secret),
            VendorName::Waiqin => (&c.waiqin_openid, &c.waiqin_appkey),
            VendorName::Tanma => (&c.tanma_app_id, &c.tanma_app_key),
        };
        VendorEnv {
            id: id.clone(),
            secret: Secret::new(secret.clone()),
            base_url: Some(sandbox.base_url()),
        }
    }
}

fn var(name: &str) -> Result<Option<String>, UsageError> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(UsageError(format!("{name} is not valid UTF-8")))
        }
    }
}

impl VendorEnv {
    pub fn from_env(vendor: VendorName) -> Result<Self, UsageError> {
        let [id_var, secret_var] = vendor.credential_vars();
        let id = var(id_var)?;
        let secret = var(secret_var)?;
        let missing: Vec<&str> = [(id_var, id.is_none()), (secret_var, secret.is_none())]
            .into_iter()
            .filter_map(|(n, m)| m.then_some(n))
            .collect();
        if !missing.is_empty() {
            return Err(UsageError(format!(
                "{} credentials missing: set {}",
                vendor.as_str(),
                missing.join(" and ")
            )));
        }
        Ok(VendorEnv {
            id: id.unwrap_or_default(),
            secret: Secret::new(secret.unwrap_or_default()),
            base_url: var(vendor.base_url_var())?,
        })
    }
}

/// Applies the base URL, page options and the tuning flags to a vendor builder.
pub fn configure<B: Configure>(
    mut builder: B,
    base_url: Option<&str>,
    tuning: &Tuning,
    mut pages: PageOptions,
) -> B {
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if let Some(n) = tuning.max_attempts {
        builder = builder.max_attempts(n);
    }
    if let Some(rps) = tuning.rps {
        builder = builder.requests_per_second(rps);
    }
    if let Some(n) = tuning.concurrency {
        builder = builder.max_concurrent(n);
        pages = pages.concurrency(n);
    }
    crate::shared::rate_budget(builder).page_options(pages)
}
