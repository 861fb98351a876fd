//! `cargo xtask bench [--quick]`: builds `scrm` and runs the `scrm-bench` benchmarks in
//! release mode (`cargo build --release -p scrm-cli`, then
//! `cargo run --release -p scrm-bench -- [--quick]`) with the inherited environment, and exits
//! with its status. The report goes to stdout and `target/bench/summary.json`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Subcommand usage.
const USAGE: &str = "usage: cargo xtask bench [--quick]";

/// Entry point: `args` are the arguments after `bench`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut pass = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--quick" => pass.push(arg.clone()),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = workspace_root()?;
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // The push benchmark runs the real `scrm listen` (found next to scrm-bench).
    let built = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--release", "-p", "scrm-cli", "--bin", "scrm"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !built.success() {
        return Err(format!("building scrm failed ({built})"));
    }
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["run", "--release", "-p", "scrm-bench", "--"])
        .args(&pass)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    match status.code() {
        Some(0) => Ok(()),
        // Pass the benchmark's (or cargo's) exit code through unchanged.
        Some(code) => std::process::exit(code),
        None => Err(format!("scrm-bench was terminated ({status})")),
    }
}

fn workspace_root() -> Result<PathBuf, String> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("no workspace above {}", manifest_dir.display()))
}
