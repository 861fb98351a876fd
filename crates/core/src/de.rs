//! Lenient serde helpers for what the vendors actually send.
//!
//! Every type here serializes back to the vendor's wire form (an id that came as a number goes
//! out as a number, a JSON-in-string field as its original string), so a record written out
//! again looks as the vendor documents it, while Rust code sees typed values.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;
use std::time::SystemTime;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// China Standard Time, UTC+8 (no daylight saving since 1991).
pub const CHINA: UtcOffset = offset!(+8);

/// An id that vendors send as a JSON number or a string, never read through `f64`.
///
/// ```
/// use scrm_core::de::Id;
/// let a: Id = serde_json::from_str("9007199254740993").unwrap(); // 2^53 + 1
/// let b: Id = serde_json::from_str("\"9007199254740993\"").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.as_str(), "9007199254740993");
/// assert_eq!(serde_json::to_string(&a).unwrap(), "9007199254740993");
/// assert_eq!(serde_json::to_string(&b).unwrap(), "\"9007199254740993\"");
/// assert!(serde_json::from_str::<Id>("1.5").is_err());
/// ```
#[derive(Clone)]
pub struct Id {
    repr: IdRepr,
}

/// How an [`Id`] holds its value: a JSON number as the integer, its text formatted once, on
/// first use (most ids of a page are numbers, and formatting every one while decoding was a
/// measurable part of decoding a page, so a record pays for the text only where it is read);
/// a string as sent. 40 bytes.
#[derive(Clone)]
enum IdRepr {
    /// A non-negative JSON number.
    Unsigned(u64, OnceLock<ShortText>),
    /// A negative JSON number.
    Signed(i64, OnceLock<ShortText>),
    /// Text as the vendor sent it.
    Text(String),
}

/// Text of at most [`SHORT_TEXT`] bytes held inline, padded with NUL bytes (which the texts
/// kept here never contain): an integer's digits, a date-time as the vendor wrote it. Keeps a
/// record's most common short texts out of the allocator (each heap string a record holds costs
/// its allocation while a page decodes and its release when the page is dropped).
#[derive(Clone)]
struct ShortText([u8; SHORT_TEXT]);

/// Room for the longest integer a JSON number id can be (`-9223372036854775808` and
/// `18446744073709551615` are 20 characters) and for `yyyy-MM-dd HH:mm:ss` (19).
const SHORT_TEXT: usize = 20;

impl ShortText {
    /// `text` inline, if it fits and holds no NUL byte.
    fn new(text: &str) -> Option<ShortText> {
        let b = text.as_bytes();
        if b.len() > SHORT_TEXT || b.contains(&0) {
            return None;
        }
        let mut bytes = [0u8; SHORT_TEXT];
        bytes[..b.len()].copy_from_slice(b);
        Some(ShortText(bytes))
    }

    /// The decimal text of an integer (which always fits).
    fn digits(value: impl itoa::Integer) -> ShortText {
        ShortText::new(itoa::Buffer::new().format(value)).unwrap_or(ShortText([0; SHORT_TEXT]))
    }

    fn as_str(&self) -> &str {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(SHORT_TEXT);
        // A whole `&str` was copied in, so the bytes before the padding are UTF-8.
        std::str::from_utf8(&self.0[..len]).unwrap_or_default()
    }
}

impl Id {
    /// An id sent as a string.
    pub fn string(value: impl Into<String>) -> Self {
        Id {
            repr: IdRepr::Text(value.into()),
        }
    }

    /// An id sent as a JSON number.
    pub fn number(value: u64) -> Self {
        Id {
            repr: IdRepr::Unsigned(value, OnceLock::new()),
        }
    }

    /// An id sent as a JSON number that may be negative.
    fn signed(value: i64) -> Self {
        let repr = match u64::try_from(value) {
            Ok(v) => IdRepr::Unsigned(v, OnceLock::new()),
            Err(_) => IdRepr::Signed(value, OnceLock::new()),
        };
        Id { repr }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match &self.repr {
            IdRepr::Unsigned(v, text) => text.get_or_init(|| ShortText::digits(*v)).as_str(),
            IdRepr::Signed(v, text) => text.get_or_init(|| ShortText::digits(*v)).as_str(),
            IdRepr::Text(s) => s,
        }
    }

    /// The id as an integer, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.repr {
            IdRepr::Unsigned(v, _) => Some(*v),
            IdRepr::Signed(..) => None,
            IdRepr::Text(s) => s.parse().ok(),
        }
    }

    /// Whether the vendor sent it as a JSON number.
    pub fn is_numeric(&self) -> bool {
        !matches!(self.repr, IdRepr::Text(_))
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        match (&self.repr, &other.repr) {
            (IdRepr::Unsigned(a, _), IdRepr::Unsigned(b, _)) => a == b,
            (IdRepr::Signed(a, _), IdRepr::Signed(b, _)) => a == b,
            (IdRepr::Unsigned(..), IdRepr::Signed(..))
            | (IdRepr::Signed(..), IdRepr::Unsigned(..)) => false,
            _ => self.as_str() == other.as_str(),
        }
    }
}
impl Eq for Id {}
impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}
impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Id {
    /// Numeric ids order numerically, then text.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if let (IdRepr::Unsigned(a, _), IdRepr::Unsigned(b, _)) = (&self.repr, &other.repr) {
            return a.cmp(b);
        }
        let (a, b) = (self.as_str(), other.as_str());
        (a.len(), a).cmp(&(b.len(), b))
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.as_str())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Id {
    fn from(v: &str) -> Self {
        Id::string(v)
    }
}
impl From<String> for Id {
    fn from(v: String) -> Self {
        Id::string(v)
    }
}
impl From<u64> for Id {
    fn from(v: u64) -> Self {
        Id::number(v)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.repr {
            IdRepr::Unsigned(v, _) => s.serialize_u64(*v),
            IdRepr::Signed(v, _) => s.serialize_i64(*v),
            IdRepr::Text(text) => s.serialize_str(text),
        }
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = Id;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id (integer or string)")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
        Ok(Id::number(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
        Ok(Id::signed(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
        Err(E::custom(format!(
            "an id must be an integer or a string, got the number {v}, which cannot be read without losing digits"
        )))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
        Ok(Id::string(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
        Ok(Id::string(v))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdVisitor)
    }
}

/// `Option<Id>` where `null`, `""` and `"-1"` mean absent (`#[serde(deserialize_with)]`).
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Id>, D::Error> {
    Ok(Option::<Id>::deserialize(d)?.filter(|id| !matches!(id.as_str(), "" | "-1")))
}

/// `Option<String>` where `null` and `""` mean absent (`#[serde(deserialize_with)]`).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// An integer sent as a JSON number or a numeric string (`#[serde(deserialize_with)]`).
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or a string holding one")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is too large")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::custom(format!("expected an integer, got the string {v:?}")))
        }
    }
    d.deserialize_any(V)
}

