//! Tokens in Redis, and the cross-process refresh lock.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use redis::Script;
use scrm_core::{AccessToken, Error, MemoryTokenStore, RefreshLock, Secret, TokenStore};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::conn::Conn;

/// Deletes the token only if it is still the rejected one (`issued:expires:TOKEN`).
const REMOVE_IF: &str = r"
local v = redis.call('GET', KEYS[1])
if v and string.match(v, '^%d+:%d+:(.*)$') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Deletes the lock only if `holder` still holds it.
const UNLOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`TokenStore`] in Redis for one secret's tokens, with a cross-process [`RefreshLock`].
///
/// Keys: `PREFIX:token:KEY:HASH` and `PREFIX:lock:KEY:HASH`, where `KEY` is the cache's
/// credential key (`wshoto:<appid>`, `weiban:<corp_id>`) and `HASH` the first 16 bytes of
/// SHA-256 over the secret: a rotated secret never gets a token fetched with the old one. The
/// value is `issued_ms:expires_ms:token`, set with `PXAT` the token's expiry. Made by
/// [`RedisShared::token_store`](crate::RedisShared::token_store).
pub struct RedisTokenStore {
    conn: Arc<Conn>,
    secret_hash: String,
    lock: RedisLock,
    /// Tokens read recently, reused for [`RedisConfig::token_memo`](crate::RedisConfig::token_memo);
    /// forgotten when the token cache asks for the refresh lock (it wants Redis's latest).
    memo: Arc<Memo>,
    /// Per-process tokens in fallback mode.
    local: MemoryTokenStore,
    remove_if: Script,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("conn", &self.conn)
            .finish_non_exhaustive()
    }
}

/// The first 16 bytes of SHA-256 over the secret, hex: names keys, reveals nothing usable.
type Memo = Mutex<HashMap<String, (AccessToken, Instant)>>;

