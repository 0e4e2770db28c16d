//! Typed `batch`: add typed requests, get typed handles back, and read each command's typed
//! result or error by its handle.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use b24_core::{ApiError, DecodeError, Method, RawErrorCode, Response, SystemErrorCode, Time};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{ConfigError, Error};

/// Most commands one `batch` request carries; larger batches are split.
pub const BATCH_MAX: usize = 50;

/// A set of calls to send together. Each `add` returns a typed [`Handle`] to read the command's
/// own result or error with; more than 50 commands are split into several `batch` requests.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    commands: Vec<Command>,
    halt: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Command {
    label: String,
    method: &'static str,
    read_only: bool,
    params: Value,
}

/// A typed handle to one command of a [`Batch`].
#[derive(Debug)]
pub struct Handle<M> {
    label: String,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Handle<M> {
    fn clone(&self) -> Self {
        Self {
            label: self.label.clone(),
            marker: PhantomData,
        }
    }
}

impl<M> Handle<M> {
    /// The command's label inside the batch.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A reference to a value of this command's result, for a later command's parameter:
    /// `handle.reference(&["0", "id"])` is `$result[label][0][id]`. The server substitutes it;
    /// across split batches the client does.
    #[must_use]
    pub fn reference(&self, path: &[&str]) -> Reference {
        let mut text = format!("$result[{}]", self.label);
        for segment in path {
            text.push('[');
            text.push_str(segment);
            text.push(']');
        }
        Reference(text)
    }
}

/// A `$result[label][path]` reference between commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference(String);

impl Reference {
    /// The reference as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Batch {
    /// An empty batch.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Stop at the first failing command (`halt`); later commands are reported as not run.
    #[must_use]
    pub fn halt(mut self, halt: bool) -> Self {
        self.halt = halt;
        self
    }

    /// Number of commands.
    #[must_use]
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// No commands.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Adds a call.
    ///
    /// # Errors
    /// When the spec says the method may not travel in a batch, or the request cannot be encoded.
    pub fn add<M: Method>(&mut self, request: &M) -> Result<Handle<M>, ConfigError> {
        self.add_with(request, &[])
    }

    /// Adds a call with some parameters set to references to earlier commands' results.
    ///
    /// # Errors
    /// As [`Self::add`].
    pub fn add_with<M: Method>(
        &mut self,
        request: &M,
        references: &[(&str, &Reference)],
    ) -> Result<Handle<M>, ConfigError> {
        if !M::INFO.batch {
            return Err(ConfigError::BadUrl(format!(
                "{} may not be called inside batch",
                M::INFO.name
            )));
        }
        let mut params =
            serde_json::to_value(request).map_err(|e| ConfigError::Encode(e.to_string()))?;
        if let Value::Object(map) = &mut params {
            for (name, reference) in references {
                map.insert((*name).to_owned(), Value::String(reference.0.clone()));
            }
        }
        // Labels are never numbers: numeric labels turn the server's answer into a list.
        let label = format!("c{}", self.commands.len());
        self.commands.push(Command {
            label: label.clone(),
            method: M::INFO.name,
            read_only: M::INFO.read_only,
            params,
        });
        Ok(Handle {
            label,
            marker: PhantomData,
        })
    }
}

/// The answers of a batch, by command.
#[derive(Debug, Clone, Default)]
pub struct BatchResults {
    results: BTreeMap<String, Value>,
    errors: BTreeMap<String, ApiError<RawErrorCode>>,
    totals: BTreeMap<String, i64>,
    nexts: BTreeMap<String, u64>,
    times: BTreeMap<String, Time>,
}

impl BatchResults {
    /// The typed result of one command, or its own typed error.
    ///
    /// # Errors
    /// The command's error (typed with its method's codes), [`Error::NotRun`] when `halt`
    /// stopped the batch first, or a decode error naming the path inside the command's result.
    pub fn get<M: Method>(
        &self,
        handle: &Handle<M>,
    ) -> Result<Response<M::Output>, Error<M::ErrorCode>> {
        if let Some(error) = self.errors.get(&handle.label) {
            return Err(Error::Api(error.recode()));
        }
        let Some(value) = self.results.get(&handle.label) else {
            return Err(Error::NotRun(format!(
                "command `{}` ({}) did not run",
                handle.label,
                M::INFO.name
            )));
        };
        let mut track = serde_path_to_error::Track::new();
        let output = M::decode_result(serde_path_to_error::Deserializer::new(value, &mut track))
            .map_err(|e| Error::Decode {
                status: 200,
                error: DecodeError::new(
                    format!(
                        "result.result.{}{}",
                        handle.label,
                        path_suffix(&track.path().to_string())
                    ),
                    e.to_string(),
                ),
            })?;
        Ok(Response::new(output)
            .with_total(self.totals.get(&handle.label).copied())
            .with_next(self.nexts.get(&handle.label).copied())
            .with_time(self.times.get(&handle.label).cloned()))
    }

