//! Push doubles: weiban, tanma and waiqin events sent to a receiver's URL as those vendors
//! send them — signed and encrypted with the vendors' schemes (through the vendor crates'
//! `push::PushSender`), redelivered when not acknowledged, repeated, and forged.
//!
//! ```no_run
//! use scrm_sandbox::push::{PushKeys, PushPlan, Pusher};
//! # async fn run() -> Result<(), String> {
//! let pusher = Pusher::new("http://127.0.0.1:8787", PushKeys::default())?;
//! let report = pusher.run(&PushPlan::default()).await;
//! assert_eq!(report.total().unacknowledged, 0);
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scrm_core::Method;

/// Default weiban push `Token` of the sandbox.
pub const SANDBOX_WEIBAN_CALLBACK_TOKEN: &str = "sandbox-weiban-callback-token";
/// Default weiban `EncodingAESKey` (43 characters, nonzero spare bits like the vendor's).
pub const SANDBOX_WEIBAN_CALLBACK_AES_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
/// Default weiban `ReceiveId`.
pub const SANDBOX_WEIBAN_CALLBACK_RECEIVE_ID: &str = "ww1436e0e65a779aee";
/// Default waiqin push secret.
pub const SANDBOX_WAIQIN_PUSH_SECRET: &str = "sandbox-waiqin-push-secret";

/// The push secrets the pusher signs with. `Default` gives the public `SANDBOX_*` constants
/// (tanma uses the sandbox's API app id and key).
///
/// `Debug` shows the ids only: the keys may be a user's own, to test a receiver with.
///
/// ```
/// let keys = scrm_sandbox::push::PushKeys::default();
/// let shown = format!("{keys:?}");
/// assert!(!shown.contains(&keys.tanma_app_key) && !shown.contains(&keys.weiban_aes_key));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PushKeys {
    /// weiban `Token`.
    pub weiban_token: String,
    /// weiban `EncodingAESKey`.
    pub weiban_aes_key: String,
    /// weiban `ReceiveId`.
    pub weiban_receive_id: String,
    /// tanma `appId`.
    pub tanma_app_id: String,
    /// tanma `appKey`.
    pub tanma_app_key: String,
    /// waiqin push secret.
    pub waiqin_push_secret: String,
}

impl std::fmt::Debug for PushKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushKeys")
            .field("weiban_receive_id", &self.weiban_receive_id)
            .field("tanma_app_id", &self.tanma_app_id)
            .finish_non_exhaustive()
    }
}

impl Default for PushKeys {
    fn default() -> Self {
        PushKeys {
            weiban_token: SANDBOX_WEIBAN_CALLBACK_TOKEN.to_owned(),
            weiban_aes_key: SANDBOX_WEIBAN_CALLBACK_AES_KEY.to_owned(),
            weiban_receive_id: SANDBOX_WEIBAN_CALLBACK_RECEIVE_ID.to_owned(),
            tanma_app_id: crate::SANDBOX_TANMA_APP_ID.to_owned(),
            tanma_app_key: crate::SANDBOX_TANMA_APP_KEY.to_owned(),
            waiqin_push_secret: SANDBOX_WAIQIN_PUSH_SECRET.to_owned(),
        }
    }
}

impl PushKeys {
    /// The environment of `scrm listen` for these keys, as `(name, value)`.
    pub fn listen_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SCRM_WEIBAN_CALLBACK_TOKEN", self.weiban_token.clone()),
            ("SCRM_WEIBAN_CALLBACK_AES_KEY", self.weiban_aes_key.clone()),
            (
                "SCRM_WEIBAN_CALLBACK_RECEIVE_ID",
                self.weiban_receive_id.clone(),
            ),
            ("SCRM_TANMA_APP_ID", self.tanma_app_id.clone()),
            ("SCRM_TANMA_APP_KEY", self.tanma_app_key.clone()),
            ("SCRM_WAIQIN_PUSH_SECRET", self.waiqin_push_secret.clone()),
        ]
    }
}

