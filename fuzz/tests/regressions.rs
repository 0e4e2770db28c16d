//! Replays every saved crash input and every seed of every fuzz target in-process: a crash the
//! fuzzer once found stays fixed.

use b24_fuzz::{regression_inputs, targets};

#[test]
fn saved_crash_inputs_and_seeds_run_clean() {
    let mut ran = 0;
    for target in targets() {
        let saved = regression_inputs(target.name).unwrap_or_default();
        for (path, input) in &saved {
            eprintln!("{}: {}", target.name, path.display());
            (target.run)(input);
        }
        let seeds = (target.seeds)();
        assert!(!seeds.is_empty(), "`{}` has seeds", target.name);
        for seed in &seeds {
            (target.run)(seed);
        }
        ran += saved.len() + seeds.len();
    }
    assert!(ran > 0);
}
