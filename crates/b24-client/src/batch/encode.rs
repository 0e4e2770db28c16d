//! How a command travels inside `batch`, and whether it can travel there unaltered.
//!
//! The server reads each command as `method?query`: it splits the query with PHP's `parse_str`
//! (percent-decoding names and values, reading `NAME[key]` as nesting), and only then scans every
//! decoded value for references: a `$` followed, in any letter case, by `result`, `next`,
//! `total`, `time` or `error`, up to the next whitespace, is replaced when that run holds a
//! bracketed segment (`$result[c0][0][id]`). Because the scan runs after decoding, no encoding
//! protects a literal value that looks like a reference; such a command is sent on its own
//! instead (see [`Fidelity`]).

use serde_json::{Map, Value};

/// The reference prefixes the server recognises, compared without regard to letter case.
const REFERENCE_WORDS: [&str; 5] = ["result", "next", "total", "time", "error"];

/// Most values one command may carry in the query (PHP's default `max_input_vars` is 1,000;
/// `parse_str` drops what is past it).
const MAX_VALUES: usize = 999;

/// Deepest nesting one command may carry (PHP's default `max_input_nesting_level` is 64).
const MAX_DEPTH: usize = 63;

/// Whitespace as the server's pattern sees it (PCRE `\s` without Unicode mode): where the run
/// of a reference ends.
fn is_pattern_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
}

/// Whether the server would replace part of `text` as a reference. Errs on the side of yes: a
/// `[` with a `]` after it anywhere in the run counts.
pub(crate) fn read_as_reference(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = rest.get(at + 1..).unwrap_or("");
        let word = REFERENCE_WORDS.iter().find(|w| {
            after
                .get(..w.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(w))
        });
        if let Some(word) = word {
            let run = after
                .get(word.len()..)
                .unwrap_or("")
                .split(is_pattern_space)
                .next()
                .unwrap_or("");
            if let (Some(open), Some(close)) = (run.find('['), run.rfind(']'))
                && close > open + 1
            {
                return true;
            }
        }
        rest = after;
    }
    false
}

/// Why a command cannot travel inside `batch` unaltered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fidelity {
    /// Every value arrives as sent.
    Exact,
    /// The server would read this parameter's text as a reference and replace it.
    LooksLikeReference(String),
    /// A name the query syntax cannot carry (brackets, `$`, dots or spaces the server rewrites).
    Name(String),
    /// An empty list or object, or `null`: the query syntax has no spelling for them.
    NoSpelling(String),
    /// More values or deeper nesting than the server parses out of one command.
    TooLarge,
}

impl std::fmt::Display for Fidelity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact => f.write_str("exact"),
            Self::LooksLikeReference(p) => {
                write!(f, "`{p}` holds text the server would read as a reference")
            }
            Self::Name(p) => write!(f, "`{p}` is a name the batch query cannot carry"),
            Self::NoSpelling(p) => {
                write!(
                    f,
                    "`{p}` is empty or null, which the batch query cannot spell"
                )
            }
            Self::TooLarge => f.write_str("more values than the server parses from one command"),
        }
    }
}

fn name_ok(name: &str, top_level: bool) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            matches!(c, '[' | ']' | '$') || c.is_control() || (top_level && matches!(c, '.' | ' '))
        })
}

/// Whether `params` would reach the method unaltered inside `batch`.
pub(crate) fn fidelity(params: &Map<String, Value>) -> Fidelity {
    fn walk(path: &str, value: &Value, depth: usize, values: &mut usize) -> Fidelity {
        if depth > MAX_DEPTH {
            return Fidelity::TooLarge;
        }
        let nested = |key: &str| format!("{path}[{key}]");
        match value {
            Value::Object(map) if map.is_empty() => Fidelity::NoSpelling(path.to_owned()),
            Value::Array(items) if items.is_empty() => Fidelity::NoSpelling(path.to_owned()),
            Value::Null => Fidelity::NoSpelling(path.to_owned()),
            Value::Object(map) => {
                for (key, v) in map {
                    if !name_ok(key, false) {
                        return Fidelity::Name(nested(key));
                    }
                    let inner = walk(&nested(key), v, depth + 1, values);
                    if inner != Fidelity::Exact {
                        return inner;
                    }
                }
                Fidelity::Exact
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let inner = walk(&nested(&i.to_string()), v, depth + 1, values);
                    if inner != Fidelity::Exact {
                        return inner;
                    }
                }
                Fidelity::Exact
            }
            Value::String(s) if read_as_reference(s) => {
                Fidelity::LooksLikeReference(path.to_owned())
            }
            Value::String(_) | Value::Bool(_) | Value::Number(_) => {
                *values += 1;
                if *values > MAX_VALUES {
                    Fidelity::TooLarge
                } else {
                    Fidelity::Exact
                }
            }
        }
    }
    let mut values = 0;
    for (name, value) in params {
        if !name_ok(name, true) {
            return Fidelity::Name(name.clone());
        }
        let inner = walk(name, value, 0, &mut values);
        if inner != Fidelity::Exact {
            return inner;
        }
    }
    Fidelity::Exact
}

