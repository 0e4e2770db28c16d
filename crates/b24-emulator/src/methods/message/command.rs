//! `im.message.command`: runs a bot's command in the context of a message.
//!
//! Checks, in order: `MESSAGE_ID` (400 `MESSAGE_ID_ERROR`), `BOT_ID` > 0 (400 `BOT_ID_ERROR`),
//! `COMMAND` not empty (400 `COMMAND_ERROR`); then the command must reach a bot: the message
//! exists in a chat the caller is in, `BOT_ID` is a bot, and it registered `COMMAND` (compared
//! without a leading `/`, case-insensitively). Anything else is 400 `PARAMS_ERROR`.
//!
//! Effects: the call is delivered to the bot ([`crate::portal::bots::CommandLog::delivered`]), as
//! `ONIMCOMMANDADD` would reach its application.

use b24_im::{MessageCommandErrorCode as Code, MessageCommandRequest as Method};

use super::add::can_read_message;
use crate::methods::{Failure, Outcome, Write, fail};
use crate::php::{empty, intval, isset, scalar_text, trim};
use crate::portal::bots::CommandCall;

pub(super) fn handle(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let id = super::message_id(&call.params).ok_or_else(|| fail(Code::MessageIdError))?;
    let params = &call.params;
    let bot_id = isset(params.get("BOT_ID"))
        .map(intval)
        .and_then(|v| u64::try_from(v).ok())
        .filter(|v| *v > 0)
        .ok_or_else(|| fail(Code::BotIdError))?;
    let command = params
        .get("COMMAND")
        .filter(|v| !empty(Some(v)))
        .and_then(scalar_text)
        .map(|c| trim(&c).trim_start_matches('/').to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| fail(Code::CommandError))?;
    let command_params = params
        .get("COMMAND_PARAMS")
        .and_then(scalar_text)
        .unwrap_or_default();
    let caller = call.caller;
    let portal = &mut *call.portal;
    let is_bot = portal.user(bot_id).is_some_and(|u| u.bot_code.is_some());
    let reaches = can_read_message(portal, caller, id).is_some()
        && is_bot
        && portal.command_log.registered(bot_id, &command);
    if !reaches {
        return Err(fail(Code::ParamsError));
    }
    portal.command_log.delivered.push(CommandCall {
        bot_id,
        command,
        params: command_params,
        message_id: id,
        user_id: caller,
    });
    Outcome::of::<Method>(&true, 1)
}
