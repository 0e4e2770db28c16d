//! The bulk read: every item of a paged method, as fast as the portal's limits allow.
//!
//! A first page at the method's largest page size learns `total`. The remaining pages are planned
//! `LIMIT` apart (for methods whose offset counts rows before the access filter, so the windows
//! neither overlap nor leave gaps) and packed into `batch` requests: spread over as many parallel
//! requests as the rate limiter has room for now (keeping a reserve for the application's other
//! calls), up to 50 pages per request when room is tight. Results come back in order and
//! de-duplicated; at most the requests in flight are held in memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use b24_core::Paged;
use futures_util::stream::{self, Stream, StreamExt as _, TryStreamExt as _};

use crate::batch::{BATCH_MAX, Fidelity, command};
use crate::client::Client;
use crate::error::Error;
use crate::paging::{PageOptions, each_once, page_items, page_size};

/// Options of a bulk read: start from [`BulkOptions::default`] and change what you need.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct BulkOptions {
    /// Rate-limiter slots left free for the application's other calls (default: a tenth of the
    /// bucket, rounded down: 5 of 50, none of a 5-request bucket).
    pub reserve: Option<f64>,
    /// Most `batch` requests in flight at once.
    pub max_parallel: usize,
    /// Page size (default: the largest the method allows).
    pub page_size: Option<u32>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            reserve: None,
            max_parallel: 32,
            page_size: None,
        }
    }
}

impl BulkOptions {
    /// Rate-limiter slots left free for the application's other calls.
    #[must_use]
    pub fn reserve(mut self, slots: f64) -> Self {
        self.reserve = Some(slots);
        self
    }

    /// Most `batch` requests in flight at once.
    #[must_use]
    pub fn max_parallel(mut self, requests: usize) -> Self {
        self.max_parallel = requests.max(1);
        self
    }

    /// Page size.
    #[must_use]
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }
}

/// How a bulk read was planned, for progress reports and benchmarks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BulkPlan {
    /// `total` reported by the first page.
    pub total: u64,
    /// Pages after the first.
    pub pages: usize,
    /// `batch` requests for them.
    pub requests: usize,
    /// Requests the limiter lets go at once (the rest follow as the bucket drains).
    pub parallel: usize,
    /// Pages per request, in launch order.
    pub split: Vec<usize>,
}

/// What the planner knows about the portal when it plans: [`PlanInput::new`] and the setters.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PlanInput {
    /// Pages after the first.
    pub pages: usize,
    /// Requests that could go now ([`RateLimiter::headroom`](crate::RateLimiter::headroom)).
    pub headroom: Option<f64>,
    /// Size of the bucket.
    pub capacity: Option<f64>,
    /// Requests per second the bucket drains.
    pub rate: Option<f64>,
    /// Server time per page, learned from the first page's `time.processing`.
    pub page_cost: Duration,
    /// Round trip besides processing, learned from the first page.
    pub latency: Duration,
}

impl PlanInput {
    /// `pages` to plan on an unlimited portal whose pages cost nothing; set what is known.
    #[must_use]
    pub fn new(pages: usize) -> Self {
        Self {
            pages,
            headroom: None,
            capacity: None,
            rate: None,
            page_cost: Duration::ZERO,
            latency: Duration::ZERO,
        }
    }

    /// What the rate limiter says: requests that could go now, the bucket's size and its drain
    /// rate per second.
    #[must_use]
    pub fn bucket(mut self, headroom: f64, capacity: f64, rate: f64) -> Self {
        self.headroom = Some(headroom);
        self.capacity = Some(capacity);
        self.rate = Some(rate);
        self
    }

    /// Server time per page.
    #[must_use]
    pub fn page_cost(mut self, cost: Duration) -> Self {
        self.page_cost = cost;
        self
    }

    /// Round trip besides processing.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
}

/// Slots a bulk read leaves free for the application's other calls.
fn reserve_of(options: &BulkOptions, capacity: Option<f64>) -> f64 {
    options
        .reserve
        .unwrap_or_else(|| capacity.map_or(0.0, |c| (c / 10.0).floor()))
}

