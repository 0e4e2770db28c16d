//! Request parameters the way the REST framework reads them: query string, form body with PHP's
//! nested `KEY[sub][0]` encoding, or a JSON body; merged into one JSON object.

use serde_json::{Map, Value};

use crate::php::{php_int, scalar_text};

/// The parameters of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub Map<String, Value>);

impl Params {
    /// Reads the query string and the body (form or JSON, by content type or by sniffing).
    /// Body values win over query values of the same name.
    ///
    /// # Errors
    /// When a JSON body is not valid JSON or not an object.
    pub fn from_request(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, String> {
        let mut params = Self::default();
        if let Some(query) = query {
            params.merge_form(query.as_bytes());
        }
        let trimmed = body
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&[][..], |i| body.get(i..).unwrap_or(&[]));
        let is_json =
            content_type.is_some_and(|c| c.contains("json")) || trimmed.first() == Some(&b'{');
        if trimmed.is_empty() {
            return Ok(params);
        }
        if is_json {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => params.0.extend(map),
                Ok(_) => return Err("the JSON body is not an object".into()),
                Err(e) => return Err(format!("the JSON body is not valid JSON: {e}")),
            }
        } else {
            params.merge_form(body);
        }
        Ok(params)
    }

    /// Parses `a=1&KEY[sub][0]=x` into nested objects (PHP's rules: `KEY[]` appends).
    pub fn merge_form(&mut self, text: &[u8]) {
        for (key, value) in form_urlencoded::parse(text) {
            insert_nested(&mut self.0, &key, Value::String(value.into_owned()));
        }
    }

    /// Parses a query string into new params.
    #[must_use]
    pub fn from_query(query: &str) -> Self {
        let mut params = Self::default();
        params.merge_form(query.as_bytes());
        params
    }

    /// Removes and returns a framework-level parameter (`auth`, `start`, `halt`, `cmd`).
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// Upper-cases the top-level keys, as classic `im.*` handlers do (`dialog_id` = `DIALOG_ID`).
    pub fn uppercase_keys(&mut self) {
        let map = std::mem::take(&mut self.0);
        for (key, value) in map {
            self.0.insert(key.to_uppercase(), value);
        }
    }

    /// A parameter.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// A scalar parameter as text (`None` when absent or not a scalar).
    #[must_use]
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).and_then(scalar_text)
    }

    /// A parameter cast to an integer the way PHP's `(int)` does (0 when it is not a number).
    #[must_use]
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key).map(php_int)
    }

    /// Decodes the parameters into a generated request type.
    ///
    /// # Errors
    /// When a parameter does not fit the request's types.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(Value::Object(self.0.clone()))
    }
}

fn insert_nested(map: &mut Map<String, Value>, key: &str, value: Value) {
    let (head, rest) = match key.find('[') {
        Some(i) if key.ends_with(']') => (key.get(..i).unwrap_or(key), key.get(i..).unwrap_or("")),
        _ => (key, ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    let mut rest = rest;
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(close) = stripped.find(']') else {
            break;
        };
        segments.push(stripped.get(..close).unwrap_or(""));
        rest = stripped.get(close + 1..).unwrap_or("");
    }
    put(map, head, &segments, value);
}

fn put(map: &mut Map<String, Value>, key: &str, segments: &[&str], value: Value) {
    let Some((first, more)) = segments.split_first() else {
        map.insert(key.to_owned(), value);
        return;
    };
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    let Value::Object(inner) = slot else { return };
    let next_key = if first.is_empty() {
        // `KEY[]`: the next integer key, as PHP does.
        inner
            .keys()
            .filter_map(|k| k.parse::<u64>().ok())
            .max()
            .map_or(0, |m| m + 1)
            .to_string()
    } else {
        (*first).to_owned()
    };
    put(inner, &next_key, more, value);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_form_encoding() {
        let p = Params::from_request(
            Some("DIALOG_ID=chat1"),
            Some("application/x-www-form-urlencoded"),
            b"MESSAGE=hi+%26+bye&KEYBOARD[0][TEXT]=a+b&KEYBOARD[1][TEXT]=c&ID[]=5&ID[]=7",
        )
        .unwrap();
        assert_eq!(
            Value::Object(p.0),
            json!({"DIALOG_ID": "chat1", "MESSAGE": "hi & bye", "KEYBOARD": {"0": {"TEXT": "a b"}, "1": {"TEXT": "c"}}, "ID": {"0": "5", "1": "7"}})
        );
    }

    #[test]
    fn json_body_and_case() {
        let mut p = Params::from_request(
            None,
            Some("application/json"),
            br#"{"dialog_id":"chat1","LIMIT":20}"#,
        )
        .unwrap();
        p.uppercase_keys();
        assert_eq!(p.text("DIALOG_ID").unwrap(), "chat1");
        assert_eq!(p.int("LIMIT"), Some(20));
        assert!(Params::from_request(None, Some("application/json"), b"[1]").is_err());
    }
}
