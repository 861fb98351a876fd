//! The per-operation part of `scrm sync --help`, derived from the registries.

use crate::vendors::OpRef;

/// What `scrm sync` does with each registered operation.
pub fn operations() -> String {
    let mut out = String::from(
        "Tables: one per operation, <vendor>_<operation with '-' as '_'>, one row per record keyed by\n\
         the operation's primary key: the key and cursor columns, `record` (the record as `scrm export`\n\
         prints it: TEXT with JSON in SQLite, jsonb in PostgreSQL), `_scrm_written_at`, `_scrm_version`.\n\
         Bookmarks: `_scrm_state`, committed with each page's rows; a rerun after a crash resumes.\n\
         Exit status: 0 when the sync completed; 1 when it failed; 2 for a usage error.\n\n\
         Operations:\n",
    );
    for op in OpRef::all() {
        out.push_str("  ");
        out.push_str(&scrm_sync::describe(op.info()));
        out.push('\n');
    }
    out
}