impl BulkPlan {
    /// Plans the pages so that every request ends at about the same time: the requests that
    /// can go now, minus the reserve, take the most pages; requests that must wait for the
    /// bucket to drain take fewer; no request carries more than 50 pages. A small bucket thus
    /// gets a few large batches, a roomy one many small batches in parallel.
    #[must_use]
    pub fn new(total: u64, input: PlanInput, options: &BulkOptions) -> Self {
        let pages = input.pages;
        if pages == 0 {
            return Self {
                total,
                ..Self::default()
            };
        }
        let reserve = reserve_of(options, input.capacity);
        // Slots usable now: what is free minus the reserve, or half of what is free when the
        // reserve would take it all.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let now = input.headroom.map_or(options.max_parallel, |h| {
            let after_reserve = (h - reserve).floor();
            if after_reserve >= 1.0 {
                after_reserve as usize
            } else {
                (h / 2.0).floor().max(1.0) as usize
            }
        });
        let now = now.clamp(1, options.max_parallel.max(1));
        // When request `j` can start: the first `now` at once, the others as the bucket drains.
        let start = |j: usize| -> f64 {
            if j < now {
                0.0
            } else {
                #[allow(clippy::cast_precision_loss)]
                input
                    .rate
                    .map_or(0.0, |r| (j - now + 1) as f64 / r.max(1e-9))
            }
        };
        let cost = input.page_cost.as_secs_f64().max(1e-4);
        let latency = input.latency.as_secs_f64();
        // Without a drain rate nothing frees a slot but a finished request: plan `now` requests.
        let most = match input.rate {
            Some(_) => pages.min(options.max_parallel.max(1) * 4),
            None => pages.min(now),
        }
        .max(1);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let pages_by = |end: f64| -> Vec<usize> {
            (0..most)
                .map(|j| {
                    ((end - start(j) - latency) / cost)
                        .floor()
                        .clamp(0.0, BATCH_MAX as f64) as usize
                })
                .collect()
        };
        // The earliest end time by which the pages fit.
        let (mut low, mut high) = (0.0_f64, latency + cost * pages as f64 + start(most));
        for _ in 0..60 {
            let mid = f64::midpoint(low, high);
            if pages_by(mid).iter().sum::<usize>() >= pages {
                high = mid
            } else {
                low = mid
            }
        }
        let mut split: Vec<usize> = pages_by(high).into_iter().filter(|p| *p > 0).collect();
        if split.is_empty() {
            split.push(pages.min(BATCH_MAX));
        }
        // Trim the surplus from the requests that start last.
        let mut surplus = split.iter().sum::<usize>().saturating_sub(pages);
        for p in split.iter_mut().rev() {
            let cut = surplus.min(*p);
            *p -= cut;
            surplus -= cut;
        }
        split.retain(|p| *p > 0);
        // Never fewer pages than asked for (a tiny cost estimate must not drop pages).
        let planned: usize = split.iter().sum();
        if planned < pages {
            for chunk in (planned..pages).collect::<Vec<_>>().chunks(BATCH_MAX) {
                split.push(chunk.len());
            }
        }
        Self {
            total,
            pages,
            requests: split.len(),
            parallel: now.min(split.len()),
            split,
        }
    }
}

