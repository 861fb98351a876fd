//! Every paging style end to end: end conditions, filters kept, loop guard, cap, resume.

use futures::StreamExt;
use scrm_core::{
    Cursor, CursorPaged, DriftPolicy, ErrorKind, Keyset, KeysetPaged, Offset, OffsetPaged,
    Operation, PageNumber, PageNumbered, PageOptions, PageRows, PageRowsPaged, Paged, Position,
    collect_all,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::demo::{Answer, Demo, Scripted, client, ok};

#[derive(Deserialize, Debug, Default)]
pub struct ListResponse {
    #[serde(default)]
    items: Vec<u64>,
    total: Option<u64>,
    next_cursor: Option<String>,
}

macro_rules! op {
    ($name:ident { $($field:ident : $ty:ty),* }, $style:ty) => {
        #[derive(Serialize, Clone, Debug, Default)]
        pub struct $name { tag: String, $($field: $ty),* }
        impl Operation for $name {
            type Vendor = Demo;
            type Response = ListResponse;
            const NAME: &'static str = stringify!($name);
            const PATH: &'static str = "/list";
        }
        impl Paged for $name {
            type Item = u64;
            type Style = $style;
            fn take_items(r: &mut ListResponse) -> Vec<u64> { std::mem::take(&mut r.items) }
        }
    };
}

op!(
    ByPage {
        page: u64,
        size: u64
    },
    PageNumber
);
impl ByPage {
    pub fn new(tag: &str, size: u64) -> Self {
        ByPage {
            tag: tag.into(),
            page: 1,
            size,
        }
    }
}

impl PageNumbered for ByPage {
    fn page(&self) -> u64 {
        self.page
    }
    fn set_page(&mut self, page: u64) {
        self.page = page
    }
    fn page_size(&self) -> u64 {
        self.size
    }
    fn total(r: &ListResponse) -> Option<u64> {
        r.total
    }
}

op!(
    ByOffset {
        offset: u64,
        limit: u64
    },
    Offset
);
impl ByOffset {
    pub fn new(tag: &str, limit: u64) -> Self {
        ByOffset {
            tag: tag.into(),
            offset: 0,
            limit,
        }
    }
}

impl OffsetPaged for ByOffset {
    fn offset(&self) -> u64 {
        self.offset
    }
    fn set_offset(&mut self, offset: u64) {
        self.offset = offset
    }
    fn limit(&self) -> u64 {
        self.limit
    }
    fn total(r: &ListResponse) -> Option<u64> {
        r.total
    }
}

op!(
    ByRows {
        page: u64,
        rows: u64
    },
    PageRows
);
impl ByRows {
    pub fn new(tag: &str, rows: u64) -> Self {
        ByRows {
            tag: tag.into(),
            page: 1,
            rows,
        }
    }
}

impl PageRowsPaged for ByRows {
    fn page(&self) -> u64 {
        self.page
    }
    fn set_page(&mut self, page: u64) {
        self.page = page
    }
    fn rows(&self) -> u64 {
        self.rows
    }
}

op!(ByCursor { cursor: Option<String> }, Cursor);
impl CursorPaged for ByCursor {
    fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }
    fn set_cursor(&mut self, cursor: Option<String>) {
        self.cursor = cursor
    }
    fn next_cursor(r: &ListResponse) -> Option<&str> {
        r.next_cursor.as_deref()
    }
}

op!(ByKey { last_id: Option<u64>, size: u64 }, Keyset);
impl KeysetPaged for ByKey {
    fn last_id(&self) -> Option<String> {
        self.last_id.map(|v| v.to_string())
    }
    fn set_last_id(&mut self, id: Option<&str>) -> Result<(), scrm_core::Error> {
        self.last_id = id.map(|s| s.parse()).transpose().map_err(|_| {
            scrm_core::Error::new(ErrorKind::InvalidInput, "last id must be an integer")
        })?;
        Ok(())
    }
    fn page_size(&self) -> u64 {
        self.size
    }
    fn key(item: &u64) -> String {
        item.to_string()
    }
}

fn page(items: &[u64], total: Option<u64>) -> Answer {
    ok(json!({"items": items, "total": total}))
}

