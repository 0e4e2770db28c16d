//! Method handlers: one function per method, looked up by wire name. A handler reads the call's
//! parameters, works on the portal, and answers with the generated types of `b24_im`: the
//! result is the method's output type serialized ([`Outcome::of`]), an error is a variant of
//! the method's error enum ([`fail`]), and page sizes follow the spec's pagination
//! ([`Call::limit`]). So the spec decides names, shapes, codes, statuses, texts and caps; the
//! handler decides behaviour (state, rights, order, quirks).
//!
//! A method that is in the spec but has no handler is answered from its spec example, after
//! its parameters are checked with the generated request type ([`example`]). Handlers are
//! grouped the way the spec groups methods, by the second segment of the wire name:
//! `im.dialog.users.list` lives in `dialog/users_list.rs` and is listed in `dialog.rs`.
//!
//! # Adding a handler
//!
//! For `im.chat.user.add` (say its spec generated `ChatUserAddRequest`, `ChatUserAddErrorCode`):
//!
//! 1. Write `methods/chat/user_add.rs` (the rest of the name after the group, snake case). Open
//!    it with a module comment saying what the server does, then check parameters in the
//!    server's order:
//!
//!    ```ignore
//!    use b24_im::{ChatUserAddErrorCode as Code, ChatUserAddRequest as Method};
//!    use crate::methods::{Failure, Outcome, Write, fail};
//!
//!    pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
//!        let Some(chat) = call.params.int("CHAT_ID").filter(|id| *id > 0) else {
//!            return Err(fail(Code::ChatIdEmpty)); // code, status and text from the spec
//!        };
//!        // ... change `call.portal` ...
//!        Outcome::of::<Method>(&true, 1) // the generated output type, serialized
//!    }
//!    ```
//!
//!    Parameter names are the spec's wire names: classic methods' names arrive upper-cased
//!    (see [`normalise_params`]). Build result objects from the generated types (they are
//!    `Default` with public fields: `let mut user = DialogUser::default(); user.id = 7;`);
//!    users in the shape most methods share come from [`render::user`]. A code with several
//!    documented answers takes [`fail_nth`]; a page size, [`Call::limit`].
//! 2. In `methods/chat.rs` add `mod user_add;` and a line to its `HANDLERS`:
//!    `handler::<ChatUserAddRequest>(Handler::Write(user_add::handle))`. `Read` instead of
//!    `Write` when the method only reads the portal: reads run side by side, as on a server
//!    with many workers; a write has the portal to itself.
//! 3. A new group (say `im.recent.*`) is a new `methods/recent.rs` with its own `HANDLERS`, plus
//!    `mod recent;` and `("recent", recent::HANDLERS)` in `GROUPS` here.
//!
//! Tests check that every handler sits in its group, and that every answer of every handler
//! (and of the example fallback) matches the spec strictly, over HTTP. PHP's own rules
//! (`intval`, `empty`, JS literals) are in [`crate::php`]; who may see a dialog in
//! [`crate::portal`].

mod answer;
mod chat;
mod counters;
mod department;
mod dialog;
mod disk;
pub mod example;
mod imbot;
mod message;
mod notify;
mod paging;
mod recent;
pub mod render;
mod revision;
mod search;
mod user;
pub(crate) mod v2;

use b24_core::registry::MethodEntry;
use b24_core::{Method, MethodInfo};

pub use answer::{Failure, Outcome, fail, fail_nth};
pub use paging::LimitRule;

use crate::http::body::Params;
use crate::portal::Portal;

