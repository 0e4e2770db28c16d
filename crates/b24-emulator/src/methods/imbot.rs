//! Chat bots, `imbot.v2.*`: register, unregister, send, react, commands and the fetch queue have
//! handlers; the other bot methods answer from their spec examples. Bot events are produced by
//! [`events`] when users write (`im.message.add`, or the act-as-user control endpoint).

mod bot;
mod command;
pub(crate) mod events;
mod identity;
mod message;
mod queue;
mod reaction;

use b24_imbot::{
    BotRegisterRequest, BotUnregisterRequest, ChatMessageReactionAddRequest,
    ChatMessageSendRequest, CommandRegisterRequest, EventGetRequest,
};

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<BotRegisterRequest>(Handler::Write(bot::register)),
    handler::<BotUnregisterRequest>(Handler::Write(bot::unregister)),
    handler::<ChatMessageReactionAddRequest>(Handler::Write(reaction::add)),
    handler::<ChatMessageSendRequest>(Handler::Write(message::send)),
    handler::<CommandRegisterRequest>(Handler::Write(command::register)),
    handler::<EventGetRequest>(Handler::Write(queue::get)),
];
