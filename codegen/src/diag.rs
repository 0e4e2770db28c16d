//! Spec diagnostics: collected, sorted, rendered like rustc's.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::source::{FileId, SourceSet};

/// A place in a spec file, as a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// Byte range in the file's text.
    pub range: Range<usize>,
}

impl Span {
    pub(crate) fn new(file: FileId, range: Range<usize>) -> Self {
        Self { file, range }
    }
}

/// A labelled span of a diagnostic.
#[derive(Debug, Clone)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (may be empty).
    pub text: String,
}

/// One problem in the spec.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// What is wrong.
    pub message: String,
    /// Where it is wrong.
    pub primary: Label,
    /// Related places (the first definition of a duplicate, ...).
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            primary: Label {
                span,
                text: label.into(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    pub(crate) fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            text: label.into(),
        });
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one generator run.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        self.items.push(diagnostic);
        match self.items.last_mut() {
            Some(last) => last,
            None => unreachable!("an item was just pushed"),
        }
    }

    /// Number of problems.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// No problems.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems, sorted by file and position.
    #[must_use]
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub(crate) fn sort(&mut self, sources: &SourceSet) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                (
                    sources.path(d.primary.span.file).to_owned(),
                    d.primary.span.range.start,
                    d.message.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.items
            .dedup_by(|a, b| a.message == b.message && a.primary.span == b.primary.span);
    }

    /// Renders every diagnostic, rustc style, followed by a count.
    #[must_use]
    pub fn render(&self, sources: &SourceSet) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for diagnostic in &self.items {
            out.push_str(&renderer.render(&report(diagnostic, sources)).to_string());
            out.push_str("\n\n");
        }
        let n = self.items.len();
        out.push_str(&format!(
            "error: the spec has {n} problem{}; nothing was generated",
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "error: {}", d.message)?;
        }
        Ok(())
    }
}

fn report<'a>(diagnostic: &'a Diagnostic, sources: &'a SourceSet) -> Vec<Group<'a>> {
    let mut group = Group::with_title(Level::ERROR.primary_title(diagnostic.message.as_str()));
    // Primary file first, then one snippet per other file with secondary labels.
    let mut files = vec![diagnostic.primary.span.file];
    for label in &diagnostic.secondary {
        if !files.contains(&label.span.file) {
            files.push(label.span.file);
        }
    }
    let mut first = true;
    for file in files {
        let Some(source) = sources.get(file) else {
            continue;
        };
        let text = source.text.as_str();
        let clamp = |r: &Range<usize>| {
            let start = r.start.min(text.len());
            let end = r.end.clamp(start, text.len());
            start..end
        };
        let mut snippet = Snippet::source(text)
            .path(source.path.as_str())
            .line_start(1)
            .fold(true);
        if file == diagnostic.primary.span.file && first {
            snippet = snippet.annotation(
                AnnotationKind::Primary
                    .span(clamp(&diagnostic.primary.span.range))
                    .label(non_empty(&diagnostic.primary.text)),
            );
        }
        first = false;
        for label in diagnostic.secondary.iter().filter(|l| l.span.file == file) {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(clamp(&label.span.range))
                    .label(non_empty(&label.text)),
            );
        }
        group = group.element(snippet);
    }
    if let Some(help) = &diagnostic.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    vec![group]
}

fn non_empty(text: &str) -> Option<&str> {
    if text.is_empty() { None } else { Some(text) }
}