/// One method call, as a handler sees it: `P` is `&Portal` for reads, `&mut Portal` for writes.
#[derive(Debug)]
pub struct Call<P> {
    /// The method's facts from the spec (name, scope, pagination).
    pub info: &'static MethodInfo,
    /// The portal (locked for the duration of the call: shared for reads, exclusive for writes).
    pub portal: P,
    /// The user the call acts as (the webhook's user, or the token's user).
    pub caller: u64,
    /// The call came through a webhook (not an OAuth application).
    pub via_webhook: bool,
    /// The client id of the OAuth application the call came from; `None` for webhooks.
    pub app: Option<String>,
    /// Parameters, by wire name (see [`normalise_params`]).
    pub params: Params,
    /// The framework-level `start` parameter (the offset of list methods).
    pub start: Option<i64>,
    /// Unix time of the call.
    pub now: i64,
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

/// A line of a group's `HANDLERS` table: the handler of the method whose generated request
/// type is `M` (so the name is the spec's, checked by the compiler).
pub(crate) const fn handler<M: Method>(handler: Handler) -> (&'static str, Handler) {
    (M::INFO.name, handler)
}

/// Every method the emulator has a handler for, by group (the second segment of the method
/// name, as the spec groups them); each group module lists its own.
const GROUPS: &[(&str, &[(&str, Handler)])] = &[
    ("chat", chat::HANDLERS),
    ("counters", counters::HANDLERS),
    ("department", department::HANDLERS),
    ("dialog", dialog::HANDLERS),
    ("disk", disk::HANDLERS),
    ("message", message::HANDLERS),
    ("notify", notify::HANDLERS),
    ("search", search::HANDLERS),
    ("recent", recent::HANDLERS),
    ("revision", revision::HANDLERS),
    ("user", user::HANDLERS),
    ("v2", v2::HANDLERS),
    ("imbot", imbot::HANDLERS),
];

/// Every method the emulator has a handler for, with its handler.
pub fn handlers() -> impl Iterator<Item = (&'static str, Handler)> {
    GROUPS.iter().flat_map(|(_, group)| group.iter().copied())
}

/// Every method of the spec, with its handler (`None`: answered from its spec example).
pub fn served() -> impl Iterator<Item = (&'static MethodEntry, Option<Handler>)> {
    b24_im::METHODS
        .iter()
        .chain(b24_imbot::METHODS)
        .map(|entry| {
            let handler = handlers()
                .find(|(name, _)| *name == entry.info.name)
                .map(|(_, h)| h);
            (entry, handler)
        })
}

/// A method of the spec by the name a call used, with its handler (`None`: answered from its
/// spec example). Names are tried in lower case first, then as given, as the server does.
#[must_use]
pub fn find(name: &str) -> Option<(&'static MethodEntry, Option<Handler>)> {
    let lower = name.to_lowercase();
    [lower.as_str(), name]
        .into_iter()
        .find_map(|candidate| served().find(|(entry, _)| entry.info.name == candidate))
}

/// The parameter-case rule, in one place: classic `im.*` methods read their parameters through
/// the REST framework, which upper-cases the top-level keys (`dialog_id` is `DIALOG_ID`); the
/// `im.v2.*` controllers bind arguments by name exactly as sent (`limit`, not `LIMIT`). Either
/// way the handler then reads the spec's wire names.
pub fn normalise_params(info: &MethodInfo, params: &mut Params) {
    if !info.name.starts_with("im.v2.") && !info.name.starts_with("imbot.v2.") {
        params.uppercase_keys();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_are_in_their_group_and_in_the_spec() {
        for (group, handlers) in GROUPS {
            for (name, _) in *handlers {
                // `imbot.v2.*` is a scope of its own: its group is the scope.
                let in_group = if *group == "imbot" {
                    name.starts_with("imbot.v2.")
                } else {
                    name.split('.').nth(1) == Some(*group) && name.starts_with("im.")
                };
                assert!(in_group, "{name} is not in {group}");
                assert!(
                    b24_im::METHODS
                        .iter()
                        .chain(b24_imbot::METHODS)
                        .any(|m| m.info.name == *name),
                    "{name} is not in the spec"
                );
            }
        }
        let mut names: Vec<&str> = handlers().map(|(n, _)| n).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a method has two handlers");
    }

    #[test]
    fn every_spec_method_is_served() {
        for (entry, handler) in served() {
            assert!(
                handler.is_some() || entry.example.is_some(),
                "{} has neither a handler nor a successful example in its spec",
                entry.info.name
            );
        }
    }
}
