//! `cargo xtask import`: drafts method specs from official reference pages, or reports where the
//! pages and the spec drift apart. The drafting itself is `b24-import` (pure); this module reads
//! the pages and `spec/`, checks every draft with the generator, and writes the files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use b24_codegen::{SourceSet, generate};
use b24_import::{Imported, Options};

pub const USAGE: &str =
    "usage: cargo xtask import [--out DIR] [--force] [--docs-url URL] PAGE.md|DIR...
       cargo xtask import --drift [--verbose] PAGE.md|DIR...

  import PAGE.md      draft spec/<scope>/<method>.yaml and its examples from a reference page,
                      check the draft with the generator, and print what needs review
  --out DIR           write under DIR instead of the repository (DIR/spec/...)
  --force             replace spec files that already exist
  --docs-url URL      the page's published address (otherwise guessed and marked for review)
  --drift             compare each page with the existing spec; exit 1 on unexpected drift
  --verbose           with --drift: also list the differences the spec marks in `docs_drift`
                      and what the page's draft gets wrong against the spec";

/// Runs `cargo xtask import ARGS`.
pub fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::parse(args) {
        Ok(cli) => cli,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = crate::project_root();
    let result = if cli.drift {
        drift(&root, &cli).map(|drifted| drifted == 0)
    } else {
        import(&root, &cli).map(|s| s.unread == 0)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Default)]
struct Cli {
    drift: bool,
    verbose: bool,
    force: bool,
    out: Option<PathBuf>,
    docs_url: Option<String>,
    pages: Vec<PathBuf>,
}

impl Cli {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut cli = Self::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--drift" => cli.drift = true,
                "--force" => cli.force = true,
                "--verbose" => cli.verbose = true,
                "--out" => {
                    cli.out = Some(it.next().ok_or("`--out` needs a directory")?.into());
                }
                "--docs-url" => {
                    cli.docs_url = Some(it.next().ok_or("`--docs-url` needs an address")?.clone());
                }
                flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
                page => cli.pages.push(page.into()),
            }
        }
        if cli.pages.is_empty() {
            return Err("no page given".into());
        }
        if cli.drift && (cli.force || cli.out.is_some()) {
            return Err("`--drift` writes nothing; drop `--force`/`--out`".into());
        }
        Ok(cli)
    }
}

/// A reference page read from disk.
struct PageFile {
    path: PathBuf,
    stem: String,
    text: String,
}

/// The pages named on the command line; a directory stands for the `.md` files in it.
fn read_pages(paths: &[PathBuf]) -> Result<Vec<PageFile>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = fs::read_dir(path)
                .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
            let mut found: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(PageFile { path, stem, text })
        })
        .collect()
}

/// The spec as it is, checked: drafts are validated against it.
fn checked_spec(root: &Path) -> Result<(SourceSet, b24_codegen::ir::Api), String> {
    let sources = crate::read_spec(root)?;
    let api = b24_codegen::check(&sources).map_err(|d| {
        format!(
            "{}\nerror: the spec has problems; fix them before importing",
            d.render(&sources)
        )
    })?;
    Ok((sources, api))
}

/// The spec with a draft's files added (replacing files of the same path).
fn with_files(base: &SourceSet, files: &[(String, String)]) -> SourceSet {
    let mut set = SourceSet::new();
    for (_, f) in base.iter() {
        if !files.iter().any(|(p, _)| *p == f.path) {
            set.add(f.path.clone(), f.text.clone());
        }
    }
    for (path, text) in files {
        set.add(path.clone(), text.clone());
    }
    set
}

/// `Ok(())` when spec + files generate; the first lines of the diagnostics otherwise.
fn validate(base: &SourceSet, files: &[(String, String)]) -> Result<(), String> {
    let set = with_files(base, files);
    generate(&set).map(|_| ()).map_err(|e| {
        let text = e.render(&set);
        let first: Vec<&str> = text.lines().take(12).collect();
        first.join("\n")
    })
}

/// What an import run did.
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    /// Drafts written (or that would replace an existing file without `--force`).
    drafted: usize,
    /// Drafts that pass the generator next to the existing spec.
    passed: usize,
    /// Pages that could not be drafted at all.
    unread: usize,
}

fn import(root: &Path, cli: &Cli) -> Result<Summary, String> {
    let pages = read_pages(&cli.pages)?;
    let (base, api) = checked_spec(root)?;
    let out_root = cli.out.clone().unwrap_or_else(|| root.to_path_buf());
    let mut known_by_scope = BTreeMap::new();
    let mut passed: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut unread = 0usize;
    for page in &pages {
        let method = b24_import::page_method(&page.text).unwrap_or_else(|| page.stem.clone());
        let scope = method.split('.').next().unwrap_or("").to_owned();
        let known = known_by_scope
            .entry(scope)
            .or_insert_with_key(|scope| b24_import::known(&api, scope));
        let options = Options {
            file_stem: Some(&page.stem),
            docs_url: cli.docs_url.as_deref(),
        };
        let imported = match b24_import::import(&page.text, known, options) {
            Ok(imported) => imported,
            Err(e) => {
                eprintln!("error: {}: {e}", page.path.display());
                unread += 1;
                continue;
            }
        };
        let check = validate(&base, &imported.files);
        let written = write(&out_root, &imported, cli.force)?;
        report(&imported, &check, written);
        match check {
            Ok(()) => passed.push((imported.draft.method.clone(), imported.files)),
            Err(diag) => failed.push((
                imported.draft.method.clone(),
                diag.lines().next().unwrap_or("").to_owned(),
            )),
        }
    }

    let drafted = passed.len() + failed.len();
    println!(
        "import: {} page(s), {drafted} draft(s), {} pass `cargo xtask codegen` unchanged",
        pages.len(),
        passed.len()
    );
    for (method, why) in &failed {
        println!("  fails: {method}: {why}");
    }
    if passed.len() > 1 {
        let all: Vec<(String, String)> =
            passed.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
        match validate(&base, &all) {
            Ok(()) => println!("  the {} passing drafts also pass together", passed.len()),
            Err(diag) => println!("  the passing drafts fail together:\n{diag}"),
        }
    }
    Ok(Summary {
        drafted,
        passed: passed.len(),
        unread,
    })
}

