//! Typed `batch`: add typed requests, get typed handles back, and read each command's typed
//! result or error by its handle.

mod encode;

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use b24_core::{
    ApiError, DecodeError, Method, RawErrorCode, Response, SystemErrorCode, Time, decode_response,
};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap as _, Serializer};
use serde_json::{Map, Value};

use crate::client::{AnyMethod, CallSpec, Client};
use crate::error::{ConfigError, Error, NotRunReason};
use crate::secret::Scrubber;
pub(crate) use encode::Fidelity;

/// Most commands one `batch` request carries; larger batches are split.
pub const BATCH_MAX: usize = 50;

/// Tells batches apart, so a handle or reference cannot be used with the wrong one.
static NEXT_BATCH: AtomicU64 = AtomicU64::new(1);

/// A set of calls to send together. Each `add` returns a typed [`Handle`] to read the command's
/// own result or error with; more than 50 commands are split into several `batch` requests.
///
/// # How values travel
///
/// Every parameter value is percent-encoded into its command, so no text can add or replace a
/// parameter. A value taken from an earlier command's result is a typed [`Ref`], never text:
/// there is no way to write one by accident, and no text is ever read as one on this side.
///
/// The server, however, looks for references in the *decoded* values of every command: text such
/// as `$result[c0][0][name]` (or `$total[..]`, `$next[..]`, in any letter case) would be replaced
/// whatever its encoding. There is no escape for it, so a command whose own values look like a
/// reference (or that the query syntax cannot carry unaltered: an empty list, `null`, a name
/// with brackets, more values than the server parses from one command) is not put into a `batch`
/// request: it is sent on its own, in its place in the order, and its answer is read with its
/// handle like any other. The cost is one more request; the text arrives exactly as given.
#[derive(Debug, Clone)]
pub struct Batch {
    id: u64,
    commands: Vec<Command>,
    halt: bool,
}

impl Default for Batch {
    fn default() -> Self {
        Self {
            id: NEXT_BATCH.fetch_add(1, Ordering::Relaxed),
            commands: Vec::new(),
            halt: false,
        }
    }
}

/// One command: its request's parameters, and the parameters set to references.
#[derive(Debug, Clone)]
pub(crate) struct Command {
    pub(crate) label: String,
    pub(crate) method: &'static str,
    pub(crate) read_only: bool,
    pub(crate) params: Map<String, Value>,
    refs: Vec<(String, Ref)>,
}

impl Command {
    /// Whether the parameters reach the method unaltered inside `batch`.
    pub(crate) fn fidelity(&self) -> Fidelity {
        encode::fidelity(&self.params)
    }

    /// `method?query` as the `cmd` entry of a `batch` request.
    fn wire(&self) -> String {
        let mut query = encode::php_query(&self.params);
        for (name, reference) in &self.refs {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&encode::reference_pair(
                name,
                &reference.label(),
                &reference.path,
            ));
        }
        format!("{}?{query}", self.method)
    }

    /// Replaces references to commands that already answered with the values they point at.
    /// A reference to a command that failed, did not run, or has no value there is an error.
    fn resolve(&mut self, answers: &Answers<Value>) -> Result<(), NotRunReason> {
        let mut kept = Vec::new();
        for (name, reference) in std::mem::take(&mut self.refs) {
            let label = reference.label();
            let answered = answers.results.contains_key(&label)
                || answers.errors.contains_key(&label)
                || answers.not_run.contains_key(&label);
            if !answered {
                kept.push((name, reference));
                continue;
            }
            let found = answers
                .results
                .get(&label)
                .filter(|_| !answers.errors.contains_key(&label))
                .and_then(|value| {
                    reference.path.iter().try_fold(value, |v, seg| match v {
                        Value::Object(m) => m.get(seg),
                        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                        _ => None,
                    })
                })
                .filter(|v| !v.is_null());
            match found {
                Some(value) => {
                    self.params.insert(name, value.clone());
                }
                None => {
                    return Err(NotRunReason::UnresolvedReference {
                        param: name,
                        reference: reference.to_string(),
                    });
                }
            }
        }
        self.refs = kept;
        Ok(())
    }
}

