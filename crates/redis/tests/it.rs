//! scrm-redis against a real Redis (`SCRM_TEST_REDIS_URL`, e.g. `redis://127.0.0.1:6379/0`)
//! and the sandbox over 127.0.0.1. Without the variable the tests print a skip line and pass;
//! under `CI=true` they fail instead, so CI never skips them silently.
//!
//! "Processes" are real ones: the test binary runs itself again with `--ignored --exact
//! <helper>` and the helper reads its orders from the environment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scrm_core::{
    AccessToken, Configure, ConfigureTokens, ErrorKind, RateBudget, Secret, TokenStore,
};
use scrm_redis::{Claim, OnUnavailable, RedisConfig, RedisShared, SeenStore};
use scrm_sandbox::{Faults, Sandbox, SandboxConfig, Vendor};
use scrm_wshoto::WshotoClient;
use scrm_wshoto::ops::CollectDetailPage;

/// The Redis URL for tests, or `None` (with a skip line) when unset outside CI.
fn redis_url(test: &str) -> Option<String> {
    match std::env::var("SCRM_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("SCRM_TEST_REDIS_URL is not set under CI=true: the Redis tests must run")
        }
        _ => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped {test}: set SCRM_TEST_REDIS_URL=redis://127.0.0.1:6379/0 to run it"
            );
            None
        }
    }
}

/// A key prefix of its own per test run, so parallel tests and earlier runs never collide.
fn prefix(test: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "scrm-test:{test}:{}:{nanos}:{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn shared(url: &str, prefix: &str) -> RedisShared {
    RedisShared::connect(
        url,
        RedisConfig::default()
            .key_prefix(prefix)
            .token_memo(Duration::ZERO)
            // Test keys should not outlive the test run by days.
            .seen_ttl(Duration::from_secs(120)),
    )
    .await
    .unwrap()
}

fn token(value: &str, life: Duration) -> AccessToken {
    AccessToken::new(Secret::new(value.to_owned()), SystemTime::now(), life)
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn tokens_are_kept_per_secret_and_expire_with_the_token() {
    let Some(url) = redis_url("tokens_are_kept_per_secret_and_expire_with_the_token") else {
        return;
    };
    let p = prefix("per-secret");
    let redis = shared(&url, &p).await;
    let a = redis.token_store(&Secret::new("secret-a".to_owned()));
    let rotated = redis.token_store(&Secret::new("secret-b".to_owned()));
    a.put("wshoto:app", token("tok-a", Duration::from_secs(7200)))
        .await;
    assert_eq!(a.get("wshoto:app").await.unwrap().value.expose(), "tok-a");
    assert!(
        rotated.get("wshoto:app").await.is_none(),
        "a rotated secret must not get the old token"
    );
    assert!(a.get("weiban:app").await.is_none());
    // The key expires with the token: check its PEXPIRE and that no secret is in the key.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{p}:token:*"))
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        keys[0].starts_with(&format!("{p}:token:wshoto:app:")) && !keys[0].contains("secret-a")
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&keys[0])
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(ttl > 7_000_000 && ttl <= 7_200_000, "{ttl}");
}

#[tokio::test]
async fn invalidating_a_stale_token_keeps_the_fresh_one_another_process_stored() {
    let Some(url) = redis_url("invalidating_a_stale_token_keeps_the_fresh_one") else {
        return;
    };
    let p = prefix("stale-invalidation");
    let secret = Secret::new("s".to_owned());
    // Two connections: two processes' stores.
    let one = shared(&url, &p).await.token_store(&secret);
    let two = shared(&url, &p).await.token_store(&secret);
    one.put("weiban:corp", token("old", Duration::from_secs(7200)))
        .await;
    // Process two saw "old" rejected first, dropped it and stored a fresh one.
    two.remove_if("weiban:corp", &Secret::new("old".to_owned()))
        .await;
    assert!(two.get("weiban:corp").await.is_none());
    two.put("weiban:corp", token("fresh", Duration::from_secs(7200)))
        .await;
    // Process one now reports "old" as rejected too: the fresh token survives.
    one.remove_if("weiban:corp", &Secret::new("old".to_owned()))
        .await;
    assert_eq!(
        one.get("weiban:corp").await.unwrap().value.expose(),
        "fresh"
    );
    // Dropping the current token does drop it.
    one.remove_if("weiban:corp", &Secret::new("fresh".to_owned()))
        .await;
    assert!(two.get("weiban:corp").await.is_none());
}