impl Client {
    /// Every item of a paged method through the fastest plan the limits allow (see the module
    /// docs). Methods whose offset cannot be planned `LIMIT` apart fall back to following the
    /// pages one by one. The stream is `Unpin`: `items.next().await` works as it is.
    pub fn bulk<M>(
        &self,
        request: M,
        options: BulkOptions,
    ) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>> + Unpin + Send + 'static
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
    ) -> impl Stream<Item = Result<M::Item, Error<M::ErrorCode>>> + Unpin + Send + 'static
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
        let page_options = PageOptions {
            page_size: options.page_size,
            ..PageOptions::default()
        };
        let stream = async move {
            if !plannable {
                on_plan(BulkPlan::default());
                let pages = client.pages(request, page_options);
                return Ok::<_, Error<M::ErrorCode>>(page_items::<M, _>(pages).boxed());
            }
            let size = page_size::<M>(&page_options).unwrap_or(50);
            let mut first = request.clone();
            first.clear_cursors();
            first.set_limit(size);
            first.set_offset(0);
            let sent = Instant::now();
            let page = client.call(&first).await?;
            let round_trip = sent.elapsed();
            // The plan needs `total`, and pages that reach the method unaltered inside `batch`;
            // without them the pages are followed one by one from here.
            let fidelity = command(String::new(), &first)
                .map_err(Error::Config)?
                .fidelity();
            let total = page.total.and_then(|t| u64::try_from(t).ok());
            let unplannable = match (total, &fidelity) {
                (None, _) => Some("the first page has no usable `total`".to_owned()),
                (Some(_), Fidelity::Exact) => None,
                (Some(_), other) => Some(other.to_string()),
            };
            if let Some(reason) = unplannable {
                tracing::warn!(
                    method = M::INFO.name,
                    reason = reason.as_str(),
                    "bulk read: following the pages one by one"
                );
                on_plan(BulkPlan::default());
                let first_items = stream::iter(M::into_items(page.result).into_iter().map(Ok));
                if total.is_some_and(|t| u64::from(size) >= t) {
                    return Ok(first_items.boxed());
                }
                let rest = client.pages_after(first, page_options, u64::from(size));
                return Ok(first_items.chain(page_items::<M, _>(rest)).boxed());
            }
            let total = total.unwrap_or(0);
            let offsets: Vec<u64> = (1..)
                .map(|i| i * u64::from(size))
                .take_while(|o| *o < total)
                .collect();
            // The first page tells how long a page takes on this portal and what the network adds.
            let processing = page
                .time
                .as_ref()
                .and_then(|t| t.processing)
                .filter(|p| p.is_finite() && *p > 0.0)
                .map_or(round_trip, Duration::from_secs_f64);
            let limiter = client.limiter();
            // The slots planned to go now are taken at once: readers of one bucket (tasks, or
            // processes sharing it) planning at the same moment must not count the same ones.
            let capacity = limiter.capacity();
            let claimed = match capacity {
                None => None,
                Some(c) => {
                    #[allow(clippy::cast_precision_loss)]
                    let most = offsets.len().min(options.max_parallel.max(1)) as f64;
                    let reserve = reserve_of(&options, Some(c));
                    limiter
                        .claim(most, reserve)
                        .await?
                        .map(|claimed| (claimed, reserve))
                }
            };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let (headroom, prepaid) = match claimed {
                Some((claimed, reserve)) => (Some(claimed + reserve), claimed as usize),
                None => (limiter.headroom(), 0),
            };
            let input = PlanInput {
                pages: offsets.len(),
                headroom,
                capacity,
                rate: limiter.drain_rate(),
                page_cost: processing.min(round_trip),
                latency: round_trip.saturating_sub(processing),
            };
            let plan = BulkPlan::new(total, input, &options);
            tracing::info!(
                method = M::INFO.name,
                total,
                pages = plan.pages,
                requests = plan.requests,
                parallel = plan.parallel,
                "bulk read planned"
            );
            let mut groups: Vec<Vec<u64>> = Vec::with_capacity(plan.split.len());
            let mut rest = offsets.as_slice();
            for count in &plan.split {
                let (group, tail) = rest.split_at((*count).min(rest.len()));
                groups.push(group.to_vec());
                rest = tail;
            }
            let in_flight = plan.requests.clamp(1, options.max_parallel.max(1));
            on_plan(plan);
            let first_items = stream::iter(M::into_items(page.result).into_iter().map(Ok));
            let template = Arc::new(first);
            let fetch_client = client.clone();
            let rest = stream::iter(groups.into_iter().enumerate())
                .map(move |(i, group)| {
                    fetch_group(
                        fetch_client.clone(),
                        Arc::clone(&template),
                        group,
                        i < prepaid,
                    )
                })
                .buffered(in_flight)
                .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
                .try_flatten();
            Ok(first_items.chain(rest).boxed())
        };
        Box::pin(each_once::<M, _>(
            stream::once(stream)
                .map(|s| match s {
                    Ok(items) => items,
                    Err(e) => stream::once(async move { Err(e) }).boxed(),
                })
                .flatten(),
        ))
    }
}

