//! Typed Bitrix24 messenger (`im`) methods, generated from `spec/im/`.
//!
//! Each method has a request type (`…Request`) that implements [`b24_core::Method`], so it
//! knows its wire name, result type and error codes; result objects and enums are re-exported
//! here. The types are faithful to what real servers of every version send: a missing key is
//! never an error except an object's identity (fields older servers omit are `Option`s, or
//! their empty value where absence means empty), "value or `false`" fields decode to
//! `Option`, open enums keep unknown values, a result that changed shape is an enum of its
//! shapes, and an entry of a list that does not fit is left out and reported in
//! [`b24_core::Response::skipped`].
//!
//! Cargo features: one per method group (`chat`, `counters`, `dialog`, `disk`, `message`,
//! `revision`, `user`, `v2`; all on by default), so a program compiles only the groups it calls; `registry` adds
//! `METHODS`, the table that dispatches by method name at run time.
//!
//! ```
//! use b24_im::DialogUsersListRequest;
//! let request = DialogUsersListRequest::new("chat2935".parse::<b24_core::DialogId>()?)
//!     .skip_external(true)
//!     .limit(20)
//!     .offset(0);
//! assert_eq!(
//!     serde_json::to_string(&request)?,
//!     r#"{"DIALOG_ID":"chat2935","SKIP_EXTERNAL":"Y","LIMIT":20,"OFFSET":0}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

#[rustfmt::skip]
mod generated;

// Without any method group enabled there is nothing to re-export.
#[allow(unused_imports)]
pub use generated::*;