#[tokio::test]
async fn the_refresh_lock_excludes_and_is_released_only_by_its_holder() {
    let Some(url) = redis_url("the_refresh_lock_excludes") else {
        return;
    };
    let p = prefix("lock");
    let secret = Secret::new("s".to_owned());
    let one = shared(&url, &p).await.token_store(&secret);
    let two = shared(&url, &p).await.token_store(&secret);
    let (l1, l2) = (one.refresh_lock().unwrap(), two.refresh_lock().unwrap());
    let held = l1.try_lock("wshoto:app").await.unwrap().unwrap();
    assert!(l2.try_lock("wshoto:app").await.unwrap().is_none());
    // Someone else's id does not unlock it.
    l2.unlock("wshoto:app", "not-the-holder").await.unwrap();
    assert!(l2.try_lock("wshoto:app").await.unwrap().is_none());
    l1.unlock("wshoto:app", &held).await.unwrap();
    assert!(l2.try_lock("wshoto:app").await.unwrap().is_some());
}

#[tokio::test]
async fn the_rate_budget_spaces_starts_of_all_its_users() {
    let Some(url) = redis_url("the_rate_budget_spaces_starts") else {
        return;
    };
    let p = prefix("budget");
    let one = shared(&url, &p).await.rate_budget("tanma:app");
    let two = shared(&url, &p).await.rate_budget("tanma:app");
    let other = shared(&url, &p).await.rate_budget("tanma:other-app");
    let interval = Duration::from_secs(60);
    assert_eq!(one.try_start(interval).await.unwrap(), None);
    // The other process must wait (nearly) the whole interval; nothing was claimed for it.
    let wait = two.try_start(interval).await.unwrap().unwrap();
    assert!(
        wait > Duration::from_secs(55) && wait <= interval,
        "{wait:?}"
    );
    let again = two.try_start(interval).await.unwrap().unwrap();
    assert!(
        again <= wait,
        "a refused start must not push the next one back: {again:?}"
    );
    // Another credential has its own budget.
    assert_eq!(other.try_start(interval).await.unwrap(), None);
}

#[tokio::test]
async fn pushes_are_claimed_once_completed_or_released() {
    let Some(url) = redis_url("pushes_are_claimed_once") else {
        return;
    };
    let p = prefix("seen");
    let one = shared(&url, &p).await.seen_store();
    let two = shared(&url, &p).await.seen_store();
    assert_eq!(one.claim("weiban", "m1").await.unwrap(), Claim::New);
    assert_eq!(two.claim("weiban", "m1").await.unwrap(), Claim::InFlight);
    assert_eq!(
        two.claim("wshoto", "m1").await.unwrap(),
        Claim::New,
        "vendors are apart"
    );
    one.complete("weiban", "m1").await.unwrap();
    assert_eq!(two.claim("weiban", "m1").await.unwrap(), Claim::Seen);
    // A failed handler gives the push back: the redelivery is handled.
    assert_eq!(one.claim("weiban", "m2").await.unwrap(), Claim::New);
    one.release("weiban", "m2").await.unwrap();
    assert_eq!(two.claim("weiban", "m2").await.unwrap(), Claim::New);
    // A release by a process that does not own the claim changes nothing.
    one.release("weiban", "m2").await.unwrap();
    assert_eq!(one.claim("weiban", "m2").await.unwrap(), Claim::InFlight);
}

#[tokio::test]
async fn a_late_release_does_not_drop_the_claim_that_took_over_after_the_lease() {
    let Some(url) = redis_url("a_late_release_does_not_drop") else {
        return;
    };
    let p = prefix("seen-lease");
    let config = || {
        RedisConfig::default()
            .key_prefix(&p)
            .seen_lease(Duration::from_millis(200))
            .seen_ttl(Duration::from_secs(120))
    };
    let slow = RedisShared::connect(&url, config())
        .await
        .unwrap()
        .seen_store();
    let other = RedisShared::connect(&url, config())
        .await
        .unwrap()
        .seen_store();
    assert_eq!(slow.claim("tanma", "e1").await.unwrap(), Claim::New);
    // The slow handler's lease runs out (as if it had crashed); the redelivery is taken over.
    let mut took_over = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if other.claim("tanma", "e1").await.unwrap() == Claim::New {
            took_over = true;
            break;
        }
    }
    assert!(took_over, "the lease never ran out");
    slow.release("tanma", "e1").await.unwrap();
    assert_eq!(slow.claim("tanma", "e1").await.unwrap(), Claim::InFlight);
    other.complete("tanma", "e1").await.unwrap();
    assert_eq!(slow.claim("tanma", "e1").await.unwrap(), Claim::Seen);
}

