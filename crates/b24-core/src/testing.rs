//! Checks used by generated example tests. Not part of the stable API.
#![allow(clippy::panic)]

use serde_json::Value;

use crate::error::{ErrorCode, ResponseError};
use crate::method::Method;
use crate::registry::to_value;
use crate::response::decode_response;

/// Decodes an example body with method `M`'s types and checks it.
///
/// - `expected_error: Some(code)`: the body must decode to an API error with exactly that code,
///   and the code must be one the method documents or a system error.
/// - `None`: the body must decode, and encoding the typed response again must give the same JSON
///   (up to `[]` for `{}` and number spelling), so every field the example shows is in the spec.
///   Exactly the entries at `skipped` (JSON paths such as `result.users[1]`) must have been left
///   out, and the comparison leaves them out of the example too.
///
/// # Panics
/// When a check fails; this is a test helper.
///
/// A successful example is then bent the ways servers of other versions bend it, and must
/// still decode: every member inside `result` left out in turn, every value inside `result`
/// set to `null` in turn (except `identities`, the wire names of identity fields, whose
/// absence may fail the object), and every number sent as a string.
pub fn check_example<M: Method>(
    body: &str,
    status: u16,
    expected_error: Option<&str>,
    skipped: &[&str],
    identities: &[&str],
) {
    let decoded = decode_response::<M>(Some(status), body.as_bytes());
    match (decoded, expected_error) {
        (Err(ResponseError::Api(error)), Some(code)) => {
            assert_eq!(
                error.code.as_str(),
                code,
                "{}: unexpected error code",
                M::INFO.name
            );
            assert!(
                !error.code.is_unknown(),
                "{}: `{code}` decoded as an unknown code",
                M::INFO.name
            );
        }
        (Ok(response), None) => {
            let mut original: Value = match serde_json::from_str(body) {
                Ok(v) => v,
                Err(e) => panic!("{}: the example is not JSON: {e}", M::INFO.name),
            };
            let left_out: Vec<&str> = response.skipped.iter().map(|s| s.entry.as_str()).collect();
            assert_eq!(
                left_out,
                skipped,
                "{}: entries left out while decoding: {:?}",
                M::INFO.name,
                response.skipped
            );
            // Later entries first, so earlier indices stay valid.
            for path in skipped.iter().rev() {
                if !remove_path(&mut original, path) {
                    panic!("{}: `{path}` is not in the example", M::INFO.name);
                }
            }
            let encoded = match to_value::<M>(&response) {
                Ok(v) => v,
                Err(e) => panic!("{}: cannot encode the decoded example: {e}", M::INFO.name),
            };
            if let Err(diff) = same_json(&original, &encoded, "") {
                panic!(
                    "{}: the example does not survive decode + encode: {diff}",
                    M::INFO.name
                );
            }
            bend::<M>(body, status, identities);
        }
        (Err(e), _) => panic!("{}: the example does not decode: {e}", M::INFO.name),
        (Ok(_), Some(code)) => panic!(
            "{}: expected error `{code}`, the example decoded as a result",
            M::INFO.name
        ),
    }
}

