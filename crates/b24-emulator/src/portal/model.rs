//! The portal's data: users, departments, chats with their members in join order, messages,
//! `im.v2` events, and the lookups and writes the handlers share.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// External authorization types the server knows (`UserTable::getExternalUserTypes`).
pub const EXTERNAL_TYPES: &[&str] = &[
    "bot",
    "email",
    "__controller",
    "replica",
    "imconnector",
    "sale",
    "saleanonymous",
    "shop",
    "call",
    "document_editor",
    "calendar_sharing",
    "im_guest",
    "rest_system",
];

/// The whole portal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Portal {
    /// Public domain, used to absolutize avatar paths.
    pub domain: String,
    /// Departments.
    pub departments: Vec<Department>,
    /// Users, in id order.
    pub users: Vec<User>,
    /// Chats (group chats, workgroup chats, private dialogs).
    pub chats: Vec<Chat>,
    /// Messages, in id order.
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Id the next message gets.
    #[serde(default)]
    pub next_message_id: u64,
    /// Id the next chat relation gets.
    #[serde(default)]
    pub next_relation_id: u64,
    /// Users whose `im.v2` events are recorded (`im.v2.Event.subscribe`).
    #[serde(default)]
    pub event_subscribers: BTreeSet<u64>,
    /// Recorded `im.v2` events, in id order.
    #[serde(default)]
    pub events: Vec<EventRecord>,
    /// Id the next event gets.
    #[serde(default)]
    pub next_event_id: u64,
    /// Notifications of every user, in id order (`im.notify.*`).
    #[serde(default)]
    pub notifications: Vec<super::notify::Notification>,
    /// Id the next notification gets.
    #[serde(default)]
    pub next_notification_id: u64,
    /// Each user's recent-search list of the previous chat (`im.search.last.*`): dialog ids,
    /// most recent first.
    #[serde(default)]
    pub recent_search: BTreeMap<u64, Vec<String>>,
    /// Chat bots (`imbot.v2`), each also a user of the portal.
    #[serde(default)]
    pub bots: Vec<super::bots::BotRecord>,
    /// Slash commands of the bots.
    #[serde(default)]
    pub bot_commands: Vec<super::bots::CommandRecord>,
    /// The fetch-mode bots' event queues (`imbot.v2.Event.get`), in id order.
    #[serde(default)]
    pub bot_events: Vec<super::bots::BotEventRecord>,
    /// Reactions on messages.
    #[serde(default)]
    pub reactions: Vec<super::bots::ReactionRecord>,
    /// Webhook deliveries waiting to be POSTed once the call that caused them is done.
    #[serde(skip)]
    pub outbox: Vec<super::bots::Outgoing>,
    /// Send webhook events as JSON instead of a PHP form (`--webhook-json`).
    #[serde(skip)]
    pub webhook_json: bool,
    /// Chat folders, saved files and download links (`im.disk.*`, `im.v2.File.*`).
    #[serde(default)]
    pub drive: super::drive::Drive,
    /// Commands of the generated bot users, registered and delivered (`im.message.command`).
    #[serde(default)]
    pub command_log: super::bots::CommandLog,
    /// Objects `im.message.share` created other than chats (tasks, posts, events): stubs.
    #[serde(default)]
    pub shared: Vec<SharedObject>,
    #[serde(skip)]
    pub(super) index: Index,
}

/// One recorded `im.v2` event of one user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventRecord {
    /// Event id (increasing across the portal).
    pub id: u64,
    /// The user it was recorded for.
    pub user_id: u64,
    /// `ONIMV2MESSAGEADD`, ...
    pub kind: String,
    /// Unix time it was recorded (events expire after 24 hours).
    pub at: i64,
    /// The payload.
    pub data: serde_json::Value,
}

/// A stub of an object made from a message by `im.message.share` (the portal models no tasks,
/// feed or calendar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedObject {
    /// `TASK`, `POST` or `CALEND`.
    pub kind: String,
    /// The message it was made from.
    pub message_id: u64,
    /// Who made it.
    pub user_id: u64,
    /// Its text (the message's).
    pub text: String,
}

