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
}

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
}

impl Pagination {
    /// A method that returns everything at once.
    pub const NONE: Self = Self {
        items: None,
        limit: None,
        offset: None,
        keyset: &[],
    };

    /// Whether the method pages at all.
    #[must_use]
    pub const fn is_paged(&self) -> bool {
        self.offset.is_some() || !self.keyset.is_empty()
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