/// Checks a server's answer strictly against the spec of the method `entry` stands for: the
/// strict counterpart of the tolerant decoding clients do, for servers that claim to follow the
/// spec (the emulator).
///
/// - A successful answer must decode with no entry left out, and re-encoding the typed response
///   must give the same JSON: a key the spec does not know, or a value of the wrong kind, fails.
/// - An error answer must carry a code the method documents (or a system error), with one of the
///   code's documented statuses; for the method's own codes, one of its documented texts too
///   (system error texts vary with the server and the emulator words its own refusals).
///
/// # Errors
/// What does not match, with its JSON path.
pub fn check_answer(
    entry: &crate::registry::MethodEntry,
    status: u16,
    body: &[u8],
) -> Result<(), String> {
    use crate::registry::ErasedResponseError;
    let name = entry.info.name;
    let original: Value =
        serde_json::from_slice(body).map_err(|e| format!("{name}: the answer is not JSON: {e}"))?;
    match (entry.decode_json)(Some(status), body) {
        Ok(decoded) => {
            if status != 200 {
                return Err(format!("{name}: HTTP {status} with a successful body"));
            }
            if !decoded.skipped.is_empty() {
                return Err(format!(
                    "{name}: entries do not fit the spec: {:?}",
                    decoded.skipped
                ));
            }
            same_json(&original, &decoded.json, "").map_err(|diff| format!("{name}: {diff}"))
        }
        Err(ErasedResponseError::Api { code, known, .. }) => {
            let facts = (entry.error)(&code)
                .filter(|_| known)
                .ok_or_else(|| format!("{name}: `{code}` is not a code the method documents"))?;
            if !facts.statuses.contains(&status) {
                return Err(format!(
                    "{name}: `{code}` with HTTP {status}; the spec says {:?}",
                    facts.statuses
                ));
            }
            let text = original
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let system = crate::SystemErrorCode::from_code(&code).is_some();
            // Texts are checked where the spec records them (a code documented without its
            // server text accepts any).
            let documented = facts.messages.is_empty() || facts.messages.contains(&text);
            if text.is_empty() || (!system && !documented) {
                return Err(format!(
                    "{name}: `{code}` with the text {text:?}; the spec says {:?}",
                    facts.messages
                ));
            }
            let extra: Vec<&String> = original
                .as_object()
                .map(|m| {
                    m.keys()
                        .filter(|k| !matches!(k.as_str(), "error" | "error_description"))
                        .collect()
                })
                .unwrap_or_default();
            if extra.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{name}: the error answer has other keys: {extra:?}"
                ))
            }
        }
        Err(ErasedResponseError::Decode(e)) => Err(format!("{name}: does not decode: {e}")),
    }
}

