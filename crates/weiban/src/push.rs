//! weiban 消息订阅: receiving (and, for tests, sending) pushed events.
//!
//! weiban uses WeCom's JSON callback crypto under its own names: a `Token`, a 43-character
//! `EncodingAESKey` and a `ReceiveId`, all from weiban's subscription settings.
//!
//! - URL verification: `GET ?msg_signature=&timestamp=&nonce=&echostr=` — the signature is
//!   checked over the percent-decoded `echostr` (read from the raw query, so a `+` stays a `+`),
//!   which is decrypted; the reply is the decrypted message, bytes as they are.
//! - Event push: `POST ?msg_signature=&timestamp=&nonce=` with a JSON body
//!   `{"corp_id","app_id","encrypt"}`; the signature covers `encrypt`; the reply is
//!   `{"errcode":0}`.
//! - `msg_signature = hex(sha1(concat(sorted([token, timestamp, nonce, encrypt]))))`.
//! - `encrypt = base64(AES-256-CBC(key, iv = key[..16], random(16) ‖ u32_be(len) ‖ msg ‖
//!   receive_id ‖ PKCS#7 pad to 32 bytes))`, `key = base64_decode(EncodingAESKey + "=")`.
//!   The pad goes up to 32 (standard PKCS#7 unpadding refuses it) and the key's last
//!   character often has nonzero spare bits (strict base64 refuses the vendor's own sample
//!   key): both are handled here. The receive id inside must equal the configured one.
//!
//! There is no timestamp window (weiban's documentation has none); redeliveries carry the same
//! envelope `id`, the deduplication key.
//!
//! ```
//! use scrm_core::push::{PushRequest, Received};
//! use scrm_core::{HeaderMap, Method};
//! use scrm_weiban::push::PushReceiver;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The vendor's published URL-verification vector.
//! let receiver = PushReceiver::builder()
//!     .token("hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo")
//!     .encoding_aes_key("6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt")
//!     .receive_id("ww1436e0e65a779aee")
//!     .build()?;
//! let query = "msg_signature=8ddba101fe5f9404e6b28e2d6cfb7565c7572d09&timestamp=1639731768\
//!     &nonce=64390332&echostr=505deLub74lMxyhj6SZk55rjDRxM7lEzVa%2F8ZFdOUWkkv9kFpNI%2B9c3YLRLDjL\
//!     %2B1GEIWpvuQSFw2ck2zb0QcAQ%3D%3D";
//! let headers = HeaderMap::new();
//! let received = receiver.receive(&PushRequest::new(&Method::GET, query, &headers, b""))?;
//! assert!(matches!(received, Received::Handshake(_)));
//! assert_eq!(received.reply().body, b"80908904");
//! # Ok(()) }
//! ```

use std::fmt;

use aes::Aes256;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use scrm_core::push::{
    PushError, PushErrorKind, PushEvent, PushReply, PushRequest, Received, Verified, check_request,
    config_error, describe_serde, not_padded, required_secret, signature_matches,
};
use scrm_core::{Error, ErrorKind, Method, Secret};
use serde::Deserialize;
use sha1::{Digest, Sha1};

const VENDOR: &str = "weiban";

/// The reply to an accepted event push.
pub const EVENT_REPLY: &[u8] = br#"{"errcode":0}"#;

/// Block size of weiban's PKCS#7 padding (32, not AES's 16).
const PAD_BLOCK: usize = 32;

/// Standard base64 that ignores the spare bits of the last character and any padding: the
/// vendor's own sample key has nonzero spare bits.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The standard base64 weiban uses for `encrypt` and `echostr`.
const STANDARD: GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// `msg_signature`: lowercase hex `sha1` of the four strings sorted and concatenated.
///
/// ```
/// assert_eq!(
///     scrm_weiban::push::signature(
///         "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
///         "1639731768",
///         "64390332",
///         "505deLub74lMxyhj6SZk55rjDRxM7lEzVa/8ZFdOUWkkv9kFpNI+9c3YLRLDjL+1GEIWpvuQSFw2ck2zb0QcAQ==",
///     ),
///     "8ddba101fe5f9404e6b28e2d6cfb7565c7572d09",
/// );
/// ```
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut parts = [token, timestamp, nonce, encrypt];
    parts.sort_unstable();
    let mut hasher = Sha1::new();
    for p in parts {
        hasher.update(p.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The push secrets, checked.
#[derive(Clone)]
struct Keys {
    token: Secret,
    /// AES-256 key; the IV is its first 16 bytes.
    aes_key: [u8; 32],
    receive_id: String,
}

impl Keys {
    fn iv(&self) -> &[u8] {
        &self.aes_key[..16]
    }
}

/// Verifies and decrypts weiban pushes. Build with [`PushReceiver::builder`].
///
/// `Debug` never shows the token or the key.
#[derive(Clone)]
pub struct PushReceiver {
    keys: Keys,
}

impl fmt::Debug for PushReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushReceiver")
            .field("vendor", &VENDOR)
            .field("token", &"***")
            .field("encoding_aes_key", &"***")
            .field("receive_id", &self.keys.receive_id)
            .finish()
    }
}

