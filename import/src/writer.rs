//! Writes a draft as a spec YAML file.
//!
//! This is the only module that knows the spec format's keys and spellings. Where the format
//! changes (key names, what `required` may be used for), only this file changes.

use std::fmt::Write as _;

use crate::draft::{Draft, ErrorEntry, Example, Param, Presence, TypeBody, TypeDef, TypeField};
use crate::paging::Pagination;
use crate::shape::Shape;

/// The YAML text of a draft.
pub fn yaml(d: &Draft) -> String {
    let mut w = Writer::default();
    w.line(
        0,
        "# yaml-language-server: $schema=../_schema/method.schema.json",
    );
    w.line(0, "#");
    w.line(
        0,
        "# Drafted by `cargo xtask import` from the official reference page. Check every",
    );
    w.line(
        0,
        "# `# review:` note against the page and the server, then delete the note.",
    );
    for note in &d.review {
        w.review(0, note);
    }
    w.key(0, "method", &scalar(&d.method));
    w.review_opt(0, d.scope.review.as_deref());
    w.key(0, "scope", &scalar(&d.scope.value));
    w.review_opt(0, d.summary.review.as_deref());
    w.key(0, "summary", &scalar(&d.summary.value));
    if let Some(doc) = &d.doc {
        w.doc(0, "doc", doc);
    }
    w.review_opt(0, d.docs_url.review.as_deref());
    w.key(0, "docs_url", &scalar(&d.docs_url.value));
    w.review_opt(0, d.read_only.review.as_deref());
    w.key(
        0,
        "read_only",
        if d.read_only.value { "true" } else { "false" },
    );

    if !d.params.is_empty() {
        w.blank();
        w.line(0, "params:");
        for p in &d.params {
            param(&mut w, p);
        }
    }

    if let Some(p) = &d.pagination {
        pagination(&mut w, p);
    }

    w.blank();
    w.line(0, "result:");
    w.key(1, "type", &scalar(&type_expr(&d.result)));
    if let Some(doc) = &d.result_doc {
        w.doc(1, "doc", doc);
    }

    if !d.errors.is_empty() {
        w.blank();
        w.line(0, "errors:");
        for e in &d.errors {
            error(&mut w, e);
        }
    }

    if !d.types.is_empty() {
        w.blank();
        w.line(0, "types:");
        for (i, t) in d.types.iter().enumerate() {
            if i > 0 {
                w.blank();
            }
            type_def(&mut w, t);
        }
    }

    if !d.examples.is_empty() {
        w.blank();
        w.line(0, "examples:");
        for e in &d.examples {
            example(&mut w, e);
        }
    }
    w.out
}

fn param(w: &mut Writer, p: &Param) {
    for note in &p.review {
        w.review(1, note);
    }
    w.item(1, "name", &scalar(&p.name));
    w.key(2, "type", &scalar(&type_expr(&p.ty)));
    if let Some(rust) = &p.rust_name {
        w.key(2, "rust_name", &scalar(rust));
    }
    if p.required {
        w.key(2, "required", "true");
    }
    if let Some(default) = &p.default {
        w.key(2, "default", &quoted(default));
    }
    if let Some(min) = p.min {
        w.key(2, "min", &min.to_string());
    }
    if let Some(max) = p.max {
        w.key(2, "max", &max.to_string());
    }
    if let Some(doc) = &p.doc {
        w.doc(2, "doc", doc);
    }
}

fn pagination(w: &mut Writer, p: &Pagination) {
    w.blank();
    for note in &p.review {
        w.review(0, note);
    }
    w.line(0, "pagination:");
    if let Some(items) = &p.items {
        w.key(1, "items", &scalar(items));
    }
    if let Some((param, default, max)) = &p.limit {
        w.line(1, "limit:");
        w.key(2, "param", &scalar(param));
        w.key(2, "default", &default.to_string());
        w.key(2, "max", &max.to_string());
    }
    if let Some(o) = &p.offset {
        w.line(1, "offset:");
        w.key(2, "param", &scalar(&o.param));
        if o.total {
            w.key(2, "total", "true");
        }
        if o.next {
            w.key(2, "next", "true");
        }
    }
    if !p.keyset.is_empty() {
        w.line(1, "keyset:");
        for k in &p.keyset {
            w.item(2, "param", &scalar(&k.param));
            w.key(3, "key", &scalar(&k.key));
            w.key(3, "order", k.order);
        }
    }
    if let Some(c) = &p.continuation {
        w.line(1, "continuation:");
        w.key(2, "param", &scalar(&c.param));
        w.key(2, "next", &scalar(&c.next));
        if let Some(more) = &c.more {
            w.key(2, "more", &scalar(more));
        }
    }
}

