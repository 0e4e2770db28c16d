//! `im.dialog.users.list`, exactly as the server's `dialogUsersList` and `Chat::getUsers` do it
//! (`docs/server-behaviour.md`): both pagination modes, `start` over `OFFSET`, the access
//! filter after the limit.

use b24_im::{DialogUsersListErrorCode as Code, DialogUsersListRequest as Method};

use crate::methods::{Failure, LimitRule, Outcome, Read, fail, render};
use crate::php::{php_int, scalar_text};
use crate::portal::EXTERNAL_TYPES;
use crate::portal::{dialog_chat, parse_dialog_id};

pub(super) fn handle(call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let params = &call.params;
    let Some(dialog) = parse_dialog_id(params.get("DIALOG_ID")) else {
        return Err(fail(Code::DialogIdEmpty));
    };
    let chat_id = dialog_chat(call.portal, call.caller, dialog)
        .map_err(|denied| denied.answer(Code::AccessError))?;

    // Skipping is on for exactly `Y`, or whenever the except-list is present.
    let except: Option<Vec<String>> = params.get("SKIP_EXTERNAL_EXCEPT_TYPES").map(|v| {
        scalar_text(v)
            .unwrap_or_default()
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| EXTERNAL_TYPES.contains(&t.as_str()))
            .collect()
    });
    let skip = params.text("SKIP_EXTERNAL").as_deref() == Some("Y") || except.is_some();
    let except = except.unwrap_or_default();
    let limit = usize::try_from(call.limit(LimitRule::Normalised)).unwrap_or(0);
    let last_id = params.get("LAST_ID").map(php_int).filter(|n| *n >= 0);
    let offset = match (
        call.start.filter(|s| *s > 0),
        params.int("OFFSET").filter(|o| *o > 0),
    ) {
        (Some(start), _) => start,
        (None, Some(offset)) => offset,
        (None, None) => 0,
    };
    let offset = usize::try_from(offset).unwrap_or(0);

    let portal = call.portal;
    let Some(chat) = portal.chat(chat_id) else {
        return Err(crate::portal::Denied::NoChat.answer(Code::AccessError));
    };
    // Active members, minus external types unless kept, in join order.
    let mut rows: Vec<(u64, &crate::portal::User)> = chat
        .members
        .iter()
        .filter_map(|r| portal.user(r.user_id).map(|u| (r.id, u)))
        .filter(|(_, u)| u.active)
        .filter(|(_, u)| {
            !skip
                || !u.is_external()
                || u.external_auth_id
                    .as_deref()
                    .is_some_and(|t| except.iter().any(|e| e == t))
        })
        .collect();

    let (page, total): (Vec<&crate::portal::User>, Option<i64>) = match last_id {
        Some(last) => {
            // Keyset: users after LAST_ID in id order; OFFSET and start are ignored.
            rows.sort_by_key(|(_, u)| u.id);
            let after = u64::try_from(last).unwrap_or(0);
            let page = rows
                .iter()
                .filter(|(_, u)| u.id > after)
                .take(limit)
                .map(|(_, u)| *u)
                .collect();
            (page, None)
        }
        None => {
            rows.sort_by_key(|(rel, _)| *rel);
            let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let page = rows
                .iter()
                .skip(offset)
                .take(limit)
                .map(|(_, u)| *u)
                .collect();
            (page, Some(total))
        }
    };
    // The access filter runs after the limit: pages come back short.
    let mut seen = std::collections::BTreeSet::new();
    let visible: Vec<b24_im::DialogUser> = page
        .into_iter()
        .filter(|u| portal.can_see(call.caller, u))
        .filter(|u| seen.insert(u.id))
        .map(|u| render::user(portal, u))
        .collect();
    let returned = visible.len();
    let next = total.and_then(|total| {
        let next = offset + returned;
        (i64::try_from(next).unwrap_or(i64::MAX) < total).then_some(next as u64)
    });
    Ok(Outcome::of::<Method>(&visible, returned)?.paged(total, next))
}
