//! The hand-written baseline: what a careful script would do with `reqwest` and
//! `serde_json::Value` — the vendor's authentication, the same pages with the same page size from
//! the same server, every page parsed into a `Value` and every record visited.
//!
//! Work per record on this side, matching what the SDK's typed decoding does (no more, no less):
//! - wshoto: the page is a `Value`; `detail_data` (JSON inside a string) is parsed into a `Value`
//!   because the SDK decodes it (`JsonString<DetailData>`).
//! - weiban: the page is a `Value`; nothing else (the SDK decodes plain fields only).
//! - waiqin: the envelope is a `Value`, and its `response_data` string is parsed again into a
//!   `Value` (the records). No inner strings are decoded (the SDK decodes none).
//! - tanma clues: the page is a `Value`; nothing else (the SDK decodes a `valueAsText` of
//!   `type` 8 on the first `ClueField::value` call, which the visit does not make; until
//!   2026-12-02 it decoded them while reading, and this side parsed them too).
//! - tanma customer files: the page is a `Value`; `fileContent` is parsed into a `Value` (the SDK
//!   decodes it into `JsonString<FileContent>`).
//!
//! The second baseline ([`Decode::Typed`], [`crate::typed`]) runs the same loops with each page
//! decoded into hand-written typed serde structs instead of `Value`s.
//!
//! The signers here are written from the vendors' documentation, independently of the SDK's.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use md5::{Digest as _, Md5};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::ops::{BenchOp, Setup};
use crate::typed;

/// A baseline failure (the bench reports it and stops the measurement).
pub type Fail = String;

/// waiqin: `md5(body + "|" + appkey + "|" + timestamp)`, lowercase hex.
pub fn waiqin_digest(body: &[u8], appkey: &str, timestamp: &str) -> String {
    let mut h = Md5::new();
    h.update(body);
    h.update(b"|");
    h.update(appkey.as_bytes());
    h.update(b"|");
    h.update(timestamp.as_bytes());
    hex::encode(h.finalize())
}

/// tanma: `sha256(appId + timestamp + body + appKey)`, lowercase hex.
pub fn tanma_sign(app_id: &str, timestamp: &str, body: &[u8], app_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(timestamp.as_bytes());
    h.update(body);
    h.update(app_key.as_bytes());
    hex::encode(h.finalize())
}

/// waiqin's timestamp: `yyyyMMddHHmmss` in China time (UTC+8).
fn waiqin_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    let fmt = time::macros::format_description!("[year][month][day][hour][minute][second]");
    now.format(&fmt).unwrap_or_default()
}

fn millis_now() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis()
}

/// The HTTP client a script would build (same timeouts as the SDK's default transport).
pub fn http_client() -> Result<reqwest::Client, Fail> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("baseline client: {e}"))
}

fn url(base: &str, query: &[(&str, &str)]) -> Result<reqwest::Url, Fail> {
    reqwest::Url::parse_with_params(base, query).map_err(|e| format!("baseline: URL: {e}"))
}

async fn send_bytes(req: reqwest::RequestBuilder) -> Result<bytes::Bytes, Fail> {
    let resp = req.send().await.map_err(|e| format!("baseline: {e}"))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| format!("baseline: {e}"))?;
    if !status.is_success() {
        return Err(format!("baseline: HTTP {status}"));
    }
    Ok(body)
}

async fn send(req: reqwest::RequestBuilder) -> Result<Value, Fail> {
    decode(&send_bytes(req).await?)
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Fail> {
    serde_json::from_slice(body).map_err(|e| format!("baseline: bad JSON: {e}"))
}

fn code_ok<T: PartialEq + std::fmt::Debug>(got: T, ok: T) -> Result<(), Fail> {
    if got == ok {
        Ok(())
    } else {
        Err(format!("baseline: vendor error {got:?}"))
    }
}

/// How a baseline decodes each page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// Into `serde_json::Value` (the first baseline).
    Value,
    /// Into hand-written typed serde structs ([`crate::typed`], the second baseline).
    Typed,
}