scrm_core::push_receiver_builder! {
    /// Builds a [`PushReceiver`] (and its [`PushSender`]) from weiban's push secrets.
    pub struct PushReceiverBuilder for PushReceiver {
        secrets {
            /// The `Token` of weiban's subscription settings (signs every push).
            token: Secret,
            /// The 43-character `EncodingAESKey` of weiban's subscription settings.
            encoding_aes_key: Secret,
            /// The `ReceiveId` every push must carry inside its encrypted part (in the vendor's
            /// sample a `ww…` corp id).
            receive_id: String,
        }
    }
}

impl PushReceiverBuilder {
    /// Checks the secrets: a configuration error names what is wrong (missing value, key
    /// length, key alphabet) without showing any secret.
    pub fn build(self) -> Result<PushReceiver, Error> {
        let token = required_secret(
            VENDOR,
            self.token,
            "the push Token",
            "the push Token is missing or empty: copy it from weiban's 消息订阅 settings",
        )?;
        let key = self.encoding_aes_key.ok_or_else(|| {
            config_error(VENDOR, "the EncodingAESKey is missing: copy the 43-character key from weiban's 消息订阅 settings")
        })?;
        let aes_key = decode_encoding_aes_key(key.expose())?;
        let receive_id = self
            .receive_id
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                config_error(
                    VENDOR,
                    "the ReceiveId is missing or empty: it is the id every push carries inside its encrypted part (in weiban's sample a `ww…` corp id)",
                )
            })?;
        not_padded(VENDOR, "the ReceiveId", &receive_id)?;
        Ok(PushReceiver {
            keys: Keys {
                token,
                aes_key,
                receive_id,
            },
        })
    }
}

/// The AES key of a 43-character EncodingAESKey (base64 without its `=`, spare bits ignored).
fn decode_encoding_aes_key(key: &str) -> Result<[u8; 32], Error> {
    let len = key.chars().count();
    if len != 43 {
        let hint = if len == 44 && key.ends_with('=') {
            "; drop the trailing `=`"
        } else if key.trim().len() != key.len() {
            "; it has leading or trailing whitespace"
        } else {
            ""
        };
        return Err(config_error(
            VENDOR,
            format!(
                "the EncodingAESKey must be exactly 43 characters, it has {len}{hint}: copy it whole from weiban's 消息订阅 settings (it is not the Token, nor the API secret)"
            ),
        ));
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return Err(config_error(
            VENDOR,
            "the EncodingAESKey may contain only A-Z, a-z, 0-9, `+` and `/`: check that it was copied exactly",
        ));
    }
    let bytes = LENIENT_BASE64.decode(key).map_err(|_| {
        config_error(
            VENDOR,
            "the EncodingAESKey is not valid base64: check that it was copied exactly",
        )
    })?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        config_error(
            VENDOR,
            "the EncodingAESKey does not decode to 32 bytes: check that it was copied exactly",
        )
    })
}

fn refuse(kind: PushErrorKind, message: impl Into<std::borrow::Cow<'static, str>>) -> PushError {
    PushError::new(VENDOR, kind, message)
}

/// The body of an event push (only `encrypt` is needed; the rest is not signed).
#[derive(Deserialize)]
struct EncryptedBody<'a> {
    #[serde(borrow)]
    encrypt: std::borrow::Cow<'a, str>,
}

impl PushReceiver {
    /// The sending side with the same secrets (for the sandbox and for tests).
    pub fn sender(&self) -> PushSender {
        PushSender {
            keys: self.keys.clone(),
        }
    }

