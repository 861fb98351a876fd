//! The shared rate budget: GCRA in one script, clocked by the Redis server.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use scrm_core::{Error, RateBudget};
use tokio::time::Instant;

use crate::conn::Conn;

/// GCRA without burst, claimed at the moment of the start: KEYS[1] holds the theoretical
/// arrival time (TAT) of the next start in microseconds of the server's clock. A start is
/// granted (0) when the TAT has passed, and moves it to now + interval; otherwise nothing
/// changes and the wait until the TAT is returned. All numbers are integers (µs), formatted
/// with `%.0f` because Lua's default number formatting would round them.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tat > now then
  return tat - now
end
redis.call('SET', KEYS[1], string.format('%.0f', now + interval), 'PX', math.floor(interval / 1000) + 1000)
return 0
";

/// A [`RateBudget`] in Redis: one key per credential (`PREFIX:rate:CREDENTIAL`), one script
/// call per attempt to start (the server's clock decides, so the processes' clocks do not
/// matter). Made by [`RedisShared::rate_budget`](crate::RedisShared::rate_budget).
pub struct RedisRateBudget {
    conn: Arc<Conn>,
    key: String,
    script: Script,
    /// This process's own spacing, used in fallback mode while Redis is unreachable.
    local: Mutex<Option<Instant>>,
}

impl fmt::Debug for RedisRateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateBudget")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl RedisRateBudget {
    pub(crate) fn new(conn: Arc<Conn>, credential: &str) -> Self {
        RedisRateBudget {
            key: conn.key(&["rate", credential]),
            conn,
            script: Script::new(GCRA),
            local: Mutex::new(None),
        }
    }

    fn local_start(&self, interval: Duration) -> Option<Duration> {
        let mut next = self.local.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match *next {
            Some(at) if at > now => Some(at - now),
            _ => {
                *next = Some(now + interval);
                None
            }
        }
    }
}

#[async_trait]
impl RateBudget for RedisRateBudget {
    async fn try_start(&self, interval: Duration) -> Result<Option<Duration>, Error> {
        let micros = interval.as_micros().clamp(1, u128::from(u32::MAX)) as u64;
        let key = &self.key;
        let script = &self.script;
        let answer = self
            .conn
            .run("claiming from the shared rate budget", |mut c| async move {
                script
                    .key(key)
                    .arg(micros)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        match answer {
            Ok(wait) if wait <= 0 => Ok(None),
            Ok(wait) => Ok(Some(Duration::from_micros(wait as u64))),
            Err(_) if self.conn.fallback() => Ok(self.local_start(interval)),
            Err(e) => Err(e),
        }
    }
}
