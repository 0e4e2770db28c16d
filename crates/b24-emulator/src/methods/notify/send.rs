//! `im.notify.personal.add`, `im.notify.system.add` and `im.notify` (which is either, by
//! `TYPE`): one notification for `USER_ID`, from the caller (personal) or from nobody (system).
//!
//! `USER_ID` ≤ 0 is `USER_ID_EMPTY`; `MESSAGE` empty after trimming is `MESSAGE_EMPTY`; a
//! recipient that does not exist gets nothing and the answer is `false`. `TAG` and `SUB_TAG` are
//! stored per application ([`crate::portal::app_tag`]); without an application (a webhook
//! without `CLIENT_ID`) they are stored as sent, where no application's delete-by-tag reaches.

use serde_json::Value;

use super::client_id;
use crate::methods::{Failure, Outcome, Write};
use crate::php::php_int;
use crate::portal::{Notification, NotifyKind, app_tag, iso};

fn send(call: &mut Write<'_>, kind: NotifyKind) -> Result<Outcome, Failure> {
    let user_id = call
        .params
        .get("USER_ID")
        .map(php_int)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| Failure::new(400, "USER_ID_EMPTY", "User ID can't be empty"))?;
    let text = call
        .params
        .text("MESSAGE")
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| Failure::new(400, "MESSAGE_EMPTY", "Message can't be empty"))?;
    if call.portal.user(user_id).is_none() {
        return Ok(Outcome::of(Value::Bool(false), 0));
    }
    let client = client_id(call);
    let tag = |key: &str| {
        let tag = call.params.text(key).filter(|t| !t.is_empty())?;
        Some(
            client
                .as_deref()
                .map_or_else(|| tag.clone(), |c| app_tag(c, &tag)),
        )
    };
    let notification = Notification {
        id: 0,
        user_id,
        author_id: if kind == NotifyKind::System {
            0
        } else {
            call.caller
        },
        kind,
        text,
        module: "rest".into(),
        event: "rest_notify".into(),
        tag: tag("TAG"),
        sub_tag: tag("SUB_TAG"),
        read: false,
        date: iso(call.now),
        buttons: Vec::new(),
        answerable: false,
        answers: Vec::new(),
    };
    let id = call.portal.notify(notification);
    Ok(Outcome::of(Value::from(id), 1))
}

pub(super) fn personal(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    send(call, NotifyKind::From)
}

pub(super) fn system(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    send(call, NotifyKind::System)
}

pub(super) fn notify(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let system = call.params.text("TYPE").as_deref() == Some("SYSTEM");
    send(
        call,
        if system {
            NotifyKind::System
        } else {
            NotifyKind::From
        },
    )
}
