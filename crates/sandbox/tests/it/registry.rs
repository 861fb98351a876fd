//! The registry: every catalogued operation is served, documented and described.

use scrm_sandbox::Dataset;

/// The catalog of the operation catalog (vendor, CLI name).
pub const CATALOG: [(&str, &str); 29] = [
    ("wshoto", "collect-details"),
    ("wshoto", "customers"),
    ("wshoto", "open-sea"),
    ("wshoto", "group-members"),
    ("wshoto", "contacts"),
    ("wshoto", "product-tags"),
    ("weiban", "smart-form-users"),
    ("weiban", "customer-updates"),
    ("weiban", "customer"),
    ("weiban", "customers-batch"),
    ("weiban", "customers"),
    ("weiban", "customer-staff"),
    ("weiban", "customer-events"),
    ("weiban", "customer-stages"),
    ("weiban", "staff"),
    ("weiban", "group-chats"),
    ("weiban", "group-chat"),
    ("weiban", "group-chat-members"),
    ("waiqin", "tasks"),
    ("waiqin", "task-types"),
    ("waiqin", "visits"),
    ("waiqin", "tracks"),
    ("tanma", "clues"),
    ("tanma", "customer-files"),
    ("tanma", "customer-details"),
    ("tanma", "customers"),
    ("tanma", "tags"),
    ("tanma", "group-chats"),
    ("tanma", "staff"),
];

#[test]
fn every_catalogued_operation_is_served_and_documented() {
    let ops = Dataset::operations();
    let mut got = ops.clone();
    let mut want = CATALOG.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    let d = Dataset::new(1, 100);
    let readme = include_str!("../../README.md");
    let lib = include_str!("../../src/lib.rs");
    let rows: Vec<(String, String)> = ops
        .iter()
        .map(|&(vendor, name)| {
            let op = d.operation(vendor, name).unwrap();
            assert!(op.records > 0, "{vendor} {name}");
            let row = format!("| {vendor} | `{name}` | `{} {}", op.method, op.path);
            let full = format!("{row}` | {} | {} |", op.paging, op.filters.join(", "));
            (row, full)
        })
        .collect();
    if std::env::var_os("PRINT_ROUTES").is_some() {
        for (_, full) in &rows {
            println!("{full}");
        }
    }
    for (row, _) in rows {
        assert!(readme.contains(&row), "README lacks {row}");
        assert!(lib.contains(&format!("//! {row}")), "crate docs lack {row}");
    }
}

#[test]
fn every_record_is_json_and_keys_are_unique() {
    let d = Dataset::new(5, 400);
    for (vendor, name) in Dataset::operations() {
        let n = d.operation(vendor, name).unwrap().records;
        for i in 0..n {
            let r = d.record(vendor, name, i);
            assert!(r.is_some_and(|r| r.is_object()), "{vendor} {name} {i}");
        }
        assert!(d.record(vendor, name, n).is_none());
    }
}
