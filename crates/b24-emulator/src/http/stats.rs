//! Counters served at `GET /_emulator/stats`, so tests and benchmarks read what happened instead
//! of guessing.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;

/// What the emulator has seen since it started or was last reset.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// HTTP requests to REST and OAuth endpoints (not the `/_emulator/` ones).
    pub requests: u64,
    /// Requests by HTTP status.
    pub by_status: BTreeMap<String, u64>,
    /// Requests by method name (`batch` for batch calls).
    pub by_method: BTreeMap<String, u64>,
    /// Error answers by code.
    pub by_error: BTreeMap<String, u64>,
    /// Commands carried inside batch calls.
    pub batched_commands: u64,
    /// Errors of commands inside batch calls, by code.
    pub batch_errors: BTreeMap<String, u64>,
    /// Server processing time used, by method, in milliseconds.
    pub operating_ms: BTreeMap<String, f64>,
    /// Faults injected, by kind.
    pub faults: BTreeMap<String, u64>,
    /// Calls of each method that ran (their effect applied), including those whose answer a
    /// fault then lost.
    pub executed: BTreeMap<String, u64>,
    /// Every method of the spec answered from its spec example (no handler, or
    /// `--from-example`), with the calls answered so.
    pub answered_from_example: BTreeMap<String, u64>,
}

impl Stats {
    /// Zero counters; every method answered from its example is listed.
    pub(crate) fn new(config: &Config) -> Self {
        let mut stats = Self::default();
        for (entry, handler) in crate::methods::served() {
            let name = entry.info.name;
            if handler.is_none() || config.from_example.iter().any(|m| m == name) {
                stats.answered_from_example.insert(name.to_owned(), 0);
            }
        }
        stats
    }

    pub(crate) fn count(map: &mut BTreeMap<String, u64>, key: &str) {
        *map.entry(key.to_owned()).or_insert(0) += 1;
    }
}
