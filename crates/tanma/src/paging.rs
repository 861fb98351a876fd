//! tanma's keyset paging with totals (`lastId` + `pageSize` → `totalCount`, `pageSize`,
//! `result`): the core keyset rule, plus the page size the server reports it applied.

use scrm_core::{
    Error, ErrorKind, Keyset, KeysetPaged, Operation, PageOptions, Paginator, PagingStyle,
    Position, Step,
};

/// What a keyset response with totals reports besides its records.
pub trait KeysetTotals: KeysetPaged {
    /// `pageSize`: the page size the server applied, if it says.
    fn served_page_size(response: &Self::Response) -> Option<u64>;
    /// `totalCount`: the records matching the request, if it says.
    fn total_count(response: &Self::Response) -> Option<u64>;
}

/// Keyset paging by the last record's id, aware of a server-side page-size cap.
///
/// The next request is the previous one with `lastId` set to the id of the last record
/// received (every filter kept). The export ends on an empty page or a short one: shorter than
/// the `pageSize` asked for or, when the response reports a smaller `pageSize` (a server-side
/// cap), shorter than that, so a capped page size does not end an export early. A `lastId`
/// requested twice (a server ignoring it) is reported as a pagination error instead of
/// looping. If an export started from the beginning ends before the `totalCount` of its first
/// page was reached, a warning is logged (the meaning of the totals under keyset paging is not
/// documented, so it is not treated as an error).
#[derive(Debug, Default)]
pub struct FileKeyset {
    first_total: Option<u64>,
    seen: u64,
}

impl<Op: KeysetTotals> Paginator<Op> for FileKeyset {
    const STYLE: PagingStyle = PagingStyle::Keyset;

    // Positions are core's keyset positions.
    fn position(&self, request: &Op) -> Position {
        Keyset::default().position(request)
    }

    fn resume(&mut self, request: &mut Op, position: &Position) -> Result<(), Error> {
        Keyset::default().resume(request, position)
    }

    fn next(
        &mut self,
        request: &Op,
        response: &Op::Response,
        items: &[Op::Item],
        _options: &PageOptions,
    ) -> Result<Step<Op>, Error> {
        let Some(last) = items.last() else {
            return Ok(Step::Done);
        };
        let received = items.len() as u64;
        if self.seen == 0 && request.last_id().is_none() {
            // The first page of an export from the start: its total covers the whole export.
            self.first_total = Op::total_count(response);
        }
        self.seen += received;
        let asked = request.page_size();
        let served = Op::served_page_size(response)
            .filter(|n| *n > 0)
            .map_or(asked, |n| n.min(asked));
        if received < served {
            if let Some(total) = self.first_total.filter(|total| self.seen < *total) {
                tracing::warn!(
                    operation = <Op as Operation>::NAME,
                    seen = self.seen,
                    total,
                    "short page before the first page's totalCount: export ends here"
                );
            }
            return Ok(Step::Done);
        }
        let key = Op::key(last);
        let mut next = request.clone();
        next.set_last_id(Some(&key)).map_err(|_| {
            Error::new(
                ErrorKind::Pagination,
                format!(
                    "the last record's id {key:?} is not an integer: cannot send it as `lastId`"
                ),
            )
        })?;
        Ok(Step::Next(next))
    }
}

/// Declares an operation that pages by [`FileKeyset`]: its item, the request fields of the
/// last id (a [`NumId`](crate::NumId)) and the page size (with the size streams send when the
/// request sets none), the record's key field, and the response fields of the records, the
/// total and the served page size.
///
/// ```text
/// keyset_with_totals!(Req => Item, last_id(last_id as "lastId"), page_size(page_size = 100), key(id),
///     items(result), totals(total_count, page_size));
/// ```
macro_rules! keyset_with_totals {
    ($req:ty => $item:ty, last_id($last:ident as $wire:literal), page_size($size:ident = $default:expr),
        key($key:ident), items($items:ident), totals($total:ident, $served:ident)) => {
        impl ::scrm_core::Paged for $req {
            type Item = $item;
            type Style = $crate::paging::FileKeyset;
            const PAGE_SIZE: Option<&'static str> = Some(stringify!($size));
            fn take_items(r: &mut <Self as ::scrm_core::Operation>::Response) -> Vec<$item> {
                r.$items.take().unwrap_or_default()
            }
            fn prepare(&mut self) {
                self.$size.get_or_insert($default);
            }
        }

        impl ::scrm_core::KeysetPaged for $req {
            fn last_id(&self) -> Option<String> {
                self.$last.as_ref().map(|id| id.as_str().to_owned())
            }
            fn set_last_id(&mut self, id: Option<&str>) -> Result<(), ::scrm_core::Error> {
                let id: Option<$crate::NumId> = id.map(::scrm_core::IntoField::into_field);
                $crate::wire::numeric($wire, id.as_ref())?;
                self.$last = id;
                Ok(())
            }
            fn page_size(&self) -> u64 {
                self.$size.map_or(u64::from($default), u64::from)
            }
            fn key(item: &$item) -> String {
                item.$key
                    .as_ref()
                    .map(|id| id.as_str().to_owned())
                    .unwrap_or_default()
            }
        }

        impl $crate::paging::KeysetTotals for $req {
            fn served_page_size(r: &<Self as ::scrm_core::Operation>::Response) -> Option<u64> {
                r.$served.and_then(|n| u64::try_from(n).ok())
            }
            fn total_count(r: &<Self as ::scrm_core::Operation>::Response) -> Option<u64> {
                r.$total.and_then(|n| u64::try_from(n).ok())
            }
        }
    };
}
pub(crate) use keyset_with_totals;