#[tokio::test]
async fn unreachable_redis_fails_clearly_by_default() {
    let port = closed_port();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/3");
    let e = RedisShared::connect(&url, RedisConfig::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SharedStore);
    let text = e.to_string();
    assert!(
        text.contains(&format!("Redis at 127.0.0.1:{port} db 3")),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "the password leaked: {text}");
    let e = RedisShared::connect("http://127.0.0.1:1", RedisConfig::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
}

#[tokio::test]
async fn unreachable_redis_falls_back_to_this_process_when_allowed() {
    let port = closed_port();
    let url = format!("redis://127.0.0.1:{port}");
    let config = RedisConfig::default().on_unavailable(OnUnavailable::FallBackLocal);
    let redis = RedisShared::connect(&url, config).await.unwrap();
    let store = redis.token_store(&Secret::new("s".to_owned()));
    store
        .put("wshoto:app", token("local", Duration::from_secs(7200)))
        .await;
    assert_eq!(
        store.get("wshoto:app").await.unwrap().value.expose(),
        "local"
    );
    assert!(
        store
            .refresh_lock()
            .unwrap()
            .try_lock("wshoto:app")
            .await
            .unwrap()
            .is_some()
    );
    let budget = redis.rate_budget("wshoto:app");
    assert_eq!(
        budget.try_start(Duration::from_secs(60)).await.unwrap(),
        None
    );
    assert!(
        budget
            .try_start(Duration::from_secs(60))
            .await
            .unwrap()
            .is_some()
    );
    let seen = redis.seen_store();
    assert_eq!(seen.claim("weiban", "m").await.unwrap(), Claim::New);
    assert_eq!(seen.claim("weiban", "m").await.unwrap(), Claim::InFlight);
    seen.complete("weiban", "m").await.unwrap();
    assert_eq!(seen.claim("weiban", "m").await.unwrap(), Claim::Seen);
}

// ---- several processes -------------------------------------------------------------------

/// This test binary, running only the helper `name` with `envs`.
fn helper(name: &str, envs: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        name,
        "--nocapture",
        "--test-threads=1",
    ])
    .env("SCRM_TEST_HELPER", name)
    .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn is_helper(name: &str) -> bool {
    env("SCRM_TEST_HELPER").as_deref() == Some(name)
}

async fn wshoto(base: &str, redis: &RedisShared, concurrency: usize) -> WshotoClient {
    let secret = Secret::new(scrm_sandbox::SANDBOX_WSHOTO_APP_SECRET.to_owned());
    WshotoClient::builder()
        .app_id(scrm_sandbox::SANDBOX_WSHOTO_APP_ID)
        .app_secret(secret.clone())
        .base_url(base)
        .requests_per_second(0.0)
        .max_concurrent(concurrency)
        .token_store(redis.token_store(&secret))
        .build()
        .unwrap()
}

fn sleep_until_unix_ms(at: u64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    Duration::from_millis(at.saturating_sub(now))
}

/// Helper: 4 tasks × 125 concurrent calls, all starting at `SCRM_TEST_START_MS`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "helper process of one_token_request_for_1000_callers_in_2_processes"]
async fn helper_500_callers() {
    if !is_helper("helper_500_callers") {
        return;
    }
    let (url, p, base) = (
        env("SCRM_TEST_REDIS_URL").unwrap(),
        env("SCRM_TEST_PREFIX").unwrap(),
        env("SCRM_TEST_BASE").unwrap(),
    );
    let redis = shared(&url, &p).await;
    let client = wshoto(&base, &redis, 500).await;
    let start: u64 = env("SCRM_TEST_START_MS").unwrap().parse().unwrap();
    tokio::time::sleep(sleep_until_unix_ms(start)).await;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let page = CollectDetailPage::new().page_size(1);
                let calls = (0..125).map(|_| client.call(&page));
                futures::future::join_all(calls).await
            })
        })
        .collect();
    for t in tasks {
        for r in t.await.unwrap() {
            r.unwrap();
        }
    }
    println!("helper done: {:?}", client.core().stats());
}