/// `Option<i64>` from a number, a numeric string, `null` or `""`.
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    read_scalar(d)
}

/// A JSON document the vendor sends inside a string, decoded into `T` with the original string
/// kept (and sent back out unchanged when serialized).
///
/// The string is checked when the record is read (a document that does not decode into `T`
/// fails the record, naming the path inside it), and the decoded value is built on the first
/// call of [`value`](Self::value) and kept: a record that is only stored or forwarded (an
/// export writes the string back as received) holds the string alone. Holding every decoded
/// document of a page cost about a sixth of decoding a page of tanma customer files, each
/// document's strings live allocations until the page is dropped; the check decodes and drops
/// the value, which is what a hand-written reader that looks at the document does.
///
/// ```
/// use scrm_core::de::JsonString;
/// #[derive(serde::Deserialize, Debug, Default)]
/// struct File { name: String }
/// let f: JsonString<File> = serde_json::from_str(r#""{\"name\":\"a.rar\"}""#).unwrap();
/// assert_eq!(f.value().name, "a.rar");
/// assert_eq!(f.raw(), r#"{"name":"a.rar"}"#);
/// let bad = serde_json::from_str::<JsonString<File>>(r#""{oops""#).unwrap_err();
/// assert!(bad.to_string().contains("invalid JSON inside the string"));
/// ```
#[derive(Clone)]
pub struct JsonString<T> {
    raw: String,
    /// The decoded value once asked for (boxed: a record holds it only after that).
    value: OnceLock<Box<T>>,
}

impl<T> JsonString<T> {
    /// The string as the vendor sent it.
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl<T: DeserializeOwned + Default> JsonString<T> {
    /// The decoded value (decoded on the first call, then kept).
    pub fn value(&self) -> &T {
        self.value.get_or_init(|| Box::new(Self::decode(&self.raw)))
    }

    /// The decoded value, by value.
    pub fn into_value(self) -> T {
        match self.value.into_inner() {
            Some(value) => *value,
            None => Self::decode(&self.raw),
        }
    }

    /// Decodes a string [`parse`](Self::parse) accepted, which decodes again the same way
    /// (the default is never reached).
    fn decode(raw: &str) -> T {
        serde_json::from_str(raw).unwrap_or_default()
    }
}

impl<T: Serialize> JsonString<T> {
    /// Encodes `value` as the string the vendor expects.
    pub fn new(value: T) -> Result<Self, serde_json::Error> {
        let raw = serde_json::to_string(&value)?;
        Ok(JsonString {
            raw,
            value: OnceLock::from(Box::new(value)),
        })
    }
}

impl<T: DeserializeOwned> JsonString<T> {
    /// Checks that `raw` decodes into `T` and keeps it.
    pub fn parse(raw: impl Into<String>) -> Result<Self, String> {
        let raw = raw.into();
        decode_json_text::<T>(&raw)?;
        Ok(JsonString {
            raw,
            value: OnceLock::new(),
        })
    }
}

/// Decodes a JSON document held in a string (what [`JsonString`] checks), or says why not:
/// "invalid JSON inside the string at `path`: …".
pub fn decode_json_text<T: DeserializeOwned>(raw: &str) -> Result<T, String> {
    // Fast path: plain serde_json. Tracking the path costs a string per key on every record,
    // so it is only paid to explain a failure (the second parse below).
    if let Ok(value) = serde_json::from_str::<T>(raw) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            format!("invalid JSON inside the string: {inner}")
        } else {
            format!("invalid JSON inside the string at `{path}`: {inner}")
        }
    })
}

impl<T> PartialEq for JsonString<T> {
    /// Documents are equal when their strings are (the value follows from the string).
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<T: fmt::Debug + DeserializeOwned + Default> fmt::Debug for JsonString<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonString")
            .field("value", self.value())
            .field("raw", &self.raw)
            .finish()
    }
}

impl<T> Serialize for JsonString<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonString<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        JsonString::parse(raw).map_err(de::Error::custom)
    }
}

/// `Option<JsonString<T>>` where `null` and `""` mean absent.
pub fn opt_json_string<'de, D, T>(d: D) -> Result<Option<JsonString<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => JsonString::parse(s).map(Some).map_err(de::Error::custom),
    }
}

macro_rules! unix_time {
    ($(#[$m:meta])* $name:ident, $per_sec:expr, $unit:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl $name {
            /// The instant, if representable.
            pub fn to_datetime(self) -> Option<OffsetDateTime> {
                OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(self.0) * (1_000_000_000 / $per_sec),
                )
                .ok()
            }

            /// From a system time.
            pub fn from_system_time(t: SystemTime) -> Self {
                let nanos = OffsetDateTime::from(t).unix_timestamp_nanos();
                $name((nanos / (1_000_000_000 / $per_sec)) as i64)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                int(d).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", self.0, $unit)
            }
        }
    };
}

unix_time!(
    /// Seconds since the Unix epoch (number or numeric string on the wire).
    UnixSeconds,
    1,
    "s"
);
unix_time!(
    /// Milliseconds since the Unix epoch (number or numeric string on the wire).
    UnixMillis,
    1_000,
    "ms"
);

