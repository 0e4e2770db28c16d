//! `cargo xtask fuzz`: runs the `b24-fuzz` targets (see `fuzz/src/lib.rs`) in their own
//! process, built with optimizations unless `--dev` is given (CI uses the debug build it already
//! has).
//!
//! ```text
//! cargo xtask fuzz list                        the targets
//! cargo xtask fuzz TARGET|all [--minutes N] [--seed S] [--dev]
//! ```
//!
//! Crashes are saved under `fuzz/regressions/<target>/`, which `cargo test` replays; the command
//! fails when it found any.

use std::process::{Command, ExitCode};

/// Runs `cargo xtask fuzz ARGS`.
pub fn main(root: &std::path::Path, args: &[String]) -> ExitCode {
    let dev = args.iter().any(|a| a == "--dev");
    let rest: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--dev")
        .collect();
    let fuzz_args: Vec<&str> = match rest.as_slice() {
        [] | ["list"] => vec!["list"],
        [target, options @ ..] => [&["run", *target][..], options].concat(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["run", "--quiet", "--locked", "-p", "b24-fuzz"]);
    if !dev {
        command.arg("--release");
    }
    command.arg("--").args(&fuzz_args);
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
