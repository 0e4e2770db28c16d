//! Runtime types shared by every b24 crate.
//!
//! Generated scope crates (`b24-im`) build on these: each request implements [`Method`], each
//! field names a [`wire`] codec that knows the server's quirks, and [`decode_response`] turns a
//! body into a typed [`Response`] or a typed error with the JSON path of what did not fit.
//!
//! ```
//! use b24_core::{DecodeError, DialogId};
//! let chat: DialogId = "chat2935".parse().map_err(|e| DecodeError::new("", format!("{e}")))?;
//! assert_eq!(chat.to_string(), "chat2935");
//! # Ok::<(), DecodeError>(())
//! ```
#![deny(missing_docs)]

pub mod bot;
pub mod error;
pub mod event;
mod macros;
#[rustfmt::skip]
mod generated;
pub mod method;
pub mod registry;
pub mod response;
mod skip;
#[doc(hidden)]
pub mod testing;
mod types;
pub mod wire;

pub use bot::{BotAppMethod, BotMethod, WithBot};
pub use error::{
    ApiError, DecodeError, ErrorCode, Execution, RawErrorCode, ResponseError, Retry, Skipped,
};
pub use event::{Delivery, EventAuth, EventSet, Received};
pub use generated::SystemErrorCode;
pub use method::{
    AsKey, ContinuationPaging, KeysetPaging, Limit, Method, MethodInfo, MissingParams,
    OffsetPaging, Order, Paged, Pagination, Step,
};
pub use response::{Response, Time, decode_response, encode_response};
pub use types::{
    Date, DateTime, DayMonth, DialogId, EmptyMessageText, Json, MessageText, ParseDayMonthError,
    ParseDialogIdError, UnknownCode, UnknownValue, deserialize_open_text,
};

/// Re-exports generated code refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}
