//! Every fault knob, observed over HTTP and in the counters.

use std::time::{Duration, Instant};

use scrm_sandbox::{Faults, TANMA_TOO_FREQUENT, Vendor, WSHOTO_TOKEN_INVALID};

use crate::common::{
    client, start, tanma, waiqin, weiban_list, weiban_token, wshoto_page, wshoto_token,
};

#[tokio::test]
async fn server_error_every_nth_with_html() {
    let sb = start(30).await;
    let c = client();
    sb.set_vendor_faults(
        Vendor::Weiban,
        Faults {
            server_error_every: Some(3),
            ..Faults::none()
        },
    );
    let token = weiban_token(&sb, &c).await; // token calls are not data operations
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let a = weiban_list(&sb, &c, &token, "status=submit").await;
        if a.status == 502 {
            assert!(
                a.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
            );
            assert!(a.text.contains("<center><h1>502 Bad Gateway</h1></center>"));
        } else {
            assert_eq!(a.json()["errcode"], 0);
        }
        statuses.push(a.status);
    }
    assert_eq!(statuses, [200, 200, 502, 200, 200, 502]);
    let st = sb.stats();
    assert_eq!(st.weiban.faults.server_errors, 2);
    assert_eq!(st.weiban.requests, 7);
    sb.clear_faults();
    assert_eq!(
        weiban_list(&sb, &c, &token, "status=submit").await.status,
        200
    );

    sb.set_faults(Faults {
        server_error_every: Some(1),
        server_error_status: 503,
        ..Faults::none()
    });
    let a = waiqin(&sb, &c, "cusTask/v1/queryTask", "{}").await;
    assert_eq!(a.status, 503);
    assert!(a.text.contains("503"));
    assert_eq!(
        tanma(&sb, &c, "/api/v3/clue/list-by-create-time-asc", "{}")
            .await
            .status,
        503
    );
    assert!(!wshoto_token(&sb, &c).await.is_empty());
}

#[tokio::test]
async fn dropped_connections() {
    let sb = start(10).await;
    let c = client();
    sb.set_vendor_faults(
        Vendor::Tanma,
        Faults {
            drop_every: Some(2),
            ..Faults::none()
        },
    );
    let path = "/api/v3/customer/list-file-of-customer";
    assert_eq!(tanma(&sb, &c, path, "{}").await.json()["code"], 0);
    let cr = sb.credentials().clone();
    let ts = scrm_sandbox::tanma_timestamp_now();
    let sign = scrm_sandbox::tanma_sign(&cr.tanma_app_id, &ts, b"{}", &cr.tanma_app_key);
    let r = c
        .post(format!("{}{path}", sb.base_url()))
        .header("appId", &cr.tanma_app_id)
        .header("timestamp", &ts)
        .header("sign", &sign)
        .body("{}")
        .send()
        .await;
    assert!(
        r.is_err(),
        "the connection must be closed without a response"
    );
    assert_eq!(tanma(&sb, &c, path, "{}").await.json()["code"], 0);
    assert_eq!(sb.stats().tanma.faults.dropped, 1);
}

#[tokio::test]
async fn latency() {
    let sb = start(10).await;
    let c = client();
    sb.set_vendor_faults(
        Vendor::Waiqin,
        Faults {
            latency: Duration::from_millis(1000),
            ..Faults::none()
        },
    );
    let t = Instant::now();
    assert_eq!(
        waiqin(&sb, &c, "cusTask/v1/queryTaskType", "{}")
            .await
            .json()["return_code"],
        "0"
    );
    assert!(t.elapsed() >= Duration::from_millis(1000));
    let t = Instant::now();
    wshoto_token(&sb, &c).await;
    // A wide margin: a loaded machine can take a while for one loopback request.
    assert!(
        t.elapsed() < Duration::from_millis(1000),
        "other vendors are not delayed"
    );
    assert_eq!(sb.stats().waiqin.faults.delayed, 1);
}