pub(crate) fn secret_hash(secret: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"scrm-redis token key\0");
    h.update(secret.expose().as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn encode(token: &AccessToken) -> String {
    format!(
        "{}:{}:{}",
        unix_ms(token.issued_at),
        unix_ms(token.expires_at),
        token.value.expose()
    )
}

fn decode(value: &str) -> Option<AccessToken> {
    let mut parts = value.splitn(3, ':');
    let issued: u64 = parts.next()?.parse().ok()?;
    let expires: u64 = parts.next()?.parse().ok()?;
    let token = parts.next()?;
    Some(AccessToken::from_parts(
        Secret::new(token.to_owned()),
        UNIX_EPOCH + Duration::from_millis(issued),
        UNIX_EPOCH + Duration::from_millis(expires),
    ))
}

impl RedisTokenStore {
    pub(crate) fn new(conn: Arc<Conn>, secret: &Secret) -> Self {
        let memo = Arc::new(Memo::default());
        RedisTokenStore {
            lock: RedisLock {
                conn: conn.clone(),
                secret_hash: secret_hash(secret),
                unlock: Script::new(UNLOCK),
                memo: memo.clone(),
            },
            secret_hash: secret_hash(secret),
            conn,
            memo,
            local: MemoryTokenStore::default(),
            remove_if: Script::new(REMOVE_IF),
        }
    }

    fn token_key(&self, key: &str) -> String {
        self.conn.key(&["token", key, &self.secret_hash])
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, HashMap<String, (AccessToken, Instant)>> {
        self.memo.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn get_shared(&self, key: &str) -> Result<Option<AccessToken>, Error> {
        let memo = self.conn.config.token_memo;
        if !memo.is_zero()
            && let Some((t, at)) = self.memo().get(key)
            && at.elapsed() < memo
        {
            return Ok(Some(t.clone()));
        }
        let k = self.token_key(key);
        let value: Option<String> = self
            .conn
            .run("reading the access token", |mut c| async move {
                redis::cmd("GET").arg(&k).query_async(&mut c).await
            })
            .await?;
        let token = value.as_deref().and_then(decode);
        let mut m = self.memo();
        match &token {
            Some(t) if !memo.is_zero() => {
                m.insert(key.to_owned(), (t.clone(), Instant::now()));
            }
            _ => {
                m.remove(key);
            }
        }
        Ok(token)
    }
}

#[async_trait]
impl TokenStore for RedisTokenStore {
    async fn get(&self, key: &str) -> Option<AccessToken> {
        match self.get_shared(key).await {
            Ok(t) => t,
            // Fallback: this process's own token. Fail: none, so the refresh lock reports
            // the outage as the request's error.
            Err(_) if self.conn.fallback() => self.local.get(key).await,
            Err(_) => None,
        }
    }

    async fn put(&self, key: &str, token: AccessToken) {
        if self.conn.fallback() {
            self.local.put(key, token.clone()).await;
        }
        let expires = unix_ms(token.expires_at);
        if expires <= unix_ms(SystemTime::now()) {
            return;
        }
        let k = self.token_key(key);
        let v = encode(&token);
        let stored = self
            .conn
            .run("storing the access token", |mut c| async move {
                redis::cmd("SET")
                    .arg(&k)
                    .arg(&v)
                    .arg("PXAT")
                    .arg(expires)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
        match stored {
            Ok(()) => {
                self.memo().insert(key.to_owned(), (token, Instant::now()));
            }
            Err(e) if !self.conn.fallback() => {
                tracing::warn!(error = %e, "the new access token is used by this process only");
            }
            Err(_) => {}
        }
    }

    async fn remove_if(&self, key: &str, value: &Secret) {
        {
            let mut m = self.memo();
            if m.get(key).is_some_and(|(t, _)| &t.value == value) {
                m.remove(key);
            }
        }
        self.local.remove_if(key, value).await;
        let k = self.token_key(key);
        let script = &self.remove_if;
        let removed = self
            .conn
            .run("dropping the rejected access token", |mut c| async move {
                script
                    .key(&k)
                    .arg(value.expose())
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        if let Err(e) = removed
            && !self.conn.fallback()
        {
            tracing::warn!(error = %e, "could not drop the rejected token in Redis");
        }
    }

    fn refresh_lock(&self) -> Option<&dyn RefreshLock> {
        Some(&self.lock)
    }
}

/// `SET PREFIX:lock:KEY:HASH <random id> NX PX lease`; unlocked by compare-and-delete.
struct RedisLock {
    conn: Arc<Conn>,
    secret_hash: String,
    unlock: Script,
    memo: Arc<Memo>,
}

/// The holder id of the lock "taken" in fallback mode (no other process to exclude).
const LOCAL_HOLDER: &str = "local";

#[async_trait]
impl RefreshLock for RedisLock {
    async fn try_lock(&self, key: &str) -> Result<Option<String>, Error> {
        // The cache needs a token: from now on it must see what Redis has, not the memo.
        self.memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        let k = self.conn.key(&["lock", key, &self.secret_hash]);
        let holder = uuid::Uuid::new_v4().to_string();
        let lease = self.conn.config.lock_lease.as_millis().max(1) as u64;
        let h = holder.clone();
        let taken = self
            .conn
            .run("taking the token refresh lock", |mut c| async move {
                redis::cmd("SET")
                    .arg(&k)
                    .arg(&h)
                    .arg("NX")
                    .arg("PX")
                    .arg(lease)
                    .query_async::<Option<String>>(&mut c)
                    .await
            })
            .await;
        match taken {
            Ok(Some(_)) => Ok(Some(holder)),
            Ok(None) => Ok(None),
            Err(_) if self.conn.fallback() => Ok(Some(LOCAL_HOLDER.to_owned())),
            Err(e) => Err(e),
        }
    }

    async fn unlock(&self, key: &str, holder: &str) -> Result<(), Error> {
        if holder == LOCAL_HOLDER {
            return Ok(());
        }
        let k = self.conn.key(&["lock", key, &self.secret_hash]);
        let script = &self.unlock;
        self.conn
            .run("releasing the token refresh lock", |mut c| async move {
                script.key(&k).arg(holder).invoke_async::<i64>(&mut c).await
            })
            .await
            .map(|_| ())
    }

    fn max_wait(&self) -> Duration {
        self.conn.config.lock_wait
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn values_round_trip_and_tokens_may_contain_colons() {
        let t = AccessToken::from_parts(
            Secret::new("a:b:c".to_owned()),
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            UNIX_EPOCH + Duration::from_millis(1_700_007_200_123),
        );
        assert_eq!(decode(&encode(&t)).unwrap(), t);
        assert!(decode("garbage").is_none());
    }

    #[test]
    fn the_secret_hash_differs_per_secret_and_hides_it() {
        let a = secret_hash(&Secret::new("s1".to_owned()));
        let b = secret_hash(&Secret::new("s2".to_owned()));
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(!a.contains("s1"));
    }
}
