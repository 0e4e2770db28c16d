//! Loading spec trees for generator tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use b24_codegen::SourceSet;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every input file under `dir`, added with `prefix` + its path relative to `dir`.
pub fn load_tree(dir: &Path, prefix: &str, sources: &mut SourceSet) {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    for file in files {
        let rel = file
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("_schema/") || !b24_codegen::is_spec_input(&rel) {
            continue;
        }
        sources.add(format!("{prefix}{rel}"), fs::read_to_string(&file).unwrap());
    }
}

/// The repository's own spec.
pub fn real_spec() -> SourceSet {
    let mut sources = SourceSet::new();
    load_tree(&repo_root().join("spec"), "spec/", &mut sources);
    sources
}

/// A fixture: a single `<name>.yaml` becomes `spec/fx/<name>.yaml` (its example files, if any,
/// come from `<dir>/examples/`); a directory is a whole `spec/` tree.
pub fn fixture(path: &Path) -> SourceSet {
    let mut sources = SourceSet::new();
    if path.is_dir() {
        load_tree(path, "spec/", &mut sources);
    } else {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        sources.add(format!("spec/fx/{name}"), fs::read_to_string(path).unwrap());
        let examples = path.parent().unwrap().join("examples");
        if examples.is_dir() {
            load_tree(&examples, "spec/fx/examples/", &mut sources);
        }
    }
    sources
}

/// Snapshot name for a generated file: its path with `/` as `__`.
pub fn snapshot_name(path: &str) -> String {
    path.replace('/', "__")
}
