//! `im.notify.personal.add`, `im.notify.system.add` and `im.notify` (which is either, by
//! `TYPE`): one notification for `USER_ID`, from the caller (personal) or from nobody (system).
//!
//! `USER_ID` ≤ 0 is `USER_ID_EMPTY`; `MESSAGE` empty after trimming is `MESSAGE_EMPTY`; a
//! recipient that does not exist gets nothing and the answer is `false`. `TAG` and `SUB_TAG` are
//! stored per application ([`crate::portal::app_tag`]); without an application (a webhook
//! without `CLIENT_ID`) they are stored as sent, where no application's delete-by-tag reaches.

use b24_core::{ErrorCode, Method};
use b24_im::{
    NotifyErrorCode, NotifyPersonalAddErrorCode, NotifyPersonalAddRequest, NotifyRequest,
    NotifySystemAddErrorCode, NotifySystemAddRequest,
};

use super::client_id;
use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::php_int;
use crate::portal::{Notification, NotifyKind, app_tag, iso};

/// Sends as method `M`, whose `USER_ID_EMPTY` and `MESSAGE_EMPTY` are `no_user`, `no_text`.
fn send<M: Method<Output = Option<u64>>>(
    call: &mut Write<'_>,
    kind: NotifyKind,
    (no_user, no_text): (impl ErrorCode, impl ErrorCode),
) -> Result<Outcome, Failure> {
    let user_id = call
        .params
        .get("USER_ID")
        .map(php_int)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| fail(no_user))?;
    let text = call
        .params
        .text("MESSAGE")
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| fail(no_text))?;
    if call.portal.user(user_id).is_none() {
        return Outcome::of::<M>(&None, 0);
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
    let author = if kind == NotifyKind::System {
        0
    } else {
        call.caller
    };
    let mut notification = Notification::new(
        user_id,
        author,
        kind,
        text,
        ("rest", "rest_notify"),
        iso(call.now),
    );
    notification.tag = tag("TAG");
    notification.sub_tag = tag("SUB_TAG");
    let id = call.portal.notify(notification);
    Outcome::of::<M>(&Some(id), 1)
}

pub(super) fn personal(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    use NotifyPersonalAddErrorCode as Code;
    send::<NotifyPersonalAddRequest>(
        call,
        NotifyKind::From,
        (Code::UserIdEmpty, Code::MessageEmpty),
    )
}

pub(super) fn system(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    use NotifySystemAddErrorCode as Code;
    send::<NotifySystemAddRequest>(
        call,
        NotifyKind::System,
        (Code::UserIdEmpty, Code::MessageEmpty),
    )
}

pub(super) fn notify(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    use NotifyErrorCode as Code;
    let kind = if call.params.text("TYPE").as_deref() == Some("SYSTEM") {
        NotifyKind::System
    } else {
        NotifyKind::From
    };
    send::<NotifyRequest>(call, kind, (Code::UserIdEmpty, Code::MessageEmpty))
}
