//! What every generated request knows about its method.

use serde::{Deserializer, Serialize, Serializer};

use crate::error::ErrorCode;

/// A Bitrix24 REST method, implemented by each generated request type.
///
/// The request serializes to the method's parameters; [`Method::decode_result`] decodes the
/// `result` member of a successful response into [`Method::Output`].
pub trait Method: Serialize {
    /// Static facts about the method, from its spec file.
    const INFO: &'static MethodInfo;
    /// The decoded `result`.
    type Output;
    /// The error codes this method documents, plus system and unknown codes.
    type ErrorCode: ErrorCode;
    /// Where `result` holds lists and maps of independent entries (users, files, keyed user
    /// maps, the result list itself): an entry there that does not decode is skipped and
    /// reported in [`crate::Response::skipped`] instead of failing the whole response. Each
    /// pattern is a path inside `result`, from the spec's `skip_bad_entries`.
    const SKIP: &'static [&'static [Step]] = &[];
    /// Where inside `result` the [`Method::SKIP`] patterns start: empty for generated methods;
    /// a wrapper that carries another method's results (a `batch` keyed by command) says where
    /// each of them sits and reuses that method's patterns.
    const SKIP_BASE: &'static [Step] = &[];

    /// Decodes the `result` member of a response.
    ///
    /// # Errors
    /// When the value does not have the documented shape.
    fn decode_result<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self::Output, D::Error>;

    /// Encodes a result the way the server sends it.
    ///
    /// # Errors
    /// When the serializer fails.
    fn encode_result<S: Serializer>(
        output: &Self::Output,
        serializer: S,
    ) -> Result<S::Ok, S::Error>;
}

/// A method the spec marks as paged: the generated request knows how to ask for a page, and
/// where the items of a page are.
pub trait Paged: Method + Clone {
    /// One item of a page.
    type Item;
    /// The items of a page, borrowed (the values of a result keyed by id, in key order).
    fn items(output: &Self::Output) -> Vec<&Self::Item>;
    /// The items of a page, moved out.
    fn into_items(output: Self::Output) -> Vec<Self::Item>;
    /// Sets the page size (the spec's `limit` parameter).
    fn set_limit(&mut self, limit: u32);
    /// Sets the offset (offset paging); does nothing for methods without it.
    fn set_offset(&mut self, offset: u64);
    /// Sets the keyset cursor `param` (e.g. `LAST_ID`); `false` if the method has no such cursor.
    fn set_cursor(&mut self, param: &str, key: u64) -> bool;
    /// Unsets every keyset cursor (so the method pages by offset, or starts at the newest).
    fn clear_cursors(&mut self);
    /// The value of the item field named `key` (a keyset's `key`), for cursors and de-duplication.
    fn key(item: &Self::Item, key: &str) -> Option<u64>;
    /// Continuation paging: the value the page hands back for the next request (`nextOffset`),
    /// and whether the page says more may remain (`hasMore`; `None` when the method has no such
    /// field). `None` for methods without continuation paging.
    fn continuation(output: &Self::Output) -> Option<(u64, Option<bool>)> {
        let _ = output;
        None
    }
    /// Continuation paging: sets the parameter that carries the value handed back by the
    /// previous page; does nothing for methods without it.
    fn set_continuation(&mut self, value: u64) {
        let _ = value;
    }
}

/// Item fields usable as cursor keys.
pub trait AsKey {
    /// The key as `u64`, if it is one.
    fn as_key(&self) -> Option<u64>;
}

impl AsKey for u64 {
    fn as_key(&self) -> Option<u64> {
        Some(*self)
    }
}
impl AsKey for u32 {
    fn as_key(&self) -> Option<u64> {
        Some(u64::from(*self))
    }
}
impl AsKey for i64 {
    fn as_key(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}
impl AsKey for i32 {
    fn as_key(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}
impl<T: AsKey> AsKey for Option<T> {
    fn as_key(&self) -> Option<u64> {
        self.as_ref().and_then(AsKey::as_key)
    }
}

/// One step of a [`Method::SKIP`] pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The member of an object with this wire name (or the tag of a one-key union).
    Key(&'static str),
    /// Any entry of a list or map.
    Entry,
}

/// Static facts about a method, generated from its spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// Wire name, e.g. `im.dialog.users.list`.
    pub name: &'static str,
    /// Permission scope the token needs, e.g. `im`.
    pub scope: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Link to the official reference page.
    pub docs_url: &'static str,
    /// The method only reads: repeating it after an ambiguous failure cannot change anything.
    pub read_only: bool,
    /// The method may be carried inside a `batch` call.
    pub batch: bool,
    /// How the method pages through long results.
    pub pagination: Pagination,
    /// Groups of optional parameters (wire names) of which at least one must be sent, such as
    /// `CHAT_ID` or `DIALOG_ID`: see [`MethodInfo::check_params`].
    pub one_of_params: &'static [&'static [&'static str]],
}

impl MethodInfo {
    /// Checks encoded parameters against [`MethodInfo::one_of_params`]: a parameter counts as
    /// sent when its key is present and not `null` (keys are compared without regard to case,
    /// as the server upper-cases them).
    ///
    /// # Errors
    /// [`MissingParams`] naming the first group none of whose parameters is sent.
    pub fn check_params(&self, params: &serde_json::Value) -> Result<(), MissingParams> {
        self.check_sent(|name| {
            params.as_object().is_some_and(|map| {
                map.iter()
                    .any(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_null())
            })
        })
    }

