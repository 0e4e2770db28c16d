//! Paging by each method's own dialect, as the spec describes it: offset pages that follow
//! `next`, keyset pages that follow a cursor, or continuation pages that send back the value the
//! previous page handed out (`nextOffset` of the `im.v2` methods). Streams end on an empty page,
//! stop with an error when the position does not advance, yield every item once, and are
//! cancelled by dropping them.

use std::collections::HashSet;
use std::fmt;

use b24_core::{Order, Paged, Response};
use futures_util::stream::{self, Stream, TryStreamExt as _};

use crate::client::Client;
use crate::error::Error;

/// Which dialect to page with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageMode {
    /// Offset paging when the method has it (it counts `total`), otherwise continuation
    /// paging when it has that, otherwise its first cursor.
    #[default]
    Auto,
    /// Offset paging, following `next`.
    Offset,
    /// Keyset paging with the cursor parameter of this name (`LAST_ID`, `FIRST_ID`).
    Keyset(&'static str),
    /// Continuation paging: each request sends the value the previous page handed back
    /// (`offset` = `nextOffset`). The first request goes as given, so a walk can resume from a
    /// stored value; a page that says nothing more remains (`hasMore: false`) is the last.
    Continuation,
}

/// Why a walk stopped with an error instead of ending: the alternative would be an endless loop
/// or a silently shortened result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingError {
    /// The method does not page in the requested dialect.
    Unsupported {
        /// The method.
        method: &'static str,
        /// The dialect asked for.
        mode: PageMode,
    },
    /// The server's `next` does not advance past the offset that was sent.
    NextDoesNotAdvance {
        /// The offset sent.
        offset: u64,
        /// The `next` received.
        next: u64,
    },
    /// A continuation page without the value for the next request.
    MissingContinuation {
        /// The method.
        method: &'static str,
    },
    /// The continuation value does not advance.
    ContinuationDoesNotAdvance {
        /// The value sent (`None`: the request as given).
        sent: Option<u64>,
        /// The value received.
        next: u64,
    },
    /// A keyset cursor does not advance.
    CursorDoesNotAdvance {
        /// The cursor parameter.
        param: &'static str,
        /// The key sent.
        key: Option<u64>,
    },
    /// An empty page though `total` says more remain, from a method whose windows cannot be
    /// stepped past (the offset does not count rows before the access filter).
    EmptyPageBeforeTotal {
        /// The offset of the empty page.
        offset: u64,
        /// The `total` of the answer.
        total: u64,
    },
}

impl fmt::Display for PagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported { method, mode } => {
                write!(f, "{method} does not page in the {mode:?} dialect")
            }
            Self::NextDoesNotAdvance { offset, next } => {
                write!(
                    f,
                    "`next` is {next} at offset {offset}: it does not advance"
                )
            }
            Self::MissingContinuation { method } => {
                write!(f, "{method} answered without the value for the next page")
            }
            Self::ContinuationDoesNotAdvance { sent, next } => {
                write!(
                    f,
                    "the next value is {next} after {sent:?}: it does not advance"
                )
            }
            Self::CursorDoesNotAdvance { param, key } => {
                write!(f, "cursor `{param}` does not advance past {key:?}")
            }
            Self::EmptyPageBeforeTotal { offset, total } => write!(
                f,
                "an empty page at offset {offset} though `total` is {total}: the rest cannot be reached"
            ),
        }
    }
}

impl std::error::Error for PagingError {}

/// Options of a paged walk: start from [`PageOptions::default`] and change what you need.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct PageOptions {
    /// Dialect.
    pub mode: PageMode,
    /// Stop after this many pages.
    pub max_pages: Option<usize>,
    /// Page size (default: the largest the method allows).
    pub page_size: Option<u32>,
}

impl PageOptions {
    /// Stops after `pages` pages.
    #[must_use]
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// Uses this page size.
    #[must_use]
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Uses this dialect.
    #[must_use]
    pub fn mode(mut self, mode: PageMode) -> Self {
        self.mode = mode;
        self
    }
}

/// Where a walk is.
#[derive(Debug, Clone, Copy)]
enum Position {
    Offset(u64),
    /// The value to send back (`None`: the request as given).
    Continuation(Option<u64>),
    Cursor {
        param: &'static str,
        key: Option<u64>,
        order: Order,
        field: &'static str,
    },
}

struct Walk<M> {
    client: Client,
    request: M,
    position: Position,
    /// The page size sent.
    limit: Option<u32>,
    pages: usize,
    max_pages: Option<usize>,
    done: bool,
}

pub(crate) fn page_size<M: Paged>(options: &PageOptions) -> Option<u32> {
    let limit = M::INFO.pagination.limit?;
    Some(options.page_size.unwrap_or(limit.max).clamp(1, limit.max))
}

