//! The seeded portal generator: the same [`Shape`] always gives the same portal.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Chat, Department, EXTERNAL_TYPES, Index, Portal, Relation, User, iso};
use crate::rng::Rng;

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
                        recent: Default::default(),
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
            profile: Default::default(),
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
                profile: Default::default(),
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
                profile: Default::default(),
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
                profile: Default::default(),
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
            notifications: Vec::new(),
            next_notification_id: 1,
            recent_search: BTreeMap::new(),
            bots: Vec::new(),
            bot_commands: Vec::new(),
            bot_events: Vec::new(),
            reactions: Vec::new(),
            outbox: Vec::new(),
            webhook_json: false,
            drive: super::drive::Drive::default(),
            command_log: super::bots::CommandLog::default(),
            shared: Vec::new(),
            index: Index::default(),
        };
        portal.staff_departments();
        portal.reindex();
        // Every bot answers `help` (`imbot.command.register`), for `im.message.command`.
        portal.command_log.commands = portal
            .users
            .iter()
            .filter(|u| u.bot_code.is_some())
            .map(|u| super::bots::BotCommand {
                bot_id: u.id,
                command: "help".into(),
            })
            .collect();
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
