//! `im.message.*`: writing messages.

mod add;
mod command;
mod delete;
mod like;
mod share;
mod update;

use serde_json::Value;

use super::{Failure, Handler};
use crate::php::{intval, isset};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.message.add", Handler::Write(add::handle)),
    ("im.message.command", Handler::Write(command::handle)),
    ("im.message.delete", Handler::Write(delete::handle)),
    ("im.message.like", Handler::Write(like::handle)),
    ("im.message.share", Handler::Write(share::handle)),
    ("im.message.update", Handler::Write(update::handle)),
];

/// `MESSAGE_ID` as the handlers read it: `intval` > 0, else 400 `MESSAGE_ID_ERROR`.
fn message_id(params: &crate::http::body::Params) -> Result<u64, Failure> {
    isset(params.get("MESSAGE_ID"))
        .map(intval)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| Failure::new(400, "MESSAGE_ID_ERROR", "Message ID can't be empty"))
}

/// Whether the value removes an attachment, keyboard or menu in an edit: `N` or PHP-empty.
fn removes(value: &Value) -> bool {
    crate::php::empty(Some(value)) || value.as_str() == Some("N")
}
