//! Typed Bitrix24 messenger (`im`) methods, generated from `spec/im/`.
//!
//! Each method has a request type (`…Request`) that implements [`b24_core::Method`], so it
//! knows its wire name, result type and error codes; result objects and enums are re-exported
//! here. The types are faithful to what real servers send: fields that older servers omit are
//! `Option`s, "value or `false`" fields decode to `Option`, open enums keep unknown values.
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
