//! `batch`: up to 50 commands run one after another, `$result[cmd][path]` references to earlier
//! results, `halt`, and the answer keyed like `cmd`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use b24_core::SystemErrorCode;
use serde_json::{Value, json};

use super::auth::Caller;
use super::body::Params;
use super::response::{error_body, time_object};
use super::server::{State, lock, run_command, unix_now};
use super::stats::Stats;
use crate::methods::Failure;
use crate::php::scalar_text;

/// Most commands one batch call runs.
const BATCH_MAX: usize = 50;

/// An ordered PHP-style array: a JSON list when its keys are 0..n, an object otherwise, `[]` when
/// empty.
#[derive(Debug, Default)]
struct PhpArray(Vec<(String, Value)>);

impl PhpArray {
    fn into_value(self) -> Value {
        let is_list = self
            .0
            .iter()
            .enumerate()
            .all(|(i, (k, _))| *k == i.to_string());
        if is_list {
            Value::Array(self.0.into_iter().map(|(_, v)| v).collect())
        } else {
            Value::Object(self.0.into_iter().collect())
        }
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => {
            !(s.is_empty()
                || s == "0"
                || s.eq_ignore_ascii_case("false")
                || s.eq_ignore_ascii_case("n"))
        }
        Some(_) => true,
    }
}

/// Most bytes the `$result[..]` references of one command may add to it. The server has no
/// such bound (it runs out of memory instead); the emulator refuses the command with
/// `INVALID_REQUEST` so that chained references cannot grow a small request without limit.
pub const MAX_EXPANSION: usize = 1024 * 1024;

/// Parses one batch command, `method?query`, and fills in its `$result[..]` references from the
/// results of earlier commands: the method name, its parameters and the framework's `start`.
///
/// # Errors
/// `INVALID_REQUEST` when the query does not parse (a key nested too deep, too many fields) or
/// its references would add more than [`MAX_EXPANSION`] bytes;
/// `ERROR_BATCH_METHOD_NOT_ALLOWED` for a nested `batch`.
pub fn prepare_command<'a>(
    command: &'a str,
    results: &BTreeMap<String, Value>,
) -> Result<(&'a str, Params, Option<i64>), Failure> {
    let (method, query) = command.split_once('?').unwrap_or((command, ""));
    if method.eq_ignore_ascii_case("batch") {
        return Err(Failure::system(SystemErrorCode::ErrorBatchMethodNotAllowed));
    }
    let invalid = |text: &str| Failure::system(SystemErrorCode::InvalidRequest).explained(text);
    let mut params = Params::from_query(query).map_err(|e| invalid(&e.to_string()))?;
    let mut budget = MAX_EXPANSION;
    for value in params.0.values_mut() {
        if !resolve_refs(value, results, &mut budget) {
            return Err(invalid(&format!(
                "the $result references of this command expand to more than {MAX_EXPANSION} bytes"
            )));
        }
    }
    params.take("auth");
    let start = params.take("start").map(|v| crate::php::php_int(&v));
    Ok((method, params, start))
}

/// Replaces `$result[cmd][path]...` references in string values with earlier results; `false`
/// when the replacements would exceed `budget` bytes. Recursion is bounded by the depth of
/// form keys.
fn resolve_refs(value: &mut Value, results: &BTreeMap<String, Value>, budget: &mut usize) -> bool {
    match value {
        Value::String(s) if s.contains("$result[") => match substitute(s, results, budget) {
            Some(text) => {
                *s = text;
                true
            }
            None => false,
        },
        Value::Array(items) => items.iter_mut().all(|v| resolve_refs(v, results, budget)),
        Value::Object(map) => map.values_mut().all(|v| resolve_refs(v, results, budget)),
        _ => true,
    }
}

fn substitute(text: &str, results: &BTreeMap<String, Value>, budget: &mut usize) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$result[") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let mut cursor = rest.get(at + "$result".len()..).unwrap_or("");
        let mut path = Vec::new();
        while let Some(inner) = cursor.strip_prefix('[') {
            let Some(close) = inner.find(']') else { break };
            path.push(inner.get(..close).unwrap_or(""));
            cursor = inner.get(close + 1..).unwrap_or("");
        }
        let found = path.split_first().and_then(|(key, tail)| {
            tail.iter().try_fold(results.get(*key)?, |v, seg| match v {
                Value::Object(m) => m.get(*seg),
                Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            })
        });
        let found = found.and_then(scalar_text).unwrap_or_default();
        *budget = budget.checked_sub(found.len())?;
        out.push_str(&found);
        rest = cursor;
    }
    out.push_str(rest);
    Some(out)
}

