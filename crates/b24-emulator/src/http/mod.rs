//! The platform around every method: serving and routing, request parameters, auth, the
//! platform's limits, batch, fault injection and the counters of `/_emulator/stats`.

pub(crate) mod auth;
pub mod batch;
pub mod body;
mod faults;
pub mod limits;
mod response;
pub(crate) mod server;
pub(crate) mod stats;
pub(crate) mod tls;
mod webhooks;
