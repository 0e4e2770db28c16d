//! `im.notify.read`, `im.notify.read.list` and `im.notify.read.all`: read state of the caller's
//! notifications, which `im.notify.get` and the `NOTIFY` counter of `im.counters.get` report.
//!
//! `read`: without `ID` nothing changes; `ONLY_CURRENT=Y` changes that notification only,
//! otherwise every one with an id ≥ `ID`; `ACTION` other than `Y` marks unread. `read.list`:
//! `IDS` must be an array (else `PARAMS_ERROR`); processing stops at the first id ≤ 0.

use b24_im::{
    NotifyReadAllRequest, NotifyReadAllResult, NotifyReadListErrorCode, NotifyReadListRequest,
    NotifyReadRequest,
};

use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::{array_values, php_int};

fn action(call: &Write<'_>) -> bool {
    call.params.text("ACTION").is_none_or(|a| a == "Y")
}

pub(super) fn one(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let Some(id) = call.params.get("ID").map(php_int) else {
        return Outcome::of::<NotifyReadRequest>(&true, 0);
    };
    let read = action(call);
    let only = call.params.text("ONLY_CURRENT").as_deref() == Some("Y");
    let id = u64::try_from(id).unwrap_or(0);
    let changed = call.portal.mark_notifications(call.caller, read, |n| {
        if only { n.id == id } else { n.id >= id }
    });
    Outcome::of::<NotifyReadRequest>(&true, changed)
}

pub(super) fn list(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let ids: Vec<u64> = call
        .params
        .get("IDS")
        .and_then(array_values)
        .ok_or_else(|| fail(NotifyReadListErrorCode::ParamsError))?
        .into_iter()
        .map(php_int)
        .map_while(|id| u64::try_from(id).ok().filter(|id| *id > 0))
        .collect();
    let read = action(call);
    let changed = call
        .portal
        .mark_notifications(call.caller, read, |n| ids.contains(&n.id));
    Outcome::of::<NotifyReadListRequest>(&true, changed)
}

pub(super) fn all(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let changed = call.portal.mark_notifications(call.caller, true, |_| true);
    let counter = call.portal.unread_notifications(call.caller);
    let mut result = NotifyReadAllResult::default();
    result.result = Some(true);
    result.new_counter = Some(u32::try_from(counter).unwrap_or(u32::MAX));
    Outcome::of::<NotifyReadAllRequest>(&result, changed)
}
