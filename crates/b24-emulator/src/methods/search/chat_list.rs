//! `im.search.chat.list`: group chats the caller belongs to whose title has words starting with
//! each word of `FIND` (or `FIND_LINES`, for Open Channels: none are modelled), newest (highest
//! id) first; `FIND_SHORT` when both are missing or shorter than 2 characters.
//!
//! Each chat is the one [`render::chat`] builds, as the search sends it: a `null` description,
//! workgroup chats typed `sonetGroup`, and without the members' read state, the managers and
//! the dialog id, which only the dialog methods add.

use b24_core::DialogId;
use b24_im::{SearchChatListErrorCode as Code, SearchChatListRequest as Method};

use super::{Window, matches, phrase};
use crate::methods::{Failure, Outcome, Read, fail, render};
use crate::portal::{Chat, Portal};

/// A chat as the search methods send it.
pub(super) fn found_chat(portal: &Portal, c: &Chat, caller: u64, now: i64) -> b24_im::Chat {
    let mut out = render::chat(portal, c, caller, Some(DialogId::Chat(c.id)), now);
    out.description = None;
    if c.kind == "sg" {
        out.kind = Some("sonetGroup".into());
    }
    out.readed_list = Vec::new();
    out.manager_list = Vec::new();
    out.last_message_views = None;
    out.dialog_id = None;
    out
}

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let find = phrase(call, "FIND").or_else(|| phrase(call, "FIND_LINES"));
    let Some(find) = find.filter(|f| f.chars().count() >= 2) else {
        return Err(fail(Code::FindShort));
    };
    let lines_only = call.params.get("FIND").is_none();
    let (portal, caller, now) = (call.portal, call.caller, call.now);
    let mut found: Vec<&Chat> = portal
        .chats
        .iter()
        .filter(|c| c.kind != "private" && !lines_only)
        .filter(|c| c.members.iter().any(|r| r.user_id == caller))
        .filter(|c| matches(&find, &c.title))
        .collect();
    found.sort_by_key(|c| std::cmp::Reverse(c.id));
    Window::of(call).page::<Method, _>(&found, |page| {
        page.iter()
            .map(|c| found_chat(portal, c, caller, now))
            .collect()
    })
}
