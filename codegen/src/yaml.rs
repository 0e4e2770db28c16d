//! Stage 1a: YAML text to a tree of nodes that remember their byte spans.
//!
//! serde-saphyr does the YAML parsing (with YAML 1.2 booleans, so `N` stays a string) and
//! reports syntax errors with their position; `Spanned` gives every node its place.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML node with its byte range in the source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Range<usize>,
    pub kind: NodeKind,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A short description of the node's kind, for messages.
    pub fn describe(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "nothing (null)",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The span a label should point at: for a mapping its first key, so a message about a
    /// whole entry underlines one line, not the whole block.
    pub fn label_span(&self) -> Range<usize> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .first()
                .map_or_else(|| self.span.clone(), |(k, _)| k.span.clone()),
            NodeKind::Seq(items) => items
                .first()
                .map_or_else(|| self.span.clone(), Node::label_span),
            _ => self.span.clone(),
        }
    }

    fn extend_to_children(&mut self) {
        let end = match &self.kind {
            NodeKind::Seq(items) => items.iter().map(|n| n.span.end).max(),
            NodeKind::Map(entries) => entries
                .iter()
                .map(|(_, v)| v.span.end.max(v.span.start))
                .max(),
            _ => None,
        };
        if let Some(end) = end {
            self.span.end = self.span.end.max(end);
        }
    }
}

/// A YAML syntax error.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Range<usize>,
}

/// Parses YAML text into a node tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|err| {
        let start = err
            .location()
            .map_or(0, |loc| byte_offset(text, loc.line(), loc.column()));
        let end = text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8());
        let message = strip_location(&err.to_string());
        SyntaxError {
            message,
            span: start..end,
        }
    })
}

/// Byte offset of a 1-based line and (character) column.
fn byte_offset(text: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let chars = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
            return offset + l.char_indices().nth(chars).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// serde-saphyr prefixes messages with `line L column C: ` and may append a snippet; we render
/// our own, so keep only the first line's message.
fn strip_location(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let rest = match first.find(": ") {
        Some(i) if first.starts_with("line ") => first.get(i + 2..).unwrap_or(first),
        _ => first,
    };
    if let Some(rest) = rest.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{key}` (each key may appear once in a mapping)");
    }
    // The position is rendered separately.
    let rest = match rest.rfind(" at line ") {
        Some(i) => rest.get(..i).unwrap_or(rest),
        None => rest,
    };
    rest.to_owned()
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned: Spanned<NodeKind> = Spanned::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let start = span
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(0);
        let len = span
            .byte_len()
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(0);
        let mut node = Node {
            span: start..start + len,
            kind: spanned.value,
        };
        node.extend_to_children();
        Ok(node)
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NodeKind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
                Ok(NodeKind::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
                Ok(NodeKind::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
                Ok(NodeKind::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
                Ok(NodeKind::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
                i64::try_from(v)
                    .map(NodeKind::Int)
                    .map_err(|_| E::custom(format!("the number {v} is too large")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
                Ok(NodeKind::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
                Ok(NodeKind::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<NodeKind, E> {
                Ok(NodeKind::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Node>()? {
                    items.push(item);
                }
                Ok(NodeKind::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Node>()? {
                    let value = map.next_value::<Node>()?;
                    entries.push((key, value));
                }
                Ok(NodeKind::Map(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn spans_point_at_values_and_y_n_stay_strings() {
        let text = "a: N\nb:\n  - 5\n";
        let node = parse(text).unwrap();
        let NodeKind::Map(entries) = &node.kind else {
            panic!()
        };
        let (k, v) = &entries[0];
        assert_eq!(&text[k.span.clone()], "a");
        assert_eq!(v.kind, NodeKind::Str("N".into()));
        assert_eq!(&text[v.span.clone()], "N");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1\n").unwrap_err();
        assert!(!err.message.is_empty());
        assert!(err.span.start > 0, "{err:?}");
    }
}
