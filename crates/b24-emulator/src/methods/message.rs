//! `im.message.*`: writing messages.

mod add;

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[handler::<b24_im::MessageAddRequest>(
    Handler::Write(add::handle),
)];
