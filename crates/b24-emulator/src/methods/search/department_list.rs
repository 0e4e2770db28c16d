//! `im.search.department.list`: departments whose full name has words starting with each word
//! of `FIND`; a phrase under 2 characters lists them all; `FIND` missing is `FIND_SHORT`.
//!
//! The server's bug is kept: `next` is the number of departments returned (the offset is never
//! added), so from the second page on it points backwards (`docs/server-behaviour.md`). `total`
//! is right.

use b24_im::{SearchDepartmentListErrorCode as Code, SearchDepartmentListRequest as Method};

use super::{Window, matches, phrase};
use crate::methods::department::department;
use crate::methods::{Failure, Outcome, Read, fail};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let Some(find) = phrase(call, "FIND") else {
        return Err(fail(Code::FindShort));
    };
    let portal = call.portal;
    let with_head = call.params.text("USER_DATA").as_deref() == Some("Y");
    let found: Vec<u64> = portal
        .departments
        .iter()
        .filter(|d| find.chars().count() < 2 || matches(&find, &portal.department_full_name(d.id)))
        .map(|d| d.id)
        .collect();
    let mut outcome = Window::of(call).page::<Method, _>(&found, |page| {
        page.iter()
            .filter_map(|id| department(portal, *id, with_head))
            .collect()
    })?;
    // The bug: `next` counts from 0, not from the offset.
    outcome.next = (outcome.rows < found.len() && outcome.rows > 0).then_some(outcome.rows as u64);
    Ok(outcome)
}
