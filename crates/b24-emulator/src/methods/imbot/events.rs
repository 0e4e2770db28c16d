//! Bot events, built from the generated event types of `b24_imbot` (so their shape is the
//! spec's) and delivered by the portal ([`Portal::deliver_bot_event`]).

use b24_core::EventSet as _;
use b24_imbot::{
    Bot, BotDeleteData, BotType, Chat, CommandAddData, CommandCall, Event, EventMode, JoinChatData,
    Message, MessageEventData, ReactionAction, ReactionChangeData, User,
};
use serde_json::Value;

use crate::portal::bots::BotRecord;
use crate::portal::{Portal, iso};

/// The bot object in its owner form, as `Bot.get` and the fetch queue send it.
pub(crate) fn bot_object(record: &BotRecord) -> Bot {
    let mut bot = Bot::default();
    bot.id = record.id;
    bot.code = Some(record.code.clone());
    bot.kind = Some(BotType::from(record.kind.as_str()));
    bot.is_hidden = Some(false);
    bot.is_support_openline = Some(false);
    bot.is_reactions_enabled = Some(record.reactions);
    bot.language = Some("en".into());
    bot.module_id = Some("rest".into());
    bot.app_id = Some(record.app_id.clone());
    bot.event_mode = Some(EventMode::from(record.event_mode.as_str()));
    bot.count_message = Some(0);
    bot.count_command = Some(0);
    bot
}

/// A portal user in the v2 form.
pub(crate) fn user_object(portal: &Portal, id: u64) -> Option<User> {
    let u = portal.user(id)?;
    let mut user = User::default();
    user.id = u.id;
    user.active = Some(u.active);
    user.name = Some(u.name());
    user.first_name = Some(u.first_name.clone());
    user.last_name = Some(u.last_name.clone());
    user.work_position = u.work_position.clone();
    user.color = Some(u.color.clone());
    user.gender = Some(u.gender.clone());
    user.bot = Some(u.kind == "bot");
    user.extranet = Some(u.kind == "extranet");
    user.departments.clone_from(&u.departments);
    user.kind = Some(if u.kind == "user" {
        "employee".into()
    } else {
        u.kind.clone()
    });
    Some(user)
}

/// A chat as `bot` sees it: a private chat's dialog is the other member's id.
fn chat_object(portal: &Portal, chat_id: u64, bot: u64) -> Option<Chat> {
    let c = portal.chat(chat_id)?;
    let mut chat = Chat::default();
    chat.id = c.id;
    let dialog = if c.kind == "private" {
        c.members
            .iter()
            .find(|r| r.user_id != bot)
            .map_or_else(|| bot.to_string(), |r| r.user_id.to_string())
    } else {
        format!("chat{}", c.id)
    };
    chat.dialog_id = dialog.parse().ok();
    chat.name = Some(c.title.clone());
    chat.kind = Some(c.kind.clone());
    chat.owner = Some(c.owner);
    Some(chat)
}

fn message_object(portal: &Portal, id: u64) -> Option<Message> {
    let m = portal.message(id)?;
    let mut message = Message::default();
    message.id = m.id;
    message.chat_id = Some(m.chat_id);
    message.author_id = Some(m.author_id);
    message.date = m.date.parse().ok();
    message.text = Some(m.text.clone());
    message.is_system = Some(m.author_id == 0);
    Some(message)
}

fn data(event: &Event) -> Value {
    event
        .encode_data(serde_json::value::Serializer)
        .unwrap_or(Value::Null)
}

/// After a user's message: `ONIMBOTV2MESSAGEADD` to each bot that hears it, and one
/// `ONIMBOTV2COMMANDADD` per command line to the bots whose commands it runs.
pub(crate) fn message_added(portal: &mut Portal, message_id: u64, now: i64) {
    let Some((chat_id, author, text)) = portal
        .message(message_id)
        .map(|m| (m.chat_id, m.author_id, m.text.clone()))
    else {
        return;
    };
    for audience in portal.bot_audience(chat_id, author, &text) {
        let bot_id = audience.bot_id;
        let Some(record) = portal.bot(bot_id).cloned() else {
            continue;
        };
        let mut base = MessageEventData::default();
        base.bot = Some(bot_object(&record));
        base.message = message_object(portal, message_id);
        base.chat = chat_object(portal, chat_id, bot_id);
        base.user = user_object(portal, author);
        base.language = Some("en".into());
        if audience.hears {
            let event = Event::MessageAdd(base.clone());
            portal.deliver_bot_event(bot_id, event.name(), now, data(&event));
        }
        for (id, command, params) in audience.commands {
            let mut call = CommandCall::default();
            call.id = id;
            call.command = Some(command);
            call.params = Some(params);
            call.context = Some("textarea".into());
            let mut add = CommandAddData::default();
            add.bot = base.bot.clone();
            add.command = Some(call);
            add.message = base.message.clone();
            add.chat = base.chat.clone();
            add.user = base.user.clone();
            add.language = base.language.clone();
            let event = Event::CommandAdd(add);
            portal.deliver_bot_event(bot_id, event.name(), now, data(&event));
        }
    }
}

/// `ONIMBOTV2JOINCHAT` once, when a user's private chat with a bot is first created.
pub(crate) fn private_chat_opened(
    portal: &mut Portal,
    chat_id: u64,
    user: u64,
    other: u64,
    now: i64,
) {
    let Some(record) = portal.bot(other).cloned() else {
        return;
    };
    let mut join = JoinChatData::default();
    join.bot = Some(bot_object(&record));
    join.dialog_id = Some(b24_core::DialogId::User(user));
    join.chat = chat_object(portal, chat_id, other);
    join.user = user_object(portal, user);
    join.language = Some("en".into());
    let event = Event::JoinChat(join);
    portal.deliver_bot_event(other, event.name(), now, data(&event));
}

/// `ONIMBOTV2REACTIONCHANGE` to the bot that wrote the message, if it has reactions enabled.
pub(crate) fn reaction_changed(
    portal: &mut Portal,
    message_id: u64,
    author: u64,
    by: u64,
    reaction: &str,
    now: i64,
) {
    let Some(record) = portal.bot(author).cloned().filter(|b| b.reactions) else {
        return;
    };
    let Some(chat_id) = portal.message(message_id).map(|m| m.chat_id) else {
        return;
    };
    let mut change = ReactionChangeData::default();
    change.bot = Some(bot_object(&record));
    change.reaction = Some(reaction.to_owned());
    change.action = Some(ReactionAction::Add);
    change.message = message_object(portal, message_id);
    change.chat = chat_object(portal, chat_id, author);
    change.user = user_object(portal, by);
    change.language = Some("en".into());
    let event = Event::ReactionChange(change);
    portal.deliver_bot_event(author, event.name(), now, data(&event));
}

/// `ONIMBOTV2DELETE`, before the bot goes (webhook bots receive it; a fetch bot's queue is
/// deleted with the bot).
pub(crate) fn bot_deleted(portal: &mut Portal, record: &BotRecord, now: i64) {
    let mut gone = BotDeleteData::default();
    gone.bot = Some(bot_object(record));
    let event = Event::Delete(gone);
    portal.deliver_bot_event(record.id, event.name(), now, data(&event));
}

/// The date the queue shows for an event.
pub(crate) fn date(at: i64) -> Option<b24_core::DateTime> {
    iso(at).parse().ok()
}
