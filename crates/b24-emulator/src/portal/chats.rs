//! Group chats as their members and the recent list see them: description, colour, avatar and
//! rights of a chat, each member's recent-list marks, and the writes of the `im.chat.*` and
//! `im.recent.*` methods.

use serde::{Deserialize, Serialize};

use super::{Chat, Portal, Relation};

/// The chat palette (`COLOR` of `im.chat.add` and `im.chat.updateColor`) and the HEX code a chat
/// reports for each name. The codes are the emulator's own: the server keeps its table in the
/// messenger's colour module.
pub const PALETTE: &[(&str, &str)] = &[
    ("RED", "#df532d"),
    ("GREEN", "#29ad49"),
    ("MINT", "#4ba984"),
    ("LIGHT_BLUE", "#2fc6f6"),
    ("DARK_BLUE", "#3e99ce"),
    ("PURPLE", "#8474c8"),
    ("AQUA", "#1eb4aa"),
    ("PINK", "#f76187"),
    ("LIME", "#85cb1e"),
    ("BROWN", "#ab7761"),
    ("AZURE", "#29619b"),
    ("KHAKI", "#728f7a"),
    ("SAND", "#ba9c7b"),
    ("MARENGO", "#556574"),
    ("GRAY", "#a8adb4"),
    ("GRAPHITE", "#3e4b5f"),
];

/// The HEX code of a palette name (exact, upper-case), if it is one.
#[must_use]
pub fn palette_hex(name: &str) -> Option<&'static str> {
    PALETTE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, hex)| *hex)
}

/// The parts of a chat the chat methods set and `im.dialog.get` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatProfile {
    /// Description.
    pub description: String,
    /// Palette name; empty for loaded chats without one (then red is shown).
    pub color: String,
    /// Avatar URL; empty for none.
    pub avatar: String,
    /// Unix time of creation; 0 when unknown.
    pub created: i64,
    /// Least role that may add members (`member` when empty).
    pub manage_users_add: String,
    /// Least role that may remove members (`manager` when empty).
    pub manage_users_delete: String,
    /// Least role that may change title, colour and avatar (`member` when empty).
    pub manage_ui: String,
}

/// One member's marks on their recent-list entry of a chat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecentMark {
    /// Pinned to the top (`im.recent.pin`).
    pub pinned: bool,
    /// Taken out of the list (`im.recent.hide`) until the next message.
    pub hidden: bool,
    /// Marked unread by hand (`im.recent.unread`).
    pub unread: bool,
}

/// A right of a chat, as `permissions` names the roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Add members.
    AddUsers,
    /// Remove members.
    DeleteUsers,
    /// Change title, colour and avatar.
    Ui,
}

impl ChatProfile {
    /// The least role a right needs: `member`, `manager`, `owner` or `none`.
    #[must_use]
    pub fn role_for(&self, right: Right) -> &str {
        let (set, default) = match right {
            Right::AddUsers => (&self.manage_users_add, "member"),
            Right::DeleteUsers => (&self.manage_users_delete, "manager"),
            Right::Ui => (&self.manage_ui, "member"),
        };
        if set.is_empty() { default } else { set }
    }
}

impl Chat {
    /// Whether `user` is a member.
    #[must_use]
    pub fn has_member(&self, user: u64) -> bool {
        self.members.iter().any(|r| r.user_id == user)
    }

    /// The role of `user` in the chat: `owner`, `member` or `none` (the owner is the only
    /// manager the emulator models).
    #[must_use]
    pub fn role_of(&self, user: u64) -> &'static str {
        if !self.has_member(user) {
            "none"
        } else if self.owner == user {
            "owner"
        } else {
            "member"
        }
    }

    /// Whether `user` holds `right`.
    #[must_use]
    pub fn allows(&self, user: u64, right: Right) -> bool {
        match (self.profile.role_for(right), self.role_of(user)) {
            (_, "none") | ("none", _) => false,
            ("member", _) => true,
            (_, role) => role == "owner",
        }
    }

    /// The HEX colour the chat reports.
    #[must_use]
    pub fn color_hex(&self) -> &'static str {
        palette_hex(&self.profile.color).unwrap_or("#df532d")
    }

    /// The member's relation, mutable.
    pub fn relation_mut(&mut self, user: u64) -> Option<&mut Relation> {
        self.members.iter_mut().find(|r| r.user_id == user)
    }
}

impl Portal {
    /// Creates a group chat owned by `owner` with `members` (the owner first; unknown and
    /// duplicate users are skipped) and returns its id.
    pub fn create_chat(
        &mut self,
        kind: &str,
        owner: u64,
        members: &[u64],
        title: String,
        profile: ChatProfile,
    ) -> u64 {
        let id = self.chats.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        self.chats.push(Chat {
            id,
            kind: kind.to_owned(),
            title,
            owner,
            workgroup: None,
            entity_type: None,
            entity_id: None,
            members: Vec::new(),
            general: false,
            profile,
        });
        self.reindex();
        for user in std::iter::once(owner).chain(members.iter().copied()) {
            if self.user(user).is_some() {
                self.join_chat(id, user);
            }
        }
        id
    }

    /// Takes `user` out of `chat_id`; when the owner goes, the longest-standing remaining
    /// member becomes the owner. `false` when they were not a member.
    pub fn leave_chat(&mut self, chat_id: u64, user: u64) -> bool {
        let Some(chat) = self.chat_mut(chat_id) else {
            return false;
        };
        let before = chat.members.len();
        chat.members.retain(|r| r.user_id != user);
        if chat.owner == user {
            chat.owner = chat.members.first().map_or(0, |r| r.user_id);
        }
        chat.members.len() != before
    }

    /// The chats in `user`'s recent list: member, not hidden; pinned first, then by newest
    /// message (chats without messages by id), newest first.
    #[must_use]
    pub fn recent_chats(&self, user: u64) -> Vec<&Chat> {
        let mut chats: Vec<(&Chat, bool, u64)> = self
            .chats
            .iter()
            .filter_map(|c| {
                let rel = c.members.iter().find(|r| r.user_id == user)?;
                (!rel.recent.hidden).then(|| (c, rel.recent.pinned, self.last_message_id(c.id)))
            })
            .collect();
        chats.sort_by_key(|(chat, pinned, last)| std::cmp::Reverse((*pinned, *last, chat.id)));
        chats.into_iter().map(|(c, ..)| c).collect()
    }

    /// Id of the newest message of a chat; 0 for none.
    #[must_use]
    pub fn last_message_id(&self, chat_id: u64) -> u64 {
        self.messages
            .iter()
            .rev()
            .find(|m| m.chat_id == chat_id)
            .map_or(0, |m| m.id)
    }
}