/// Fetches the pages at `offsets` in one `batch` request, in order. A page whose command failed
/// with a retryable error is fetched again on its own (with the client's retries).
async fn fetch_group<M: Paged>(
    client: Client,
    template: Arc<M>,
    offsets: Vec<u64>,
    prepaid: bool,
) -> Result<Vec<M::Item>, Error<M::ErrorCode>> {
    let requests: Vec<M> = offsets
        .iter()
        .map(|offset| {
            let mut request = (*template).clone();
            request.set_offset(*offset);
            request
        })
        .collect();
    let label = |i: usize| format!("p{i:02}");
    let commands = requests
        .iter()
        .enumerate()
        .map(|(i, request)| command(label(i), request))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Config)?;
    let mut answers = client
        .send_chunk::<M>(&commands, false, prepaid)
        .await
        .map_err(Error::recode)?;
    let mut items = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let label = label(i);
        let output = match answers.results.remove(&label) {
            Some(output) if !answers.errors.contains_key(&label) => output,
            _ => match answers.failure::<M::ErrorCode>(&label, M::INFO.name) {
                e if e.is_retryable() || matches!(e, Error::NotRun { .. }) => {
                    client.call(request).await?.result
                }
                e => return Err(e),
            },
        };
        items.extend(M::into_items(output));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pages: usize, headroom: f64, capacity: f64, rate: f64) -> PlanInput {
        PlanInput {
            pages,
            headroom: Some(headroom),
            capacity: Some(capacity),
            rate: Some(rate),
            page_cost: Duration::from_millis(70),
            latency: Duration::from_millis(50),
        }
    }

    #[test]
    fn plans_follow_the_room_in_the_bucket() {
        let o = BulkOptions::default();
        // 20,000 members at 200 per page: 99 pages after the first.
        let roomy = BulkPlan::new(20_000, input(99, 48.0, 49.0, 2.0), &o);
        assert_eq!(roomy.split.iter().sum::<usize>(), 99);
        assert!(
            roomy.parallel >= 25 && roomy.split.iter().all(|p| *p <= 4),
            "many small batches at once: {roomy:?}"
        );
        let tight = BulkPlan::new(20_000, input(99, 3.0, 4.0, 1.0), &o);
        assert_eq!(tight.split.iter().sum::<usize>(), 99);
        assert_eq!(tight.parallel, 3, "every free slot of a small bucket");
        assert!(
            tight.split[0] > tight.split[tight.split.len() - 1],
            "later requests carry less: {tight:?}"
        );
        assert!(tight.split.iter().all(|p| *p <= BATCH_MAX));
        let slow = BulkPlan {
            ..BulkPlan::new(
                20_000,
                PlanInput {
                    page_cost: Duration::from_secs(1),
                    ..input(120, 1.0, 4.0, 0.01)
                },
                &o,
            )
        };
        assert!(
            slow.split.iter().all(|p| *p <= BATCH_MAX) && slow.split.iter().sum::<usize>() == 120,
            "packed 50 per batch when tight: {slow:?}"
        );
        let reserve = BulkPlan::new(
            20_000,
            input(99, 20.0, 49.0, 2.0),
            &BulkOptions {
                reserve: Some(10.0),
                ..o
            },
        );
        assert_eq!(reserve.parallel, 10);
        let unlimited = BulkPlan::new(
            1_000,
            PlanInput {
                headroom: None,
                capacity: None,
                rate: None,
                ..input(4, 0.0, 0.0, 0.0)
            },
            &o,
        );
        assert_eq!(
            (
                unlimited.parallel,
                unlimited.requests,
                unlimited.split.clone()
            ),
            (4, 4, vec![1, 1, 1, 1])
        );
        let capped = BulkPlan::new(
            1_000,
            PlanInput {
                headroom: None,
                capacity: None,
                rate: None,
                ..input(6, 0.0, 0.0, 0.0)
            },
            &BulkOptions {
                max_parallel: 2,
                ..o
            },
        );
        assert_eq!(
            capped.split,
            vec![3, 3],
            "no more requests than may run at once"
        );
        assert_eq!(
            BulkPlan::new(150, input(0, 49.0, 49.0, 2.0), &o).requests,
            0
        );
        let tiny_cost = BulkPlan::new(
            20_000,
            PlanInput {
                page_cost: Duration::ZERO,
                ..input(99, 3.0, 4.0, 1.0)
            },
            &o,
        );
        assert_eq!(
            tiny_cost.split.iter().sum::<usize>(),
            99,
            "never drops pages"
        );
    }
}
