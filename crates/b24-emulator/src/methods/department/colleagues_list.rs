//! `im.department.colleagues.list`: the caller's colleagues (see
//! [`crate::portal::Portal::colleagues`]), offset-paged like the search methods (see
//! [`crate::methods::search`]): `total` always, `next` = offset + returned while more remain.

use b24_im::{
    DepartmentColleaguesListErrorCode as Code, DepartmentColleaguesListRequest as Method,
};

use super::{intranet_only, user_data, user_ref};
use crate::methods::search::Window;
use crate::methods::{Failure, Outcome, Read};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    intranet_only(call.portal, call.caller, Code::AccessError)?;
    let portal = call.portal;
    let objects = user_data(&call.params);
    let all = portal.colleagues(call.caller);
    Window::of(call).page::<Method, _>(&all, |page| {
        page.iter().map(|u| user_ref(portal, u, objects)).collect()
    })
}
