//! `im.user.*`: users as the messenger shows them, and the caller's status.

mod get;
mod list_get;
mod status;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.user.get", Handler::Read(get::handle)),
    ("im.user.list.get", Handler::Read(list_get::handle)),
    ("im.user.status.get", Handler::Read(status::get)),
    ("im.user.status.set", Handler::Write(status::set)),
    (
        "im.user.status.idle.start",
        Handler::Write(status::idle_start),
    ),
    ("im.user.status.idle.end", Handler::Write(status::idle_end)),
];