fn check_code(v: &Value, field: &str, ok: &Value) -> Result<(), Fail> {
    if v.get(field) == Some(ok) {
        Ok(())
    } else {
        Err(format!(
            "baseline: vendor error {}",
            v.get(field).unwrap_or(&Value::Null)
        ))
    }
}

/// Parses a JSON-in-string field in place, as a script that needs its contents would.
fn parse_inner(record: &Value, field: &str) {
    if let Some(text) = record.get(field).and_then(Value::as_str)
        && !text.is_empty()
    {
        black_box(serde_json::from_str::<Value>(text).ok());
    }
}

/// Exports every record of `op` from the sandbox at `setup.base`; returns the record count.
pub async fn export(
    http: &reqwest::Client,
    op: BenchOp,
    setup: &Setup,
    how: Decode,
) -> Result<u64, Fail> {
    match op {
        BenchOp::WshotoCollectDetails => wshoto(http, setup, how).await,
        BenchOp::WeibanSmartFormUsers => weiban(http, setup, how).await,
        BenchOp::WaiqinTasks => waiqin(http, setup, how).await,
        BenchOp::TanmaClues => tanma_clues(http, setup, how).await,
        BenchOp::TanmaCustomerFiles => tanma_files(http, setup, how).await,
    }
}

async fn wshoto(http: &reqwest::Client, s: &Setup, how: Decode) -> Result<u64, Fail> {
    let c = &s.credentials;
    let token_url = url(
        &format!("{}/openapi/access_token", s.base),
        &[
            ("appid", c.wshoto_app_id.as_str()),
            ("app_secret", c.wshoto_app_secret.as_str()),
        ],
    )?;
    let token = send(http.get(token_url)).await?;
    check_code(&token, "code", &json!(0))?;
    let token = token["data"]["access_token"]
        .as_str()
        .ok_or("baseline: no wshoto token")?
        .to_owned();
    let page_url = url(
        &format!("{}/openapi/collect/detail/page", s.base),
        &[("access_token", token.as_str())],
    )?;
    let size = s.page_size;
    let (mut page, mut count) = (1u64, 0u64);
    loop {
        let body = send_bytes(
            http.post(page_url.clone())
                .header("content-type", "application/json")
                .body(
                    serde_json::to_vec(&json!({"current_index": page, "page_size": size}))
                        .unwrap_or_default(),
                ),
        )
        .await?;
        let (n, total) = match how {
            Decode::Value => {
                let v: Value = decode(&body)?;
                check_code(&v, "code", &json!(0))?;
                let data = &v["data"];
                let records = data["records"].as_array().map(Vec::as_slice).unwrap_or(&[]);
                for record in records {
                    parse_inner(record, "detail_data");
                    black_box(record);
                }
                (records.len(), data["total"].as_u64().unwrap_or(0))
            }
            Decode::Typed => {
                let v: typed::WshotoEnvelope = decode(&body)?;
                code_ok(v.code, 0)?;
                let data = v.data.unwrap_or(typed::WshotoPage {
                    total: 0,
                    records: Vec::new(),
                });
                for record in &data.records {
                    let form: Option<serde_json::Map<String, Value>> =
                        typed::inner(record.detail_data.as_deref());
                    black_box((record, form));
                }
                (data.records.len(), data.total)
            }
        };
        count += n as u64;
        if n == 0 || page * size >= total {
            return Ok(count);
        }
        page += 1;
    }
}

