//! Request parameters the way the REST framework reads them: query string, form body with PHP's
//! nested `KEY[sub][0]` encoding, or a JSON body; merged into one JSON object.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::php::{php_int, scalar_text};

/// The parameters of one call: their values, and the order in which the keys of each
/// top-level array parameter were sent (PHP arrays keep it; `batch` runs its `cmd` in it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub Map<String, Value>, KeyOrder);

/// Keys of each top-level array parameter in the order sent.
#[derive(Debug, Clone, Default, PartialEq)]
struct KeyOrder(BTreeMap<String, Vec<String>>);

impl Params {
    /// Reads the query string and the body (form or JSON, by content type or by sniffing).
    /// Body values win over query values of the same name.
    ///
    /// # Errors
    /// A form key nested deeper than [`MAX_KEY_DEPTH`], more than [`MAX_FIELDS`] form fields
    /// (query string and body together), or a JSON body that is not a JSON object (including
    /// one nested deeper than the JSON parser's limit of 128).
    pub fn from_request(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, ParamsError> {
        let mut form = Form::default();
        if let Some(query) = query {
            form.parse(query.as_bytes())?;
        }
        let trimmed = body
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&[][..], |i| body.get(i..).unwrap_or(&[]));
        let is_json =
            content_type.is_some_and(|c| c.contains("json")) || trimmed.first() == Some(&b'{');
        if trimmed.is_empty() {
            return Ok(form.into_params());
        }
        if is_json {
            let mut params = form.into_params();
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => {
                    for key in map.keys() {
                        params.1.0.remove(key);
                    }
                    params.0.extend(map);
                }
                Ok(_) => return Err(ParamsError::JsonNotObject),
                Err(e) => return Err(ParamsError::Json(e.to_string())),
            }
            // The body parsed as a value above, so it parses here too.
            let mut reader = serde_json::Deserializer::from_slice(body);
            if let Ok(order) = TopLevelOrder.deserialize(&mut reader) {
                params.1.0.extend(order);
            }
            Ok(params)
        } else {
            form.parse(body)?;
            Ok(form.into_params())
        }
    }

    /// Parses a query string (a batch command's) into new params.
    ///
    /// # Errors
    /// A key nested deeper than [`MAX_KEY_DEPTH`] or more than [`MAX_FIELDS`] fields.
    pub fn from_query(query: &str) -> Result<Self, ParamsError> {
        let mut form = Form::default();
        form.parse(query.as_bytes())?;
        Ok(form.into_params())
    }

    /// Removes and returns a framework-level parameter (`auth`, `start`, `halt`).
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.1.0.remove(key);
        self.0.remove(key)
    }

    /// Upper-cases the top-level keys, as classic `im.*` handlers do (`dialog_id` = `DIALOG_ID`).
    pub fn uppercase_keys(&mut self) {
        let map = std::mem::take(&mut self.0);
        for (key, value) in map {
            self.0.insert(key.to_uppercase(), value);
        }
        let order = std::mem::take(&mut self.1.0);
        for (key, keys) in order {
            self.1.0.insert(key.to_uppercase(), keys);
        }
    }

    /// Removes an array parameter and returns its entries in the order they were sent (a JSON
    /// list's entries keyed `0`, `1`, ...); `None` when it is absent or not an array.
    pub fn take_entries(&mut self, key: &str) -> Option<Vec<(String, Value)>> {
        let order = self.1.0.remove(key).unwrap_or_default();
        match self.0.remove(key)? {
            Value::Array(items) => Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
            ),
            Value::Object(mut map) => {
                let mut entries: Vec<(String, Value)> = order
                    .into_iter()
                    .filter_map(|k| map.remove(&k).map(|v| (k, v)))
                    .collect();
                entries.extend(map);
                Some(entries)
            }
            _ => None,
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

/// Deepest nesting of a form key (`A[b][c]` is 2 levels): PHP's `max_input_nesting_level`.
pub const MAX_KEY_DEPTH: usize = 64;

/// Most form fields one request may carry (query string and body together), and one batch
/// command: the usual raised setting of PHP's `max_input_vars` (its default is 1,000). It bounds
/// the work a request can ask for; the body size is bounded separately (32 MB, 413).
pub const MAX_FIELDS: usize = 10_000;

/// Why request parameters were refused (400 `INVALID_REQUEST`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// A form key with more than [`MAX_KEY_DEPTH`] `[..]` levels.
    #[error("the parameter '{key}…' is nested deeper than {MAX_KEY_DEPTH} levels")]
    TooDeep {
        /// The start of the key.
        key: String,
    },
    /// More than [`MAX_FIELDS`] form fields.
    #[error("the request has more than {MAX_FIELDS} parameters")]
    TooManyFields,
    /// The JSON body does not parse.
    #[error("the JSON body is not valid JSON: {0}")]
    Json(String),
    /// The JSON body is not an object.
    #[error("the JSON body is not an object")]
    JsonNotObject,
}

/// Form fields being read into PHP arrays. Every array keeps its next free integer key, as PHP
/// does, so a `KEY[]` append costs the same however many came before it.
#[derive(Debug, Default)]
struct Form {
    root: FormNode,
    fields: usize,
}

/// A text, or a PHP array under construction.
#[derive(Debug, Default)]
struct FormNode {
    text: Option<String>,
    entries: BTreeMap<String, FormNode>,
    /// The keys of `entries` in the order they first came.
    order: Vec<String>,
    next_index: u64,
}

