//! `b24-fuzz`: runs the fuzz targets (usually through `cargo xtask fuzz`).

use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use b24_fuzz::{engine, find, targets};

const USAGE: &str = "usage: b24-fuzz list
       b24-fuzz run TARGET|all [--minutes N] [--seed S]   (N may be fractional; default 1)
       b24-fuzz replay TARGET FILE...                     (run saved inputs in this process)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => {
            for t in targets() {
                println!("{:<8} {}", t.name, t.about);
            }
            ExitCode::SUCCESS
        }
        ["worker", name, seed, seconds] => worker(name, seed, seconds),
        ["run", name, options @ ..] => run(name, options),
        ["replay", name, files @ ..] => replay(name, files),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn worker(name: &str, seed: &str, seconds: &str) -> ExitCode {
    let (Some(target), Ok(seed), Ok(seconds)) = (find(name), seed.parse(), seconds.parse()) else {
        return ExitCode::from(2);
    };
    match engine::worker(target, seed, Duration::from_secs_f64(seconds)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn run(name: &str, options: &[&str]) -> ExitCode {
    let mut minutes = 1.0_f64;
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_secs());
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        let value = rest.next();
        let parsed = match (*option, value) {
            ("--minutes", Some(v)) => v.parse().map(|m| minutes = m).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|s| seed = s).is_ok(),
            _ => false,
        };
        if !parsed || !minutes.is_finite() || minutes < 0.0 {
            eprintln!("error: bad option `{option}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let chosen: Vec<_> = if name == "all" {
        targets().iter().collect()
    } else if let Some(t) = find(name) {
        vec![t]
    } else {
        let names: Vec<_> = targets().iter().map(|t| t.name).collect();
        eprintln!("error: no target `{name}`; targets: {}", names.join(", "));
        return ExitCode::from(2);
    };
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("error: cannot find this executable to start workers");
        return ExitCode::FAILURE;
    };
    let mut crashed = false;
    for target in chosen {
        let make_worker = |worker_seed: u64, left: Duration| {
            let mut command = Command::new(&exe);
            command.args([
                "worker",
                target.name,
                &worker_seed.to_string(),
                &left.as_secs_f64().to_string(),
            ]);
            command
        };
        println!(
            "fuzzing `{}` for {minutes} min (seed {seed}): {}",
            target.name, target.about
        );
        match engine::run(
            target,
            Duration::from_secs_f64(minutes * 60.0),
            seed,
            &make_worker,
        ) {
            Ok(report) => {
                println!(
                    "`{}`: {} inputs in {minutes} min, {} crash(es)",
                    target.name,
                    report.execs,
                    report.crashes.len()
                );
                for crash in &report.crashes {
                    crashed = true;
                    println!(
                        "  {}: {}\n    saved as {}",
                        crash.kind,
                        crash.message.lines().next().unwrap_or(""),
                        crash.path.display()
                    );
                }
            }
            Err(e) => {
                eprintln!("error: fuzzing `{}` failed: {e}", target.name);
                return ExitCode::FAILURE;
            }
        }
    }
    if crashed {
        println!(
            "crashes were saved under fuzz/regressions/; `cargo test -p b24-fuzz` replays them"
        );
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn replay(name: &str, files: &[&str]) -> ExitCode {
    let Some(target) = find(name) else {
        eprintln!("error: no target `{name}`");
        return ExitCode::from(2);
    };
    for file in files {
        match std::fs::read(file) {
            Ok(input) => {
                let signature = (target.run)(&input);
                println!("{file}: ok ({signature:016x})");
            }
            Err(e) => {
                eprintln!("error: {file}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