/// A local date-time in China time (UTC+8) as vendors write it: `yyyy-MM-dd HH:mm`,
/// `yyyy-MM-dd HH:mm:ss`, with optional fractional seconds, or a bare `yyyy-MM-dd`.
/// Serializes back to the original text.
///
/// ```
/// use scrm_core::de::ChinaDateTime;
/// let t: ChinaDateTime = serde_json::from_str("\"2020-11-19 10:33\"").unwrap();
/// assert_eq!(t.datetime().unix_timestamp(), 1605753180);
/// assert_eq!(t.as_str(), "2020-11-19 10:33");
/// let s = ChinaDateTime::from_unix_seconds(1605753180).unwrap();
/// assert_eq!(s.as_str(), "2020-11-19 10:33:00");
/// ```
#[derive(Clone)]
pub struct ChinaDateTime {
    at: OffsetDateTime,
    text: SmallText,
}

/// Text inline when short ([`ShortText`]: a date-time of `yyyy-MM-dd HH:mm:ss` or shorter, most
/// keys of undocumented fields, most tanma clue field names and values), on the heap
/// otherwise. 24 bytes, as a `String`. Internal to the vendor crates.
#[doc(hidden)]
#[derive(Clone)]
pub struct SmallText(SmallRepr);

#[derive(Clone)]
enum SmallRepr {
    Short(ShortText),
    Long(Box<str>),
}

impl SmallText {
    /// `text`, copied.
    pub fn new(text: &str) -> SmallText {
        SmallText(
            ShortText::new(text).map_or_else(|| SmallRepr::Long(text.into()), SmallRepr::Short),
        )
    }

    /// `text`, kept (a short one is copied in and its buffer freed).
    pub fn from_string(text: String) -> SmallText {
        SmallText(match ShortText::new(&text) {
            Some(short) => SmallRepr::Short(short),
            None => SmallRepr::Long(text.into_boxed_str()),
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            SmallRepr::Short(t) => t.as_str(),
            SmallRepr::Long(t) => t,
        }
    }

    /// The text as a `String`.
    pub fn into_string(self) -> String {
        match self.0 {
            SmallRepr::Short(t) => t.as_str().to_owned(),
            SmallRepr::Long(t) => t.into_string(),
        }
    }

    #[cfg(test)]
    fn is_inline(&self) -> bool {
        matches!(self.0, SmallRepr::Short(_))
    }
}

impl fmt::Debug for SmallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for SmallText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl ChinaDateTime {
    /// Parses one of the accepted formats.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let minutes = format_description!("[year]-[month]-[day] [hour]:[minute]");
        let seconds = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        let fraction =
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
        let date = format_description!("[year]-[month]-[day]");
        let local = parse_common(t)
            .ok_or(())
            .or_else(|()| PrimitiveDateTime::parse(t, seconds))
            .or_else(|_| PrimitiveDateTime::parse(t, minutes))
            .or_else(|_| PrimitiveDateTime::parse(t, fraction))
            .or_else(|_| time::Date::parse(t, date).map(|d| d.midnight()))
            .map_err(|_| {
                format!(
                    "expected a China-time date like \"2024-01-31 08:00:00\", \"2024-01-31 08:00\" or \"2024-01-31\", got {text:?}"
                )
            })?;
        Ok(ChinaDateTime {
            at: local.assume_offset(CHINA),
            text: SmallText::new(text),
        })
    }

    /// The instant at `datetime`, written `yyyy-MM-dd HH:mm:ss` in China time.
    pub fn new(datetime: OffsetDateTime) -> Self {
        let at = datetime.to_offset(CHINA);
        let text = format_china(
            at,
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        );
        ChinaDateTime {
            at,
            text: SmallText::from_string(text),
        }
    }

    /// From seconds since the epoch.
    pub fn from_unix_seconds(secs: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .map(Self::new)
    }

    /// The instant (offset +08:00).
    pub fn datetime(&self) -> OffsetDateTime {
        self.at
    }

    /// The text as the vendor sent it (or as we will send it).
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }
}

/// The shapes vendors send on every record — `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd HH:mm` and
/// `yyyy-MM-dd`, ASCII digits — read without the general format parser (which tries the
/// formats one after the other and was most of the cost of a date-time field). `None` for
/// anything else, including impossible dates and times: the general parser then decides, so
/// both paths accept exactly the same texts with the same meaning.
fn parse_common(t: &str) -> Option<PrimitiveDateTime> {
    let b = t.as_bytes();
    let num = |from: usize, to: usize| -> Option<u16> {
        b.get(from..to)?.iter().try_fold(0u16, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + u16::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-')) {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(num(5, 7)?).ok()?).ok()?;
    let day = u8::try_from(num(8, 10)?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(num(0, 4)?), month, day).ok()?;
    let clock = |i: usize| -> Option<u8> { u8::try_from(num(i, i + 2)?).ok() };
    let (hour, minute, second) = match b.len() {
        10 => (0, 0, 0),
        16 if at(10, b' ') && at(13, b':') => (clock(11)?, clock(14)?, 0),
        19 if at(10, b' ') && at(13, b':') && at(16, b':') => (clock(11)?, clock(14)?, clock(17)?),
        _ => return None,
    };
    let time = time::Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

fn format_china(
    at: OffsetDateTime,
    f: &[time::format_description::BorrowedFormatItem<'_>],
) -> String {
    // Formatting a valid date with a static description cannot fail; fall back to RFC 3339.
    at.format(f).unwrap_or_else(|_| at.to_string())
}

/// `yyyyMMddHHmmss` in China time, whatever this machine's time zone (waiqin's timestamp).
pub fn china_compact(t: SystemTime) -> String {
    format_china(
        OffsetDateTime::from(t).to_offset(CHINA),
        format_description!("[year][month][day][hour][minute][second]"),
    )
}

impl PartialEq for ChinaDateTime {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for ChinaDateTime {}

impl fmt::Debug for ChinaDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChinaDateTime({})", self.as_str())
    }
}

impl fmt::Display for ChinaDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChinaDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ChinaDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ChinaDateTime::parse(&s).map_err(de::Error::custom)
    }
}

/// `Option<ChinaDateTime>` where `null` and `""` mean absent.
pub fn opt_china_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<ChinaDateTime>, D::Error> {
    match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => ChinaDateTime::parse(&s)
            .map(Some)
            .map_err(de::Error::custom),
    }
}

