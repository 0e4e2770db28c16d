//! The importer on full reference pages (`tests/fixtures/pages/`): snapshots of the drafts of
//! three, and the drift reports of the eight curated methods against the repository's spec.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

mod common;

use b24_codegen::{SourceSet, ir};
use b24_import::Options;
use b24_import::drift::{Diff, Item};

/// The pages whose drafts are snapshotted.
const PAGES: [&str; 3] = ["im.dialog.users.list", "im.counters.get", "im.v2.Event.get"];

/// The pages of the methods whose specs were written by hand before the importer existed.
const CURATED: [&str; 8] = [
    "im.dialog.users.list",
    "im.counters.get",
    "im.v2.Event.get",
    "im.message.add",
    "im.user.list.get",
    "im.dialog.messages.get",
    "im.chat.get",
    "im.v2.Event.subscribe",
];

fn page(name: &str) -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/pages/{name}.md"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The repository's spec, read and checked.
fn spec() -> (SourceSet, ir::Api) {
    let set = common::source_set(&common::spec_files(), &[]);
    let api = b24_codegen::check(&set).unwrap_or_else(|d| panic!("{}", d.render(&set)));
    (set, api)
}

fn spec_text(set: &SourceSet, method: &str) -> String {
    let stem = method.strip_prefix("im.").unwrap();
    let id = set.find(&format!("spec/im/{stem}.yaml")).unwrap();
    set.get(id).unwrap().text.clone()
}

/// The drift report of a curated method's page against the repository's spec.
fn curated_report(set: &SourceSet, api: &ir::Api, name: &str) -> b24_import::Report {
    b24_import::drift(&page(name), api, &spec_text(set, name), Options::default()).unwrap()
}

#[test]
fn drafts_of_three_real_pages() {
    let (_, api) = spec();
    let known = b24_import::known(&api, "im");
    for name in PAGES {
        let imported = b24_import::import(&page(name), &known, Options::default()).unwrap();
        assert_eq!(imported.draft.method, name);
        let mut text = String::new();
        for (path, contents) in &imported.files {
            text.push_str(&format!("==> {path}\n"));
            // The example bodies are the page's blocks as they are: only their size here.
            if path.ends_with(".json") {
                text.push_str(&format!(
                    "({} lines copied from the page)\n",
                    contents.lines().count()
                ));
            } else {
                text.push_str(contents);
            }
        }
        text.push_str("==> notes\n");
        for note in &imported.notes {
            text.push_str(note);
            text.push('\n');
        }
        insta::assert_snapshot!(format!("draft_{name}"), text);
    }
}

/// The curated specs mark where they follow the server instead of the page: no unexpected drift.
#[test]
fn curated_specs_have_no_unexpected_drift() {
    let (set, api) = spec();
    let mut all = String::new();
    for name in CURATED {
        let report = curated_report(&set, &api, name);
        assert_eq!(report.drift(), 0, "{}", report.render(true));
        all.push_str(&report.render(true));
    }
    insta::assert_snapshot!("drift_reports", all);
}

/// A `one_of` result is compared shape by shape: the page's `{"ID": 10}` of `im.chat.get` is one
/// of the spec's shapes (next to a bare `10`), and `im.user.list.get`'s documented list is one
/// of its two shapes (next to the object keyed by id). The draft's fields count as matches
/// where they match a shape.
#[test]
fn one_of_results_are_compared_shape_by_shape() {
    let (set, api) = spec();
    for name in ["im.chat.get", "im.user.list.get"] {
        let report = curated_report(&set, &api, name);
        assert!(
            !report
                .entries
                .iter()
                .any(|e| e.item == Item::Field && e.expected.is_none()),
            "{}",
            report.render(true)
        );
        assert!(
            report.accuracy.fields_typed.0 > 0,
            "{}",
            report.render(true)
        );
        // The shape the page does not show (the map keyed by id) is not counted as missed.
        assert!(
            !report.misses.iter().any(|m| m.starts_with("result{}")),
            "{:?}",
            report.misses
        );
    }
}

/// Differences the spec marks are not reported again unless asked for.
#[test]
fn marked_differences_are_listed_only_when_verbose() {
    let (set, api) = spec();
    let report = curated_report(&set, &api, "im.counters.get");
    assert!(report.entries.iter().any(|e| e.expected.is_some()));
    let short = report.render(false);
    assert!(!short.contains("result.COPILOT"), "{short}");
    assert!(short.contains("expected difference(s) marked"), "{short}");
    assert!(report.render(true).contains("result.COPILOT"));
}

#[test]
fn unmarked_differences_and_stale_marks_are_drift() {
    let (set, api) = spec();
    let name = "im.counters.get";
    let text = spec_text(&set, name);
    // Without its `docs_drift` block, the spec's known differences are drift again.
    let unmarked = text.split("\ndocs_drift:").next().unwrap();
    let report = b24_import::drift(&page(name), &api, unmarked, Options::default()).unwrap();
    assert!(report.drift() > 0);
    assert!(report.entries.iter().any(|e| e.item == Item::Field
        && e.name == "result.COPILOT"
        && e.diff == Diff::SpecOnly
        && e.expected.is_none()));
    // A mark that matches nothing any more is reported, so it gets removed.
    let stale = format!("{text}  - param: NO_SUCH_PARAM\n    why: was once undocumented\n");
    let report = b24_import::drift(&page(name), &api, &stale, Options::default()).unwrap();
    assert_eq!(report.drift(), 1);
    assert!(
        report
            .entries
            .iter()
            .any(|e| e.name == "NO_SUCH_PARAM" && e.diff == Diff::StaleMark)
    );
    // A malformed mark is an error, not silently ignored.
    let bad = format!("{text}  - why: names nothing\n");
    assert!(b24_import::drift(&page(name), &api, &bad, Options::default()).is_err());
}

/// Pages cut anywhere (an unfinished table, an open code fence, half a JSON example) still give
/// a draft or a clear error, never a panic.
#[test]
fn truncated_pages_never_panic() {
    let (_, api) = spec();
    let known = b24_import::known(&api, "im");
    for name in PAGES {
        let text = page(name);
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(211).collect();
        for cut in cuts {
            let prefix = &text[..cut];
            match b24_import::import(prefix, &known, Options::default()) {
                Ok(imported) => assert!(imported.files[0].1.contains("method: ")),
                Err(e) => assert!(e.to_string().contains("names no method")),
            }
            let _ = b24_import::drift(prefix, &api, "", Options::default());
        }
    }
}
