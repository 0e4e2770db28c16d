//! `im.department.colleagues.list`: the caller's colleagues (see
//! [`crate::portal::Portal::colleagues`]), offset-paged: `LIMIT` 10 by default, at most 50;
//! `start` > 0 wins over `OFFSET`; `total` always, `next` = offset + returned while more remain.

use serde_json::Value;

use super::{intranet_only, user_data};
use crate::methods::search::{Window, paged};
use crate::methods::{Failure, Outcome, Read, render};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    intranet_only(call.portal, call.caller)?;
    let portal = call.portal;
    let objects = user_data(&call.params);
    let all = portal.colleagues(call.caller);
    let window = Window::of(call);
    let items = all.iter().map(|u| {
        if objects {
            render::user(portal, u)
        } else {
            Value::from(u.id)
        }
    });
    Ok(paged(window, all.len(), items, Value::Array))
}
