//! The README's list of methods: a Markdown table by method group, one line per method with
//! its summary, written between two markers of `README.md`.

use std::fmt::Write as _;

use crate::ir;

/// The table of every method of every scope: the group (also the cargo feature of its types)
/// on the first row of each group, the method, whether it pages, and its summary.
pub(crate) fn methods_table(api: &ir::Api) -> String {
    let count: usize = api.scopes.iter().map(|s| s.methods.len()).sum();
    let mut out = format!(
        "{count} methods, by group (the group is also the cargo feature of their types in the\n\
         scope's crate). A method marked *pages* is walked by the client's page streams.\n\n\
         | group | method | summary |\n|---|---|---|\n"
    );
    for scope in &api.scopes {
        let mut methods: Vec<&ir::Method> = scope.methods.iter().collect();
        methods.sort_by(|a, b| (&a.group, &a.wire).cmp(&(&b.group, &b.wire)));
        let mut last_group: Option<&str> = None;
        for m in methods {
            let group = if last_group == Some(m.group.as_str()) {
                String::new()
            } else {
                format!("`{}`", m.feature)
            };
            last_group = Some(&m.group);
            let pages = if m.pagination.is_some() {
                " *pages*"
            } else {
                ""
            };
            let summary = m.summary.trim().replace('|', "\\|").replace('\n', " ");
            let _ = writeln!(out, "| {group} | `{}`{pages} | {summary} |", m.wire);
        }
    }
    out
}
