//! `im.message.like`: the caller's "like" on a message, per user.
//!
//! Checks: `MESSAGE_ID` > 0 and a message the caller can read (a member of its chat, or an open
//! chat, and not before their join point), else 400 `MESSAGE_ID_ERROR`. `ACTION`: `plus`,
//! `minus`, anything else `auto` (toggle). A like that is already in the asked state is 400
//! `WITHOUT_CHANGES`.
//!
//! Effects: the caller's id is added to or removed from the message's `params.LIKE` (ascending,
//! each user once; the key is dropped when nobody likes it), and subscribers get
//! `ONIMV2REACTIONCHANGE`.

use b24_im::{MessageLikeErrorCode as Code, MessageLikeRequest as Method};
use serde_json::{Value, json};

use super::add::can_read_message;
use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::id_list;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let no_message = || fail(Code::MessageIdError);
    let id = super::message_id(&call.params).ok_or_else(no_message)?;
    let caller = call.caller;
    can_read_message(call.portal, caller, id).ok_or_else(no_message)?;
    let action = call
        .params
        .get("ACTION")
        .and_then(Value::as_str)
        .unwrap_or("auto")
        .to_owned();
    let now = call.now;
    let portal = &mut *call.portal;
    let message = portal.message_mut(id).ok_or_else(no_message)?;
    let mut likes = id_list(message.params.get("LIKE"));
    let liked = likes.contains(&caller);
    let like = match action.as_str() {
        "plus" => true,
        "minus" => false,
        _ => !liked,
    };
    if like == liked {
        return Err(fail(Code::WithoutChanges));
    }
    if like {
        likes.push(caller);
        likes.sort_unstable();
        likes.dedup();
    } else {
        likes.retain(|u| *u != caller);
    }
    if likes.is_empty() {
        message.params.remove("LIKE");
    } else {
        message.params.insert("LIKE".into(), json!(likes));
    }
    let chat_id = message.chat_id;
    if let Some(mut event) = portal
        .message(id)
        .map(|m| crate::methods::v2::event::message_added(portal, m))
    {
        if let Some(map) = event.as_object_mut() {
            map.insert("reaction".into(), json!("like"));
            map.insert("action".into(), json!(if like { "add" } else { "delete" }));
            let user = crate::methods::v2::event::event_user(portal, caller);
            map.insert("user".into(), user);
        }
        portal.record_event(chat_id, "ONIMV2REACTIONCHANGE", now, &event);
    }
    Outcome::of::<Method>(&true, 1)
}