fn cursor_page(items: &[u64], next: Option<&str>) -> Answer {
    ok(json!({"items": items, "next_cursor": next}))
}

fn tags(t: &Scripted) -> Vec<String> {
    t.bodies()
        .iter()
        .map(|b| b["tag"].as_str().unwrap().to_owned())
        .collect()
}

fn field(t: &Scripted, name: &str) -> Vec<serde_json::Value> {
    t.bodies().iter().map(|b| b[name].clone()).collect()
}

#[tokio::test]
async fn page_number_walks_to_the_total_keeping_filters() {
    let t = Scripted::new([
        page(&[1, 2], Some(5)),
        page(&[3, 4], Some(5)),
        page(&[5], Some(5)),
    ]);
    let (c, _) = client(t.clone());
    let req = ByPage {
        tag: "f".into(),
        page: 1,
        size: 2,
    };
    let items = collect_all(c.items(req)).await.unwrap();
    assert_eq!(items, [1, 2, 3, 4, 5]);
    assert_eq!(field(&t, "page"), [json!(1), json!(2), json!(3)]);
    assert_eq!(tags(&t), ["f", "f", "f"]);
}

#[tokio::test]
async fn page_number_stops_exactly_at_the_total_without_an_extra_request() {
    let t = Scripted::new([page(&[1, 2], Some(4)), page(&[3, 4], Some(4))]);
    let (c, _) = client(t.clone());
    let pages = collect_all(c.pages(ByPage {
        tag: "f".into(),
        page: 1,
        size: 2,
    }))
    .await
    .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].next, Some(Position::Page { page: 2 }));
    assert_eq!(pages[1].next, None);
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn page_number_ends_on_a_short_page() {
    let t = Scripted::new([page(&[1, 2], Some(10)), page(&[3], Some(10))]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByPage {
        tag: "f".into(),
        page: 1,
        size: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3]);
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn page_number_retries_an_empty_page_before_the_total() {
    let t = Scripted::new([
        page(&[1, 2], Some(3)),
        page(&[], Some(3)),
        page(&[3], Some(3)),
    ]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByPage {
        tag: "f".into(),
        page: 1,
        size: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3]);
    assert_eq!(field(&t, "page"), [json!(1), json!(2), json!(2)]);
}

#[tokio::test]
async fn offset_advances_by_received_count_and_ends_at_total() {
    let t = Scripted::new([
        page(&[1, 2, 3], Some(6)),
        page(&[4], Some(6)),
        page(&[5, 6], Some(6)),
    ]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByOffset {
        tag: "x".into(),
        offset: 0,
        limit: 3,
    }))
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3, 4, 5, 6]);
    assert_eq!(field(&t, "offset"), [json!(0), json!(3), json!(4)]);
    assert_eq!(tags(&t), ["x", "x", "x"]);
}

#[tokio::test]
async fn offset_empty_page_before_total_recovers_when_data_returns() {
    let t = Scripted::new([
        page(&[1, 2], Some(4)),
        page(&[], Some(0)), // throttled: empty, even the total is wrong
        page(&[], Some(4)),
        page(&[3, 4], Some(4)),
    ]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByOffset {
        tag: "x".into(),
        offset: 0,
        limit: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3, 4]);
    assert_eq!(
        field(&t, "offset"),
        [json!(0), json!(2), json!(2), json!(2)]
    );
}

#[tokio::test]
async fn offset_empty_page_that_never_recovers_fails_naming_offset_and_total() {
    let t = Scripted::new([
        page(&[1, 2], Some(4)),
        page(&[], Some(4)),
        page(&[], Some(4)),
        page(&[], Some(4)),
        page(&[], Some(4)),
    ]);
    let (c, _) = client(t.clone());
    let mut s = std::pin::pin!(c.items(ByOffset {
        tag: "x".into(),
        offset: 0,
        limit: 2
    }));
    assert_eq!(s.next().await.unwrap().unwrap(), 1);
    assert_eq!(s.next().await.unwrap().unwrap(), 2);
    let e = s.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    let text = e.to_string();
    assert!(
        text.contains("offset 2") && text.contains("total is 4"),
        "{text}"
    );
    assert!(s.next().await.is_none(), "the stream ends after an error");
    assert_eq!(t.calls(), 5, "1 + 1 + 3 retries");
}