/// A vendor that pushes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PushVendor {
    /// weiban 消息订阅.
    Weiban,
    /// tanma 消息推送.
    Tanma,
    /// waiqin 消息推送.
    Waiqin,
}

impl PushVendor {
    /// All three.
    pub const ALL: [PushVendor; 3] = [PushVendor::Weiban, PushVendor::Tanma, PushVendor::Waiqin];

    /// `weiban`, `tanma`, `waiqin` (also the route: `/weiban`…).
    pub fn as_str(self) -> &'static str {
        match self {
            PushVendor::Weiban => "weiban",
            PushVendor::Tanma => "tanma",
            PushVendor::Waiqin => "waiqin",
        }
    }
}

/// What to send to a receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushPlan {
    /// The vendors to push as (default all three).
    pub vendors: Vec<PushVendor>,
    /// Distinct events per vendor (default 100).
    pub events: usize,
    /// The first event's number (default 1): plans with different offsets have no id in common.
    pub first_event: u64,
    /// Events sent a second time after being acknowledged, per vendor (default 20).
    pub duplicates: usize,
    /// Forged pushes per vendor (bad signature, tampered, wrong key, stale; default 10).
    pub forged: usize,
    /// Pushes in flight at once (default 8).
    pub concurrency: usize,
    /// Deliveries of an event that is not acknowledged, the first included (default 3).
    pub max_deliveries: u32,
    /// Pause before a redelivery (default 50 ms; the vendors wait minutes to a day).
    pub retry_pause: Duration,
    /// Lose the answer to the first delivery of every Nth event (as a vendor whose request
    /// timed out does) and redeliver it: the receiver sees a repeat of an event it already
    /// stored (default `None`).
    pub lose_ack_every: Option<u64>,
}

impl Default for PushPlan {
    fn default() -> Self {
        PushPlan {
            vendors: PushVendor::ALL.to_vec(),
            events: 100,
            first_event: 1,
            duplicates: 20,
            forged: 10,
            concurrency: 8,
            max_deliveries: 3,
            retry_pause: Duration::from_millis(50),
            lose_ack_every: None,
        }
    }
}

impl PushPlan {
    /// The `(vendor, id)` of every distinct event the plan sends, as the receiver will see it.
    pub fn expected_ids(&self) -> Vec<(PushVendor, String)> {
        let mut ids = Vec::new();
        for &v in &self.vendors {
            for n in self.numbers() {
                ids.push((v, event_id(v, n)));
            }
        }
        ids
    }

    fn numbers(&self) -> std::ops::Range<u64> {
        self.first_event..self.first_event + self.events as u64
    }
}

/// The event id of event `n` of `vendor`.
pub fn event_id(vendor: PushVendor, n: u64) -> String {
    match vendor {
        PushVendor::Weiban => format!("00000000-0000-4000-8000-{n:012}"),
        PushVendor::Tanma => n.to_string(),
        PushVendor::Waiqin => format!("wq-{n:08}"),
    }
}

/// What happened to one vendor's pushes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushCounts {
    /// Distinct events pushed.
    pub events: u64,
    /// Events acknowledged (after redeliveries if needed).
    pub acknowledged: u64,
    /// Redeliveries of events that were not acknowledged.
    pub redeliveries: u64,
    /// Events still not acknowledged after the last delivery.
    pub unacknowledged: u64,
    /// Duplicates of acknowledged events sent.
    pub duplicates: u64,
    /// Duplicates acknowledged.
    pub duplicates_acknowledged: u64,
    /// Forged pushes sent.
    pub forged: u64,
    /// Forged pushes refused with 401 or 400.
    pub forged_refused: u64,
    /// Forged pushes acknowledged (a receiver bug).
    pub forged_accepted: u64,
    /// HTTP requests sent in all.
    pub requests: u64,
}

