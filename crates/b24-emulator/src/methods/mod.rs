//! Method handlers: one function per method, looked up by wire name. Each reads the call's
//! parameters, works on the portal, and returns the result with the row count the cost model
//! charges for. A method without a handler is `ERROR_METHOD_NOT_FOUND`, like on a portal
//! without the module.
//!
//! Handlers are grouped the way the spec groups methods, by the second segment of the wire name:
//! `im.dialog.users.list` lives in `dialog/users_list.rs` and is listed in `dialog.rs`.
//!
//! # Adding a handler
//!
//! For `im.chat.user.add`:
//! 1. Write `methods/chat/user_add.rs` (the rest of the name after the group, snake case) with
//!    `pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure>` — `Read<'_>` when
//!    it only reads the portal. Open it with a module comment saying what the server does,
//!    check parameters in the server's order, and answer errors as the server does.
//! 2. In `methods/chat.rs` add `mod user_add;` and a line to its `HANDLERS`:
//!    `("im.chat.user.add", Handler::Write(user_add::handle))`.
//! 3. A new group (say `im.recent.*`) is a new `methods/recent.rs` with its own `HANDLERS`, plus
//!    `mod recent;` and `("recent", recent::HANDLERS)` in [`GROUPS`] here.
//!
//! The method must be in the spec (its name, scope and types come from `b24_im::METHODS`);
//! the `methods_are_in_their_group` test checks both. PHP's own rules (`intval`, `empty`, JS
//! literals) are in [`crate::php`]; who may see a dialog in [`crate::portal`]; user objects in
//! [`render`]. Reads run side by side, as on a server with many workers; a write has the portal
//! to itself.

mod chat;
mod counters;
mod department;
mod dialog;
mod message;
mod notify;
pub mod render;
mod search;
mod user;
pub(crate) mod v2;

use serde_json::Value;

use crate::http::body::Params;
use crate::portal::Portal;

/// One method call, as a handler sees it: `P` is `&Portal` for reads, `&mut Portal` for writes.
#[derive(Debug)]
pub struct Call<P> {
    /// The portal (locked for the duration of the call: shared for reads, exclusive for writes).
    pub portal: P,
    /// The user the call acts as (the webhook's user, or the token's user).
    pub caller: u64,
    /// The call came through a webhook (not an OAuth application).
    pub via_webhook: bool,
    /// The client id of the OAuth application the call came from; `None` for webhooks.
    pub app: Option<String>,
    /// Parameters; top-level keys upper-cased for classic methods.
    pub params: Params,
    /// The framework-level `start` parameter (the offset of list methods).
    pub start: Option<i64>,
    /// Unix time of the call.
    pub now: i64,
}

/// A successful call.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The `result` value.
    pub result: Value,
    /// Envelope `total`.
    pub total: Option<i64>,
    /// Envelope `next`.
    pub next: Option<u64>,
    /// Rows returned, for the cost model.
    pub rows: usize,
}

impl Outcome {
    /// A result without paging.
    #[must_use]
    pub fn of(result: Value, rows: usize) -> Self {
        Self {
            result,
            total: None,
            next: None,
            rows,
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// HTTP status.
    pub status: u16,
    /// `error`.
    pub code: String,
    /// `error_description`.
    pub description: String,
}

impl Failure {
    /// An error answer.
    #[must_use]
    pub fn new(status: u16, code: &str, description: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            description: description.to_owned(),
        }
    }

    /// A system error with its documented status and message.
    #[must_use]
    pub fn system(code: b24_core::SystemErrorCode) -> Self {
        Self::new(code.http_status(), code.as_str(), code.message())
    }
}

/// A call that only reads the portal.
pub type Read<'a> = Call<&'a Portal>;

/// A call that may change the portal.
pub type Write<'a> = Call<&'a mut Portal>;

/// A method handler.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// Reads the portal; runs beside other reads.
    Read(fn(&mut Read<'_>) -> Result<Outcome, Failure>),
    /// Changes the portal; runs alone.
    Write(fn(&mut Write<'_>) -> Result<Outcome, Failure>),
}

/// Every method the emulator serves, by group (the second segment of the method name, as the
/// spec groups them); each group module lists its own.
const GROUPS: &[(&str, &[(&str, Handler)])] = &[
    ("chat", chat::HANDLERS),
    ("counters", counters::HANDLERS),
    ("department", department::HANDLERS),
    ("dialog", dialog::HANDLERS),
    ("message", message::HANDLERS),
    ("notify", notify::HANDLERS),
    ("search", search::HANDLERS),
    ("user", user::HANDLERS),
    ("v2", v2::HANDLERS),
];

/// Every method the emulator serves, with its handler.
pub fn handlers() -> impl Iterator<Item = (&'static str, Handler)> {
    GROUPS.iter().flat_map(|(_, group)| group.iter().copied())
}

/// A served method: its spec facts and its handler. Names are tried in lower case first, then
/// as given, as the server does.
#[must_use]
pub fn find(name: &str) -> Option<(&'static b24_core::MethodInfo, Handler)> {
    let lower = name.to_lowercase();
    [lower.as_str(), name].into_iter().find_map(|candidate| {
        let (wire, handler) = handlers().find(|(n, _)| *n == candidate)?;
        let info = b24_im::METHODS.iter().find(|m| m.info.name == wire)?.info;
        Some((info, handler))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_in_their_group() {
        for (group, handlers) in GROUPS {
            for (name, _) in *handlers {
                assert_eq!(
                    name.split('.').nth(1),
                    Some(*group),
                    "{name} is not in {group}"
                );
                assert!(
                    b24_im::METHODS.iter().any(|m| m.info.name == *name),
                    "{name} is not in the spec"
                );
            }
        }
    }
}