fn encode(text: &str) -> impl Iterator<Item = &str> {
    form_urlencoded::byte_serialize(text.as_bytes())
}

/// PHP's nested query encoding, `KEY[sub][0]=v`, with every name and value percent-encoded.
pub(crate) fn php_query(params: &Map<String, Value>) -> String {
    fn walk(prefix: &str, value: &Value, out: &mut String) {
        let mut leaf = |text: &str| {
            if !out.is_empty() {
                out.push('&');
            }
            out.extend(encode(prefix));
            out.push('=');
            out.extend(encode(text));
        };
        match value {
            Value::Object(map) => map
                .iter()
                .for_each(|(k, v)| walk(&format!("{prefix}[{k}]"), v, out)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(&format!("{prefix}[{i}]"), v, out)),
            Value::Null => leaf(""),
            Value::Bool(b) => leaf(if *b { "1" } else { "0" }),
            Value::Number(n) => leaf(&n.to_string()),
            Value::String(s) => leaf(s),
        }
    }
    let mut query = String::new();
    for (name, value) in params {
        walk(name, value, &mut query);
    }
    query
}

/// A reference as the server expects it: `$result[label][segment]...`, the `$` and brackets as
/// they are, the label and segments percent-encoded (the server decodes before it looks).
pub(crate) fn reference_text(label: &str, path: &[String]) -> String {
    let mut text = String::from("$result[");
    text.extend(encode(label));
    text.push(']');
    for segment in path {
        text.push('[');
        text.extend(encode(segment));
        text.push(']');
    }
    text
}

/// `name=<reference>` for the query.
pub(crate) fn reference_pair(name: &str, label: &str, path: &[String]) -> String {
    let mut pair: String = encode(name).collect();
    pair.push('=');
    pair.push_str(&reference_text(label, path));
    pair
}

/// Whether a path segment can be spelled inside a reference: the server's pattern ends a
/// segment at `]` and the whole reference at whitespace.
pub(crate) fn segment_ok(segment: &str) -> bool {
    !segment.is_empty()
        && !segment
            .chars()
            .any(|c| matches!(c, '[' | ']') || is_pattern_space(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn every_value_is_encoded() {
        let q = php_query(&map(
            json!({"DIALOG_ID": "chat1", "KEYBOARD": {"BUTTONS": [{"TEXT": "a b"}]}, "MESSAGE": "x&DIALOG_ID=chat2#y%", "FLAG": true}),
        ));
        assert_eq!(
            q,
            "DIALOG_ID=chat1&FLAG=1&KEYBOARD%5BBUTTONS%5D%5B0%5D%5BTEXT%5D=a+b&MESSAGE=x%26DIALOG_ID%3Dchat2%23y%25"
        );
        let parsed: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(parsed.len(), 4, "no parameter smuggled in: {parsed:?}");
    }

    #[test]
    fn references_keep_their_syntax_and_encode_their_segments() {
        assert_eq!(
            reference_pair("LAST_ID", "c0", &["0".into(), "a&b=c".into()]),
            "LAST_ID=$result[c0][0][a%26b%3Dc]"
        );
        assert!(segment_ok("name") && !segment_ok("") && !segment_ok("a]b") && !segment_ok("a b"));
    }

    #[test]
    fn text_the_server_would_substitute_is_recognised() {
        for yes in [
            "$result[c0][0][name]",
            "$result[x]&MESSAGE=owned",
            "pay $Total[c1] now",
            "$RESULT[a]",
            "$next[c0]x",
            "$error[c2][error]",
            "$time[c0][start]",
            "a$resultx[y]",
        ] {
            assert!(read_as_reference(yes), "{yes}");
        }
        for no in [
            "$result",
            "$result[]",
            "$result [c0]",
            "$results",
            "$5 [x]",
            "price: $10",
            "result[c0]",
            "$resul[c0]",
        ] {
            assert!(!read_as_reference(no), "{no}");
        }
    }

    #[test]
    fn fidelity_finds_what_the_query_cannot_carry() {
        let ok = map(json!({"A": "x", "B": [1, 2], "C": {"D": true}}));
        assert_eq!(fidelity(&ok), Fidelity::Exact);
        assert_eq!(
            fidelity(&map(json!({"A": {"B": ["$result[c0]"]}}))),
            Fidelity::LooksLikeReference("A[B][0]".into())
        );
        assert_eq!(
            fidelity(&map(json!({"A": {"x]y": 1}}))),
            Fidelity::Name("A[x]y]".into())
        );
        assert_eq!(
            fidelity(&map(json!({"A.B": 1}))),
            Fidelity::Name("A.B".into())
        );
        assert_eq!(
            fidelity(&map(json!({"A": []}))),
            Fidelity::NoSpelling("A".into())
        );
        let big: Vec<u32> = (0..1000).collect();
        assert_eq!(fidelity(&map(json!({ "A": big }))), Fidelity::TooLarge);
    }
}
