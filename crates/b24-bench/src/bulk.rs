//! (a) Every member of a 20,000-member `chat1` from the emulator (50 ms latency, default cost
//! model), with the 50/2 bucket and with a tight 5/1 bucket: b24's bulk path, sequential paging
//! through b24's own client, and fast_bitrix24's `get_all` (Python, from PyPI, installed by
//! `bench/fast_bitrix24/setup.sh` into `target/bench-venv`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use b24_client::{Bucket, BulkOptions, Client, LeakyBucket, PageOptions};
use b24_core::DialogId;
use b24_emulator::Emulator;
use b24_im::DialogUsersListRequest;
use futures_util::TryStreamExt as _;
use sha2::Digest as _;

use crate::decode::verdict;

const MEMBERS: usize = 20_000;

/// One measured run.
#[derive(Debug, Clone, Default)]
struct Run {
    items: usize,
    unique: usize,
    ids_sha256: String,
    requests: u64,
    refused: u64,
    server_ms: f64,
    wall: f64,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ids_hash(ids: &[u64]) -> (usize, String) {
    let mut unique: Vec<u64> = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let joined = unique
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let digest = sha2::Sha256::digest(joined.as_bytes());
    (
        unique.len(),
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    )
}

fn server_side(emulator: &Emulator, mut run: Run) -> Run {
    let stats = emulator.stats();
    run.requests = stats.requests;
    run.refused = stats.by_status.get("503").copied().unwrap_or(0);
    run.server_ms = stats.operating_ms.values().sum();
    run
}

/// A finished b24 run: its ids, the wall time since `started`, and what the server counted.
fn measured(emulator: &Emulator, started: Instant, ids: Vec<u64>) -> Run {
    let wall = started.elapsed().as_secs_f64();
    let (unique, ids_sha256) = ids_hash(&ids);
    let run = Run {
        items: ids.len(),
        unique,
        ids_sha256,
        wall,
        ..Run::default()
    };
    server_side(emulator, run)
}

fn client(emulator: &Emulator, bucket: Bucket) -> Result<Client, String> {
    // A fresh limiter per run: the emulator's bucket is reset between runs too.
    Client::builder()
        .webhook(&emulator.webhook_url())
        .map_err(|e| e.to_string())?
        .limiter(Arc::new(LeakyBucket::new(bucket)))
        .build()
        .map_err(|e| e.to_string())
}

async fn ours_bulk(emulator: &Emulator, bucket: Bucket) -> Result<Run, String> {
    emulator.reset();
    let client = client(emulator, bucket)?;
    let started = Instant::now();
    let users: Vec<_> = client
        .bulk(
            DialogUsersListRequest::new(DialogId::Chat(1)),
            BulkOptions::default(),
        )
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(measured(
        emulator,
        started,
        users.iter().map(|u| u.id).collect(),
    ))
}

async fn ours_sequential(emulator: &Emulator, bucket: Bucket) -> Result<Run, String> {
    emulator.reset();
    let client = client(emulator, bucket)?;
    let started = Instant::now();
    let users = client
        .collect_all(
            DialogUsersListRequest::new(DialogId::Chat(1)),
            PageOptions::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(measured(
        emulator,
        started,
        users.iter().map(|u| u.id).collect(),
    ))
}

/// Installs fast_bitrix24 into `target/bench-venv` (once; later runs find it there).
async fn install_fast_bitrix24() -> Result<(), String> {
    let setup = tokio::process::Command::new("bash")
        .arg(repo_root().join("bench/fast_bitrix24/setup.sh"))
        .status()
        .await
        .map_err(|e| format!("cannot run setup.sh: {e}"))?;
    if setup.success() {
        Ok(())
    } else {
        Err("bench/fast_bitrix24/setup.sh failed (see above)".into())
    }
}

async fn fast_bitrix24(emulator: &Emulator) -> Result<Run, String> {
    let root = repo_root();
    emulator.reset();
    let output = tokio::process::Command::new(root.join("target/bench-venv/bin/python"))
        .arg(root.join("bench/fast_bitrix24/get_all.py"))
        .arg(emulator.webhook_url())
        .arg("chat1")
        .output()
        .await
        .map_err(|e| format!("cannot run get_all.py: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "get_all.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("get_all.py printed no JSON: {e}"))?;
    let number = |k: &str| {
        line.get(k)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    let run = Run {
        items: number("items") as usize,
        unique: number("unique_ids") as usize,
        ids_sha256: line
            .get("ids_sha256")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned(),
        wall: number("wall_seconds"),
        ..Run::default()
    };
    Ok(server_side(emulator, run))
}

fn median_run(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let middle = runs.len() / 2;
    runs.into_iter().nth(middle).unwrap_or_default()
}

fn row(name: &str, r: &Run) -> String {
    format!(
        "| {name} | {} | {} | {} | {} | {:.0} ms | {:.2} s |",
        r.items, r.unique, r.requests, r.refused, r.server_ms, r.wall
    )
}

/// Runs (a).
///
/// # Errors
/// When the emulator or fast_bitrix24 cannot run.
pub async fn run(quick: bool) -> Result<(), String> {
    install_fast_bitrix24().await?;
    let rounds = if quick { 1 } else { 3 };
    println!(
        "## (a) bulk read of a {MEMBERS}-member chat (latency 50 ms, cost 20+0.25 ms per command)\n"
    );
    println!(
        "{rounds} alternating rounds of b24 bulk and fast_bitrix24 per bucket, the median round of each shown; sequential paging once.\n"
    );
    for (label, bucket) in [("50/2", Bucket::STANDARD), ("5/1", Bucket::new(5.0, 1.0))] {
        let emulator = Emulator::start(b24_emulator::Config {
            dialog_size: Some(MEMBERS),
            latency: "50".parse().map_err(|e| format!("{e}"))?,
            bucket: label.parse().map_err(|e| format!("{e}"))?,
            ..b24_emulator::Config::default()
        })
        .await
        .map_err(|e| e.to_string())?;
        // Alternating rounds; the round with the median wall time stands for each client.
        let (mut bulks, mut fbs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            bulks.push(ours_bulk(&emulator, bucket).await?);
            fbs.push(fast_bitrix24(&emulator).await?);
        }
        let every_round_same = bulks.iter().chain(&fbs).all(|r| {
            r.unique == MEMBERS
                && r.ids_sha256
                    == bulks
                        .first()
                        .map(|b| b.ids_sha256.clone())
                        .unwrap_or_default()
        });
        let bulk_refused: u64 = bulks.iter().map(|r| r.refused).sum();
        let (bulk, fb) = (median_run(bulks), median_run(fbs));
        let sequential = if quick && label == "5/1" {
            None
        } else {
            Some(ours_sequential(&emulator, bucket).await?)
        };
        println!("### bucket {label}\n");
        println!(
            "| client | items | unique ids | HTTP requests | 503s at the server | server operating time | wall time |"
        );
        println!("|---|---|---|---|---|---|---|");
        println!("{}", row("b24 bulk (`client.bulk`)", &bulk));
        match &sequential {
            Some(s) => println!(
                "{}",
                row("b24 sequential paging (`client.items`, LIMIT 200)", s)
            ),
            None => println!("| b24 sequential paging | skipped with --quick | | | | | |"),
        }
        println!("{}", row("fast_bitrix24 `get_all`", &fb));
        let same = every_round_same
            && sequential
                .as_ref()
                .is_none_or(|s| s.unique == MEMBERS && s.ids_sha256 == bulk.ids_sha256);
        let wall = bulk.wall / fb.wall;
        let server = bulk.server_ms / fb.server_ms;
        println!();
        println!(
            "- the same {MEMBERS} ids from every client in every round: {}",
            verdict(same)
        );
        println!(
            "- 503s for b24 bulk, all rounds: **{bulk_refused}** (target 0): {}",
            verdict(bulk_refused == 0)
        );
        println!(
            "- wall time b24 / fast_bitrix24 = **{wall:.2}** (target ≤ 0.50): {}",
            verdict(wall <= 0.5)
        );
        println!(
            "- server operating time b24 / fast_bitrix24 = **{server:.2}** (target ≤ 1.00): {}",
            verdict(server <= 1.0)
        );
        if let Some(s) = &sequential {
            println!(
                "- b24 bulk / b24 sequential wall time = {:.2}",
                bulk.wall / s.wall
            );
        }
        println!();
        emulator.shutdown().await;
    }
    Ok(())
}