/// A calendar date written `yyyy-MM-dd` (waiqin's date filters).
///
/// ```
/// use scrm_core::de::ChinaDate;
/// let d = ChinaDate::parse("2024-02-29").unwrap();
/// assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-02-29\"");
/// assert!(ChinaDate::parse("2023-02-29").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChinaDate(pub time::Date);

impl ChinaDate {
    /// Parses `yyyy-MM-dd`.
    pub fn parse(text: &str) -> Result<Self, String> {
        time::Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
            .map(ChinaDate)
            .map_err(|_| format!("expected a date like \"2024-01-31\", got {text:?}"))
    }

    /// Today in China.
    pub fn today_in_china(now: SystemTime) -> Self {
        ChinaDate(OffsetDateTime::from(now).to_offset(CHINA).date())
    }
}

impl fmt::Display for ChinaDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.0.year(), u8::from(self.0.month()), self.0.day());
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for ChinaDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChinaDate({self})")
    }
}

impl Serialize for ChinaDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChinaDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ChinaDate::parse(&s).map_err(de::Error::custom)
    }
}

/// Defines an enum of a vendor's documented codes that tolerates values it does not know
/// (`Unknown(..)`), reading them from a number or a string either way.
///
/// `: int` enums serialize as numbers, `: str` enums as strings.
///
/// ```
/// scrm_core::lenient_enum! {
///     /// Fill-in status.
///     pub enum DetailStatus: int {
///         /// Viewed, not filled.
///         Viewed = 0,
///         /// Filled, not submitted.
///         Filled = 1,
///     }
/// }
/// let s: DetailStatus = serde_json::from_str("\"1\"").unwrap();
/// assert_eq!(s, DetailStatus::Filled);
/// let u: DetailStatus = serde_json::from_str("7").unwrap();
/// assert_eq!(u, DetailStatus::Unknown(7));
/// assert_eq!(serde_json::to_string(&u).unwrap(), "7");
///
/// scrm_core::lenient_enum! {
///     /// Form status.
///     pub enum FormStatus: str {
///         /// Submitted.
///         Submit = "submit",
///     }
/// }
/// let f: FormStatus = serde_json::from_str("\"other\"").unwrap();
/// assert_eq!(f, FormStatus::Unknown("other".into()));
/// ```
#[macro_export]
macro_rules! lenient_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : int {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know.
            Unknown(i64),
        }

        impl $name {
            /// The value on the wire.
            pub fn code(&self) -> i64 {
                match self { $( Self::$variant => $value, )+ Self::Unknown(v) => *v }
            }

            /// The variant for a wire value.
            pub fn from_code(code: i64) -> Self {
                match code { $( $value => Self::$variant, )+ other => Self::Unknown(other) }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::de::int(d).map(Self::from_code)
            }
        }

        impl $crate::de::FromWire for $name {
            const TYPE: $crate::de::FieldType = $crate::de::FieldType::Code;
            fn read_wire<'de, D: ::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                Ok(<i64 as $crate::de::FromWire>::read_wire(d)?.map(Self::from_code))
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : str {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know.
            Unknown(String),
        }

        impl $name {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self { $( Self::$variant => $value, )+ Self::Unknown(v) => v }
            }

            /// The variant for a wire value.
            pub fn from_wire(value: &str) -> Self {
                match value { $( $value => Self::$variant, )+ other => Self::Unknown(other.to_owned()) }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::de::string_or_number(d).map(|s| Self::from_wire(&s))
            }
        }

        impl $crate::de::FromWire for $name {
            const TYPE: $crate::de::FieldType = $crate::de::FieldType::Code;
            fn read_wire<'de, D: ::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                Ok(<String as $crate::de::FromWire>::read_wire(d)?
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| Self::from_wire(&s)))
            }
        }
    };
}

/// A string, or a number turned into its decimal text (`#[serde(deserialize_with)]`).
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(V)
}

/// `Option<String>` from a string, a number, a boolean or `null` (`#[serde(deserialize_with)]`).
///
/// For the message fields of error answers: no odd value there should turn a vendor's error
/// into a decode error. Unlike [`opt_string`], `""` stays `Some("")`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Head {
///     #[serde(default, deserialize_with = "scrm_core::de::opt_text")]
///     msg: Option<String>,
/// }
/// let msg = |json: &str| serde_json::from_str::<Head>(json).unwrap().msg;
/// assert_eq!(msg(r#"{"msg":"ok"}"#).as_deref(), Some("ok"));
/// assert_eq!(msg(r#"{"msg":40001}"#).as_deref(), Some("40001"));
/// assert_eq!(msg(r#"{"msg":false}"#).as_deref(), Some("false"));
/// assert_eq!(msg(r#"{"msg":null}"#), None);
/// assert_eq!(msg(r#"{}"#), None);
/// ```
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "string_or_number")] String);
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

/// [`opt_text`] with `null` read as `""` (`#[serde(deserialize_with)]`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Head {
///     #[serde(default, deserialize_with = "scrm_core::de::text_or_empty")]
///     errmsg: String,
/// }
/// let errmsg = |json: &str| serde_json::from_str::<Head>(json).unwrap().errmsg;
/// assert_eq!(errmsg(r#"{"errmsg":"ok"}"#), "ok");
/// assert_eq!(errmsg(r#"{"errmsg":12}"#), "12");
/// assert_eq!(errmsg(r#"{"errmsg":null}"#), "");
/// ```
pub fn text_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_text(d)?.unwrap_or_default())
}

