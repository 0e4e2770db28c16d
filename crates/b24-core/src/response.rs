//! The response envelope: `result` next to `total`, `next` and `time`, or an error.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, DecodeError, ResponseError, Skipped};
use crate::method::Method;
use crate::skip::Skipper;
use crate::wire::{As, Float, Int, Opt, Seed};

/// A successful response: the typed `result` and the envelope around it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded `result`.
    pub result: T,
    /// `total`: how many items the whole list has (paged methods; `-1` where the server does
    /// not count).
    pub total: Option<i64>,
    /// `next`: the offset of the next page, present while more remain.
    pub next: Option<u64>,
    /// `time`: timing and operating-limit accounting of the call.
    pub time: Option<Time>,
    /// Entries of lists and maps in `result` that did not decode and were left out (each
    /// with its JSON path and error); empty when everything fit. The HTTP client also logs
    /// each one as a `tracing` warning, with secrets scrubbed.
    pub skipped: Vec<Skipped>,
}

impl<T> Response<T> {
    /// Builds a response (for servers and tests).
    pub const fn new(result: T) -> Self {
        Self {
            result,
            total: None,
            next: None,
            time: None,
            skipped: Vec::new(),
        }
    }

    /// Sets `total`.
    #[must_use]
    pub const fn with_total(mut self, total: Option<i64>) -> Self {
        self.total = total;
        self
    }

    /// Sets `next`.
    #[must_use]
    pub const fn with_next(mut self, next: Option<u64>) -> Self {
        self.next = next;
        self
    }

    /// Sets `time`.
    #[must_use]
    pub const fn with_time(mut self, time: Option<Time>) -> Self {
        self.time = time;
        self
    }

    /// Sets `skipped`.
    #[must_use]
    pub fn with_skipped(mut self, skipped: Vec<Skipped>) -> Self {
        self.skipped = skipped;
        self
    }
}

/// The `time` object of every response. Every field may be missing ("the composition of the
/// fields may vary"); `start`, `finish` and `processing` are floats on older servers and integers
/// on newer ones.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Time {
    /// Unix time the request started, in seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Float>>"
    )]
    pub start: Option<f64>,
    /// Unix time the request finished, in seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Float>>"
    )]
    pub finish: Option<f64>,
    /// `finish - start`, in seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Float>>"
    )]
    pub duration: Option<f64>,
    /// Time spent processing the request, in seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Float>>"
    )]
    pub processing: Option<f64>,
    /// Start of the request as a datetime.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<crate::wire::DateTime>>"
    )]
    pub date_start: Option<crate::DateTime>,
    /// End of the request as a datetime.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<crate::wire::DateTime>>"
    )]
    pub date_finish: Option<crate::DateTime>,
    /// Unix time when the oldest minute of the method's operating-time window drops out.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Int>>"
    )]
    pub operating_reset_at: Option<i64>,
    /// Seconds of server time this method has used in the current 10-minute window, for this
    /// application or webhook.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Opt<Float>>"
    )]
    pub operating: Option<f64>,
}

/// Decodes a whole response body as the server sends it.
///
/// `status` is the HTTP status, when known; it is kept on API errors.
///
/// An entry of a list or map that the spec marks as independent ([`Method::SKIP`]) and that
/// does not decode is left out and reported in [`Response::skipped`]; the rest of the response
/// decodes.
///
/// # Errors
/// [`ResponseError::Api`] when the body is an error answer, [`ResponseError::Decode`] (with the
/// JSON path) when it does not have the documented shape.
pub fn decode_response<M: Method>(
    status: Option<u16>,
    body: &[u8],
) -> Result<Response<M::Output>, ResponseError<M::ErrorCode>> {
    // Fast path without path tracking; on failure, decode again to learn where it failed and
    // whether leaving out bad entries saves the rest.
    match serde_json::from_slice::<Envelope<M>>(body) {
        Ok(envelope) => envelope.finish(status),
        Err(_) => decode_skipping::<M>(status, body),
    }
}

