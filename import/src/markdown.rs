//! Reading a reference page into blocks.
//!
//! The pages are CommonMark (read with `pulldown-cmark`) plus two YFM extensions that CommonMark
//! does not know: `#| ... |#` tables, whose rows are `|| cell | cell ||` and whose cells hold
//! Markdown of their own, and `{% ... %}` directive lines (`note`, `list tabs`, `include`). A
//! small line reader cuts the page into Markdown stretches, tables and directives; each Markdown
//! stretch and each table cell then goes through the Markdown parser.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// One piece of inline content, in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// Bold text (rendered plainly).
    Strong(String),
    /// An inline code span.
    Code(String),
    /// A link: its label, target, and whether the label is a code span (a type link).
    Link {
        label: String,
        dest: String,
        code: bool,
    },
    /// A new paragraph starts.
    Para,
    /// A list item starts.
    Item,
}

/// Inline content of a paragraph, list item or table cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline {
    pub spans: Vec<Span>,
}

impl Inline {
    /// The text as a spec `doc` shows it: code spans keep their backticks, links keep their
    /// label, paragraphs are separated by a blank line and list items start with `- `.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for span in &self.spans {
            match span {
                Span::Text(t) | Span::Strong(t) => out.push_str(t),
                Span::Code(c) => {
                    out.push('`');
                    out.push_str(c);
                    out.push('`');
                }
                // "[(detailed description)](#result)" points at a table the doc cannot show.
                Span::Link { label, dest, .. }
                    if dest.starts_with('#') && label.starts_with('(') =>
                {
                    trim_end_spaces(&mut out);
                }
                Span::Link { label, code, .. } => {
                    if *code {
                        out.push('`');
                        out.push_str(label);
                        out.push('`');
                    } else {
                        out.push_str(label);
                    }
                }
                Span::Para => {
                    trim_end_spaces(&mut out);
                    if !out.is_empty() {
                        out.push_str("\n\n");
                    }
                }
                Span::Item => {
                    trim_end_spaces(&mut out);
                    if !out.is_empty() {
                        out.push('\n');
                    }
                    out.push_str("- ");
                }
            }
        }
        let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
        lines.join("\n").trim().to_owned()
    }

    /// The text on one line (paragraph and item breaks become spaces).
    pub fn flat(&self) -> String {
        self.render()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Code spans (including code labels of links), in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().filter_map(|s| match s {
            Span::Code(c) => Some(c.as_str()),
            Span::Link {
                label, code: true, ..
            } => Some(label.as_str()),
            _ => None,
        })
    }

    /// Targets of in-page links (`#anchor` -> `anchor`).
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().filter_map(|s| match s {
            Span::Link { dest, .. } => dest.strip_prefix('#'),
            _ => None,
        })
    }
}

fn trim_end_spaces(s: &mut String) {
    while s.ends_with(' ') {
        s.pop();
    }
}

/// A YFM table: the header row and the body rows, each a list of cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<Inline>,
    pub rows: Vec<Vec<Inline>>,
}

/// A block of the page, in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    /// A paragraph or the text of a list item; `quoted` inside a `>` block quote.
    Text {
        inline: Inline,
        quoted: bool,
    },
    /// A fenced code block.
    Code {
        lang: String,
        text: String,
    },
    Table(Table),
    /// A `{% ... %}` directive line, without the braces (`note warning "Deprecated method"`).
    Directive(String),
}

/// Reads a whole page.
pub fn parse(page: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for segment in segments(page) {
        match segment {
            Segment::Markdown(text) => markdown_blocks(&text, &mut blocks),
            Segment::Table(text) => blocks.push(Block::Table(table(&text))),
            Segment::Directive(text) => blocks.push(Block::Directive(text)),
        }
    }
    blocks
}

enum Segment {
    Markdown(String),
    Table(String),
    Directive(String),
}

