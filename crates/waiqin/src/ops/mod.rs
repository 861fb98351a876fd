//! The documented operations: one file each, with its request, response and record types, how
//! it pages and its registry entry.

pub mod query_cus_visit_record;
pub mod query_emp_track_time;
pub mod query_task;
pub mod query_task_type;

pub use crate::wire::MAX_ROWS;
pub use query_cus_visit_record::{QueryCusVisitRecord, Visit};
pub use query_emp_track_time::{QueryEmpTrackTime, Track};
pub use query_task::{FeedbackDetail, QueryTask, Task, TaskPerson};
pub use query_task_type::{QueryTaskType, TaskType};

use scrm_core::registry::{DynOperation, Entry};

use crate::Waiqin;

/// Every typed waiqin operation, for tools that work from the registry (`scrm export`,
/// `scrm ops`, `scrm sync`, the demo and the bench).
///
/// ```
/// let names: Vec<&str> = scrm_waiqin::OPERATIONS.iter().map(|op| op.info().name).collect();
/// assert_eq!(names, ["tasks", "task-types", "visits", "tracks"]);
/// ```
pub static OPERATIONS: &[&dyn DynOperation<Waiqin>] = &[
    &Entry::<query_task::QueryTask>::NEW,
    &Entry::<query_task_type::QueryTaskType>::NEW,
    &Entry::<query_cus_visit_record::QueryCusVisitRecord>::NEW,
    &Entry::<query_emp_track_time::QueryEmpTrackTime>::NEW,
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use crate::codes::ExecuteDemand;

    scrm_core::record! {
        struct Probe {
            e: ExecuteDemand,
            s: String,
            l: Vec<u8>,
        }
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn enums_text_and_lists_are_lenient() {
        let p = probe(r#"{"e":"","s":12,"l":null}"#);
        assert!(p.e.is_none());
        assert_eq!(p.s.as_deref(), Some("12"));
        assert!(p.l.unwrap_or_default().is_empty());
        let p = probe(r#"{"e":1,"s":""}"#);
        assert_eq!(p.e, Some(ExecuteDemand::OnSiteRequired));
        assert_eq!(p.s.as_deref(), Some(""));
        assert_eq!(
            probe(r#"{"e":"7"}"#).e,
            Some(ExecuteDemand::Unknown("7".into()))
        );
    }
}
