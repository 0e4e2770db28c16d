//! The bulk read: every item of a paged method, as fast as the portal's limits allow.
//!
//! A first page at the method's largest page size learns `total`. The remaining pages are planned
//! `LIMIT` apart (for methods whose offset counts rows before the access filter, so the windows
//! neither overlap nor leave gaps) and packed into `batch` requests: spread over as many parallel
//! requests as the rate limiter has room for now (keeping a reserve for the application's other
//! calls), up to 50 pages per request when room is tight. Results come back in order and
//! de-duplicated; at most the requests in flight are held in memory.

use std::collections::HashSet;
use std::sync::Arc;

use b24_core::Paged;
use futures_util::stream::{self, Stream, StreamExt as _, TryStreamExt as _};

use crate::batch::{BATCH_MAX, BatchResults, command};
use crate::client::Client;
use crate::error::Error;
use crate::paging::{PageOptions, page_size};

/// Options of a bulk read.
#[derive(Debug, Clone, Copy)]
pub struct BulkOptions {
    /// Rate-limiter slots left free for the application's other calls.
    pub reserve: f64,
    /// Most `batch` requests in flight at once.
    pub max_parallel: usize,
    /// Page size (default: the largest the method allows).
    pub page_size: Option<u32>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            reserve: 2.0,
            max_parallel: 32,
            page_size: None,
        }
    }
}

/// How a bulk read was planned, for progress reports and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BulkPlan {
    /// `total` reported by the first page.
    pub total: u64,
    /// Pages after the first.
    pub pages: usize,
    /// `batch` requests for them.
    pub requests: usize,
    /// Requests in flight at once.
    pub parallel: usize,
}

impl BulkPlan {
    /// Plans `pages` pages given the limiter's room now.
    #[must_use]
    pub fn new(total: u64, pages: usize, headroom: Option<f64>, options: &BulkOptions) -> Self {
        if pages == 0 {
            return Self {
                total,
                ..Self::default()
            };
        }
        // Use the slots free now, minus the reserve; when the bucket is too small for the
        // reserve, half of what is free.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let room = headroom.map_or(options.max_parallel, |h| {
            let after_reserve = (h - options.reserve).floor();
            if after_reserve >= 1.0 {
                after_reserve as usize
            } else {
                (h / 2.0).floor().max(1.0) as usize
            }
        });
        let mut parallel = room.min(options.max_parallel).min(pages).max(1);
        let mut per_request = pages.div_ceil(parallel);
        if per_request > BATCH_MAX {
            per_request = BATCH_MAX;
        }
        let requests = pages.div_ceil(per_request);
        parallel = parallel.min(requests);
        Self {
            total,
            pages,
            requests,
            parallel,
        }
    }
}

impl Client {
    /// Every item of a paged method through the fastest plan the limits allow (see the module
    /// docs). Methods whose offset cannot be planned `LIMIT` apart fall back to following the
    /// pages one by one.
    pub fn bulk<M>(
        &self,
        request: M,
        options: BulkOptions,
    ) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>> + Send + 'static
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
        M::Item: Send + 'static,
    {
        self.bulk_planned(request, options, |_| {})
    }

