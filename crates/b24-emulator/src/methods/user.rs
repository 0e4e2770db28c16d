//! `im.user.*`: users as the messenger shows them.

mod list_get;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[handler::<b24_im::UserListGetRequest>(
    Handler::Read(list_get::handle),
)];