/// Lookups rebuilt after loading.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    users: HashMap<u64, usize>,
    chats: HashMap<u64, usize>,
}

/// A department.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Department {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Parent department.
    #[serde(default)]
    pub parent: Option<u64>,
    /// Head of the department.
    #[serde(default)]
    pub head: Option<u64>,
}

/// A user account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: u64,
    /// Active account (inactive users are never listed as participants).
    pub active: bool,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Job title.
    #[serde(default)]
    pub work_position: Option<String>,
    /// `M`, `F` or empty.
    #[serde(default)]
    pub gender: String,
    /// `DD-MM`.
    #[serde(default)]
    pub birthday: Option<String>,
    /// `#rrggbb`.
    pub color: String,
    /// Avatar path (relative paths are prefixed with the domain when sent).
    #[serde(default)]
    pub avatar: String,
    /// `None` for employees; otherwise one of [`EXTERNAL_TYPES`] (or something else).
    #[serde(default)]
    pub external_auth_id: Option<String>,
    /// `user`, `bot`, `extranet`, `collaber` or `guest`.
    pub kind: String,
    /// Department ids.
    #[serde(default)]
    pub departments: Vec<u64>,
    /// Messenger status.
    #[serde(default = "online")]
    pub status: String,
    /// Idle since (ISO-8601).
    #[serde(default)]
    pub idle: Option<String>,
    /// Last activity (ISO-8601).
    #[serde(default)]
    pub last_activity: Option<String>,
    /// Last mobile activity (ISO-8601).
    #[serde(default)]
    pub mobile_last: Option<String>,
    /// Last desktop activity (ISO-8601).
    #[serde(default)]
    pub desktop_last: Option<String>,
    /// Absent until (ISO-8601).
    #[serde(default)]
    pub absent: Option<String>,
    /// Phones by kind (`work_phone`, `personal_mobile`, `personal_phone`, `inner_phone`).
    #[serde(default)]
    pub phones: BTreeMap<String, String>,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Website.
    #[serde(default)]
    pub website: String,
    /// Bot code, for bots.
    #[serde(default)]
    pub bot_code: Option<String>,
    /// Visible only to themselves (an extranet user outside everyone's groups): the access filter
    /// drops them from other users' lists.
    #[serde(default)]
    pub hidden: bool,
}

fn online() -> String {
    "online".into()
}

impl User {
    /// Full name.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    /// Whether this is an external (system) user.
    #[must_use]
    pub fn is_external(&self) -> bool {
        self.external_auth_id
            .as_deref()
            .is_some_and(|t| EXTERNAL_TYPES.contains(&t))
    }
}

/// A chat and its members.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Chat {
    /// Chat id (`chat<ID>`).
    pub id: u64,
    /// `chat` (group), `open`, `private` (a dialog of two users) or `sg` (workgroup chat).
    pub kind: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Owner.
    #[serde(default)]
    pub owner: u64,
    /// Workgroup id, for `sg` chats (`sg<ID>`).
    #[serde(default)]
    pub workgroup: Option<u64>,
    /// Entity binding (`ENTITY_TYPE`), for `im.chat.get`.
    #[serde(default)]
    pub entity_type: Option<String>,
    /// Entity binding (`ENTITY_ID`).
    #[serde(default)]
    pub entity_id: Option<String>,
    /// Members in the order they joined (relation ids ascending).
    pub members: Vec<Relation>,
    /// The portal's general chat (`CIMChat::GetGeneralChatId`): only intranet users may post.
    #[serde(default)]
    pub general: bool,
    /// Description, appearance, creation date and rights (see [`super::chats`]).
    #[serde(default)]
    pub profile: super::ChatProfile,
}