/// Writes a draft's files; returns whether the spec file was written.
fn write(out_root: &Path, imported: &Imported, force: bool) -> Result<bool, String> {
    let spec = out_root.join(&imported.spec_path);
    if spec.exists() && !force {
        return Ok(false);
    }
    for (rel, text) in &imported.files {
        crate::write_atomically(&out_root.join(rel), text)
            .map_err(|e| format!("error: cannot write {rel}: {e}"))?;
    }
    Ok(true)
}

fn report(imported: &Imported, check: &Result<(), String>, written: bool) {
    let d = &imported.draft;
    let examples = imported.files.len().saturating_sub(1);
    let status = match check {
        Ok(()) => "passes codegen".to_owned(),
        Err(_) => "does NOT pass codegen".to_owned(),
    };
    let place = if written {
        format!("{} (+{examples} example(s))", imported.spec_path)
    } else {
        format!(
            "{} exists, not overwritten (--force replaces it; --drift compares)",
            imported.spec_path
        )
    };
    println!(
        "{}: {place}: {status}; {} note(s) to review",
        d.method,
        imported.notes.len()
    );
    for note in &imported.notes {
        println!("    review: {note}");
    }
    if let Err(diag) = check {
        for line in diag.lines() {
            println!("    | {line}");
        }
    }
}

/// Prints the drift reports; returns the number of unexpected differences.
fn drift(root: &Path, cli: &Cli) -> Result<usize, String> {
    let pages = read_pages(&cli.pages)?;
    let (base, api) = checked_spec(root)?;
    let mut drifted = 0usize;
    let mut compared = 0usize;
    let mut unspecified = Vec::new();
    for page in &pages {
        let method = b24_import::page_method(&page.text).unwrap_or_else(|| page.stem.clone());
        let Some((scope, stem)) = method.split_once('.') else {
            eprintln!("error: {}: the page names no method", page.path.display());
            drifted += 1;
            continue;
        };
        let spec_path = format!("spec/{scope}/{stem}.yaml");
        let Some(spec) = base.find(&spec_path).and_then(|id| base.get(id)) else {
            unspecified.push(method);
            continue;
        };
        let options = Options {
            file_stem: Some(&page.stem),
            docs_url: None,
        };
        let report = b24_import::drift(&page.text, &api, &spec.text, options)
            .map_err(|e| format!("error: {}: {e}", page.path.display()))?;
        compared += 1;
        drifted += report.drift();
        print!("{}", report.render(cli.verbose));
    }
    if !unspecified.is_empty() {
        println!(
            "not in the spec yet ({}; draft them with `cargo xtask import`): {}",
            unspecified.len(),
            unspecified.join(", ")
        );
    }
    println!("drift: {compared} method(s) compared, {drifted} unexpected difference(s)");
    Ok(drifted)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn fixture(name: &str) -> String {
        crate::project_root()
            .join("import/tests/fixtures/pages")
            .join(name)
            .to_string_lossy()
            .into_owned()
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn drafts_into_another_root_checks_and_keeps_existing_files() {
        let out = std::env::temp_dir().join(format!("b24-xtask-import-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        let page = fixture("im.v2.Event.get.md");
        let cli = Cli::parse(&args(&["--out", &out.to_string_lossy(), &page])).unwrap();
        let root = crate::project_root();
        let summary = import(&root, &cli).unwrap();
        assert_eq!(
            summary,
            Summary {
                drafted: 1,
                passed: 1,
                unread: 0
            }
        );
        let spec = out.join("spec/im/v2.Event.get.yaml");
        let text = fs::read_to_string(&spec).unwrap();
        assert!(text.contains("method: im.v2.Event.get"));
        assert!(out.join("spec/im/examples/v2.Event.get.json").is_file());
        // A second run leaves the (possibly reviewed) file alone; `--force` replaces it.
        fs::write(&spec, "reviewed").unwrap();
        import(&root, &cli).unwrap();
        assert_eq!(fs::read_to_string(&spec).unwrap(), "reviewed");
        let forced =
            Cli::parse(&args(&["--force", "--out", &out.to_string_lossy(), &page])).unwrap();
        import(&root, &forced).unwrap();
        assert_eq!(fs::read_to_string(&spec).unwrap(), text);
        fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn curated_methods_show_no_unexpected_drift() {
        let pages = [
            "im.dialog.users.list.md",
            "im.counters.get.md",
            "im.v2.Event.get.md",
        ];
        let mut list = vec!["--drift"];
        let owned: Vec<String> = pages.iter().map(|p| fixture(p)).collect();
        list.extend(owned.iter().map(String::as_str));
        let cli = Cli::parse(&args(&list)).unwrap();
        assert_eq!(drift(&crate::project_root(), &cli).unwrap(), 0);
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(Cli::parse(&[]).is_err());
        assert!(Cli::parse(&args(&["--bogus", "x.md"])).is_err());
        assert!(Cli::parse(&args(&["--out"])).is_err());
        assert!(Cli::parse(&args(&["--drift", "--force", "x.md"])).is_err());
    }
}
