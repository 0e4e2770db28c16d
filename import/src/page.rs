//! What a reference page says, read from its blocks: the method, the parameter tables, the
//! response examples and returned-data tables, and the error tables.
//!
//! Every method page has the same sections (`## Method Parameters`, `## Response Handling` with
//! `### Returned Data`, `## Error Handling` with `### Possible Error Codes`); this module finds
//! them by their headings and reads their tables by their header rows, so a page that words a
//! heading differently or adds a section still reads.

use crate::json::Json;
use crate::markdown::{self, Block, Inline, Span, Table};

/// A row of a `Name | Description` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The name as written, without the required marker (`DIALOG_ID`, `result.events[].type`).
    pub name: String,
    /// Marked with `*` (required).
    pub required: bool,
    /// The type links under the name (`integer`, `object`, ...), with their in-page anchors.
    pub types: Vec<TypeLink>,
    /// The description cell.
    pub desc: Inline,
}

/// A type link such as ``[`integer`](../data-types.md)``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeLink {
    /// The label, lower-cased (`integer`, `object[]`, `file`).
    pub name: String,
    /// The anchor of the link target, if any (`time`, `file`).
    pub anchor: Option<String>,
}

impl Row {
    /// Whether one of the type links is `name`.
    pub fn has_type(&self, name: &str) -> bool {
        self.types.iter().any(|t| t.name == name)
    }
}

/// A table under its own heading: a nested object (`#### Phones Object {#phones}`) or a list of
/// values (`| Type | Description |`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubTable {
    /// The heading text above the table.
    pub title: String,
    /// The heading's anchor (`{#phones}`).
    pub anchor: Option<String>,
    /// The rows, for a `Name | Description` table.
    pub rows: Vec<Row>,
    /// Value and description, for a table of values.
    pub values: Vec<(String, String)>,
}

/// A JSON example of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The block's text, exactly as on the page.
    pub text: String,
    /// The parsed body.
    pub json: Json,
}

/// A row of the error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// HTTP status, when the table has a status column.
    pub status: Option<u16>,
    /// The code exactly as written.
    pub code: String,
    /// The `error_description` text.
    pub message: String,
    /// What it means.
    pub meaning: String,
}

/// Everything the importer reads from a page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The page title (the `#` heading).
    pub title: String,
    /// The method name found in the title or the first paragraph.
    pub method: Option<String>,
    /// The scope from the `Scope:` line.
    pub scope: Option<String>,
    /// The first paragraph that describes the method.
    pub intro: Option<Inline>,
    /// The page marks the method deprecated.
    pub deprecated: bool,
    /// The parameter table.
    pub params: Vec<Row>,
    /// Tables of nested parameter objects.
    pub param_tables: Vec<SubTable>,
    /// Successful response examples, in page order.
    pub responses: Vec<Example>,
    /// The top returned-data table (`result`, `total`, `time`, ...).
    pub returned: Vec<Row>,
    /// Tables of nested result objects and value lists.
    pub result_tables: Vec<SubTable>,
    /// Error response examples.
    pub error_examples: Vec<Example>,
    /// The statuses of the `HTTP Status:` line of the error section.
    pub error_statuses: Vec<u16>,
    /// The error table's rows (empty when the page has none).
    pub errors: Vec<ErrorRow>,
    /// The page has an error table.
    pub has_error_table: bool,
    /// JSON blocks that did not parse (their error), so the caller can say so.
    pub bad_json: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Top,
    Params,
    Response,
    Errors,
    Other,
}

