//! The platform around every method: HTTP serving and routing, request parameters, auth, the
//! platform's limits, batch, fault injection and the counters of `/_emulator/stats`.

pub(crate) mod auth;
pub mod body;
pub mod limits;
pub(crate) mod server;
pub(crate) mod stats;
