//! Start/stop, ports, routing, counters, determinism.

use scrm_sandbox::{Op, Sandbox, SandboxConfig};

use crate::common::{client, get, post, start, waiqin, weiban_list, weiban_token};

#[tokio::test]
async fn fixed_port_and_shutdown() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::start(SandboxConfig {
        port,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(sb.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(sb.port(), port);
    let c = client();
    assert_eq!(weiban_list(&sb, &c, "x", "status=submit").await.status, 200);
    sb.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn drop_stops_background_server() {
    let sb = Sandbox::start_background(SandboxConfig {
        records: 3,
        ..SandboxConfig::default()
    })
    .unwrap();
    let addr = sb.addr();
    let c = client();
    let token = weiban_token(&sb, &c).await;
    assert_eq!(
        weiban_list(&sb, &c, &token, "status=submit").await.json()["total"],
        3
    );
    drop(sb);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn routing_and_counters() {
    let sb = start(20).await;
    let c = client();
    assert_eq!(
        get(&c, format!("{}/nothing", sb.base_url())).await.status,
        404
    );
    assert_eq!(
        get(&c, format!("{}/openapi/unknown", sb.base_url()))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&c, format!("{}/open-api/access_token/get", sb.base_url()))
            .await
            .status,
        405
    );
    assert_eq!(
        post(
            &c,
            format!("{}/api/cusTask/v1/queryTask", sb.base_url()),
            "{}"
        )
        .await
        .json()["return_code"],
        "1005"
    );
    waiqin(&sb, &c, "cusTask/v1/queryTask", r#"{"rows":"15"}"#).await;
    let st = sb.stats();
    assert_eq!(st.unrouted, 1);
    assert_eq!(
        (
            st.wshoto.not_found,
            st.weiban.not_found,
            st.waiqin.not_found
        ),
        (1, 1, 1)
    );
    assert_eq!(st.op(Op::WaiqinQueryTask).records, 15);
    assert_eq!(st.waiqin.records, 15);
    assert_eq!(st.total_requests(), 5);
    sb.reset_stats();
    assert_eq!(sb.stats(), scrm_sandbox::Stats::default());
}

#[tokio::test]
async fn seeded_data_is_deterministic() {
    let a = Sandbox::start(SandboxConfig {
        seed: 9,
        records: 40,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let b = Sandbox::start(SandboxConfig {
        seed: 9,
        records: 40,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = client();
    let body = r#"{"rows":"40"}"#;
    let ra = waiqin(&a, &c, "cusTask/v1/queryTask", body).await.json();
    let rb = waiqin(&b, &c, "cusTask/v1/queryTask", body).await.json();
    assert_eq!(ra["response_data"], rb["response_data"]);
    let other = scrm_sandbox::Dataset::new(10, 40);
    assert_ne!(
        other.record_json(Op::WaiqinQueryTask, 0),
        a.dataset().record_json(Op::WaiqinQueryTask, 0)
    );
}
