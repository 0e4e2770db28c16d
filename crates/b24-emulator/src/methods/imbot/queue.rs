//! `imbot.v2.Event.get`, the fetch-mode queue: `offset` deletes the bot's events below it
//! (acknowledging), then events from `offset` on come back oldest first; `nextOffset` is the
//! last id + 1 (or the offset sent), `hasMore` only says the page was full; events older than
//! 24 hours are gone. User events (`withUserEvents`) are not modelled.

use b24_imbot::{EventGetErrorCode as Code, EventGetEvent, EventGetRequest, EventGetResult};

use super::events::date;
use super::identity::{owned_bot, refused};
use crate::methods::{Failure, LimitRule, Outcome, Write};
use crate::php::php_int;
use crate::portal::bots::EVENT_EXPIRY_SECONDS;

pub(super) fn get(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let bot = owned_bot(call).map_err(refused!(Code))?;
    let limit = call.limit(LimitRule::Clamped);
    let offset = u64::try_from(call.params.get("offset").map_or(0, php_int).max(0)).unwrap_or(0);
    let now = call.now;
    let portal = &mut *call.portal;
    portal.bot_events.retain(|e| {
        let acknowledged = e.bot_id == bot.id && offset > 0 && e.id < offset;
        !acknowledged && now - e.at <= EVENT_EXPIRY_SECONDS
    });
    let page: Vec<EventGetEvent> = portal
        .bot_events
        .iter()
        .filter(|e| e.bot_id == bot.id && e.id >= offset)
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|e| {
            let mut event = EventGetEvent::default();
            event.event_id = e.id;
            event.kind = Some(e.kind.as_str().into());
            event.date = date(e.at);
            event.data = Some(e.data.clone());
            event
        })
        .collect();
    let mut result = EventGetResult::default();
    result.next_offset = Some(page.last().map_or(offset, |e| offset.max(e.event_id + 1)));
    result.has_more = i64::try_from(page.len()).unwrap_or(i64::MAX) >= limit;
    let rows = page.len();
    result.events = page;
    Outcome::of::<EventGetRequest>(&result, rows)
}
