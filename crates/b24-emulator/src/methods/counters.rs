//! `im.counters.*`: unread counters.

mod get;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("im.counters.get", Handler::Read(get::handle))];