/// A typed handle to one command of a [`Batch`].
#[derive(Debug)]
pub struct Handle<M> {
    batch: u64,
    index: usize,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Handle<M> {
    fn clone(&self) -> Self {
        Self {
            batch: self.batch,
            index: self.index,
            marker: PhantomData,
        }
    }
}

fn label_of(index: usize) -> String {
    // Labels are never numbers: numeric labels turn the server's answer into a list. They are
    // zero-padded so that their text order is their numeric order: a JSON parser that sorts
    // object keys still runs the commands in order.
    format!("c{index:06}")
}

impl<M> Handle<M> {
    /// The command's label inside the batch.
    #[must_use]
    pub fn label(&self) -> String {
        label_of(self.index)
    }
}

/// A value of an earlier command's result, for a later command's parameter: the typed form of
/// the server's `$result[label][path]`.
///
/// ```
/// # use b24_client::{Batch, Ref};
/// # use b24_im::{DialogUsersListRequest, MessageAddRequest};
/// # use b24_core::DialogId;
/// # fn demo() -> Result<(), b24_client::ConfigError> {
/// let mut batch = Batch::new();
/// let members = batch.add(&DialogUsersListRequest::new(DialogId::Chat(1)).limit(1))?;
/// let first_name = Ref::result(&members).index(0).field("first_name");
/// batch.add_with(
///     &MessageAddRequest::new().dialog_id(DialogId::Chat(1)).message("placeholder"),
///     [("MESSAGE", first_name)],
/// )?;
/// # Ok(()) }
/// ```
///
/// Inside one `batch` request the server substitutes it; when the batch is split, or the command
/// is sent on its own, the client does, from the answer it already has. A reference to a
/// command that failed, did not run, or has no value at the path leaves the command not run
/// ([`NotRunReason::UnresolvedReference`]) when the client substitutes it; inside one request
/// the server puts whatever it finds there instead, so use [`Batch::halt`] when a later
/// command must not run after a failed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    batch: u64,
    index: usize,
    path: Vec<String>,
}

impl Ref {
    /// The whole result of the command behind `handle`.
    #[must_use]
    pub fn result<M>(handle: &Handle<M>) -> Self {
        Self {
            batch: handle.batch,
            index: handle.index,
            path: Vec::new(),
        }
    }

    /// A field of the value so far (`[name]`).
    #[must_use]
    pub fn field(mut self, name: impl Into<String>) -> Self {
        self.path.push(name.into());
        self
    }

    /// An element of the list so far (`[index]`).
    #[must_use]
    pub fn index(mut self, index: usize) -> Self {
        self.path.push(index.to_string());
        self
    }

    fn label(&self) -> String {
        label_of(self.index)
    }
}

impl fmt::Display for Ref {
    /// The reference as the server reads it, e.g. `$result[c0][0][id]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$result[{}]", self.label())?;
        self.path.iter().try_for_each(|s| write!(f, "[{s}]"))
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
    /// When the spec says the method may not travel in a batch, the request cannot be encoded,
    /// or it sets none of a group of parameters the method needs one of
    /// ([`ConfigError::MissingParams`]).
    pub fn add<M: Method>(&mut self, request: &M) -> Result<Handle<M>, ConfigError> {
        self.add_with(request, [])
    }