/// The slow path of [`decode_response`].
fn decode_skipping<M: Method>(
    status: Option<u16>,
    body: &[u8],
) -> Result<Response<M::Output>, ResponseError<M::ErrorCode>> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Err(ResponseError::Decode(locate_error::<Envelope<M>>(body)));
    };
    let mut skipper = Skipper::new(M::SKIP, M::SKIP_BASE, &["result"]);
    loop {
        let mut track = serde_path_to_error::Track::new();
        let decoded =
            Envelope::<M>::deserialize(serde_path_to_error::Deserializer::new(&value, &mut track));
        match decoded {
            Ok(envelope) => {
                let skipped = skipper.into_skipped();
                return envelope
                    .finish(status)
                    .map(|response| response.with_skipped(skipped));
            }
            Err(err) => {
                let path = track.path();
                let message = err.to_string();
                if !skipper.skip(&mut value, &path, &message) {
                    let path = skipper.original_path(&path);
                    return Err(ResponseError::Decode(DecodeError::new(
                        if path == "." { String::new() } else { path },
                        message,
                    )));
                }
            }
        }
    }
}

/// Decodes a `result` value already read from a body (a command's answer inside `batch`),
/// leaving out bad entries as [`decode_response`] does. `at` is the path of `value` in the
/// body, for the paths in errors (`result.result.cmd1`).
///
/// # Errors
/// When the value does not have the documented shape outside the entries that may be left out.
pub fn decode_result_value<M: Method>(
    value: &serde_json::Value,
    at: &str,
) -> Result<(M::Output, Vec<Skipped>), DecodeError> {
    struct ResultOf<M: Method>(M::Output);
    impl<'de, M: Method> Deserialize<'de> for ResultOf<M> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            M::decode_result(deserializer).map(Self)
        }
    }
    let joined = |path: &str| match (at.is_empty(), path.is_empty() || path == ".") {
        (_, true) => at.to_owned(),
        (true, false) => path.to_owned(),
        (false, false) if path.starts_with('[') => format!("{at}{path}"),
        (false, false) => format!("{at}.{path}"),
    };
    if let Ok(ResultOf(output)) = ResultOf::<M>::deserialize(value) {
        return Ok((output, Vec::new()));
    }
    let mut value = value.clone();
    let mut skipper = Skipper::new(M::SKIP, M::SKIP_BASE, &[]);
    loop {
        let mut track = serde_path_to_error::Track::new();
        let decoded =
            ResultOf::<M>::deserialize(serde_path_to_error::Deserializer::new(&value, &mut track));
        match decoded {
            Ok(ResultOf(output)) => {
                let skipped: Vec<Skipped> = skipper
                    .into_skipped()
                    .into_iter()
                    .map(|s| Skipped {
                        entry: joined(&s.entry),
                        error: DecodeError::new(joined(&s.error.path), s.error.message),
                    })
                    .collect();
                return Ok((output, skipped));
            }
            Err(err) => {
                let path = track.path();
                let message = err.to_string();
                if !skipper.skip(&mut value, &path, &message) {
                    return Err(DecodeError::new(
                        joined(&skipper.original_path(&path)),
                        message,
                    ));
                }
            }
        }
    }
}

/// Decodes `body` as `T` with path tracking, to describe why it fails.
pub(crate) fn locate_error<T: for<'de> Deserialize<'de>>(body: &[u8]) -> DecodeError {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, inner) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => match de.end() {
            Ok(()) => {
                return DecodeError::new(
                    "",
                    "the body decodes only with path tracking (a bug in b24)",
                );
            }
            Err(inner) => (String::new(), inner),
        },
        Err(err) => {
            let path = err.path().to_string();
            (
                if path == "." { String::new() } else { path },
                err.into_inner(),
            )
        }
    };
    let message = if inner.is_syntax() || inner.is_eof() {
        format!(
            "not valid JSON: {inner}; the body starts with {}",
            preview(body)
        )
    } else {
        inner.to_string()
    };
    DecodeError::new(path, message)
}

fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let mut out: String = trimmed.chars().take(60).collect();
    if trimmed.chars().count() > 60 {
        out.push('…');
    }
    format!("{out:?}")
}

/// Encodes a response the way the server sends it.
///
/// # Errors
/// When the serializer fails.
pub fn encode_response<M: Method, S: Serializer>(
    response: &Response<M::Output>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Result<'a, M: Method>(&'a M::Output);
    impl<M: Method> Serialize for Result<'_, M> {
        fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
            M::encode_result(self.0, serializer)
        }
    }
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("result", &Result::<M>(&response.result))?;
    if let Some(total) = response.total {
        map.serialize_entry("total", &total)?;
    }
    if let Some(next) = response.next {
        map.serialize_entry("next", &next)?;
    }
    if let Some(time) = &response.time {
        map.serialize_entry("time", time)?;
    }
    map.end()
}

/// Everything a body may hold, before deciding between result and error.
struct Envelope<M: Method> {
    result: Option<M::Output>,
    total: Option<i64>,
    next: Option<u64>,
    time: Option<Time>,
    error: Option<String>,
    error_description: Option<String>,
}

impl<M: Method> Envelope<M> {
    fn finish(
        self,
        status: Option<u16>,
    ) -> Result<Response<M::Output>, ResponseError<M::ErrorCode>> {
        if let Some(code) = self.error {
            return Err(ResponseError::Api(ApiError::new(
                status,
                M::ErrorCode::from(code.as_str()),
                self.error_description.unwrap_or_default(),
            )));
        }
        let Some(result) = self.result else {
            return Err(ResponseError::Decode(DecodeError::new(
                "",
                "the body has neither `result` nor `error`",
            )));
        };
        Ok(Response {
            result,
            total: self.total,
            next: self.next,
            time: self.time,
            skipped: Vec::new(),
        })
    }
}

enum Key {
    Result,
    Total,
    Next,
    Time,
    Error,
    ErrorDescription,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a response member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "result" => Key::Result,
                    "total" => Key::Total,
                    "next" => Key::Next,
                    "time" => Key::Time,
                    "error" => Key::Error,
                    "error_description" => Key::ErrorDescription,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

struct ResultSeed<M>(PhantomData<M>);

impl<'de, M: Method> DeserializeSeed<'de> for ResultSeed<M> {
    type Value = M::Output;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<M::Output, D::Error> {
        M::decode_result(deserializer)
    }
}

impl<'de, M: Method> Deserialize<'de> for Envelope<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<M>(PhantomData<M>);
        impl<'de, M: Method> Visitor<'de> for V<M> {
            type Value = Envelope<M>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Bitrix24 response object with `result` or `error`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<M>, A::Error> {
                let mut env = Envelope::<M> {
                    result: None,
                    total: None,
                    next: None,
                    time: None,
                    error: None,
                    error_description: None,
                };
                let mut saw_result = false;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Result => {
                            env.result = Some(map.next_value_seed(ResultSeed::<M>(PhantomData))?);
                            saw_result = true;
                        }
                        Key::Total => env.total = map.next_value_seed(Seed::<Opt<Int>, _>::new())?,
                        Key::Next => env.next = map.next_value_seed(Seed::<Opt<Int>, _>::new())?,
                        Key::Time => {
                            env.time =
                                map.next_value_seed(Seed::<Opt<crate::wire::Obj>, _>::new())?
                        }
                        Key::Error => {
                            env.error =
                                map.next_value_seed(Seed::<Opt<crate::wire::Str>, _>::new())?
                        }
                        Key::ErrorDescription => {
                            env.error_description =
                                map.next_value_seed(Seed::<Opt<crate::wire::Str>, _>::new())?;
                        }
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if !saw_result && env.error.is_none() {
                    // A method whose result may be `null` also accepts a missing `result`.
                    if let Ok(result) =
                        M::decode_result(de::value::UnitDeserializer::<A::Error>::new())
                    {
                        env.result = Some(result);
                    }
                }
                Ok(env)
            }
        }
        deserializer.deserialize_map(V::<M>(PhantomData))
    }
}