/// What a documented field holds, for tools that build requests from text (`scrm export
/// --param`) and print an operation's fields (`scrm ops`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// An integer (a JSON number, or digits in a string).
    Integer,
    /// A decimal number.
    Decimal,
    /// Text.
    Text,
    /// An id: a number or a string, up to 19 digits and more, never read through `f64`.
    Id,
    /// `true`/`false` (or `1`/`0`).
    Bool,
    /// Seconds since the Unix epoch.
    UnixSeconds,
    /// Milliseconds since the Unix epoch.
    UnixMillis,
    /// A China-time date, `yyyy-MM-dd`.
    Date,
    /// A China-time date and time, `yyyy-MM-dd HH:mm:ss`.
    DateTime,
    /// One of the vendor's documented codes.
    Code,
    /// A list (comma-separated on the command line).
    List,
    /// A JSON value (an object, or JSON inside a string).
    Json,
}

impl FieldType {
    /// How the type is named in `scrm ops` and in usage errors.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Integer => "integer",
            FieldType::Decimal => "number",
            FieldType::Text => "text",
            FieldType::Id => "id",
            FieldType::Bool => "true|false",
            FieldType::UnixSeconds => "epoch seconds",
            FieldType::UnixMillis => "epoch milliseconds",
            FieldType::Date => "yyyy-MM-dd",
            FieldType::DateTime => "yyyy-MM-dd HH:mm:ss",
            FieldType::Code => "code",
            FieldType::List => "list (comma-separated)",
            FieldType::Json => "JSON",
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// What a field type makes of each kind of JSON scalar (and of an array, for lists):
/// [`read_scalar`] reads `null` as absent and hands every other value to these; a kind a type
/// does not take is refused with [`EXPECTED`](Self::EXPECTED). One visitor serves every type,
/// with no intermediate value (a `Scalar` enum in between cost about a tenth of decoding a page
/// of integers).
#[doc(hidden)]
pub trait ReadScalar: Sized {
    /// What the field holds, for error messages ("an integer or a string holding one").
    const EXPECTED: &'static str;

    /// A JSON string.
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        refused::<Self, E>(de::Unexpected::Str(v))
    }
    /// A JSON string the deserializer already owns.
    fn owned_text<E: de::Error>(v: String) -> Result<Option<Self>, E> {
        Self::text(&v)
    }
    /// A non-negative integer.
    fn unsigned<E: de::Error>(v: u64) -> Result<Option<Self>, E> {
        refused::<Self, E>(de::Unexpected::Unsigned(v))
    }
    /// A negative integer.
    fn signed<E: de::Error>(v: i64) -> Result<Option<Self>, E> {
        refused::<Self, E>(de::Unexpected::Signed(v))
    }
    /// A number with a fraction or an exponent.
    fn float<E: de::Error>(v: f64) -> Result<Option<Self>, E> {
        refused::<Self, E>(de::Unexpected::Float(v))
    }
    /// `true` or `false`.
    fn boolean<E: de::Error>(v: bool) -> Result<Option<Self>, E> {
        refused::<Self, E>(de::Unexpected::Bool(v))
    }
    /// A JSON array (only lists take one).
    fn list<'de, A: de::SeqAccess<'de>>(_seq: A) -> Result<Option<Self>, A::Error> {
        refused::<Self, A::Error>(de::Unexpected::Seq)
    }
}

/// Reads a scalar field through its [`ReadScalar`]; `null` reads as absent, arrays and
/// objects are refused.
#[doc(hidden)]
#[inline]
pub fn read_scalar<'de, D: Deserializer<'de>, T: ReadScalar>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(ScalarVisitor::<T>(std::marker::PhantomData))
}

/// The refusal of a JSON scalar `T` does not take.
fn refused<T: ReadScalar, E: de::Error>(what: de::Unexpected<'_>) -> Result<Option<T>, E> {
    Err(E::invalid_type(what, &T::EXPECTED))
}

/// Reads a text field through `parse`, a blank text as absent (for [`ReadScalar::text`]).
#[doc(hidden)]
pub fn parse_text<T, E: de::Error>(
    v: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, E> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    parse(v).map(Some).map_err(E::custom)
}

struct ScalarVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: ReadScalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::boolean(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match u64::try_from(v) {
            Ok(v) => T::unsigned(v),
            Err(_) => T::signed(v),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::unsigned(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::float(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        T::text(v)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        T::owned_text(v)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::list(seq)
    }
}

/// A field type as vendors send it: what the field macros ([`crate::operation!`],
/// [`crate::record!`]) decode every field through, so that a number, a numeric string, `""`
/// and `null` all read as `Option<u64>`, `Option<Id>` or a timestamp without a per-field
/// attribute. `Ok(None)` means the vendor sent "no value".
pub trait FromWire: Sized {
    /// What the field holds, for the registry.
    const TYPE: FieldType;

    /// Reads a value, `None` for `null` (and `""` for every type but text).
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
}

/// Decodes an optional field through [`FromWire`] (`#[serde(deserialize_with)]`).
pub fn wire<'de, D: Deserializer<'de>, T: FromWire>(d: D) -> Result<Option<T>, D::Error> {
    T::read_wire(d)
}

/// The `DeserializeSeed` behind [`FromWire`] fields inside maps.
#[doc(hidden)]
pub struct WireSeed<T>(pub std::marker::PhantomData<T>);

impl<'de, T: FromWire> de::DeserializeSeed<'de> for WireSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::read_wire(d)
    }
}

macro_rules! wire_integer {
    ($($t:ty),*) => {$(
        impl ReadScalar for $t {
            const EXPECTED: &'static str = "an integer or a string holding one";
            fn unsigned<E: de::Error>(v: u64) -> Result<Option<Self>, E> {
                <$t>::try_from(v).map(Some).map_err(|_| out_of_range(v, stringify!($t)))
            }
            fn signed<E: de::Error>(v: i64) -> Result<Option<Self>, E> {
                <$t>::try_from(v).map(Some).map_err(|_| out_of_range(v, stringify!($t)))
            }
            fn float<E: de::Error>(v: f64) -> Result<Option<Self>, E> {
                Err(E::custom(format!("expected an integer, got {v}")))
            }
            fn boolean<E: de::Error>(v: bool) -> Result<Option<Self>, E> {
                Err(E::custom(format!("expected an integer, got {v}")))
            }
            fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                let n: i128 = t.parse().map_err(|_| {
                    E::custom(format!("expected an integer, got the string {v:?}"))
                })?;
                <$t>::try_from(n).map(Some).map_err(|_| out_of_range(n, stringify!($t)))
            }
        }

        impl FromWire for $t {
            const TYPE: FieldType = FieldType::Integer;
            fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                read_scalar(d)
            }
        }
    )*};
}

