//! `im.user.*`: users as the messenger shows them.

mod list_get;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] =
    &[("im.user.list.get", Handler::Read(list_get::handle))];
