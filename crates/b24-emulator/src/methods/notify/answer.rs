//! `im.notify.answer` and `im.notify.confirm`: replies to the caller's notifications. An answer
//! goes only to a notification that accepts one, a button value only to a confirm notification
//! with that button; anything else is refused like an unknown notification (`ID_ERROR`). An
//! answer marks the notification read; pressing a button removes it, as the server does.

use serde_json::json;

use crate::methods::{Failure, Outcome, Write};
use crate::php::php_int;

fn notify_id(call: &Write<'_>) -> Result<u64, Failure> {
    call.params
        .get("NOTIFY_ID")
        .map(php_int)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
        .ok_or_else(id_error)
}

fn id_error() -> Failure {
    Failure::new(400, "ID_ERROR", "Notification ID can't be empty")
}

pub(super) fn answer(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = notify_id(call)?;
    let text = call
        .params
        .text("ANSWER_TEXT")
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Failure::new(400, "ANSWER_TEXT_ERROR", "ANSWER_TEXT can't be empty"))?;
    let n = call
        .portal
        .notification_mut(call.caller, id)
        .filter(|n| n.answerable)
        .ok_or_else(id_error)?;
    n.answers.push(text);
    n.read = true;
    Ok(Outcome::of(
        json!({"result_message": ["Your response has been successfully sent."]}),
        1,
    ))
}

pub(super) fn confirm(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = notify_id(call)?;
    let value = call
        .params
        .text("NOTIFY_VALUE")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Failure::new(
                400,
                "NOTIFY_VALUE_ERROR",
                "Notification Value can't be empty",
            )
        })?;
    let caller = call.caller;
    let n = call
        .portal
        .notification_mut(caller, id)
        .filter(|n| n.buttons.iter().any(|(_, v)| *v == value))
        .ok_or_else(id_error)?;
    n.answers.push(value);
    call.portal
        .notifications
        .retain(|n| !(n.id == id && n.user_id == caller));
    Ok(Outcome::of(json!({"result_message": false}), 1))
}
