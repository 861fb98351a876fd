//! Replays every saved input of every fuzz target (`fuzz/corpus/<target>/`, including the
//! `regression-*` inputs `cargo xtask fuzz` saves from crashes) through the functions the
//! targets call, on the stable toolchain, without cargo-fuzz. Then a fixed set of generated
//! inputs per target, so the harness itself is exercised even with an empty corpus.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

fn corpus_dir(target: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn every_saved_input_of_every_target_replays_without_a_panic() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for target in scrm_fuzzing::TARGETS {
        let dir = corpus_dir(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            replayed += 1;
            if catch_unwind(AssertUnwindSafe(|| scrm_fuzzing::run(target, &data))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    println!("replayed {replayed} saved inputs");
    assert!(failures.is_empty(), "inputs that panic: {failures:#?}");
}

#[test]
fn every_target_has_a_corpus_folder_and_a_fuzz_binary() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/Cargo.toml"),
    )
    .unwrap_or_default();
    for target in scrm_fuzzing::TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml has no [[bin]] {target}"
        );
        assert!(
            corpus_dir(target).is_dir(),
            "fuzz/corpus/{target} is missing"
        );
    }
}

/// Deterministic pseudo-random inputs (splitmix64), 3 000 per target.
#[test]
fn generated_inputs_of_every_target_run_without_a_panic() {
    let mut state: u64 = 0x5eed_1234_abcd_0001;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for target in scrm_fuzzing::TARGETS {
        for i in 0..3000usize {
            let len = (next() % 512) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let ok = catch_unwind(AssertUnwindSafe(|| scrm_fuzzing::run(target, &data))).is_ok();
            assert!(ok, "{target}: generated input {i} panics: {data:?}");
        }
    }
}
