//! Notifications: one store for every user, written by the `im.notify.*` senders (and by other
//! modules, for confirm and answerable ones), read by `im.notify.get`, `im.notify.history.search`
//! and the `NOTIFY` counter of `im.counters.get`.
//!
//! Tags are kept the way the server stores them for REST callers: `MP|<5 hex of md5(client
//! id)>|<TAG>`, so two applications never touch each other's tags.

use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};

use super::model::Portal;

/// Kind of notification (the server's `IM_NOTIFY_*` constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotifyKind {
    /// With buttons (`IM_NOTIFY_CONFIRM` = 1).
    Confirm,
    /// From a user or an application (`IM_NOTIFY_FROM` = 2).
    From,
    /// System, without author (`IM_NOTIFY_SYSTEM` = 4).
    System,
}

impl NotifyKind {
    /// The number sent as `notify_type`.
    #[must_use]
    pub fn code(self) -> u32 {
        match self {
            Self::Confirm => 1,
            Self::From => 2,
            Self::System => 4,
        }
    }
}

/// One notification of one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Id, increasing across the portal.
    pub id: u64,
    /// The recipient.
    pub user_id: u64,
    /// The author; 0 for system notifications.
    pub author_id: u64,
    /// Kind.
    pub kind: NotifyKind,
    /// Text (BB-code).
    pub text: String,
    /// Module that sent it (`rest` for REST calls).
    pub module: String,
    /// Event of the module (`rest_notify`).
    pub event: String,
    /// Tag as stored (namespaced per application for REST callers).
    #[serde(default)]
    pub tag: Option<String>,
    /// Sub-tag as stored.
    #[serde(default)]
    pub sub_tag: Option<String>,
    /// Read by the recipient.
    #[serde(default)]
    pub read: bool,
    /// ISO-8601 date.
    pub date: String,
    /// Buttons `(title, value)` of a confirm notification.
    #[serde(default)]
    pub buttons: Vec<(String, String)>,
    /// Accepts a quick text answer (`im.notify.answer`).
    #[serde(default)]
    pub answerable: bool,
    /// Answers given, in order (what the sender's handler received).
    #[serde(default)]
    pub answers: Vec<String>,
}

impl Notification {
    /// An unread notification for `user_id` from `author_id` (0: the system), sent by the
    /// module and event `source` (`("rest", "rest_notify")` for REST calls) at `date`
    /// (ISO-8601); without tags, buttons or answers. [`Portal::notify`] gives it its id.
    #[must_use]
    pub fn new(
        user_id: u64,
        author_id: u64,
        kind: NotifyKind,
        text: impl Into<String>,
        (module, event): (&str, &str),
        date: impl Into<String>,
    ) -> Self {
        Self {
            id: 0,
            user_id,
            author_id,
            kind,
            text: text.into(),
            module: module.to_owned(),
            event: event.to_owned(),
            tag: None,
            sub_tag: None,
            read: false,
            date: date.into(),
            buttons: Vec::new(),
            answerable: false,
            answers: Vec::new(),
        }
    }
}

/// The tag the server stores for `tag` sent by the application `client_id`:
/// `MP|` + the first 5 hex digits of md5(client id) + `|` + tag.
#[must_use]
pub fn app_tag(client_id: &str, tag: &str) -> String {
    let digest = Md5::digest(client_id.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let prefix = hex.get(..5).unwrap_or_default();
    format!("MP|{prefix}|{tag}")
}

impl Portal {
    /// Stores a notification and returns its id. A tagged notification replaces the
    /// recipient's earlier ones with the same tag.
    pub fn notify(&mut self, mut n: Notification) -> u64 {
        if let Some(tag) = &n.tag {
            self.notifications
                .retain(|old| old.user_id != n.user_id || old.tag.as_ref() != Some(tag));
        }
        self.next_notification_id = self.next_notification_id.max(1);
        n.id = self.next_notification_id;
        self.next_notification_id += 1;
        let id = n.id;
        self.notifications.push(n);
        id
    }

    /// The notification `id` if it belongs to `user`.
    #[must_use]
    pub fn notification(&self, user: u64, id: u64) -> Option<&Notification> {
        self.notifications
            .iter()
            .find(|n| n.id == id && n.user_id == user)
    }

    /// The notification `id` if it belongs to `user`, to change it.
    pub fn notification_mut(&mut self, user: u64, id: u64) -> Option<&mut Notification> {
        self.notifications
            .iter_mut()
            .find(|n| n.id == id && n.user_id == user)
    }

    /// Unread notifications of `user` (the `NOTIFY` counter).
    #[must_use]
    pub fn unread_notifications(&self, user: u64) -> usize {
        self.notifications
            .iter()
            .filter(|n| n.user_id == user && !n.read)
            .count()
    }

    /// Marks `user`'s notifications matching `pick` read (`read`) or unread; returns how many.
    pub fn mark_notifications(
        &mut self,
        user: u64,
        read: bool,
        pick: impl Fn(&Notification) -> bool,
    ) -> usize {
        let mut changed = 0;
        for n in self
            .notifications
            .iter_mut()
            .filter(|n| n.user_id == user && pick(n))
        {
            n.read = read;
            changed += 1;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_namespaced_by_the_md5_of_the_client_id() {
        // md5("app") = d2a57dc1d883fd21fb9951699df71cc7
        assert_eq!(app_tag("app", "TASK_42"), "MP|d2a57|TASK_42");
        assert_ne!(app_tag("other", "TASK_42"), app_tag("app", "TASK_42"));
    }
}
