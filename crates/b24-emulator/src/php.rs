//! PHP semantics the classic handlers rely on (`isset`, `empty`, `(int)` on any value, `trim`,
//! `CUtil::JsObjectToPhp`), so the handlers can reproduce the server's checks literally.

use serde_json::{Map, Number, Value};

/// `isset($params[KEY])`: present and not `null`.
#[must_use]
pub fn isset(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

/// PHP's `empty()`: absent, `null`, `false`, `0`, `0.0`, `""`, `"0"` or an empty array.
#[must_use]
pub fn empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => !b,
        Some(Value::Number(n)) => n.as_f64().is_none_or(|f| f == 0.0),
        Some(Value::String(s)) => s.is_empty() || s == "0",
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
    }
}

/// `intval()` of any value: arrays give 1 when non-empty (PHP's rule), scalars as
/// [`php_int`].
#[must_use]
pub fn intval(value: &Value) -> i64 {
    match value {
        Value::Array(a) => i64::from(!a.is_empty()),
        Value::Object(o) => i64::from(!o.is_empty()),
        Value::Null => 0,
        other => php_int(other),
    }
}

/// PHP's `trim()` (space, tab, newline, carriage return, NUL, vertical tab), not Unicode's.
#[must_use]
pub fn trim(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0B'])
}

/// The values of a PHP array (a JSON list, or an object such as form encoding's `KEY[0]=..`).
#[must_use]
pub fn array_values(value: &Value) -> Option<Vec<&Value>> {
    match value {
        Value::Array(a) => Some(a.iter().collect()),
        Value::Object(o) => Some(o.values().collect()),
        _ => None,
    }
}

/// Whether the value is a PHP array (a JSON list or object).
#[must_use]
pub fn is_array(value: &Value) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_))
}

/// Deepest nesting of lists and objects [`js_object_to_php`] reads: the same as the JSON
/// parser's own limit, so JSON and JS texts behave alike. Deeper texts are not decoded (PHP's
/// `json_decode` also gives up past its depth), and the handler answers as for any text that is
/// not an array.
pub const MAX_LITERAL_DEPTH: usize = 128;

/// `CUtil::JsObjectToPhp`: JSON, or a JavaScript literal (single quotes, bare keys). `None`
/// when the text is neither, or nested deeper than [`MAX_LITERAL_DEPTH`].
#[must_use]
pub fn js_object_to_php(text: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Some(value);
    }
    let mut parser = JsParser {
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_ws();
    (parser.pos == parser.bytes.len()).then_some(value)
}

/// A PHP array parameter that may also arrive as a JSON/JS text (`KEYBOARD`, `MENU`, `ATTACH`):
/// strings are decoded as `JsObjectToPhp` does, anything else is kept.
#[must_use]
pub fn decode_text(value: &Value) -> Value {
    match value {
        Value::String(s) => js_object_to_php(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// A recursive-descent parser whose recursion stops at [`MAX_LITERAL_DEPTH`].
struct JsParser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl JsParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_ws();
        match self.peek()? {
            b'[' | b'{' if self.depth >= MAX_LITERAL_DEPTH => None,
            b'[' => self.nested(Self::list),
            b'{' => self.nested(Self::object),
            b'\'' | b'"' => self.string().map(Value::String),
            _ => self.bare().map(|word| match word.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => word
                    .parse::<i64>()
                    .map(Value::from)
                    .ok()
                    .or_else(|| {
                        word.parse::<f64>()
                            .ok()
                            .and_then(Number::from_f64)
                            .map(Value::Number)
                    })
                    .unwrap_or(Value::String(word)),
            }),
        }
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Option<Value>) -> Option<Value> {
        self.depth += 1;
        let value = parse(self);
        self.depth -= 1;
        value
    }

    fn list(&mut self) -> Option<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn object(&mut self) -> Option<Value> {
        self.pos += 1;
        let mut map = Map::new();
        if self.eat(b'}') {
            return Some(Value::Object(map));
        }
        loop {
            self.skip_ws();
            let key = match self.peek()? {
                b'\'' | b'"' => self.string()?,
                _ => self.bare()?,
            };
            if !self.eat(b':') {
                return None;
            }
            let value = self.value()?;
            map.insert(key, value);
            if self.eat(b'}') {
                return Some(Value::Object(map));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let byte = self.peek()?;
            self.pos += 1;
            match byte {
                b'\\' => {
                    let escaped = self.peek()?;
                    self.pos += 1;
                    out.push(match escaped {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        other => other,
                    });
                }
                b if b == quote => return String::from_utf8(out).ok(),
                b => out.push(b),
            }
        }
    }

    fn bare(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-' | b'+' | b'.')
        }) {
            self.pos += 1;
        }
        let word = std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?;
        (!word.is_empty()).then(|| word.to_owned())
    }
}

