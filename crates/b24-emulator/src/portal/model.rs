//! The emulated portal: users, departments, chats with their members in join order, messages.
//!
//! A portal is generated deterministically from a seed (see [`Portal::generate`]) or loaded from
//! JSON (`--data`; `--dump-data` writes the format). Everything the method handlers answer comes
//! from here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

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
    #[serde(skip)]
    index: Index,
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

/// Lookups rebuilt after loading.
#[derive(Debug, Clone, Default)]
struct Index {
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

    /// Parses a portal from JSON.
    ///
    /// # Errors
    /// When the JSON does not describe a portal.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut portal: Self =
            serde_json::from_str(text).map_err(|e| format!("not a portal: {e}"))?;
        portal.reindex();
        Ok(portal)
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
        });
        self.reindex();
        id
    }
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

const FIRST_NAMES: &[&str] = &[
    "Alexander",
    "Catherine",
    "Dmitry",
    "Olga",
    "Ivan",
    "Maria",
    "Sergey",
    "Anna",
    "Pavel",
    "Elena",
    "Nikolai",
    "Irina",
    "Andrei",
    "Natalia",
    "Mikhail",
    "Svetlana",
    "Alexei",
    "Tatiana",
    "Roman",
    "Yulia",
    "James",
    "Emma",
    "Lucas",
    "Sofia",
    "Noah",
    "Mia",
    "Liam",
    "Chloe",
    "Ethan",
    "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Peterson",
    "Harris",
    "Ivanova",
    "Petrov",
    "Kuznetsova",
    "Sokolov",
    "Popova",
    "Lebedev",
    "Novikova",
    "Morozov",
    "Volkova",
    "Brown",
    "Wilson",
    "Taylor",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
];
const POSITIONS: &[&str] = &[
    "Sales Manager",
    "Senior Developer",
    "Accountant",
    "Business Analyst",
    "Designer",
    "HR Specialist",
    "Support Engineer",
    "Marketing Lead",
    "Lawyer",
    "Product Manager",
];
const COLORS: &[&str] = &[
    "#58cc47", "#df532d", "#1eb4aa", "#f76187", "#ab7761", "#4ba984", "#728f7a", "#e98fa6",
];
const STATUSES: &[&str] = &["online", "online", "online", "away", "dnd", "offline"];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Seed.
    pub seed: u64,
    /// The webhook user's id.
    pub webhook_user: u64,
    /// Members of `chat1` visible to the webhook user, if fixed.
    pub dialog_size: Option<usize>,
    /// Hidden members as a percentage of the visible ones.
    pub hidden_pct: f64,
}

struct Builder {
    rng: Rng,
    users: Vec<User>,
    next_user: u64,
}

