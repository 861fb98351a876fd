//! `cargo xtask fixtures [--check]`: the fixture snapshots written by
//! `scrm_testkit::fixture_snapshot!`.
//!
//! - A *payload fixture* is any file under `fixtures/<vendor>/` except `*.md` (and dotfiles).
//! - A *fixture snapshot* is an insta `.snap` file anywhere in the workspace whose header has
//!   `input_file: fixtures/...`; its content starts with `fixture: <rel>` and `sha256: <hex>`.
//! - The crates that have fixture tests are the `crates/*` whose `tests/` mention
//!   `fixture_snapshot!`; only those are tested, so unrelated in-progress crates cannot break this.
//! - *Referenced* snapshots are the ones insta reports as asserted during the test run, through its
//!   `INSTA_SNAPSHOT_REFERENCES_FILE` hook (the mechanism `cargo insta test --unreferenced` uses).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use crate::sha256;

/// Subcommand usage.
const USAGE: &str = "usage: cargo xtask fixtures [--check]";

/// insta environment variables that would let a check pass or write files; removed in check mode.
const INSTA_OVERRIDES: &[&str] = &[
    "INSTA_UPDATE",
    "INSTA_FORCE_PASS",
    "INSTA_FORCE_UPDATE",
    "INSTA_FORCE_UPDATE_SNAPSHOTS",
    "INSTA_PENDING_DIR",
    "INSTA_GLOB_FILTER",
    "INSTA_WORKSPACE_ROOT",
    "INSTA_SNAPSHOT_REFERENCES_FILE",
];

/// Entry point: `args` are the arguments after `fixtures`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = workspace_root()?;
    if check {
        run_check(&root)
    } else {
        run_regenerate(&root)
    }
}

fn workspace_root() -> Result<PathBuf, String> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("no workspace above {}", manifest_dir.display()))
}

fn run_check(root: &Path) -> Result<(), String> {
    let leftovers = leftover_pending(root);
    if !leftovers.is_empty() {
        return Err(format!(
            "pending insta snapshots exist (review or delete them first; --check writes nothing):\n{}",
            bullet(leftovers.iter().map(|p| rel(root, p)))
        ));
    }
    let crates = fixture_test_crates(root)?;
    let outcome = run_tests(root, &crates, Mode::Check)?;
    let mut problems = verify(root, &outcome.referenced)?;
    if !outcome.passed {
        problems.insert(
            0,
            "`cargo test` failed: a fixture snapshot is missing or stale, or a fixture test failed \
             (see the output above). Run `cargo xtask fixtures` and review the diff."
                .to_owned(),
        );
    }
    problems.extend(
        leftover_pending(root)
            .iter()
            .map(|p| format!("the test run left a pending snapshot: {}", rel(root, p))),
    );
    if problems.is_empty() {
        println!("fixtures: all snapshots up to date");
        Ok(())
    } else {
        Err(format!(
            "fixture check failed:\n{}",
            bullet(problems.iter().cloned())
        ))
    }
}

