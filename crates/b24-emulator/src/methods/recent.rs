//! `im.recent.*`: the caller's recent list, built from their chats and their marks on each
//! entry ([`crate::portal::RecentMark`]).

mod get;
mod hide;
mod list;
mod pin;
mod unread;

use b24_core::ErrorCode;

use super::{Failure, Handler, handler};
use crate::http::body::Params;
use crate::portal::{Chat, Portal, dialog_chat};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::RecentGetRequest>(Handler::Read(get::handle)),
    handler::<b24_im::RecentHideRequest>(Handler::Write(hide::handle)),
    handler::<b24_im::RecentListRequest>(Handler::Read(list::handle)),
    handler::<b24_im::RecentPinRequest>(Handler::Write(pin::handle)),
    handler::<b24_im::RecentUnreadRequest>(Handler::Write(unread::handle)),
];

/// The chat of `DIALOG_ID` for the caller: the method's `DIALOG_ID_EMPTY` for what is not a
/// dialog id, `Ok(None)` for a dialog they cannot read.
fn dialog(
    params: &Params,
    portal: &Portal,
    caller: u64,
    dialog_id_empty: impl ErrorCode,
) -> Result<Option<u64>, Failure> {
    let dialog = super::dialog::dialog_param(params, dialog_id_empty)?;
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