    /// As [`MethodInfo::check_params`], with `sent` saying whether a parameter (by wire name) is
    /// sent: for requests whose values are filled in later, such as batch references.
    ///
    /// # Errors
    /// [`MissingParams`] naming the first group none of whose parameters is sent.
    pub fn check_sent(&self, sent: impl Fn(&str) -> bool) -> Result<(), MissingParams> {
        match self
            .one_of_params
            .iter()
            .find(|group| !group.iter().any(|name| sent(name)))
        {
            Some(group) => Err(MissingParams {
                method: self.name,
                one_of: group,
            }),
            None => Ok(()),
        }
    }
}

/// A request refused before sending: it sets none of a group of parameters of which the method
/// needs at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingParams {
    /// The method.
    pub method: &'static str,
    /// The wire names of the group.
    pub one_of: &'static [&'static str],
}

impl std::fmt::Display for MissingParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` needs at least one of ", self.method)?;
        for (i, name) in self.one_of.iter().enumerate() {
            match i {
                0 => {}
                i if i + 1 == self.one_of.len() => f.write_str(" or ")?,
                _ => f.write_str(", ")?,
            }
            write!(f, "`{name}`")?;
        }
        f.write_str("; the request sets none of them")
    }
}

impl std::error::Error for MissingParams {}

/// A method's pagination dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// Where the list of items sits inside `result` (`None`: `result` is the list).
    pub items: Option<&'static str>,
    /// The page-size parameter.
    pub limit: Option<Limit>,
    /// Offset paging, if the method supports it.
    pub offset: Option<OffsetPaging>,
    /// Keyset (cursor) paging parameters, if any.
    pub keyset: &'static [KeysetPaging],
    /// Continuation paging (the server hands back the value for the next request), if any.
    pub continuation: Option<ContinuationPaging>,
}

impl Pagination {
    /// A method that returns everything at once.
    pub const NONE: Self = Self {
        items: None,
        limit: None,
        offset: None,
        keyset: &[],
        continuation: None,
    };

    /// Whether the method pages at all.
    #[must_use]
    pub const fn is_paged(&self) -> bool {
        self.offset.is_some() || !self.keyset.is_empty() || self.continuation.is_some()
    }
}

/// The page-size parameter of a paged method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Wire name of the parameter, e.g. `LIMIT`.
    pub param: &'static str,
    /// Page size when the parameter is absent.
    pub default: u32,
    /// Largest page size the server honours (larger values are capped).
    pub max: u32,
}

/// Offset paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetPaging {
    /// The method's own offset parameter (e.g. `OFFSET`), if any.
    pub param: Option<&'static str>,
    /// The framework-level `start` parameter is honoured (and wins over `param`).
    pub start: bool,
    /// The envelope carries `total`.
    pub total: bool,
    /// The envelope carries `next` (offset plus the number of items returned) while more remain.
    pub next: bool,
    /// The offset counts rows before the server drops what the caller may not see, so pages can
    /// be planned `LIMIT` apart (windows that neither overlap nor leave gaps), even though short
    /// pages make `next` smaller.
    pub stride_by_limit: bool,
}

/// Continuation paging, as in the `im.v2` methods: each page carries the value to send back for
/// the next one (`nextOffset`), and sending it may acknowledge what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContinuationPaging {
    /// Wire name of the request parameter that carries the value, e.g. `offset`.
    pub param: &'static str,
    /// Wire name of the result field holding the value for the next request, e.g. `nextOffset`.
    pub next: &'static str,
    /// Wire name of the result field saying whether more may remain, e.g. `hasMore`.
    pub more: Option<&'static str>,
}

/// Keyset paging: "items after this key".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeysetPaging {
    /// Wire name of the cursor parameter, e.g. `LAST_ID`.
    pub param: &'static str,
    /// Item field the cursor refers to, e.g. `id`.
    pub key: &'static str,
    /// Order of the items the cursor walks through.
    pub order: Order,
}

/// Sort order of a keyset walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Increasing keys.
    Ascending,
    /// Decreasing keys.
    Descending,
}
