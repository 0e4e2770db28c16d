//! b24: a typed Rust SDK for the Bitrix24 messenger (`im`) REST API, in one dependency.
//!
//! ```toml
//! [dependencies]
//! b24 = "0.1"
//! # or only the method groups the program calls, which compiles only their types:
//! # b24 = { version = "0.1", default-features = false, features = ["rt", "dialog", "message"] }
//! ```
//!
//! - The HTTP client and everything around it, at the root: [`Client`], [`Error`],
//!   [`AnyError`], [`PageOptions`], [`Batch`], [`OAuthApp`], [`FileTokenStore`], ...
//!   (see [`b24_client`]).
//! - The generated methods in [`im`]: one request type per method, its result types and its
//!   error codes. Each method group is a cargo feature, forwarded to `b24-im` (`chat`,
//!   `counters`, `dialog`, `message`, `user`, `v2`; `methods` is all of them, on by default),
//!   and `registry` adds the run-time method table.
//! - The core types at the root ([`DialogId`], [`SystemErrorCode`], [`Method`], [`Paged`],
//!   [`Response`], [`ApiError`], ...) and the rest in [`core`].
//! - What a program needs around them: [`tokio`] (with feature `rt`, on by default, its runtime
//!   and `#[tokio::main]`), the stream traits [`StreamExt`] and [`TryStreamExt`], [`serde_json`]
//!   for untyped calls, and from [`secrecy`] the [`SecretString`] the tokens are held in and
//!   [`ExposeSecret`] to read one.
//! - With feature `redis`: [`redis`], several processes sharing one portal's limits and OAuth
//!   pair.
//!
//! # Quick start
//!
//! ```no_run
//! use b24::im::DialogUsersListRequest;
//! use b24::{AnyError, Client, DialogId, PageOptions, TryStreamExt as _};
//!
//! #[b24::tokio::main(crate = "b24::tokio")]
//! async fn main() -> Result<(), AnyError> {
//!     // B24_WEBHOOK_URL=https://<portal>/rest/<user>/<code>/ (or `b24 emulate` for a local one)
//!     let client = Client::from_env()?;
//!     let first = client
//!         .call(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(50))
//!         .await?;
//!     println!("{} of {:?} members", first.result.len(), first.total);
//!
//!     // Every page; the stream is `Unpin`, so `next` and `try_next` work as they are.
//!     let mut pages = client.pages(DialogUsersListRequest::new(DialogId::Chat(1)), PageOptions::default());
//!     while let Some(page) = pages.try_next().await? {
//!         for user in &page.result {
//!             println!("{} {}", user.id, user.name.as_deref().unwrap_or("-"));
//!         }
//!     }
//!     Ok(())
//! }
//! ```
#![deny(missing_docs)]

pub use b24_client::*;
pub use b24_core::{
    ApiError, DecodeError, DialogId, ErrorCode, Method, MethodInfo, Paged, RawErrorCode, Response,
    Skipped, SystemErrorCode, Time, decode_response,
};

/// The generated request, result and error-code types of the `im` methods (the `b24-im`
/// crate), by feature group.
pub mod im {
    #[allow(unused_imports)]
    pub use b24_im::*;
}

/// The generated requests, result types, error codes and events of the chat-bot methods
/// (`imbot.v2.*`, the `b24-imbot` crate; feature `imbot`).
#[cfg(feature = "imbot")]
pub mod imbot {
    pub use b24_imbot::*;
}

/// The runtime the generated types are built on (the `b24-core` crate): the `Method` trait,
/// wire codecs, the response envelope and errors.
pub mod core {
    pub use b24_core::*;
}

/// Several processes on one portal: the request bucket, the OAuth pair and the operating-time
/// budget shared through Redis or Valkey (the `b24-redis` crate; feature `redis`).
#[cfg(feature = "redis")]
pub mod redis {
    pub use b24_redis::*;
}

pub use futures_util::{Stream, StreamExt, TryStreamExt};
pub use secrecy::{self, ExposeSecret, SecretString};
pub use serde_json;
pub use tokio;

/// The README's Rust snippets, compiled and run as doc tests (they use the `redis` feature:
/// `cargo test -p b24 --doc --features redis`).
#[cfg(all(doctest, feature = "redis"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeSnippets;
