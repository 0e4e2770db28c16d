//! `im.user.*`: users as the messenger shows them, and the caller's status.

mod get;
mod list_get;
mod status;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::UserGetRequest>(Handler::Read(get::handle)),
    handler::<b24_im::UserListGetRequest>(Handler::Read(list_get::handle)),
    handler::<b24_im::UserStatusGetRequest>(Handler::Read(status::get)),
    handler::<b24_im::UserStatusSetRequest>(Handler::Write(status::set)),
    handler::<b24_im::UserStatusIdleStartRequest>(Handler::Write(status::idle_start)),
    handler::<b24_im::UserStatusIdleEndRequest>(Handler::Write(status::idle_end)),
];