/// Cuts a page into Markdown stretches, YFM tables and directive lines. Fenced code is never
/// looked into, so a `#|` inside an example stays text.
fn segments(page: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut markdown = String::new();
    let mut table = String::new();
    let mut table_depth = 0usize;
    let mut fence: Option<String> = None;
    for line in page.lines() {
        let trimmed = line.trim();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str())
                && trimmed
                    .trim_start_matches(marker.as_str())
                    .trim()
                    .is_empty()
            {
                fence = None;
            }
        } else if let Some(marker) = fence_marker(trimmed) {
            fence = Some(marker);
        } else if table_depth > 0 {
            if trimmed.starts_with("|#") {
                table_depth -= 1;
                if table_depth == 0 {
                    out.push(Segment::Table(std::mem::take(&mut table)));
                    continue;
                }
            } else if trimmed.starts_with("#|") {
                table_depth += 1;
            }
        } else if trimmed.starts_with("#|") {
            flush_markdown(&mut markdown, &mut out);
            table_depth = 1;
            table.push_str(trimmed.trim_start_matches("#|"));
            table.push('\n');
            continue;
        } else if let Some(inner) = directive(trimmed) {
            flush_markdown(&mut markdown, &mut out);
            out.push(Segment::Directive(inner.to_owned()));
            continue;
        }
        let target = if table_depth > 0 {
            &mut table
        } else {
            &mut markdown
        };
        target.push_str(line);
        target.push('\n');
    }
    if table_depth > 0 {
        out.push(Segment::Table(table));
    }
    flush_markdown(&mut markdown, &mut out);
    out
}

fn flush_markdown(markdown: &mut String, out: &mut Vec<Segment>) {
    if !markdown.trim().is_empty() {
        out.push(Segment::Markdown(std::mem::take(markdown)));
    }
    markdown.clear();
}

/// The fence of a line that opens a fenced code block (```` ``` ```` or `~~~`, any length).
fn fence_marker(trimmed: &str) -> Option<String> {
    for c in ['`', '~'] {
        let run = trimmed.chars().take_while(|&x| x == c).count();
        if run >= 3 {
            return Some(c.to_string().repeat(run));
        }
    }
    None
}

/// The inside of a `{% ... %}` line.
fn directive(trimmed: &str) -> Option<&str> {
    trimmed
        .strip_prefix("{%")
        .and_then(|rest| rest.strip_suffix("%}"))
        .map(str::trim)
}

/// Splits the inside of a `#| ... |#` table into rows of cells. `||` opens and closes a row, `|`
/// separates cells; pipes inside code spans and escaped pipes are text. Continuation lines of a
/// row lose the indentation the row itself has.
fn table(inner: &str) -> Table {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Option<Vec<String>> = None;
    let mut cell = String::new();
    let mut row_indent = 0usize;
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0usize;
    while let Some(&c) = chars.get(i) {
        if at_line_start {
            if c == ' ' {
                line_indent += 1;
                if row.is_none() || line_indent > row_indent {
                    cell.push(c);
                }
                i += 1;
                continue;
            }
            at_line_start = false;
        }
        match c {
            '\n' => {
                cell.push('\n');
                at_line_start = true;
                line_indent = 0;
                i += 1;
            }
            '\\' if chars.get(i + 1) == Some(&'|') => {
                cell.push('|');
                i += 2;
            }
            '`' => {
                let run = backtick_run(&chars, i);
                let end = closing_backticks(&chars, i + run, run);
                let stop = end.map_or(i + run, |e| e + run);
                cell.extend(chars.get(i..stop).unwrap_or_default());
                i = stop;
            }
            '|' if chars.get(i + 1) == Some(&'|') => {
                match row.take() {
                    Some(mut cells) => {
                        cells.push(std::mem::take(&mut cell));
                        rows.push(cells);
                    }
                    None => {
                        cell.clear();
                        row = Some(Vec::new());
                        row_indent = line_indent;
                    }
                }
                i += 2;
            }
            '|' if row.is_some() => {
                if let Some(cells) = row.as_mut() {
                    cells.push(std::mem::take(&mut cell));
                }
                i += 1;
            }
            _ => {
                if row.is_some() {
                    cell.push(c);
                }
                i += 1;
            }
        }
    }
    let mut rows = rows
        .into_iter()
        .map(|cells| cells.iter().map(|c| cell_inline(c)).collect::<Vec<_>>());
    let header = rows.next().unwrap_or_default();
    Table {
        header,
        rows: rows.collect(),
    }
}

