//! A fake vendor with a `{code, msg, data}` envelope and a scripted transport.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scrm_core::{
    Client, ClientOptions, Configure, Error, ErrorKind, HeaderMap, HttpRequest, HttpResponse,
    RateLimit, RetryPolicy, SignContext, SignReceipt, Signer, StatusCode, Transport,
    TransportError, Vendor, async_trait, decode_json,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub struct Demo;

#[derive(Deserialize)]
struct Head {
    code: i64,
    #[serde(default)]
    msg: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    code: i64,
    data: Option<T>,
}

pub fn classify(code: i64) -> ErrorKind {
    match code {
        401 => ErrorKind::AuthExpired,
        403 => ErrorKind::AuthRejected,
        408 => ErrorKind::ClockSkew,
        429 => ErrorKind::Throttled,
        503 => ErrorKind::Transient,
        400 => ErrorKind::InvalidRequest,
        _ => ErrorKind::Service,
    }
}

impl Vendor for Demo {
    const NAME: &'static str = "demo";

    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        _receipt: &SignReceipt,
    ) -> Result<T, Error> {
        match decode_json::<Envelope<T>>(&response.body) {
            Ok(Envelope {
                code: 0,
                data: Some(d),
            }) => Ok(d),
            Ok(Envelope {
                code: 0,
                data: None,
            }) => Err(Error::new(ErrorKind::Decode, "missing `data`")),
            Ok(Envelope { code, .. }) => {
                let head: Head = decode_json(&response.body)?;
                Err(Error::vendor(classify(code), code, head.msg))
            }
            Err(decode) => match decode_json::<Head>(&response.body) {
                Ok(head) if head.code != 0 => {
                    Err(Error::vendor(classify(head.code), head.code, head.msg))
                }
                _ => Err(decode),
            },
        }
    }
}

/// What the scripted transport answers.
pub enum Answer {
    Json(u16, String),
    Html(u16),
    Fail(TransportError),
}

pub fn ok(data: serde_json::Value) -> Answer {
    Answer::Json(
        200,
        serde_json::json!({"code": 0, "msg": "ok", "data": data}).to_string(),
    )
}

pub fn code(code: i64, msg: &str) -> Answer {
    Answer::Json(
        200,
        serde_json::json!({"code": code, "msg": msg}).to_string(),
    )
}

#[derive(Default)]
pub struct Scripted {
    answers: Mutex<VecDeque<Answer>>,
    pub requests: Mutex<Vec<HttpRequest>>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Arc<Self> {
        Arc::new(Scripted {
            answers: Mutex::new(answers.into_iter().collect()),
            requests: Mutex::new(Vec::new()),
        })
    }

    pub fn calls(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// The JSON bodies sent, in order.
    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }
}

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests.lock().unwrap().push(request);
        let answer = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("the script ran out of answers");
        match answer {
            Answer::Json(status, body) => Ok(HttpResponse {
                status: StatusCode::from_u16(status).unwrap(),
                headers: HeaderMap::new(),
                body: body.into(),
            }),
            Answer::Html(status) => Ok(HttpResponse {
                status: StatusCode::from_u16(status).unwrap(),
                headers: HeaderMap::new(),
                body: "<html><body>502 Bad Gateway</body></html>".into(),
            }),
            Answer::Fail(e) => Err(e),
        }
    }
}

/// Adds `?token=<n>` where n counts rejections: lets tests see re-signing.
#[derive(Default)]
pub struct CountingSigner {
    pub signed: Mutex<u32>,
    pub rejected: Mutex<Vec<String>>,
}

#[async_trait]
impl Signer for CountingSigner {
    async fn sign(
        &self,
        req: &mut HttpRequest,
        _cx: &SignContext<'_>,
    ) -> Result<SignReceipt, Error> {
        let mut n = self.signed.lock().unwrap();
        *n += 1;
        let token = format!("tok-{}", self.rejected.lock().unwrap().len());
        req.url.query_pairs_mut().append_pair("token", &token);
        req.headers
            .insert("x-attempt-sign", n.to_string().parse().unwrap());
        Ok(SignReceipt {
            token: Some(token.clone().into()),
            request_id: None,
            secrets: vec![token.into()],
        })
    }

    async fn token_rejected(&self, receipt: &SignReceipt) {
        let t = receipt.token.as_ref().unwrap().expose().to_owned();
        self.rejected.lock().unwrap().push(t);
    }
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .throttle_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
        .jitter(false)
}

pub fn client(transport: Arc<Scripted>) -> (Client<Demo>, Arc<CountingSigner>) {
    let signer = Arc::new(CountingSigner::default());
    let client = ClientOptions::new("https://demo.invalid", RateLimit::unlimited(8))
        .transport(transport)
        .retry_policy(fast_retries())
        .page_options(
            scrm_core::PageOptions::default().empty_page_backoff(Duration::from_millis(1)),
        )
        .build(Demo, signer.clone())
        .unwrap();
    (client, signer)
}
