//! Typed `batch`: add typed requests, get typed handles back, and read each command's typed
//! result or error by its handle.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use b24_core::{ApiError, Method, RawErrorCode, Response, SystemErrorCode, Time, decode_response};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap as _, Serializer};
use serde_json::{Map, Value};

use crate::client::{AnyMethod, CallSpec, Client};
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
            return Err(ConfigError::NotInBatch(M::INFO.name));
        }
        // Labels are never numbers: numeric labels turn the server's answer into a list.
        let label = format!("c{}", self.commands.len());
        let mut command = command(label.clone(), request)?;
        if let Value::Object(map) = &mut command.params {
            for (name, reference) in references {
                map.insert((*name).to_owned(), Value::String(reference.0.clone()));
            }
        }
        self.commands.push(command);
        Ok(Handle {
            label,
            marker: PhantomData,
        })
    }
}

/// The answers of a batch, by command.
#[derive(Debug, Clone, Default)]
pub struct BatchResults {
    answers: Answers<Value>,
}

/// What the commands of `batch` requests answered, by label, with results decoded as `T`.
#[derive(Debug, Clone)]
pub(crate) struct Answers<T> {
    pub(crate) results: BTreeMap<String, T>,
    pub(crate) errors: BTreeMap<String, ApiError<RawErrorCode>>,
    pub(crate) totals: BTreeMap<String, i64>,
    pub(crate) nexts: BTreeMap<String, u64>,
    pub(crate) times: BTreeMap<String, Time>,
}

impl<T> Default for Answers<T> {
    fn default() -> Self {
        Self {
            results: BTreeMap::new(),
            errors: BTreeMap::new(),
            totals: BTreeMap::new(),
            nexts: BTreeMap::new(),
            times: BTreeMap::new(),
        }
    }
}

impl<T> Answers<T> {
    fn extend(&mut self, other: Self) {
        self.results.extend(other.results);
        self.errors.extend(other.errors);
        self.totals.extend(other.totals);
        self.nexts.extend(other.nexts);
        self.times.extend(other.times);
    }

    /// A command's error, typed with `C`, or `NotRun` when it neither answered nor failed.
    pub(crate) fn failure<C: b24_core::ErrorCode>(&self, label: &str, method: &str) -> Error<C> {
        match self.errors.get(label) {
            Some(error) => Error::Api(error.recode()),
            None => Error::NotRun(format!("command `{label}` ({method}) did not run")),
        }
    }
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
        let answers = &self.answers;
        let value = match answers.results.get(&handle.label) {
            Some(value) if !answers.errors.contains_key(&handle.label) => value,
            _ => return Err(answers.failure(&handle.label, M::INFO.name)),
        };
        // Entries that do not fit are left out and reported, as in a single call.
        let at = format!("result.result.{}", handle.label);
        let (output, skipped) = b24_core::response::decode_result_value::<M>(value, &at)
            .map_err(|error| Error::Decode { status: 200, error })?;
        Ok(Response::new(output)
            .with_total(answers.totals.get(&handle.label).copied())
            .with_next(answers.nexts.get(&handle.label).copied())
            .with_time(answers.times.get(&handle.label).cloned())
            .with_skipped(skipped))
    }

    /// Every command that failed, with its error.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &ApiError<RawErrorCode>)> {
        self.answers.errors.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of commands that answered.
    #[must_use]
    pub fn succeeded(&self) -> usize {
        self.answers.results.len()
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

/// `batch` as a method whose commands all answer with `M`'s result: the body decodes in one
/// pass straight into the generated types (no `serde_json::Value` in between), and a result
/// that does not fit fails with its path, `result.result.<label>…`.
pub(crate) struct BatchOf<M>(PhantomData<fn() -> M>);

impl<M> Serialize for BatchOf<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

/// The `result` of a `batch` request as it arrives.
pub(crate) struct Wire<T> {
    results: Vec<(String, T)>,
    errors: Vec<(String, Value)>,
    totals: Vec<(String, Value)>,
    nexts: Vec<(String, Value)>,
    times: Vec<(String, Value)>,
}

impl<M: Method> Method for BatchOf<M> {
    const INFO: &'static b24_core::MethodInfo = &b24_core::MethodInfo {
        name: "batch",
        scope: "",
        summary: "Several calls in one request",
        docs_url: "",
        read_only: false,
        batch: false,
        pagination: b24_core::Pagination::NONE,
    };
    type Output = Wire<M::Output>;
    type ErrorCode = RawErrorCode;
    // Each command's result sits at `result.<label>`; bad entries in it are left out as in a
    // single call.
    const SKIP: &'static [&'static [b24_core::Step]] = M::SKIP;
    const SKIP_BASE: &'static [b24_core::Step] =
        &[b24_core::Step::Key("result"), b24_core::Step::Entry];

    fn decode_result<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self::Output, D::Error> {
        deserializer.deserialize_map(WireVisitor::<M>(PhantomData))
    }

    fn encode_result<S: Serializer>(
        output: &Self::Output,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        struct Encoded<'a, M: Method>(&'a M::Output);
        impl<M: Method> Serialize for Encoded<'_, M> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                M::encode_result(self.0, serializer)
            }
        }
        fn labelled<T>(entries: &[(String, T)]) -> BTreeMap<&str, &T> {
            entries.iter().map(|(k, v)| (k.as_str(), v)).collect()
        }
        let results: BTreeMap<&str, Encoded<'_, M>> = output
            .results
            .iter()
            .map(|(k, v)| (k.as_str(), Encoded::<M>(v)))
            .collect();
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("result", &results)?;
        map.serialize_entry("result_error", &labelled(&output.errors))?;
        map.serialize_entry("result_total", &labelled(&output.totals))?;
        map.serialize_entry("result_next", &labelled(&output.nexts))?;
        map.serialize_entry("result_time", &labelled(&output.times))?;
        map.end()
    }
}

