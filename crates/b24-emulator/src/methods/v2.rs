//! `im.v2.*`: the D7 controllers (camelCase parameters, matched as sent).

pub(crate) mod event;
mod file;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<b24_im::V2EventGetRequest>(Handler::Write(event::get)),
    handler::<b24_im::V2EventSubscribeRequest>(Handler::Write(event::subscribe)),
    handler::<b24_im::V2EventUnsubscribeRequest>(Handler::Write(event::unsubscribe)),
    handler::<b24_im::V2FileDownloadRequest>(Handler::Write(file::download)),
    handler::<b24_im::V2FileUploadRequest>(Handler::Write(file::upload)),
];
