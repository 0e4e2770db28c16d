//! `im.v2.*`: the D7 controllers (camelCase parameters, matched as sent).

pub(crate) mod event;
mod file;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.v2.Event.get", Handler::Write(event::get)),
    ("im.v2.Event.subscribe", Handler::Write(event::subscribe)),
    (
        "im.v2.Event.unsubscribe",
        Handler::Write(event::unsubscribe),
    ),
    ("im.v2.File.download", Handler::Write(file::download)),
    ("im.v2.File.upload", Handler::Write(file::upload)),
];
