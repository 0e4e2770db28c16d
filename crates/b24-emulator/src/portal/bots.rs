//! Chat bots (`imbot.v2`): each bot is a user of the portal, with its commands and, in fetch
//! mode, its event queue; webhook-mode bots get their events POSTed (see [`Outgoing`]).
//!
//! Which bot hears what follows the server (`im/lib/bot.php`): messages written by bots never
//! produce bot events; in a private chat the bot on the other side gets `ONIMBOTV2MESSAGEADD`;
//! in a group chat a member bot gets it when the text mentions it (`[USER=<id>]`), supervisor
//! and personal bots get every message of their chats. Each line `/command params` of a
//! message that names a command of a bot in the chat (or a common one) gives that bot one
//! `ONIMBOTV2COMMANDADD`.
//!
//! Apart from those, [`CommandLog`] keeps the commands the generated bot users answer
//! (`imbot.command.register`) and the calls `im.message.command` delivered to them (what a bot's
//! application would receive as `ONIMCOMMANDADD`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{Portal, User};

/// How long a queued event is kept.
pub const EVENT_EXPIRY_SECONDS: i64 = 24 * 3600;

/// A registered bot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotRecord {
    /// The bot's user id.
    pub id: u64,
    /// Code, unique per application.
    pub code: String,
    /// The owning application (`custom<botToken>` for webhook-authorised bots).
    pub app_id: String,
    /// `bot`, `supervisor`, `personal`, …
    pub kind: String,
    /// `fetch` or `webhook`.
    pub event_mode: String,
    /// Where webhook events go.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Reactions on its messages are reported.
    #[serde(default = "yes")]
    pub reactions: bool,
}

fn yes() -> bool {
    true
}

/// A slash command of a bot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandRecord {
    /// Id.
    pub id: u64,
    /// The bot.
    pub bot_id: u64,
    /// The command without its slash (`help`).
    pub command: String,
    /// Usable in every chat.
    #[serde(default)]
    pub common: bool,
    /// Hidden from suggestions.
    #[serde(default)]
    pub hidden: bool,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// The application that registered it.
    pub app_id: String,
}

/// One queued event of a fetch-mode bot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotEventRecord {
    /// Event id (one portal-wide sequence).
    pub id: u64,
    /// The bot.
    pub bot_id: u64,
    /// `ONIMBOTV2MESSAGEADD`, …
    pub kind: String,
    /// Unix time.
    pub at: i64,
    /// The event's data, as `Event.get` returns it.
    pub data: Value,
}

/// A reaction of a user (or bot) on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionRecord {
    /// The message.
    pub message_id: u64,
    /// Who reacted.
    pub user_id: u64,
    /// The reaction code, camelCase (`like`).
    pub reaction: String,
}

/// A webhook delivery to POST.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Where to.
    pub url: String,
    /// `application/x-www-form-urlencoded` or `application/json`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

/// A bot that a message reaches: whether it hears the message itself, and the command lines
/// of it that run the bot's commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// The bot.
    pub bot_id: u64,
    /// It gets `ONIMBOTV2MESSAGEADD`.
    pub hears: bool,
    /// Each command line: the command's id, the command with its slash, its parameters.
    pub commands: Vec<(u64, String, String)>,
}

impl Portal {
    /// The bot of this user id.
    #[must_use]
    pub fn bot(&self, id: u64) -> Option<&BotRecord> {
        self.bots.iter().find(|b| b.id == id)
    }

    /// Adds a bot user and its record; returns its id.
    pub fn add_bot(&mut self, record: BotRecord, name: &str, last_name: &str) -> u64 {
        let id = self.users.iter().map(|u| u.id).max().unwrap_or(0) + 1;
        let user: Option<User> = serde_json::from_value(json!({
            "id": id, "active": true, "first_name": name, "last_name": last_name,
            "color": "#29619b", "kind": "bot", "external_auth_id": "bot",
        }))
        .ok();
        if let Some(user) = user {
            self.users.push(user);
        }
        self.bots.push(BotRecord { id, ..record });
        self.reindex();
        id
    }

