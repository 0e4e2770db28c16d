//! Chat bots' commands: what each bot registered (`imbot.command.register`) and the commands
//! delivered to bots (`im.message.command`, and what a bot's application would receive as
//! `ONIMCOMMANDADD`).

use serde::{Deserialize, Serialize};

/// Registered commands and delivered calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Bots {
    /// Commands bots registered.
    #[serde(default)]
    pub commands: Vec<BotCommand>,
    /// Commands delivered, oldest first.
    #[serde(default)]
    pub delivered: Vec<CommandCall>,
}

/// A command a bot registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotCommand {
    /// The bot's user id.
    pub bot_id: u64,
    /// The command, without `/`.
    pub command: String,
}

/// A command delivered to a bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandCall {
    /// The bot.
    pub bot_id: u64,
    /// The command.
    pub command: String,
    /// Its argument text.
    pub params: String,
    /// The message it is about.
    pub message_id: u64,
    /// Who ran it.
    pub user_id: u64,
}

impl Bots {
    /// Whether `bot_id` registered `command` (compared case-insensitively, as commands are).
    #[must_use]
    pub fn registered(&self, bot_id: u64, command: &str) -> bool {
        self.commands
            .iter()
            .any(|c| c.bot_id == bot_id && c.command.eq_ignore_ascii_case(command))
    }
}
