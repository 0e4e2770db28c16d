//! `b24 call <METHOD> --all`: every item of a paged method as JSON lines, through the bulk reader.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use b24_client::{BulkOptions, BulkPlan, Client};
use b24_core::Paged;
use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

use crate::USAGE_ERROR;
use crate::portal::{CallArgs, report, request, usage_error};

/// Streams every item of the method named in `args`.
pub async fn run(args: &CallArgs, client: &Client, params: Value) -> ExitCode {
    macro_rules! dispatch {
        ($(($name:literal, $request:ty)),* $(,)?) => {
            match args.method.as_str() {
                $($name => stream::<$request>(args, client, params).await,)*
                other => {
                    let known = crate::find_method(other).is_some();
                    let why = if known { "does not page" } else { "is not in the spec" };
                    eprintln!("error: `{other}` {why}; --all works for: {}", [$($name),*].join(", "));
                    ExitCode::from(USAGE_ERROR)
                }
            }
        };
    }
    b24_im::with_paged_methods!(dispatch)
}

/// Progress on stderr: items, requests and rate-limit waits; hidden when stderr is not a terminal.
fn progress(client: &Client) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} items · {msg} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let ticker = bar.clone();
    let client = client.clone();
    tokio::spawn(async move {
        while !ticker.is_finished() {
            let wait = client.limiter().pending_wait().unwrap_or_default();
            let waiting = if wait.is_zero() {
                String::new()
            } else {
                format!(" · waiting {:.1}s for the rate limit", wait.as_secs_f64())
            };
            ticker.set_message(format!("{} requests{waiting}", client.requests_sent()));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    bar
}

async fn stream<M>(args: &CallArgs, client: &Client, params: Value) -> ExitCode
where
    M: Paged + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    M::Output: Send,
    M::Item: serde::Serialize + Send + 'static,
{
    let request: M = match params {
        Value::Object(params) => match request::<M>(params) {
            Ok(request) => request,
            Err(message) => return usage_error(&message),
        },
        _ => return usage_error("the parameters must be a JSON object"),
    };
    let started = std::time::Instant::now();
    let bar = progress(client);
    let planned = bar.clone();
    let items = client.bulk_planned(request, BulkOptions::default(), move |plan: BulkPlan| {
        if plan.pages > 0 {
            planned.set_length(plan.total);
            planned.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} · {msg} · {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
    });
    let mut items = items;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    while let Some(item) = items.next().await {
        match item {
            Ok(item) => {
                let line = serde_json::to_string(&item).unwrap_or_default();
                if writeln!(out, "{line}").is_err() {
                    // The reader went away (`| head`): stop quietly.
                    bar.finish_and_clear();
                    return ExitCode::SUCCESS;
                }
                bar.inc(1);
            }
            Err(e) => {
                let _ = out.flush();
                bar.abandon();
                return report(&args.method, &e);
            }
        }
    }
    let _ = out.flush();
    // The bar gives way to one summary line (only on a terminal, as the bar).
    if !bar.is_hidden() {
        bar.finish_and_clear();
        eprintln!(
            "{}: {} items in {} requests, {:.1} s",
            M::INFO.name,
            bar.position(),
            client.requests_sent(),
            started.elapsed().as_secs_f64()
        );
    }
    ExitCode::SUCCESS
}