    /// Verifies and decrypts one request: a URL check (`GET`) or an event (`POST`).
    ///
    /// Refusals: [`PushErrorKind::BadSignature`] (missing/wrong `msg_signature`, or a missing
    /// `timestamp`/`nonce` it covers), [`PushErrorKind::Malformed`] (no `echostr`, body not
    /// the documented JSON, decrypted event not a JSON object with an `id`),
    /// [`PushErrorKind::Undecryptable`] (signed but not decryptable: wrong EncodingAESKey),
    /// [`PushErrorKind::WrongReceiver`] (another receive id inside), [`PushErrorKind::TooLarge`],
    /// [`PushErrorKind::MethodNotAllowed`].
    pub fn receive(&self, request: &PushRequest<'_>) -> Result<Received<WeibanPush>, PushError> {
        check_request(
            VENDOR,
            request,
            &[Method::GET, Method::POST],
            "weiban verifies the URL with GET and pushes events with POST",
        )?;
        if *request.method == Method::GET {
            let echostr = request.query_param("echostr").ok_or_else(|| {
                refuse(
                    PushErrorKind::Malformed,
                    "a GET is a URL verification and needs `echostr` in the query",
                )
            })?;
            let msg = self.verify_and_open(request, &echostr)?;
            return Ok(Received::Handshake(PushReply::text(msg)));
        }
        let body: EncryptedBody<'_> = serde_json::from_slice(request.body).map_err(|_| {
            refuse(
                PushErrorKind::Malformed,
                "the body is not the documented JSON object with an `encrypt` string",
            )
        })?;
        let msg = self.verify_and_open(request, &body.encrypt)?;
        let payload: serde_json::Value = serde_json::from_slice(&msg)
            .map_err(|_| refuse(PushErrorKind::Malformed, "the decrypted event is not JSON"))?;
        let typed = WeibanPush::deserialize(&payload).map_err(|e| {
            refuse(
                PushErrorKind::Malformed,
                format!(
                    "the decrypted event is not the documented envelope: {}",
                    describe_serde(&e)
                ),
            )
        })?;
        let event = PushEvent::new(
            VENDOR,
            typed.id.clone(),
            typed.event.clone().unwrap_or_default(),
            payload,
        );
        Ok(Received::Event(Verified::new(
            event,
            typed,
            PushReply::json(EVENT_REPLY),
        )))
    }

    /// Checks `msg_signature` over `encrypt`, decrypts it and checks the receive id: the
    /// plaintext message.
    fn verify_and_open(
        &self,
        request: &PushRequest<'_>,
        encrypt: &str,
    ) -> Result<Vec<u8>, PushError> {
        let missing = |field: &'static str| {
            refuse(
                PushErrorKind::BadSignature,
                format!("`{field}` is missing from the query: the signature cannot be checked"),
            )
        };
        let received = request
            .query_param("msg_signature")
            .ok_or_else(|| missing("msg_signature"))?;
        let timestamp = request
            .query_param("timestamp")
            .ok_or_else(|| missing("timestamp"))?;
        let nonce = request
            .query_param("nonce")
            .ok_or_else(|| missing("nonce"))?;
        let expected = signature(self.keys.token.expose(), &timestamp, &nonce, encrypt);
        if !signature_matches(&expected, &received) {
            return Err(refuse(
                PushErrorKind::BadSignature,
                "`msg_signature` does not match: check the Token (or the push is forged)",
            ));
        }
        open(&self.keys, encrypt)
    }
}