/// A chat membership.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Relation {
    /// Relation id: the join order.
    pub id: u64,
    /// Member.
    pub user_id: u64,
    /// Last message the member read.
    #[serde(default)]
    pub last_read: u64,
    /// First message the member may see (`START_ID`: history hidden when they joined); 0: all.
    #[serde(default)]
    pub start_id: u64,
    /// Notifications turned off (`NOTIFY_BLOCK`): unread messages count in `CHAT_MUTED`.
    #[serde(default)]
    pub muted: bool,
    /// The member's recent-list entry: pinned, hidden, marked unread.
    #[serde(default)]
    pub recent: super::RecentMark,
}

/// A message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    /// Id.
    pub id: u64,
    /// Chat.
    pub chat_id: u64,
    /// Author (0 for system messages).
    pub author_id: u64,
    /// Text.
    pub text: String,
    /// When (ISO-8601).
    pub date: String,
    /// Extra parameters as sent (`ATTACH`, `KEYBOARD`, ...).
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Client-side id (`TEMPLATE_ID` of `im.message.add`), sent back as `uuid`.
    #[serde(default)]
    pub uuid: Option<String>,
}

impl Portal {
    /// Rebuilds the lookup tables; call after loading or mutating users or chats.
    pub fn reindex(&mut self) {
        self.index.users = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        self.index.chats = self
            .chats
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        let max_rel = self
            .chats
            .iter()
            .flat_map(|c| c.members.iter().map(|r| r.id))
            .max()
            .unwrap_or(0);
        self.next_relation_id = self.next_relation_id.max(max_rel + 1);
        let max_msg = self.messages.iter().map(|m| m.id).max().unwrap_or(0);
        self.next_message_id = self.next_message_id.max(max_msg + 1);
    }

    /// A user by id.
    #[must_use]
    pub fn user(&self, id: u64) -> Option<&User> {
        self.index.users.get(&id).and_then(|&i| self.users.get(i))
    }

    /// A chat by id.
    #[must_use]
    pub fn chat(&self, id: u64) -> Option<&Chat> {
        self.index.chats.get(&id).and_then(|&i| self.chats.get(i))
    }

    /// A chat by id, mutable.
    pub fn chat_mut(&mut self, id: u64) -> Option<&mut Chat> {
        let i = *self.index.chats.get(&id)?;
        self.chats.get_mut(i)
    }

    /// Whether `viewer` may see `user` (the access filter: hidden users are seen only by
    /// themselves).
    #[must_use]
    pub fn can_see(&self, viewer: u64, user: &User) -> bool {
        !user.hidden || user.id == viewer
    }

    /// The private dialog of two users, if it was ever started.
    #[must_use]
    pub fn private_chat(&self, a: u64, b: u64) -> Option<&Chat> {
        self.chats.iter().find(|c| {
            c.kind == "private"
                && c.members.iter().any(|r| r.user_id == a)
                && c.members.iter().any(|r| r.user_id == b)
                && (a != b || c.members.len() == 1)
        })
    }

    /// The chat of a workgroup.
    #[must_use]
    pub fn workgroup_chat(&self, workgroup: u64) -> Option<&Chat> {
        self.chats
            .iter()
            .find(|c| c.kind == "sg" && c.workgroup == Some(workgroup))
    }

    /// Adds a message and returns its id.
    pub fn add_message(
        &mut self,
        chat_id: u64,
        author_id: u64,
        text: String,
        date: String,
        params: serde_json::Map<String, serde_json::Value>,
    ) -> u64 {
        let id = self.next_message_id.max(1);
        self.next_message_id = id + 1;
        // A new message brings a hidden recent-list entry back, for every member.
        if let Some(chat) = self.chat_mut(chat_id) {
            for member in &mut chat.members {
                member.recent.hidden = false;
            }
        }
        self.messages.push(Message {
            id,
            chat_id,
            author_id,
            text,
            date,
            params,
            uuid: None,
        });
        id
    }