async fn weiban(http: &reqwest::Client, s: &Setup, how: Decode) -> Result<u64, Fail> {
    let c = &s.credentials;
    let token = send(
        http.post(format!("{}/open-api/access_token/get", s.base))
            .header("content-type", "application/json")
            .body(
                serde_json::to_vec(
                    &json!({"corp_id": c.weiban_corp_id, "secret": c.weiban_secret}),
                )
                .unwrap_or_default(),
            ),
    )
    .await?;
    let token = token["access_token"]
        .as_str()
        .ok_or("baseline: no weiban token")?
        .to_owned();
    let list = format!("{}/open-api/smart_form/form/user/list", s.base);
    let limit = s.page_size.to_string();
    let mut offset = 0u64;
    loop {
        let page_url = url(
            &list,
            &[
                ("access_token", token.as_str()),
                ("status", "submit"),
                ("offset", &offset.to_string()),
                ("limit", &limit),
            ],
        )?;
        let body = send_bytes(http.get(page_url)).await?;
        let (n, total) = match how {
            Decode::Value => {
                let v: Value = decode(&body)?;
                check_code(&v, "errcode", &json!(0))?;
                let records = v["result"].as_array().map(Vec::as_slice).unwrap_or(&[]);
                for record in records {
                    black_box(record);
                }
                (records.len(), v["total"].as_u64().unwrap_or(0))
            }
            Decode::Typed => {
                let v: typed::WeibanPage = decode(&body)?;
                code_ok(v.errcode, 0)?;
                for record in &v.result {
                    black_box(record);
                }
                (v.result.len(), v.total)
            }
        };
        offset += n as u64;
        if n == 0 || offset >= total {
            return Ok(offset);
        }
    }
}

async fn waiqin(http: &reqwest::Client, s: &Setup, how: Decode) -> Result<u64, Fail> {
    let c = &s.credentials;
    let rows = s.page_size;
    let (mut page, mut count) = (1u64, 0u64);
    loop {
        let body = serde_json::to_vec(&json!({"page": page.to_string(), "rows": rows.to_string()}))
            .unwrap_or_default();
        let ts = waiqin_timestamp();
        let digest = waiqin_digest(&body, &c.waiqin_appkey, &ts);
        let msg_id = uuid::Uuid::new_v4().simple().to_string();
        let url = format!(
            "{}/api/cusTask/v1/queryTask/{}/{ts}/{digest}/{msg_id}",
            s.base, c.waiqin_openid
        );
        let body = send_bytes(
            http.post(url)
                .header("content-type", "application/json")
                .body(body),
        )
        .await?;
        let n = match how {
            Decode::Value => {
                let v: Value = decode(&body)?;
                check_code(&v, "return_code", &json!("0"))?;
                let data = v["response_data"].as_str().unwrap_or("[]");
                let records: Value = serde_json::from_str(data)
                    .map_err(|e| format!("baseline: response_data: {e}"))?;
                let records = records.as_array().map(Vec::as_slice).unwrap_or(&[]);
                for record in records {
                    black_box(record);
                }
                records.len()
            }
            Decode::Typed => {
                let v: typed::WaiqinEnvelope = decode(&body)?;
                code_ok(v.return_code.as_str(), "0")?;
                let records: Vec<typed::Task> =
                    decode(v.response_data.as_deref().unwrap_or("[]").as_bytes())?;
                for record in &records {
                    black_box(record);
                }
                records.len()
            }
        };
        count += n as u64;
        if (n as u64) < rows {
            return Ok(count);
        }
        page += 1;
    }
}