    /// Adds a call with some top-level parameters (by wire name) set to values of earlier
    /// commands' results; each replaces the request's own value of that parameter.
    ///
    /// # Errors
    /// As [`Self::add`], and [`ConfigError::BadReference`] for a reference to a command of
    /// another batch or to this one or a later one, a path segment that is empty or holds `[`,
    /// `]` or whitespace, or a parameter name that is empty or holds brackets.
    pub fn add_with<'a, M: Method>(
        &mut self,
        request: &M,
        references: impl IntoIterator<Item = (&'a str, Ref)>,
    ) -> Result<Handle<M>, ConfigError> {
        if !M::INFO.batch {
            return Err(ConfigError::NotInBatch(M::INFO.name));
        }
        let index = self.commands.len();
        let mut command = command(label_of(index), request)?;
        for (name, reference) in references {
            let bad = |reason| ConfigError::BadReference {
                param: name.to_owned(),
                reason,
            };
            if name.is_empty() || name.contains(['[', ']']) {
                return Err(bad("the parameter name must be a top-level wire name"));
            }
            if reference.batch != self.id {
                return Err(bad("it refers to a command of another batch"));
            }
            if reference.index >= index {
                return Err(bad("it refers to a command that is not before this one"));
            }
            if !reference.path.iter().all(|s| encode::segment_ok(s)) {
                return Err(bad(
                    "a path segment is empty or holds `[`, `]` or whitespace",
                ));
            }
            command.params.remove(name);
            command.refs.retain(|(n, _)| n != name);
            command.refs.push((name.to_owned(), reference));
        }
        M::INFO
            .check_sent(|wire| {
                command
                    .params
                    .iter()
                    .any(|(key, value)| key.eq_ignore_ascii_case(wire) && !value.is_null())
                    || command
                        .refs
                        .iter()
                        .any(|(key, _)| key.eq_ignore_ascii_case(wire))
            })
            .map_err(ConfigError::MissingParams)?;
        self.commands.push(command);
        Ok(Handle {
            batch: self.id,
            index,
            marker: PhantomData,
        })
    }
}

/// The answers of a batch, by command.
#[derive(Clone)]
pub struct BatchResults {
    batch: u64,
    answers: Answers<Value>,
    scrubber: Scrubber,
}