/// Text of a scalar JSON value.
#[must_use]
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some(String::new()),
        _ => None,
    }
}

/// PHP's `(int)` cast: the leading integer of a string, 0 when there is none.
#[must_use]
pub fn php_int(value: &Value) -> i64 {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => {
            let s = s.trim_start();
            let (sign, digits) = match s.as_bytes().first() {
                Some(b'-') => (-1, s.get(1..).unwrap_or("")),
                Some(b'+') => (1, s.get(1..).unwrap_or("")),
                _ => (1, s),
            };
            let end = digits
                .bytes()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(digits.len());
            digits
                .get(..end)
                .and_then(|d| d.parse::<i64>().ok())
                .map_or(0, |n| sign * n)
        }
        _ => 0,
    }
}

/// The positive `intval`s of a list value (message params such as `LIKE`, `CHAT_USER`,
/// `FILE_ID`); empty when the value is not a list.
#[must_use]
pub fn id_list(value: Option<&Value>) -> Vec<u64> {
    value
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|v| u64::try_from(intval(v)).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn php_empty_and_intval() {
        for (v, e) in [
            (json!(null), true),
            (json!(""), true),
            (json!("0"), true),
            (json!(0), true),
            (json!([]), true),
            (json!({}), true),
            (json!(false), true),
            (json!("00"), false),
            (json!(" "), false),
            (json!([0]), false),
        ] {
            assert_eq!(empty(Some(&v)), e, "{v}");
        }
        assert!(empty(None));
        assert_eq!(intval(&json!([7])), 1);
        assert_eq!(intval(&json!([])), 0);
        assert_eq!(intval(&json!("12abc")), 12);
    }

    #[test]
    fn js_literals() {
        assert_eq!(js_object_to_php("[1,2]").unwrap(), json!([1, 2]));
        assert_eq!(js_object_to_php("['1', '2']").unwrap(), json!(["1", "2"]));
        assert_eq!(
            js_object_to_php("{TEXT: 'a', n: 3, ok: true}").unwrap(),
            json!({"TEXT": "a", "n": 3, "ok": true})
        );
        assert_eq!(js_object_to_php("5").unwrap(), json!(5));
        assert!(js_object_to_php("[1,").is_none());
        let deepest = format!("{}1{}", "[".repeat(128), "]".repeat(128));
        assert!(js_object_to_php(&deepest).is_some());
        let deeper = format!("{}'1'{}", "[".repeat(129), "]".repeat(129));
        assert!(js_object_to_php(&deeper).is_none());
        assert!(js_object_to_php(&"[".repeat(100_000)).is_none());
        assert_eq!(trim(" \tx\n\x0B"), "x");
    }

    #[test]
    fn php_int_cast() {
        for (v, n) in [
            (json!("12"), 12),
            (json!("12abc"), 12),
            (json!("abc"), 0),
            (json!("-3"), -3),
            (json!(7.9), 7),
            (json!(true), 1),
        ] {
            assert_eq!(php_int(&v), n, "{v}");
        }
    }
}