/// The error for an integer its field's type cannot hold.
fn out_of_range<E: de::Error>(v: impl fmt::Display, ty: &str) -> E {
    E::custom(format!("{v} is out of range for {ty}"))
}
wire_integer!(u8, u16, u32, u64, i32, i64);

impl ReadScalar for f64 {
    const EXPECTED: &'static str = "a number or a string holding one";
    fn unsigned<E: de::Error>(v: u64) -> Result<Option<Self>, E> {
        Ok(Some(v as f64))
    }
    fn signed<E: de::Error>(v: i64) -> Result<Option<Self>, E> {
        Ok(Some(v as f64))
    }
    fn float<E: de::Error>(v: f64) -> Result<Option<Self>, E> {
        Ok(Some(v))
    }
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse()
            .map(Some)
            .map_err(|_| E::custom(format!("expected a number, got {v:?}")))
    }
}

impl FromWire for f64 {
    const TYPE: FieldType = FieldType::Decimal;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl ReadScalar for bool {
    const EXPECTED: &'static str = "a boolean, 0/1 or a string holding one";
    fn boolean<E: de::Error>(v: bool) -> Result<Option<Self>, E> {
        Ok(Some(v))
    }
    fn unsigned<E: de::Error>(v: u64) -> Result<Option<Self>, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::custom(format!("expected true or false, got {v}"))),
        }
    }
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        match v.trim() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            other => Err(E::custom(format!("expected true or false, got {other:?}"))),
        }
    }
}

impl FromWire for bool {
    const TYPE: FieldType = FieldType::Bool;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl ReadScalar for String {
    const EXPECTED: &'static str = "a string";
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        Ok(Some(v.to_owned()))
    }
    fn owned_text<E: de::Error>(v: String) -> Result<Option<Self>, E> {
        Ok(Some(v))
    }
    fn unsigned<E: de::Error>(v: u64) -> Result<Option<Self>, E> {
        Ok(Some(v.to_string()))
    }
    fn signed<E: de::Error>(v: i64) -> Result<Option<Self>, E> {
        Ok(Some(v.to_string()))
    }
    fn float<E: de::Error>(v: f64) -> Result<Option<Self>, E> {
        Ok(Some(v.to_string()))
    }
    fn boolean<E: de::Error>(v: bool) -> Result<Option<Self>, E> {
        Ok(Some(v.to_string()))
    }
}

impl FromWire for String {
    const TYPE: FieldType = FieldType::Text;
    /// Text is kept as sent, `""` included; a number or a boolean becomes its text.
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl ReadScalar for Id {
    const EXPECTED: &'static str = "an id (integer or string)";
    fn unsigned<E: de::Error>(v: u64) -> Result<Option<Self>, E> {
        Ok(Some(Id::number(v)))
    }
    fn signed<E: de::Error>(v: i64) -> Result<Option<Self>, E> {
        Ok((v != -1).then(|| Id::signed(v)))
    }
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        Ok((!matches!(v.trim(), "" | "-1")).then(|| Id::string(v)))
    }
    fn owned_text<E: de::Error>(v: String) -> Result<Option<Self>, E> {
        Ok((!matches!(v.trim(), "" | "-1")).then(|| Id::string(v)))
    }
    fn float<E: de::Error>(v: f64) -> Result<Option<Self>, E> {
        Err(E::custom(format!(
            "expected an id, got the number {v} (not an integer)"
        )))
    }
    fn boolean<E: de::Error>(v: bool) -> Result<Option<Self>, E> {
        Err(E::custom(format!("expected an id, got {v}")))
    }
}

impl FromWire for Id {
    const TYPE: FieldType = FieldType::Id;
    /// `null`, `""` and `"-1"` mean absent.
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl FromWire for UnixSeconds {
    const TYPE: FieldType = FieldType::UnixSeconds;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(i64::read_wire(d)?.map(UnixSeconds))
    }
}

impl FromWire for UnixMillis {
    const TYPE: FieldType = FieldType::UnixMillis;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(i64::read_wire(d)?.map(UnixMillis))
    }
}

impl ReadScalar for ChinaDate {
    const EXPECTED: &'static str = "a date like \"2024-01-31\"";
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        parse_text(v, ChinaDate::parse)
    }
}

impl FromWire for ChinaDate {
    const TYPE: FieldType = FieldType::Date;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl ReadScalar for ChinaDateTime {
    const EXPECTED: &'static str = "a date-time like \"2024-01-31 08:00:00\"";
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        parse_text(v, ChinaDateTime::parse)
    }
}

impl FromWire for ChinaDateTime {
    const TYPE: FieldType = FieldType::DateTime;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl FromWire for serde_json::Value {
    const TYPE: FieldType = FieldType::Json;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(Some(serde_json::Value::deserialize(d)?).filter(|v| !v.is_null()))
    }
}

impl<T: DeserializeOwned> ReadScalar for Vec<T> {
    const EXPECTED: &'static str = "a list";
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            Err(E::custom(format!("expected a list, got the string {v:?}")))
        }
    }
    fn list<'de, A: de::SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(Some(out))
    }
}

impl<T: DeserializeOwned> FromWire for Vec<T> {
    const TYPE: FieldType = FieldType::List;
    /// `null` and `""` read as absent.
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

impl<T: DeserializeOwned> FromWire for JsonString<T> {
    const TYPE: FieldType = FieldType::Json;
    /// `null` and `""` read as absent.
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        opt_json_string(d)
    }
}

/// A whole number that travels as a string of digits (waiqin's `page`/`rows`), read from a
/// number or a string.
///
/// ```
/// use scrm_core::de::Digits;
/// assert_eq!(serde_json::to_string(&Digits(20)).unwrap(), "\"20\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digits(pub u64);

