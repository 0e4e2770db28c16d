//! `im.search.*`: users, chats and departments found by a phrase, over the same portal every
//! other method sees; and the recent-search list of the previous chat (`im.search.last.*`).
//!
//! The paging of the search methods (and of `im.department.colleagues.list`): `LIMIT` 10 when
//! absent, capped at 50, no lower bound (0 or less: an empty page); the offset is `start` when
//! it is > 0, else `OFFSET`; the server counts first and answers `[]` when nothing matches.

mod chat_list;
mod department_list;
mod last;
mod user_list;

use serde_json::Value;

use super::{Call, Failure, Handler, Outcome};
use crate::php::php_int;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.search.chat.list", Handler::Read(chat_list::handle)),
    (
        "im.search.department.list",
        Handler::Read(department_list::handle),
    ),
    ("im.search.last.add", Handler::Write(last::add)),
    ("im.search.last.delete", Handler::Write(last::delete)),
    ("im.search.last.get", Handler::Read(last::get)),
    ("im.search.user.list", Handler::Read(user_list::handle)),
];

/// The window a search page reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub offset: usize,
    pub limit: usize,
}

impl Window {
    /// `LIMIT` (10 by default, at most 50) and the offset (`start` > 0 wins over `OFFSET`).
    pub fn of<P>(call: &Call<P>) -> Self {
        let limit = call.params.get("LIMIT").map_or(10, php_int).min(50);
        let offset = match (
            call.start.filter(|s| *s > 0),
            call.params.int("OFFSET").filter(|o| *o > 0),
        ) {
            (Some(start), _) => start,
            (None, Some(offset)) => offset,
            (None, None) => 0,
        };
        Self {
            offset: usize::try_from(offset).unwrap_or(0),
            limit: usize::try_from(limit).unwrap_or(0),
        }
    }
}

/// One page of `total` matches (`items` yields them all, in order): `[]` when nothing matches,
/// otherwise `shape` of the page, with `total` and `next` = offset + returned while more remain.
pub(super) fn paged(
    window: Window,
    total: usize,
    items: impl Iterator<Item = Value>,
    shape: impl FnOnce(Vec<Value>) -> Value,
) -> Outcome {
    let total_i64 = i64::try_from(total).unwrap_or(i64::MAX);
    if total == 0 {
        return Outcome {
            result: Value::Array(Vec::new()),
            total: Some(0),
            next: None,
            rows: 0,
        };
    }
    let page: Vec<Value> = items.skip(window.offset).take(window.limit).collect();
    let returned = page.len();
    let next = window.offset + returned;
    Outcome {
        result: shape(page),
        total: Some(total_i64),
        next: (next < total).then_some(next as u64),
        rows: returned,
    }
}

/// The search phrase: `FIND` trimmed; missing is `FIND_SHORT`.
fn phrase<P>(call: &Call<P>, key: &str) -> Option<String> {
    call.params.text(key).map(|t| t.trim().to_lowercase())
}

fn find_short() -> Failure {
    Failure::new(400, "FIND_SHORT", "Too short a search phrase.")
}

/// Every word of `phrase` starts a word of `text` (case-insensitive), as the search index
/// matches.
fn matches(phrase: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    phrase
        .split_whitespace()
        .all(|p| words.iter().any(|w| w.starts_with(p)))
}
