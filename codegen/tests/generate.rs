//! Snapshots of everything the generator writes: the real spec (one snapshot per generated
//! file) and small fixtures that each exercise one feature of the format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use b24_codegen::generate;

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[test]
fn real_spec_output() {
    let sources = common::real_spec();
    let output = generate(&sources).unwrap_or_else(|e| panic!("{}", e.render(&sources)));
    settings().bind(|| {
        for (path, contents) in &output.files {
            insta::assert_snapshot!(b24_codegen::snapshot_name(path), contents);
        }
    });
}

#[test]
fn generation_is_deterministic() {
    let sources = common::real_spec();
    let first = generate(&sources).unwrap_or_else(|e| panic!("{}", e.render(&sources)));
    let second = generate(&sources).unwrap_or_else(|e| panic!("{}", e.render(&sources)));
    assert_eq!(first.files, second.files);
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/valid/*.yaml", |path| {
        let sources = common::fixture(path);
        let output = generate(&sources)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render(&sources)));
        let stem = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        settings().bind(|| {
            for (file, contents) in output
                .files
                .iter()
                .filter(|(f, _)| f.starts_with("crates/b24-fx/"))
            {
                let name = file.trim_start_matches("crates/b24-fx/src/generated/");
                insta::assert_snapshot!(
                    format!("fixture__{stem}__{}", common::snapshot_name(name)),
                    contents
                );
            }
        });
    });
}
