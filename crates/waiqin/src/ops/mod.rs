//! The documented operations, one file each: the request type (an [`Operation`]), its records,
//! and the [`WaiqinClient`](crate::WaiqinClient) methods that call it.
//!
//! [`Operation`]: scrm_core::Operation

mod query_task;
mod query_task_type;

pub use query_task::{
    FeedbackDetail, MAX_ROWS, QueryTask, Task, TaskPerson, TaskRecordStatus, TaskStatus,
};
pub use query_task_type::{
    AlbumPermission, PictureRequirement, PublishStatus, QueryTaskType, ReceiverLimit, TaskType,
    TaskTypeStatus,
};

scrm_core::lenient_enum! {
    /// `execute_demand` (是否要求现场反馈): where the task must be carried out. Read from a
    /// string or a number; written as the documented string.
    pub enum ExecuteDemand: str {
        /// `"0"` 非现场执行: not on site.
        OffSite = "0",
        /// `"1"` 强制现场执行: on site, enforced.
        OnSiteRequired = "1",
        /// `"2"` 无要求: no requirement.
        NoRequirement = "2",
    }
}

/// Serde helpers for waiqin's wire forms.
pub(crate) mod wire {
    use std::borrow::Cow;
    use std::fmt::Display;

    use scrm_core::de::{ChinaDateTime, string_or_number};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `Some(n)` as the string `"n"` (waiqin's `page`/`rows` are VARCHAR).
    pub(crate) fn opt_number_as_string<S: Serializer, N: Display>(
        value: &Option<N>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(n) => s.collect_str(n),
            None => s.serialize_none(),
        }
    }

    /// `T::default()` for `null` or an absent field (lists).
    pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }

    /// Free text: a string, or a number turned into its text; `null` is absent. `""` is kept.
    pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        #[derive(Deserialize)]
        struct Text(#[serde(deserialize_with = "string_or_number")] String);
        Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
    }

    /// A lenient enum whose `Unknown("")` (or blank) means "not set".
    pub(crate) trait Blank {
        fn is_blank(&self) -> bool;
    }

    /// `Option<E>` of a lenient enum where `null`, `""` and blanks are absent.
    pub(crate) fn opt_enum<'de, D, E>(d: D) -> Result<Option<E>, D::Error>
    where
        D: Deserializer<'de>,
        E: Deserialize<'de> + Blank,
    {
        Ok(Option::<E>::deserialize(d)?.filter(|e| !e.is_blank()))
    }

    /// `Option<ChinaDateTime>` where `null` and `""` are absent. The field table documents
    /// `latest_feedback_time` as `yyyy-MM-dd HH:mm:` (a trailing colon); such a value is read
    /// as `yyyy-MM-dd HH:mm`.
    pub(crate) fn opt_time<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<ChinaDateTime>, D::Error> {
        let Some(text) = Option::<Cow<'de, str>>::deserialize(d)? else {
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        ChinaDateTime::parse(&text)
            .or_else(|e| match text.trim_end().strip_suffix(':') {
                Some(trimmed) => ChinaDateTime::parse(trimmed),
                None => Err(e),
            })
            .map(Some)
            .map_err(serde::de::Error::custom)
    }

    /// Implements [`Blank`] for lenient `: str` enums.
    macro_rules! blank_is_unset {
        ($($name:ty),+ $(,)?) => {$(
            impl $crate::ops::wire::Blank for $name {
                fn is_blank(&self) -> bool {
                    matches!(self, Self::Unknown(v) if v.trim().is_empty())
                }
            }
        )+};
    }
    pub(crate) use blank_is_unset;
}

wire::blank_is_unset!(ExecuteDemand);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scrm_core::de::ChinaDateTime;
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "wire::opt_time")]
        t: Option<ChinaDateTime>,
        #[serde(default, deserialize_with = "wire::opt_enum")]
        e: Option<ExecuteDemand>,
        #[serde(default, deserialize_with = "wire::opt_text")]
        s: Option<String>,
        #[serde(default, deserialize_with = "wire::null_as_default")]
        l: Vec<u8>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn times_accept_the_documented_trailing_colon_and_blanks() {
        let p = probe(r#"{"t":"2020-11-19 10:33:"}"#);
        assert_eq!(
            p.t.unwrap().datetime().unix_timestamp(),
            ChinaDateTime::parse("2020-11-19 10:33")
                .unwrap()
                .datetime()
                .unix_timestamp()
        );
        assert!(probe(r#"{"t":""}"#).t.is_none());
        assert!(probe(r#"{"t":null}"#).t.is_none());
        assert!(serde_json::from_str::<Probe>(r#"{"t":"19/11/2020"}"#).is_err());
    }

    #[test]
    fn enums_text_and_lists_are_lenient() {
        let p = probe(r#"{"e":"","s":12,"l":null}"#);
        assert!(p.e.is_none());
        assert_eq!(p.s.as_deref(), Some("12"));
        assert!(p.l.is_empty());
        let p = probe(r#"{"e":1,"s":""}"#);
        assert_eq!(p.e, Some(ExecuteDemand::OnSiteRequired));
        assert_eq!(p.s.as_deref(), Some(""));
        assert_eq!(
            probe(r#"{"e":"7"}"#).e,
            Some(ExecuteDemand::Unknown("7".into()))
        );
    }
}
