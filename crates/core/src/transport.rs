//! The transport: bytes in, bytes out.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
pub use url::Url;

use crate::error::{Error, ErrorKind, TransportError, TransportErrorKind};

/// An HTTP request as it will be sent: the body is the exact bytes a signer signs.
///
/// `Debug` shows the method, host and body length only: the path and query of a signed request
/// carry tokens and digests.
#[derive(Clone)]
pub struct HttpRequest {
    /// HTTP method.
    pub method: Method,
    /// Full URL, query included.
    pub url: Url,
    /// Request headers.
    pub headers: HeaderMap,
    /// Body bytes (empty for GET).
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no headers and an empty body.
    pub fn new(method: Method, url: Url) -> Self {
        HttpRequest {
            method,
            url,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("host", &self.url.host_str())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP response: status, headers and the whole body.
#[derive(Clone)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response with no headers (for transports and tests).
    ///
    /// ```
    /// use scrm_core::{HttpResponse, StatusCode};
    /// let r = HttpResponse::new(StatusCode::OK, r#"{"code":0}"#);
    /// assert_eq!(r.status, StatusCode::OK);
    /// assert!(r.headers.is_empty());
    /// assert_eq!(&r.body[..], br#"{"code":0}"#);
    /// ```
    pub fn new(status: StatusCode, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Sends one request and returns the whole response.
///
/// The default is [`ReqwestTransport`]; tests and users can plug their own (a recording
/// transport, a different HTTP stack). Implementations must not follow a response's content
/// into errors: an [`TransportError`] carries no URL.
///
/// ```
/// use scrm_core::{HttpRequest, HttpResponse, Transport, TransportError, StatusCode, HeaderMap};
/// struct Canned;
/// #[async_trait::async_trait]
/// impl Transport for Canned {
///     async fn send(&self, _req: HttpRequest) -> Result<HttpResponse, TransportError> {
///         Ok(HttpResponse { status: StatusCode::OK, headers: HeaderMap::new(), body: "{}".into() })
///     }
/// }
/// ```
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`; any HTTP status is a success here (the envelope decides).
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// The default transport: reqwest with rustls.
///
/// ```
/// use std::time::Duration;
/// let transport = scrm_core::ReqwestTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(30))
///     .build()?;
/// # Ok::<(), scrm_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_body_bytes: usize,
}

/// The default limit of a response body: 32 MiB. The largest documented page (1 000 records
/// of a few KB) is far below it; a body above it is a gateway fault or a hostile server, and
/// reading it whole would only exhaust memory.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

impl ReqwestTransport {
    /// A builder with the default timeouts (connect 10 s, whole request 60 s) and body limit
    /// ([`DEFAULT_MAX_BODY_BYTES`]).
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Wraps a client you configured yourself (proxies, TLS roots, pools), with the default
    /// body limit ([`DEFAULT_MAX_BODY_BYTES`]).
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The same transport with another response body limit.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }
}

/// Builder of [`ReqwestTransport`].
#[derive(Clone, Debug)]
pub struct ReqwestTransportBuilder {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body_bytes: usize,
}

impl ReqwestTransportBuilder {
    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one whole request (connect, send, receive).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The largest response body read ([`DEFAULT_MAX_BODY_BYTES`] unless set): a longer body
    /// fails with [`TransportErrorKind::BodyTooLarge`] as soon as the limit is passed, without
    /// reading the rest.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<ReqwestTransport, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(concat!("scrm-sdk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Config,
                    format!(
                        "could not build the HTTP client: {}",
                        TransportError::from_reqwest(e).message()
                    ),
                )
            })?;
        Ok(ReqwestTransport {
            client,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

fn body_too_large(limit: usize, seen: u64) -> TransportError {
    TransportError::new(
        TransportErrorKind::BodyTooLarge,
        format!(
            "the response body has at least {seen} bytes, more than the limit of {limit} bytes; \
             the vendor (or a proxy in between) sent far more than a page: check the base URL, \
             or raise ReqwestTransportBuilder::max_body_bytes"
        ),
        true,
    )
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self
            .client
            .request(request.method, request.url)
            .headers(request.headers)
            .body(request.body)
            .send()
            .await
            .map_err(TransportError::from_reqwest)?;
        let status = response.status();
        let headers = response.headers().clone();
        let limit = self.max_body_bytes;
        if let Some(len) = response.content_length()
            && len > limit as u64
        {
            return Err(body_too_large(limit, len));
        }
        // A body that arrives in one chunk is kept as it came (no copy); one in several chunks
        // is joined into a buffer sized from `Content-Length` up front, so a page of a
        // megabyte is not copied again at every doubling of a growing buffer.
        let expected = response
            .content_length()
            .map_or(0, |len| usize::try_from(len).unwrap_or(limit).min(limit));
        let mut single: Option<bytes::Bytes> = None;
        let mut joined = bytes::BytesMut::new();
        let mut len = 0usize;
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(TransportError::from_reqwest)?
        {
            len = len.saturating_add(chunk.len());
            if len > limit {
                return Err(body_too_large(limit, len as u64));
            }
            match single.take() {
                None if joined.is_empty() => single = Some(chunk),
                None => joined.extend_from_slice(&chunk),
                Some(first) => {
                    joined.reserve(expected.max(len));
                    joined.extend_from_slice(&first);
                    joined.extend_from_slice(&chunk);
                }
            }
        }
        let body = single.unwrap_or_else(|| joined.freeze());
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
