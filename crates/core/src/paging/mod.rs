//! Pagination: five built-in styles and a driver that turns any of them into streams.
//!
//! An endpoint implements [`Paged`] (its item type, how to take the items out of a response,
//! which style it pages in) and the accessor trait of its style:
//!
//! | style | trait | paginator | ends when |
//! |---|---|---|---|
//! | page number from 1 + total | [`PageNumbered`] | [`PageNumber`] | total reached, short page |
//! | offset/limit + total | [`OffsetPaged`] | [`Offset`] | total reached |
//! | page/rows, no total | [`PageRowsPaged`] | [`PageRows`] | short or empty page |
//! | cursor | [`CursorPaged`] | [`Cursor`] | null/empty cursor, empty page |
//! | keyset by last id | [`KeysetPaged`] | [`Keyset`] | short or empty page |
//!
//! The driver keeps every filter of the first request on every later one (the next request is
//! the previous one with only its position changed), refuses to loop (a position requested
//! twice is an error), retries an empty page that arrives before the total is reached, stops at
//! an optional page cap, and tells after every page the [`Position`] to resume from.
//!
//! Inside, each part uses only those before it: the options ([`PageOptions`], [`Position`],
//! [`DriftPolicy`]), the styles ([`Paged`], the [`Paginator`]s), the stream driver ([`Pages`],
//! [`Items`]), which sends through the client that made it without depending on it; and what
//! [`paging!`](macro@crate::paging) expands to.

mod declare;
mod options;
mod stream;
mod styles;

pub use declare::{PageKey, PageNum};
pub use options::{DriftPolicy, PageOptions, Position};
pub(crate) use stream::PageSource;
pub use stream::{Items, Page, Pages, collect_all};
pub use styles::{
    Cursor, CursorPaged, Keyset, KeysetPaged, Offset, OffsetPaged, PageNumber, PageNumbered,
    PageRows, PageRowsPaged, Paged, Paginator, PagingStyle, Single, Step,
};
