//! Hidden `micro` subcommand: decode costs of one real page body, isolated from the network —
//! the evidence behind the SDK's decoding choices (see the README).

use std::hint::black_box;
use std::time::Duration;

use serde_json::Value;

use crate::cpu::thread_cpu;

/// CPU time per call of `f`, best of 11 batches of `n` calls.
fn per_call(n: u32, mut f: impl FnMut()) -> Duration {
    (0..11)
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

/// The records of `op`'s first page from a sandbox dataset of `n` records, joined as a JSON array.
fn records(op: scrm_sandbox::Op, n: usize) -> String {
    let data = scrm_sandbox::Dataset::new(1, n);
    let items: Vec<String> = (0..n).filter_map(|i| data.record_json(op, i)).collect();
    format!("[{}]", items.join(","))
}

fn response(body: String) -> scrm_core::HttpResponse {
    scrm_core::HttpResponse {
        status: scrm_core::StatusCode::OK,
        headers: scrm_core::HeaderMap::new(),
        body: body.into(),
    }
}

/// Rounds of [`decode`] (both columns each round).
const DECODE_ROUNDS: usize = 3;

/// One page of each measured operation decoded by the SDK (the vendor's envelope and the
/// operation's response type, through `Vendor::open`, as a page stream does) and by the typed
/// baseline (the same work as `Decode::Typed` in [`crate::baseline`]), no network:
/// `scrm-bench decode`. µs per page, the best batch of every round; the ratio is SDK ÷ typed.
pub fn decode() -> Result<(), String> {
    use scrm_core::Vendor as _;
    use scrm_sandbox::Op;

    use crate::typed;

    let receipt = scrm_core::SignReceipt::default();
    let wshoto = response(format!(
        r#"{{"code":0,"msg":"ok","data":{{"total":200,"records":{}}}}}"#,
        records(Op::WshotoCollectDetailPage, 200)
    ));
    let weiban = response(format!(
        r#"{{"errcode":0,"errmsg":"ok","total":1000,"result":{}}}"#,
        records(Op::WeibanSmartFormUserList, 1000)
    ));
    let tasks = records(Op::WaiqinQueryTask, 1000);
    let waiqin = response(
        serde_json::json!({"return_code": "0", "return_msg": "ok", "response_data": tasks})
            .to_string(),
    );
    let clues = response(format!(
        r#"{{"code":0,"message":"ok","data":{{"list":{},"nextCursor":"c1"}}}}"#,
        records(Op::TanmaClueListByCreateTimeAsc, 1000)
    ));
    let files = response(format!(
        r#"{{"code":0,"message":"ok","data":{{"totalCount":1000,"totalPage":1,"pageNo":0,"pageSize":1000,"result":{}}}}}"#,
        records(Op::TanmaCustomerListFileOfCustomer, 1000)
    ));

    let wshoto_vendor = scrm_wshoto::Wshoto::default();
    let weiban_vendor = scrm_weiban::Weiban::default();
    let measure = || -> Vec<(&str, Duration, Duration)> {
        vec![
            (
                "wshoto collect-details (200)",
                per_call(100, || {
                    black_box(
                        wshoto_vendor
                            .open::<scrm_wshoto::ops::CollectDetailPageResponse>(&wshoto, &receipt)
                            .ok(),
                    );
                }),
                per_call(100, || {
                    let v: Option<typed::WshotoEnvelope> =
                        serde_json::from_slice(&wshoto.body).ok();
                    for r in v
                        .iter()
                        .flat_map(|v| v.data.iter())
                        .flat_map(|d| &d.records)
                    {
                        let form: Option<serde_json::Map<String, Value>> =
                            typed::inner(r.detail_data.as_deref());
                        black_box((r, form));
                    }
                    black_box(v);
                }),
            ),
            (
                "weiban smart-form-users (1000)",
                per_call(20, || {
                    black_box(
                        weiban_vendor
                            .open::<scrm_weiban::SmartFormUserListResponse>(&weiban, &receipt)
                            .ok(),
                    );
                }),
                per_call(20, || {
                    black_box(serde_json::from_slice::<typed::WeibanPage>(&weiban.body).ok());
                }),
            ),
            (
                "waiqin tasks (1000)",
                per_call(10, || {
                    black_box(
                        scrm_waiqin::Waiqin::new()
                            .open::<Vec<scrm_waiqin::Task>>(&waiqin, &receipt)
                            .ok(),
                    );
                }),
                per_call(10, || {
                    let v: Option<typed::WaiqinEnvelope> =
                        serde_json::from_slice(&waiqin.body).ok();
                    let text = v.as_ref().and_then(|v| v.response_data.as_deref());
                    black_box(text.and_then(|t| serde_json::from_str::<Vec<typed::Task>>(t).ok()));
                }),
            ),
            (
                "tanma clues (1000)",
                per_call(10, || {
                    black_box(
                        scrm_tanma::Tanma
                            .open::<scrm_tanma::ClueListResponse>(&clues, &receipt)
                            .ok(),
                    );
                }),
                per_call(10, || {
                    let v: Option<typed::TanmaEnvelope<typed::CluePage>> =
                        serde_json::from_slice(&clues.body).ok();
                    for r in v.iter().flat_map(|v| v.data.iter()).flat_map(|d| &d.list) {
                        black_box(r);
                    }
                    black_box(v);
                }),
            ),
            (
                "tanma customer-files (1000)",
                per_call(10, || {
                    black_box(
                        scrm_tanma::Tanma
                            .open::<scrm_tanma::CustomerFileListResponse>(&files, &receipt)
                            .ok(),
                    );
                }),
                per_call(10, || {
                    let v: Option<typed::TanmaEnvelope<typed::FilePage>> =
                        serde_json::from_slice(&files.body).ok();
                    for r in v.iter().flat_map(|v| v.data.iter()).flat_map(|d| &d.result) {
                        let content: Option<typed::FileContent> =
                            typed::inner(r.file_content.as_deref());
                        black_box((r, content));
                    }
                    black_box(v);
                }),
            ),
        ]
    };
    // Rounds of both columns, the best of each kept: load from elsewhere on the machine then
    // disturbs the two sides alike rather than whichever ran while it lasted.
    let mut rows = measure();
    for _ in 1..DECODE_ROUNDS {
        for (best, again) in rows.iter_mut().zip(measure()) {
            best.1 = best.1.min(again.1);
            best.2 = best.2.min(again.2);
        }
    }
    println!(
        "{:<32} {:>12} {:>12} {:>8}",
        "page decode", "SDK µs", "typed µs", "ratio"
    );
    for (name, sdk, typed) in rows {
        println!(
            "{name:<32} {:>12.1} {:>12.1} {:>8.3}",
            sdk.as_secs_f64() * 1e6,
            typed.as_secs_f64() * 1e6,
            sdk.as_secs_f64() / typed.as_secs_f64().max(1e-12)
        );
    }
    Ok(())
}
