//! `im.search.*`: users, chats and departments found by a phrase, over the same portal every
//! other method sees; and the recent-search list of the previous chat (`im.search.last.*`).
//!
//! The paging of the search methods (and of `im.department.colleagues.list`): `LIMIT` from the
//! spec's `pagination.limit` (10 when absent, capped at 50), no lower bound (0 or less: an empty
//! page); the offset is `start` when it is > 0, else `OFFSET`; the server counts first and
//! answers `[]` when nothing matches.

mod chat_list;
mod department_list;
mod last;
mod user_list;

use b24_core::Method;
use b24_im::{SearchChatListRequest, SearchDepartmentListRequest, SearchUserListRequest};
// The recent-search methods are deprecated in the SDK; the emulator still serves them.
#[allow(deprecated)]
use b24_im::{SearchLastAddRequest, SearchLastDeleteRequest, SearchLastGetRequest};

use super::{Call, Failure, Handler, LimitRule, Outcome, handler};

#[allow(deprecated)]
pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<SearchChatListRequest>(Handler::Read(chat_list::handle)),
    handler::<SearchDepartmentListRequest>(Handler::Read(department_list::handle)),
    handler::<SearchLastAddRequest>(Handler::Write(last::add)),
    handler::<SearchLastDeleteRequest>(Handler::Write(last::delete)),
    handler::<SearchLastGetRequest>(Handler::Read(last::get)),
    handler::<SearchUserListRequest>(Handler::Read(user_list::handle)),
];

/// The window a search page reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub offset: usize,
    pub limit: usize,
}

impl Window {
    /// The page size (a limit ≤ 0 passes through, as an empty page) and the offset (`start`
    /// > 0 wins over `OFFSET`).
    pub fn of<P>(call: &Call<P>) -> Self {
        let limit = call.limit(LimitRule::CappedOnly);
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

    /// This window of `all` (every match, in order), answered as method `M` with `shape` of
    /// the page: `total` always, `next` = offset + returned while more remain. Nothing found
    /// is an empty page, which the generated types send as `[]`.
    pub fn page<M: Method, T>(
        self,
        all: &[T],
        shape: impl FnOnce(&[T]) -> M::Output,
    ) -> Result<Outcome, Failure> {
        let start = self.offset.min(all.len());
        let end = start.saturating_add(self.limit).min(all.len());
        let page = all.get(start..end).unwrap_or_default();
        let returned = page.len();
        let next = self.offset.saturating_add(returned);
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        Ok(Outcome::of::<M>(&shape(page), returned)?
            .paged(Some(total), (next < all.len()).then_some(next as u64)))
    }
}

/// The search phrase of `key`, trimmed and lower-cased; `None` when not sent.
fn phrase<P>(call: &Call<P>, key: &str) -> Option<String> {
    call.params.text(key).map(|t| t.trim().to_lowercase())
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