fn tanma_request(
    s: &Setup,
    path: &str,
    body: &Value,
) -> (String, Vec<u8>, [(&'static str, String); 3]) {
    let c = &s.credentials;
    let body = serde_json::to_vec(body).unwrap_or_default();
    let ts = millis_now().to_string();
    let sign = tanma_sign(&c.tanma_app_id, &ts, &body, &c.tanma_app_key);
    let headers = [
        ("appId", c.tanma_app_id.clone()),
        ("timestamp", ts),
        ("sign", sign),
    ];
    (format!("{}{path}", s.base), body, headers)
}

async fn tanma_send(
    http: &reqwest::Client,
    s: &Setup,
    path: &str,
    body: &Value,
) -> Result<bytes::Bytes, Fail> {
    let (url, body, headers) = tanma_request(s, path, body);
    let mut req = http.post(url).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(k, v);
    }
    send_bytes(req.body(body)).await
}

fn tanma_value(body: &[u8]) -> Result<Value, Fail> {
    let v: Value = decode(body)?;
    check_code(&v, "code", &json!(0))?;
    Ok(v)
}

fn tanma_typed<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, Fail> {
    let v: typed::TanmaEnvelope<T> = decode(body)?;
    code_ok(v.code, 0)?;
    Ok(v.data)
}

async fn tanma_clues(http: &reqwest::Client, s: &Setup, how: Decode) -> Result<u64, Fail> {
    let mut cursor: Option<String> = None;
    let mut count = 0u64;
    loop {
        let mut body = json!({
            "since": "2000-01-01 00:00:00",
            "before": "2100-01-01 00:00:00",
            "size": s.page_size,
        });
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let page = tanma_send(http, s, "/api/v3/clue/list-by-create-time-asc", &body).await?;
        let (n, next) = match how {
            Decode::Value => {
                let v = tanma_value(&page)?;
                let data = &v["data"];
                let records = data["list"].as_array().map(Vec::as_slice).unwrap_or(&[]);
                for record in records {
                    black_box(record);
                }
                (
                    records.len(),
                    data["nextCursor"].as_str().map(str::to_owned),
                )
            }
            Decode::Typed => {
                let data: typed::CluePage = tanma_typed(&page)?.unwrap_or(typed::CluePage {
                    list: Vec::new(),
                    next_cursor: None,
                });
                for record in &data.list {
                    black_box(record);
                }
                (data.list.len(), data.next_cursor)
            }
        };
        count += n as u64;
        match next {
            Some(next) if n > 0 => cursor = Some(next),
            _ => return Ok(count),
        }
    }
}

async fn tanma_files(http: &reqwest::Client, s: &Setup, how: Decode) -> Result<u64, Fail> {
    let mut last_id: Option<Value> = None;
    let mut count = 0u64;
    loop {
        let mut body = json!({"pageSize": s.page_size});
        if let Some(id) = &last_id {
            body["lastId"] = id.clone();
        }
        let page = tanma_send(http, s, "/api/v3/customer/list-file-of-customer", &body).await?;
        let (n, last) = match how {
            Decode::Value => {
                let v = tanma_value(&page)?;
                let records = v["data"]["result"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                for record in records {
                    parse_inner(record, "fileContent");
                    black_box(record);
                }
                (records.len(), records.last().map(|r| r["id"].clone()))
            }
            Decode::Typed => {
                let data: typed::FilePage =
                    tanma_typed(&page)?.unwrap_or(typed::FilePage { result: Vec::new() });
                for record in &data.result {
                    let content: Option<typed::FileContent> =
                        typed::inner(record.file_content.as_deref());
                    black_box((record, content));
                }
                (data.result.len(), data.result.last().map(|r| json!(r.id)))
            }
        };
        count += n as u64;
        match last {
            Some(last) if n as u64 >= s.page_size => last_id = Some(last),
            _ => return Ok(count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiqin_digest_matches_the_documented_vector() {
        let body = r#"{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}"#;
        assert_eq!(
            waiqin_digest(body.as_bytes(), "BFCO0PAgIUgd50c0l6", "20150806142836"),
            "74267bf0cae0998a719879ec9b3c7780"
        );
    }

    #[test]
    fn tanma_sign_matches_the_published_vector() {
        let body = r#"{"since":"2024-01-01 00:00:00","before":"2024-01-02 00:00:00","size":100}"#;
        assert_eq!(
            tanma_sign(
                "wwEXAMPLE_corp_AbCdEf",
                "1700000000000",
                body.as_bytes(),
                "EXAMPLEAPPKEY"
            ),
            "0e5ea7d1a8abb3f97316adc765ff52c406f06ecfe4181bb9077df2f821026a55"
        );
    }
}