impl fmt::Debug for BatchResults {
    /// A summary: the results are the portal's data, read them with [`BatchResults::get`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchResults")
            .field("succeeded", &self.answers.results.len())
            .field("failed", &self.answers.errors.keys().collect::<Vec<_>>())
            .field("not_run", &self.answers.not_run.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What the commands of `batch` requests answered, by label, with results decoded as `T`.
#[derive(Debug, Clone)]
pub(crate) struct Answers<T> {
    pub(crate) results: BTreeMap<String, T>,
    pub(crate) errors: BTreeMap<String, ApiError<RawErrorCode>>,
    pub(crate) totals: BTreeMap<String, i64>,
    pub(crate) nexts: BTreeMap<String, u64>,
    pub(crate) times: BTreeMap<String, Time>,
    pub(crate) not_run: BTreeMap<String, NotRunReason>,
}

impl<T> Default for Answers<T> {
    fn default() -> Self {
        Self {
            results: BTreeMap::new(),
            errors: BTreeMap::new(),
            totals: BTreeMap::new(),
            nexts: BTreeMap::new(),
            times: BTreeMap::new(),
            not_run: BTreeMap::new(),
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
        self.not_run.extend(other.not_run);
    }

    /// A command's error, typed with `C`, or `NotRun` when it neither answered nor failed.
    pub(crate) fn failure<C: b24_core::ErrorCode>(
        &self,
        label: &str,
        method: &'static str,
    ) -> Error<C> {
        match self.errors.get(label) {
            Some(error) => Error::Api(error.recode()),
            None => Error::NotRun {
                label: label.to_owned(),
                method,
                reason: self
                    .not_run
                    .get(label)
                    .cloned()
                    .unwrap_or(NotRunReason::Halted),
            },
        }
    }
}

impl BatchResults {
    /// The typed result of one command, or its own typed error.
    ///
    /// # Errors
    /// The command's error (typed with its method's codes), [`Error::NotRun`] when it did not
    /// run, or a decode error naming the path inside the command's result. A handle of another
    /// batch is [`ConfigError::BadReference`].
    pub fn get<M: Method>(
        &self,
        handle: &Handle<M>,
    ) -> Result<Response<M::Output>, Error<M::ErrorCode>> {
        let label = handle.label();
        if handle.batch != self.batch {
            return Err(Error::Config(ConfigError::BadReference {
                param: label,
                reason: "the handle belongs to another batch",
            }));
        }
        let answers = &self.answers;
        let value = match answers.results.get(&label) {
            Some(value) if !answers.errors.contains_key(&label) => value,
            _ => return Err(answers.failure(&label, M::INFO.name)),
        };
        // Entries that do not fit are left out and reported, as in a single call.
        let at = format!("result.result.{label}");
        let (output, mut skipped) = b24_core::response::decode_result_value::<M>(value, &at)
            .map_err(|error| Error::Decode {
                status: 200,
                error: DecodeError::new(
                    self.scrubber.scrub(&error.path),
                    self.scrubber.scrub(&error.message),
                ),
            })?;
        self.scrubber.report_skipped(M::INFO.name, &mut skipped);
        Ok(Response::new(output)
            .with_total(answers.totals.get(&label).copied())
            .with_next(answers.nexts.get(&label).copied())
            .with_time(answers.times.get(&label).cloned())
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
        one_of_params: &[],
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

/// The body of a `batch` request; `cmd` keeps the commands in order (the server runs them in
/// the order they arrive).
struct Body<'a> {
    halt: u8,
    cmd: Vec<(&'a str, String)>,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Ordered<'b>(&'b [(&'b str, String)]);
        impl Serialize for Ordered<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (label, command) in self.0 {
                    map.serialize_entry(label, command)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("halt", &self.halt)?;
        map.serialize_entry("cmd", &Ordered(&self.cmd))?;
        map.end()
    }
}

/// Commands collected for the next `batch` request.
#[derive(Default)]
struct Pending {
    commands: Vec<Command>,
}

impl Client {
    /// Sends a batch: one `batch` request per 50 commands (one request each for the rate limit),
    /// in order, resolving references across the split. A command that cannot travel inside
    /// `batch` unaltered is sent on its own in its place (see [`Batch`]).
    /// Each command's answer is read with [`BatchResults::get`].
    ///
    /// # Errors
    /// When a request itself fails (transport, limits, auth); the commands' own errors are kept
    /// per command instead.
    pub async fn batch(&self, batch: Batch) -> Result<BatchResults, Error<RawErrorCode>> {
        let mut answers: Answers<Value> = Answers::default();
        let mut pending = Pending::default();
        let mut halted = false;
        for mut command in batch.commands {
            if !halted && pending.commands.len() == BATCH_MAX {
                halted = self.flush(&mut pending, batch.halt, &mut answers).await?;
            }
            if halted {
                answers
                    .not_run
                    .insert(command.label.clone(), NotRunReason::Halted);
                continue;
            }
            if let Err(reason) = command.resolve(&answers) {
                answers.not_run.insert(command.label.clone(), reason);
                continue;
            }
            let fidelity = command.fidelity();
            if fidelity == Fidelity::Exact {
                pending.commands.push(command);
                continue;
            }
            // Sent on its own, after everything before it.
            halted = self.flush(&mut pending, batch.halt, &mut answers).await?;
            if halted {
                answers
                    .not_run
                    .insert(command.label.clone(), NotRunReason::Halted);
                continue;
            }
            if let Err(reason) = command.resolve(&answers) {
                answers.not_run.insert(command.label.clone(), reason);
                continue;
            }
            tracing::debug!(
                command = command.label.as_str(),
                method = command.method,
                reason = %fidelity,
                "sending a batch command on its own"
            );
            let failed = self.send_alone(command, &mut answers).await?;
            halted = batch.halt && failed;
        }
        if !halted {
            self.flush(&mut pending, batch.halt, &mut answers).await?;
        }
        Ok(BatchResults {
            batch: batch.id,
            answers,
            scrubber: self.scrubber().clone(),
        })
    }

    /// Sends the pending commands as one `batch` request; whether `halt` stopped it.
    async fn flush(
        &self,
        pending: &mut Pending,
        halt: bool,
        answers: &mut Answers<Value>,
    ) -> Result<bool, Error<RawErrorCode>> {
        let chunk = std::mem::take(&mut pending.commands);
        if chunk.is_empty() {
            return Ok(false);
        }
        let part = self.send_chunk::<AnyMethod>(&chunk, halt, false).await?;
        let halted = halt && part.results.len() < chunk.len();
        answers.extend(part);
        Ok(halted)
    }

    /// Sends one command as a call of its own; whether it failed.
    async fn send_alone(
        &self,
        command: Command,
        answers: &mut Answers<Value>,
    ) -> Result<bool, Error<RawErrorCode>> {
        let spec = CallSpec {
            method: command.method,
            read_only: command.read_only,
            prepaid: false,
        };
        let label = command.label;
        match self
            .send(spec, &command.params, decode_response::<AnyMethod>)
            .await
        {
            Ok(response) => {
                if let Some(total) = response.total {
                    answers.totals.insert(label.clone(), total);
                }
                if let Some(next) = response.next {
                    answers.nexts.insert(label.clone(), next);
                }
                if let Some(time) = response.time {
                    answers.times.insert(label.clone(), time);
                }
                answers.results.insert(label, response.result);
                Ok(false)
            }
            Err(Error::Api(error)) => {
                answers.errors.insert(label, error);
                Ok(true)
            }
            Err(other) => Err(other),
        }
    }

    /// Sends up to 50 commands as one `batch` request, every result decoded with `M`;
    /// `prepaid` when its rate-limiter slot was claimed already.
    pub(crate) async fn send_chunk<M: Method>(
        &self,
        chunk: &[Command],
        halt: bool,
        prepaid: bool,
    ) -> Result<Answers<M::Output>, Error<RawErrorCode>> {
        // The governor holds methods near their operating-time budget, inside batches too.
        let mut methods: Vec<&str> = chunk.iter().map(|c| c.method).collect();
        methods.dedup();
        let mut hold = std::time::Duration::ZERO;
        for method in &methods {
            let delay = self
                .governor()
                .delay(method, std::time::SystemTime::now())
                .await?;
            hold = hold.max(delay);
        }
        if !hold.is_zero() {
            tracing::info!(
                wait_ms = hold.as_millis() as u64,
                "operating-time governor: holding the batch"
            );
            tokio::time::sleep(hold).await;
        }
        let body = Body {
            halt: u8::from(halt),
            cmd: chunk.iter().map(|c| (c.label.as_str(), c.wire())).collect(),
        };
        let spec = CallSpec {
            method: "batch",
            read_only: chunk.iter().all(|c| c.read_only),
            prepaid,
        };
        let wire = self
            .send(spec, &body, decode_response::<BatchOf<M>>)
            .await?
            .result;
        // Only the labels sent: anything else in the answer is not a command's.
        let sent: std::collections::HashSet<&str> =
            chunk.iter().map(|c| c.label.as_str()).collect();
        let ours = |label: &String| sent.contains(label.as_str());
        let Wire {
            mut results,
            mut errors,
            mut totals,
            mut nexts,
            mut times,
        } = wire;
        results.retain(|(label, _)| ours(label));
        errors.retain(|(label, _)| ours(label));
        totals.retain(|(label, _)| ours(label));
        nexts.retain(|(label, _)| ours(label));
        times.retain(|(label, _)| ours(label));
        let mut answers = Answers::default();
        for (label, value) in totals {
            if let Some(n) = value.as_i64() {
                answers.totals.insert(label, n);
            }
        }
        for (label, value) in nexts {
            if let Some(n) = value.as_u64() {
                answers.nexts.insert(label, n);
            }
        }
        for (label, value) in times {
            if let Ok(time) = serde_json::from_value::<Time>(value) {
                if let Some(command) = chunk.iter().find(|c| c.label == label) {
                    self.observe(command.method, &time).await;
                }
                answers.times.insert(label, time);
            }
        }
        for (label, value) in errors {
            let text = |key: &str| {
                self.scrubber()
                    .scrub(value.get(key).and_then(Value::as_str).unwrap_or(""))
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
        answers.results.extend(results);
        Ok(answers)
    }
}

/// One command of a `batch` request.
pub(crate) fn command<M: Method>(label: String, request: &M) -> Result<Command, ConfigError> {
    let params = match serde_json::to_value(request) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return Err(ConfigError::Encode(format!(
                "the parameters of {} are not an object",
                M::INFO.name
            )));
        }
        Err(e) => return Err(ConfigError::Encode(e.to_string())),
    };
    Ok(Command {
        label,
        method: M::INFO.name,
        read_only: M::INFO.read_only,
        params,
        refs: Vec::new(),
    })
}
