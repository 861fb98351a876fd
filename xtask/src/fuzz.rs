//! `cargo xtask fuzz [--seconds N] [TARGET...]`: builds the cargo-fuzz targets of `fuzz/` on the
//! stable toolchain (`--sanitizer none`), runs each for N seconds (default 120), one at a time,
//! and prints the executions and crashes per target.
//!
//! A crash (or out-of-memory, or timeout) input that libFuzzer writes to `fuzz/artifacts/<target>/`
//! is copied to `fuzz/corpus/<target>/regression-<name>`, where the replay test of
//! `crates/fuzzing` (`cargo test -p scrm-fuzzing`) runs it in CI until the bug is fixed.
//! cargo-fuzz is installed with `cargo install cargo-fuzz --locked` when missing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one target's run produced.
struct Outcome {
    target: String,
    executions: u64,
    per_second: u64,
    corpus: usize,
    crashes: Vec<PathBuf>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut seconds: u64 = 120;
    let mut wanted: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = it.next().ok_or("--seconds needs a number of seconds")?;
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds {value:?} is not a whole number of seconds"))?;
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s:?} for fuzz")),
            s => wanted.push(s.to_owned()),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask has no parent folder")?
        .to_path_buf();
    ensure_cargo_fuzz(&root)?;

    let listed = cargo_fuzz(&root, &["list"])?;
    let all: Vec<String> = listed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let targets = if wanted.is_empty() {
        all.clone()
    } else {
        for t in &wanted {
            if !all.contains(t) {
                return Err(format!("no fuzz target {t:?}; targets: {}", all.join(", ")));
            }
        }
        wanted
    };

    eprintln!(
        "==> cargo fuzz build --sanitizer none ({} targets)",
        all.len()
    );
    let status = Command::new("cargo")
        .args(["fuzz", "build", "--sanitizer", "none"])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("could not run cargo fuzz build: {e}"))?;
    if !status.success() {
        return Err("cargo fuzz build failed (see above)".into());
    }

    let mut outcomes = Vec::new();
    for target in &targets {
        eprintln!("==> {target}: fuzzing for {seconds} s");
        outcomes.push(run_target(&root, target, seconds)?);
    }

    println!("| target | executions | exec/s | corpus | crashes |");
    println!("|---|---:|---:|---:|---:|");
    let mut total = 0;
    let mut crashes = 0;
    for o in &outcomes {
        println!(
            "| {} | {} | {} | {} | {} |",
            o.target,
            o.executions,
            o.per_second,
            o.corpus,
            o.crashes.len()
        );
        total += o.executions;
        crashes += o.crashes.len();
    }
    println!("| total | {total} | | | {crashes} |");
    for o in &outcomes {
        for c in &o.crashes {
            println!("crash: {} -> {}", o.target, c.display());
        }
    }
    if crashes > 0 {
        return Err(format!(
            "{crashes} crashing input(s) saved under fuzz/corpus/<target>/regression-*: \
             reproduce with `cargo test -p scrm-fuzzing --test replay` and fix the code"
        ));
    }
    Ok(())
}

fn ensure_cargo_fuzz(root: &Path) -> Result<(), String> {
    let found = Command::new("cargo")
        .args(["fuzz", "--version"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Ok(());
    }
    eprintln!("==> cargo-fuzz is missing: cargo install cargo-fuzz --locked");
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("could not run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo install cargo-fuzz --locked failed (see above)".into())
    }
}

fn cargo_fuzz(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("cargo")
        .arg("fuzz")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run cargo fuzz: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo fuzz {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn files(dir: &Path) -> BTreeSet<PathBuf> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default()
}

fn run_target(root: &Path, target: &str, seconds: u64) -> Result<Outcome, String> {
    let corpus = root.join("fuzz/corpus").join(target);
    let artifacts = root.join("fuzz/artifacts").join(target);
    fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    fs::create_dir_all(&artifacts).map_err(|e| format!("{}: {e}", artifacts.display()))?;
    let before = files(&artifacts);
    let out = Command::new("cargo")
        .args(["fuzz", "run", "--sanitizer", "none", target])
        .arg(&corpus)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .arg("-timeout=10")
        .arg("-rss_limit_mb=1024")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .current_dir(root)
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("could not run cargo fuzz run {target}: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    let stat = |name: &str| -> u64 {
        log.lines()
            .rev()
            .filter_map(|l| l.strip_prefix(name))
            .find_map(|rest| rest.trim_start_matches(':').trim().parse().ok())
            .unwrap_or(0)
    };
    let mut executions = stat("stat::number_of_executed_units");
    let mut per_second = stat("stat::average_exec_per_sec");
    if executions == 0 {
        // A crash stops libFuzzer before its final stats: take the last status line.
        if let Some(line) = log.lines().rev().find(|l| l.starts_with('#')) {
            executions = line[1..]
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            per_second = line
                .split("exec/s: ")
                .nth(1)
                .and_then(|s| s.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        }
    }
    let mut crashes = Vec::new();
    for path in files(&artifacts).difference(&before) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("input");
        if !["crash-", "oom-", "timeout-", "leak-"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            continue;
        }
        let saved = corpus.join(format!("regression-{name}"));
        fs::copy(path, &saved).map_err(|e| format!("{}: {e}", saved.display()))?;
        crashes.push(saved);
    }
    if !out.status.success() && crashes.is_empty() {
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "cargo fuzz run {target} failed without a saved input:\n{}",
            tail.join("\n")
        ));
    }
    if !crashes.is_empty() {
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        eprintln!("{}", tail.join("\n"));
    }
    Ok(Outcome {
        target: target.to_owned(),
        executions,
        per_second,
        corpus: files(&corpus).len(),
        crashes,
    })
}
