//! State shared with other `scrm` processes through Redis: `SCRM_REDIS_URL` (tokens, the rate
//! budget of `--rps`, push deduplication), `SCRM_REDIS_FALLBACK`, `SCRM_REDIS_PREFIX`.
//!
//! [`init`] reads the environment once per process (before the vendor client is built); the
//! builders then pick the pieces up in [`rate_budget`] (every vendor, from `env::configure`)
//! and [`tokens`] (wshoto, weiban). Nothing is shared when `SCRM_REDIS_URL` is unset.
//! `scrm sync` / `scrm listen` use [`Shared::from_env`] directly (token store, rate budget and
//! [`Shared::seen_store`] for push deduplication).

use std::sync::{Arc, OnceLock};

use scrm_core::{Configure, ConfigureTokens};

use crate::args::VendorName;
use crate::env::{UsageError, VendorEnv};

/// The Redis URL (`redis://host:port[/db]`).
pub const URL_VAR: &str = "SCRM_REDIS_URL";
/// `fail` (default): a Redis outage fails the export; `local`: warn and go on per process.
pub const FALLBACK_VAR: &str = "SCRM_REDIS_FALLBACK";
/// First segment of every key (default `scrm`).
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub const PREFIX_VAR: &str = "SCRM_REDIS_PREFIX";

/// Why the shared state could not be set up.
#[derive(Debug)]
pub enum SharedError {
    /// Fix the environment (exit code 2).
    Usage(UsageError),
    /// Redis did not answer (exit code 1).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Unavailable(String),
}

/// The advice appended to a Redis failure.
pub fn advice() -> String {
    format!(
        "Redis comes from {URL_VAR}; {FALLBACK_VAR}=local goes on with per-process tokens and rate limit, with a warning"
    )
}

/// The shared pieces of one credential, or nothing when `SCRM_REDIS_URL` is unset.
#[derive(Clone, Default)]
pub struct Shared {
    #[cfg(feature = "redis")]
    redis: Option<Redis>,
}

#[cfg(feature = "redis")]
#[derive(Clone)]
struct Redis {
    shared: scrm_redis::RedisShared,
    credential: String,
    secret: scrm_core::Secret,
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

impl Shared {
    /// Connects to `SCRM_REDIS_URL` (if set) for `vendor`'s credential in `env`.
    pub async fn from_env(vendor: VendorName, env: &VendorEnv) -> Result<Shared, SharedError> {
        let Some(url) = var(URL_VAR).map_err(SharedError::Usage)? else {
            return Ok(Shared::default());
        };
        Self::connect(&url, vendor, env).await
    }

    #[cfg(not(feature = "redis"))]
    async fn connect(_url: &str, _v: VendorName, _env: &VendorEnv) -> Result<Shared, SharedError> {
        Err(SharedError::Usage(UsageError(format!(
            "{URL_VAR} is set but this scrm was built without Redis support (cargo feature `redis`)"
        ))))
    }

    #[cfg(feature = "redis")]
    async fn connect(
        url: &str,
        vendor: VendorName,
        env: &VendorEnv,
    ) -> Result<Shared, SharedError> {
        use scrm_redis::{OnUnavailable, RedisConfig, RedisShared};
        let policy = match var(FALLBACK_VAR).map_err(SharedError::Usage)?.as_deref() {
            None | Some("fail") => OnUnavailable::Fail,
            Some("local") => OnUnavailable::FallBackLocal,
            Some(other) => {
                return Err(SharedError::Usage(UsageError(format!(
                    "{FALLBACK_VAR}={other:?} is not understood: use `fail` (the default) or `local`"
                ))));
            }
        };
        let mut config = RedisConfig::default().on_unavailable(policy);
        if let Some(prefix) = var(PREFIX_VAR).map_err(SharedError::Usage)? {
            config = config.key_prefix(prefix);
        }
        let shared = RedisShared::connect(url, config)
            .await
            .map_err(|e| match e.kind() {
                scrm_core::ErrorKind::Config => {
                    SharedError::Usage(UsageError(format!("{URL_VAR}: {}", e.message())))
                }
                _ => SharedError::Unavailable(format!("{e} ({})", advice())),
            })?;
        Ok(Shared {
            redis: Some(Redis {
                shared,
                credential: format!("{}:{}", vendor.as_str(), env.id),
                secret: env.secret.clone(),
            }),
        })
    }

    /// The shared rate budget of the credential, if any.
    pub fn rate_budget(&self) -> Option<Arc<dyn scrm_core::RateBudget>> {
        #[cfg(feature = "redis")]
        return self
            .redis
            .as_ref()
            .map(|r| r.shared.rate_budget(&r.credential) as Arc<dyn scrm_core::RateBudget>);
        #[cfg(not(feature = "redis"))]
        None
    }

    /// The shared token store of the credential, if any.
    pub fn token_store(&self) -> Option<Arc<dyn scrm_core::TokenStore>> {
        #[cfg(feature = "redis")]
        return self
            .redis
            .as_ref()
            .map(|r| r.shared.token_store(&r.secret) as Arc<dyn scrm_core::TokenStore>);
        #[cfg(not(feature = "redis"))]
        None
    }

    /// The push deduplication store (for `scrm listen`), if any.
    pub fn seen_store(&self) -> Option<Arc<dyn scrm_core::push::SeenStore>> {
        #[cfg(feature = "redis")]
        if let Some(r) = &self.redis {
            return Some(r.shared.seen_store());
        }
        None
    }

    /// The push deduplication store of `SCRM_REDIS_URL`, when it is set (`scrm listen`, which
    /// holds no vendor credential: the token keys of this connection are never used).
    pub async fn seen_store_from_env()
    -> Result<Option<Arc<dyn scrm_core::push::SeenStore>>, SharedError> {
        let Some(url) = var(URL_VAR).map_err(SharedError::Usage)? else {
            return Ok(None);
        };
        let none = VendorEnv {
            id: String::new(),
            secret: scrm_core::Secret::new(String::new()),
            base_url: None,
        };
        Ok(Self::connect(&url, VendorName::Weiban, &none)
            .await?
            .seen_store())
    }

    /// Applies the shared rate budget to a builder.
    pub fn configure<B: Configure>(&self, builder: B) -> B {
        match self.rate_budget() {
            Some(budget) => builder.rate_budget(budget),
            None => builder,
        }
    }

    /// Applies the shared token store to a builder.
    pub fn configure_tokens<B: ConfigureTokens>(&self, builder: B) -> B {
        match self.token_store() {
            Some(store) => builder.token_store(store),
            None => builder,
        }
    }
}

static CURRENT: OnceLock<Shared> = OnceLock::new();

/// Sets up this process's shared state from the environment (once; later calls keep the first).
pub async fn init(vendor: VendorName, env: &VendorEnv) -> Result<(), SharedError> {
    if CURRENT.get().is_none() {
        let shared = Shared::from_env(vendor, env).await?;
        let _ = CURRENT.set(shared);
    }
    Ok(())
}

fn current() -> Option<&'static Shared> {
    CURRENT.get()
}

/// The builder with this process's shared rate budget, if [`init`] set one up.
pub fn rate_budget<B: Configure>(builder: B) -> B {
    match current() {
        Some(s) => s.configure(builder),
        None => builder,
    }
}

/// The builder with this process's shared token store, if [`init`] set one up.
pub fn tokens<B: ConfigureTokens>(builder: B) -> B {
    match current() {
        Some(s) => s.configure_tokens(builder),
        None => builder,
    }
}
