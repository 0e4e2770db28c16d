//! `cargo xtask bench-compile`: how long the generated scope crate takes to build.
//!
//! Users build `b24-im` on every clean build of their project, so its compile time is measured
//! like any other performance target: the crate alone, its dependencies already built, in the
//! debug and the release profile. Each figure is the median of several builds after
//! `touch src/lib.rs`, with `CARGO_INCREMENTAL=0` (what a dependency gets: cargo never builds
//! registry or git dependencies incrementally).
//!
//! Besides the real crate it builds a projection of the whole scope: the spec's methods copied
//! ×8 under other names (types renamed too), generated into a scratch crate under
//! `target/compile-bench/` that is never committed. The groups stay the spec's (`dialog`,
//! `chat`, ...), each eight times larger, so "one group" is measured on the largest of them.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use b24_codegen::{SourceSet, generate};

/// Debug and release targets for the projected full scope (issue 8), in seconds.
const TARGET_DEBUG: f64 = 15.0;
const TARGET_RELEASE: f64 = 40.0;
/// How many times the scope's methods are copied for the projection.
const COPIES: usize = 8;

pub const USAGE: &str =
    "usage: cargo xtask bench-compile [--runs N] [--only real|projection] [--scope NAME]

  Builds the generated scope crate alone (dependencies already built) after `touch`, debug and
  release, all groups and the largest group alone; then the same for a projection of the scope
  (the spec's methods copied x8) generated into target/compile-bench/. Prints a Markdown table
  with medians of wall and CPU time and the ratio to the targets (debug 15 s, release 40 s for
  the projection; one group at most a third of that). `--scope` picks the scope (`imbot`);
  the default is the first scope with methods (`im`).";

/// Options of one run.
#[derive(Debug, Clone)]
pub struct Options {
    runs: usize,
    real: bool,
    projection: bool,
    scope: Option<String>,
}

impl Options {
    /// Parses the arguments after `bench-compile`.
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut options = Self {
            runs: 3,
            real: true,
            projection: true,
            scope: None,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match *arg {
                "--runs" => {
                    options.runs = rest
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|n| *n > 0)
                        .ok_or("`--runs` takes a positive number")?;
                }
                "--only" => match rest.next().copied() {
                    Some("real") => options.projection = false,
                    Some("projection") => options.real = false,
                    _ => return Err("`--only` takes `real` or `projection`".into()),
                },
                "--scope" => {
                    options.scope = Some(
                        rest.next()
                            .map(|s| (*s).to_owned())
                            .ok_or("`--scope` takes a scope name (`im`, `imbot`)")?,
                    );
                }
                other => return Err(format!("unexpected argument `{other}`")),
            }
        }
        Ok(options)
    }
}

/// One crate to measure.
struct Subject {
    label: String,
    /// The crate's manifest.
    manifest: PathBuf,
    /// `src/lib.rs`, touched before each build.
    lib: PathBuf,
    /// `-p` name when the crate is in this workspace.
    package: Option<String>,
    /// The largest method group, when the crate has group features.
    group: Option<(String, usize, usize)>,
    projection: bool,
}

/// One measured configuration.
struct Figure {
    subject: String,
    profile: &'static str,
    features: String,
    wall: Duration,
    cpu: Option<Duration>,
    target: Option<f64>,
}

pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let sources = crate::read_spec(root)?;
    let api = b24_codegen::check(&sources).map_err(|d| d.render(&sources))?;
    let scope = api
        .scopes
        .iter()
        .find(|s| {
            !s.methods.is_empty() && options.scope.as_ref().is_none_or(|name| s.name == *name)
        })
        .ok_or("the spec has no methods in that scope")?;
    let mut subjects = Vec::new();
    if options.real {
        let dir = root.join(format!("crates/b24-{}", scope.name));
        subjects.push(Subject {
            label: format!("b24-{} ({} methods)", scope.name, scope.methods.len()),
            manifest: dir.join("Cargo.toml"),
            lib: dir.join("src/lib.rs"),
            package: Some(format!("b24-{}", scope.name)),
            group: largest_group(&dir.join("Cargo.toml"), scope),
            projection: false,
        });
    }
    if options.projection {
        let dir = root.join("target/compile-bench");
        let lines = write_projection(root, &sources, scope, &dir)?;
        let groups = largest_group(&dir.join("Cargo.toml"), scope)
            .map(|(g, n, total)| (g, n * COPIES, total * COPIES));
        subjects.push(Subject {
            label: format!(
                "projection: {} methods ×{COPIES} = {} ({lines} generated lines)",
                scope.methods.len(),
                scope.methods.len() * COPIES
            ),
            manifest: dir.join("Cargo.toml"),
            lib: dir.join("src/lib.rs"),
            package: None,
            group: groups,
            projection: true,
        });
    }
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "bench-compile: {} runs per figure; load average before: {}",
        options.runs,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut figures = Vec::new();
    for subject in &subjects {
        for (profile, target) in [("debug", TARGET_DEBUG), ("release", TARGET_RELEASE)] {
            let mut variants = vec![(String::from("default"), Vec::new(), 1.0)];
            if let Some((group, _, _)) = &subject.group {
                variants.push((
                    format!("`{group}` only"),
                    vec![
                        "--no-default-features".to_owned(),
                        "--features".to_owned(),
                        group.clone(),
                    ],
                    1.0 / 3.0,
                ));
            }
            for (features, args, share) in variants {
                eprintln!("bench-compile: {} {profile} {features}", subject.label);
                let (wall, cpu) = measure(root, subject, profile, &args, options.runs)?;
                figures.push(Figure {
                    subject: subject.label.clone(),
                    profile,
                    features,
                    wall,
                    cpu,
                    target: subject.projection.then_some(target * share),
                });
            }
        }
    }
    println!("{}", table(&figures, &subjects));
    Ok(())
}