    /// Every command that failed, with its error.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &ApiError<RawErrorCode>)> {
        self.errors.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of commands that answered.
    #[must_use]
    pub fn succeeded(&self) -> usize {
        self.results.len()
    }
}

fn path_suffix(path: &str) -> String {
    match path {
        "." | "" => String::new(),
        p if p.starts_with('[') => p.to_owned(),
        p => format!(".{p}"),
    }
}

/// PHP's nested query encoding: `KEY[sub][0]=v`. References stay unencoded, since the server
/// substitutes them in the raw command string.
pub(crate) fn php_query(params: &Value) -> String {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                walk(
                    &if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}[{k}]")
                    },
                    v,
                    out,
                )
            }),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(&format!("{prefix}[{i}]"), v, out)),
            Value::Null => out.push((prefix.to_owned(), String::new())),
            Value::Bool(b) => out.push((prefix.to_owned(), if *b { "1" } else { "0" }.to_owned())),
            Value::Number(n) => out.push((prefix.to_owned(), n.to_string())),
            Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        }
    }
    let mut pairs = Vec::new();
    walk("", params, &mut pairs);
    let mut query = String::new();
    for (key, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.extend(form_urlencoded::byte_serialize(key.as_bytes()));
        query.push('=');
        if value.starts_with("$result[") {
            query.push_str(&value);
        } else {
            query.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        }
    }
    query
}

/// Replaces `$result[label]...` strings whose label answered in an earlier request.
fn resolve(value: &mut Value, earlier: &BTreeMap<String, Value>) {
    match value {
        Value::String(s) if s.starts_with("$result[") => {
            let inner = s.trim_start_matches("$result");
            let path: Vec<&str> = inner.split(['[', ']']).filter(|p| !p.is_empty()).collect();
            if let Some((label, rest)) = path.split_first()
                && let Some(found) = rest
                    .iter()
                    .try_fold(earlier.get(*label), |v, seg| {
                        Some(match v? {
                            Value::Object(m) => m.get(*seg),
                            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                            _ => None,
                        })
                    })
                    .flatten()
            {
                *value = found.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, earlier)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve(v, earlier)),
        _ => {}
    }
}

fn map_of(value: Option<&Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        _ => Map::new(),
    }
}

impl Client {
    /// Sends a batch: one `batch` request per 50 commands (one request each for the rate limit),
    /// in order, resolving references across the split. Each command's answer is read with
    /// [`BatchResults::get`].
    ///
    /// # Errors
    /// When a `batch` request itself fails (transport, limits, auth); the commands' own errors
    /// are kept per command instead.
    pub async fn batch(&self, batch: Batch) -> Result<BatchResults, Error<RawErrorCode>> {
        let mut answers = BatchResults::default();
        for chunk in batch.commands.chunks(BATCH_MAX) {
            let mut chunk = chunk.to_vec();
            for command in &mut chunk {
                resolve(&mut command.params, &answers.results);
            }
            let halted = self.send_chunk(&chunk, batch.halt, &mut answers).await?;
            if halted {
                break;
            }
        }
        Ok(answers)
    }

