//! `im.notify.answer` and `im.notify.confirm`: replies to the caller's notifications. An answer
//! goes only to a notification that accepts one, a button value only to a confirm notification
//! with that button; anything else is refused like an unknown notification (`ID_ERROR`). An
//! answer marks the notification read; pressing a button removes it, as the server does.

use b24_core::ErrorCode;
use b24_im::{
    NotifyAnswerErrorCode, NotifyAnswerRequest, NotifyAnswerResult, NotifyConfirmErrorCode,
    NotifyConfirmRequest, NotifyConfirmResult,
};

use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::php_int;

/// `NOTIFY_ID` when > 0, else `not_found` (the method's `ID_ERROR`).
fn notify_id<C: ErrorCode>(call: &Write<'_>, not_found: C) -> Result<u64, Failure> {
    call.params
        .get("NOTIFY_ID")
        .map(php_int)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| fail(not_found))
}

pub(super) fn answer(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    use NotifyAnswerErrorCode as Code;
    let id = notify_id(call, Code::IdError)?;
    let text = call
        .params
        .text("ANSWER_TEXT")
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| fail(Code::AnswerTextError))?;
    let n = call
        .portal
        .notification_mut(call.caller, id)
        .filter(|n| n.answerable)
        .ok_or_else(|| fail(Code::IdError))?;
    n.answers.push(text);
    n.read = true;
    let mut result = NotifyAnswerResult::default();
    result.result_message = Some(vec!["Your response has been successfully sent.".into()]);
    Outcome::of::<NotifyAnswerRequest>(&result, 1)
}

pub(super) fn confirm(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    use NotifyConfirmErrorCode as Code;
    let id = notify_id(call, Code::IdError)?;
    let value = call
        .params
        .text("NOTIFY_VALUE")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| fail(Code::NotifyValueError))?;
    let caller = call.caller;
    let n = call
        .portal
        .notification_mut(caller, id)
        .filter(|n| n.buttons.iter().any(|(_, v)| *v == value))
        .ok_or_else(|| fail(Code::IdError))?;
    n.answers.push(value);
    call.portal
        .notifications
        .retain(|n| !(n.id == id && n.user_id == caller));
    // The sender's handler said nothing back: `result_message` is `false`.
    Outcome::of::<NotifyConfirmRequest>(&NotifyConfirmResult::default(), 1)
}