#[tokio::test]
async fn throttled_empty_pages() {
    let sb = start(30).await;
    let c = client();
    sb.set_vendor_faults(
        Vendor::Weiban,
        Faults {
            empty_page_every: Some(2),
            ..Faults::none()
        },
    );
    let token = weiban_token(&sb, &c).await;
    let mut offset = 0;
    let mut got = Vec::new();
    let mut empties = 0;
    while offset < 30 {
        let a = weiban_list(
            &sb,
            &c,
            &token,
            &format!("status=submit&limit=10&offset={offset}"),
        )
        .await
        .json();
        assert_eq!(
            (a["errcode"].as_i64(), a["total"].as_i64()),
            (Some(0), Some(30))
        );
        let r = a["result"].as_array().unwrap();
        if r.is_empty() {
            empties += 1;
            continue; // an empty page before total: retry the same offset
        }
        got.extend(r.iter().map(|x| x["u_id"].as_u64().unwrap()));
        offset += r.len();
    }
    assert_eq!(got, (1000..1030).collect::<Vec<u64>>());
    assert_eq!(empties, 2);
    assert_eq!(sb.stats().weiban.faults.empty_pages, 2);
    // Past the end is a legitimately empty page and is not counted as a fault.
    let a = weiban_list(&sb, &c, &token, "status=submit&offset=30")
        .await
        .json();
    assert_eq!(a["result"].as_array().unwrap().len(), 0);
    assert_eq!(sb.stats().weiban.faults.empty_pages, 2);
}

#[tokio::test]
async fn early_token_invalidation() {
    let sb = start(10).await;
    let c = client();
    sb.set_vendor_faults(
        Vendor::Wshoto,
        Faults {
            invalidate_token_every: Some(2),
            ..Faults::none()
        },
    );
    let token = wshoto_token(&sb, &c).await;
    assert_eq!(wshoto_page(&sb, &c, &token, "{}").await["code"], 0);
    assert_eq!(wshoto_page(&sb, &c, &token, "{}").await["code"], 0);
    assert_eq!(
        wshoto_page(&sb, &c, &token, "{}").await["code"],
        WSHOTO_TOKEN_INVALID
    );
    let fresh = wshoto_token(&sb, &c).await;
    assert_ne!(fresh, token);
    assert_eq!(wshoto_page(&sb, &c, &fresh, "{}").await["code"], 0);
    let st = sb.stats().wshoto;
    assert_eq!(
        (
            st.faults.tokens_invalidated,
            st.token_rejections,
            st.tokens_issued
        ),
        (1, 1, 2)
    );
}

#[tokio::test]
async fn rate_limit() {
    let sb = start(10).await;
    let c = client();
    sb.set_vendor_faults(
        Vendor::Tanma,
        Faults {
            rate_limit_per_sec: Some(3),
            ..Faults::none()
        },
    );
    let mut throttled = 0;
    for _ in 0..5 {
        let a = tanma(&sb, &c, "/api/v3/clue/list-by-create-time-asc", "{}").await;
        if a.status == 429 {
            throttled += 1;
            assert_eq!(a.headers["retry-after"], "1");
            assert_eq!(a.json()["code"], TANMA_TOO_FREQUENT);
        } else {
            assert_eq!(a.json()["code"], 0);
        }
    }
    assert_eq!(throttled, 2);
    // Other vendors have their own budget.
    for _ in 0..5 {
        wshoto_token(&sb, &c).await;
    }
    let st = sb.stats();
    assert_eq!(
        (st.tanma.throttled, st.tanma.requests, st.wshoto.throttled),
        (2, 5, 0)
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        tanma(&sb, &c, "/api/v3/clue/list-by-create-time-asc", "{}")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn request_arrivals_are_recorded_only_when_asked() {
    let sb = start(10).await;
    let c = client();
    wshoto_token(&sb, &c).await;
    assert!(sb.requests().is_empty(), "recording is off by default");
    sb.set_vendor_faults(
        Vendor::Tanma,
        Faults {
            rate_limit_per_sec: Some(1),
            ..Faults::none()
        },
    );
    sb.record_requests(true);
    wshoto_token(&sb, &c).await;
    for _ in 0..2 {
        tanma(&sb, &c, "/api/v3/clue/list-by-create-time-asc", "{}").await;
    }
    let log = sb.requests();
    let seen: Vec<(Vendor, bool, bool)> = log
        .iter()
        .map(|r| (r.vendor, r.token, r.throttled))
        .collect();
    assert_eq!(
        seen,
        [
            (Vendor::Wshoto, true, false),
            (Vendor::Tanma, false, false),
            (Vendor::Tanma, false, true)
        ]
    );
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
    sb.record_requests(false);
    wshoto_token(&sb, &c).await;
    assert_eq!(sb.requests().len(), 3);
}
