//! (d) 1,000 calls through the client's limiter against the emulator's bucket: the achieved
//! rate against the drain rate, and the 503s the server had to send.

use std::time::Instant;

use b24_client::{Bucket, Client, RetryPolicy};
use b24_core::DialogId;
use b24_im::DialogUsersListRequest;

use crate::decode::verdict;

/// Runs (d).
///
/// # Errors
/// When the emulator does not start.
pub async fn run(quick: bool) -> Result<(), String> {
    // A fast drain keeps the run short: 10 burst, 200 per second, on both sides.
    let bucket = Bucket::new(10.0, 200.0);
    let calls: usize = if quick { 400 } else { 1_000 };
    let emulator = crate::free_emulator("10/200".parse().map_err(|e| format!("{e}"))?, 20).await?;
    let client = Client::builder()
        .webhook(&emulator.webhook_url())
        .map_err(|e| e.to_string())?
        .bucket(bucket)
        .retry(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let request = DialogUsersListRequest::new(DialogId::Chat(1)).limit(1);
    let started = Instant::now();
    let tasks = 32;
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let c = client.clone();
            let r = request.clone();
            let share = calls / tasks + usize::from(t < calls % tasks);
            tokio::spawn(async move {
                let mut failures = 0usize;
                for _ in 0..share {
                    if c.call(&r).await.is_err() {
                        failures += 1;
                    }
                }
                failures
            })
        })
        .collect();
    let mut failures = 0;
    for h in handles {
        failures += h.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = emulator.stats();
    let refused = stats.by_status.get("503").copied().unwrap_or(0);
    // The burst goes at once; the rest at the drain rate.
    let paced = calls as f64 - (bucket.burst - 1.0);
    let achieved = paced / elapsed;
    let share = achieved / bucket.per_second;
    println!(
        "## (d) {calls} calls through the client's limiter (bucket 10 burst / 200 per second on both sides)\n"
    );
    println!(
        "| calls | wall | achieved rate after the burst | drain rate | share | 503s at the server | failed calls |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {calls} | {elapsed:.2} s | {achieved:.1}/s | {:.0}/s | {:.1} % | {refused} | {failures} |",
        bucket.per_second,
        share * 100.0
    );
    println!();
    println!(
        "- achieved / drain rate = **{:.1} %** (target ≥ 95 %): {}",
        share * 100.0,
        verdict(share >= 0.95)
    );
    println!(
        "- 503s at the server = **{refused}** (target 0): {}",
        verdict(refused == 0)
    );
    emulator.shutdown().await;
    Ok(())
}
