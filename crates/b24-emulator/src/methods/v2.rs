//! `im.v2.*`: the D7 controllers (camelCase parameters, matched as sent).

pub(crate) mod event;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.v2.Event.get", Handler::Write(event::get)),
    ("im.v2.Event.subscribe", Handler::Write(event::subscribe)),
];
