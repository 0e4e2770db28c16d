//! (e) Several workers, one portal: 4 processes each read every member of a 20,000-member chat
//! from one emulator (50/2 bucket, 50 ms latency, default cost model), first each with its own
//! limiter, then all through the limiter shared in Redis; the baseline is one process reading
//! the same 4× data alone (four bulk reads side by side on one client). Plus the shared
//! limiter's own cost: acquire latency on loopback with 4 processes asking at once.
//!
//! The workers are this binary again (`b24-bench --worker JSON`); the emulator and a throwaway
//! `redis-server` run in the parent.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use b24_client::{Bucket, BulkOptions, Client, LeakyBucket, RateLimiter as _};
use b24_core::DialogId;
use b24_emulator::Emulator;
use b24_im::DialogUsersListRequest;
use b24_redis::Redis;
use b24_redis::testing::RedisServer;
use futures_util::TryStreamExt as _;
use serde_json::{Value, json};

use crate::decode::verdict;

const MEMBERS: usize = 20_000;
const WORKERS: usize = 4;

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0))
}

/// What a worker process does: read the chat (`readers` bulk reads at once on one client), or
/// time `acquire` on a roomy shared bucket.
async fn work(spec: &Value) -> Result<Value, String> {
    let text = |k: &str| spec[k].as_str().unwrap_or_default().to_owned();
    let redis = match text("limiter").as_str() {
        "shared" => Some(
            Redis::connect(&text("redis"))
                .await
                .map_err(|e| e.to_string())?,
        ),
        _ => None,
    };
    let start_at = spec["start_at_ms"].as_u64().unwrap_or(0);
    let wait_for_start =
        || tokio::time::sleep(Duration::from_millis(start_at.saturating_sub(unix_ms())));
    if text("role") == "acquire" {
        let limiter = Arc::new(
            redis
                .ok_or("the acquire timing needs redis")?
                .limiter("https://latency.example", Bucket::new(1e9, 1e9)),
        );
        wait_for_start().await;
        let tasks = spec["tasks"].as_u64().unwrap_or(1);
        let each = spec["each"].as_u64().unwrap_or(250);
        let tasks: Vec<_> = (0..tasks)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move {
                    let mut samples = Vec::new();
                    for _ in 0..each {
                        let sent = Instant::now();
                        limiter.acquire().await.map_err(|e| e.to_string())?;
                        samples.push(sent.elapsed().as_micros() as u64);
                    }
                    Ok::<_, String>(samples)
                })
            })
            .collect();
        let mut samples = Vec::new();
        for t in tasks {
            samples.extend(t.await.map_err(|e| e.to_string())??);
        }
        return Ok(json!({ "acquire_us": samples }));
    }
    let plan = Bucket::STANDARD;
    let builder = Client::builder()
        .webhook(&text("webhook"))
        .map_err(|e| e.to_string())?;
    let builder = match &redis {
        Some(redis) => builder.limiter(Arc::new(redis.limiter(&text("portal"), plan))),
        None => builder.limiter(Arc::new(LeakyBucket::new(plan))),
    };
    let client = builder.build().map_err(|e| e.to_string())?;
    wait_for_start().await;
    let readers = spec["readers"].as_u64().unwrap_or(1);
    let reads: Vec<_> = (0..readers)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .bulk(
                        DialogUsersListRequest::new(DialogId::Chat(1)),
                        BulkOptions::default(),
                    )
                    .try_collect::<Vec<_>>()
                    .await
                    .map(|users| users.iter().map(|u| u.id).collect::<HashSet<u64>>().len())
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    // A read that gives up (its retries spent on 503s) is reported, not fatal: that is what
    // the per-process limiters are measured for.
    let (mut complete, mut failed) = (true, Vec::new());
    for read in reads {
        match read.await.map_err(|e| e.to_string())? {
            Ok(unique) => complete &= unique == MEMBERS,
            Err(message) => {
                complete = false;
                failed.push(message);
            }
        }
    }
    Ok(json!({
        "complete": complete, "failed": failed, "end_ms": unix_ms(),
        "requests": client.requests_sent(),
    }))
}

