//! `im.message.*`: writing messages.

mod add;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("im.message.add", Handler::Write(add::handle))];