/// Decrypts `encrypt` and checks the receive id; every length is bounds-checked (a wrong key
/// gives garbage, not a crash).
fn open(keys: &Keys, encrypt: &str) -> Result<Vec<u8>, PushError> {
    let undecryptable = |what: &str| {
        refuse(
            PushErrorKind::Undecryptable,
            format!("{what}: the signature matched, so check the EncodingAESKey"),
        )
    };
    let mut buf = STANDARD
        .decode(encrypt.trim())
        .map_err(|_| refuse(PushErrorKind::Malformed, "the encrypted part is not base64"))?;
    if buf.is_empty() || buf.len() % 16 != 0 {
        return Err(undecryptable(
            "the encrypted part is not a whole number of AES blocks",
        ));
    }
    let dec = cbc::Decryptor::<Aes256>::new_from_slices(&keys.aes_key, keys.iv())
        .map_err(|_| undecryptable("the AES key or IV has the wrong length"))?;
    let plain = dec
        .decrypt_padded::<NoPadding>(&mut buf)
        .map_err(|_| undecryptable("AES-CBC decryption failed"))?;
    let pad = usize::from(*plain.last().unwrap_or(&0));
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(undecryptable("the padding is invalid"));
    }
    let (content, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) {
        return Err(undecryptable("the padding is invalid"));
    }
    if content.len() < 20 {
        return Err(undecryptable("the decrypted content is too short"));
    }
    let len_bytes: [u8; 4] = [content[16], content[17], content[18], content[19]];
    let msg_len = u32::from_be_bytes(len_bytes) as usize;
    let rest = &content[20..];
    if msg_len > rest.len() {
        return Err(undecryptable(
            "the length prefix is larger than the decrypted content",
        ));
    }
    let (msg, receive_id) = rest.split_at(msg_len);
    if receive_id != keys.receive_id.as_bytes() {
        return Err(refuse(
            PushErrorKind::WrongReceiver,
            format!(
                "the push is for another receive id ({} bytes, the configured one has {}): check the ReceiveId",
                receive_id.len(),
                keys.receive_id.len()
            ),
        ));
    }
    Ok(msg.to_vec())
}

/// The decrypted envelope of a weiban event push (the vendor's code sample; the full event list
/// is not published). The event-specific data stays raw in `msg_data`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct WeibanPush {
    /// The event id (a UUID): the deduplication key across redeliveries.
    pub id: String,
    /// The corp id.
    #[serde(default)]
    pub corp_id: Option<String>,
    /// When the event was created, in seconds (a float in the sample), kept as sent.
    #[serde(default)]
    pub create_time: Option<serde_json::Number>,
    /// `type` (e.g. `event`).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The event name (e.g. `meeting_change`).
    #[serde(default)]
    pub event: Option<String>,
    /// The change (e.g. `create`).
    #[serde(default)]
    pub status: Option<String>,
    /// How many times this event was delivered before.
    #[serde(default)]
    pub retry_count: Option<u64>,
    /// The sequence number.
    #[serde(default)]
    pub seq: Option<serde_json::Number>,
    /// The event data, raw.
    #[serde(default)]
    pub msg_data: serde_json::Value,
    /// Keys this version does not model.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

pub use scrm_core::push::SealedPush;

/// Signs and encrypts weiban pushes, as weiban does (for the sandbox and for tests of code
/// that receives pushes). Obtain it from [`PushReceiver::sender`].
///
/// ```
/// use scrm_core::push::{PushRequest, Received};
/// use scrm_core::HeaderMap;
/// use scrm_weiban::push::PushReceiver;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let receiver = PushReceiver::builder()
///     .token("token")
///     .encoding_aes_key("6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt")
///     .receive_id("ww1436e0e65a779aee")
///     .build()?;
/// let push = receiver.sender().seal(br#"{"id":"e1","event":"meeting_change"}"#, "1700000000", "42")?;
/// let headers = HeaderMap::new();
/// let received = receiver.receive(&PushRequest::new(&push.method, &push.query, &headers, &push.body))?;
/// assert_eq!(received.event().map(|v| v.event.id.as_str()), Some("e1"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PushSender {
    keys: Keys,
}

impl fmt::Debug for PushSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushSender")
            .field("vendor", &VENDOR)
            .field("receive_id", &self.keys.receive_id)
            .finish_non_exhaustive()
    }
}

impl PushSender {
    /// An event push of `event` (the envelope JSON) with a random 16-byte prefix.
    pub fn seal(&self, event: &[u8], timestamp: &str, nonce: &str) -> Result<SealedPush, Error> {
        let encrypt = self.encrypt(event, &random16()?);
        Ok(self.seal_encrypted(&encrypt, timestamp, nonce))
    }

    /// The event push of an already encrypted `encrypt` (for forged or replayed pushes).
    pub fn seal_encrypted(&self, encrypt: &str, timestamp: &str, nonce: &str) -> SealedPush {
        let sig = signature(self.keys.token.expose(), timestamp, nonce, encrypt);
        let body = serde_json::json!({
            "corp_id": self.keys.receive_id,
            "app_id": "",
            "encrypt": encrypt,
        });
        SealedPush {
            method: Method::POST,
            query: query(&sig, timestamp, nonce, None),
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.to_string().into_bytes(),
        }
    }

