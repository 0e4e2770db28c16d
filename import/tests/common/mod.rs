//! Reading the repository's spec for the importer's tests.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Every spec file of the repository (YAML and example JSON, not the generated schemas), with
/// its path relative to the repository root.
pub fn spec_files() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    collect(&root.join("spec"), &root, &mut out);
    out
}

/// A source set of `base` plus `extra` (the files of a draft).
pub fn source_set(base: &[(String, String)], extra: &[(String, String)]) -> b24_codegen::SourceSet {
    let mut set = b24_codegen::SourceSet::new();
    for (path, text) in base.iter().chain(extra) {
        set.add(path.clone(), text.clone());
    }
    set
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if !path.ends_with("_schema") {
                collect(&path, root, out);
            }
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if b24_codegen::is_spec_input(&rel) {
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
}
