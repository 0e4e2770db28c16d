//! `im.search.user.list`: active users the caller may see whose name, job title or department
//! has words starting with each word of `FIND` (at least 2 characters, else `FIND_SHORT`), in id
//! order; an object keyed by user id, `[]` when nothing matches.

use serde_json::{Map, Value};

use super::{Window, find_short, matches, paged, phrase};
use crate::methods::{Failure, Outcome, Read, render};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let find = phrase(call, "FIND").filter(|f| f.chars().count() >= 2);
    let Some(find) = find else {
        return Err(find_short());
    };
    let portal = call.portal;
    let found: Vec<_> = portal
        .users
        .iter()
        .filter(|u| u.active && portal.can_see(call.caller, u))
        .filter(|u| {
            let departments = u
                .departments
                .iter()
                .filter_map(|d| portal.department(*d))
                .map(|d| d.name.as_str());
            let text = [u.name(), u.work_position.clone().unwrap_or_default()]
                .into_iter()
                .chain(departments.map(str::to_owned))
                .collect::<Vec<_>>()
                .join(" ");
            matches(&find, &text)
        })
        .collect();
    let items = found.iter().map(|u| render::user(portal, u));
    Ok(paged(Window::of(call), found.len(), items, |page| {
        Value::Object(
            page.into_iter()
                .map(|u| (u.get("id").map(ToString::to_string).unwrap_or_default(), u))
                .collect::<Map<_, _>>(),
        )
    }))
}
