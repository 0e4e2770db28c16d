//! `im.search.department.list`: departments whose full name has words starting with each word
//! of `FIND`; a phrase under 2 characters lists them all; `FIND` missing is `FIND_SHORT`.
//!
//! The server's bug is kept: `next` is the number of departments returned (the offset is never
//! added), so from the second page on it points backwards (SERVER-BEHAVIOUR.md §3). `total` is
//! right.

use serde_json::Value;

use super::{Window, find_short, matches, paged, phrase};
use crate::methods::department::department;
use crate::methods::{Failure, Outcome, Read};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let Some(find) = phrase(call, "FIND") else {
        return Err(find_short());
    };
    let portal = call.portal;
    let with_head = call.params.text("USER_DATA").as_deref() == Some("Y");
    let found: Vec<u64> = portal
        .departments
        .iter()
        .filter(|d| find.chars().count() < 2 || matches(&find, &portal.department_full_name(d.id)))
        .map(|d| d.id)
        .collect();
    let items = found
        .iter()
        .filter_map(|id| department(portal, *id, with_head));
    let mut outcome = paged(Window::of(call), found.len(), items, Value::Array);
    // The bug: `next` counts from 0, not from the offset.
    outcome.next = (outcome.rows < found.len() && outcome.rows > 0).then_some(outcome.rows as u64);
    Ok(outcome)
}
