//! Repository tasks.
//!
//! `cargo xtask codegen` regenerates every generated file from `spec/`: it writes only files
//! whose contents changed (through a temporary file and a rename, so an interrupted run never
//! leaves half a file) and deletes generated files that no spec produces any more.
//! `cargo xtask codegen --check` writes nothing and fails naming each stale file.
//! A spec with problems gets every diagnostic at once and leaves the tree untouched.
//! `cargo xtask import` drafts a method's spec from its reference page (see `import.rs`).
//! `cargo xtask fuzz TARGET --minutes N` runs a fuzz target of `fuzz/` (module [`fuzz`]).

mod bench;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use b24_codegen::{Error, Output, SourceSet, generate};

mod fuzz;
mod import;

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask import [--drift] PAGE.md|DIR ...
       cargo xtask fuzz [list | TARGET|all [--minutes N] [--seed S] [--dev]]
       cargo xtask bench-compile [--runs N] [--only real|projection]

  codegen           regenerate crates/*/src/generated/** and spec/_schema/ from spec/
  codegen --check   write nothing; fail if any generated file is stale
  import ...        draft a method spec from its reference page (`cargo xtask import --help`)
  fuzz              run a fuzz target for N minutes (default 1); crashes go to fuzz/regressions/
  bench-compile     measure how long the generated crate takes to build (see BENCHMARKS.md)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "import") {
        return import::main(args.get(1..).unwrap_or_default());
    }
    if args.first().is_some_and(|a| a == "fuzz") {
        return fuzz::main(&project_root(), args.get(1..).unwrap_or_default());
    }
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
        if !b24_codegen::is_spec_input(&rel) {
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
    let mut files = output.files.clone();
    for (rel, features) in &output.features {
        let manifest = fs::read_to_string(root.join(rel))?;
        let spliced = splice_features(&manifest, features)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{rel}: {e}")))?;
        files.insert(rel.clone(), spliced);
    }
    for (rel, section) in &output.sections {
        let text = fs::read_to_string(root.join(rel))?;
        let spliced = splice(
            &text,
            b24_codegen::METHODS_BEGIN,
            b24_codegen::METHODS_END,
            section,
        )
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{rel}: {e}")))?;
        files.insert(rel.clone(), spliced);
    }
    // The generator's snapshots of the real spec: same contents, insta's header.
    let snapshots: BTreeMap<String, String> = output
        .files
        .iter()
        .map(|(rel, contents)| {
            (
                b24_codegen::snapshot_path(rel),
                b24_codegen::snapshot_file(contents),
            )
        })
        .collect();
    let mut report = Report {
        files: files.len(),
        ..Report::default()
    };
    for (rel, contents) in files.iter().chain(&snapshots) {
        let path = root.join(rel);
        let is_snapshot = snapshots.contains_key(rel);
        match fs::read_to_string(&path) {
            Ok(existing) if existing.replace("\r\n", "\n") == *contents => continue,
            // A snapshot whose contents are current keeps its header (insta's metadata).
            Ok(existing)
                if is_snapshot
                    && b24_codegen::snapshot_contents(&existing.replace("\r\n", "\n"))
                        == b24_codegen::snapshot_contents(contents) =>
            {
                continue;
            }
            Ok(_) => report.changed.push(rel.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => report.created.push(rel.clone()),
            Err(e) => return Err(e),
        }
        if mode == Mode::Write {
            write_atomically(&path, contents)?;
        }
    }
    // Every file in a generated root must come from the spec.
    let produced: BTreeSet<&str> = output
        .files
        .keys()
        .chain(snapshots.keys())
        .map(String::as_str)
        .collect();
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
    // Snapshots of generated files no spec produces any more.
    if let Ok(entries) = fs::read_dir(root.join(b24_codegen::SNAPSHOT_DIR)) {
        let mut stale: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                name.is_some_and(|n| {
                    n.starts_with(b24_codegen::SNAPSHOT_PREFIX)
                        && (n.ends_with(".snap") || n.ends_with(".snap.new"))
                })
            })
            .filter(|p| !produced.contains(relative(root, p).as_str()))
            .collect();
        stale.sort();
        for file in stale {
            let rel = relative(root, &file);
            if mode == Mode::Write {
                fs::remove_file(&file)?;
            }
            // A pending `.snap.new` is insta's leftover, not a stale snapshot.
            if !rel.ends_with(".new") {
                report.deleted.push(rel);
            }
        }
    }
    Ok(report)
}

/// The manifest with its generated `[features]` lines replaced by `features`.
fn splice_features(manifest: &str, features: &str) -> Result<String, String> {
    splice(
        manifest,
        b24_codegen::FEATURES_BEGIN,
        b24_codegen::FEATURES_END,
        features,
    )
    .map_err(|lines| {
        format!(
            "the generated features have no place: add these lines under `[features]`:\n{lines}"
        )
    })
}

/// `text` with what lies between the lines `begin` and `end` replaced by `body`; without the
/// markers, the error is the two lines to add.
fn splice(text: &str, begin: &str, end: &str, body: &str) -> Result<String, String> {
    let from = text.find(begin).map(|at| at + begin.len());
    let to = text.find(end);
    match (from, to) {
        (Some(from), Some(to)) if from < to => {
            let (head, _) = text.split_at(from);
            let (_, tail) = text.split_at(to);
            Ok(format!("{head}\n{body}{tail}"))
        }
        _ => Err(format!("{begin}\n{end}")),
    }
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
    fn features_go_between_the_markers() {
        let manifest = format!(
            "[package]\nname = \"x\"\n\n[features]\n{}\nold = []\n{}\n\n[dependencies]\n",
            b24_codegen::FEATURES_BEGIN,
            b24_codegen::FEATURES_END
        );
        let spliced = splice_features(&manifest, "default = [\"a\"]\na = []\n").unwrap();
        assert!(spliced.contains("a = []\n# -- end"), "{spliced}");
        assert!(!spliced.contains("old"), "{spliced}");
        assert!(spliced.ends_with("\n\n[dependencies]\n"), "{spliced}");
        assert_eq!(
            splice_features(&spliced, "default = [\"a\"]\na = []\n").unwrap(),
            spliced
        );
        assert!(splice_features("[package]\n", "a = []\n").is_err());
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
            features: BTreeMap::new(),
            sections: BTreeMap::new(),
        };
        let report = apply(&dir, &output, Mode::Check).unwrap();
        assert_eq!(
            report.created,
            [
                "crates/b24-x/src/generated/mod.rs",
                "codegen/tests/snapshots/spec__crates__b24-x__src__generated__mod.rs.snap"
            ]
        );
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
        assert_eq!(
            fs::read_to_string(
                dir.join(
                    "codegen/tests/snapshots/spec__crates__b24-x__src__generated__mod.rs.snap"
                )
            )
            .unwrap(),
            "---\nsource: codegen/tests/generate.rs\n---\nnew\n",
            "the snapshot test's snapshot is written along with the file"
        );
        assert!(apply(&dir, &output, Mode::Check).unwrap().is_clean());

        // A snapshot no file produces any more is deleted; one whose contents are current
        // keeps its header.
        let stale =
            dir.join("codegen/tests/snapshots/spec__crates__b24-x__src__generated__old.rs.snap");
        fs::write(&stale, "---\nsource: x\n---\nold\n").unwrap();
        let current =
            dir.join("codegen/tests/snapshots/spec__crates__b24-x__src__generated__mod.rs.snap");
        fs::write(
            &current,
            "---\nsource: codegen/tests/generate.rs\nassertion_line: 22\n---\nnew\n",
        )
        .unwrap();
        let report = apply(&dir, &output, Mode::Write).unwrap();
        assert_eq!(
            report.deleted,
            ["codegen/tests/snapshots/spec__crates__b24-x__src__generated__old.rs.snap"]
        );
        assert!(!stale.exists());
        assert!(
            fs::read_to_string(&current)
                .unwrap()
                .contains("assertion_line")
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_readme_table_is_spliced_between_its_markers_and_checked() {
        let dir = std::env::temp_dir().join(format!("b24-xtask-readme-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let (begin, end) = (b24_codegen::METHODS_BEGIN, b24_codegen::METHODS_END);
        fs::write(
            dir.join("README.md"),
            format!("# Title\n\n{begin}\nold table\n{end}\n\nHand-written text.\n"),
        )
        .unwrap();
        let output = Output {
            sections: [("README.md".to_owned(), "| new | table |\n".to_owned())].into(),
            ..Output::default()
        };
        let report = apply(&dir, &output, Mode::Check).unwrap();
        assert_eq!(report.changed, ["README.md"], "a stale table fails --check");
        apply(&dir, &output, Mode::Write).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("README.md")).unwrap(),
            format!("# Title\n\n{begin}\n| new | table |\n{end}\n\nHand-written text.\n")
        );
        assert!(apply(&dir, &output, Mode::Check).unwrap().is_clean());

        fs::write(dir.join("README.md"), "# No markers\n").unwrap();
        let err = apply(&dir, &output, Mode::Check).unwrap_err().to_string();
        assert!(err.contains(begin) && err.contains(end), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