fn run_regenerate(root: &Path) -> Result<(), String> {
    let crates = fixture_test_crates(root)?;
    let outcome = run_tests(root, &crates, Mode::Regenerate)?;
    if !outcome.passed {
        return Err(
            "`cargo test` failed while regenerating (a fixture test itself fails); \
             no snapshot was deleted"
                .to_owned(),
        );
    }
    for snap in fixture_snapshots(root)?.keys() {
        if !outcome.referenced.contains(&canonical(snap)) {
            fs::remove_file(snap).map_err(|e| format!("cannot delete {}: {e}", snap.display()))?;
            println!(
                "fixtures: deleted unreferenced snapshot {}",
                rel(root, snap)
            );
        }
    }
    let problems = verify(root, &outcome.referenced)?;
    if problems.is_empty() {
        println!("fixtures: snapshots regenerated; review them with `git diff`");
        Ok(())
    } else {
        Err(format!(
            "snapshots regenerated, but `--check` would still fail:\n{}",
            bullet(problems.iter().cloned())
        ))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Regenerate,
}

struct Outcome {
    /// Whether `cargo test` succeeded.
    passed: bool,
    /// Canonical paths of every snapshot file asserted during the run.
    referenced: BTreeSet<PathBuf>,
}

/// Runs `cargo test` for `crates` with insta configured for `mode`, collecting the snapshot
/// files insta reports as asserted.
fn run_tests(root: &Path, crates: &[String], mode: Mode) -> Result<Outcome, String> {
    let refs_file = env::temp_dir().join(format!("xtask-fixture-refs-{}.txt", std::process::id()));
    let _ = fs::remove_file(&refs_file);

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["test", "--tests", "--no-fail-fast"]);
    for name in crates {
        cmd.args(["--package", name]);
    }
    for var in INSTA_OVERRIDES {
        cmd.env_remove(var);
    }
    cmd.env("INSTA_SNAPSHOT_REFERENCES_FILE", &refs_file);
    match mode {
        Mode::Check => {
            cmd.env("CI", "true").env("INSTA_UPDATE", "no");
        }
        Mode::Regenerate => {
            cmd.env("INSTA_UPDATE", "always")
                .env("INSTA_FORCE_PASS", "1");
        }
    }
    println!(
        "fixtures: running cargo test --tests --no-fail-fast -p {} ({})",
        crates.join(" -p "),
        if mode == Mode::Check {
            "CI=true INSTA_UPDATE=no"
        } else {
            "INSTA_UPDATE=always INSTA_FORCE_PASS=1"
        }
    );
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    let referenced = fs::read_to_string(&refs_file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| canonical(Path::new(l)))
        .collect();
    let _ = fs::remove_file(&refs_file);
    Ok(Outcome {
        passed: status.success(),
        referenced,
    })
}

/// Static checks after a run; returns human-readable problems.
fn verify(root: &Path, referenced: &BTreeSet<PathBuf>) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let fixtures = payload_fixtures(root)?;
    let mut covered = BTreeSet::new();

    for (snap, header) in fixture_snapshots(root)? {
        let snap_rel = rel(root, &snap);
        let Some(fixture) = header.input_file.strip_prefix("fixtures/") else {
            continue;
        };
        if !referenced.contains(&canonical(&snap)) {
            problems.push(format!(
                "unreferenced snapshot {snap_rel} (no test asserts it; `cargo xtask fixtures` deletes it)"
            ));
            continue;
        }
        if header.fixture.as_deref() != Some(fixture) {
            problems.push(format!(
                "snapshot {snap_rel}: content names fixture {:?} but input_file is fixtures/{fixture}",
                header.fixture.as_deref().unwrap_or("<none>")
            ));
            continue;
        }
        let Ok(bytes) = fs::read(root.join(&header.input_file)) else {
            problems.push(format!(
                "snapshot {snap_rel}: its fixture {} does not exist",
                header.input_file
            ));
            continue;
        };
        let actual = sha256::hex_digest(&bytes);
        if header.sha256.as_deref() != Some(actual.as_str()) {
            problems.push(format!(
                "fixture fixtures/{fixture} changed without its snapshot {snap_rel} \
                 (snapshot sha256 {}, file sha256 {actual}); fixtures are never edited, \
                 restore it or regenerate deliberately",
                header.sha256.as_deref().unwrap_or("<none>")
            ));
        }
        covered.insert(fixture.to_owned());
    }

    for fixture in fixtures.difference(&covered) {
        problems.push(format!(
            "fixture fixtures/{fixture} has no snapshot: snapshot its parse with \
             scrm_testkit::fixture_snapshot!"
        ));
    }
    Ok(problems)
}

/// Package names of the `crates/*` whose `tests/` call `fixture_snapshot!`.
fn fixture_test_crates(root: &Path) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for dir in read_dir_sorted(&root.join("crates"))? {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let mut uses_macro = false;
        walk(&dir.join("tests"), &mut |path| {
            if path.extension() == Some(OsStr::new("rs"))
                && fs::read_to_string(path).is_ok_and(|s| s.contains("fixture_snapshot!"))
            {
                uses_macro = true;
            }
        });
        if uses_macro {
            names.push(package_name(&manifest)?);
        }
    }
    if names.is_empty() {
        return Err("no crate under crates/ has tests calling fixture_snapshot!".to_owned());
    }
    Ok(names)
}

