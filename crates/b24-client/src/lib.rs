//! The b24 HTTP client for the Bitrix24 REST API.
//!
//! - **Typed calls**: `client.call(&request)` returns the typed `result` with `total`, `next` and
//!   `time`, or an [`Error`] that tells the method's own codes, system errors, transport failures
//!   and undecodable answers apart, and says whether repeating could help
//!   ([`Error::is_retryable`]) and whether the call may have run ([`Error::was_possibly_executed`]).
//!   [`Client::call_raw`] reaches methods not yet in the spec.
//! - **Polite to the limits**: a client-side [`LeakyBucket`] mirrors the portal's (50 burst,
//!   2/s; Enterprise 250/5), shared by every clone and every client of the same portal, and
//!   adapts when the portal says otherwise (`QUERY_LIMIT_EXCEEDED` halves its estimate, admitted
//!   requests win it back); an [`OperatingGovernor`] keeps each method under its server-time
//!   budget. Both are seams ([`RateLimiter`], [`BudgetStore`]) that several processes can share
//!   through a store (the `b24-redis` crate); a shared store that cannot be reached fails the
//!   call before it is sent ([`Error::Limits`]).
//! - **Safe retries**: a call is repeated only when it provably did not run, or when the spec
//!   marks the method read-only; backoff with full jitter, bounded attempts and a deadline that
//!   cuts an attempt in flight. An error after which the call may have run says so.
//! - **Batches without injection**: every value is percent-encoded, references between commands
//!   are typed ([`Ref`]), and text the server would take for a reference travels on its own.
//! - **OAuth that survives concurrency**: one refresh however many calls find the token expired,
//!   by form POST; a [`TokenStore`] loads the stored pair (absolute expiry) and saves new ones,
//!   and its [`TokenStore::refresh`] hook makes the refresh single-flight across processes.
//! - **Secrets cannot leak**: webhook codes and tokens are [`secrecy`] secrets, never in `Debug`,
//!   errors or logs; transport errors are rebuilt without the URL, and every text from the server
//!   in an error is scrubbed of them.
//! - **Observability**: `tracing` spans per call and per attempt (method, attempt, status, code,
//!   waits, duration), never with a secret or a response body.
//!
//! ```no_run
//! use b24_client::Client;
//! use b24_im::DialogUsersListRequest;
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?; // B24_WEBHOOK_URL=https://<portal>/rest/<user>/<code>/
//! let page = client.call(&DialogUsersListRequest::new(b24_core::DialogId::Chat(1)).limit(200)).await?;
//! println!("{} of {:?} users", page.result.len(), page.total);
//! # Ok(()) }
//! ```
//!
//! # Examples
//!
//! Each runs against a local emulator (`cargo run -p b24-client --example <name>`) and is run by
//! `cargo test` as a doc test.
//!
//! ## Typed calls and the untyped escape hatch (`webhook`)
//!
//! ```rust
#![doc = include_str!("../examples/webhook.rs")]
//! ```
//!
//! ## Errors, retries and writes (`errors`)
//!
//! ```rust
#![doc = include_str!("../examples/errors.rs")]
//! ```
//!
//! ## Rate limit and operating time (`limits`)
//!
//! ```rust
#![doc = include_str!("../examples/limits.rs")]
//! ```
//!
//! ## OAuth with a token store (`oauth`)
//!
//! ```rust
#![doc = include_str!("../examples/oauth.rs")]
//! ```
//!
//! ## Tokens kept in a file across restarts (`token_file`)
//!
//! ```rust
#![doc = include_str!("../examples/token_file.rs")]
//! ```
//!
//! ## Logs (`tracing`)
//!
//! ```rust
#![doc = include_str!("../examples/tracing.rs")]
//! ```
#![deny(missing_docs)]

mod batch;
mod bot;
mod bulk;
mod client;
mod error;
mod file_store;
pub mod files;
mod governor;
mod limiter;
mod oauth;
mod paging;
mod retry;
mod secret;

pub use batch::{BATCH_MAX, Batch, BatchResults, Handle, Ref};
pub use bot::{Bot, BotApp};
pub use bulk::{BulkOptions, BulkPlan, PlanInput};
pub use client::{Client, ClientBuilder};
pub use error::{
    AnyError, AuthError, ConfigError, Error, LimitError, NotRunReason, TransportError,
    TransportKind,
};
pub use file_store::FileTokenStore;
pub use governor::{BudgetStore, GovernorConfig, MemoryBudget, MethodBudget, OperatingGovernor};
pub use limiter::{BoxFuture, Bucket, LeakyBucket, RateLimiter, Unlimited};
pub use oauth::{
    DEFAULT_TOKEN_ENDPOINT, Exchange, MemoryTokenStore, OAuthApp, OAuthTokens, TokenStore,
};
pub use paging::{PageMode, PageOptions, PagingError};
pub use retry::RetryPolicy;
pub use secret::Webhook;

pub use b24_core::{Response, Time};
