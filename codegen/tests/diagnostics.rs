//! Spec problems come out as rustc-style diagnostics: every problem at once, each with
//! `file:line:col`, the source line, a caret and a `help:`. The rendered text is snapshotted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use b24_codegen::{Error, generate};

fn rendered(path: &std::path::Path) -> String {
    let sources = common::fixture(path);
    match generate(&sources) {
        Ok(_) => panic!("{}: an invalid fixture generated code", path.display()),
        Err(e @ Error::Spec(_)) => e.render(&sources),
        Err(Error::Internal(message)) => panic!("{}: internal error: {message}", path.display()),
    }
}

#[test]
fn invalid_fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("fixtures/invalid/*", |path| {
            if path.file_name().is_some_and(|n| n == "examples") {
                return;
            }
            let text = rendered(path);
            assert!(
                text.contains(" --> spec/"),
                "every diagnostic points into the spec:\n{text}"
            );
            insta::assert_snapshot!(text);
        });
    });
}

#[test]
fn every_problem_is_reported_at_once() {
    let path = common::repo_root().join("codegen/tests/fixtures/invalid/many.problems.yaml");
    let sources = common::fixture(&path);
    let Err(Error::Spec(diags)) = generate(&sources) else {
        panic!("expected spec errors")
    };
    let messages: Vec<&str> = diags.items().iter().map(|d| d.message.as_str()).collect();
    for expected in [
        "unknown key `requird`",
        "unknown type `DialogUsr`",
        "duplicate parameter `LIMIT`",
        "duplicate error code `ACCESS_ERROR`",
        "two parameters become the Rust field `dialog_id`",
        "does not match the method",
        "is not one of",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "missing `{expected}` in {messages:#?}"
        );
    }
    assert!(
        diags.items().iter().all(|d| d.help.is_some()),
        "every problem says how to fix it"
    );
}
