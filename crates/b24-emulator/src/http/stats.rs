//! Counters served at `GET /_emulator/stats`, so tests and benchmarks read what happened instead
//! of guessing.

use std::collections::BTreeMap;

use serde::Serialize;

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
}

impl Stats {
    pub(crate) fn count(map: &mut BTreeMap<String, u64>, key: &str) {
        *map.entry(key.to_owned()).or_insert(0) += 1;
    }
}