/// The largest method group (feature name, its methods, all methods) when the crate's manifest
/// declares group features.
fn largest_group(
    manifest: &Path,
    scope: &b24_codegen::ir::Scope,
) -> Option<(String, usize, usize)> {
    let text = fs::read_to_string(manifest).ok()?;
    let mut counts: Vec<(usize, String)> = Vec::new();
    for m in &scope.methods {
        let group = m.feature.clone();
        match counts.iter_mut().find(|(_, g)| *g == group) {
            Some((n, _)) => *n += 1,
            None => counts.push((1, group)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let (n, group) = counts.into_iter().next()?;
    text.contains(&format!("\n{group} = "))
        .then_some((group, n, scope.methods.len()))
}

/// Builds once to warm up (dependencies, feature switch), then `runs` times after a touch.
fn measure(
    root: &Path,
    subject: &Subject,
    profile: &str,
    args: &[String],
    runs: usize,
) -> Result<(Duration, Option<Duration>), String> {
    let build = || -> Result<(Duration, Option<Duration>), String> {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(root).arg("build").arg("--quiet");
        match &subject.package {
            Some(p) => cmd.args(["-p", p]),
            None => cmd.arg("--manifest-path").arg(&subject.manifest),
        };
        if profile == "release" {
            cmd.arg("--release");
        }
        cmd.args(args).env("CARGO_INCREMENTAL", "0");
        let cpu_before = children_cpu();
        let start = Instant::now();
        let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
        let wall = start.elapsed();
        if !status.success() {
            return Err(format!("`{cmd:?}` failed"));
        }
        let cpu = children_cpu()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        Ok((wall, cpu))
    };
    build()?;
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..runs {
        touch(&subject.lib)?;
        let (wall, cpu) = build()?;
        walls.push(wall);
        cpus.extend(cpu);
    }
    Ok((median(walls), (cpus.len() == runs).then(|| median(cpus))))
}

/// CPU time (user + system) of every waited-for child process so far, from `/proc/self/stat`.
fn children_cpu() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the whole line: 14 and 15 after `)`.
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    // /proc reports in USER_HZ, which Linux fixes at 100 for user space.
    Some(Duration::from_millis(ticks * 10))
}

fn touch(path: &Path) -> Result<(), String> {
    let file = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot touch {}: {e}", path.display()))?;
    file.set_modified(std::time::SystemTime::now())
        .map_err(|e| format!("cannot touch {}: {e}", path.display()))
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn table(figures: &[Figure], subjects: &[Subject]) -> String {
    let mut out = String::from(
        "| crate | profile | features | wall (median) | CPU (median) | target | wall / target |\n|---|---|---|---|---|---|---|\n",
    );
    for f in figures {
        let secs = f.wall.as_secs_f64();
        let (target, ratio) = match f.target {
            Some(t) => (format!("≤ {t:.1} s"), format!("{:.2}", secs / t)),
            None => ("—".to_owned(), "—".to_owned()),
        };
        let cpu = f
            .cpu
            .map_or_else(|| "n/a".to_owned(), |c| format!("{:.1} s", c.as_secs_f64()));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {secs:.1} s | {cpu} | {target} | {ratio} |",
            f.subject, f.profile, f.features
        );
    }
    for s in subjects {
        if let Some((group, n, total)) = &s.group {
            let _ = writeln!(
                out,
                "\n{}: the largest group `{group}` has {n} of {total} methods.",
                s.label
            );
        }
    }
    out
}

/// Generates the ×8 projection into `dir` as a standalone crate; returns its generated lines.
fn write_projection(
    root: &Path,
    sources: &SourceSet,
    scope: &b24_codegen::ir::Scope,
    dir: &Path,
) -> Result<usize, String> {
    let scratch = projection_spec(sources, scope)?;
    let output = generate(&scratch).map_err(|e| {
        format!(
            "the projection spec does not generate:\n{}",
            e.render(&scratch)
        )
    })?;
    let generated_root = format!("{}/", b24_codegen::scope_root(&scope.name));
    let src = dir.join("src/generated");
    if src.exists() {
        fs::remove_dir_all(&src).map_err(|e| format!("cannot clear {}: {e}", src.display()))?;
    }
    let mut lines = 0;
    for (path, text) in &output.files {
        if let Some(rel) = path.strip_prefix(&generated_root) {
            write(&src.join(rel), text)?;
            lines += text.lines().count();
        }
    }
    let real = root.join(format!("crates/b24-{}", scope.name));
    let lib = fs::read_to_string(real.join("src/lib.rs"))
        .map_err(|e| format!("cannot read the scope crate's lib.rs: {e}"))?;
    write(&dir.join("src/lib.rs"), &lib)?;
    let core = root.join("crates/b24-core");
    let features = output
        .features
        .get(&b24_codegen::scope_manifest(&scope.name))
        .cloned()
        .unwrap_or_default();
    let manifest = format!(
        "# Scratch crate written by `cargo xtask bench-compile`; not part of the repository.\n\
         [package]\nname = \"b24-{scope}-projection\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\nname = \"b24_{scope}\"\ndoctest = false\n\n\
         [dependencies]\nb24-core = {{ path = {core:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\n\
         [features]\n{features}\n[workspace]\n",
        scope = scope.name,
        core = core.display().to_string(),
    );
    write(&dir.join("Cargo.toml"), &manifest)?;
    // The workspace's lock file pins the same dependency versions.
    if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
        let path = dir.join("Cargo.lock");
        if !path.exists() {
            write(&path, &lock)?;
        }
    }
    Ok(lines)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(()); // keep the timestamp: cargo would rebuild for nothing
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The scope's spec with every method copied `COPIES` times: copy `k` (2..) renames the method
/// `im.dialog.users.list` to `im.dialog.users.list<k>` (same group) and every type `T` of the
/// scope to `T<k>`, so each copy generates its own request, error and object types.
fn projection_spec(
    sources: &SourceSet,
    scope: &b24_codegen::ir::Scope,
) -> Result<SourceSet, String> {
    let mut type_names: BTreeSet<String> = scope.types.iter().map(|t| t.name.clone()).collect();
    for m in &scope.methods {
        type_names.extend(m.types.iter().map(|t| t.name.clone()));
    }
    let prefix = format!("spec/{}/", scope.name);
    let types_path = format!("{prefix}_types.yaml");
    let mut out = SourceSet::new();
    for (_, file) in sources.iter() {
        let Some(rel) = file.path.strip_prefix(&prefix) else {
            out.add(file.path.clone(), file.text.clone());
            continue;
        };
        if !rel.ends_with(".yaml") {
            out.add(file.path.clone(), file.text.clone());
            continue;
        }
        if file.path == types_path {
            let mut text = file.text.clone();
            let body = file
                .text
                .split_once("\ntypes:\n")
                .map(|(_, body)| body)
                .ok_or("the shared types file has no top-level `types:`")?;
            for k in 2..=COPIES {
                text.push_str(&rename_types(body, &type_names, k));
            }
            out.add(file.path.clone(), text);
            continue;
        }
        let stem = rel.trim_end_matches(".yaml");
        out.add(file.path.clone(), file.text.clone());
        for k in 2..=COPIES {
            let wire = format!("{}.{stem}", scope.name);
            let text = rename_types(&file.text, &type_names, k).replace(
                &format!("method: {wire}\n"),
                &format!("method: {wire}{k}\n"),
            );
            out.add(format!("{prefix}{stem}{k}.yaml"), text);
        }
    }
    Ok(out)
}

/// Appends `k` to every word that is one of `names`.
fn rename_types(text: &str, names: &BTreeSet<String>, k: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word);
        if names.contains(word.as_str()) {
            let _ = write!(out, "{k}");
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_whole_words_only() {
        let names: BTreeSet<String> = ["DialogUser".to_owned()].into();
        assert_eq!(
            rename_types("type: list<DialogUser>|null # DialogUsers", &names, 3),
            "type: list<DialogUser3>|null # DialogUsers"
        );
    }

    #[test]
    fn options() {
        let o =
            Options::parse(&["--runs", "5", "--only", "real"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.runs, 5);
        assert!(o.real && !o.projection);
        assert!(Options::parse(&["--runs", "0"]).is_err());
        let o = Options::parse(&["--scope", "imbot"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.scope.as_deref(), Some("imbot"));
        assert!(Options::parse(&["--scope"]).is_err());
    }
}