fn start<M: Paged>(request: &mut M, options: &PageOptions) -> Result<Position, PagingError> {
    let paging = M::INFO.pagination;
    if let Some(size) = page_size::<M>(options) {
        request.set_limit(size);
    }
    let keyset = |param: Option<&str>| {
        paging
            .keyset
            .iter()
            .find(|k| param.is_none_or(|p| p == k.param))
            .copied()
    };
    let unsupported = || PagingError::Unsupported {
        method: M::INFO.name,
        mode: options.mode,
    };
    match (options.mode, paging.offset, paging.continuation) {
        (PageMode::Continuation, _, None) => return Err(unsupported()),
        (PageMode::Continuation, _, Some(_)) | (PageMode::Auto, None, Some(_)) => {
            return Ok(Position::Continuation(None));
        }
        _ => {}
    }
    let cursor = match (options.mode, paging.offset) {
        (PageMode::Continuation, _) => None,
        (PageMode::Offset, None) => return Err(unsupported()),
        (PageMode::Offset, Some(_)) | (PageMode::Auto, Some(_)) => None,
        (PageMode::Keyset(param), _) => Some(keyset(Some(param)).ok_or_else(unsupported)?),
        (PageMode::Auto, None) => Some(keyset(None).ok_or_else(unsupported)?),
    };
    request.clear_cursors();
    Ok(match cursor {
        None => Position::Offset(0),
        // Walking up starts after 0 (which also selects keyset mode); walking down starts at the newest.
        Some(k) => Position::Cursor {
            param: k.param,
            key: (k.order == Order::Ascending).then_some(0),
            order: k.order,
            field: k.key,
        },
    })
}

