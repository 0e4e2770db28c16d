//! `im.message.*`: writing messages.

mod add;
mod command;
mod delete;
mod like;
mod share;
mod update;

use serde_json::Value;

use super::{Handler, handler};
use crate::php::{intval, isset};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::MessageAddRequest>(Handler::Write(add::handle)),
    handler::<b24_im::MessageCommandRequest>(Handler::Write(command::handle)),
    handler::<b24_im::MessageDeleteRequest>(Handler::Write(delete::handle)),
    handler::<b24_im::MessageLikeRequest>(Handler::Write(like::handle)),
    handler::<b24_im::MessageShareRequest>(Handler::Write(share::handle)),
    handler::<b24_im::MessageUpdateRequest>(Handler::Write(update::handle)),
];

/// `MESSAGE_ID` as the handlers read it: `intval` > 0, else `None` (each method then answers
/// its `MESSAGE_ID_ERROR`).
fn message_id(params: &crate::http::body::Params) -> Option<u64> {
    isset(params.get("MESSAGE_ID"))
        .map(intval)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
}

/// Whether the value removes an attachment, keyboard or menu in an edit: `N` or PHP-empty.
fn removes(value: &Value) -> bool {
    crate::php::empty(Some(value)) || value.as_str() == Some("N")
}