/// The `name` of a manifest's `[package]` table.
fn package_name(manifest: &Path) -> Result<String, String> {
    let text = fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("name").map(str::trim_start)
            && let Some(value) = value.strip_prefix('=')
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    Err(format!("no [package] name in {}", manifest.display()))
}

/// Payload fixtures, relative to `fixtures/`: files under `fixtures/<vendor>/` except `*.md`.
fn payload_fixtures(root: &Path) -> Result<BTreeSet<String>, String> {
    let base = root.join("fixtures");
    let mut out = BTreeSet::new();
    for vendor in read_dir_sorted(&base)? {
        if !vendor.is_dir() {
            continue;
        }
        walk(&vendor, &mut |path| {
            let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
            if !name.ends_with(".md") && !name.starts_with('.') {
                out.insert(rel(&base, path));
            }
        });
    }
    Ok(out)
}

/// What the xtask needs from a `.snap` file.
struct SnapHeader {
    /// `input_file` from the insta metadata.
    input_file: String,
    /// `fixture:` line of the content.
    fixture: Option<String>,
    /// `sha256:` line of the content.
    sha256: Option<String>,
}

/// Every `.snap` file in the workspace whose `input_file` is under `fixtures/`.
fn fixture_snapshots(root: &Path) -> Result<BTreeMap<PathBuf, SnapHeader>, String> {
    let mut out = BTreeMap::new();
    let mut error = None;
    walk(root, &mut |path| {
        if path.extension() != Some(OsStr::new("snap")) {
            return;
        }
        match fs::read_to_string(path) {
            Ok(text) => {
                if let Some(header) = parse_snap(&text)
                    && header.input_file.starts_with("fixtures/")
                {
                    out.insert(path.to_path_buf(), header);
                }
            }
            Err(e) => error = Some(format!("cannot read {}: {e}", path.display())),
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn parse_snap(text: &str) -> Option<SnapHeader> {
    let rest = text.strip_prefix("---\n")?;
    let (meta, content) = rest.split_once("\n---\n")?;
    let input_file = meta
        .lines()
        .find_map(|l| l.strip_prefix("input_file:"))?
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_owned();
    let field = |key: &str| {
        content
            .lines()
            .take(3)
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_owned())
    };
    Some(SnapHeader {
        input_file,
        fixture: field("fixture:"),
        sha256: field("sha256:"),
    })
}

/// `*.snap.new` and `*.pending-snap` files anywhere in the workspace.
fn leftover_pending(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(root, &mut |path| {
        let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
        if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            out.push(path.to_path_buf());
        }
    });
    out
}

/// Calls `f` on every file below `dir`, skipping `.git`, hidden directories and cargo target
/// directories (any directory holding a `CACHEDIR.TAG`, or named `target*`).
fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = read_dir_sorted(dir) else {
        return;
    };
    for path in entries {
        if path.is_dir() {
            let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
            if name.starts_with('.')
                || name.starts_with("target")
                || path.join("CACHEDIR.TAG").exists()
            {
                continue;
            }
            walk(&path, f);
        } else {
            f(&path);
        }
    }
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` relative to `base`, with `/` separators.
fn rel(base: &Path, path: &Path) -> String {
    let stripped = path.strip_prefix(base).unwrap_or(path);
    stripped
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn bullet(items: impl Iterator<Item = String>) -> String {
    items
        .map(|item| format!("  - {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_insta_header() {
        let text = "---\nsource: crates/x/tests/it/main.rs\nassertion_line: 3\n\
                    input_file: fixtures/wshoto/a.json\n---\nfixture: wshoto/a.json\n\
                    sha256: abc\nvalue:\n{}\n";
        let h = parse_snap(text).expect("header");
        assert_eq!(h.input_file, "fixtures/wshoto/a.json");
        assert_eq!(h.fixture.as_deref(), Some("wshoto/a.json"));
        assert_eq!(h.sha256.as_deref(), Some("abc"));
        assert!(parse_snap("---\nsource: x\n---\nplain\n").is_none());
    }
}