impl Client {
    /// The pages of a paged method, one request each, in the method's dialect.
    ///
    /// Offset pages follow the server's `next` (offset + items returned, so short pages make the
    /// windows overlap); keyset pages follow the largest (or smallest) key seen. The stream ends
    /// on an empty page or when the server says there is no more, and stops with
    /// [`Error::Paging`] when the position does not advance. It never ends early in silence: an
    /// empty page that `total` says is not the last is a window whose every row the access
    /// filter hid, stepped past for methods whose offset counts those rows (and an error for
    /// others), and an answer without `total` is read on to an empty page. Drop it to cancel.
    ///
    /// The stream is `Unpin`: `pages.next().await` works as it is (with
    /// `futures_util::StreamExt`, re-exported by the `b24` crate).
    pub fn pages<M>(
        &self,
        request: M,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Response<M::Output>, Error<M::ErrorCode>>> + Unpin + Send + 'static
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
    {
        Box::pin(self.walk(request, options, None))
    }

    /// Offset pages from `offset` on (the bulk reader's way on when it cannot plan).
    pub(crate) fn pages_after<M>(
        &self,
        request: M,
        options: PageOptions,
        offset: u64,
    ) -> impl Stream<Item = Result<Response<M::Output>, Error<M::ErrorCode>>> + Send + 'static
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
    {
        self.walk(request, options.mode(PageMode::Offset), Some(offset))
    }

    fn walk<M>(
        &self,
        request: M,
        options: PageOptions,
        from: Option<u64>,
    ) -> impl Stream<Item = Result<Response<M::Output>, Error<M::ErrorCode>>> + Send + 'static
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
    {
        let mut request = request;
        let first = start(&mut request, &options).map(|position| match (position, from) {
            (Position::Offset(_), Some(offset)) => Position::Offset(offset),
            (position, _) => position,
        });
        let walk = Walk {
            client: self.clone(),
            request,
            position: Position::Offset(0),
            limit: page_size::<M>(&options),
            pages: 0,
            max_pages: options.max_pages,
            done: false,
        };
        let initial = first.map(|position| Walk { position, ..walk });
        stream::unfold(Some(initial), |state| async move {
            let walk = match state? {
                Ok(walk) => walk,
                Err(error) => return Some((Err(Error::Paging(error)), None)),
            };
            next_page(walk).await
        })
    }

    /// The items of a paged method, each yielded once (overlapping pages are de-duplicated by
    /// the item's key, when the method has one). The stream is `Unpin`.
    pub fn items<M>(
        &self,
        request: M,
        options: PageOptions,
    ) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>> + Unpin + Send + 'static
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
        M::Item: Send + 'static,
    {
        Box::pin(each_once::<M, _>(page_items::<M, _>(
            self.walk(request, options, None),
        )))
    }

    /// Every item of a paged method, collected.
    ///
    /// # Errors
    /// The first error of any page.
    pub async fn collect_all<M>(
        &self,
        request: M,
        options: PageOptions,
    ) -> Result<Vec<M::Item>, Error<M::ErrorCode>>
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
        M::Item: Send + 'static,
    {
        self.items(request, options).try_collect().await
    }
}

/// The items of a stream of pages, in order.
pub(crate) fn page_items<M, S>(pages: S) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>>
where
    M: Paged,
    S: Stream<Item = Result<Response<M::Output>, Error<M::ErrorCode>>>,
{
    pages
        .map_ok(|page| stream::iter(M::into_items(page.result).into_iter().map(Ok)))
        .try_flatten()
}

/// Drops items whose key (the method's first keyset key) was seen before, so overlapping pages
/// yield each item once; items without a key all pass.
pub(crate) fn each_once<M, S>(items: S) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>>
where
    M: Paged,
    S: Stream<Item = Result<M::Item, Error<M::ErrorCode>>>,
{
    let key = M::INFO.pagination.keyset.first().map(|k| k.key);
    let mut seen = HashSet::new();
    items.try_filter(move |item| {
        let fresh = match key.and_then(|k| M::key(item, k)) {
            Some(id) => seen.insert(id),
            None => true,
        };
        std::future::ready(fresh)
    })
}

type Step<M> = Option<(
    Result<Response<<M as b24_core::Method>::Output>, Error<<M as b24_core::Method>::ErrorCode>>,
    Option<Result<Walk<M>, PagingError>>,
)>;

async fn next_page<M: Paged>(mut walk: Walk<M>) -> Step<M> {
    if walk.done || walk.max_pages.is_some_and(|m| walk.pages >= m) {
        return None;
    }
    match walk.position {
        Position::Offset(offset) => walk.request.set_offset(offset),
        Position::Continuation(value) => {
            if let Some(value) = value {
                walk.request.set_continuation(value);
            }
        }
        Position::Cursor { param, key, .. } => {
            walk.request.clear_cursors();
            if let Some(key) = key {
                walk.request.set_cursor(param, key);
            }
        }
    }
    let page = match walk.client.call(&walk.request).await {
        Ok(page) => page,
        Err(e) => return Some((Err(e), None)),
    };
    let items = M::items(&page.result);
    // A negative `total` is as good as none.
    let total = page.total.and_then(|t| u64::try_from(t).ok());
    let offset_paging = M::INFO.pagination.offset;
    let stride = offset_paging
        .is_some_and(|o| o.stride_by_limit)
        .then_some(walk.limit)
        .flatten();
    if items.is_empty() {
        // An empty page ends the walk, unless `total` says more remain: then the access filter
        // hid every row of this window.
        let Position::Offset(offset) = walk.position else {
            return None;
        };
        let total = total.filter(|t| offset < *t)?;
        let Some(limit) = stride else {
            return Some((
                Err(Error::Paging(PagingError::EmptyPageBeforeTotal {
                    offset,
                    total,
                })),
                None,
            ));
        };
        let next = offset + u64::from(limit);
        walk.pages += 1;
        walk.position = Position::Offset(next);
        walk.done = next >= total;
        return Some((Ok(page), Some(Ok(walk))));
    }
    walk.pages += 1;
    match walk.position {
        Position::Offset(offset) => {
            // Without `next` the walk is over, if the server speaks `next` and the answer is
            // whole; an answer without its `total` says nothing, so the walk reads on to an
            // empty page.
            let next_is_final =
                offset_paging.is_some_and(|o| o.next && (!o.total || total.is_some()));
            let advanced = match page.next {
                Some(next) if next > offset => Some(next),
                Some(next) => {
                    return Some((
                        Err(Error::Paging(PagingError::NextDoesNotAdvance {
                            offset,
                            next,
                        })),
                        None,
                    ));
                }
                None if next_is_final => None,
                None => Some(offset + stride.map_or(items.len() as u64, u64::from)),
            };
            match advanced {
                Some(next) => walk.position = Position::Offset(next),
                None => walk.done = true,
            }
        }
        Position::Continuation(sent) => {
            let Some((next, more)) = M::continuation(&page.result) else {
                return Some((
                    Err(Error::Paging(PagingError::MissingContinuation {
                        method: M::INFO.name,
                    })),
                    None,
                ));
            };
            if sent.is_some_and(|sent| next <= sent) {
                return Some((
                    Err(Error::Paging(PagingError::ContinuationDoesNotAdvance {
                        sent,
                        next,
                    })),
                    None,
                ));
            }
            walk.position = Position::Continuation(Some(next));
            walk.done = more == Some(false);
        }
        Position::Cursor {
            param,
            key,
            order,
            field,
        } => {
            let keys = items.iter().filter_map(|i| M::key(i, field));
            let edge = match order {
                Order::Ascending => keys.max(),
                Order::Descending => keys.min(),
            };
            let advanced = match (edge, key, order) {
                (Some(e), Some(k), Order::Ascending) => e > k,
                (Some(e), Some(k), Order::Descending) => e < k,
                (Some(_), None, _) => true,
                (None, _, _) => false,
            };
            if !advanced {
                return Some((
                    Err(Error::Paging(PagingError::CursorDoesNotAdvance {
                        param,
                        key,
                    })),
                    None,
                ));
            }
            walk.position = Position::Cursor {
                param,
                key: edge,
                order,
                field,
            };
        }
    }
    Some((Ok(page), Some(Ok(walk))))
}