fn error(w: &mut Writer, e: &ErrorEntry) {
    for note in &e.review {
        w.review(1, note);
    }
    w.item(1, "code", &scalar(&e.code));
    let status = match e.statuses.as_slice() {
        [one] => one.to_string(),
        several => format!(
            "[{}]",
            several
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    w.key(2, "status", &status);
    if !e.messages.is_empty() {
        let list: Vec<String> = e.messages.iter().map(|m| quoted(m)).collect();
        w.key(2, "messages", &format!("[{}]", list.join(", ")));
    }
    if let Some(doc) = &e.doc {
        w.doc(2, "doc", doc);
    }
    if let Some(rust) = &e.rust_name {
        w.key(2, "rust_name", &scalar(rust));
    }
}

fn type_def(w: &mut Writer, t: &TypeDef) {
    for note in &t.review {
        w.review(1, note);
    }
    w.item(1, "name", &scalar(&t.name));
    if let Some(doc) = &t.doc {
        w.doc(2, "doc", doc);
    }
    match &t.body {
        TypeBody::Object(fields) => {
            w.line(2, "fields:");
            for f in fields {
                field(w, f);
            }
        }
        TypeBody::Enum(values) => {
            w.line(2, "values:");
            for (value, doc, rust) in values {
                w.item(3, "value", &scalar(value));
                if !doc.is_empty() {
                    w.doc(4, "doc", doc);
                }
                if let Some(rust) = rust {
                    w.key(4, "rust_name", &scalar(rust));
                }
            }
        }
    }
}

fn field(w: &mut Writer, f: &TypeField) {
    for note in &f.review {
        w.review(3, note);
    }
    w.item(3, "name", &scalar(&f.name));
    w.key(4, "type", &scalar(&type_expr(&f.ty)));
    if let Some(rust) = &f.rust_name {
        w.key(4, "rust_name", &scalar(rust));
    }
    match &f.presence {
        Presence::Identity => w.key(4, "identity", "true"),
        Presence::Required(because) => {
            w.key(4, "required", "true");
            w.key(4, "required_because", &scalar(because));
        }
        Presence::Empty => w.key(4, "when_absent", "empty"),
        Presence::Unknown => {}
    }
    if let Some(doc) = &f.doc {
        w.doc(4, "doc", doc);
    }
}

fn example(w: &mut Writer, e: &Example) {
    w.item(1, "file", &scalar(&e.file));
    if let Some(status) = e.status {
        w.key(2, "status", &status.to_string());
    }
    if let Some(code) = &e.error {
        w.key(2, "error", &scalar(code));
    }
    w.doc(2, "doc", &e.doc);
}

/// A type expression in the spec's spelling (`list<DialogUser>`, `datetime|false`).
pub fn type_expr(shape: &Shape) -> String {
    match shape {
        Shape::Scalar(s) => (*s).to_owned(),
        Shape::Named(n) => n.clone(),
        // Objects and enums are named by the draft before writing; an unnamed one is `json`.
        Shape::Object(_) | Shape::Enum(_) | Shape::Union | Shape::OneOf(_) => "json".into(),
        Shape::List(inner) => format!("list<{}>", type_expr(inner)),
        Shape::CommaList(inner) => format!("comma_list<{}>", type_expr(inner)),
        Shape::Map(key, inner) => format!("map<{key}, {}>", type_expr(inner)),
        Shape::Or(inner, absent) => format!("{}|{}", type_expr(inner), absent.spelling()),
    }
}

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn key(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {value}"));
    }

    /// The first key of a list entry (`- name: X`), `indent` being the entry's level.
    fn item(&mut self, indent: usize, key: &str, value: &str) {
        let pad = "  ".repeat(indent);
        let _ = writeln!(self.out, "{pad}- {key}: {value}");
    }

    /// A documentation value: plain or quoted on one line, a `|` block otherwise.
    fn doc(&mut self, indent: usize, key: &str, text: &str) {
        let text = text.trim();
        if !text.contains('\n') && text.len() <= 90 {
            self.key(indent, key, &scalar(text));
            return;
        }
        self.line(indent, &format!("{key}: |"));
        for line in text.lines() {
            if line.trim().is_empty() {
                self.out.push('\n');
            } else {
                self.line(indent + 1, line.trim_end());
            }
        }
    }

    fn review(&mut self, indent: usize, note: &str) {
        let one_line = note.split_whitespace().collect::<Vec<_>>().join(" ");
        self.line(indent, &format!("# review: {one_line}"));
    }

    fn review_opt(&mut self, indent: usize, note: Option<&str>) {
        if let Some(note) = note {
            self.review(indent, note);
        }
    }
}

/// A scalar: plain when YAML reads it back as the same string, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        quoted(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(char::is_control)
    {
        return false;
    }
    let lower = s.to_lowercase();
    let reserved = [
        "true", "false", "null", "~", "yes", "no", "on", "off", "y", "n",
    ];
    !(reserved.contains(&lower.as_str()) || s.parse::<f64>().is_ok() || lower.starts_with("0x"))
}

/// A double-quoted YAML string.
pub fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_quote_what_yaml_would_misread() {
        assert_eq!(scalar("im.chat.get"), "im.chat.get");
        assert_eq!(scalar("N"), "\"N\"");
        assert_eq!(scalar("50"), "\"50\"");
        assert_eq!(scalar("`ID` is missing"), "\"`ID` is missing\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(quoted("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    }
}
