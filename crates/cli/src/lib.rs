//! The internals of the `scrm` binary, shared with `scrm-bench`: the four vendors behind one
//! interface ([`vendors`]), configuration from the environment ([`mod@env`]) and the command-line
//! arguments ([`args`]). Not a stable API: depend on the vendor crates instead.
#![allow(missing_docs)]

pub mod args;
pub mod env;
pub mod shared;
pub mod sync_help;
pub mod vendors;

/// The root README's code (it uses every vendor crate), compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct RootReadmeDoctests;
