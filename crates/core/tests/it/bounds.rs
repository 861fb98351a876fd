//! Decoders and pagers bound their work: a 100 MB body, a 10 000-deep JSON nesting, a total
//! of 2^63 or a resumed position at the end of `u64` give a clear error, not a hang, an abort
//! or unbounded memory.

use futures::StreamExt;
use scrm_core::de::JsonString;
use scrm_core::{
    ErrorKind, HttpRequest, Method, PageOptions, Position, ReqwestTransport, Transport,
    TransportErrorKind, Url, collect_all, decode_json,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::demo::{Scripted, client, ok};
use crate::paging::{ByOffset, ByPage, ByRows};

fn deep(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

/// A server on 127.0.0.1 that answers every connection with `head` and then `body_len` bytes
/// of `x`, in 64 KiB writes, until the client hangs up. Returns its URL.
async fn serve(head: String, body_len: usize) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let head = head.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < body_len {
                    let n = chunk.len().min(body_len - sent);
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
        }
    });
    Url::parse(&format!("http://{addr}/list")).unwrap()
}

fn get(url: Url) -> HttpRequest {
    let mut request = HttpRequest::new(Method::GET, url);
    request.body = Default::default();
    request
}

#[tokio::test]
async fn a_100_mb_body_with_its_length_is_refused_before_reading_it() {
    let len = 100 * 1024 * 1024;
    let url = serve(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
        ),
        len,
    )
    .await;
    let transport = ReqwestTransport::builder().build().unwrap();
    let err = transport.send(get(url)).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge);
    assert!(err.message().contains("104857600"), "{}", err.message());
    assert!(
        err.message().contains("max_body_bytes"),
        "{}",
        err.message()
    );
    // As an SDK error it is not a network failure to retry.
    assert_eq!(scrm_core::Error::transport(err).kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn a_chunked_body_past_the_limit_stops_at_the_limit() {
    // No content-length: the body ends when the server closes; the limit stops the read.
    let url = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".into(),
        8 * 1024 * 1024,
    )
    .await;
    let transport = ReqwestTransport::builder()
        .max_body_bytes(1024 * 1024)
        .build()
        .unwrap();
    let err = transport.send(get(url)).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge, "{err}");
    assert!(err.message().contains("1048576"), "{}", err.message());
}

#[tokio::test]
async fn a_body_under_the_limit_is_read_whole() {
    let url = serve(
        "HTTP/1.1 200 OK\r\ncontent-length: 300000\r\n\r\n".into(),
        300_000,
    )
    .await;
    let transport = ReqwestTransport::builder()
        .max_body_bytes(300_000)
        .build()
        .unwrap();
    let response = transport.send(get(url)).await.unwrap();
    assert_eq!(response.body.len(), 300_000);
}

#[test]
fn ten_thousand_deep_json_is_a_decode_error_on_every_path() {
    let text = deep(10_000);
    let e = decode_json::<serde_json::Value>(text.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("recursion limit"), "{e}");
    // JSON inside a string: the inner document has the same limit.
    assert!(JsonString::<serde_json::Value>::parse(text.clone()).is_err());
    let quoted = serde_json::to_string(&text).unwrap();
    let e = serde_json::from_str::<JsonString<serde_json::Value>>(&quoted).unwrap_err();
    assert!(e.to_string().contains("recursion limit"), "{e}");
    // Objects too, and inside a record.
    let objects = format!(
        "{{\"items\":{}}}",
        "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000)
    );
    assert!(decode_json::<serde_json::Value>(objects.as_bytes()).is_err());
}

#[tokio::test]
async fn a_page_claiming_a_total_of_2_pow_63_ends_on_the_short_page() {
    let total = 1u64 << 63;
    let t = Scripted::new([
        ok(json!({"items": [1, 2], "total": total})),
        ok(json!({"items": [3], "total": total})),
    ]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByPage::new("f", 2))).await.unwrap();
    assert_eq!(items, [1, 2, 3]);
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn prefetch_under_a_total_of_2_pow_63_stays_within_the_concurrency() {
    let total = 1u64 << 63;
    // The first page, then at most `concurrency` pages in flight: the script has exactly
    // those answers; one request more would run it dry and fail the test.
    let mut answers = vec![ok(json!({"items": [1, 2], "total": total}))];
    answers.push(ok(json!({"items": [3], "total": total})));
    for _ in 0..3 {
        answers.push(ok(json!({"items": [], "total": total})));
    }
    let t = Scripted::new(answers);
    let (c, _) = client(t.clone());
    let mut pages = c
        .pages(ByPage::new("f", 2))
        .options(PageOptions::default().concurrency(4).empty_page_retries(0));
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => items.extend(page.items),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(items, [1, 2, 3]);
    assert!(t.calls() <= 5, "{} requests", t.calls());
}

#[tokio::test]
async fn a_resumed_offset_next_to_u64_max_is_a_pagination_error_not_an_overflow() {
    // A resumed offset next to u64::MAX: the next offset is past 2^64, a pagination error.
    let t = Scripted::new([ok(json!({"items": [1, 2, 3], "total": u64::MAX}))]);
    let (c, _) = client(t.clone());
    let req = ByOffset::new("x", 3);
    let err = collect_all(c.items(req).options(PageOptions::default().resume_from(
        Position::Offset {
            offset: u64::MAX - 1,
        },
    )))
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination, "{err}");
    assert!(err.to_string().contains("past 2^64"), "{err}");
}

#[tokio::test]
async fn a_resumed_page_at_u64_max_is_a_pagination_error_not_an_overflow() {
    let t = Scripted::new([ok(json!({"items": [1, 2], "total": null}))]);
    let (c, _) = client(t.clone());
    let err = collect_all(
        c.items(ByPage::new("f", 2))
            .options(PageOptions::default().resume_from(Position::Page { page: u64::MAX })),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination, "{err}");
    assert!(err.to_string().contains("past 2^64"), "{err}");

    let t = Scripted::new([ok(json!({"items": [1, 2]}))]);
    let (c, _) = client(t.clone());
    let err = collect_all(
        c.items(ByRows::new("r", 2))
            .options(PageOptions::default().resume_from(Position::Page { page: u64::MAX })),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination, "{err}");
}
