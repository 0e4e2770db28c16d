//! Method handlers: one function per method, looked up by wire name. Each reads the call's
//! parameters, works on the portal, and returns the result with the row count the cost model
//! charges for. A method without a handler is `ERROR_METHOD_NOT_FOUND`, like on a portal
//! without the module.
//!
//! Adding a method: write `fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure>` (or
//! `&mut Write<'_>` when it changes the portal) in a new module (decode parameters with the
//! generated request type where the server's own parsing allows it) and list it in [`HANDLERS`].
//! Reads run side by side, as on a server with many workers; a write has the portal to itself.

mod chat_get;
mod counters_get;
mod dialog_messages_get;
mod dialog_users_list;
mod message_add;
mod php;
pub mod render;
mod user_list_get;
pub mod v2_event;

use serde_json::Value;

use crate::params::Params;
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

/// Every method the emulator serves.
pub const HANDLERS: &[(&str, Handler)] = &[
    ("im.chat.get", Handler::Read(chat_get::handle)),
    ("im.counters.get", Handler::Read(counters_get::handle)),
    (
        "im.dialog.messages.get",
        Handler::Read(dialog_messages_get::handle),
    ),
    (
        "im.dialog.users.list",
        Handler::Read(dialog_users_list::handle),
    ),
    ("im.message.add", Handler::Write(message_add::handle)),
    ("im.user.list.get", Handler::Read(user_list_get::handle)),
    ("im.v2.Event.get", Handler::Write(v2_event::get)),
    ("im.v2.Event.subscribe", Handler::Write(v2_event::subscribe)),
];

/// A served method: its spec facts and its handler. Names are tried in lower case first, then
/// as given, as the server does.
#[must_use]
pub fn find(name: &str) -> Option<(&'static b24_core::MethodInfo, Handler)> {
    let lower = name.to_lowercase();
    [lower.as_str(), name].into_iter().find_map(|candidate| {
        let (wire, handler) = HANDLERS.iter().find(|(n, _)| *n == candidate)?;
        let info = b24_im::METHODS.iter().find(|m| m.info.name == *wire)?.info;
        Some((info, *handler))
    })
}

/// `isDialogId`: digits, or `chat`/`sg`/`crm` + digits, case-insensitive. PHP-falsy values
/// (`"0"`, `0`) fail the `$id &&` guard in front of the pattern.
#[must_use]
pub fn parse_dialog_id(value: Option<&Value>) -> Option<b24_core::DialogId> {
    let text = value.and_then(crate::params::scalar_text)?;
    if text == "0" {
        return None;
    }
    text.trim().parse().ok()
}

/// The chat a dialog id refers to, for `caller`: `Ok(chat id)`, or the two access errors the
/// messenger gives (403 no access; 400 no such chat).
///
/// # Errors
/// `ACCESS_ERROR` with HTTP 403 when the caller may not read the dialog, 400 when it does not
/// exist.
pub fn dialog_chat(
    portal: &Portal,
    caller: u64,
    dialog: b24_core::DialogId,
) -> Result<u64, Failure> {
    use b24_core::DialogId;
    let no_access = || {
        Failure::new(
            403,
            "ACCESS_ERROR",
            "You do not have access to the specified dialog",
        )
    };
    let no_chat = || Failure::new(400, "ACCESS_ERROR", "You don't have access to this chat");
    let member = |chat: &crate::portal::Chat| chat.members.iter().any(|r| r.user_id == caller);
    match dialog {
        DialogId::Chat(id) | DialogId::Crm(id) => {
            let chat = portal.chat(id).ok_or_else(no_access)?;
            if member(chat) || chat.kind == "open" {
                Ok(chat.id)
            } else {
                Err(no_access())
            }
        }
        DialogId::Workgroup(group) => {
            let chat = portal.workgroup_chat(group).ok_or_else(no_access)?;
            if member(chat) {
                Ok(chat.id)
            } else {
                Err(no_access())
            }
        }
        DialogId::User(user) => {
            let other = portal.user(user).ok_or_else(no_access)?;
            if !portal.can_see(caller, other) {
                return Err(no_access());
            }
            portal
                .private_chat(caller, user)
                .map(|c| c.id)
                .ok_or_else(no_chat)
        }
    }
}
