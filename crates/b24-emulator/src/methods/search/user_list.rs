//! `im.search.user.list`: active users the caller may see whose name, job title or department
//! has words starting with each word of `FIND` (at least 2 characters, else `FIND_SHORT`), in id
//! order; an object keyed by user id, `[]` when nothing matches.

use b24_im::{SearchUserListErrorCode as Code, SearchUserListRequest as Method};

use super::{Window, matches, phrase};
use crate::methods::{Failure, Outcome, Read, fail, render};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let find = phrase(call, "FIND").filter(|f| f.chars().count() >= 2);
    let Some(find) = find else {
        return Err(fail(Code::FindShort));
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
    Window::of(call).page::<Method, _>(&found, |page| {
        page.iter()
            .map(|u| (u.id, render::user(portal, u)))
            .collect()
    })
}
