//! `im.v2.*`: the D7 controllers (camelCase parameters, matched as sent).

pub(crate) mod event;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::V2EventGetRequest>(Handler::Write(event::get)),
    handler::<b24_im::V2EventSubscribeRequest>(Handler::Write(event::subscribe)),
];