impl From<u64> for Digits {
    fn from(v: u64) -> Self {
        Digits(v)
    }
}
impl From<u32> for Digits {
    fn from(v: u32) -> Self {
        Digits(u64::from(v))
    }
}
impl From<Digits> for u64 {
    fn from(v: Digits) -> Self {
        v.0
    }
}
impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl Serialize for Digits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}
impl FromWire for Digits {
    const TYPE: FieldType = FieldType::Integer;
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(u64::read_wire(d)?.map(Digits))
    }
}

/// Implements [`FromWire`] for a type through its `Deserialize` (`null` reads as absent), for
/// nested records and codes.
#[macro_export]
#[doc(hidden)]
macro_rules! __from_wire_via_deserialize {
    ($t:ty, $kind:expr) => {
        impl $crate::de::FromWire for $t {
            const TYPE: $crate::de::FieldType = $kind;
            fn read_wire<'de, D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<::core::option::Option<Self>, D::Error> {
                <::core::option::Option<$t> as ::serde::Deserialize>::deserialize(d)
            }
        }
    };
}

/// Date-times order by instant (as they compare equal by instant), so windows of
/// `yyyy-MM-dd HH:mm:ss` filters can be checked ([`check::window`](crate::check::window)).
///
/// ```
/// use scrm_core::de::ChinaDateTime;
/// let a = ChinaDateTime::parse("2017-01-10 11:00:00").unwrap();
/// let b = ChinaDateTime::parse("2017-01-10 11:01").unwrap();
/// assert!(a < b);
/// ```
impl PartialOrd for ChinaDateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ChinaDateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at.cmp(&other.at)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// What `ChinaDateTime::parse` reads without the shortcut.
    fn general(t: &str) -> Option<PrimitiveDateTime> {
        let seconds = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        let minutes = format_description!("[year]-[month]-[day] [hour]:[minute]");
        let date = format_description!("[year]-[month]-[day]");
        PrimitiveDateTime::parse(t, seconds)
            .or_else(|_| PrimitiveDateTime::parse(t, minutes))
            .or_else(|_| time::Date::parse(t, date).map(|d| d.midnight()))
            .ok()
    }

    #[test]
    fn the_shortcut_reads_what_the_general_parser_reads() {
        let mut checked = 0;
        for year in ["0000", "1969", "2000", "2023", "2024", "9999"] {
            for month in ["00", "01", "02", "09", "12", "13", "1a"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    let date = format!("{year}-{month}-{day}");
                    let mut texts = vec![date.clone()];
                    for clock in ["00:00", "23:59", "24:00", "12:60", "9:30"] {
                        texts.push(format!("{date} {clock}"));
                        for second in ["00", "59", "60", "5"] {
                            texts.push(format!("{date} {clock}:{second}"));
                        }
                    }
                    for t in texts {
                        // What the shortcut refuses goes to the general parser.
                        if let Some(fast) = parse_common(&t) {
                            assert_eq!(Some(fast), general(&t), "{t}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 500, "{checked}");
        for common in ["2024-02-29", "2024-02-29 23:59", "2024-02-29 23:59:59"] {
            assert!(parse_common(common).is_some(), "{common}");
        }
        for other in [
            "",
            "2024-01-01T00:00:00",
            "2024/01/01",
            "+2024-01-01",
            "2024-01-01 00:00:00.5",
        ] {
            assert_eq!(parse_common(other), None, "{other}");
        }
    }

    #[test]
    fn numeric_ids_are_kept_inline_and_read_back() {
        for v in [0, 7, 1_000, u64::MAX] {
            let id = Id::number(v);
            assert_eq!(id.as_str(), v.to_string());
            assert_eq!(id.as_u64(), Some(v));
            assert!(id.is_numeric());
            assert_eq!(serde_json::to_string(&id).unwrap(), v.to_string());
        }
        for v in [i64::MIN, -1, -42] {
            let id = Id::signed(v);
            assert_eq!(id.as_str(), v.to_string());
            assert_eq!(serde_json::to_string(&id).unwrap(), v.to_string());
        }
        assert_eq!(Id::number(5), Id::string("5"));
        assert!(Id::number(9) < Id::number(10));
        assert_eq!(format!("{:?}", Id::number(12)), "Id(12)");
    }

    #[test]
    fn numeric_ids_compare_order_and_hash_as_their_text() {
        use std::collections::HashSet;
        // Equal ids are equal however they were sent, and hash alike (a set keeps one).
        let forms = [Id::number(42), Id::string("42"), Id::signed(42)];
        for a in &forms {
            for b in &forms {
                assert_eq!(a, b);
                assert_eq!(a.cmp(b), std::cmp::Ordering::Equal);
            }
        }
        assert_eq!(forms.iter().cloned().collect::<HashSet<_>>().len(), 1);
        // Numbers order numerically, against text too; a clone keeps its text.
        let mut ids = [
            Id::number(100),
            Id::string("99"),
            Id::number(9),
            Id::number(u64::MAX),
            Id::string("18446744073709551616"),
        ];
        ids.sort();
        let text: Vec<&str> = ids.iter().map(Id::as_str).collect();
        assert_eq!(
            text,
            [
                "9",
                "99",
                "100",
                "18446744073709551615",
                "18446744073709551616"
            ]
        );
        let read = Id::number(7);
        assert_eq!(read.as_str(), "7");
        assert_eq!(read.clone().as_str(), "7");
        assert_eq!(Id::signed(-3).as_u64(), None);
        assert_ne!(Id::signed(-3), Id::number(3));
        assert_eq!(Id::signed(-3), Id::string("-3"));
        // Ids are most of a page's fields: they stay small.
        assert!(
            std::mem::size_of::<Id>() <= 40,
            "{}",
            std::mem::size_of::<Id>()
        );
    }

    #[test]
    fn china_date_times_keep_their_text_inline_or_on_the_heap() {
        for text in [
            "2024-01-31 08:00:00",
            "2024-01-31 08:00",
            "2024-01-31",
            " 2024-01-31 08:00:00 ",
            "2021-05-11 15:15:48.123456",
        ] {
            let t = ChinaDateTime::parse(text).unwrap();
            assert_eq!(t.as_str(), text);
            assert_eq!(t.to_string(), text);
            assert_eq!(format!("{t:?}"), format!("ChinaDateTime({text})"));
            assert_eq!(serde_json::to_value(&t).unwrap(), text);
            assert_eq!(t.clone().as_str(), text);
        }
        assert!(
            ChinaDateTime::parse("2024-01-31 08:00:00")
                .unwrap()
                .text
                .is_inline()
        );
        assert!(
            !ChinaDateTime::parse("2021-05-11 15:15:48.123456")
                .unwrap()
                .text
                .is_inline()
        );
        assert_eq!(std::mem::size_of::<SmallText>(), 24);
        assert_eq!(std::mem::size_of::<Option<SmallText>>(), 24);
        let long = "longer than twenty bytes";
        assert_eq!(SmallText::from_string(long.to_owned()).as_str(), long);
        assert_eq!(SmallText::new(long).into_string(), long);
        assert_eq!(SmallText::from_string("短".to_owned()).into_string(), "短");
        assert_eq!(
            ChinaDateTime::parse("2021-05-11 15:15:48.123456")
                .unwrap()
                .datetime()
                .nanosecond(),
            123_456_000
        );
        // Inline text is NUL-padded: a text holding a NUL (never a date) stays whole.
        assert!(ShortText::new("a\0b").is_none());
        assert_eq!(
            ShortText::new("12345678901234567890")
                .unwrap()
                .as_str()
                .len(),
            20
        );
        assert!(ShortText::new("123456789012345678901").is_none());
        assert_eq!(
            ChinaDateTime::new(ChinaDateTime::parse("2020-11-19 10:33").unwrap().datetime())
                .as_str(),
            "2020-11-19 10:33:00"
        );
        assert!(
            std::mem::size_of::<ChinaDateTime>() <= 40,
            "{}",
            std::mem::size_of::<ChinaDateTime>()
        );
    }

    #[test]
    fn wire_fields_read_numbers_strings_and_absent_markers() {
        fn read<T: FromWire>(json: &str) -> Result<Option<T>, serde_json::Error> {
            T::read_wire(&mut serde_json::Deserializer::from_str(json))
        }
        assert_eq!(read::<u32>("7").unwrap(), Some(7));
        assert_eq!(read::<u32>(r#"" 7 ""#).unwrap(), Some(7));
        assert_eq!(read::<i64>("-7").unwrap(), Some(-7));
        assert_eq!(read::<u32>(r#""""#).unwrap(), None);
        assert_eq!(read::<u32>("null").unwrap(), None);
        let e = read::<u8>("300").unwrap_err().to_string();
        assert!(e.contains("300 is out of range for u8"), "{e}");
        let e = read::<u8>(r#""-1""#).unwrap_err().to_string();
        assert!(e.contains("-1 is out of range for u8"), "{e}");
        for bad in ["1.5", "true", "[1]", r#""x1""#] {
            assert!(read::<u64>(bad).is_err(), "{bad}");
        }

        assert_eq!(read::<String>(r#""""#).unwrap().as_deref(), Some(""));
        assert_eq!(read::<String>("12").unwrap().as_deref(), Some("12"));
        assert_eq!(read::<String>("-1.5").unwrap().as_deref(), Some("-1.5"));
        assert_eq!(read::<String>("false").unwrap().as_deref(), Some("false"));
        assert_eq!(
            read::<String>(r#""a\"b""#).unwrap().as_deref(),
            Some("a\"b")
        );
        assert_eq!(read::<String>("null").unwrap(), None);
        assert!(read::<String>("{}").is_err());

        let id = read::<Id>("9007199254740993").unwrap().unwrap();
        assert!(id.is_numeric());
        assert_eq!(id.as_str(), "9007199254740993");
        assert_eq!(read::<Id>("-5").unwrap().unwrap().as_str(), "-5");
        assert!(!read::<Id>(r#""a-1""#).unwrap().unwrap().is_numeric());
        for absent in ["null", "-1", r#""""#, r#"" ""#, r#""-1""#] {
            assert_eq!(read::<Id>(absent).unwrap(), None, "{absent}");
        }
        for bad in ["1.5", "true", "[]"] {
            assert!(read::<Id>(bad).is_err(), "{bad}");
        }

        assert_eq!(
            read::<Vec<String>>(r#"["a","b"]"#).unwrap(),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(read::<Vec<u32>>("[]").unwrap(), Some(vec![]));
        for absent in ["null", r#""""#, r#"" ""#] {
            assert_eq!(read::<Vec<u32>>(absent).unwrap(), None, "{absent}");
        }
        let e = read::<Vec<u32>>(r#""x""#).unwrap_err().to_string();
        assert!(e.contains("expected a list, got the string"), "{e}");
        for bad in ["{}", "1", "true", r#"["x"]"#] {
            assert!(read::<Vec<u32>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn opt_int_reads_numbers_strings_and_absent_markers() {
        #[derive(Deserialize)]
        struct R {
            #[serde(default, deserialize_with = "opt_int")]
            n: Option<i64>,
        }
        let n = |json: &str| serde_json::from_str::<R>(json).map(|r| r.n);
        assert_eq!(n(r#"{"n":5}"#).unwrap(), Some(5));
        assert_eq!(n(r#"{"n":-5}"#).unwrap(), Some(-5));
        assert_eq!(n(r#"{"n":" 12 "}"#).unwrap(), Some(12));
        assert_eq!(n(r#"{"n":""}"#).unwrap(), None);
        assert_eq!(n(r#"{"n":"  "}"#).unwrap(), None);
        assert_eq!(n(r#"{"n":null}"#).unwrap(), None);
        assert_eq!(n(r#"{}"#).unwrap(), None);
        for bad in [
            r#"{"n":"abc"}"#,
            r#"{"n":1.5}"#,
            r#"{"n":true}"#,
            r#"{"n":[1]}"#,
            r#"{"n":18446744073709551615}"#,
        ] {
            assert!(n(bad).is_err(), "{bad}");
        }
    }
}
