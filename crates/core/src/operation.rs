//! An operation is data: method, path, request and response types, idempotency.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::sign::SignReceipt;
use crate::transport::{HttpResponse, Method};

/// How a request's fields travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// A JSON body (`Content-Type: application/json`).
    Json,
    /// URL query parameters, no body (GET endpoints).
    Query,
}

/// A vendor: its name and its envelope.
///
/// The envelope hook decodes the vendor's wrapper once and classifies failures through the
/// vendor's own code table into an [`ErrorKind`](crate::ErrorKind).
pub trait Vendor: Send + Sync + 'static {
    /// Short lowercase name used in errors and logs (`"wshoto"`).
    const NAME: &'static str;

    /// Opens the envelope of a response whose body looks like JSON: the payload, or a
    /// classified error carrying the vendor's code and message. `receipt` is what the signer
    /// put on the request (e.g. the `msg_id` the vendor must echo).
    fn open<T: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        receipt: &SignReceipt,
    ) -> Result<T, Error>;
}

/// One documented endpoint. The request type implements it; adding an endpoint is one file
/// with this impl, the types and a fixture.
///
/// ```
/// use scrm_core::{Encoding, Method, Operation};
/// # struct Demo;
/// # impl scrm_core::Vendor for Demo {
/// #     const NAME: &'static str = "demo";
/// #     fn open<T: serde::de::DeserializeOwned>(&self, r: &scrm_core::HttpResponse, _: &scrm_core::SignReceipt) -> Result<T, scrm_core::Error> {
/// #         scrm_core::decode_json(&r.body)
/// #     }
/// # }
/// #[derive(serde::Serialize)]
/// struct ListThings { page: u32 }
///
/// impl Operation for ListThings {
///     type Vendor = Demo;
///     type Response = Vec<String>;
///     const NAME: &'static str = "things/list";
///     const PATH: &'static str = "/api/things/list";
/// }
/// ```
pub trait Operation: Serialize + Send + Sync {
    /// The vendor whose envelope wraps the response.
    type Vendor: Vendor;
    /// The decoded payload.
    type Response: DeserializeOwned + Send + 'static;
    /// Name used in errors and logs.
    const NAME: &'static str;
    /// Path appended to the base URL (waiqin signers append more segments).
    const PATH: &'static str;
    /// HTTP method.
    const METHOD: Method = Method::POST;
    /// How fields travel.
    const ENCODING: Encoding = Encoding::Json;
    /// Whether sending it twice is harmless. Reads are; a non-idempotent operation is never
    /// retried once it may have reached the vendor.
    const IDEMPOTENT: bool = true;
    /// The documented request fields ([`operation!`](crate::operation) lists them).
    const FIELDS: &'static [crate::Field] = &[];

    /// Local checks of documented limits, before anything is sent.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Where this request goes. Typed operations use their constants; a request whose path is
    /// decided at run time ([`RawRequest`](crate::raw::RawRequest)) overrides it.
    fn route(&self) -> Route {
        Route {
            name: Cow::Borrowed(Self::NAME),
            method: Self::METHOD,
            path: Cow::Borrowed(Self::PATH),
            encoding: Self::ENCODING,
            idempotent: Self::IDEMPOTENT,
            query: Vec::new(),
        }
    }
}

/// Where a request goes: what [`Operation::route`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The name in errors and logs.
    pub name: Cow<'static, str>,
    /// HTTP method.
    pub method: Method,
    /// Path appended to the base URL.
    pub path: Cow<'static, str>,
    /// How the fields travel.
    pub encoding: Encoding,
    /// Whether sending it twice is harmless.
    pub idempotent: bool,
    /// Query parameters added to the URL whatever the encoding.
    pub query: Vec<(String, String)>,
}

/// Decodes JSON, naming the field path on failure (`data.records[3].form_id: invalid type…`).
///
/// The happy path is plain `serde_json`: tracking the path costs an allocation per key of every
/// record, so it is paid only to explain a failure, by decoding once more.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).or_else(|_| {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            Error::decode(&path, e.into_inner())
        })
    })
}

/// Decodes a vendor envelope, falling back to its head when the payload does not decode.
///
/// `Full` is the whole answer (head and payload), decoded by [`decode_json`]. When it does not
/// decode, only `Head` (the same envelope with its payload ignored, e.g.
/// `Envelope<IgnoredAny>`) is read and given to `head_error` (`None` when even the head does
/// not decode): an error it returns is reported instead of the decode error, since an error
/// answer's payload may have any shape. The vendor checks the code of a decoded `Full` itself.
///
/// ```
/// use scrm_core::{Error, ErrorKind, decode_envelope};
/// use serde::de::IgnoredAny;
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Envelope<T> { code: i64, data: Option<T> }
///
/// fn open(body: &str) -> Result<Envelope<Vec<u32>>, Error> {
///     decode_envelope(body.as_bytes(), |head: Option<Envelope<IgnoredAny>>| {
///         let head = head.filter(|h| h.code != 0)?;
///         Some(Error::vendor(ErrorKind::Service, head.code, "refused"))
///     })
/// }
/// assert_eq!(open(r#"{"code":0,"data":[1]}"#).unwrap().data, Some(vec![1]));
/// // The payload does not decode, but the head reports an error: that is the news.
/// assert_eq!(open(r#"{"code":7,"data":"x"}"#).unwrap_err().code(), Some("7"));
/// // A successful head with a bad payload: the decode error, naming the path.
/// let e = open(r#"{"code":0,"data":["x"]}"#).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Decode);
/// assert!(e.message().contains("data[0]"), "{e}");
/// ```
pub fn decode_envelope<Full: DeserializeOwned, Head: DeserializeOwned>(
    body: &[u8],
    head_error: impl FnOnce(Option<Head>) -> Option<Error>,
) -> Result<Full, Error> {
    decode_or_head(body, decode_json, head_error)
}

/// [`decode_envelope`] with another decoder for the whole answer (the token answers name only
/// the path of a decode failure).
pub(crate) fn decode_or_head<Full, Head: DeserializeOwned>(
    body: &[u8],
    decode: impl FnOnce(&[u8]) -> Result<Full, Error>,
    head_error: impl FnOnce(Option<Head>) -> Option<Error>,
) -> Result<Full, Error> {
    decode(body).map_err(|decode_error| {
        head_error(serde_json::from_slice(body).ok()).unwrap_or(decode_error)
    })
}

/// Whether a body looks like a JSON document (not empty, not an HTML error page).
pub fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}
