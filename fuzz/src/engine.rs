//! The fuzzer: a parent process that supervises a worker process running the mutation loop.
//!
//! The worker announces every input on its stdout (`I`, length, bytes) before running it, and
//! reports a caught panic (`P`, length, message) after it. The parent keeps the last input it
//! was sent, so when the worker dies (a stack overflow aborts the process), stops answering for
//! [`HANG`], or grows past [`MEMORY_LIMIT`], the input that did it is known. Each crash is saved
//! once per kind and message under `fuzz/regressions/<target>/`, and a new worker carries on
//! until the time is up.

use std::collections::HashSet;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{Target, fnv, regression_inputs, regressions_dir};

/// An input running this long without an answer is a hang.
pub const HANG: Duration = Duration::from_secs(10);
/// A worker with more resident memory than this has run away.
pub const MEMORY_LIMIT: u64 = 2 * 1024 * 1024 * 1024;
/// Largest input the mutator makes.
pub const MAX_INPUT: usize = 1024 * 1024;
/// Most inputs kept for mutation.
const CORPUS_MAX: usize = 4_096;

/// What a fuzzing run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs run.
    pub execs: u64,
    /// Workers started (one more after each crash).
    pub workers: u64,
    /// Crashes found, each saved as a regression input.
    pub crashes: Vec<Crash>,
}

