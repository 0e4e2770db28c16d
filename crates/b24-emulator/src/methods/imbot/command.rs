//! `imbot.v2.Command.register`: idempotent per bot, command and application; a leading `/` is
//! stripped.

use b24_imbot::{
    Command, CommandRegisterErrorCode as Code, CommandRegisterRequest, CommandRegisterResult,
};
use serde_json::Value;

use super::identity::{app, owned_bot, refused};
use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::bots::CommandRecord;

fn flag(value: Option<&Value>) -> bool {
    value.is_some_and(|v| match v {
        Value::Bool(b) => *b,
        other => crate::php::scalar_text(other)
            .is_some_and(|t| ["y", "1", "true"].contains(&t.to_lowercase().as_str())),
    })
}

pub(super) fn register(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let bot = owned_bot(call).map_err(refused!(Code))?;
    let app = app(call).map_err(|_| fail(Code::BotTokenNotSpecified))?;
    let fields = call.params.get("fields").cloned().unwrap_or(Value::Null);
    let command = fields
        .get("command")
        .and_then(crate::php::scalar_text)
        .map(|c| c.trim().trim_start_matches('/').to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| fail(Code::CommandRequired))?;
    let portal = &mut *call.portal;
    let existing = portal
        .bot_commands
        .iter()
        .find(|c| c.bot_id == bot.id && c.command == command && c.app_id == app)
        .cloned();
    let record = match existing {
        Some(record) => record,
        None => {
            let id = portal.bot_commands.iter().map(|c| c.id).max().unwrap_or(0) + 1;
            let title = fields
                .get("title")
                .and_then(|t| t.get("en").or_else(|| t.as_object()?.values().next()))
                .and_then(crate::php::scalar_text)
                .unwrap_or_default();
            let record = CommandRecord {
                id,
                bot_id: bot.id,
                command,
                common: flag(fields.get("common")),
                hidden: flag(fields.get("hidden")),
                title,
                app_id: app,
            };
            portal.bot_commands.push(record.clone());
            record
        }
    };
    let mut command = Command::default();
    command.id = record.id;
    command.bot_id = Some(record.bot_id);
    command.command = Some(format!("/{}", record.command));
    command.common = Some(record.common);
    command.hidden = Some(record.hidden);
    command.extranet_support = Some(false);
    let mut result = CommandRegisterResult::default();
    result.command = Some(command);
    Outcome::of::<CommandRegisterRequest>(&result, 1)
}