struct WireVisitor<M>(PhantomData<fn() -> M>);

impl<'de, M: Method> Visitor<'de> for WireVisitor<M> {
    type Value = Wire<M::Output>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the result of batch (result, result_error, result_total, ...)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut wire = Wire {
            results: Vec::new(),
            errors: Vec::new(),
            totals: Vec::new(),
            nexts: Vec::new(),
            times: Vec::new(),
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "result" => wire.results = map.next_value_seed(Labelled::<M>(PhantomData))?,
                "result_error" => {
                    wire.errors = map.next_value_seed(Labelled::<AnyMethod>(PhantomData))?
                }
                "result_total" => {
                    wire.totals = map.next_value_seed(Labelled::<AnyMethod>(PhantomData))?
                }
                "result_next" => {
                    wire.nexts = map.next_value_seed(Labelled::<AnyMethod>(PhantomData))?
                }
                "result_time" => {
                    wire.times = map.next_value_seed(Labelled::<AnyMethod>(PhantomData))?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(wire)
    }
}

/// Per-command answers keyed by label: an object, or — PHP's rendering of an empty or
/// numerically keyed array — a list whose positions are the labels.
struct Labelled<M>(PhantomData<fn() -> M>);

impl<'de, M: Method> DeserializeSeed<'de> for Labelled<M> {
    type Value = Vec<(String, M::Output)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, M: Method> Visitor<'de> for Labelled<M> {
    type Value = Vec<(String, M::Output)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("answers keyed by command label")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(label) = map.next_key::<String>()? {
            let value = map.next_value_seed(Result_::<M>(PhantomData))?;
            out.push((label, value));
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(value) = seq.next_element_seed(Result_::<M>(PhantomData))? {
            out.push((out.len().to_string(), value));
        }
        Ok(out)
    }
}

/// One command's `result`, decoded with its method's generated types.
#[allow(non_camel_case_types)]
struct Result_<M>(PhantomData<fn() -> M>);

impl<'de, M: Method> DeserializeSeed<'de> for Result_<M> {
    type Value = M::Output;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        M::decode_result(deserializer)
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
        let mut answers = Answers::default();
        for chunk in batch.commands.chunks(BATCH_MAX) {
            let mut chunk = chunk.to_vec();
            for command in &mut chunk {
                resolve(&mut command.params, &answers.results);
            }
            let part = self.send_chunk::<AnyMethod>(&chunk, batch.halt).await?;
            let halted = batch.halt && part.results.len() < chunk.len();
            answers.extend(part);
            if halted {
                break;
            }
        }
        Ok(BatchResults { answers })
    }

    /// Sends up to 50 commands as one `batch` request, every result decoded with `M`.
    pub(crate) async fn send_chunk<M: Method>(
        &self,
        chunk: &[Command],
        halt: bool,
    ) -> Result<Answers<M::Output>, Error<RawErrorCode>> {
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
        let spec = CallSpec {
            method: "batch",
            read_only: chunk.iter().all(|c| c.read_only),
        };
        let wire = self
            .send(spec, &body, decode_response::<BatchOf<M>>)
            .await?
            .result;
        let mut answers = Answers::default();
        for (label, value) in wire.totals {
            if let Some(n) = value.as_i64() {
                answers.totals.insert(label, n);
            }
        }
        for (label, value) in wire.nexts {
            if let Some(n) = value.as_u64() {
                answers.nexts.insert(label, n);
            }
        }
        for (label, value) in wire.times {
            if let Ok(time) = serde_json::from_value::<Time>(value) {
                if let Some(command) = chunk.iter().find(|c| c.label == label) {
                    self.governor().observe(command.method, &time);
                }
                answers.times.insert(label, time);
            }
        }
        for (label, value) in wire.errors {
            let text = |key: &str| {
                value
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let raw = RawErrorCode::from(text("error").as_str());
            let status = match &raw {
                RawErrorCode::System(s) => Some(s.http_status()),
                _ => None,
            };
            if raw == RawErrorCode::System(SystemErrorCode::QueryLimitExceeded) {
                self.limiter().on_rejected();
            }
            answers
                .errors
                .insert(label, ApiError::new(status, raw, text("error_description")));
        }
        answers.results.extend(wire.results);
        Ok(answers)
    }
}

/// One command of a `batch` request.
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
