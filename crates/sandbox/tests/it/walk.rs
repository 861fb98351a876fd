//! A generic raw-HTTP caller (any vendor, any operation, signed the vendor's way) and a walker
//! per paging style, written from the vendor pages independently of the sandbox's engine.

use scrm_sandbox::{Sandbox, tanma_sign, tanma_timestamp_now, waiqin_digest, waiqin_timestamp_now};
use serde_json::{Map, Value, json};

use crate::common::{Answer, client, enc, get, post, weiban_token, wshoto_token};

/// How one operation pages, as its vendor page documents it.
#[derive(Clone, Copy, Debug)]
pub enum Style {
    /// 1-based page number + size; `total` at `total` (pointer) or none.
    Page {
        page: &'static str,
        size: &'static str,
        total: Option<&'static str>,
    },
    /// 0-based offset + limit.
    Offset {
        offset: &'static str,
        limit: &'static str,
    },
    /// Opaque cursor + size; `next` (pointer) is `null` at the end.
    Cursor {
        cursor: &'static str,
        size: &'static str,
        next: &'static str,
    },
    /// Keyset: send the last record's `key` as `last`.
    Keyset {
        last: &'static str,
        size: &'static str,
        key: &'static str,
    },
    /// One answer.
    One,
}

/// An operation under test: where its records are and how it pages.
#[derive(Clone, Copy, Debug)]
pub struct OpSpec {
    pub vendor: &'static str,
    pub op: &'static str,
    /// JSON pointer of the records (`@` = waiqin's `response_data` string).
    pub items: &'static str,
    pub style: Style,
}

/// Connection state: one client and the tokens of the token vendors.
pub struct Conn<'a> {
    pub sb: &'a Sandbox,
    pub c: reqwest::Client,
    wshoto: Option<String>,
    weiban: Option<String>,
}

impl<'a> Conn<'a> {
    pub fn new(sb: &'a Sandbox) -> Self {
        Self {
            sb,
            c: client(),
            wshoto: None,
            weiban: None,
        }
    }

    /// Calls `vendor`'s operation `op` with `req` (body fields, or query parameters for GET).
    pub async fn call(&mut self, vendor: &str, op: &str, req: &Value) -> Answer {
        let info = self.sb.dataset().operation(vendor, op).unwrap();
        let base = self.sb.base_url();
        let token = match vendor {
            "wshoto" => {
                if self.wshoto.is_none() {
                    self.wshoto = Some(wshoto_token(self.sb, &self.c).await);
                }
                self.wshoto.clone()
            }
            "weiban" => {
                if self.weiban.is_none() {
                    self.weiban = Some(weiban_token(self.sb, &self.c).await);
                }
                self.weiban.clone()
            }
            _ => None,
        };
        let body = req.to_string();
        match vendor {
            "wshoto" | "weiban" => {
                let token = token.unwrap_or_default();
                if info.method == "GET" {
                    let mut q = format!("access_token={token}");
                    if let Value::Object(m) = req {
                        for (k, v) in m {
                            let v = match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            q.push_str(&format!("&{k}={}", enc(&v)));
                        }
                    }
                    get(&self.c, format!("{base}{}?{q}", info.path)).await
                } else {
                    post(
                        &self.c,
                        format!("{base}{}?access_token={token}", info.path),
                        &body,
                    )
                    .await
                }
            }
            "waiqin" => {
                let cr = self.sb.credentials();
                let ts = waiqin_timestamp_now();
                let d = waiqin_digest(body.as_bytes(), &cr.waiqin_appkey, &ts);
                let url = format!("{base}{}/{}/{ts}/{d}/m{ts}", info.path, cr.waiqin_openid);
                post(&self.c, url, &body).await
            }
            _ => {
                let cr = self.sb.credentials();
                let ts = tanma_timestamp_now();
                let sign = tanma_sign(&cr.tanma_app_id, &ts, body.as_bytes(), &cr.tanma_app_key);
                let r = self
                    .c
                    .post(format!("{base}{}", info.path))
                    .header("content-type", "application/json")
                    .header("appId", &cr.tanma_app_id)
                    .header("timestamp", ts)
                    .header("sign", sign)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let headers = r.headers().clone();
                Answer {
                    status,
                    headers,
                    text: r.text().await.unwrap(),
                }
            }
        }
    }
}

