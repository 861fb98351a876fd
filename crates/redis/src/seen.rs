//! Push deduplication in Redis.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use redis::Script;
use scrm_core::Error;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::conn::Conn;
use seen_trait::{Claim, SeenStore};

/// TEMPORARY (until merge): the push deduplication trait that `scrm_core::push` defines on
/// another branch, copied here verbatim so this crate builds on its own. At merge time this
/// module is replaced by `pub use scrm_core::push::{Claim, SeenStore};`.
pub mod seen_trait {
    /// The outcome of [`SeenStore::claim`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum Claim {
        /// First sight: the caller owns the push and must `complete` or `release` it.
        New,
        /// Handled before: acknowledge it without handling it again.
        Seen,
        /// Someone else is handling it right now.
        InFlight,
    }

    /// Remembers which pushes were handled.
    #[async_trait::async_trait]
    pub trait SeenStore: Send + Sync + 'static {
        /// Claims push `id` of `vendor`; [`Claim::New`] means the caller owns it.
        async fn claim(&self, vendor: &str, id: &str) -> Result<Claim, scrm_core::Error>;
        /// Marks a claimed push as durably handled.
        async fn complete(&self, vendor: &str, id: &str) -> Result<(), scrm_core::Error>;
        /// Gives a claimed push back after a failure, so a redelivery is handled.
        async fn release(&self, vendor: &str, id: &str) -> Result<(), scrm_core::Error>;
    }
}

/// 1 = new (claimed with ARGV[1] for ARGV[2] ms), 2 = done before, 3 = claimed by someone else.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == 'done' then
  return 2
end
return 3
";

/// Deletes the pending marker only if it is still ours.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`SeenStore`] in Redis: `PREFIX:seen:VENDOR:ID` is `SET` to a pending marker unique to
/// the claim (`NX PX` the lease), then to `done` for the long expiry; a release deletes the
/// marker only if it is still this claim's (a claim taken over after the lease ran out is
/// kept). Made by [`RedisShared::seen_store`](crate::RedisShared::seen_store).
pub struct RedisSeenStore {
    conn: Arc<Conn>,
    claim: Script,
    release: Script,
    /// Markers of the claims this process owns, by key.
    owned: Mutex<HashMap<String, String>>,
    /// Fallback mode: key → (done?, until).
    local: Mutex<HashMap<String, (bool, Instant)>>,
}

impl fmt::Debug for RedisSeenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSeenStore")
            .field("conn", &self.conn)
            .finish_non_exhaustive()
    }
}

impl RedisSeenStore {
    pub(crate) fn new(conn: Arc<Conn>) -> Self {
        RedisSeenStore {
            conn,
            claim: Script::new(CLAIM),
            release: Script::new(RELEASE),
            owned: Mutex::new(HashMap::new()),
            local: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, vendor: &str, id: &str) -> String {
        // Ids are the vendors' message ids; a very long one is hashed to bound the key.
        if id.len() <= 128 {
            self.conn.key(&["seen", vendor, id])
        } else {
            let h = hex::encode(Sha256::digest(id.as_bytes()));
            self.conn.key(&["seen", vendor, &h])
        }
    }

    fn owned(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.owned.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn local_claim(&self, key: &str) -> Claim {
        let mut m = self.local.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match m.get(key) {
            Some((true, until)) if *until > now => Claim::Seen,
            Some((false, until)) if *until > now => Claim::InFlight,
            _ => {
                m.insert(key.to_owned(), (false, now + self.conn.config.seen_lease));
                Claim::New
            }
        }
    }

    fn local_set(&self, key: &str, done: bool) {
        let mut m = self.local.lock().unwrap_or_else(|p| p.into_inner());
        if done {
            m.insert(
                key.to_owned(),
                (true, Instant::now() + self.conn.config.seen_ttl),
            );
        } else if matches!(m.get(key), Some((false, _))) {
            m.remove(key);
        }
    }
}

#[async_trait]
impl SeenStore for RedisSeenStore {
    async fn claim(&self, vendor: &str, id: &str) -> Result<Claim, Error> {
        let key = self.key(vendor, id);
        let marker = format!("pending:{}", uuid::Uuid::new_v4());
        let lease = self.conn.config.seen_lease.as_millis().max(1) as u64;
        let (k, m, script) = (&key, &marker, &self.claim);
        let answer = self
            .conn
            .run("claiming a push", |mut c| async move {
                script
                    .key(k)
                    .arg(m)
                    .arg(lease)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        match answer {
            Ok(1) => {
                self.owned().insert(key, marker);
                Ok(Claim::New)
            }
            Ok(2) => Ok(Claim::Seen),
            Ok(_) => Ok(Claim::InFlight),
            Err(_) if self.conn.fallback() => Ok(self.local_claim(&key)),
            Err(e) => Err(e),
        }
    }

    async fn complete(&self, vendor: &str, id: &str) -> Result<(), Error> {
        let key = self.key(vendor, id);
        let ttl = self.conn.config.seen_ttl.as_millis().max(1) as u64;
        let k = &key;
        let answer = self
            .conn
            .run("marking a push handled", |mut c| async move {
                redis::cmd("SET")
                    .arg(k)
                    .arg("done")
                    .arg("PX")
                    .arg(ttl)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
        self.owned().remove(&key);
        match answer {
            Ok(()) => Ok(()),
            Err(_) if self.conn.fallback() => {
                self.local_set(&key, true);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    async fn release(&self, vendor: &str, id: &str) -> Result<(), Error> {
        let key = self.key(vendor, id);
        let Some(marker) = self.owned().remove(&key) else {
            // Not claimed here (or already given back): nothing of ours to release.
            self.local_set(&key, false);
            return Ok(());
        };
        let (k, m, script) = (&key, &marker, &self.release);
        let answer = self
            .conn
            .run("releasing a push", |mut c| async move {
                script.key(k).arg(m).invoke_async::<i64>(&mut c).await
            })
            .await;
        match answer {
            Ok(_) => Ok(()),
            Err(_) if self.conn.fallback() => {
                self.local_set(&key, false);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}