#[tokio::test]
async fn offset_total_drift_fails_by_default_and_warns_when_asked() {
    let answers = || {
        [
            page(&[1, 2], Some(4)),
            page(&[3, 4], Some(5)),
            page(&[5], Some(5)),
        ]
    };
    let (c, _) = client(Scripted::new(answers()));
    let e = collect_all(c.items(ByOffset {
        tag: "x".into(),
        offset: 0,
        limit: 2,
    }))
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert!(e.to_string().contains("from 4 to 5"), "{e}");

    let (c, _) = client(Scripted::new(answers()));
    let opts = PageOptions::default().on_total_change(DriftPolicy::Warn);
    let items = collect_all(
        c.items(ByOffset {
            tag: "x".into(),
            offset: 0,
            limit: 2,
        })
        .options(opts),
    )
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn page_rows_ends_on_short_page() {
    let t = Scripted::new([page(&[1, 2], None), page(&[3], None)]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByRows {
        tag: "r".into(),
        page: 1,
        rows: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3]);
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn page_rows_exact_multiple_ends_on_the_following_empty_page() {
    let t = Scripted::new([page(&[1, 2], None), page(&[3, 4], None), page(&[], None)]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByRows {
        tag: "r".into(),
        page: 1,
        rows: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [1, 2, 3, 4]);
    assert_eq!(field(&t, "page"), [json!(1), json!(2), json!(3)]);
    assert_eq!(tags(&t), ["r", "r", "r"]);
}

#[tokio::test]
async fn cursor_ends_on_null_or_empty_cursor_or_empty_page() {
    for last in [cursor_page(&[3], None), cursor_page(&[3], Some(""))] {
        let t = Scripted::new([cursor_page(&[1, 2], Some("c1")), last]);
        let (c, _) = client(t.clone());
        let items = collect_all(c.items(ByCursor {
            tag: "k".into(),
            cursor: None,
        }))
        .await
        .unwrap();
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(field(&t, "cursor"), [json!(null), json!("c1")]);
        assert_eq!(tags(&t), ["k", "k"]);
    }
    let t = Scripted::new([cursor_page(&[1], Some("c1")), cursor_page(&[], Some("c1"))]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByCursor {
        tag: "k".into(),
        cursor: None,
    }))
    .await
    .unwrap();
    assert_eq!(
        items,
        [1],
        "a repeated cursor with an empty page ends the export"
    );
}

#[tokio::test]
async fn a_cursor_handed_out_twice_with_records_is_an_error_not_a_loop() {
    let t = Scripted::new([
        cursor_page(&[1], Some("c1")),
        cursor_page(&[2], Some("c2")),
        cursor_page(&[3], Some("c1")),
    ]);
    let (c, _) = client(t.clone());
    let e = collect_all(c.items(ByCursor {
        tag: "k".into(),
        cursor: None,
    }))
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert!(e.to_string().contains("cursor \"c1\""), "{e}");
    assert_eq!(t.calls(), 3);
}

#[tokio::test]
async fn a_page_number_pointing_back_is_caught_by_the_loop_guard() {
    // A cursor that points at itself.
    let t = Scripted::new([
        cursor_page(&[1], Some("same")),
        cursor_page(&[2], Some("same")),
    ]);
    let (c, _) = client(t.clone());
    let e = collect_all(c.items(ByCursor {
        tag: "k".into(),
        cursor: None,
    }))
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn keyset_sends_the_last_id_and_ends_on_a_short_page() {
    let t = Scripted::new([
        page(&[10, 11], None),
        page(&[12, 13], None),
        page(&[14], None),
    ]);
    let (c, _) = client(t.clone());
    let pages = collect_all(c.pages(ByKey {
        tag: "z".into(),
        last_id: None,
        size: 2,
    }))
    .await
    .unwrap();
    let items: Vec<u64> = pages.iter().flat_map(|p| p.items.clone()).collect();
    assert_eq!(items, [10, 11, 12, 13, 14]);
    assert_eq!(field(&t, "last_id"), [json!(null), json!(11), json!(13)]);
    assert_eq!(tags(&t), ["z", "z", "z"]);
    assert_eq!(
        pages[1].next,
        Some(Position::LastId {
            last_id: Some("13".into())
        })
    );
}

#[tokio::test]
async fn keyset_empty_page_ends_and_a_stuck_last_id_is_caught() {
    // An empty page is asked for once more (no total tells the end from throttling), then ends.
    let t = Scripted::new([page(&[10, 11], None), page(&[], None), page(&[], None)]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByKey {
        tag: "z".into(),
        last_id: None,
        size: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [10, 11]);
    assert_eq!(t.calls(), 3);
    // A throttled empty page is recovered by that second request.
    let t = Scripted::new([page(&[10, 11], None), page(&[], None), page(&[12], None)]);
    let (c, _) = client(t.clone());
    let items = collect_all(c.items(ByKey {
        tag: "z".into(),
        last_id: None,
        size: 2,
    }))
    .await
    .unwrap();
    assert_eq!(items, [10, 11, 12]);

    let t = Scripted::new([page(&[10, 11], None), page(&[12, 11], None)]);
    let (c, _) = client(t.clone());
    let e = collect_all(c.items(ByKey {
        tag: "z".into(),
        last_id: None,
        size: 2,
    }))
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Pagination, "{e}");
}

#[tokio::test]
async fn page_cap_stops_early_and_tells_where_to_resume() {
    let t = Scripted::new([page(&[1, 2], Some(10)), page(&[3, 4], Some(10))]);
    let (c, _) = client(t.clone());
    let opts = PageOptions::default().max_pages(2);
    let pages = collect_all(
        c.pages(ByPage {
            tag: "f".into(),
            page: 1,
            size: 2,
        })
        .options(opts),
    )
    .await
    .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].next, Some(Position::Page { page: 3 }));
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn resume_from_a_saved_position_keeps_filters() {
    let saved = serde_json::to_string(&Position::Offset { offset: 4 }).unwrap();
    let position: Position = serde_json::from_str(&saved).unwrap();
    let t = Scripted::new([page(&[5, 6], Some(6))]);
    let (c, _) = client(t.clone());
    let opts = PageOptions::default().resume_from(position);
    let items = collect_all(
        c.items(ByOffset {
            tag: "x".into(),
            offset: 0,
            limit: 2,
        })
        .options(opts),
    )
    .await
    .unwrap();
    assert_eq!(items, [5, 6]);
    assert_eq!(field(&t, "offset"), [json!(4)]);
    assert_eq!(tags(&t), ["x"]);

    let t = Scripted::new([cursor_page(&[9], None)]);
    let (c, _) = client(t.clone());
    let opts = PageOptions::default().resume_from(Position::Cursor {
        cursor: Some("c7".into()),
    });
    let items = collect_all(
        c.items(ByCursor {
            tag: "k".into(),
            cursor: None,
        })
        .options(opts),
    )
    .await
    .unwrap();
    assert_eq!(items, [9]);
    assert_eq!(field(&t, "cursor"), [json!("c7")]);
}

#[tokio::test]
async fn resuming_with_another_style_position_is_refused_without_a_request() {
    let t = Scripted::new([]);
    let (c, _) = client(t.clone());
    let opts = PageOptions::default().resume_from(Position::Cursor { cursor: None });
    let e = collect_all(
        c.items(ByPage {
            tag: "f".into(),
            page: 1,
            size: 2,
        })
        .options(opts),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("page number"), "{e}");
    assert_eq!(t.calls(), 0);
}

#[tokio::test]
async fn an_error_mid_export_ends_the_stream_after_the_pages_already_received() {
    let t = Scripted::new([page(&[1, 2], Some(6)), crate::demo::code(400, "bad filter")]);
    let (c, _) = client(t.clone());
    let mut s = std::pin::pin!(c.pages(ByPage {
        tag: "f".into(),
        page: 1,
        size: 2
    }));
    let first = s.next().await.unwrap().unwrap();
    assert_eq!(first.next, Some(Position::Page { page: 2 }));
    let e = s.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.code(), Some("400"));
    assert!(s.next().await.is_none());
    assert_eq!(t.calls(), 2, "invalid requests are not retried");
}