impl PushCounts {
    fn add(&mut self, o: &PushCounts) {
        self.events += o.events;
        self.acknowledged += o.acknowledged;
        self.redeliveries += o.redeliveries;
        self.unacknowledged += o.unacknowledged;
        self.duplicates += o.duplicates;
        self.duplicates_acknowledged += o.duplicates_acknowledged;
        self.forged += o.forged;
        self.forged_refused += o.forged_refused;
        self.forged_accepted += o.forged_accepted;
        self.requests += o.requests;
    }
}

/// The outcome of [`Pusher::run`], per vendor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Counts per vendor, in plan order.
    pub vendors: Vec<(PushVendor, PushCounts)>,
}

impl PushReport {
    /// The sums over vendors.
    pub fn total(&self) -> PushCounts {
        let mut t = PushCounts::default();
        for (_, c) in &self.vendors {
            t.add(c);
        }
        t
    }
}

/// One HTTP push, ready to send.
#[derive(Clone, Debug)]
pub struct Push {
    /// The vendor.
    pub vendor: PushVendor,
    /// GET or POST.
    pub method: Method,
    /// Raw query string.
    pub query: String,
    /// Headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// The reply body that acknowledges it (tanma: the noise digits).
    pub ack: Vec<u8>,
}

/// Sends pushes to a receiver (`{base}/weiban`, `/tanma`, `/waiqin`).
#[derive(Clone)]
pub struct Pusher {
    base: String,
    client: reqwest::Client,
    weiban: scrm_weiban::push::PushSender,
    tanma: scrm_tanma::push::PushSender,
    waiqin: scrm_waiqin::push::PushSender,
    /// A sender with the wrong secrets, for forgeries.
    weiban_forger: scrm_weiban::push::PushSender,
    tanma_forger: scrm_tanma::push::PushSender,
    waiqin_forger: scrm_waiqin::push::PushSender,
    tanma_wrong_corp: scrm_tanma::push::PushSender,
    weiban_wrong_receiver: scrm_weiban::push::PushSender,
}

impl std::fmt::Debug for Pusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pusher")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn weiban_sender(
    token: &str,
    key: &str,
    receive_id: &str,
) -> Result<scrm_weiban::push::PushSender, String> {
    scrm_weiban::push::PushReceiver::builder()
        .token(token)
        .encoding_aes_key(key)
        .receive_id(receive_id)
        .build()
        .map(|r| r.sender())
        .map_err(|e| e.to_string())
}

fn tanma_sender(
    app_id: &str,
    app_key: &str,
    corp: Option<&str>,
) -> Result<scrm_tanma::push::PushSender, String> {
    let mut b = scrm_tanma::push::PushReceiver::builder()
        .app_id(app_id)
        .app_key(app_key);
    if let Some(c) = corp {
        b = b.corp_id(c);
    }
    b.build().map(|r| r.sender()).map_err(|e| e.to_string())
}

fn waiqin_sender(secret: &str) -> Result<scrm_waiqin::push::PushSender, String> {
    scrm_waiqin::push::PushReceiver::builder()
        .push_secret(secret)
        .build()
        .map(|r| r.sender())
        .map_err(|e| e.to_string())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A deterministic signed 64-bit noise beyond 2^53 for event `n` (splitmix64).
fn noise(n: u64) -> i64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as i64 | (1 << 60)
}

