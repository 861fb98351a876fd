//! `cargo xtask`: maintainer tasks for scrm-sdk (run `cargo xtask help`).
//!
//! Each subcommand lives in its own module with a `run(args) -> Result<(), String>`; add one by
//! adding a module, a line to [`USAGE`] and an arm in [`main`].

use std::process::ExitCode;

mod bench;
mod fixtures;
mod fuzz;
mod sha256;

/// Top-level usage text.
const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  bench [--quick]     run the benchmarks (release build of scrm-bench against the sandbox):
                      SDK vs hand-written baseline, peak RSS, rate-limit use, concurrent paging;
                      markdown on stdout, target/bench/summary.json; --quick takes under 2 minutes
  fixtures            regenerate the fixture snapshots (insta) of every crate with fixture tests,
                      then delete fixture snapshots that no test asserts any more
  fixtures --check    verify them without writing anything (CI); fails when a snapshot is
                      missing, stale or unreferenced, a fixture changed without its snapshot,
                      or a fixture has no snapshot
  fuzz [--seconds N] [TARGET...]
                      build the cargo-fuzz targets of fuzz/ (--sanitizer none, stable toolchain;
                      installs cargo-fuzz when missing) and run each for N seconds (default 120),
                      one at a time; prints executions and crashes per target and saves each
                      crashing input as fuzz/corpus/<target>/regression-* (replayed by
                      `cargo test -p scrm-fuzzing`)
  help                print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "bench" => bench::run(rest),
        "fixtures" => fixtures::run(rest),
        "fuzz" => fuzz::run(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprint!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nerror: {message}");
            ExitCode::FAILURE
        }
    }
}
