//! Fuzzing on the stable toolchain.
//!
//! [`targets`] lists what is fuzzed: the spec parser and generator (`spec`), response decoding
//! with the generated types (`decode`), and the emulator's request parsing (`request`: query
//! string, form and JSON bodies, PHP arrays, JS literals; `batch`: batch commands and their
//! `$result` references; `methods`: the handlers, which apply the server's own rules to
//! parameter values, on a seeded portal). [`engine`] is a mutational fuzzer without compiler instrumentation:
//! it starts from each target's seeds (the spec, its example responses, real request shapes),
//! mutates them with byte, token and repetition operators, keeps inputs that show a new
//! behaviour, and runs the target in a worker process so that a stack overflow or an abort is
//! caught like a panic. Hangs (no answer for 10 s) and runaway memory (over 2 GiB) count as
//! crashes too.
//!
//! Crashes are written to `fuzz/regressions/<target>/`, and `cargo test -p b24-fuzz` replays
//! every file there (and every seed) in-process, so a fixed crash stays fixed.
//!
//! Run it with `cargo xtask fuzz TARGET --minutes N` (`cargo xtask fuzz list` names the
//! targets).

pub mod engine;
pub mod targets;

use std::path::PathBuf;

/// One fuzz target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name given on the command line.
    pub name: &'static str,
    /// One line on what it exercises.
    pub about: &'static str,
    /// Inputs to start from.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Runs one input; panics when a property fails. Returns a coarse signature of what the
    /// input did, so inputs that do something new are kept for further mutation.
    pub run: fn(&[u8]) -> u64,
    /// Fragments worth inserting (syntax of the input's language).
    pub tokens: &'static [&'static str],
}

/// Every target.
#[must_use]
pub fn targets() -> &'static [Target] {
    targets::ALL
}

/// A target by name.
#[must_use]
pub fn find(name: &str) -> Option<&'static Target> {
    targets().iter().find(|t| t.name == name)
}

/// Where the crash inputs of a target are kept (replayed by `cargo test`).
#[must_use]
pub fn regressions_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
}

/// The saved crash inputs of a target, sorted by file name.
///
/// # Errors
/// When the directory exists but cannot be read.
pub fn regression_inputs(target: &str) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let dir = regressions_dir(target);
    let mut inputs = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(inputs),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "bin") {
            let bytes = std::fs::read(&path)?;
            inputs.push((path, bytes));
        }
    }
    inputs.sort();
    Ok(inputs)
}

/// A stable 64-bit FNV-1a hash (file names of crash inputs, behaviour signatures).
#[must_use]
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
