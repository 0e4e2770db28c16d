//! `im.search.last.*`: the recent-search list of the previous chat version, per user, most
//! recent first. `add` and `delete` take a `DIALOG_ID` (else `DIALOG_ID_EMPTY`) and answer
//! `true`; `get` lists the entries with their user or chat, `SKIP_CHAT=Y` / `SKIP_DIALOG=Y`
//! leaving out group chats or private dialogs.

#![allow(deprecated)] // the SDK marks these methods deprecated; the emulator still serves them

use b24_core::{DialogId, ErrorCode};
use b24_im::{
    RecentSearch, RecentSearchAvatar, SearchLastAddErrorCode, SearchLastAddRequest,
    SearchLastDeleteErrorCode, SearchLastDeleteRequest, SearchLastGetRequest,
};

use crate::methods::{Call, Failure, Outcome, Read, Write, fail, render};
use crate::portal::{Portal, parse_dialog_id};

fn dialog<P>(call: &Call<P>, empty: impl ErrorCode) -> Result<String, Failure> {
    parse_dialog_id(call.params.get("DIALOG_ID"))
        .map(|d| d.to_string())
        .ok_or_else(|| fail(empty))
}

pub(super) fn add(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = dialog(call, SearchLastAddErrorCode::DialogIdEmpty)?;
    let list = call.portal.recent_search.entry(call.caller).or_default();
    list.retain(|d| *d != id);
    list.insert(0, id);
    Outcome::of::<SearchLastAddRequest>(&true, 1)
}

pub(super) fn delete(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = dialog(call, SearchLastDeleteErrorCode::DialogIdEmpty)?;
    if let Some(list) = call.portal.recent_search.get_mut(&call.caller) {
        list.retain(|d| *d != id);
    }
    Outcome::of::<SearchLastDeleteRequest>(&true, 1)
}

/// The entry for a group chat: the chat with the part of its fields the list sends.
fn chat_entry(portal: &Portal, id: u64, caller: u64, now: i64) -> Option<RecentSearch> {
    let c = portal.chat(id)?;
    let full = render::chat(portal, c, caller, Some(DialogId::Chat(id)), now);
    let mut chat = b24_im::Chat::default();
    chat.id = full.id;
    chat.name = full.name;
    chat.owner = full.owner;
    chat.extranet = full.extranet;
    chat.avatar = full.avatar;
    chat.color = full.color;
    chat.kind = full.kind;
    chat.entity_type = full.entity_type;
    chat.entity_id = full.entity_id;
    chat.entity_data_1 = full.entity_data_1;
    chat.entity_data_2 = full.entity_data_2;
    chat.entity_data_3 = full.entity_data_3;
    chat.mute_list = full.mute_list;
    chat.date_create = full.date_create;
    chat.message_type = full.message_type;
    let mut avatar = RecentSearchAvatar::default();
    avatar.url = chat.avatar.clone();
    avatar.color = chat.color.clone();
    let mut entry = RecentSearch::default();
    entry.id = Some(DialogId::Chat(id));
    entry.kind = Some("chat".into());
    entry.avatar = Some(avatar);
    entry.title = Some(c.title.clone());
    entry.chat = Some(chat);
    Some(entry)
}

/// The entry for a private dialog: the user.
fn user_entry(portal: &Portal, id: u64) -> Option<RecentSearch> {
    let u = portal.user(id)?;
    let user = render::user(portal, u);
    let mut avatar = RecentSearchAvatar::default();
    avatar.url = user.avatar.clone();
    avatar.color = Some(u.color.clone());
    let mut entry = RecentSearch::default();
    entry.id = Some(DialogId::User(id));
    entry.kind = Some("user".into());
    entry.avatar = Some(avatar);
    entry.title = Some(u.name());
    entry.user = Some(user);
    Some(entry)
}

pub(super) fn get(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let portal = call.portal;
    let skip_chat = call.params.text("SKIP_CHAT").as_deref() == Some("Y");
    let skip_dialog = call.params.text("SKIP_DIALOG").as_deref() == Some("Y");
    let entries = portal
        .recent_search
        .get(&call.caller)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let out: Vec<RecentSearch> = entries
        .iter()
        .filter_map(|entry| match entry.parse::<DialogId>().ok()? {
            DialogId::Chat(id) if !skip_chat => chat_entry(portal, id, call.caller, call.now),
            DialogId::User(id) if !skip_dialog => user_entry(portal, id),
            _ => None,
        })
        .collect();
    Outcome::of::<SearchLastGetRequest>(&out, out.len())
}