/// A crash: what happened and where the input was saved.
#[derive(Debug, Clone)]
pub struct Crash {
    /// `panic`, `abort` (the process died), `hang` or `memory`.
    pub kind: &'static str,
    /// The panic message, or what killed the worker.
    pub message: String,
    /// The saved input.
    pub path: PathBuf,
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

enum Frame {
    Input(Vec<u8>),
    Panic(String),
}

fn read_frame(reader: &mut impl Read) -> io::Result<Frame> {
    let mut head = [0u8; 5];
    reader.read_exact(&mut head)?;
    let [tag, a, b, c, d] = head;
    let len = u32::from_le_bytes([a, b, c, d]) as usize;
    let mut bytes = vec![0u8; len];
    reader.read_exact(&mut bytes)?;
    match tag {
        b'I' => Ok(Frame::Input(bytes)),
        _ => Ok(Frame::Panic(String::from_utf8_lossy(&bytes).into_owned())),
    }
}

fn resident_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Runs `target` for `duration` in worker processes started as `worker` (the current
/// executable with the arguments that make it call [`worker`]); saves crashes.
///
/// # Errors
/// When a worker cannot be started or a crash cannot be saved.
pub fn run(
    target: &Target,
    duration: Duration,
    seed: u64,
    worker: &dyn Fn(u64, Duration) -> Command,
) -> io::Result<Report> {
    let deadline = Instant::now() + duration;
    let mut report = Report::default();
    let mut seen: HashSet<(&'static str, String)> = HashSet::new();
    while Instant::now() < deadline {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let worker_seed = seed.wrapping_add(report.workers.wrapping_mul(0x9e37_79b9));
        report.workers += 1;
        let mut child = worker(worker_seed, remaining)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let Some(stdout) = child.stdout.take() else {
            return Err(io::Error::other("the worker has no stdout"));
        };
        let (frames, received) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Ok(frame) = read_frame(&mut stdout) {
                if frames.send(frame).is_err() {
                    break;
                }
            }
        });
        let crash = supervise(&mut child, &received, &mut report.execs);
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
        if let Some((kind, message, input)) = crash
            && seen.insert((kind, message.lines().next().unwrap_or("").to_owned()))
        {
            let path = save(target.name, kind, &input)?;
            report.crashes.push(Crash {
                kind,
                message,
                path,
            });
        }
    }
    Ok(report)
}

type Found = (&'static str, String, Vec<u8>);

/// Follows one worker until it ends; the crash it met, if any.
fn supervise(
    child: &mut Child,
    received: &mpsc::Receiver<Frame>,
    execs: &mut u64,
) -> Option<Found> {
    let mut last: Vec<u8> = Vec::new();
    let mut since = Instant::now();
    loop {
        match received.recv_timeout(Duration::from_millis(100)) {
            Ok(Frame::Input(input)) => {
                *execs += 1;
                last = input;
                since = Instant::now();
            }
            Ok(Frame::Panic(message)) => return Some(("panic", message, last)),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().ok()?;
                if status.success() {
                    return None;
                }
                return Some(("abort", format!("the worker died: {status}"), last));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if since.elapsed() > HANG {
                    return Some(("hang", format!("no answer within {HANG:?}"), last));
                }
                let rss = resident_bytes(child.id());
                if rss > MEMORY_LIMIT {
                    return Some(("memory", format!("{} MiB resident", rss >> 20), last));
                }
            }
        }
    }
}

fn save(target: &str, kind: &str, input: &[u8]) -> io::Result<PathBuf> {
    let dir = regressions_dir(target);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{kind}-{:016x}.bin", fnv(input)));
    std::fs::write(&path, input)?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// Worker
// ---------------------------------------------------------------------------------------------

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn send(out: &mut impl Write, tag: u8, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.write_all(&[tag])?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(bytes.get(..len as usize).unwrap_or(bytes))?;
    out.flush()
}

/// The mutation loop, run in the worker process until `duration` has passed: writes frames to
/// stdout and stops at the first panic (the parent then starts a fresh worker).
///
/// # Errors
/// When stdout is closed.
pub fn worker(target: &Target, seed: u64, duration: Duration) -> io::Result<()> {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
    let deadline = Instant::now() + duration;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut corpus = (target.seeds)();
    corpus.extend(regression_inputs(target.name)?.into_iter().map(|(_, b)| b));
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let pinned = corpus.len();
    let mut signatures: HashSet<u64> = HashSet::new();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut round: u64 = 0;
    while Instant::now() < deadline {
        // Every seed once unchanged, then mutants.
        let input = match usize::try_from(round).ok().and_then(|r| corpus.get(r)) {
            Some(seed) if round < pinned as u64 => seed.clone(),
            _ => mutate(&mut rng, &corpus, target.tokens),
        };
        round += 1;
        send(&mut out, b'I', &input)?;
        match std::panic::catch_unwind(|| (target.run)(&input)) {
            Ok(signature) => {
                if signatures.insert(signature) {
                    if corpus.len() < CORPUS_MAX {
                        corpus.push(input);
                    } else if let Some(slot) = corpus.get_mut(rng.usize(pinned..CORPUS_MAX)) {
                        *slot = input;
                    }
                }
            }
            Err(_) => {
                let message = LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default();
                send(&mut out, b'P', message.as_bytes())?;
                return Ok(());
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Mutation
// ---------------------------------------------------------------------------------------------

const INTERESTING_BYTES: &[u8] = b"\0\xff\x7f\n\r\t \"'[]{}<>&=%?:,\\#$-.0019";
const INTERESTING_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "255",
    "65536",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e309",
    "0.1",
    "-0",
];
const REPEATS: &[usize] = &[2, 3, 8, 64, 129, 1_000, 10_000, 100_000];

/// A new input: a corpus entry changed by one to six mutations.
pub fn mutate(rng: &mut fastrand::Rng, corpus: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut data = corpus
        .get(rng.usize(..corpus.len().max(1)))
        .cloned()
        .unwrap_or_default();
    for _ in 0..rng.usize(1..=6) {
        mutate_once(rng, &mut data, corpus, tokens);
        data.truncate(MAX_INPUT);
    }
    data
}

fn token<'a>(rng: &mut fastrand::Rng, tokens: &[&'a str]) -> &'a [u8] {
    tokens
        .get(rng.usize(..tokens.len().max(1)))
        .map_or(&b"["[..], |t| t.as_bytes())
}

#[allow(clippy::too_many_lines)]
fn mutate_once(rng: &mut fastrand::Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], tokens: &[&str]) {
    let len = data.len();
    let at = rng.usize(..=len);
    match rng.u8(..10) {
        // Flip a bit.
        0 if len > 0 => {
            let i = rng.usize(..len);
            if let Some(b) = data.get_mut(i) {
                *b ^= 1 << rng.u8(..8);
            }
        }
        // Put a byte that means something to a parser.
        1 if len > 0 => {
            let i = rng.usize(..len);
            let byte = INTERESTING_BYTES
                .get(rng.usize(..INTERESTING_BYTES.len()))
                .copied()
                .unwrap_or(0);
            if let Some(b) = data.get_mut(i) {
                *b = byte;
            }
        }
        // Insert a token.
        2 | 3 => {
            let t = token(rng, tokens).to_vec();
            data.splice(at..at, t);
        }
        // Repeat a token or a slice many times (nesting depth, long runs, many fields).
        4 => {
            let piece = if rng.bool() || len == 0 {
                token(rng, tokens).to_vec()
            } else {
                let start = rng.usize(..len);
                let end = (start + rng.usize(1..=16)).min(len);
                data.get(start..end).unwrap_or_default().to_vec()
            };
            let times = REPEATS
                .get(rng.usize(..REPEATS.len()))
                .copied()
                .unwrap_or(2)
                .min(MAX_INPUT / piece.len().max(1));
            let run: Vec<u8> = piece.repeat(times);
            data.splice(at..at, run);
        }
        // Delete a range.
        5 if len > 0 => {
            let start = rng.usize(..len);
            let end = (start + rng.usize(1..=64.min(len))).min(len);
            data.drain(start..end);
        }
        // Duplicate a range.
        6 if len > 0 => {
            let start = rng.usize(..len);
            let end = (start + rng.usize(1..=256.min(len))).min(len);
            let piece = data.get(start..end).unwrap_or_default().to_vec();
            data.splice(at..at, piece);
        }
        // Splice in part of another input.
        7 => {
            if let Some(other) = corpus.get(rng.usize(..corpus.len().max(1)))
                && !other.is_empty()
            {
                let start = rng.usize(..other.len());
                let end = (start + rng.usize(1..=512)).min(other.len());
                let piece = other.get(start..end).unwrap_or_default().to_vec();
                let cut = (at + rng.usize(..=piece.len())).min(len);
                data.splice(at..cut, piece);
            }
        }
        // Replace a number with a boundary value.
        8 => {
            let start = data
                .iter()
                .skip(at)
                .position(u8::is_ascii_digit)
                .map(|p| p + at);
            if let Some(start) = start {
                let end = data
                    .iter()
                    .skip(start)
                    .position(|b| !b.is_ascii_digit())
                    .map_or(len, |p| p + start);
                let number = INTERESTING_NUMBERS
                    .get(rng.usize(..INTERESTING_NUMBERS.len()))
                    .copied()
                    .unwrap_or("0");
                data.splice(start..end, number.bytes());
            }
        }
        // Cut the tail.
        _ if len > 0 => data.truncate(rng.usize(..len)),
        _ => data.extend_from_slice(token(rng, tokens)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_is_deterministic_and_bounded() {
        let corpus = vec![b"ID[]=1&X=2".to_vec(), b"{\"a\":[1]}".to_vec()];
        let run = |seed| {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..500)
                .map(|_| mutate(&mut rng, &corpus, &["[", "%5B"]))
                .collect::<Vec<_>>()
        };
        let first = run(7);
        assert_eq!(first, run(7));
        assert!(first.iter().all(|m| m.len() <= MAX_INPUT));
        assert!(
            first.iter().any(|m| m.len() > 1_000),
            "repetition makes long inputs"
        );
    }

    #[test]
    fn frames_round_trip() {
        let mut buffer = Vec::new();
        send(&mut buffer, b'I', b"abc").ok();
        send(&mut buffer, b'P', b"boom").ok();
        let mut reader = buffer.as_slice();
        assert!(matches!(read_frame(&mut reader), Ok(Frame::Input(i)) if i == b"abc"));
        assert!(matches!(read_frame(&mut reader), Ok(Frame::Panic(m)) if m == "boom"));
        assert!(read_frame(&mut reader).is_err());
    }
}
