//! `im.counters.*`: unread counters.

mod get;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[handler::<b24_im::CountersGetRequest>(
    Handler::Read(get::handle),
)];
