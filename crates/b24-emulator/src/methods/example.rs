//! Methods in the spec that have no handler yet: their parameters are checked with the
//! generated request type, and the answer is the spec's example response, so a method added
//! to the spec can be called at once (and `/_emulator/stats` says it was answered this way).

use b24_core::registry::MethodEntry;
use b24_core::{DecodeError, SystemErrorCode};
use serde_json::Value;

use super::{Failure, Outcome};
use crate::http::body::Params;

/// Answers a call of `entry`'s method from its spec example.
///
/// # Errors
/// Parameters the request type rejects (the documented `<PARAM>_EMPTY` code, or
/// `INVALID_REQUEST`); `ERROR_METHOD_NOT_FOUND` when the
/// spec has no successful example to answer with.
pub fn answer(entry: &MethodEntry, params: &Params) -> Result<Outcome, Failure> {
    (entry.check_params)(&Value::Object(params.0.clone())).map_err(|e| refused(entry, &e))?;
    let body: Value = entry
        .example
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| Failure::system(SystemErrorCode::ErrorMethodNotFound))?;
    let result = body.get("result").cloned().unwrap_or(Value::Null);
    Ok(Outcome {
        rows: result.as_array().map_or(0, Vec::len),
        result,
        total: body.get("total").and_then(Value::as_i64),
        next: body.get("next").and_then(Value::as_u64),
    })
}

/// The error for parameters the generated request type rejects: the method's documented
/// `<PARAM>_EMPTY` code when it has one (the server's naming for a missing or unusable
/// parameter, e.g. `DIALOG_ID_EMPTY`), else `INVALID_REQUEST` saying which parameter and why.
fn refused(entry: &MethodEntry, error: &DecodeError) -> Failure {
    let param = rejected_param(error);
    let own = format!("{param}_EMPTY");
    match (entry.error)(&own) {
        Some(facts) if !param.is_empty() => Failure {
            status: facts.statuses.first().copied().unwrap_or(400),
            code: own,
            description: facts
                .messages
                .first()
                .copied()
                .unwrap_or_default()
                .to_owned(),
        },
        _ => Failure::system(SystemErrorCode::InvalidRequest).explained(format!(
            "the parameters do not fit {} at `{param}`: {}",
            entry.info.name, error.message
        )),
    }
}

/// The top-level parameter a decode error is about: the first segment of its path, or the
/// field named by serde's "missing field `X`".
fn rejected_param(error: &DecodeError) -> String {
    let from_path = error
        .path
        .split(['.', '['])
        .next()
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    from_path
        .or_else(|| {
            let rest = error.message.strip_prefix("missing field `")?;
            rest.split('`').next().map(str::to_owned)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_a_decode_error_is_about() {
        let at = |path: &str, message: &str| rejected_param(&DecodeError::new(path, message));
        assert_eq!(at("ID[2]", "invalid type"), "ID");
        assert_eq!(at("ATTACH.BLOCKS", "invalid type"), "ATTACH");
        assert_eq!(at(".", "missing field `DIALOG_ID`"), "DIALOG_ID");
        assert_eq!(at("", "something else"), "");
    }
}
