//! `im.chat.*`: chats.

mod get;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("im.chat.get", Handler::Read(get::handle))];