/// Decodes variants of a successful example that other server versions could send.
fn bend<M: Method>(body: &str, status: u16, identities: &[&str]) {
    let Ok(original) = serde_json::from_str::<Value>(body) else {
        return;
    };
    // Decodes, leaving out no other entries than the example itself does, except the bent
    // value itself when it is an entry of a map (`null` for a count is a bad entry).
    let expected = decode_response::<M>(Some(status), body.as_bytes())
        .map(|r| r.skipped)
        .unwrap_or_default();
    let decodes = |value: &Value, at: &str| match decode_response::<M>(
        Some(status),
        value.to_string().as_bytes(),
    ) {
        Ok(r) => {
            let extra: Vec<_> = r
                .skipped
                .iter()
                .filter(|s| !expected.contains(s) && s.entry != at)
                .collect();
            if extra.is_empty() {
                Ok(())
            } else {
                Err(format!("it leaves out {extra:?}"))
            }
        }
        Err(e) => Err(e.to_string()),
    };
    let mut places = Vec::new();
    if let Some(result) = original.get("result") {
        members(
            result,
            &mut vec![PathStep::Key("result".into())],
            &mut places,
        );
    }
    for (path, key) in &places {
        let identity = identities.contains(&key.as_str());
        let at = render(path);
        for (what, bent) in [
            ("without", edit(&original, path, None)),
            ("with null for", edit(&original, path, Some(Value::Null))),
        ] {
            if let Err(e) = decodes(&bent, &at)
                && !identity
            {
                panic!(
                    "{}: the example {what} `{at}` does not decode: {e}",
                    M::INFO.name
                );
            }
        }
    }
    let mut as_strings = original.clone();
    numbers_as_strings(&mut as_strings);
    if let Err(e) = decodes(&as_strings, "") {
        panic!(
            "{}: the example with numbers sent as strings does not decode: {e}",
            M::INFO.name
        );
    }
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// Every object member below `value`: its path and its key.
fn members(value: &Value, path: &mut Vec<PathStep>, out: &mut Vec<(Vec<PathStep>, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                path.push(PathStep::Key(key.clone()));
                out.push((path.clone(), key.clone()));
                members(inner, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                members(inner, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A copy of `value` with the member at `path` removed (`None`) or replaced.
fn edit(value: &Value, path: &[PathStep], replacement: Option<Value>) -> Value {
    let mut copy = value.clone();
    let Some((PathStep::Key(last), parents)) = path.split_last() else {
        return copy;
    };
    let mut here = &mut copy;
    for step in parents {
        let next = match step {
            PathStep::Key(k) => here.get_mut(k.as_str()),
            PathStep::Index(i) => here.get_mut(*i),
        };
        match next {
            Some(v) => here = v,
            None => return copy,
        }
    }
    if let Value::Object(map) = here {
        match replacement {
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.remove(last);
            }
        }
    }
    copy
}

fn render(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Key(k) if out.is_empty() => out.push_str(k),
            PathStep::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn numbers_as_strings(value: &mut Value) {
    match value {
        Value::Number(n) => *value = Value::String(n.to_string()),
        Value::Array(items) => items.iter_mut().for_each(numbers_as_strings),
        Value::Object(map) => map.values_mut().for_each(numbers_as_strings),
        _ => {}
    }
}

/// Compares a wire body with its re-encoding. Allowed differences: `[]` for `{}`, numbers written
/// as strings or with a different spelling, and "no value" spellings (`null`, `false`, `""`) for a
/// key the original omits.
fn same_json(original: &Value, encoded: &Value, path: &str) -> Result<(), String> {
    match (original, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => same_json(value, other, &here)?,
                    None => {
                        return Err(format!(
                            "`{here}` is in the example but not in the typed response (is it in the spec?)"
                        ));
                    }
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) && !is_nothing(value) {
                    return Err(format!("`{path}.{key}` appears only after re-encoding"));
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Object(b)) | (Value::Object(b), Value::Array(a))
            if a.is_empty() && b.is_empty() =>
        {
            Ok(())
        }
        // PHP's `[]` for an empty object, re-encoded with its empty fields.
        (Value::Array(a), Value::Object(b)) if a.is_empty() && b.values().all(is_nothing) => Ok(()),
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!(
                    "`{path}` has {} items in the example, {} after re-encoding",
                    a.len(),
                    b.len()
                ));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same_json(x, y, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (Value::String(a), Value::Number(b)) | (Value::Number(b), Value::String(a))
            if a.trim().parse::<f64>().ok() == b.as_f64() =>
        {
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!(
            "`{path}` is {a} in the example but {b} after re-encoding"
        )),
    }
}

/// A value the typed response may add for a key the original omits: a "no value" spelling,
/// or the empty value of a field whose absence means empty (`[]`, `{}`, `"N"`).
fn is_nothing(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty() || s == "N",
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Number(_) | Value::Bool(true) => false,
    }
}

/// Removes the value at a path such as `result.users[1]` (keys without dots or brackets).
fn remove_path(value: &mut Value, path: &str) -> bool {
    let mut steps: Vec<Result<usize, &str>> = Vec::new();
    for part in path.split('.') {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            steps.push(Err(key));
        }
        for index in pieces {
            match index.trim_end_matches(']').parse() {
                Ok(i) => steps.push(Ok(i)),
                Err(_) => return false,
            }
        }
    }
    let Some((last, parents)) = steps.split_last() else {
        return false;
    };
    let mut here = value;
    for step in parents {
        let next = match step {
            Ok(i) => here.get_mut(*i),
            Err(k) => here.get_mut(*k),
        };
        match next {
            Some(v) => here = v,
            None => return false,
        }
    }
    match (last, here) {
        (Ok(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        (Err(k), Value::Object(map)) => map.remove(*k).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn comparison_rules() {
        assert!(same_json(&json!({"a": [], "n": 1}), &json!({"a": {}, "n": 1.0}), "").is_ok());
        assert!(same_json(&json!({"n": "5"}), &json!({"n": 5}), "").is_ok());
        assert!(same_json(&json!({}), &json!({"x": false}), "").is_ok());
        let err = same_json(&json!({"x": 1, "extra": 2}), &json!({"x": 1}), "").unwrap_err();
        assert!(err.contains("`.extra`"), "{err}");
        assert!(same_json(&json!({"x": [1, 2]}), &json!({"x": [1]}), "").is_err());
        assert!(same_json(&json!({}), &json!({"files": [], "flag": "N"}), "").is_ok());
        assert!(same_json(&json!({}), &json!({"flag": "Y"}), "").is_err());
        assert!(same_json(&json!({"p": []}), &json!({"p": {"LIKE": []}}), "").is_ok());
    }

    #[test]
    fn paths_of_skipped_entries() {
        let mut v = json!({"result": {"users": [{"id": 1}, {"x": 0}, {"id": 3}], "m": {"7": 1}}});
        assert!(remove_path(&mut v, "result.users[1]"));
        assert!(remove_path(&mut v, "result.m.7"));
        assert_eq!(
            v,
            json!({"result": {"users": [{"id": 1}, {"id": 3}], "m": {}}})
        );
        assert!(!remove_path(&mut v, "result.users[5]"));
    }
}

/// How an event example was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    /// One entry of the fetch queue (`{eventId, type, date, data}`), JSON.
    Fetch,
    /// A webhook POST body, form-encoded in PHP bracket notation.
    WebhookForm,
    /// A webhook POST body, JSON.
    WebhookJson,
}

/// Decodes an event example and checks it: it must decode as the event `name`, and encoding
/// the typed data again must give the data of the example (for a form body: the same form,
/// where `null`s and empty arrays vanish and every scalar is a string), so every field the
/// example shows is in the spec (`data.bot.auth` aside: the decoder keeps it out of the typed
/// event). A webhook example must carry `auth.application_token`.
///
/// # Panics
/// When a check fails; this is a test helper.
pub fn check_event<E: crate::EventSet + std::fmt::Debug>(
    body: &str,
    format: EventFormat,
    name: &str,
) {
    use crate::event::{Delivery, Received, encode_form, parse_form};
    let delivery = match format {
        EventFormat::Fetch => {
            let entry: Value = serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("{name}: the example is not JSON: {e}"));
            Delivery::<E>::from_fetched(&entry)
        }
        EventFormat::WebhookForm => Delivery::<E>::from_webhook(None, body.as_bytes()),
        EventFormat::WebhookJson => {
            Delivery::<E>::from_webhook(Some("application/json"), body.as_bytes())
        }
    }
    .unwrap_or_else(|e| panic!("{name}: the example does not decode: {e}"));
    let Received::Known(event) = &delivery.event else {
        panic!("{name}: decoded as an unknown event: {:?}", delivery.event)
    };
    assert_eq!(event.name(), name, "{name}: decoded as another event");
    let encoded = event
        .encode_data(serde_json::value::Serializer)
        .unwrap_or_else(|e| panic!("{name}: cannot encode the data: {e}"));
    let original: Value = match format {
        EventFormat::WebhookForm => parse_form(body.as_bytes()),
        _ => serde_json::from_str(body).unwrap_or_default(),
    };
    let mut data = original.get("data").cloned().unwrap_or(Value::Null);
    // The decoder keeps `bot.auth` out of the typed event (see `Delivery::bot_auth`).
    if let Some(bot) = data.get_mut("bot").and_then(Value::as_object_mut) {
        bot.remove("auth");
    }
    let (data, encoded) = if format == EventFormat::WebhookForm {
        let wrap = |v: Value| parse_form(encode_form(&serde_json::json!({ "data": v })).as_bytes());
        let data = wrap(data).get("data").cloned().unwrap_or(Value::Null);
        let mut encoded = wrap(encoded).get("data").cloned().unwrap_or(Value::Null);
        unsent_false(&mut encoded, &data);
        (data, encoded)
    } else {
        (data, encoded)
    };
    if let Err(diff) = same_json(&data, &encoded, "data") {
        panic!("{name}: the example does not survive decode + encode: {diff}");
    }
    if format != EventFormat::Fetch {
        assert!(
            delivery
                .auth
                .as_ref()
                .and_then(crate::EventAuth::application_token)
                .is_some(),
            "{name}: a webhook delivery carries auth[application_token]"
        );
    }
}

/// Leaves out of a form-encoded re-encoding the `"0"`s the original did not have: a "value or
/// `false`" member that was not sent decodes as "not set" and re-encodes as `false`, which the
/// form spells `"0"`.
fn unsent_false(encoded: &mut Value, original: &Value) {
    if let (Value::Object(encoded), Value::Object(original)) = (encoded, original) {
        encoded.retain(|key, value| original.contains_key(key) || value.as_str() != Some("0"));
        for (key, value) in encoded.iter_mut() {
            if let Some(original) = original.get(key) {
                unsent_false(value, original);
            }
        }
    }
}
