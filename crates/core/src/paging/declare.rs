//! What the [`paging!`](macro@crate::paging) declaration expands to: the field conversions
//! ([`PageNum`], [`PageKey`]) and the macro itself.

use crate::error::{Error, ErrorKind};

/// A request field holding a page number, size or offset ([`paging!`](macro@crate::paging)).
#[doc(hidden)]
pub trait PageNum: Copy {
    /// As a `u64`.
    fn to_u64(self) -> u64;
    /// From a `u64` (saturating).
    fn from_u64(v: u64) -> Self;
}

macro_rules! page_num {
    ($($t:ty),*) => {$(
        impl PageNum for $t {
            fn to_u64(self) -> u64 {
                u64::try_from(self).unwrap_or(0)
            }
            fn from_u64(v: u64) -> Self {
                <$t>::try_from(v).unwrap_or(<$t>::MAX)
            }
        }
    )*};
}
page_num!(u32, u64, i32, i64);

impl PageNum for crate::de::Digits {
    fn to_u64(self) -> u64 {
        self.0
    }
    fn from_u64(v: u64) -> Self {
        crate::de::Digits(v)
    }
}

/// A record field usable as a keyset key ([`paging!`](macro@crate::paging)).
#[doc(hidden)]
pub trait PageKey: Sized {
    /// The key as text (what a [`Position::LastId`] holds).
    fn to_key(&self) -> String;
    /// The key from text.
    fn from_key(key: &str) -> Result<Self, Error>;
}

impl PageKey for crate::de::Id {
    fn to_key(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_key(key: &str) -> Result<Self, Error> {
        Ok(match key.parse::<u64>() {
            Ok(n) => crate::de::Id::number(n),
            Err(_) => crate::de::Id::string(key),
        })
    }
}

impl PageKey for String {
    fn to_key(&self) -> String {
        self.clone()
    }
    fn from_key(key: &str) -> Result<Self, Error> {
        Ok(key.to_owned())
    }
}

macro_rules! page_key_int {
    ($($t:ty),*) => {$(
        impl PageKey for $t {
            fn to_key(&self) -> String {
                self.to_string()
            }
            fn from_key(key: &str) -> Result<Self, Error> {
                key.trim().parse().map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidInput,
                        format!("last id {key:?} is not an integer"),
                    )
                })
            }
        }
    )*};
}
page_key_int!(u64, i64);