impl Form {
    /// Reads `a=1&KEY[sub][0]=x&KEY[]=y` into the arrays (PHP's rules: `KEY[]` appends after
    /// the highest integer key, a text and an array replace each other).
    fn parse(&mut self, text: &[u8]) -> Result<(), ParamsError> {
        for (key, value) in form_urlencoded::parse(text) {
            self.fields += 1;
            if self.fields > MAX_FIELDS {
                return Err(ParamsError::TooManyFields);
            }
            let (head, segments) = split_key(&key)?;
            let mut node = self.root.child(head.to_owned());
            for segment in segments {
                node.text = None;
                let key = node.key_for(segment);
                node = node.child(key);
            }
            *node = FormNode {
                text: Some(value.into_owned()),
                ..FormNode::default()
            };
        }
        Ok(())
    }

    fn into_params(self) -> Params {
        let order = self
            .root
            .entries
            .iter()
            .filter(|(_, node)| node.text.is_none())
            .map(|(key, node)| (key.clone(), node.order.clone()))
            .collect();
        match self.root.into_value() {
            Value::Object(map) => Params(map, KeyOrder(order)),
            _ => Params::default(),
        }
    }
}

impl FormNode {
    /// The entry under `key`, created (and its place in the order kept) when new.
    fn child(&mut self, key: String) -> &mut FormNode {
        if !self.entries.contains_key(&key) {
            self.order.push(key.clone());
        }
        self.entries.entry(key).or_default()
    }

    /// The key a segment names: `""` is the next free integer key.
    fn key_for(&mut self, segment: &str) -> String {
        if segment.is_empty() {
            let key = self.next_index;
            self.next_index = key.saturating_add(1);
            return key.to_string();
        }
        if let Ok(n) = segment.parse::<u64>() {
            self.next_index = self.next_index.max(n.saturating_add(1));
        }
        segment.to_owned()
    }

    /// Recursion is bounded: keys are at most [`MAX_KEY_DEPTH`] levels deep.
    fn into_value(self) -> Value {
        match self.text {
            Some(text) => Value::String(text),
            None => Value::Object(
                self.entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect(),
            ),
        }
    }
}

/// Reads a JSON object's top level: for each member that is an object, its keys in order.
struct TopLevelOrder;

impl<'de> DeserializeSeed<'de> for TopLevelOrder {
    type Value = BTreeMap<String, Vec<String>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevelOrder {
    type Value = BTreeMap<String, Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(keys) = map.next_value_seed(MemberKeys)? {
                out.insert(key, keys);
            }
        }
        Ok(out)
    }
}

/// The keys of a value that is an object, in order; `None` for any other value.
struct MemberKeys;

impl<'de> DeserializeSeed<'de> for MemberKeys {
    type Value = Option<Vec<String>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MemberKeys {
    type Value = Option<Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            keys.push(key);
        }
        Ok(Some(keys))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// `KEY[a][]` into `KEY` and `["a", ""]`; a key that does not end in `]` is taken whole.
fn split_key(key: &str) -> Result<(&str, Vec<&str>), ParamsError> {
    let (head, mut rest) = match key.find('[') {
        Some(i) if key.ends_with(']') => (key.get(..i).unwrap_or(key), key.get(i..).unwrap_or("")),
        _ => (key, ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(close) = stripped.find(']') else {
            break;
        };
        if segments.len() == MAX_KEY_DEPTH {
            return Err(ParamsError::TooDeep {
                key: key.chars().take(40).collect(),
            });
        }
        segments.push(stripped.get(..close).unwrap_or(""));
        rest = stripped.get(close + 1..).unwrap_or("");
    }
    Ok((head, segments))
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

    #[test]
    fn appends_follow_the_highest_integer_key_and_texts_and_arrays_replace_each_other() {
        let p = Params::from_query("ID[5]=a&ID[]=b&ID[x]=c&ID[]=d&A=1&A[]=2&B[]=1&B=2").unwrap();
        assert_eq!(
            Value::Object(p.0),
            json!({"ID": {"5": "a", "6": "b", "x": "c", "7": "d"}, "A": {"0": "2"}, "B": "2"})
        );
    }

    #[test]
    fn array_keys_keep_the_order_they_were_sent_in() {
        let keys = |mut p: Params| -> Vec<String> {
            p.take_entries("cmd")
                .unwrap()
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        let form = Params::from_query("cmd[c2]=a&cmd[c10]=b&cmd[a]=c&cmd[c2]=d").unwrap();
        assert_eq!(keys(form), ["c2", "c10", "a"]);
        let json = Params::from_request(
            Some("cmd[x]=1"),
            None,
            br#"{"cmd": {"c2": "a", "c10": "b", "a": {"deep": 1}}, "halt": 0}"#,
        )
        .unwrap();
        assert_eq!(keys(json), ["c2", "c10", "a"]);
        let list = Params::from_request(None, None, br#"{"cmd": ["a", "b"]}"#).unwrap();
        assert_eq!(keys(list), ["0", "1"]);
    }

    #[test]
    fn depth_and_field_count_are_bounded() {
        let at_limit = format!("X{}=1", "[a]".repeat(MAX_KEY_DEPTH));
        assert!(Params::from_query(&at_limit).is_ok());
        let deeper = format!("X{}=1", "[a]".repeat(MAX_KEY_DEPTH + 1));
        let error = Params::from_query(&deeper).unwrap_err();
        assert!(matches!(error, ParamsError::TooDeep { .. }));
        assert!(error.to_string().contains("nested deeper than 64 levels"));
        let fields = vec!["a[]=1"; MAX_FIELDS].join("&");
        assert!(Params::from_query(&fields).is_ok());
        assert_eq!(
            Params::from_request(Some("b=1"), None, fields.as_bytes()),
            Err(ParamsError::TooManyFields)
        );
    }
}
