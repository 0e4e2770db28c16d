//! Repository tasks.
//!
//! `cargo xtask codegen` regenerates every generated file from `spec/`: it writes only files
//! whose contents changed (through a temporary file and a rename, so an interrupted run never
//! leaves half a file) and deletes generated files that no spec produces any more.
//! `cargo xtask codegen --check` writes nothing and fails naming each stale file.
//! A spec with problems gets every diagnostic at once and leaves the tree untouched.

mod bench;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use b24_codegen::{Error, Output, SourceSet, generate};

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask bench-compile [--runs N] [--only real|projection]

  codegen           regenerate crates/*/src/generated/** and spec/_schema/ from spec/
  codegen --check   write nothing; fail if any generated file is stale
  bench-compile     measure how long the generated crate takes to build (see BENCHMARKS.md)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => Mode::Write,
        ["codegen", "--check"] => Mode::Check,
        ["bench-compile", rest @ ..] => {
            return match bench::Options::parse(rest).and_then(|o| bench::run(&project_root(), &o)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}\n\n{}", bench::USAGE);
                    ExitCode::FAILURE
                }
            };
        }
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("error: unexpected arguments: {}\n\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };
    match run(&project_root(), mode) {
        Ok(report) => {
            println!("{}", report.summary(mode));
            if mode == Mode::Check && !report.is_clean() {
                eprintln!("{}", report.stale_list());
                eprintln!(
                    "error: generated files are stale; run `cargo xtask codegen` and commit the result"
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Write the changes, or only report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
}

/// What a run found (and, in write mode, did).
#[derive(Debug, Default)]
struct Report {
    files: usize,
    changed: Vec<String>,
    created: Vec<String>,
    deleted: Vec<String>,
}

impl Report {
    fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.created.is_empty() && self.deleted.is_empty()
    }

    fn summary(&self, mode: Mode) -> String {
        let verb = |done: &str, todo: &str| {
            if mode == Mode::Write {
                done.to_owned()
            } else {
                todo.to_owned()
            }
        };
        format!(
            "codegen: {} generated files; {} {}, {} {}, {} {}",
            self.files,
            self.changed.len(),
            verb("updated", "stale"),
            self.created.len(),
            verb("created", "missing"),
            self.deleted.len(),
            verb("deleted", "not produced by any spec"),
        )
    }

    fn stale_list(&self) -> String {
        let mut lines = Vec::new();
        lines.extend(self.changed.iter().map(|p| format!("  stale:     {p}")));
        lines.extend(self.created.iter().map(|p| format!("  missing:   {p}")));
        lines.extend(self.deleted.iter().map(|p| format!("  orphaned:  {p}")));
        lines.join("\n")
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Reads every file under `spec/` (except the generated schemas) into a source set.
pub(crate) fn read_spec(root: &Path) -> Result<SourceSet, String> {
    let mut paths = Vec::new();
    collect_files(&root.join("spec"), &mut paths)
        .map_err(|e| format!("error: cannot read spec/: {e}"))?;
    paths.sort();
    let mut sources = SourceSet::new();
    for path in paths {
        let rel = relative(root, &path);
        if rel.starts_with(&format!("{}/", b24_codegen::SCHEMA_ROOT)) {
            continue;
        }
        let is_input = rel.ends_with(".yaml") || rel.ends_with(".json");
        if !is_input {
            continue;
        }
        let text =
            fs::read_to_string(&path).map_err(|e| format!("error: cannot read {rel}: {e}"))?;
        sources.add(rel, text);
    }
    Ok(sources)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn run(root: &Path, mode: Mode) -> Result<Report, String> {
    let sources = read_spec(root)?;
    let output = generate(&sources).map_err(|e| match &e {
        Error::Spec(_) => e.render(&sources),
        Error::Internal(_) => e.render(&sources),
    })?;
    apply(root, &output, mode).map_err(|e| format!("error: {e}"))
}

fn apply(root: &Path, output: &Output, mode: Mode) -> io::Result<Report> {
    let mut report = Report {
        files: output.files.len(),
        ..Report::default()
    };
    for (rel, contents) in &output.files {
        let path = root.join(rel);
        match fs::read_to_string(&path) {
            Ok(existing) if existing.replace("\r\n", "\n") == *contents => continue,
            Ok(_) => report.changed.push(rel.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => report.created.push(rel.clone()),
            Err(e) => return Err(e),
        }
        if mode == Mode::Write {
            write_atomically(&path, contents)?;
        }
    }
    // Every file in a generated root must come from the spec.
    let produced: BTreeSet<&str> = output.files.keys().map(String::as_str).collect();
    let mut roots: BTreeSet<String> = output.roots.iter().cloned().collect();
    if let Ok(crates) = fs::read_dir(root.join("crates")) {
        for entry in crates.flatten() {
            let generated = entry.path().join("src/generated");
            if generated.is_dir() {
                roots.insert(relative(root, &generated));
            }
        }
    }
    for dir in roots {
        let mut files = Vec::new();
        collect_files(&root.join(&dir), &mut files)?;
        files.sort();
        for file in files {
            let rel = relative(root, &file);
            if !produced.contains(rel.as_str()) {
                if mode == Mode::Write {
                    fs::remove_file(&file)?;
                }
                report.deleted.push(rel);
            }
        }
    }
    Ok(report)
}

fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp~");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, contents)?;
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// The checked-in generated files match the spec. Locally a stale tree is rewritten (then
    /// this test still fails, asking for a commit); under CI it is only checked.
    #[test]
    fn generated_code_is_fresh() {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
        let mode = if ci { Mode::Check } else { Mode::Write };
        let report = run(&project_root(), mode).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            report.is_clean(),
            "{}\n{}\nrun `cargo xtask codegen` and commit the result",
            report.summary(mode),
            report.stale_list()
        );
    }

    #[test]
    fn check_mode_names_stale_files_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("b24-xtask-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("crates/b24-x/src/generated")).unwrap();
        fs::write(dir.join("crates/b24-x/src/generated/old.rs"), "// orphan").unwrap();
        let output = Output {
            files: [(
                "crates/b24-x/src/generated/mod.rs".to_owned(),
                "new\n".to_owned(),
            )]
            .into(),
            roots: vec!["crates/b24-x/src/generated".to_owned()],
        };
        let report = apply(&dir, &output, Mode::Check).unwrap();
        assert_eq!(report.created, ["crates/b24-x/src/generated/mod.rs"]);
        assert_eq!(report.deleted, ["crates/b24-x/src/generated/old.rs"]);
        assert!(!dir.join("crates/b24-x/src/generated/mod.rs").exists());
        assert!(dir.join("crates/b24-x/src/generated/old.rs").exists());

        let report = apply(&dir, &output, Mode::Write).unwrap();
        assert!(!report.is_clean());
        assert_eq!(
            fs::read_to_string(dir.join("crates/b24-x/src/generated/mod.rs")).unwrap(),
            "new\n"
        );
        assert!(!dir.join("crates/b24-x/src/generated/old.rs").exists());
        assert!(apply(&dir, &output, Mode::Check).unwrap().is_clean());
        fs::remove_dir_all(&dir).unwrap();
    }
}
