//! Method-name dispatch for tools that pick a method at run time (`b24 decode`, the emulator).
//!
//! Each generated scope crate exports a `METHODS` table of [`MethodEntry`] values.

use serde::de::DeserializeOwned;

use crate::error::{DecodeError, ErrorCode, ResponseError};
use crate::method::{Method, MethodInfo};
use crate::response::{Response, decode_response, encode_response};

/// One method of a generated scope crate, usable without naming its types.
#[derive(Debug, Clone, Copy)]
pub struct MethodEntry {
    /// Static facts about the method.
    pub info: &'static MethodInfo,
    /// Decodes a response body with the method's types and re-encodes the typed response as
    /// JSON (the way the server sends it).
    pub decode_json: fn(Option<u16>, &[u8]) -> Result<Decoded, ErasedResponseError>,
    /// Checks call parameters (a JSON object keyed by wire name) against the method's request
    /// type: the error names the parameter that does not fit (its path) or is missing.
    pub check_params: fn(&serde_json::Value) -> Result<(), DecodeError>,
    /// What the spec says about an error code of this method (its own codes and the system
    /// errors); `None` for a code it does not know.
    pub error: fn(&str) -> Option<CodeFacts>,
    /// The first successful example response of the method's spec (the whole body), if any:
    /// what a server that has no behaviour of its own for the method can answer.
    pub example: Option<&'static str>,
}

/// The documented HTTP statuses and `error_description` texts of one error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeFacts {
    /// HTTP statuses, the usual one first.
    pub statuses: &'static [u16],
    /// Texts, in the order the spec lists them.
    pub messages: &'static [&'static str],
}

/// A response decoded with a method's types, re-encoded as JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decoded {
    /// The typed response, encoded the way the server sends it.
    pub json: serde_json::Value,
    /// Entries that did not decode and were left out of `json` (see
    /// [`crate::Response::skipped`]).
    pub skipped: Vec<crate::Skipped>,
}

impl MethodEntry {
    /// An entry for method `M`.
    #[must_use]
    pub const fn of<M: Method + DeserializeOwned>() -> Self {
        Self {
            info: M::INFO,
            decode_json: decode_json::<M>,
            check_params: check_params::<M>,
            error: error_facts::<M>,
            example: None,
        }
    }

    /// The same entry with the spec's example response `body`.
    #[must_use]
    pub const fn with_example(mut self, body: &'static str) -> Self {
        self.example = Some(body);
        self
    }
}

fn check_params<M: DeserializeOwned>(params: &serde_json::Value) -> Result<(), DecodeError> {
    serde_path_to_error::deserialize::<_, M>(params)
        .map(|_| ())
        .map_err(|e| DecodeError::new(e.path().to_string(), e.inner().to_string()))
}

fn error_facts<M: Method>(code: &str) -> Option<CodeFacts> {
    let typed = M::ErrorCode::from(code);
    (!typed.is_unknown()).then(|| CodeFacts {
        statuses: typed.http_statuses(),
        messages: typed.messages(),
    })
}

/// Finds a method by wire name.
#[must_use]
pub fn find<'a>(methods: &'a [MethodEntry], name: &str) -> Option<&'a MethodEntry> {
    methods.iter().find(|m| m.info.name == name)
}

/// A [`ResponseError`] whose code type has been erased.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErasedResponseError {
    /// The server answered with an error.
    #[error("{error}")]
    Api {
        /// The error, rendered with its code, description and status.
        error: String,
        /// The code as the server spelled it.
        code: String,
        /// Whether the method documents this code (or it is a system error).
        known: bool,
    },
    /// The body was not what the method documents.
    #[error(transparent)]
    Decode(#[from] crate::DecodeError),
}

fn decode_json<M: Method>(
    status: Option<u16>,
    body: &[u8],
) -> Result<Decoded, ErasedResponseError> {
    match decode_response::<M>(status, body) {
        Ok(response) => Ok(Decoded {
            json: to_value::<M>(&response).map_err(ErasedResponseError::Decode)?,
            skipped: response.skipped,
        }),
        Err(ResponseError::Api(error)) => Err(ErasedResponseError::Api {
            code: error.code.as_str().to_owned(),
            known: !error.code.is_unknown(),
            error: error.to_string(),
        }),
        Err(ResponseError::Decode(error)) => Err(ErasedResponseError::Decode(error)),
    }
}

/// Re-encodes a typed response as a JSON value.
///
/// # Errors
/// Only if a value cannot be represented in JSON (a non-finite float).
pub fn to_value<M: Method>(
    response: &Response<M::Output>,
) -> Result<serde_json::Value, crate::DecodeError> {
    struct Wrap<'a, M: Method>(&'a Response<M::Output>);
    impl<M: Method> serde::Serialize for Wrap<'_, M> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            encode_response::<M, S>(self.0, serializer)
        }
    }
    serde_json::to_value(Wrap::<M>(response))
        .map_err(|e| crate::DecodeError::new("", e.to_string()))
}
