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
///
/// # Panics
/// When a check fails; this is a test helper.
pub fn check_example<M: Method>(body: &str, status: u16, expected_error: Option<&str>) {
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
            let original: Value = match serde_json::from_str(body) {
                Ok(v) => v,
                Err(e) => panic!("{}: the example is not JSON: {e}", M::INFO.name),
            };
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
        }
        (Err(e), _) => panic!("{}: the example does not decode: {e}", M::INFO.name),
        (Ok(_), Some(code)) => panic!(
            "{}: expected error `{code}`, the example decoded as a result",
            M::INFO.name
        ),
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

fn is_nothing(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
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
    }
}
