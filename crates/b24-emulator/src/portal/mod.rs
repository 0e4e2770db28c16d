//! The emulated portal: its data model, the seeded generator, who may see what, and JSON files.
//!
//! A portal is generated deterministically from a seed ([`Portal::generate`]) or loaded from
//! JSON (`--data`; `--dump-data` writes the format). Everything the handlers answer comes from
//! here; every write is visible to every later read.

mod access;
pub mod bots;
mod data;
pub mod drive;
mod generate;
mod model;

pub use access::{Denied, dialog_chat, parse_dialog_id};
pub use data::{dump_portal, load_portal};
pub use generate::Shape;
pub use model::*;