impl Pusher {
    /// A pusher to `base` (e.g. `http://127.0.0.1:8787`) signing with `keys`.
    pub fn new(base: &str, keys: PushKeys) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let forged_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        Ok(Pusher {
            base: base.trim_end_matches('/').to_owned(),
            client,
            weiban: weiban_sender(
                &keys.weiban_token,
                &keys.weiban_aes_key,
                &keys.weiban_receive_id,
            )?,
            tanma: tanma_sender(&keys.tanma_app_id, &keys.tanma_app_key, None)?,
            waiqin: waiqin_sender(&keys.waiqin_push_secret)?,
            weiban_forger: weiban_sender("forged-token", forged_key, &keys.weiban_receive_id)?,
            tanma_forger: tanma_sender(&keys.tanma_app_id, "forged-app-key", None)?,
            waiqin_forger: waiqin_sender("forged-push-secret")?,
            tanma_wrong_corp: tanma_sender(
                &keys.tanma_app_id,
                &keys.tanma_app_key,
                Some("another-corp"),
            )?,
            weiban_wrong_receiver: weiban_sender(
                &keys.weiban_token,
                &keys.weiban_aes_key,
                "ww0000000000000000",
            )?,
        })
    }

    /// The valid push of event `n`, as its `delivery`-th delivery (0 = first).
    pub fn event(&self, vendor: PushVendor, n: u64, delivery: u32) -> Result<Push, String> {
        let id = event_id(vendor, n);
        match vendor {
            PushVendor::Weiban => {
                let event = serde_json::json!({
                    "id": id,
                    "corp_id": "ww1436e0e65a779aee",
                    "create_time": 1_700_000_000.0 + n as f64 / 1000.0,
                    "type": "event",
                    "event": "external_user_change",
                    "status": "create",
                    "retry_count": delivery,
                    "seq": n,
                    "msg_data": {"external_user_id": format!("wm{n:010}"), "name": format!("客户{n}")},
                });
                let p = self
                    .weiban
                    .seal(
                        event.to_string().as_bytes(),
                        &(now_ms() / 1000).to_string(),
                        &format!("{n}{delivery}"),
                    )
                    .map_err(|e| e.to_string())?;
                Ok(Push {
                    vendor,
                    method: p.method,
                    query: p.query,
                    headers: p.headers,
                    body: p.body,
                    ack: br#"{"errcode":0}"#.to_vec(),
                })
            }
            PushVendor::Tanma => {
                let noise = noise(n);
                let plain = format!(
                    r#"{{"type":"change_corp_tag","noise":{noise},"msgId":{n},"content":{{"tagId":"tag{n}","qwTagId":"et{n}","tagGroupId":"g1","tagGroupName":"等级","tagGroupQwId":"etg1","tagType":"tag","currentName":"标签{n}","changeType":"create","order":{n}}}}}"#
                );
                let p = self.tanma.seal(plain.as_bytes(), now_ms());
                Ok(Push {
                    vendor,
                    method: p.method,
                    query: p.query,
                    headers: p.headers,
                    body: p.body,
                    ack: noise.to_string().into_bytes(),
                })
            }
            PushVendor::Waiqin => {
                let data = format!(
                    r#"{{"cm_code":"CUS{n:06}","id":"{}","cm_name":"客户 {n} & 门店"}}"#,
                    7_087_293_505_129_744_417u64 + n
                );
                let status = if delivery == 0 { "0" } else { "2" };
                let ts = (1_569_404_987_248u64 + n).to_string();
                let data_id = (7_087_293_505_129_744_417u64 + n).to_string();
                let p = self.waiqin.seal(&[
                    ("msgId", &id),
                    ("dataType", "custom"),
                    ("dataId", &data_id),
                    ("dataVersion", "001"),
                    ("dataFormat", "json"),
                    ("dataSource", "biz"),
                    ("data", &data),
                    ("timestamp", &ts),
                    ("status", status),
                    ("statusTime", "2019-09-25 17:49:47"),
                    ("tenantId", "8888"),
                ]);
                Ok(Push {
                    vendor,
                    method: p.method,
                    query: p.query,
                    headers: p.headers,
                    body: p.body,
                    ack: br#"{"return_code":0}"#.to_vec(),
                })
            }
        }
    }

    /// The `k`-th forged push of `vendor`: kinds rotate (wrong secret, tampered, wrong
    /// receiver or key, stale or missing signature).
    pub fn forged(&self, vendor: PushVendor, k: u64) -> Result<Push, String> {
        let n = 1_000_000_000 + k;
        let mut p = match (vendor, k % 4) {
            (PushVendor::Weiban, 0) => {
                let s = self
                    .weiban_forger
                    .seal(br#"{"id":"forged"}"#, "1", "2")
                    .map_err(|e| e.to_string())?;
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            (PushVendor::Weiban, 3) => {
                let s = self
                    .weiban_wrong_receiver
                    .seal(br#"{"id":"forged-receiver"}"#, "1", "2")
                    .map_err(|e| e.to_string())?;
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            (PushVendor::Tanma, 0) => {
                let s = self
                    .tanma_forger
                    .seal(br#"{"type":"t","noise":1,"msgId":1}"#, now_ms());
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            (PushVendor::Tanma, 3) => {
                // Signed, but a replay from an hour ago.
                let s = self
                    .tanma
                    .seal(br#"{"type":"t","noise":1,"msgId":2}"#, now_ms() - 3_600_000);
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            (PushVendor::Tanma, 2) => {
                let s = self.tanma_wrong_corp.seal(
                    br#"{"type":"t","noise":1,"msgId":3,"content":"padding padding"}"#,
                    now_ms(),
                );
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            (PushVendor::Waiqin, 0) => {
                let s = self.waiqin_forger.seal(&[
                    ("msgId", "forged"),
                    ("data", "{}"),
                    ("timestamp", "1"),
                ]);
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            (PushVendor::Waiqin, 3) => {
                let s = scrm_waiqin::push::PushSender::form(&[
                    ("msgId", "unsigned"),
                    ("data", "{}"),
                    ("timestamp", "1"),
                ]);
                Push {
                    vendor,
                    method: s.method,
                    query: s.query,
                    headers: s.headers,
                    body: s.body,
                    ack: Vec::new(),
                }
            }
            // Tampered: a valid push with its body (or signature) changed.
            _ => {
                let mut p = self.event(vendor, n, 0)?;
                match vendor {
                    PushVendor::Weiban => {
                        p.query = p.query.replacen("msg_signature=", "msg_signature=0", 1)
                    }
                    PushVendor::Tanma => {
                        for (k, v) in p.headers.iter_mut() {
                            if *k == "sign" {
                                v.replace_range(0..1, if v.starts_with('0') { "1" } else { "0" });
                            }
                        }
                    }
                    PushVendor::Waiqin => {
                        let text = String::from_utf8_lossy(&p.body).replace("CUS", "CUX");
                        p.body = text.into_bytes();
                    }
                }
                p
            }
        };
        p.ack.clear();
        Ok(p)
    }

    /// Sends one push: the HTTP status and body, or a transport error.
    pub async fn send(&self, push: &Push) -> Result<(u16, Vec<u8>), String> {
        let mut url = format!("{}/{}", self.base, push.vendor.as_str());
        if !push.query.is_empty() {
            url.push('?');
            url.push_str(&push.query);
        }
        let mut req = if push.method == Method::GET {
            self.client.get(&url)
        } else {
            self.client.post(&url).body(push.body.clone())
        };
        for (k, v) in &push.headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.map_err(|e| e.without_url().to_string())?;
        let status = resp.status().as_u16();
        let body = resp
            .bytes()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok((status, body.to_vec()))
    }

    /// Delivers event `n` until acknowledged, `plan.max_deliveries` at most (redeliveries carry
    /// the same event id). Returns (acknowledged, requests).
    async fn deliver(&self, vendor: PushVendor, n: u64, plan: &PushPlan) -> (bool, u64) {
        let mut requests = 0;
        for delivery in 0..plan.max_deliveries.max(1) {
            if delivery > 0 {
                tokio::time::sleep(plan.retry_pause).await;
            }
            let Ok(push) = self.event(vendor, n, delivery) else {
                return (false, requests);
            };
            requests += 1;
            let answer = self.send(&push).await;
            let lost = delivery == 0
                && plan
                    .lose_ack_every
                    .is_some_and(|k| k > 0 && n.is_multiple_of(k));
            if !lost
                && let Ok((200, body)) = answer
                && body == push.ack
            {
                return (true, requests);
            }
        }
        (false, requests)
    }

    /// Runs `plan`: every event (redelivered until acknowledged), then the duplicates of
    /// acknowledged ones, with the forgeries mixed in, `plan.concurrency` at a time.
    pub async fn run(&self, plan: &PushPlan) -> PushReport {
        #[derive(Default)]
        struct Atomic {
            c: [AtomicU64; 10],
        }
        let sem = Arc::new(tokio::sync::Semaphore::new(plan.concurrency.max(1)));
        let mut report = PushReport::default();
        for &vendor in &plan.vendors {
            let counts = Arc::new(Atomic::default());
            let mut tasks = tokio::task::JoinSet::new();
            let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
            let forged_every = if plan.forged == 0 {
                u64::MAX
            } else {
                (plan.events as u64 / plan.forged as u64).max(1)
            };
            let mut forged_sent = 0u64;
            for (i, n) in plan.numbers().enumerate() {
                let permit = sem.clone().acquire_owned().await;
                let (me, plan2, c, acked) =
                    (self.clone(), plan.clone(), counts.clone(), acked.clone());
                tasks.spawn(async move {
                    let _permit = permit;
                    let (ok, requests) = me.deliver(vendor, n, &plan2).await;
                    c.c[0].fetch_add(1, Ordering::Relaxed);
                    c.c[9].fetch_add(requests, Ordering::Relaxed);
                    c.c[2].fetch_add(requests.saturating_sub(1), Ordering::Relaxed);
                    if ok {
                        c.c[1].fetch_add(1, Ordering::Relaxed);
                        acked.lock().unwrap_or_else(|p| p.into_inner()).push(n);
                    } else {
                        c.c[3].fetch_add(1, Ordering::Relaxed);
                    }
                });
                if (i as u64 + 1).is_multiple_of(forged_every) && forged_sent < plan.forged as u64 {
                    let k = forged_sent;
                    forged_sent += 1;
                    let permit = sem.clone().acquire_owned().await;
                    let (me, c) = (self.clone(), counts.clone());
                    tasks.spawn(async move {
                        let _permit = permit;
                        me.send_forged(vendor, k, &c.c).await;
                    });
                }
            }
            while tasks.join_next().await.is_some() {}
            // Forgeries not yet sent (a plan with more forgeries than events).
            while forged_sent < plan.forged as u64 {
                self.send_forged(vendor, forged_sent, &counts.c).await;
                forged_sent += 1;
            }
            let acked: Vec<u64> = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
            for n in acked
                .iter()
                .copied()
                .cycle()
                .take(plan.duplicates.min(acked.len() * 8))
            {
                let permit = sem.clone().acquire_owned().await;
                let (me, c) = (self.clone(), counts.clone());
                tasks.spawn(async move {
                    let _permit = permit;
                    c.c[4].fetch_add(1, Ordering::Relaxed);
                    c.c[9].fetch_add(1, Ordering::Relaxed);
                    if let Ok(push) = me.event(vendor, n, 1)
                        && let Ok((200, body)) = me.send(&push).await
                        && body == push.ack
                    {
                        c.c[5].fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            while tasks.join_next().await.is_some() {}
            let g = |i: usize| counts.c[i].load(Ordering::Relaxed);
            report.vendors.push((
                vendor,
                PushCounts {
                    events: g(0),
                    acknowledged: g(1),
                    redeliveries: g(2),
                    unacknowledged: g(3),
                    duplicates: g(4),
                    duplicates_acknowledged: g(5),
                    forged: g(6),
                    forged_refused: g(7),
                    forged_accepted: g(8),
                    requests: g(9),
                },
            ));
        }
        report
    }

    async fn send_forged(&self, vendor: PushVendor, k: u64, c: &[AtomicU64; 10]) {
        c[6].fetch_add(1, Ordering::Relaxed);
        c[9].fetch_add(1, Ordering::Relaxed);
        let Ok(push) = self.forged(vendor, k) else {
            return;
        };
        match self.send(&push).await {
            Ok((400 | 401, _)) => {
                c[7].fetch_add(1, Ordering::Relaxed);
            }
            Ok((200, _)) => {
                c[8].fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}
