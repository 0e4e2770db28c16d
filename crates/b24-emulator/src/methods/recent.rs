//! `im.recent.*`: the caller's recent list, built from their chats and their marks on each
//! entry ([`crate::portal::RecentMark`]).

mod get;
mod hide;
mod list;
mod pin;
mod unread;

use super::{Failure, Handler};
use crate::http::body::Params;
use crate::portal::{Chat, Portal, dialog_chat, parse_dialog_id};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.recent.get", Handler::Read(get::handle)),
    ("im.recent.hide", Handler::Write(hide::handle)),
    ("im.recent.list", Handler::Read(list::handle)),
    ("im.recent.pin", Handler::Write(pin::handle)),
    ("im.recent.unread", Handler::Write(unread::handle)),
];

/// The chat of `DIALOG_ID` for the caller: 400 `DIALOG_ID_EMPTY` for what is not a dialog id,
/// `Ok(None)` for a dialog they cannot read.
fn dialog(params: &Params, portal: &Portal, caller: u64) -> Result<Option<u64>, Failure> {
    let dialog = parse_dialog_id(params.get("DIALOG_ID"))
        .ok_or_else(|| Failure::new(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty"))?;
    Ok(dialog_chat(portal, caller, dialog).ok())
}

/// The entries `im.recent.get` and `im.recent.list` keep: `SKIP_CHAT=Y` drops group chats,
/// `SKIP_DIALOG=Y` private dialogs, `UNREAD_ONLY=Y` entries with nothing unread and no mark.
/// Open Channels are not modelled, so `ONLY_OPENLINES=Y` keeps nothing.
fn entries<'p>(params: &Params, portal: &'p Portal, caller: u64) -> Vec<&'p Chat> {
    let flag = |name: &str| params.text(name).as_deref() == Some("Y");
    if flag("ONLY_OPENLINES") {
        return Vec::new();
    }
    portal
        .recent_chats(caller)
        .into_iter()
        .filter(|c| {
            if c.kind == "private" {
                !flag("SKIP_DIALOG")
            } else {
                !flag("SKIP_CHAT")
            }
        })
        .filter(|c| {
            !flag("UNREAD_ONLY")
                || !portal.unread(c.id, caller).is_empty()
                || c.members
                    .iter()
                    .any(|r| r.user_id == caller && r.recent.unread)
        })
        .collect()
}