/// The body of a worker process: prints its report as one JSON line.
pub fn worker_main(spec: &str) -> std::process::ExitCode {
    let outcome = serde_json::from_str::<Value>(spec)
        .map_err(|e| e.to_string())
        .and_then(|spec| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(work(&spec))
        });
    match outcome {
        Ok(report) => {
            println!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("worker: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Starts `n` workers on `spec`, together, and collects their reports.
async fn workers(n: usize, spec: &Value) -> Result<(u64, Vec<Value>), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut spec = spec.clone();
    let start_at = unix_ms() + 1500;
    set(&mut spec, "start_at_ms", json!(start_at));
    let children: Vec<_> = (0..n)
        .map(|_| {
            tokio::process::Command::new(&exe)
                .arg("--worker")
                .arg(spec.to_string())
                .stdout(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let mut reports = Vec::new();
    for child in children {
        let out = child.wait_with_output().await.map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("a worker failed ({})", out.status));
        }
        reports.push(serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?);
    }
    Ok((start_at, reports))
}

/// `spec[key] = value` for a JSON object.
fn set(spec: &mut Value, key: &str, value: Value) {
    if let Some(map) = spec.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

/// One measured configuration.
#[derive(Debug, Clone, Default)]
struct Run {
    complete: bool,
    failed_reads: usize,
    requests: u64,
    refused: u64,
    server_ms: f64,
    wall: f64,
}

async fn measure(emulator: &Emulator, processes: usize, spec: &Value) -> Result<Run, String> {
    emulator.reset();
    let (start_at, reports) = workers(processes, spec).await?;
    let end = reports
        .iter()
        .filter_map(|r| r["end_ms"].as_u64())
        .max()
        .unwrap_or(start_at);
    let stats = emulator.stats();
    Ok(Run {
        complete: reports.iter().all(|r| r["complete"] == json!(true)),
        failed_reads: reports
            .iter()
            .map(|r| r["failed"].as_array().map_or(0, Vec::len))
            .sum(),
        requests: stats.requests,
        refused: stats.by_status.get("503").copied().unwrap_or(0),
        server_ms: stats.operating_ms.values().sum(),
        wall: end.saturating_sub(start_at) as f64 / 1000.0,
    })
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let middle = runs.len() / 2;
    runs.into_iter().nth(middle).unwrap_or_default()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

/// Runs (e).
///
/// # Errors
/// When the emulator, Redis or a worker fails.
pub async fn run(quick: bool) -> Result<(), String> {
    let Some(server) = RedisServer::start()? else {
        println!("## (e) skipped: redis-server is not installed\n");
        return Ok(());
    };
    let emulator = Emulator::start(b24_emulator::Config {
        dialog_size: Some(MEMBERS),
        latency: "50".parse().map_err(|e| format!("{e}"))?,
        bucket: "50/2".parse().map_err(|e| format!("{e}"))?,
        ..b24_emulator::Config::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = json!({
        "role": "read", "webhook": emulator.webhook_url(), "portal": emulator.base_url(),
        "redis": server.url(), "readers": 1,
    });
    let with = |limiter: &str, readers: u64| {
        let mut spec = base.clone();
        set(&mut spec, "limiter", json!(limiter));
        set(&mut spec, "readers", json!(readers));
        spec
    };
    let rounds = if quick { 1 } else { 3 };
    let (mut private, mut shared, mut alone) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        alone.push(measure(&emulator, 1, &with("local", 4)).await?);
        shared.push(measure(&emulator, WORKERS, &with("shared", 1)).await?);
        private.push(measure(&emulator, WORKERS, &with("local", 1)).await?);
        // The portal's bucket is reset with the counters; the Redis bucket drains by itself.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let shared_refused: u64 = shared.iter().map(|r| r.refused).sum();
    let (private, shared, alone) = (median(private), median(shared), median(alone));

    // The limiter's own cost: one acquire at a time per worker (as workers calling a portal
    // are: the whole portal allows 2 requests a second), and 8 at a time per worker, flat out.
    let mut latency = Vec::new();
    for (tasks, each) in [(1_u64, 1000_u64), (8, 250)] {
        let mut spec = base.clone();
        set(&mut spec, "role", json!("acquire"));
        set(&mut spec, "limiter", json!("shared"));
        set(&mut spec, "tasks", json!(tasks));
        set(&mut spec, "each", json!(each));
        let (_, reports) = workers(WORKERS, &spec).await?;
        let mut samples: Vec<u64> = reports
            .iter()
            .flat_map(|r| r["acquire_us"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_u64())
            .collect();
        samples.sort_unstable();
        latency.push((
            tasks,
            each,
            percentile(&samples, 0.5),
            percentile(&samples, 0.99),
            percentile(&samples, 1.0),
        ));
    }

    println!(
        "## (e) {WORKERS} processes each reading a {MEMBERS}-member chat, bucket 50/2 (latency 50 ms, cost 20+0.25 ms per command)\n"
    );
    println!(
        "{rounds} alternating rounds, the median round of each shown. Wall time: from the common start to the last worker's last item.\n"
    );
    println!(
        "| setup | processes | all members read | HTTP requests | 503s at the server | server operating time | wall time |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, processes, r) in [
        ("one process, 4 reads side by side (baseline)", 1, &alone),
        (
            "per-process limiters (`LeakyBucket` each)",
            WORKERS,
            &private,
        ),
        ("shared limiter (`b24-redis`)", WORKERS, &shared),
    ] {
        println!(
            "| {name} | {processes} | {} | {} | {} | {:.0} ms | {:.2} s |",
            if r.complete {
                "yes".to_owned()
            } else {
                format!("NO ({} reads gave up)", r.failed_reads)
            },
            r.requests,
            r.refused,
            r.server_ms,
            r.wall
        );
    }
    let ratio = shared.wall / alone.wall;
    println!();
    println!(
        "- 503s with the shared limiter, all rounds: **{shared_refused}** (target 0): {}",
        verdict(shared_refused == 0)
    );
    println!(
        "- wall time shared / one process alone = **{ratio:.2}** (target ≤ 1.20): {}",
        verdict(ratio <= 1.2)
    );
    println!(
        "- per-process limiters: {} 503s, wall {:.2}× the baseline",
        private.refused,
        private.wall / alone.wall
    );
    println!();
    println!(
        "`acquire` of the shared limiter on loopback (a roomy bucket, so no waiting: the Redis round trip and the script):\n"
    );
    println!("| callers | calls | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (tasks, each, p50, p99, max) in &latency {
        println!(
            "| {WORKERS} processes × {tasks} at a time | {} | {p50:.3} ms | {p99:.3} ms | {max:.3} ms |",
            WORKERS as u64 * tasks * each
        );
    }
    let p99 = latency.first().map_or(f64::INFINITY, |l| l.3);
    println!();
    println!(
        "- limiter overhead per call, p99, one call at a time per worker: **{p99:.3} ms** (target ≤ 1 ms): {}",
        verdict(p99 <= 1.0)
    );
    emulator.shutdown().await;
    Ok(())
}
