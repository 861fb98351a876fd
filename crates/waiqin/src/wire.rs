//! waiqin wire forms that the generic field types of `scrm_core::de` do not cover.

use std::fmt;

use scrm_core::de::{ChinaDateTime, FieldType, FromWire, ReadScalar, parse_text, read_scalar};
use scrm_core::registry::{ChangeKind, Granularity, Incremental};
use scrm_core::{Error, ErrorKind};
use serde::{Deserializer, Serialize, Serializer, de};

/// The most records a page may have on every documented waiqin list endpoint (`rows` of
/// `queryTask` and `queryCusVisitRecord`, `page_size` of `queryEmpTrackTime`), which is also the
/// vendor's default: streams ask for it when the request sets none.
pub const MAX_ROWS: u32 = 1000;

/// waiqin's change feeds: a window of China days (`yyyy-MM-dd`, both ends inclusive as far as
/// the pages say) over the day of each record's last modification `record_field`, sent as
/// `from`/`to`. Day granular: a re-read must include the bookmark's whole day (and upsert on the
/// primary key).
pub(crate) fn modified_days(
    record_field: &'static str,
    from: &'static str,
    to: &'static str,
) -> Option<Incremental> {
    day_window(ChangeKind::Updates, record_field, from, to)
}

/// An append-only window of China days over the day each record was submitted
/// (`record_field`): new records only, never edits. Day granular, as [`modified_days`].
pub(crate) fn submitted_days(
    record_field: &'static str,
    from: &'static str,
    to: &'static str,
) -> Option<Incremental> {
    day_window(ChangeKind::Creations, record_field, from, to)
}

fn day_window(
    kind: ChangeKind,
    record_field: &'static str,
    from: &'static str,
    to: &'static str,
) -> Option<Incremental> {
    Some(Incremental::new(
        kind,
        record_field,
        Some(from),
        Some(to),
        Granularity::Day,
    ))
}

/// The visit page's rule: `date_start` and `date_end` are required unless `id` is given.
pub(crate) fn dates_unless_id(has_id: bool, has_dates: bool) -> Result<(), Error> {
    if has_id || has_dates {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        "`date_start` and `date_end` are required unless `id` is set",
    ))
}

/// A China-time date-time as [`ChinaDateTime`] reads it, that also accepts the form with a
/// trailing colon the task page documents for `latest_feedback_time` (`yyyy-MM-dd HH:mm:`),
/// read as `yyyy-MM-dd HH:mm`. Written back as that text.
///
/// ```
/// use scrm_waiqin::LenientDateTime;
/// let t = LenientDateTime::parse("2023-04-28 11:22:").unwrap();
/// assert_eq!(t.datetime().unix_timestamp(), 1_682_652_120);
/// assert_eq!(t.as_str(), "2023-04-28 11:22");
/// assert!(LenientDateTime::parse("28/04/2023").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct LenientDateTime(ChinaDateTime);

impl LenientDateTime {
    /// Parses what [`ChinaDateTime::parse`] accepts, or that followed by one `:`.
    pub fn parse(text: &str) -> Result<Self, String> {
        ChinaDateTime::parse(text)
            .or_else(|e| match text.trim_end().strip_suffix(':') {
                Some(trimmed) => ChinaDateTime::parse(trimmed),
                None => Err(e),
            })
            .map(LenientDateTime)
    }

    /// The instant (offset +08:00).
    pub fn datetime(&self) -> time::OffsetDateTime {
        self.0.datetime()
    }

    /// The text as read (without a trailing colon).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The date-time.
    pub fn into_inner(self) -> ChinaDateTime {
        self.0
    }
}

impl From<ChinaDateTime> for LenientDateTime {
    fn from(t: ChinaDateTime) -> Self {
        LenientDateTime(t)
    }
}

impl fmt::Debug for LenientDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LenientDateTime({})", self.as_str())
    }
}

impl fmt::Display for LenientDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LenientDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl ReadScalar for LenientDateTime {
    const EXPECTED: &'static str = "a date-time like \"2024-01-31 08:00\"";
    fn text<E: de::Error>(v: &str) -> Result<Option<Self>, E> {
        parse_text(v, LenientDateTime::parse)
    }
}

impl FromWire for LenientDateTime {
    const TYPE: FieldType = FieldType::DateTime;
    /// `null` and `""` read as absent.
    fn read_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        read_scalar(d)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    scrm_core::record! {
        struct Probe {
            t: LenientDateTime,
        }
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn times_accept_the_documented_trailing_colon_and_blanks() {
        let p = probe(r#"{"t":"2020-11-19 10:33:"}"#).unwrap();
        assert_eq!(
            p.t.unwrap().datetime().unix_timestamp(),
            ChinaDateTime::parse("2020-11-19 10:33")
                .unwrap()
                .datetime()
                .unix_timestamp()
        );
        assert!(probe(r#"{"t":""}"#).unwrap().t.is_none());
        assert!(probe(r#"{"t":null}"#).unwrap().t.is_none());
        assert!(probe(r#"{"t":"19/11/2020"}"#).is_err());
        assert!(probe(r#"{"t":20201119}"#).is_err());
        let p = probe(r#"{"t":"2020-11-19 10:33:05"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"t":"2020-11-19 10:33:05"}"#
        );
    }
}
