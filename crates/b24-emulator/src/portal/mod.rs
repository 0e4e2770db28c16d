//! The emulated portal: its data model, the seeded generator, who may see what, and JSON files.
//!
//! A portal is generated deterministically from a seed ([`Portal::generate`]) or loaded from
//! JSON (`--data`; `--dump-data` writes the format). Everything the handlers answer comes from
//! here; every write is visible to every later read.

mod access;
pub mod bots;
mod chats;
mod data;
mod departments;
pub mod drive;
mod generate;
mod model;
mod notify;

pub use access::{Denied, dialog_chat, parse_dialog_id};
pub use chats::{ChatProfile, PALETTE, RecentMark, Right, palette_hex};
pub use data::{dump_portal, load_portal};
pub use generate::Shape;
pub use model::*;
pub use notify::{Notification, NotifyKind, app_tag};