/// Declares how an operation pages: its item type, the request fields of its position and
/// page size (with the size a stream asks for when the request sets none), and the response
/// fields holding the items and the total, cursor or key.
///
/// ```text
/// scrm_core::paging!(Req => Item, page_number(current_index, page_size = 100), total(total), items(records));
/// scrm_core::paging!(Req => Item, offset(offset, limit = 100), total(total), items(result));
/// scrm_core::paging!(Req => Item, offset(offset, limit = 100), items(result));          // no total
/// scrm_core::paging!(Req => Item, page_rows(page, rows = 1000), items(list));
/// scrm_core::paging!(Req => Item, cursor(cursor, size = 100), next(next_cursor), items(list));
/// scrm_core::paging!(Req => Item, keyset(last_id, page_size = 100), key(id), items(result));
/// scrm_core::paging!(Req => Item, single, items(list));
/// scrm_core::paging!(Req => Item, single, item(detail));                                // one object
/// ```
///
/// `items(*)` says the response is the list itself (`Response = Vec<Item>`).
#[macro_export]
macro_rules! paging {
    (@items $r:ident, *) => { ::std::mem::take($r) };
    (@items $r:ident, $items:ident) => { $r.$items.take().unwrap_or_default() };
    (@common $req:ty => $item:ty, $style:ident, $size:expr, $items:tt) => {
        type Item = $item;
        type Style = $crate::$style;
        const PAGE_SIZE: ::core::option::Option<&'static str> = $size;
        fn take_items(r: &mut <Self as $crate::Operation>::Response) -> ::std::vec::Vec<$item> {
            $crate::paging!(@items r, $items)
        }
    };
    (@fill $self:ident . $field:ident = $value:expr) => {
        if $self.$field.is_none() {
            $self.$field = ::core::option::Option::Some($crate::paging::PageNum::from_u64($value));
        }
    };
    (@get $self:ident . $field:ident or $default:expr) => {
        $self.$field.map_or($default, $crate::paging::PageNum::to_u64)
    };
    (@total $r:ident $(, $total:ident)?) => {{
        let _ = $r;
        ::core::option::Option::<u64>::None $( .or($r.$total.map($crate::paging::PageNum::to_u64)) )?
    }};

    ($req:ty => $item:ty, page_number($page:ident, $size:ident = $default:expr) $(, total($total:ident))?, items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, PageNumber, Some(stringify!($size)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$page = 1);
                $crate::paging!(@fill self.$size = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::PageNumbered for $req {
            fn page(&self) -> u64 { $crate::paging!(@get self.$page or 1) }
            fn set_page(&mut self, page: u64) {
                self.$page = ::core::option::Option::Some($crate::paging::PageNum::from_u64(page));
            }
            fn page_size(&self) -> u64 { $crate::paging!(@get self.$size or $default) }
            fn total(r: &<Self as $crate::Operation>::Response) -> ::core::option::Option<u64> {
                $crate::paging!(@total r $(, $total)?)
            }
        }
    };
    ($req:ty => $item:ty, offset($offset:ident, $limit:ident = $default:expr) $(, total($total:ident))?, items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Offset, Some(stringify!($limit)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$offset = 0);
                $crate::paging!(@fill self.$limit = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::OffsetPaged for $req {
            fn offset(&self) -> u64 { $crate::paging!(@get self.$offset or 0) }
            fn set_offset(&mut self, offset: u64) {
                self.$offset = ::core::option::Option::Some($crate::paging::PageNum::from_u64(offset));
            }
            fn limit(&self) -> u64 { $crate::paging!(@get self.$limit or $default) }
            fn total(r: &<Self as $crate::Operation>::Response) -> ::core::option::Option<u64> {
                $crate::paging!(@total r $(, $total)?)
            }
        }
    };
    ($req:ty => $item:ty, page_rows($page:ident, $rows:ident = $default:expr), items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, PageRows, Some(stringify!($rows)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$page = 1);
                $crate::paging!(@fill self.$rows = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::PageRowsPaged for $req {
            fn page(&self) -> u64 { $crate::paging!(@get self.$page or 1) }
            fn set_page(&mut self, page: u64) {
                self.$page = ::core::option::Option::Some($crate::paging::PageNum::from_u64(page));
            }
            fn rows(&self) -> u64 { $crate::paging!(@get self.$rows or $default) }
        }
    };
    ($req:ty => $item:ty, cursor($cursor:ident, $size:ident = $default:expr), next($next:ident), items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Cursor, Some(stringify!($size)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$size = $default);
                $( let $r = &mut *self; $then )?
                // An empty cursor is the first page, as an empty `next` cursor is the end.
                if self.$cursor.as_deref() == ::core::option::Option::Some("") {
                    self.$cursor = ::core::option::Option::None;
                }
            }
        }
        impl $crate::CursorPaged for $req {
            fn cursor(&self) -> ::core::option::Option<&str> { self.$cursor.as_deref() }
            fn set_cursor(&mut self, cursor: ::core::option::Option<::std::string::String>) {
                self.$cursor = cursor;
            }
            fn next_cursor(r: &<Self as $crate::Operation>::Response) -> ::core::option::Option<&str> {
                r.$next.as_deref()
            }
        }
    };
    ($req:ty => $item:ty, keyset($last:ident, $size:ident = $default:expr), key($key:ident), items($items:tt) $(, then($r:ident) $then:block)?) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Keyset, Some(stringify!($size)), $items);
            fn prepare(&mut self) {
                $crate::paging!(@fill self.$size = $default);
                $( let $r = &mut *self; $then )?
            }
        }
        impl $crate::KeysetPaged for $req {
            fn last_id(&self) -> ::core::option::Option<::std::string::String> {
                self.$last.as_ref().map($crate::paging::PageKey::to_key)
            }
            fn set_last_id(&mut self, id: ::core::option::Option<&str>) -> ::core::result::Result<(), $crate::Error> {
                self.$last = id.map($crate::paging::PageKey::from_key).transpose()?;
                Ok(())
            }
            fn page_size(&self) -> u64 { $crate::paging!(@get self.$size or $default) }
            fn key(item: &Self::Item) -> ::std::string::String {
                item.$key.as_ref().map($crate::paging::PageKey::to_key).unwrap_or_default()
            }
        }
    };
    ($req:ty => $item:ty, single, items($items:tt)) => {
        impl $crate::Paged for $req {
            $crate::paging!(@common $req => $item, Single, None, $items);
        }
    };
    ($req:ty => $item:ty, single, item($field:ident)) => {
        impl $crate::Paged for $req {
            type Item = $item;
            type Style = $crate::Single;
            fn take_items(r: &mut <Self as $crate::Operation>::Response) -> ::std::vec::Vec<$item> {
                r.$field.take().into_iter().collect()
            }
        }
    };
}
