//! The operation registry: every served operation as one declaration ([`OpDecl`]), grouped
//! by vendor. The six seed operations come first, in [`crate::Op`] order.

mod tanma;
mod waiqin;
pub(crate) mod weiban;
pub(crate) mod wshoto;

use std::fmt::Display;

use crate::data::{Op, PopView, Vendor, push_idx};
use crate::engine::OpDecl;
use crate::util::{push_int, push_json_str, push_key};

/// Every served operation.
pub(crate) static OPS: [OpDecl; 29] = [
    wshoto::COLLECT_DETAILS,
    weiban::SMART_FORM_USERS,
    waiqin::TASKS,
    waiqin::TASK_TYPES,
    tanma::CLUES,
    tanma::CUSTOMER_FILES,
    wshoto::CUSTOMERS,
    wshoto::OPEN_SEA,
    wshoto::GROUP_MEMBERS,
    wshoto::CONTACTS,
    wshoto::PRODUCT_TAGS,
    weiban::CUSTOMER_UPDATES,
    weiban::CUSTOMER,
    weiban::CUSTOMERS_BATCH,
    weiban::CUSTOMERS,
    weiban::CUSTOMER_STAFF,
    weiban::CUSTOMER_EVENTS,
    weiban::CUSTOMER_STAGES,
    weiban::STAFF,
    weiban::GROUP_CHATS,
    weiban::GROUP_CHAT,
    weiban::GROUP_CHAT_MEMBERS,
    waiqin::VISITS,
    waiqin::TRACKS,
    tanma::CUSTOMER_DETAILS,
    tanma::CUSTOMERS,
    tanma::TAGS,
    tanma::GROUP_CHATS,
    tanma::STAFF,
];

/// The declaration of a seed operation.
pub(crate) fn decl(op: Op) -> &'static OpDecl {
    &OPS[op.idx()]
}

/// The declaration of `vendor`'s operation `name` (CLI name).
pub(crate) fn find(vendor: &str, name: &str) -> Option<&'static OpDecl> {
    OPS.iter()
        .find(|d| d.vendor.name() == vendor && d.name == name)
}

/// Registry index of a declaration.
pub(crate) fn index_of(d: &OpDecl) -> usize {
    OPS.iter()
        .position(|x| x.vendor == d.vendor && x.name == d.name)
        .unwrap_or(0)
}

/// The operation at `(method, path)`; waiqin paths match on their first four segments.
pub(crate) fn route(vendor: Vendor, path: &str) -> Option<&'static OpDecl> {
    OPS.iter().find(|d| {
        d.vendor == vendor
            && if vendor == Vendor::Waiqin {
                path.len() > d.path.len()
                    && path.starts_with(d.path)
                    && path.as_bytes()[d.path.len()] == b'/'
            } else {
                path == d.path
            }
    })
}

/// A JSON object writer: one line per field in the generators.
pub(crate) struct J<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> J<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_key(self.out, k);
        self.out
    }

    /// A string field.
    pub(crate) fn s(&mut self, k: &str, v: &str) -> &mut Self {
        push_json_str(self.key(k), v);
        self
    }

    /// A number field.
    pub(crate) fn n(&mut self, k: &str, v: impl Display) -> &mut Self {
        push_int(self.key(k), v);
        self
    }

    /// A number written as a string (waiqin, tanma `salesId`).
    pub(crate) fn ns(&mut self, k: &str, v: impl Display) -> &mut Self {
        let o = self.key(k);
        o.push('"');
        push_int(o, v);
        o.push('"');
        self
    }

    /// A boolean field.
    pub(crate) fn b(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).push_str(if v { "true" } else { "false" });
        self
    }

    /// `null`.
    pub(crate) fn null(&mut self, k: &str) -> &mut Self {
        self.key(k).push_str("null");
        self
    }

    /// A string or `null`.
    pub(crate) fn os(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.s(k, v),
            None => self.null(k),
        }
    }

    /// A number or `null`.
    pub(crate) fn on(&mut self, k: &str, v: Option<impl Display>) -> &mut Self {
        match v {
            Some(v) => self.n(k, v),
            None => self.null(k),
        }
    }

    /// Raw JSON text.
    pub(crate) fn raw(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k).push_str(v);
        self
    }

    /// An array of `n` elements written by `f`.
    pub(crate) fn arr(
        &mut self,
        k: &str,
        n: usize,
        mut f: impl FnMut(&mut String, usize),
    ) -> &mut Self {
        let o = self.key(k);
        o.push('[');
        for e in 0..n {
            if e > 0 {
                o.push(',');
            }
            f(o, e);
        }
        o.push(']');
        self
    }

    /// Closes the object.
    pub(crate) fn end(&mut self) {
        self.out.push('}');
    }
}

/// A generated id `prefix + 6 scrambled characters of i`, the inverse of which is
/// [`idx_of`]: lookups by id are O(1).
pub(crate) fn id_str(prefix: &str, i: usize, salt: u64) -> String {
    let mut s = String::with_capacity(prefix.len() + 6);
    s.push_str(prefix);
    push_idx(&mut s, i as u64, salt);
    s
}

/// Inverse of [`id_str`]: the index an id encodes, if it has the prefix and is below `len`.
pub(crate) fn idx_of(id: &str, prefix: &str, salt: u64, len: usize) -> Option<usize> {
    const ALNUM: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const MASK: u64 = (1 << 36) - 1;
    let tail = id.strip_prefix(prefix)?;
    if tail.len() != 6 {
        return None;
    }
    let mut x: u64 = 0;
    for b in tail.bytes() {
        let v = ALNUM.iter().position(|&c| c == b)? as u64;
        x = (x << 6) | v;
    }
    // Inverse of the odd multiplier modulo 2^64 (Newton), then modulo 2^36.
    let a: u64 = 0x9E37_79B1;
    let mut inv = a;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(inv)));
    }
    let i = (x.wrapping_sub(crate::util::mix(salt)) & MASK).wrapping_mul(inv) & MASK;
    let i = usize::try_from(i).ok()?;
    (i < len && id_str(prefix, i, salt) == id).then_some(i)
}

/// A 19-digit id `base + i * stride + jitter`, invertible by division ([`num_idx`]).
pub(crate) fn num_id(base: u64, stride: u64, i: usize, jitter: u64) -> u64 {
    base + i as u64 * stride + jitter % stride
}

/// Inverse of [`num_id`] (the caller re-checks the jitter by regenerating the id).
pub(crate) fn num_idx(id: &str, base: u64, stride: u64, view: &PopView) -> Option<usize> {
    let n: u64 = id.trim().parse().ok()?;
    let i = usize::try_from(n.checked_sub(base)? / stride).ok()?;
    (i < view.len()).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_invert() {
        for salt in [0u64, 7, 1 << 40] {
            for i in (0..200_000).step_by(97).chain([0, 1, 199_999]) {
                let id = id_str("wm", i, salt);
                assert_eq!(idx_of(&id, "wm", salt, 200_000), Some(i), "{id}");
                assert_eq!(idx_of(&id, "wm", salt, i), None, "beyond the length");
                assert_eq!(idx_of(&id, "xx", salt, 200_000), None);
            }
        }
        assert_eq!(idx_of("wmABC", "wm", 0, 10), None);
        assert_eq!(idx_of("wm\u{4e2d}\u{6587}", "wm", 0, 10), None);
    }
}