/// The success code check of each envelope.
pub fn ok(vendor: &str, v: &Value) -> bool {
    match vendor {
        "weiban" => v["errcode"] == 0,
        "waiqin" => v["return_code"] == "0",
        _ => v["code"] == 0,
    }
}

/// The error code of an answer (as text).
pub fn code(vendor: &str, v: &Value) -> String {
    let c = match vendor {
        "weiban" => &v["errcode"],
        "waiqin" => &v["return_code"],
        _ => &v["code"],
    };
    match c {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The records of an answer.
pub fn items(spec: &OpSpec, v: &Value) -> Vec<Value> {
    let arr = if spec.items == "@" {
        serde_json::from_str(v["response_data"].as_str().unwrap()).unwrap()
    } else {
        v.pointer(spec.items).cloned().unwrap_or(Value::Null)
    };
    match arr {
        Value::Array(a) => a,
        Value::Object(_) => vec![arr],
        other => panic!("{}: no records at {}: {other}", spec.op, spec.items),
    }
}

fn with(req: &Value, extra: &[(&str, Value)]) -> Value {
    let mut m: Map<String, Value> = req.as_object().cloned().unwrap_or_default();
    for (k, v) in extra {
        m.insert((*k).to_owned(), v.clone());
    }
    Value::Object(m)
}

/// Walks every page of `spec` with `req` and page size `size`; returns the records and the
/// number of requests. Panics on an error answer or a walk that does not end.
pub async fn walk(
    conn: &mut Conn<'_>,
    spec: &OpSpec,
    req: &Value,
    size: usize,
) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut requests = 0;
    let mut page = 1usize;
    let mut cursor: Option<Value> = None;
    loop {
        requests += 1;
        assert!(requests < 10_000, "{} does not end", spec.op);
        let r = match spec.style {
            Style::Page {
                page: p, size: s, ..
            } => with(req, &[(p, json!(page)), (s, json!(size))]),
            Style::Offset { offset, limit } => {
                with(req, &[(offset, json!(out.len())), (limit, json!(size))])
            }
            Style::Cursor {
                cursor: c, size: s, ..
            } => match &cursor {
                Some(cur) => with(req, &[(c, cur.clone()), (s, json!(size))]),
                None => with(req, &[(s, json!(size))]),
            },
            Style::Keyset { last, size: s, .. } => match &cursor {
                Some(cur) => with(req, &[(last, cur.clone()), (s, json!(size))]),
                None => with(req, &[(s, json!(size))]),
            },
            Style::One => req.clone(),
        };
        let a = conn.call(spec.vendor, spec.op, &r).await;
        assert_eq!(a.status, 200, "{}: {}", spec.op, a.text);
        let v = a.json();
        assert!(ok(spec.vendor, &v), "{} {r}: {v}", spec.op);
        let got = items(spec, &v);
        let n = got.len();
        out.extend(got);
        match spec.style {
            Style::Page { total, .. } => {
                let end = match total.and_then(|t| v.pointer(t)) {
                    Some(t) => {
                        let t = t.as_u64().unwrap() as usize;
                        page * size >= t
                    }
                    None => n < size,
                };
                if end {
                    break;
                }
                page += 1;
            }
            Style::Offset { .. } => {
                if n < size {
                    break;
                }
            }
            Style::Cursor { next, .. } => match v.pointer(next) {
                Some(Value::Null) | None => break,
                Some(c) => cursor = Some(c.clone()),
            },
            Style::Keyset { key, .. } => {
                if n < size {
                    break;
                }
                cursor = Some(out.last().unwrap()[key].clone());
            }
            Style::One => break,
        }
    }
    (out, requests)
}