    /// Sends up to 50 commands as one `batch` request; returns whether `halt` stopped it.
    pub(crate) async fn send_chunk(
        &self,
        chunk: &[Command],
        halt: bool,
        answers: &mut BatchResults,
    ) -> Result<bool, Error<RawErrorCode>> {
        // The governor holds methods near their operating-time budget, inside batches too.
        let mut methods: Vec<&str> = chunk.iter().map(|c| c.method).collect();
        methods.dedup();
        let hold = methods
            .iter()
            .map(|m| self.governor().delay(m, std::time::SystemTime::now()))
            .max()
            .unwrap_or_default();
        if !hold.is_zero() {
            tracing::info!(
                wait_ms = hold.as_millis() as u64,
                "operating-time governor: holding the batch"
            );
            tokio::time::sleep(hold).await;
        }
        let cmd: Map<String, Value> = chunk
            .iter()
            .map(|c| {
                (
                    c.label.clone(),
                    Value::String(format!("{}?{}", c.method, php_query(&c.params))),
                )
            })
            .collect();
        let body = serde_json::json!({"halt": u8::from(halt), "cmd": cmd});
        let read_only = chunk.iter().all(|c| c.read_only);
        let response = if read_only {
            self.call_raw_read_only("batch", &body).await?
        } else {
            self.call_raw("batch", &body).await?
        };
        let result = &response.result;
        let results = map_of(result.get("result"));
        let errors = map_of(result.get("result_error"));
        for (label, value) in map_of(result.get("result_total")) {
            if let Some(n) = value.as_i64() {
                answers.totals.insert(label, n);
            }
        }
        for (label, value) in map_of(result.get("result_next")) {
            if let Some(n) = value.as_u64() {
                answers.nexts.insert(label, n);
            }
        }
        for (label, value) in map_of(result.get("result_time")) {
            if let Ok(time) = serde_json::from_value::<Time>(value) {
                if let Some(command) = chunk.iter().find(|c| c.label == label) {
                    self.governor().observe(command.method, &time);
                }
                answers.times.insert(label, time);
            }
        }
        for (label, value) in errors {
            let code = value
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let description = value
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let raw = RawErrorCode::from(code.as_str());
            let status = match &raw {
                RawErrorCode::System(s) => Some(s.http_status()),
                _ => None,
            };
            if raw == RawErrorCode::System(SystemErrorCode::QueryLimitExceeded) {
                self.limiter().on_rejected();
            }
            answers
                .errors
                .insert(label, ApiError::new(status, raw, description));
        }
        let ran = results.len();
        answers.results.extend(results);
        Ok(halt && ran < chunk.len())
    }
}

/// A handle for a label the bulk reader chose.
pub(crate) fn handle<M>(label: String) -> Handle<M> {
    Handle {
        label,
        marker: PhantomData,
    }
}

/// Builds a command for the bulk reader without a [`Batch`].
pub(crate) fn command<M: Method>(label: String, request: &M) -> Result<Command, ConfigError> {
    Ok(Command {
        label,
        method: M::INFO.name,
        read_only: M::INFO.read_only,
        params: serde_json::to_value(request).map_err(|e| ConfigError::Encode(e.to_string()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn php_encoding_keeps_references_raw() {
        let q = php_query(
            &json!({"DIALOG_ID": "chat1", "KEYBOARD": {"BUTTONS": [{"TEXT": "a b"}]}, "LAST_ID": "$result[c0][0][id]", "FLAG": true}),
        );
        assert_eq!(
            q,
            "DIALOG_ID=chat1&FLAG=1&KEYBOARD%5BBUTTONS%5D%5B0%5D%5BTEXT%5D=a+b&LAST_ID=$result[c0][0][id]"
        );
    }

    #[test]
    fn references_resolve_across_chunks() {
        let earlier = BTreeMap::from([("c0".to_owned(), json!([{"id": 42}]))]);
        let mut params = json!({"LAST_ID": "$result[c0][0][id]", "X": "$result[c9][0]"});
        resolve(&mut params, &earlier);
        assert_eq!(params, json!({"LAST_ID": 42, "X": "$result[c9][0]"}));
    }
}
