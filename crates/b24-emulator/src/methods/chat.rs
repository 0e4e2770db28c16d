//! `im.chat.*`: chats.

mod get;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[handler::<b24_im::ChatGetRequest>(
    Handler::Read(get::handle),
)];