pub(crate) async fn run_batch(state: &State, caller: &Caller, mut params: Params) -> Value {
    let started = unix_now();
    let clock = Instant::now();
    let halt = truthy(params.take("halt").as_ref());
    // In the order sent, as the server runs them.
    let commands = params.take_entries("cmd").unwrap_or_default();
    let mut result = PhpArray::default();
    let mut errors = PhpArray::default();
    let mut totals = PhpArray::default();
    let mut nexts = PhpArray::default();
    let mut times = PhpArray::default();
    let mut done: BTreeMap<String, Value> = BTreeMap::new();
    // Results are kept for `$result[...]` only when some command refers to one.
    let referenced = commands
        .iter()
        .any(|(_, c)| c.as_str().is_some_and(|t| t.contains("$result")));
    let mut processing = Duration::ZERO;
    for (index, (key, command)) in commands.into_iter().enumerate() {
        // Non-string entries are skipped without any error, as the server does.
        let Value::String(command) = command else {
            continue;
        };
        lock(&state.stats).batched_commands += 1;
        let failure = if index >= BATCH_MAX {
            Some(Failure::system(SystemErrorCode::ErrorBatchLengthExceeded))
        } else {
            match prepare_command(&command, &done) {
                Err(failure) => Some(failure),
                Ok((method, sub, start)) => {
                    let sub_started = unix_now();
                    let sub_clock = Instant::now();
                    match run_command(state, caller, method, sub, start).await {
                        Ok(d) => {
                            processing += d.processing;
                            if referenced {
                                done.insert(key.clone(), d.outcome.result.clone());
                            }
                            if let Some(total) = d.outcome.total {
                                totals.0.push((key.clone(), json!(total)));
                            }
                            if let Some(next) = d.outcome.next {
                                nexts.0.push((key.clone(), json!(next)));
                            }
                            times.0.push((
                                key.clone(),
                                time_object(sub_started, sub_clock, d.processing, d.operating),
                            ));
                            result.0.push((key.clone(), d.outcome.result));
                            None
                        }
                        Err(f) => Some(f),
                    }
                }
            }
        };
        if let Some(failure) = failure {
            Stats::count(&mut lock(&state.stats).batch_errors, &failure.code);
            errors.0.push((key, error_body(&failure)));
            if halt {
                break;
            }
        }
    }
    json!({
        "result": {
            "result": result.into_value(),
            "result_error": errors.into_value(),
            "result_total": totals.into_value(),
            "result_next": nexts.into_value(),
            "result_time": times.into_value(),
        },
        "time": time_object(started, clock, processing, None),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn result_references() {
        let results = BTreeMap::from([("u".to_owned(), json!([{"ID": 5, "DEP": [3, 4]}]))]);
        let mut budget = MAX_EXPANSION;
        let mut sub = |text| substitute(text, &results, &mut budget).unwrap();
        assert_eq!(sub("$result[u][0][ID]"), "5");
        assert_eq!(sub("x$result[u][0][DEP][1]y"), "x4y");
        assert_eq!(sub("$result[none][0]"), "");
        let mut budget = 1;
        assert_eq!(
            substitute("$result[u][0][ID]", &results, &mut budget),
            Some("5".into())
        );
        assert_eq!(substitute("$result[u][0][ID]", &results, &mut budget), None);
    }

    #[test]
    fn php_arrays_and_halt() {
        assert_eq!(PhpArray::default().into_value(), json!([]));
        assert_eq!(
            PhpArray(vec![("0".into(), json!(1)), ("1".into(), json!(2))]).into_value(),
            json!([1, 2])
        );
        assert_eq!(
            PhpArray(vec![("1".into(), json!(2))]).into_value(),
            json!({"1": 2})
        );
        assert!(
            truthy(Some(&json!("1")))
                && truthy(Some(&json!(true)))
                && !truthy(Some(&json!("0")))
                && !truthy(None)
        );
    }
}