/// How many backticks start at `at`.
fn backtick_run(chars: &[char], at: usize) -> usize {
    chars
        .get(at..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&x| x == '`')
        .count()
}

/// Index of the backtick run of exactly `len` that closes a code span opened before `from`.
fn closing_backticks(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars.get(i) == Some(&'`') {
            let run = backtick_run(chars, i);
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// A table cell's Markdown as one inline run (directives inside the cell are dropped).
pub fn cell_inline(source: &str) -> Inline {
    let mut text = String::new();
    for line in source.lines() {
        if directive(line.trim()).is_none() {
            text.push_str(strip_inline_directives(line).as_str());
        }
        text.push('\n');
    }
    let mut blocks = Vec::new();
    markdown_blocks(&text, &mut blocks);
    let mut inline = Inline::default();
    for block in blocks {
        match block {
            Block::Text { inline: part, .. } => {
                if !inline.spans.is_empty() && !matches!(part.spans.first(), Some(Span::Item)) {
                    inline.spans.push(Span::Para);
                }
                inline.spans.extend(part.spans);
            }
            Block::Code { text, .. } => {
                inline.spans.push(Span::Para);
                inline.spans.push(Span::Text(text));
            }
            Block::Heading { text, .. } => {
                inline.spans.push(Span::Para);
                inline.spans.push(Span::Text(text));
            }
            Block::Table(_) | Block::Directive(_) => {}
        }
    }
    inline
}

/// Drops `{% ... %}` pieces from a line (a directive can close a note inside a table cell).
fn strip_inline_directives(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{%") {
        out.push_str(rest.get(..start).unwrap_or_default());
        match rest.get(start..).and_then(|r| r.find("%}")) {
            Some(end) => rest = rest.get(start + end + 2..).unwrap_or_default(),
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What the Markdown walker is collecting inside inline content.
enum Open {
    Strong(String),
    Link {
        dest: String,
        label: String,
        code: bool,
    },
}

/// Appends the blocks of a Markdown stretch.
fn markdown_blocks(text: &str, out: &mut Vec<Block>) {
    let mut current: Option<Inline> = None;
    let mut open: Vec<Open> = Vec::new();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut code: Option<(String, String)> = None;
    let mut quote_depth = 0usize;
    let mut item_pending = false;

    let flush = |current: &mut Option<Inline>, out: &mut Vec<Block>, quoted: bool| {
        if let Some(inline) = current.take()
            && inline
                .spans
                .iter()
                .any(|s| !matches!(s, Span::Item | Span::Para))
        {
            out.push(Block::Text { inline, quoted });
        }
    };

    for event in Parser::new_ext(text, Options::ENABLE_HEADING_ATTRIBUTES) {
        let quoted = quote_depth > 0;
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                flush(&mut current, out, quoted);
                heading = Some((level as u8, id.map(|i| i.to_string()), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, anchor, text)) = heading.take() {
                    out.push(Block::Heading {
                        level,
                        text: text.trim().to_owned(),
                        anchor,
                    });
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut current, out, quoted);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, text)) = code.take() {
                    out.push(Block::Code { lang, text });
                }
            }
            Event::Start(Tag::BlockQuote(_)) => {
                flush(&mut current, out, quoted);
                quote_depth += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                flush(&mut current, out, quoted);
                quote_depth = quote_depth.saturating_sub(1);
            }
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) if !item_pending => {
                flush(&mut current, out, quoted);
            }
            Event::Start(Tag::Item) => {
                flush(&mut current, out, quoted);
                current = Some(Inline {
                    spans: vec![Span::Item],
                });
                item_pending = true;
            }
            Event::End(TagEnd::Item) | Event::Start(Tag::List(_)) | Event::End(TagEnd::List(_)) => {
                item_pending = false;
                flush(&mut current, out, quoted);
            }
            Event::Start(Tag::Strong) => open.push(Open::Strong(String::new())),
            Event::End(TagEnd::Strong) => {
                if let Some(Open::Strong(text)) = open.pop() {
                    push_span(&mut current, &mut open, &mut heading, Span::Strong(text));
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => open.push(Open::Link {
                dest: dest_url.to_string(),
                label: String::new(),
                code: false,
            }),
            Event::End(TagEnd::Link) => {
                if let Some(Open::Link { dest, label, code }) = open.pop() {
                    push_span(
                        &mut current,
                        &mut open,
                        &mut heading,
                        Span::Link { label, dest, code },
                    );
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(&t);
                } else {
                    push_span(
                        &mut current,
                        &mut open,
                        &mut heading,
                        Span::Text(t.to_string()),
                    );
                }
            }
            Event::Code(c) => {
                push_span(
                    &mut current,
                    &mut open,
                    &mut heading,
                    Span::Code(c.to_string()),
                );
            }
            Event::SoftBreak => {
                push_span(
                    &mut current,
                    &mut open,
                    &mut heading,
                    Span::Text(" ".into()),
                );
            }
            Event::HardBreak => {
                push_span(
                    &mut current,
                    &mut open,
                    &mut heading,
                    Span::Text("\n".into()),
                );
            }
            _ => {}
        }
    }
    flush(&mut current, out, quote_depth > 0);
}

/// Adds a span to whatever is open: a strong run or link label, a heading, or the current text.
fn push_span(
    current: &mut Option<Inline>,
    open: &mut [Open],
    heading: &mut Option<(u8, Option<String>, String)>,
    span: Span,
) {
    if let Some(top) = open.last_mut() {
        let (text, is_code) = match &span {
            Span::Text(t) | Span::Strong(t) => (t.clone(), false),
            Span::Code(c) => (c.clone(), true),
            Span::Link { label, .. } => (label.clone(), false),
            Span::Para | Span::Item => (String::new(), false),
        };
        match top {
            Open::Strong(buf) => {
                if is_code {
                    buf.push('`');
                    buf.push_str(&text);
                    buf.push('`');
                } else {
                    buf.push_str(&text);
                }
            }
            Open::Link { label, code, .. } => {
                *code = is_code && label.is_empty();
                label.push_str(&text);
            }
        }
        return;
    }
    if let Some((_, _, text)) = heading.as_mut() {
        match span {
            Span::Text(t) | Span::Strong(t) | Span::Code(t) => text.push_str(&t),
            Span::Link { label, .. } => text.push_str(&label),
            Span::Para | Span::Item => {}
        }
        return;
    }
    current.get_or_insert_with(Inline::default).spans.push(span);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn tables_directives_and_code_are_separated() {
        let page = "# Title im.x.get\n\n{% note tip \"\" %}\n\nA tip.\n\n{% endnote %}\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID***\n[`integer`](../data.md) | The id.\n\n- `a` — first\n- `b` — second ||\n  || **LIST**\n  [`array`](../data.md) | Uses ```A|B``` pipes ||\n  |#\n\n```json\n{\"result\": true}\n```\n";
        let blocks = parse(page);
        let kinds: Vec<&str> = blocks
            .iter()
            .map(|b| match b {
                Block::Heading { .. } => "heading",
                Block::Text { .. } => "text",
                Block::Code { .. } => "code",
                Block::Table(_) => "table",
                Block::Directive(_) => "directive",
            })
            .collect();
        assert_eq!(
            kinds,
            ["heading", "directive", "text", "directive", "table", "code"]
        );
        let Block::Table(t) = &blocks[4] else {
            panic!()
        };
        assert_eq!(t.header.len(), 2);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0][1].render(),
            "The id.\n- `a` — first\n- `b` — second"
        );
        assert_eq!(t.rows[1][1].render(), "Uses `A|B` pipes");
        assert_eq!(
            t.rows[1][0].spans,
            [
                Span::Strong("LIST".into()),
                Span::Text(" ".into()),
                Span::Link {
                    label: "array".into(),
                    dest: "../data.md".into(),
                    code: true
                }
            ]
        );
    }

    #[test]
    fn heading_anchors_and_quotes() {
        let blocks = parse("#### Phones Object {#result-phones}\n\n> Scope: [`im`](x.md)\n");
        assert_eq!(
            blocks[0],
            Block::Heading {
                level: 4,
                text: "Phones Object".into(),
                anchor: Some("result-phones".into())
            }
        );
        let Block::Text { inline, quoted } = &blocks[1] else {
            panic!()
        };
        assert!(quoted);
        assert_eq!(inline.render(), "Scope: `im`");
    }
}