/// Reads a page.
pub fn read(text: &str) -> Page {
    let blocks = markdown::parse(text);
    let mut page = Page::default();
    let mut zone = Zone::Top;
    let mut note_depth = 0usize;
    let mut heading: (String, Option<String>) = (String::new(), None);
    let mut in_returned = false;
    for block in blocks {
        match block {
            Block::Heading {
                level,
                text,
                anchor,
            } => {
                if level == 1 && page.title.is_empty() {
                    page.method = method_in(&text);
                    page.title = text;
                    continue;
                }
                let lower = text.to_lowercase();
                if level <= 2 {
                    zone = if lower.contains("parameter") {
                        Zone::Params
                    } else if lower.contains("response") || lower.contains("returned data") {
                        Zone::Response
                    } else if lower.contains("error") {
                        Zone::Errors
                    } else {
                        Zone::Other
                    };
                    in_returned = lower.contains("returned data");
                } else if zone == Zone::Response && lower.contains("returned data") {
                    in_returned = true;
                }
                heading = (text, anchor);
            }
            Block::Directive(d) => {
                if d.starts_with("note") {
                    note_depth += 1;
                    if d.to_lowercase().contains("deprecated") {
                        page.deprecated = true;
                    }
                } else if d.starts_with("endnote") {
                    note_depth = note_depth.saturating_sub(1);
                }
            }
            Block::Text { inline, quoted } => {
                let flat = inline.flat();
                if quoted && flat.starts_with("Scope") {
                    page.scope = inline.codes().next().map(str::to_owned);
                } else if zone == Zone::Top && !quoted && note_depth == 0 && page.intro.is_none() {
                    // "The method `im.recent.pin` pins ..." names the method more surely than
                    // a title such as "Pin a Chat at the Top of the im.recent List".
                    if let Some(named) = inline.codes().find(|c| is_method_name(c)) {
                        page.method = Some(named.to_owned());
                    }
                    page.intro = Some(inline);
                } else if zone == Zone::Errors && flat.to_lowercase().starts_with("http status") {
                    page.error_statuses = inline
                        .spans
                        .iter()
                        .filter_map(|s| match s {
                            Span::Strong(t) => t.trim().parse().ok(),
                            _ => None,
                        })
                        .collect();
                }
            }
            Block::Code { lang, text } => {
                let is_json =
                    lang == "json" || (lang.is_empty() && text.trim_start().starts_with('{'));
                if !is_json || !matches!(zone, Zone::Response | Zone::Errors) {
                    continue;
                }
                match Json::parse(&text) {
                    Ok(json) if json.get("error").is_some() => {
                        page.error_examples.push(Example { text, json });
                    }
                    Ok(json) if json.get("result").is_some() => {
                        page.responses.push(Example { text, json });
                    }
                    Ok(_) => {}
                    Err(e) => page.bad_json.push(e.to_string()),
                }
            }
            Block::Table(table) => match (zone, kind(&table)) {
                (Zone::Errors, TableKind::Errors) | (Zone::Other, TableKind::Errors) => {
                    page.has_error_table = true;
                    page.errors.extend(error_rows(&table));
                }
                (Zone::Params, TableKind::Fields) if page.params.is_empty() => {
                    page.params = rows(&table);
                }
                (Zone::Params, kind) => page.param_tables.push(sub_table(&heading, &table, kind)),
                (Zone::Response, TableKind::Fields) if page.returned.is_empty() && in_returned => {
                    page.returned = rows(&table);
                }
                (Zone::Response | Zone::Other, kind @ (TableKind::Fields | TableKind::Values))
                    if !page.returned.is_empty() =>
                {
                    page.result_tables.push(sub_table(&heading, &table, kind));
                }
                _ => {}
            },
        }
    }
    page
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    Fields,
    Errors,
    Values,
    Unknown,
}

fn kind(table: &Table) -> TableKind {
    let heads: Vec<String> = table
        .header
        .iter()
        .map(|h| h.flat().to_lowercase())
        .collect();
    let first = heads.first().map(String::as_str).unwrap_or("");
    if heads.iter().any(|h| h == "code") {
        TableKind::Errors
    } else if first.starts_with("name") {
        TableKind::Fields
    } else if heads.len() == 2 && (first == "type" || first == "value") {
        TableKind::Values
    } else {
        TableKind::Unknown
    }
}

fn sub_table(heading: &(String, Option<String>), table: &Table, kind: TableKind) -> SubTable {
    let mut sub = SubTable {
        title: heading.0.clone(),
        anchor: heading.1.clone(),
        ..SubTable::default()
    };
    match kind {
        TableKind::Fields => sub.rows = rows(table),
        TableKind::Values => {
            sub.values = table
                .rows
                .iter()
                .filter_map(|cells| {
                    let value = cells.first()?;
                    let value = value
                        .codes()
                        .next()
                        .map_or_else(|| value.flat(), str::to_owned);
                    let doc = cells.get(1).map(Inline::flat).unwrap_or_default();
                    Some((value, doc))
                })
                .collect();
        }
        TableKind::Errors | TableKind::Unknown => {}
    }
    sub
}

