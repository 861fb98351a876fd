//! The request log for rate tests: every request with its monotonic time, data or token,
//! throttled or not.

use scrm_sandbox::{Faults, RequestTime, RequestTimes, Vendor};
use serde_json::json;

use crate::common::start;
use crate::walk::Conn;

#[tokio::test]
async fn logs_every_request_and_its_throttling() {
    let sb = start(50).await;
    let mut conn = Conn::new(&sb);
    sb.set_vendor_faults(
        Vendor::Weiban,
        Faults {
            rate_limit_per_sec: Some(4),
            ..Faults::none()
        },
    );
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let a = conn
            .call(
                "weiban",
                "smart-form-users",
                &json!({"status": "submit", "limit": 5}),
            )
            .await;
        statuses.push(a.status);
    }
    let st = sb.stats();
    let log = st.request_times(Vendor::Weiban);
    // The token request (its own, possibly throttled too) plus the 12 data requests.
    assert_eq!(log.data_requests(), 12);
    assert_eq!(log.entries.iter().filter(|e| !e.data).count(), 1);
    let throttled_answers = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(log.throttled(), throttled_answers);
    assert_eq!(
        log.entries.iter().filter(|e| e.throttled).count() as u64,
        st.weiban.throttled
    );
    assert!(
        log.entries.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
        "monotonic"
    );
    let peak = log.max_per_second();
    assert!((1..=12).contains(&peak));
    assert_eq!(log.max_in_window(u64::MAX), 12);
    assert_eq!(log.max_in_window_of(u64::MAX, true), 13);
    assert!(st.request_times(Vendor::Tanma).entries.is_empty());
    assert_eq!(&sb.request_times(Vendor::Weiban), log);
    sb.reset_stats();
    assert!(sb.stats().request_times(Vendor::Weiban).entries.is_empty());
}

#[test]
fn sliding_window_counts() {
    let at = |ms, data| RequestTime {
        at_ms: ms,
        data,
        throttled: false,
    };
    let log = RequestTimes {
        entries: vec![
            at(0, true),
            at(10, false),
            at(500, true),
            at(999, true),
            at(1000, true),
            at(1499, true),
            at(1500, true),
            at(3000, true),
        ],
    };
    // [500, 1499] holds 500, 999, 1000, 1499; token requests do not count.
    assert_eq!(log.max_per_second(), 4);
    assert_eq!(log.max_in_window(1), 1);
    assert_eq!(log.max_in_window(501), 3);
    assert_eq!(RequestTimes::default().max_per_second(), 0);
}