    /// Removes a bot: its record, commands, queued events and user.
    pub fn remove_bot(&mut self, id: u64) {
        self.bots.retain(|b| b.id != id);
        self.bot_commands.retain(|c| c.bot_id != id);
        self.bot_events.retain(|e| e.bot_id != id);
        self.users.retain(|u| u.id != id);
        for chat in &mut self.chats {
            chat.members.retain(|r| r.user_id != id);
        }
        self.reindex();
    }

    /// Delivers an event to a bot: queued for fetch mode, POSTed (after the call) for webhook
    /// mode, as a PHP form or JSON. `data` is the fetch form (the whole bot object); webhook
    /// deliveries cut the bot to `{id, code}`.
    pub fn deliver_bot_event(&mut self, bot_id: u64, kind: &str, now: i64, data: Value) {
        let Some(bot) = self.bot(bot_id).cloned() else {
            return;
        };
        if bot.event_mode == "webhook" {
            // Without a URL nothing is subscribed and the event is lost, as on the server.
            let Some(url) = bot.webhook_url.clone() else {
                return;
            };
            let mut data = data;
            if let Some(object) = data.as_object_mut() {
                object.insert("bot".into(), json!({"id": bot.id, "code": bot.code}));
            }
            let envelope = json!({
                "event": kind,
                "event_handler_id": bot.id,
                "data": data,
                "ts": now,
                "auth": {
                    "domain": self.domain,
                    "member_id": "b24emulator",
                    "application_token": bot.app_id,
                },
            });
            let (content_type, body) = if self.webhook_json {
                ("application/json", envelope.to_string())
            } else {
                (
                    "application/x-www-form-urlencoded",
                    b24_core::event::encode_form(&envelope),
                )
            };
            self.outbox.push(Outgoing {
                url,
                content_type,
                body,
            });
            return;
        }
        let id = self.next_event_id.max(1);
        self.next_event_id = id + 1;
        self.bot_events.push(BotEventRecord {
            id,
            bot_id,
            kind: kind.to_owned(),
            at: now,
            data,
        });
    }

    /// The bots that hear a message, and the command lines each of them gets.
    #[must_use]
    pub fn bot_audience(&self, chat_id: u64, author: u64, text: &str) -> Vec<Audience> {
        let Some(chat) = self.chat(chat_id) else {
            return Vec::new();
        };
        if author == 0 || self.bot(author).is_some() {
            return Vec::new();
        }
        let lower = text.to_ascii_lowercase();
        let mut out = Vec::new();
        for bot in &self.bots {
            let member = chat.members.iter().any(|r| r.user_id == bot.id);
            let hears = member
                && (chat.kind == "private"
                    || matches!(bot.kind.as_str(), "supervisor" | "personal")
                    || lower.contains(&format!("[user={}]", bot.id)));
            let mut commands = Vec::new();
            for line in text.lines() {
                let Some(rest) = line.trim().strip_prefix('/') else {
                    continue;
                };
                let (word, params) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                if let Some(c) = self.bot_commands.iter().find(|c| {
                    c.bot_id == bot.id
                        && c.command.eq_ignore_ascii_case(word)
                        && (member || c.common)
                }) {
                    commands.push((c.id, format!("/{}", c.command), params.trim().to_owned()));
                }
            }
            if hears || !commands.is_empty() {
                out.push(Audience {
                    bot_id: bot.id,
                    hears,
                    commands,
                });
            }
        }
        out
    }
}

/// Commands the generated bot users registered and the calls `im.message.command` delivered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CommandLog {
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

impl CommandLog {
    /// Whether `bot_id` registered `command` (compared case-insensitively, as commands are).
    #[must_use]
    pub fn registered(&self, bot_id: u64, command: &str) -> bool {
        self.commands
            .iter()
            .any(|c| c.bot_id == bot_id && c.command.eq_ignore_ascii_case(command))
    }
}
