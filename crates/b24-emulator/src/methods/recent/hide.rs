//! `im.recent.hide`: a dialog id (`DIALOG_ID_EMPTY`); the caller's entry of it leaves their
//! recent list until the next message in the dialog. A dialog the caller cannot read changes
//! nothing; the answer is `true` either way.

use serde_json::json;

use super::dialog;
use crate::methods::{Failure, Outcome, Write};

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    if let Some(id) = dialog(&call.params, call.portal, call.caller)?
        && let Some(rel) = call
            .portal
            .chat_mut(id)
            .and_then(|c| c.relation_mut(call.caller))
    {
        rel.recent.hidden = true;
        rel.recent.pinned = false;
    }
    Ok(Outcome::of(json!(true), 1))
}