fn rows(table: &Table) -> Vec<Row> {
    table.rows.iter().filter_map(|cells| row(cells)).collect()
}

/// Reads a `Name | Description` row: `**NAME***` (or `**NAME^*^**`) and the type links.
fn row(cells: &[Inline]) -> Option<Row> {
    let name_cell = cells.first()?;
    let mut name = None;
    let mut required = false;
    let mut types = Vec::new();
    for span in &name_cell.spans {
        match span {
            Span::Strong(t) if name.is_none() => {
                let (clean, star) = strip_required(t);
                required |= star;
                name = Some(clean);
            }
            Span::Text(t)
                if name.is_some() && types.is_empty() && t.trim_start().starts_with('*') =>
            {
                required = true;
            }
            Span::Link {
                label,
                dest,
                code: true,
            } => types.push(TypeLink {
                name: label.trim().to_lowercase(),
                anchor: dest.split_once('#').map(|(_, a)| a.to_owned()),
            }),
            Span::Code(c) if name.is_some() => types.push(TypeLink {
                name: c.trim().to_lowercase(),
                anchor: None,
            }),
            Span::Code(c) if name.is_none() => name = Some(c.trim().to_owned()),
            _ => {}
        }
    }
    let name = name?;
    if name.is_empty() {
        return None;
    }
    Some(Row {
        name,
        required,
        types,
        desc: cells.get(1).cloned().unwrap_or_default(),
    })
}

/// `DIALOG_ID*` / `CHAT_ID^*^` / `` `id` `` -> the bare name and whether it was marked required.
fn strip_required(text: &str) -> (String, bool) {
    let mut t = text.trim().trim_matches('`').replace('\\', "");
    let mut star = false;
    if let Some(stripped) = t.strip_suffix("^*^") {
        t = stripped.to_owned();
        star = true;
    }
    while let Some(stripped) = t.strip_suffix('*') {
        t = stripped.trim_end().to_owned();
        star = true;
    }
    (t.trim().to_owned(), star)
}

fn error_rows(table: &Table) -> Vec<ErrorRow> {
    let heads: Vec<String> = table
        .header
        .iter()
        .map(|h| h.flat().to_lowercase())
        .collect();
    let col = |name: &str| heads.iter().position(|h| h == name);
    let (status, code, message, meaning) =
        (col("status"), col("code"), col("description"), col("value"));
    let cell = |cells: &[Inline], i: Option<usize>| -> String {
        i.and_then(|i| cells.get(i))
            .map(Inline::flat)
            .unwrap_or_default()
    };
    table
        .rows
        .iter()
        .filter_map(|cells| {
            let code_cell = code.and_then(|i| cells.get(i))?;
            let code = code_cell
                .codes()
                .next()
                .map_or_else(|| code_cell.flat(), str::to_owned);
            if code.is_empty() {
                return None;
            }
            Some(ErrorRow {
                status: status
                    .and_then(|i| cells.get(i))
                    .and_then(|c| c.flat().trim_matches('`').trim().parse().ok()),
                code,
                message: cell(cells, message),
                meaning: cell(cells, meaning),
            })
        })
        .collect()
}

/// A method name such as `im.dialog.users.list` in a title.
fn method_in(title: &str) -> Option<String> {
    title
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '`' || c == ',' || c == ':'))
        .rfind(|w| is_method_name(w))
        .map(str::to_owned)
}

/// `scope.name[.more]`, starting with a lower-case letter.
pub fn is_method_name(s: &str) -> bool {
    s.contains('.')
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        && !s.ends_with('.')
        && !s.contains("..")
        && !s.ends_with(".md")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn required_markers() {
        assert_eq!(strip_required("DIALOG_ID*"), ("DIALOG_ID".into(), true));
        assert_eq!(strip_required("CHAT_ID^*^"), ("CHAT_ID".into(), true));
        assert_eq!(strip_required("LIMIT"), ("LIMIT".into(), false));
    }

    #[test]
    fn method_names() {
        assert_eq!(
            method_in("Get the List of Participants im.dialog.users.list"),
            Some("im.dialog.users.list".into())
        );
        assert_eq!(
            method_in("Send Message with im.message.add"),
            Some("im.message.add".into())
        );
        assert_eq!(method_in("No method here."), None);
    }
}
