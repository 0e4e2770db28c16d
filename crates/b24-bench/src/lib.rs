//! The b24 benchmarks. Every comparison runs its variants side by side in one run (interleaved
//! where they share the machine) and prints the ratios; wall-clock figures are reported, never
//! asserted.
//!
//! ```text
//! cargo run --release -p b24-bench -- [a] [b] [c] [d] [e] [f] [--quick]
//! ```
//!
//! - (a) bulk read of a 20,000-member chat: b24's bulk path vs sequential paging vs
//!   fast_bitrix24's `get_all`, with the 50/2 and the 5/1 bucket;
//! - (b) decoding a 200-member page: generated types vs `serde_json::Value` vs a plain struct;
//! - (c) per-call overhead: `client.call` vs a hand-written reqwest + serde_json call;
//! - (d) 1,000 calls through the client's limiter against the emulator's bucket;
//! - (e) 4 worker processes reading one portal: per-process limiters vs the one shared in Redis;
//! - (f) peak memory of a 100 MB file upload, in a process of its own per way of sending it.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

mod bulk;
mod decode;
mod overhead;
mod rate;
mod upload;
mod workers;

use std::time::Duration;

/// Median of a list of durations.
/// An emulator whose methods cost nothing (so only the client and loopback are measured).
///
/// # Errors
/// When the emulator does not start.
pub async fn free_emulator(
    bucket: b24_emulator::Bucket,
    dialog_size: usize,
) -> Result<b24_emulator::Emulator, String> {
    b24_emulator::Emulator::start(b24_emulator::Config {
        bucket,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        dialog_size: Some(dialog_size),
        ..b24_emulator::Config::default()
    })
    .await
    .map_err(|e| e.to_string())
}

pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// `1.23 µs` style.
pub fn fmt_duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1_000_000_000.0)
    }
}

/// Runs the benchmarks named on the command line (`b24-bench` and `cargo bench` both call it).
#[must_use]
pub fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [flag, spec] = args.as_slice()
        && flag == "--worker"
    {
        return workers::worker_main(spec);
    }
    if let Some((flag, rest)) = args.split_first()
        && flag == "--upload-worker"
    {
        return upload::worker_main(rest);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let mut chosen: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| ["a", "b", "c", "d", "e", "f"].contains(a))
        .collect();
    if let Some(bad) = args
        .iter()
        .find(|a| !["a", "b", "c", "d", "e", "f", "--quick"].contains(&a.as_str()))
    {
        eprintln!(
            "error: unknown argument `{bad}`\nusage: b24-bench [a] [b] [c] [d] [e] [f] [--quick]"
        );
        return std::process::ExitCode::from(2);
    }
    if chosen.is_empty() {
        chosen = vec!["a", "b", "c", "d", "e", "f"];
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("# b24 benchmarks\n");
    println!(
        "machine: {} cores; build: {}\n",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        if cfg!(debug_assertions) {
            "debug (use --release)"
        } else {
            "release"
        }
    );
    let mut ok = true;
    for which in chosen {
        let outcome = match which {
            "a" => runtime.block_on(bulk::run(quick)),
            "b" => decode::run(quick),
            "c" => runtime.block_on(overhead::run(quick)),
            "e" => runtime.block_on(workers::run(quick)),
            "f" => runtime.block_on(upload::run(quick)),
            _ => runtime.block_on(rate::run(quick)),
        };
        if let Err(message) = outcome {
            eprintln!("error in ({which}): {message}");
            ok = false;
        }
        println!();
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
