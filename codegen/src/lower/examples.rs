//! Example responses listed by a method: found, valid JSON, and consistent with `error:`.

use std::collections::BTreeSet;

use super::{Lowerer, Names};
use crate::de::Tolerant;
use crate::ir;
use crate::raw;
use crate::source::FileId;

impl Lowerer<'_> {
    /// The method's examples; `false` when one of them is broken.
    pub(super) fn lower_examples(
        &mut self,
        file: FileId,
        path: &str,
        entries: &[Tolerant<raw::Example>],
        codes: &Names,
        system_codes: &BTreeSet<String>,
    ) -> (Vec<ir::Example>, bool) {
        let mut ok = true;
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut examples = Vec::new();
        for ex in entries.iter().filter_map(|e| e.0.as_ref()) {
            let Some((ex_path, ex_file)) = self.example_file(file, dir, &ex.file) else {
                ok = false;
                continue;
            };
            let text = self
                .sources
                .get(ex_file)
                .map(|f| f.text.clone())
                .unwrap_or_default();
            match serde_json::from_str::<serde_json::Value>(&text) {
                Err(err) => {
                    let at = offset_of(&text, err.line(), err.column());
                    self.error(
                        ex_file,
                        at..at + 1,
                        format!("example is not valid JSON: {err}"),
                        "",
                    )
                    .help = Some(
                        "examples are response bodies exactly as the server sends them".into(),
                    );
                    ok = false;
                    continue;
                }
                Ok(body) => {
                    let body_error = body
                        .get("error")
                        .and_then(|e| e.as_str())
                        .map(str::to_owned);
                    match (&ex.error, &body_error) {
                        (Some(expected), Some(found)) if expected.value != *found => {
                            self.error(
                                file,
                                expected.span.clone(),
                                format!(
                                    "the example body carries `{found}`, not `{}`",
                                    expected.value
                                ),
                                "",
                            )
                            .help = Some(format!("set `error: {found}`"));
                            ok = false;
                        }
                        (Some(expected), None) => {
                            self.error(
                                file,
                                expected.span.clone(),
                                "the example body is not an error answer",
                                "",
                            )
                            .help = Some("drop `error:` for a successful response".into());
                            ok = false;
                        }
                        (None, Some(found)) => {
                            self.error(
                                file,
                                ex.file.span.clone(),
                                format!("the example body is the error `{found}`"),
                                "",
                            )
                            .help = Some(format!("add `error: {found}` to the example"));
                            ok = false;
                        }
                        _ => {}
                    }
                    if let Some(expected) = &ex.error
                        && !codes.contains(&expected.value)
                        && !system_codes.contains(&expected.value)
                    {
                        self.error(
                            file,
                            expected.span.clone(),
                            format!(
                                "`{}` is neither an error of this method nor a system error",
                                expected.value
                            ),
                            "",
                        )
                        .help = Some("document the code under `errors:`".into());
                        ok = false;
                    }
                }
            }
            examples.push(ir::Example {
                path: ex_path,
                text,
                doc: ex.doc.clone(),
                status: ex.status.unwrap_or(200),
                error: ex.error.as_ref().map(|e| e.value.clone()),
                skipped: ex.skipped.clone(),
            });
        }
        (examples, ok)
    }
}

impl Lowerer<'_> {
    /// The example file `name` refers to, relative to `dir` (the folder of the spec file that
    /// lists it): its path from the repository root and its id, or an error at `name`.
    pub(super) fn example_file(
        &mut self,
        file: FileId,
        dir: &str,
        name: &crate::de::Sp<String>,
    ) -> Option<(String, FileId)> {
        let ex_path = normalize(&format!("{dir}/{}", name.value));
        if let Some(ex_file) = self.sources.find(&ex_path) {
            return Some((ex_path, ex_file));
        }
        self.error(
            file,
            name.span.clone(),
            format!("example file `{ex_path}` not found"),
            "",
        )
        .help = Some("example paths are relative to the spec file that lists them".into());
        None
    }
}

fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len();
    }
    text.len().saturating_sub(1)
}
