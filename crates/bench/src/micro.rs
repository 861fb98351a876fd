//! Hidden `micro` subcommand: decode costs of one real page body, isolated from the network —
//! the evidence behind the SDK's decoding choices (see the README).

use std::hint::black_box;
use std::time::Duration;

use serde_json::Value;

use crate::cpu::thread_cpu;

/// CPU time per call of `f`, best of 5 batches of `n` calls.
fn per_call(n: u32, mut f: impl FnMut()) -> Duration {
    (0..5)
        .map(|_| {
            let t0 = thread_cpu();
            for _ in 0..n {
                f();
            }
            thread_cpu().saturating_sub(t0) / n
        })
        .min()
        .unwrap_or_default()
}

fn fetch(rt: &tokio::runtime::Runtime, base: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    rt.block_on(async {
        let http = crate::baseline::http_client()?;
        let token: Value = http
            .get(format!(
                "{base}/openapi/access_token?appid={}&app_secret={}",
                scrm_sandbox::SANDBOX_WSHOTO_APP_ID,
                scrm_sandbox::SANDBOX_WSHOTO_APP_SECRET
            ))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json_value()
            .await?;
        let token = token["data"]["access_token"].as_str().unwrap_or_default();
        let wshoto = http
            .post(format!(
                "{base}/openapi/collect/detail/page?access_token={token}"
            ))
            .header("content-type", "application/json")
            .body(r#"{"current_index":1,"page_size":200}"#)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .bytes()
            .await
            .map_err(|e| e.to_string())?;
        let ts = scrm_sandbox::tanma_timestamp_now();
        let body = br#"{"pageSize":1000}"#;
        let sign = crate::baseline::tanma_sign(
            scrm_sandbox::SANDBOX_TANMA_APP_ID,
            &ts,
            body,
            scrm_sandbox::SANDBOX_TANMA_APP_KEY,
        );
        let tanma = http
            .post(format!("{base}/api/v3/customer/list-file-of-customer"))
            .header("content-type", "application/json")
            .header("appId", scrm_sandbox::SANDBOX_TANMA_APP_ID)
            .header("timestamp", ts)
            .header("sign", sign)
            .body(&body[..])
            .send()
            .await
            .map_err(|e| e.to_string())?
            .bytes()
            .await
            .map_err(|e| e.to_string())?;
        Ok((wshoto.to_vec(), tanma.to_vec()))
    })
}

trait JsonValue {
    async fn json_value(self) -> Result<Value, String>;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> Result<Value, String> {
        let bytes = self.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }
}

/// tanma's envelope (the crate keeps its own private).
#[derive(serde::Deserialize)]
struct Env<T> {
    #[allow(dead_code)]
    code: i64,
    #[allow(dead_code)]
    data: Option<T>,
}

fn parse_inner(v: &Value, field: &str) {
    if let Some(s) = v.get(field).and_then(Value::as_str) {
        black_box(serde_json::from_str::<Value>(s).ok());
    }
}

/// Prints µs per page for each way of decoding a wshoto page (200 records) and a tanma files
/// page (1000 records).
pub fn run() -> Result<(), String> {
    let rt = crate::measure::runtime()?;
    let sandbox = crate::measure::sandbox(2000)?;
    let (wshoto, tanma) = fetch(&rt, &sandbox.base_url())?;
    type W = scrm_wshoto::Envelope<scrm_wshoto::ops::CollectDetailPageResponse>;
    type T = Env<scrm_tanma::CustomerFileListResponse>;
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let rows: Vec<(&str, Duration)> = vec![
        (
            "wshoto Value (+ detail_data)",
            per_call(200, || {
                let v: Value = serde_json::from_slice(&wshoto).unwrap_or_default();
                for r in v["data"]["records"].as_array().into_iter().flatten() {
                    parse_inner(r, "detail_data");
                }
                black_box(v);
            }),
        ),
        (
            "wshoto Value only",
            per_call(200, || {
                black_box(serde_json::from_slice::<Value>(&wshoto).ok());
            }),
        ),
        (
            "wshoto typed, serde_json::from_slice",
            per_call(200, || {
                black_box(serde_json::from_slice::<W>(&wshoto).ok());
            }),
        ),
        (
            "wshoto typed, scrm_core::decode_json",
            per_call(200, || {
                black_box(scrm_core::decode_json::<W>(&wshoto).ok());
            }),
        ),
        (
            "tanma files Value (+ fileContent)",
            per_call(50, || {
                let v: Value = serde_json::from_slice(&tanma).unwrap_or_default();
                for r in v["data"]["result"].as_array().into_iter().flatten() {
                    parse_inner(r, "fileContent");
                }
                black_box(v);
            }),
        ),
        (
            "tanma files typed, serde_json::from_slice",
            per_call(50, || {
                black_box(serde_json::from_slice::<T>(&tanma).ok());
            }),
        ),
        (
            "tanma files typed, scrm_core::decode_json",
            per_call(50, || {
                black_box(scrm_core::decode_json::<T>(&tanma).ok());
            }),
        ),
    ];
    for (name, d) in rows {
        println!("{name:<45} {:>9.1} µs/page", us(d));
    }
    // What `Unpin` streams cost: the SDK's streams are boxed (`Pin<Box<dyn Stream + Send>>`),
    // one allocation per stream and one dynamic call per item. The same 1000 items through an
    // unboxed (pinned on the stack) and a boxed stream.
    let (plain, boxed) = stream_cost(&rt);
    println!(
        "{:<45} {:>9.3} ns/item",
        "stream, pinned on the stack",
        plain.as_secs_f64() * 1e9 / 1000.0
    );
    println!(
        "{:<45} {:>9.3} ns/item (+{:.3} ns/item for Unpin)",
        "stream, boxed (Unpin)",
        boxed.as_secs_f64() * 1e9 / 1000.0,
        (boxed.as_secs_f64() - plain.as_secs_f64()) * 1e9 / 1000.0
    );
    Ok(())
}

/// CPU per 1000-item stream drained, unboxed and boxed.
fn stream_cost(rt: &tokio::runtime::Runtime) -> (Duration, Duration) {
    use futures::StreamExt;
    let items = || futures::stream::iter(0u64..1000).map(|i| Ok::<u64, ()>(black_box(i)));
    let plain = per_call(2000, || {
        rt.block_on(async {
            let mut s = std::pin::pin!(items());
            while let Some(x) = s.next().await {
                let _ = black_box(x);
            }
        });
    });
    let boxed = per_call(2000, || {
        rt.block_on(async {
            let mut s = black_box(items().boxed());
            while let Some(x) = s.next().await {
                let _ = black_box(x);
            }
        });
    });
    (plain, boxed)
}