    /// As [`Self::bulk`]; `on_plan` hears how the read was planned.
    pub fn bulk_planned<M>(
        &self,
        request: M,
        options: BulkOptions,
        on_plan: impl FnOnce(BulkPlan) + Send + 'static,
    ) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>> + Send + 'static
    where
        M: Paged + Send + Sync + 'static,
        M::Output: Send,
        M::Item: Send + 'static,
    {
        let client = self.clone();
        let plannable = M::INFO
            .pagination
            .offset
            .is_some_and(|o| o.stride_by_limit && o.total);
        let key = M::INFO.pagination.keyset.first().map(|k| k.key);
        let stream = async move {
            if !plannable {
                on_plan(BulkPlan::default());
                let page_options = PageOptions {
                    page_size: options.page_size,
                    ..PageOptions::default()
                };
                return Ok::<_, Error<M::ErrorCode>>(client.items(request, page_options).boxed());
            }
            let size = u64::from(
                page_size::<M>(&PageOptions {
                    page_size: options.page_size,
                    ..PageOptions::default()
                })
                .unwrap_or(50),
            );
            let mut first = request.clone();
            first.clear_cursors();
            first.set_limit(u32::try_from(size).unwrap_or(u32::MAX));
            first.set_offset(0);
            let page = client.call(&first).await?;
            let total = page.total.and_then(|t| u64::try_from(t).ok()).unwrap_or(0);
            let offsets: Vec<u64> = (1..).map(|i| i * size).take_while(|o| *o < total).collect();
            let plan = BulkPlan::new(total, offsets.len(), client.limiter().headroom(), &options);
            tracing::info!(
                method = M::INFO.name,
                total,
                pages = plan.pages,
                requests = plan.requests,
                parallel = plan.parallel,
                "bulk read planned"
            );
            on_plan(plan);
            let per_request = offsets.len().div_ceil(plan.requests.max(1)).max(1);
            let groups: Vec<Vec<u64>> = offsets.chunks(per_request).map(<[u64]>::to_vec).collect();
            let first_items = stream::iter(M::into_items(page.result).into_iter().map(Ok));
            let template = Arc::new(first);
            let fetch_client = client.clone();
            let rest = stream::iter(groups)
                .map(move |group| fetch_group(fetch_client.clone(), Arc::clone(&template), group))
                .buffered(plan.parallel.max(1))
                .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
                .try_flatten();
            Ok(first_items.chain(rest).boxed())
        };
        let mut seen = HashSet::new();
        stream::once(stream)
            .map(|s| match s {
                Ok(items) => items,
                Err(e) => stream::once(async move { Err(e) }).boxed(),
            })
            .flatten()
            .try_filter(move |item| {
                let fresh = match key.and_then(|k| M::key(item, k)) {
                    Some(id) => seen.insert(id),
                    None => true,
                };
                std::future::ready(fresh)
            })
    }
}

/// Fetches the pages at `offsets` in one `batch` request, in order. A page whose command failed
/// with a retryable error is fetched again on its own (with the client's retries).
async fn fetch_group<M: Paged>(
    client: Client,
    template: Arc<M>,
    offsets: Vec<u64>,
) -> Result<Vec<M::Item>, Error<M::ErrorCode>> {
    let mut commands = Vec::with_capacity(offsets.len());
    for (i, offset) in offsets.iter().enumerate() {
        let mut request = (*template).clone();
        request.set_offset(*offset);
        commands.push(command(format!("p{i}"), &request).map_err(Error::Config)?);
    }
    let mut answers = BatchResults::default();
    client
        .send_chunk(&commands, false, &mut answers)
        .await
        .map_err(Error::recode)?;
    let mut items = Vec::new();
    for (i, offset) in offsets.iter().enumerate() {
        let handle = crate::batch::handle::<M>(format!("p{i}"));
        let page = match answers.get(&handle) {
            Ok(page) => page,
            Err(e) if e.is_retryable() || matches!(e, Error::NotRun(_)) => {
                let mut request = (*template).clone();
                request.set_offset(*offset);
                client.call(&request).await?
            }
            Err(e) => return Err(e),
        };
        items.extend(M::into_items(page.result));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_the_room_in_the_bucket() {
        let o = BulkOptions::default();
        // 20,000 members at 200 per page: 99 pages after the first.
        let roomy = BulkPlan::new(20_000, 99, Some(49.0), &o);
        assert_eq!(
            (roomy.parallel, roomy.requests),
            (25, 25),
            "many small batches (4 pages each) in parallel"
        );
        let tight = BulkPlan::new(20_000, 99, Some(4.0), &o);
        assert_eq!(
            (tight.parallel, tight.requests),
            (2, 2),
            "few large batches, 50 pages at most"
        );
        let tiny = BulkPlan::new(20_000, 99, Some(1.0), &o);
        assert_eq!((tiny.parallel, tiny.requests), (1, 2));
        let reserve = BulkPlan::new(20_000, 99, Some(20.0), &BulkOptions { reserve: 10.0, ..o });
        assert_eq!(reserve.parallel, 10);
        let unlimited = BulkPlan::new(1_000, 4, None, &o);
        assert_eq!((unlimited.parallel, unlimited.requests), (4, 4));
        assert_eq!(BulkPlan::new(150, 0, Some(49.0), &o).requests, 0);
    }
}
