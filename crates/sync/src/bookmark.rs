//! The bookmark of a stream, as stored in `_scrm_state.bookmark` (JSON).

use scrm_core::Position;
use scrm_core::registry::Granularity;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::macros::{format_description, offset};

/// The version of the bookmark format this crate writes.
pub const BOOKMARK_VERSION: u32 = 1;

/// How a run reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mode {
    /// Every record the filters select.
    Full,
    /// Only what changed since the last completed run (with a safety window).
    Incremental,
}

impl Mode {
    /// `full` or `incremental`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Incremental => "incremental",
        }
    }
}

/// Where a stream stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bookmark {
    /// The format version ([`BOOKMARK_VERSION`]).
    pub version: u32,
    /// `true` once the run reached the end; `false` while it runs (a crash leaves `false`:
    /// the next run resumes from [`Bookmark::next`]).
    pub complete: bool,
    /// How the run reads.
    pub mode: Mode,
    /// The window this run sends (request field → value), empty for a full read.
    #[serde(default)]
    pub window: serde_json::Map<String, serde_json::Value>,
    /// Where to resume (the position of the next page to request).
    #[serde(default)]
    pub next: Option<Position>,
    /// The high-water mark the next incremental run starts from (minus the safety window):
    /// the start time of the last completed run for time cursors (epoch seconds), or the
    /// largest id seen for id cursors.
    #[serde(default)]
    pub watermark: Option<i64>,
    /// The watermark this run will leave when it completes.
    #[serde(default)]
    pub pending_watermark: Option<i64>,
    /// Newest-first lists: the newest id of the last completed run (a run stops there).
    #[serde(default)]
    pub stop_at: Option<i64>,
    /// Newest-first lists: the newest id seen by this run.
    #[serde(default)]
    pub newest: Option<i64>,
    /// The page size this run requests (`None`: the operation's default). A resumed run
    /// keeps it: a page number or offset only means the same records at the same size.
    #[serde(default)]
    pub page_size: Option<serde_json::Value>,
    /// Records committed by this run so far.
    #[serde(default)]
    pub records: u64,
}

impl Bookmark {
    /// A fresh run.
    pub fn start(mode: Mode) -> Self {
        Bookmark {
            version: BOOKMARK_VERSION,
            complete: false,
            mode,
            window: serde_json::Map::new(),
            next: None,
            watermark: None,
            pending_watermark: None,
            stop_at: None,
            newest: None,
            page_size: None,
            records: 0,
        }
    }

    /// Reads a stored bookmark; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Bookmark, String> {
        let b: Bookmark = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if b.version > BOOKMARK_VERSION {
            return Err(format!(
                "bookmark version {} was written by a newer scrm-sync (this one reads up to {BOOKMARK_VERSION})",
                b.version
            ));
        }
        Ok(b)
    }

    /// As stored.
    pub fn to_json(&self) -> String {
        // A struct of plain fields always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}

const CHINA: time::UtcOffset = offset!(+8);

/// The value of a window bound at epoch second `at`, in the filter's unit.
pub(crate) fn format_bound(granularity: Granularity, at: i64) -> Option<serde_json::Value> {
    let text = match granularity {
        Granularity::Seconds => at.to_string(),
        Granularity::Millis => at.saturating_mul(1000).to_string(),
        Granularity::Id => at.to_string(),
        Granularity::Day => {
            let t = OffsetDateTime::from_unix_timestamp(at)
                .ok()?
                .to_offset(CHINA);
            t.date()
                .format(format_description!("[year]-[month]-[day]"))
                .ok()?
        }
        Granularity::DateTime => {
            let t = OffsetDateTime::from_unix_timestamp(at)
                .ok()?
                .to_offset(CHINA);
            t.format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .ok()?
        }
        _ => return None,
    };
    Some(serde_json::Value::String(text))
}

/// The start of the next incremental window after a run that left `watermark`: the
/// watermark minus the safety window (`lag` seconds) for time cursors; day filters re-read
/// the watermark's whole day; id filters re-read from the last id.
pub(crate) fn window_start(granularity: Granularity, watermark: i64, lag: i64) -> i64 {
    match granularity {
        Granularity::Id => watermark,
        _ => watermark.saturating_sub(lag.max(0)),
    }
}

/// The epoch second of a cursor column's text value (`yyyy-MM-dd` or
/// `yyyy-MM-dd HH:mm:ss`, China time): the inverse of [`format_bound`], for the tests.
#[cfg(test)]
pub(crate) fn parse_china(text: &str) -> Option<i64> {
    use time::{Date, PrimitiveDateTime};
    if let Ok(t) = PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ) {
        return Some(t.assume_offset(CHINA).unix_timestamp());
    }
    let d = Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    Some(d.midnight().assume_offset(CHINA).unix_timestamp())
}

/// Now, in epoch seconds.
pub(crate) fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Now as RFC 3339 UTC with microseconds (the `_scrm_written_at` text in SQLite).
pub(crate) fn now_rfc3339() -> String {
    let t = OffsetDateTime::now_utc();
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    ))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bounds_in_china_time() {
        // 2024-03-01 00:30:00 +08:00 = 2024-02-29 16:30:00 UTC
        let at = 1_709_224_200;
        assert_eq!(format_bound(Granularity::Day, at).unwrap(), "2024-03-01");
        assert_eq!(
            format_bound(Granularity::DateTime, at).unwrap(),
            "2024-03-01 00:30:00"
        );
        assert_eq!(
            format_bound(Granularity::Millis, at).unwrap(),
            "1709224200000"
        );
        assert_eq!(parse_china("2024-03-01 00:30:00"), Some(at));
        assert_eq!(window_start(Granularity::Seconds, 1000, 300), 700);
        assert_eq!(window_start(Granularity::Id, 1000, 300), 1000);
    }

    #[test]
    fn bookmark_round_trip_and_refusals() {
        let b = Bookmark::start(Mode::Full);
        assert_eq!(Bookmark::parse(&b.to_json()).unwrap(), b);
        assert!(Bookmark::parse("{not json").is_err());
        let future = b.to_json().replace("\"version\":1", "\"version\":99");
        assert!(Bookmark::parse(&future).unwrap_err().contains("newer"));
    }
}