    /// Records an event for every subscribed member of `chat_id` (`im.v2.Event.subscribe`).
    pub fn record_event(&mut self, chat_id: u64, kind: &str, at: i64, data: &serde_json::Value) {
        let Some(chat) = self.chat(chat_id) else {
            return;
        };
        let recipients: Vec<u64> = chat
            .members
            .iter()
            .map(|r| r.user_id)
            .filter(|u| self.event_subscribers.contains(u))
            .collect();
        for user_id in recipients {
            let id = self.next_event_id.max(1);
            self.next_event_id = id + 1;
            self.events.push(EventRecord {
                id,
                user_id,
                kind: kind.to_owned(),
                at,
                data: data.clone(),
            });
        }
    }

    /// A message by id.
    #[must_use]
    pub fn message(&self, id: u64) -> Option<&Message> {
        self.messages.iter().find(|m| m.id == id)
    }

    /// A message by id, mutable.
    pub fn message_mut(&mut self, id: u64) -> Option<&mut Message> {
        self.messages.iter_mut().find(|m| m.id == id)
    }

    /// The membership of `user_id` in `chat_id`.
    #[must_use]
    pub fn relation(&self, chat_id: u64, user_id: u64) -> Option<&Relation> {
        self.chat(chat_id)?
            .members
            .iter()
            .find(|r| r.user_id == user_id)
    }

    /// Ids (ascending) of the messages of `chat_id` that `user_id` has not read: after their
    /// last read message and their join point, written by somebody else. Empty for non-members.
    #[must_use]
    pub fn unread(&self, chat_id: u64, user_id: u64) -> Vec<u64> {
        let Some(rel) = self.relation(chat_id, user_id) else {
            return Vec::new();
        };
        let mut ids: Vec<u64> = self
            .messages
            .iter()
            .filter(|m| {
                m.chat_id == chat_id
                    && m.id > rel.last_read
                    && m.id >= rel.start_id
                    && m.author_id != user_id
            })
            .map(|m| m.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Moves the last read message of `user_id` in `chat_id` forward to `message_id`.
    pub fn mark_read(&mut self, chat_id: u64, user_id: u64, message_id: u64) {
        if let Some(rel) = self
            .chat_mut(chat_id)
            .and_then(|c| c.members.iter_mut().find(|r| r.user_id == user_id))
        {
            rel.last_read = rel.last_read.max(message_id);
        }
    }

    /// Adds `user_id` to `chat_id` as its newest member (no-op for members); `false` when the
    /// chat does not exist.
    pub fn join_chat(&mut self, chat_id: u64, user_id: u64) -> bool {
        let id = self.next_relation_id.max(1);
        let Some(chat) = self.chat_mut(chat_id) else {
            return false;
        };
        if !chat.members.iter().any(|r| r.user_id == user_id) {
            chat.members.push(Relation {
                id,
                user_id,
                last_read: 0,
                start_id: 0,
                muted: false,
                recent: Default::default(),
            });
            self.next_relation_id = id + 1;
        }
        true
    }

    /// Starts a private dialog between two users and returns its chat id.
    pub fn start_private(&mut self, a: u64, b: u64) -> u64 {
        let id = self.chats.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        let first = self.next_relation_id.max(1);
        self.next_relation_id = first + 2;
        let relation = |id, user_id| Relation {
            id,
            user_id,
            last_read: 0,
            start_id: 0,
            muted: false,
            recent: Default::default(),
        };
        let mut members = vec![relation(first, a)];
        if a != b {
            members.push(relation(first + 1, b));
        }
        self.chats.push(Chat {
            id,
            kind: "private".into(),
            title: String::new(),
            owner: a,
            workgroup: None,
            entity_type: None,
            entity_id: None,
            members,
            general: false,
            profile: Default::default(),
        });
        self.reindex();
        id
    }
}

/// Unix time as the portal writes dates: ISO-8601 in the portal's time zone (UTC+2).
#[must_use]
pub fn iso(unix: i64) -> String {
    let zone = chrono::FixedOffset::east_opt(2 * 3600).unwrap_or_else(|| chrono::Utc.fix());
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&zone).to_rfc3339())
        .unwrap_or_default()
}

use chrono::Offset as _;
