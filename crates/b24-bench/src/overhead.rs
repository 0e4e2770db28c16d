//! (c) Per-call overhead against the emulator with limits off: `client.call` (limiter,
//! governor, retry loop, tracing spans, typed errors) against a hand-written reqwest +
//! serde_json call of the same method, decoding the same page.

use std::time::{Duration, Instant};

use b24_client::Client;
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

use crate::decode::{PlainPage, verdict};
use crate::{fmt_duration, median};

async fn ours(
    client: &Client,
    request: &DialogUsersListRequest,
    n: u32,
) -> Result<Duration, String> {
    let started = Instant::now();
    for _ in 0..n {
        let page = client.call(request).await.map_err(|e| e.to_string())?;
        std::hint::black_box(page);
    }
    Ok(started.elapsed() / n)
}

async fn hand_written(
    http: &reqwest::Client,
    url: &str,
    body: &[u8],
    n: u32,
) -> Result<Duration, String> {
    let started = Instant::now();
    for _ in 0..n {
        let response = http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let page: PlainPage = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        std::hint::black_box(page);
    }
    Ok(started.elapsed() / n)
}

/// Runs (c).
///
/// # Errors
/// When the emulator does not start or a call fails.
pub async fn run(quick: bool) -> Result<(), String> {
    let emulator = crate::free_emulator(b24_emulator::Bucket::OFF, 50).await?;
    let client = Client::builder()
        .webhook(&emulator.webhook_url())
        .map_err(|e| e.to_string())?
        .unlimited()
        .build()
        .map_err(|e| e.to_string())?;
    let request = DialogUsersListRequest::new(DialogId::Chat(1)).limit(5);
    let url = format!("{}im.dialog.users.list.json", emulator.webhook_url());
    let body = serde_json::to_vec(&request).map_err(|e| e.to_string())?;
    let http = reqwest::Client::builder()
        .gzip(true)
        .build()
        .map_err(|e| e.without_url().to_string())?;
    let (rounds, n) = if quick { (6, 100) } else { (21, 300) };
    // Warm both connection pools.
    ours(&client, &request, 20).await?;
    hand_written(&http, &url, &body, 20).await?;
    let mut a = Vec::new();
    let mut b = Vec::new();
    for round in 0..rounds {
        // Alternate which goes first, so drift of the machine hits both alike.
        if round % 2 == 0 {
            a.push(ours(&client, &request, n).await?);
            b.push(hand_written(&http, &url, &body, n).await?);
        } else {
            b.push(hand_written(&http, &url, &body, n).await?);
            a.push(ours(&client, &request, n).await?);
        }
    }
    let (a, b) = (median(a), median(b));
    let ratio = a.as_secs_f64() / b.as_secs_f64();
    println!("## (c) per-call overhead (emulator on loopback, limits off, 5-member page)\n");
    println!("{rounds} alternating rounds of {n} sequential calls each; medians per call.\n");
    println!("| caller | time per call |");
    println!("|---|---|");
    println!("| `client.call` (b24-client) | {} |", fmt_duration(a));
    println!(
        "| hand-written reqwest + serde_json | {} |",
        fmt_duration(b)
    );
    println!();
    println!(
        "- client / hand-written = **{ratio:.3}** (target ≤ 1.05): {}",
        verdict(ratio <= 1.05)
    );
    emulator.shutdown().await;
    Ok(())
}
