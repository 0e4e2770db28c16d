//! Chat bots, `imbot.v2.*`: register, unregister, send, commands and the fetch queue have
//! handlers; the other bot methods answer from their spec examples. Bot events are produced by
//! [`events`] when users write (`im.message.add`, or the act-as-user control endpoint).

mod bot;
mod command;
pub(crate) mod events;
mod identity;
mod message;
mod queue;

use b24_imbot::{
    BotRegisterRequest, BotUnregisterRequest, ChatMessageSendRequest, CommandRegisterRequest,
    EventGetRequest,
};

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<BotRegisterRequest>(Handler::Write(bot::register)),
    handler::<BotUnregisterRequest>(Handler::Write(bot::unregister)),
    handler::<ChatMessageSendRequest>(Handler::Write(message::send)),
    handler::<CommandRegisterRequest>(Handler::Write(command::register)),
    handler::<EventGetRequest>(Handler::Write(queue::get)),
];
