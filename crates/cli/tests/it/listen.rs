//! `scrm listen` end to end: the real binary receiving pushes from the sandbox's pusher.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use scrm_core::Method;
use scrm_sandbox::push::{Push, PushKeys, PushPlan, PushVendor, Pusher, event_id};

struct Listening {
    child: Child,
    base: String,
    stderr: std::thread::JoinHandle<String>,
    /// Read all along: a full pipe would block the listener's writes.
    stdout: std::thread::JoinHandle<String>,
}

fn listen_cmd(env: &[(&str, String)], extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scrm"));
    cmd.env_clear()
        .arg("listen")
        .arg("--bind")
        .arg("127.0.0.1:0")
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts `scrm listen` and waits for its startup line (which names the address).
fn start(env: &[(&str, String)], extra: &[&str]) -> Listening {
    let mut child = listen_cmd(env, extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in the startup line: {first}"))
        .to_owned();
    let stderr = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        first + &rest
    });
    let mut out = child.stdout.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    Listening {
        child,
        base,
        stderr,
        stdout,
    }
}

fn terminate(mut l: Listening) -> (String, String) {
    let pid = l.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let code = l.child.wait().unwrap();
    assert!(code.success(), "exit {code:?}");
    (l.stdout.join().unwrap(), l.stderr.join().unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn all_env() -> Vec<(&'static str, String)> {
    PushKeys::default().listen_env()
}

fn vendor_of(name: &str) -> PushVendor {
    match name {
        "weiban" => PushVendor::Weiban,
        "tanma" => PushVendor::Tanma,
        _ => PushVendor::Waiqin,
    }
}

/// (vendor, id) → number of lines, every line checked for the documented shape.
fn lines(text: &str) -> HashMap<(PushVendor, String), usize> {
    let mut seen = HashMap::new();
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            ["event", "id", "received_at", "type", "vendor"],
            "{line}"
        );
        assert!(
            line.starts_with(r#"{"vendor":""#),
            "documented key order: {line}"
        );
        let vendor = v["vendor"].as_str().unwrap();
        let ty = v["type"].as_str().unwrap();
        match vendor {
            "weiban" => assert_eq!(ty, "external_user_change"),
            "tanma" => {
                assert_eq!(ty, "change_corp_tag");
                // noise kept exactly: compare the digits in the line with the event's.
                assert!(v["event"]["noise"].is_i64(), "{line}");
            }
            "waiqin" => {
                assert_eq!(ty, "custom");
                assert!(v["event"]["data"].is_object(), "waiqin data parsed: {line}");
            }
            other => panic!("vendor {other}"),
        }
        time::OffsetDateTime::parse(
            v["received_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        *seen
            .entry((vendor_of(vendor), v["id"].as_str().unwrap().to_owned()))
            .or_insert(0) += 1;
    }
    seen
}

#[test]
fn concurrent_pushes_are_written_once_duplicates_acknowledged_forgeries_refused() {
    let l = start(&all_env(), &[]);
    let rt = runtime();
    let plan = PushPlan {
        events: 60,
        duplicates: 30,
        forged: 12,
        concurrency: 16,
        lose_ack_every: Some(5),
        ..PushPlan::default()
    };
    let pusher = Pusher::new(&l.base, PushKeys::default()).unwrap();
    let report = rt.block_on(pusher.run(&plan));
    let (out, err) = terminate(l);
    for (vendor, c) in &report.vendors {
        assert_eq!(c.events, 60, "{vendor:?} {c:?}");
        assert_eq!(c.acknowledged, 60, "{vendor:?} {c:?}");
        assert_eq!(c.unacknowledged, 0, "{vendor:?} {c:?}");
        assert_eq!(
            c.redeliveries, 12,
            "every 5th answer lost and redelivered: {vendor:?} {c:?}"
        );
        assert_eq!(
            (c.duplicates, c.duplicates_acknowledged),
            (30, 30),
            "{vendor:?} {c:?}"
        );
        assert_eq!(
            (c.forged, c.forged_refused, c.forged_accepted),
            (12, 12, 0),
            "{vendor:?} {c:?}"
        );
    }
    let got = lines(&out);
    let want: HashSet<(PushVendor, String)> = plan.expected_ids().into_iter().collect();
    assert_eq!(got.keys().cloned().collect::<HashSet<_>>(), want);
    assert!(got.values().all(|&n| n == 1), "an event written twice");
    assert!(err.contains("serving weiban, tanma, waiqin"), "{err}");
    assert!(
        err.contains("36 pushes refused") && err.contains("126 duplicates dropped"),
        "{err}"
    );
    for (_, secret) in all_env() {
        if secret.len() > 8 {
            assert!(!err.contains(&secret), "a secret in the logs: {err}");
        }
    }
    assert!(!err.contains("客户"), "payload in the logs: {err}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scrm-listen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    dir
}

#[test]
fn sigkill_right_after_acknowledgements_loses_nothing() {
    let out = temp("kill.jsonl");
    let out_arg = out.to_str().unwrap();
    let rt = runtime();
    let mut acknowledged = Vec::new();
    for round in 0..2u64 {
        let mut l = start(&all_env(), &["--out", out_arg]);
        let pusher = Pusher::new(&l.base, PushKeys::default()).unwrap();
        let plan = PushPlan {
            events: 40,
            first_event: 1 + round * 1000,
            duplicates: 0,
            forged: 0,
            concurrency: 12,
            ..PushPlan::default()
        };
        let report = rt.block_on(pusher.run(&plan));
        assert_eq!(report.total().acknowledged, 120);
        // SIGKILL at once: no chance to flush anything more.
        l.child.kill().unwrap();
        l.child.wait().unwrap();
        acknowledged.extend(plan.expected_ids());
    }
    let got = lines(&read(&out));
    for id in &acknowledged {
        assert!(
            got.contains_key(id),
            "acknowledged event {id:?} missing after SIGKILL"
        );
    }
    assert_eq!(got.len(), acknowledged.len());
    let _ = std::fs::remove_file(&out);
}

#[test]
fn with_db_a_duplicate_after_a_restart_is_not_written_twice() {
    let out = temp("db.jsonl");
    let db = temp("seen.db");
    let db_url = format!("sqlite:{}", db.display());
    let args = ["--out", out.to_str().unwrap(), "--db", db_url.as_str()];
    let rt = runtime();
    let plan = PushPlan {
        events: 15,
        first_event: 1,
        duplicates: 0,
        forged: 0,
        concurrency: 6,
        ..PushPlan::default()
    };
    for round in 0..2 {
        let mut l = start(&all_env(), &args);
        let pusher = Pusher::new(&l.base, PushKeys::default()).unwrap();
        // The same events both times: the second process finds them in the database.
        let report = rt.block_on(pusher.run(&plan));
        assert_eq!(report.total().acknowledged, 45, "round {round}");
        l.child.kill().unwrap();
        l.child.wait().unwrap();
    }
    let got = lines(&read(&out));
    assert_eq!(got.len(), 45);
    assert!(got.values().all(|n| *n == 1), "{got:?}");
    for id in plan.expected_ids() {
        assert!(got.contains_key(&id), "{id:?}");
    }
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&db);
}

#[test]
fn with_redis_a_duplicate_in_another_process_is_not_written_twice() {
    let test = "listen_redis_dedup";
    let Some(url) = crate::shared::redis_url(test) else {
        return;
    };
    let out = temp("redis.jsonl");
    let mut env = all_env();
    env.push(("SCRM_REDIS_URL", url));
    env.push(("SCRM_REDIS_PREFIX", crate::shared::prefix(test)));
    let rt = runtime();
    let plan = PushPlan {
        events: 10,
        first_event: 1,
        duplicates: 0,
        forged: 0,
        concurrency: 4,
        ..PushPlan::default()
    };
    // Two listeners one after the other, the same events to both: the second finds them in
    // Redis and acknowledges them without writing them.
    for round in 0..2 {
        let mut l = start(&env, &["--out", out.to_str().unwrap()]);
        let pusher = Pusher::new(&l.base, PushKeys::default()).unwrap();
        let report = rt.block_on(pusher.run(&plan));
        assert_eq!(report.total().acknowledged, 30, "round {round}");
        l.child.kill().unwrap();
        l.child.wait().unwrap();
    }
    let got = lines(&read(&out));
    assert_eq!(got.len(), 30);
    assert!(got.values().all(|n| *n == 1), "{got:?}");
    let _ = std::fs::remove_file(&out);
}

#[test]
fn with_redis_and_db_duplicates_are_found_in_redis_and_events_kept_in_the_database() {
    let test = "listen_redis_and_db";
    let Some(url) = crate::shared::redis_url(test) else {
        return;
    };
    let out = temp("redis-db.jsonl");
    let mut env = all_env();
    env.push(("SCRM_REDIS_URL", url));
    env.push(("SCRM_REDIS_PREFIX", crate::shared::prefix(test)));
    let rt = runtime();
    let plan = PushPlan {
        events: 10,
        first_event: 1,
        duplicates: 0,
        forged: 0,
        concurrency: 4,
        ..PushPlan::default()
    };
    // Two listeners, each with a database of its own, one Redis: the second finds the events
    // in Redis (not in its empty database) and writes none of them again.
    let dbs = [temp("redis-db-1.db"), temp("redis-db-2.db")];
    for (round, db) in dbs.iter().enumerate() {
        let db_url = format!("sqlite:{}", db.display());
        let mut l = start(&env, &["--out", out.to_str().unwrap(), "--db", &db_url]);
        let pusher = Pusher::new(&l.base, PushKeys::default()).unwrap();
        let report = rt.block_on(pusher.run(&plan));
        assert_eq!(report.total().acknowledged, 30, "round {round}");
        l.child.kill().unwrap();
        l.child.wait().unwrap();
    }
    let got = lines(&read(&out));
    assert_eq!(got.len(), 30);
    assert!(got.values().all(|n| *n == 1), "{got:?}");
    let events = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM _scrm_push_events", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(events(&dbs[0]), 30, "the first listener kept the events");
    assert_eq!(events(&dbs[1]), 0, "the second wrote none again");
    let _ = std::fs::remove_file(&out);
    for db in dbs {
        let _ = std::fs::remove_file(db);
    }
}

#[test]
fn limits_routes_handshake_and_retries() {
    // weiban with the vendor's published keys; tanma unset (404); waiqin set.
    let env = vec![
        (
            "SCRM_WEIBAN_CALLBACK_TOKEN",
            "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo".to_owned(),
        ),
        (
            "SCRM_WEIBAN_CALLBACK_AES_KEY",
            "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt".to_owned(),
        ),
        (
            "SCRM_WEIBAN_CALLBACK_RECEIVE_ID",
            "ww1436e0e65a779aee".to_owned(),
        ),
        (
            "SCRM_WAIQIN_PUSH_SECRET",
            "sandbox-waiqin-push-secret".to_owned(),
        ),
    ];
    let l = start(&env, &[]);
    let rt = runtime();
    let keys = PushKeys {
        weiban_token: env[0].1.clone(),
        ..PushKeys::default()
    };
    let pusher = Pusher::new(&l.base, keys).unwrap();
    let send = |p: Push| rt.block_on(pusher.send(&p)).unwrap();
    // The vendor's URL-verification vector, echostr with raw `+` and `/` as weiban sends it.
    let get = Push {
        vendor: PushVendor::Weiban,
        method: Method::GET,
        query: "msg_signature=8ddba101fe5f9404e6b28e2d6cfb7565c7572d09&timestamp=1639731768&nonce=64390332&echostr=505deLub74lMxyhj6SZk55rjDRxM7lEzVa%2F8ZFdOUWkkv9kFpNI%2B9c3YLRLDjL%2B1GEIWpvuQSFw2ck2zb0QcAQ%3D%3D".to_owned(),
        headers: Vec::new(),
        body: Vec::new(),
        ack: Vec::new(),
    };
    assert_eq!(send(get), (200, b"80908904".to_vec()));
    // tanma not configured: 404 naming the variables.
    let tanma = Pusher::new(&l.base, PushKeys::default()).unwrap();
    let (status, body) = rt
        .block_on(tanma.send(&tanma.event(PushVendor::Tanma, 1, 0).unwrap()))
        .unwrap();
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("SCRM_TANMA_APP_KEY"));
    // Body limits: exactly 1 MiB is accepted (a valid waiqin push padded to it), one more is 413.
    let base = pusher.event(PushVendor::Waiqin, 7, 0).unwrap();
    let pad = 1_048_576 - base.body.len() - "&pad=".len();
    let mut exact = base.clone();
    exact.body.extend_from_slice(b"&pad=");
    exact.body.extend(std::iter::repeat_n(b'a', pad));
    assert_eq!(exact.body.len(), 1_048_576);
    assert_eq!(send(exact.clone()), (200, br#"{"return_code":0}"#.to_vec()));
    let mut over = exact.clone();
    over.body.push(b'a');
    assert_eq!(send(over).0, 413);
    // A forged waiqin push: 401; a retry (status 2) of the written event: acknowledged once.
    let retry = pusher.event(PushVendor::Waiqin, 7, 1).unwrap();
    assert_eq!(send(retry), (200, br#"{"return_code":0}"#.to_vec()));
    assert_eq!(send(pusher.forged(PushVendor::Waiqin, 0).unwrap()).0, 401);
    let (out, err) = terminate(l);
    let got = lines(&out);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[&(PushVendor::Waiqin, event_id(PushVendor::Waiqin, 7))],
        1
    );
    assert!(err.contains("serving weiban, waiqin"), "{err}");
    assert!(
        err.contains("HTTP 413") && err.contains("HTTP 401"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = listen_cmd(&all_env(), &["--db", "mysql://x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mysql://x"));
    let partial = vec![("SCRM_WEIBAN_CALLBACK_TOKEN", "t".to_owned())];
    let out = listen_cmd(&partial, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SCRM_WEIBAN_CALLBACK_AES_KEY")
            && err.contains("SCRM_WEIBAN_CALLBACK_RECEIVE_ID"),
        "{err}"
    );
    let bad_key = vec![
        ("SCRM_WEIBAN_CALLBACK_TOKEN", "t".to_owned()),
        (
            "SCRM_WEIBAN_CALLBACK_AES_KEY",
            "short-canary-key".to_owned(),
        ),
        ("SCRM_WEIBAN_CALLBACK_RECEIVE_ID", "r".to_owned()),
    ];
    let out = listen_cmd(&bad_key, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("43 characters") && !err.contains("short-canary-key"),
        "{err}"
    );
    let out = listen_cmd(&all_env(), &["--bind", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sigterm_finishes_the_request_in_flight() {
    use std::io::Write;
    let l = start(&all_env(), &[]);
    let pusher = Pusher::new(&l.base, PushKeys::default()).unwrap();
    let push = pusher.event(PushVendor::Waiqin, 42, 0).unwrap();
    let addr = l.base.trim_start_matches("http://").to_owned();
    let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
    // A whole request first, so the connection is surely accepted and being served.
    let first = pusher.event(PushVendor::Waiqin, 41, 0).unwrap();
    write!(
        tcp,
        "POST /waiqin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        first.body.len()
    )
    .unwrap();
    tcp.write_all(&first.body).unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(br#"{"return_code":0}"#) {
        assert_eq!(
            tcp.read(&mut byte).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    // Then one whose body is only half sent when SIGTERM arrives.
    write!(
        tcp,
        "POST /waiqin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        push.body.len()
    )
    .unwrap();
    let (head, tail) = push.body.split_at(push.body.len() / 2);
    tcp.write_all(head).unwrap();
    tcp.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let pid = l.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    tcp.write_all(tail).unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"return_code":0}"#), "{answer}");
    let mut l = l;
    assert!(l.child.wait().unwrap().success());
    let out = l.stdout.join().unwrap();
    let got = lines(&out);
    assert_eq!(
        got.get(&(PushVendor::Waiqin, event_id(PushVendor::Waiqin, 42))),
        Some(&1)
    );
    assert_eq!(got.len(), 2);
    assert!(l.stderr.join().unwrap().contains("2 events written"));
}
