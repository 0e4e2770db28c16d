//! `im.notify.delete`: by `ID`, the caller's own notification; by `TAG` / `SUB_TAG`, the
//! calling application's notifications with that tag (tags are stored per application, so no
//! other application's are touched). A webhook deleting by tag must send `CLIENT_ID`, else 403
//! `ACCESS_DENIED`; none of the three parameters is `PARAMS_ERROR`.

use b24_im::{NotifyDeleteErrorCode as Code, NotifyDeleteRequest as Method};

use super::client_id;
use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::php_int;
use crate::portal::app_tag;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let caller = call.caller;
    if let Some(id) = call.params.get("ID").map(php_int).filter(|id| *id > 0) {
        let id = u64::try_from(id).unwrap_or(0);
        let before = call.portal.notifications.len();
        call.portal
            .notifications
            .retain(|n| !(n.id == id && n.user_id == caller));
        let removed = before - call.portal.notifications.len();
        return Outcome::of::<Method>(&(removed > 0), removed);
    }
    let tag = call.params.text("TAG").filter(|t| !t.is_empty());
    let sub_tag = call.params.text("SUB_TAG").filter(|t| !t.is_empty());
    if tag.is_none() && sub_tag.is_none() {
        return Err(fail(Code::ParamsError));
    }
    let Some(client) = client_id(call) else {
        return Err(fail(Code::AccessDenied));
    };
    let tag = tag.map(|t| app_tag(&client, &t));
    let sub_tag = sub_tag.map(|t| app_tag(&client, &t));
    let before = call.portal.notifications.len();
    call.portal.notifications.retain(|n| {
        let hit = (tag.is_some() && n.tag == tag) || (sub_tag.is_some() && n.sub_tag == sub_tag);
        !hit
    });
    let removed = before - call.portal.notifications.len();
    Outcome::of::<Method>(&true, removed)
}