    /// A URL verification carrying `echo` (the reply must be `echo`).
    pub fn seal_url_check(
        &self,
        echo: &[u8],
        timestamp: &str,
        nonce: &str,
    ) -> Result<SealedPush, Error> {
        let encrypt = self.encrypt(echo, &random16()?);
        let sig = signature(self.keys.token.expose(), timestamp, nonce, &encrypt);
        Ok(SealedPush {
            method: Method::GET,
            query: query(&sig, timestamp, nonce, Some(&encrypt)),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// `base64(AES-256-CBC(random ‖ u32_be(len) ‖ msg ‖ receive_id ‖ pad32))`.
    pub fn encrypt(&self, msg: &[u8], random: &[u8; 16]) -> String {
        let mut plain = Vec::with_capacity(msg.len() + 64);
        plain.extend_from_slice(random);
        plain.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        plain.extend_from_slice(msg);
        plain.extend_from_slice(self.keys.receive_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.resize(plain.len() + pad, pad as u8);
        let len = plain.len();
        // The key and IV lengths are fixed by `Keys`, and `plain` is a whole number of blocks.
        match cbc::Encryptor::<Aes256>::new_from_slices(&self.keys.aes_key, self.keys.iv()) {
            Ok(enc) => {
                if enc.encrypt_padded::<NoPadding>(&mut plain, len).is_err() {
                    plain.clear();
                }
            }
            Err(_) => plain.clear(),
        }
        STANDARD.encode(&plain)
    }
}

fn query(sig: &str, timestamp: &str, nonce: &str, echostr: Option<&str>) -> String {
    let mut q = form(&[
        ("msg_signature", sig),
        ("timestamp", timestamp),
        ("nonce", nonce),
    ]);
    if let Some(e) = echostr {
        q.push('&');
        q.push_str(&form(&[("echostr", e)]));
    }
    q
}

/// `k=v&…` with every value percent-encoded (RFC 3986 unreserved kept).
fn form(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect::<Vec<_>>()
        .join("&")
}

fn random16() -> Result<[u8; 16], Error> {
    let mut r = [0u8; 16];
    getrandom::fill(&mut r).map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("no system randomness for the push prefix: {e}"),
        )
        .with_vendor(VENDOR)
        .with_operation("push sender")
    })?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use scrm_core::HeaderMap;

    const TOKEN: &str = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
    const KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
    const RECEIVE_ID: &str = "ww1436e0e65a779aee";
    const ECHOSTR: &str =
        "505deLub74lMxyhj6SZk55rjDRxM7lEzVa/8ZFdOUWkkv9kFpNI+9c3YLRLDjL+1GEIWpvuQSFw2ck2zb0QcAQ==";

    fn receiver() -> PushReceiver {
        PushReceiver::builder()
            .token(TOKEN)
            .encoding_aes_key(KEY)
            .receive_id(RECEIVE_ID)
            .build()
            .unwrap()
    }

    #[test]
    fn vendor_key_has_nonzero_spare_bits_and_still_decodes() {
        assert!(
            base64::engine::general_purpose::STANDARD
                .decode(format!("{KEY}="))
                .is_err()
        );
        assert_eq!(decode_encoding_aes_key(KEY).unwrap().len(), 32);
    }

    #[test]
    fn vendor_vector_pad_is_18() {
        let keys = receiver().keys;
        let mut buf = STANDARD.decode(ECHOSTR).unwrap();
        let dec = cbc::Decryptor::<Aes256>::new_from_slices(&keys.aes_key, keys.iv()).unwrap();
        let plain = dec.decrypt_padded::<NoPadding>(&mut buf).unwrap();
        assert_eq!(*plain.last().unwrap(), 18);
        assert_eq!(open(&keys, ECHOSTR).unwrap(), b"80908904");
    }

    #[test]
    fn plus_in_raw_query_is_not_a_space() {
        // An echostr sent with a literal `+` (not %2B) must still verify.
        let sig = signature(TOKEN, "1639731768", "64390332", ECHOSTR);
        let q =
            format!("msg_signature={sig}&timestamp=1639731768&nonce=64390332&echostr={ECHOSTR}");
        let h = HeaderMap::new();
        let r = receiver()
            .receive(&PushRequest::new(&Method::GET, &q, &h, b""))
            .unwrap();
        assert_eq!(r.reply().body, b"80908904");
    }
}