impl Builder {
    fn person(&mut self, kind: &str, external: Option<&str>, departments: Vec<u64>) -> User {
        let id = self.next_user;
        self.next_user += 1;
        let rng = &mut self.rng;
        let first = (*rng.pick(FIRST_NAMES).unwrap_or(&"Alex")).to_owned();
        let last = (*rng.pick(LAST_NAMES).unwrap_or(&"Smith")).to_owned();
        let day = 1 + rng.below(28);
        let month = 1 + rng.below(12);
        let minutes_ago = i64::try_from(rng.below(60 * 24 * 7)).unwrap_or(0);
        let active_at = Some(iso(1_772_460_000 - minutes_ago * 60));
        let mut phones = BTreeMap::new();
        if rng.chance(0.4) {
            phones.insert(
                "personal_mobile".into(),
                format!("+1916555{:04}", rng.below(10_000)),
            );
        }
        if rng.chance(0.2) {
            phones.insert("inner_phone".into(), format!("{}", 100 + rng.below(900)));
        }
        User {
            id,
            active: true,
            email: format!(
                "{}.{}{}@example.com",
                first.to_lowercase(),
                last.to_lowercase(),
                id
            ),
            first_name: first,
            last_name: last,
            work_position: if kind == "user" && rng.chance(0.85) {
                rng.pick(POSITIONS).map(|p| (*p).to_owned())
            } else {
                None
            },
            gender: if rng.chance(0.5) {
                "M".into()
            } else {
                "F".into()
            },
            birthday: if rng.chance(0.6) {
                Some(format!("{day:02}-{month:02}"))
            } else {
                None
            },
            color: (*rng.pick(COLORS).unwrap_or(&"#58cc47")).to_owned(),
            avatar: if rng.chance(0.5) {
                format!("/upload/avatar/{id}.png")
            } else {
                String::new()
            },
            external_auth_id: external.map(str::to_owned),
            kind: kind.to_owned(),
            departments,
            status: (*rng.pick(STATUSES).unwrap_or(&"online")).to_owned(),
            idle: if rng.chance(0.1) {
                active_at.clone()
            } else {
                None
            },
            last_activity: if rng.chance(0.95) {
                active_at.clone()
            } else {
                None
            },
            mobile_last: if rng.chance(0.3) {
                active_at.clone()
            } else {
                None
            },
            desktop_last: if rng.chance(0.5) { active_at } else { None },
            absent: None,
            phones,
            website: String::new(),
            bot_code: None,
            hidden: false,
        }
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

impl Portal {
    /// Generates a portal: departments, employees, extranet users, bots, one external user of
    /// every external type, inactive users, group chats, workgroup chats, private dialogs and
    /// messages. The same shape always gives the same portal.
    #[must_use]
    #[allow(clippy::too_many_lines)]
    pub fn generate(shape: Shape) -> Self {
        let mut b = Builder {
            rng: Rng::new(shape.seed),
            users: Vec::new(),
            next_user: 1,
        };
        let departments = vec![
            Department {
                id: 1,
                name: "Company".into(),
                parent: None,
                head: Some(shape.webhook_user),
            },
            Department {
                id: 2,
                name: "Sales".into(),
                parent: Some(1),
                head: None,
            },
            Department {
                id: 3,
                name: "Development".into(),
                parent: Some(1),
                head: None,
            },
            Department {
                id: 4,
                name: "Support".into(),
                parent: Some(1),
                head: None,
            },
            Department {
                id: 5,
                name: "Accounting".into(),
                parent: Some(1),
                head: None,
            },
        ];
        // Employees first; the webhook user is one of them.
        let employees = 40.max(usize::try_from(shape.webhook_user).unwrap_or(1));
        for _ in 0..employees {
            let dept = 1 + b.rng.below(5);
            let u = b.person("user", None, vec![dept]);
            b.users.push(u);
        }
        if let Some(admin) = b.users.iter_mut().find(|u| u.id == shape.webhook_user) {
            admin.first_name = "Portal".into();
            admin.last_name = "Admin".into();
            admin.work_position = Some("Administrator".into());
            admin.departments = vec![1];
            admin.status = "online".into();
        }
        // Extranet users: some visible (sharing a group with the webhook user), some hidden.
        for i in 0..6 {
            let mut u = b.person("extranet", None, Vec::new());
            u.hidden = i % 2 == 1;
            b.users.push(u);
        }
        // Bots.
        for code in ["support", "marketing", "openline_bot"] {
            let mut u = b.person("bot", Some("bot"), Vec::new());
            u.first_name = format!(
                "{}{}",
                code.get(..1).unwrap_or("").to_uppercase(),
                code.get(1..).unwrap_or("")
            );
            u.last_name = "Bot".into();
            u.bot_code = Some(code.into());
            u.gender = String::new();
            b.users.push(u);
        }
        // One external user of every other external type.
        for ty in EXTERNAL_TYPES.iter().filter(|t| **t != "bot") {
            let kind = if *ty == "im_guest" { "guest" } else { "user" };
            let u = b.person(kind, Some(ty), Vec::new());
            b.users.push(u);
        }
        // Inactive employees.
        for _ in 0..4 {
            let mut u = b.person("user", None, vec![2]);
            u.active = false;
            b.users.push(u);
        }
        let seeded_users: Vec<u64> = b.users.iter().map(|u| u.id).collect();

        // chat1: the portal's general chat, or the bulk-read chat of --dialog-size.
        let mut chat1_members: Vec<u64> = match shape.dialog_size {
            None => b.users.iter().map(|u| u.id).collect(),
            Some(n) => {
                // The webhook user plus n - 1 other visible, active users, created as needed.
                let mut members = vec![shape.webhook_user];
                let mut pool: Vec<u64> = b
                    .users
                    .iter()
                    .filter(|u| u.active && !u.hidden && u.id != shape.webhook_user)
                    .map(|u| u.id)
                    .collect();
                pool.truncate(n.saturating_sub(1));
                members.extend(pool);
                while members.len() < n {
                    let dept = 2 + b.rng.below(4);
                    let u = b.person("user", None, vec![dept]);
                    members.push(u.id);
                    b.users.push(u);
                }
                members.truncate(n);
                // A few inactive members: never listed, never counted.
                members.extend(b.users.iter().filter(|u| !u.active).map(|u| u.id));
                members
            }
        };
        // Hidden members, PCT percent of the visible ones.
        let visible = chat1_members
            .iter()
            .filter(|id| {
                b.users
                    .iter()
                    .any(|u| u.id == **id && u.active && !u.hidden)
            })
            .count();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let hidden_count = (visible as f64 * shape.hidden_pct / 100.0).round() as usize;
        for _ in 0..hidden_count {
            let mut u = b.person("extranet", None, Vec::new());
            u.hidden = true;
            chat1_members.push(u.id);
            b.users.push(u);
        }
        // Join order differs from id order.
        b.rng.shuffle(&mut chat1_members);
        if let Some(pos) = chat1_members
            .iter()
            .position(|id| *id == shape.webhook_user)
        {
            chat1_members.swap(0, pos);
        }

        let mut next_rel: u64 = 1;
        let mut relations = |ids: &[u64]| -> Vec<Relation> {
            ids.iter()
                .map(|&user_id| {
                    let id = next_rel;
                    next_rel += 1;
                    Relation {
                        id,
                        user_id,
                        last_read: 0,
                        start_id: 0,
                        muted: false,
                    }
                })
                .collect()
        };
        let mut chats = vec![Chat {
            id: 1,
            kind: "open".into(),
            title: "General chat".into(),
            owner: shape.webhook_user,
            workgroup: None,
            entity_type: None,
            entity_id: None,
            members: relations(&chat1_members),
            general: true,
        }];
        // Group chats of departments and projects.
        let employees_ids: Vec<u64> = b
            .users
            .iter()
            .filter(|u| u.kind == "user" && u.active && seeded_users.contains(&u.id))
            .map(|u| u.id)
            .collect();
        for (i, title) in ["Sales team", "Dev team", "Support shifts", "Board"]
            .iter()
            .enumerate()
        {
            let mut ids: Vec<u64> = employees_ids
                .iter()
                .copied()
                .filter(|_| b.rng.chance(0.4))
                .collect();
            if i != 3 && !ids.contains(&shape.webhook_user) {
                ids.insert(0, shape.webhook_user);
            }
            if i == 3 {
                ids.retain(|id| *id != shape.webhook_user); // a chat the webhook user is not in
            }
            b.rng.shuffle(&mut ids);
            chats.push(Chat {
                id: chats.len() as u64 + 1,
                kind: "chat".into(),
                title: (*title).to_owned(),
                owner: ids.first().copied().unwrap_or(shape.webhook_user),
                workgroup: None,
                entity_type: if i == 0 { Some("CRM".into()) } else { None },
                entity_id: if i == 0 { Some("DEAL|12".into()) } else { None },
                members: relations(&ids),
                general: false,
            });
        }
        // Workgroup chats (sg<N>).
        for (i, title) in ["Project Alpha", "Project Beta"].iter().enumerate() {
            let mut ids: Vec<u64> = vec![shape.webhook_user];
            ids.extend(
                employees_ids
                    .iter()
                    .copied()
                    .filter(|id| *id != shape.webhook_user && b.rng.chance(0.3)),
            );
            ids.extend(
                b.users
                    .iter()
                    .filter(|u| u.kind == "extranet" && !u.hidden)
                    .map(|u| u.id),
            );
            chats.push(Chat {
                id: chats.len() as u64 + 1,
                kind: "sg".into(),
                title: (*title).to_owned(),
                owner: shape.webhook_user,
                workgroup: Some(10 + i as u64),
                entity_type: Some("SONET_GROUP".into()),
                entity_id: Some((10 + i).to_string()),
                members: relations(&ids),
                general: false,
            });
        }
        // Private dialogs of the webhook user with a few colleagues.
        for other in employees_ids
            .iter()
            .copied()
            .filter(|id| *id != shape.webhook_user)
            .take(5)
        {
            chats.push(Chat {
                id: chats.len() as u64 + 1,
                kind: "private".into(),
                title: String::new(),
                owner: shape.webhook_user,
                workgroup: None,
                entity_type: None,
                entity_id: None,
                members: relations(&[shape.webhook_user, other]),
                general: false,
            });
        }

        let mut portal = Self {
            domain: "emulator.bitrix24.local".into(),
            departments,
            users: b.users,
            chats,
            messages: Vec::new(),
            next_message_id: 1,
            next_relation_id: next_rel,
            event_subscribers: BTreeSet::new(),
            events: Vec::new(),
            next_event_id: 1,
            index: Index::default(),
        };
        portal.reindex();
        // Messages: a short history in every chat.
        let chat_ids: Vec<(u64, Vec<u64>)> = portal
            .chats
            .iter()
            .map(|c| (c.id, c.members.iter().take(8).map(|r| r.user_id).collect()))
            .collect();
        let mut rng = Rng::stream(shape.seed, 7);
        let mut t: i64 = 1_772_400_000;
        for (chat_id, authors) in chat_ids {
            for n in 0..12 {
                let author = rng.pick(&authors).copied().unwrap_or(shape.webhook_user);
                t += 60 + i64::try_from(rng.below(600)).unwrap_or(0);
                let date = iso(t);
                portal.add_message(
                    chat_id,
                    author,
                    format!("Message {n} in chat {chat_id}"),
                    date,
                    serde_json::Map::new(),
                );
            }
        }
        let last = portal.next_message_id.saturating_sub(1);
        for chat in &mut portal.chats {
            for r in &mut chat.members {
                r.last_read = last.saturating_sub(3);
            }
        }
        portal
    }
}