#[test]
fn one_token_request_for_1000_callers_in_2_processes() {
    let Some(url) = redis_url("one_token_request_for_1000_callers_in_2_processes") else {
        return;
    };
    let p = prefix("single-flight");
    let sandbox = Sandbox::start_background(SandboxConfig::default()).unwrap();
    // A slow token endpoint, so the second process certainly arrives while the first fetches.
    sandbox.set_vendor_faults(
        Vendor::Wshoto,
        Faults {
            latency: Duration::from_millis(300),
            ..Faults::none()
        },
    );
    // Redis holds a token that is due for refresh (it expires in a minute).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let secret = Secret::new(scrm_sandbox::SANDBOX_WSHOTO_APP_SECRET.to_owned());
        let store = shared(&url, &p).await.token_store(&secret);
        let issued = SystemTime::now() - Duration::from_secs(7140);
        let t = AccessToken::new(
            Secret::new("expired".to_owned()),
            issued,
            Duration::from_secs(7200),
        );
        store
            .put(
                &format!("wshoto:{}", scrm_sandbox::SANDBOX_WSHOTO_APP_ID),
                t,
            )
            .await;
    });
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 1500;
    let envs = [
        ("SCRM_TEST_REDIS_URL", url.clone()),
        ("SCRM_TEST_PREFIX", p.clone()),
        ("SCRM_TEST_BASE", sandbox.base_url()),
        ("SCRM_TEST_START_MS", start.to_string()),
    ];
    let children: Vec<_> = (0..2)
        .map(|_| helper("helper_500_callers", &envs).spawn().unwrap())
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a helper process failed: {out:?}");
    }
    let stats = sandbox.stats().wshoto;
    assert_eq!(stats.tokens_issued, 1, "{stats:?}");
    assert_eq!(stats.ok, 1001, "{stats:?}");
    assert_eq!(stats.token_rejections, 0, "{stats:?}");
}

/// Helper: takes the refresh lock by starting a token fetch that hangs, and waits to be killed.
#[tokio::test]
#[ignore = "helper process of a_killed_lock_holder_delays_the_others_only_until_its_lease"]
async fn helper_hanging_lock_holder() {
    if !is_helper("helper_hanging_lock_holder") {
        return;
    }
    let (url, p, base) = (
        env("SCRM_TEST_REDIS_URL").unwrap(),
        env("SCRM_TEST_PREFIX").unwrap(),
        env("SCRM_TEST_BASE").unwrap(),
    );
    let redis = RedisShared::connect(
        &url,
        RedisConfig::default()
            .key_prefix(&p)
            .lock_lease(Duration::from_secs(2)),
    )
    .await
    .unwrap();
    let client = wshoto(&base, &redis, 1).await;
    let _ = client.call(&CollectDetailPage::new().page_size(1)).await;
    unreachable!("the sandbox's token endpoint should hang until this process is killed");
}

#[test]
fn a_killed_lock_holder_delays_the_others_only_until_its_lease() {
    let Some(url) = redis_url("a_killed_lock_holder_delays_the_others_only_until_its_lease") else {
        return;
    };
    let p = prefix("killed-holder");
    let sandbox = Sandbox::start_background(SandboxConfig::default()).unwrap();
    sandbox.set_vendor_faults(
        Vendor::Wshoto,
        Faults {
            latency: Duration::from_secs(600),
            ..Faults::none()
        },
    );
    let envs = [
        ("SCRM_TEST_REDIS_URL", url.clone()),
        ("SCRM_TEST_PREFIX", p.clone()),
        ("SCRM_TEST_BASE", sandbox.base_url()),
    ];
    let mut holder = helper("helper_hanging_lock_holder", &envs)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Wait until the holder has taken the lock (its token request reached the sandbox).
        // (Up to 30 s: a helper process starts slowly on a loaded machine.)
        for _ in 0..1200 {
            if sandbox.stats().wshoto.requests > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(
            sandbox.stats().wshoto.requests,
            1,
            "the holder never asked for a token"
        );
        holder.kill().unwrap();
        let _ = holder.wait();
        sandbox.clear_faults();
        let redis = RedisShared::connect(
            &url,
            RedisConfig::default()
                .key_prefix(&p)
                .lock_wait(Duration::from_secs(20)),
        )
        .await
        .unwrap();
        // The lock is still held by the dead process…
        let secret = Secret::new(scrm_sandbox::SANDBOX_WSHOTO_APP_SECRET.to_owned());
        let store = redis.token_store(&secret);
        let key = format!("wshoto:{}", scrm_sandbox::SANDBOX_WSHOTO_APP_ID);
        assert!(
            store
                .refresh_lock()
                .unwrap()
                .try_lock(&key)
                .await
                .unwrap()
                .is_none()
        );
        // …so the others wait for its lease, then fetch: each caller succeeds.
        let client = wshoto(&sandbox.base_url(), &redis, 8).await;
        let page = CollectDetailPage::new().page_size(1);
        let calls = (0..8).map(|_| client.call(&page));
        for r in futures::future::join_all(calls).await {
            r.unwrap();
        }
    });
    let stats = sandbox.stats().wshoto;
    // The dead holder's request (never answered) and one fetch after its lease.
    assert_eq!(stats.tokens_issued, 1, "{stats:?}");
    assert_eq!(stats.ok, 9, "{stats:?}");
}
