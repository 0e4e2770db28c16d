//! What a handler answers, built from the generated types so the spec decides the wire form:
//! a result serialized from the method's generated output type ([`Outcome::of`]), or an error
//! whose code, HTTP status and text come from the generated error enum ([`fail`]).

use b24_core::{ErrorCode, Method, SystemErrorCode};
use serde_json::Value;

/// A successful call.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The `result` value.
    pub result: Value,
    /// Envelope `total`.
    pub total: Option<i64>,
    /// Envelope `next`.
    pub next: Option<u64>,
    /// Rows returned, for the cost model.
    pub rows: usize,
}

impl Outcome {
    /// The result of method `M`, serialized from its generated output type with the wire names
    /// and shapes of the spec; `rows` is what the cost model charges for.
    ///
    /// # Errors
    /// `ERROR_UNEXPECTED_ANSWER` if the value cannot be written as JSON (a non-finite number),
    /// as the server answers when it cannot encode its answer.
    pub fn of<M: Method>(output: &M::Output, rows: usize) -> Result<Self, Failure> {
        let result = M::encode_result(output, serde_json::value::Serializer)
            .map_err(|_| Failure::system(SystemErrorCode::ErrorUnexpectedAnswer))?;
        Ok(Self {
            result,
            total: None,
            next: None,
            rows,
        })
    }

    /// The same outcome with the envelope's `total` and `next` (offset paging).
    #[must_use]
    pub fn paged(mut self, total: Option<i64>, next: Option<u64>) -> Self {
        self.total = total;
        self.next = next;
        self
    }
}

/// An error answer: `error`, `error_description` and the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// HTTP status.
    pub status: u16,
    /// `error`.
    pub code: String,
    /// `error_description`.
    pub description: String,
}

/// The error `code` of a method (a variant of its generated `…ErrorCode` enum), answered with
/// the status and text the spec lists first for it:
/// `Err(fail(DialogUsersListErrorCode::DialogIdEmpty))`.
pub fn fail(code: impl ErrorCode) -> Failure {
    fail_nth(code, 0)
}

/// The `n`-th documented answer of an error code: the spec lists a code's statuses and texts
/// in pairs when they differ by case (`ACCESS_ERROR`: 403 "You do not have access to the
/// specified dialog", 400 "You don't have access to this chat"); a code with fewer statuses
/// than texts keeps its last status.
pub fn fail_nth(code: impl ErrorCode, n: usize) -> Failure {
    let statuses = code.http_statuses();
    let messages = code.messages();
    Failure {
        status: statuses.get(n).or(statuses.last()).copied().unwrap_or(400),
        code: code.as_str().to_owned(),
        // A code whose texts the spec does not record is answered with the code itself.
        description: messages
            .get(n)
            .or(messages.last())
            .copied()
            .unwrap_or(code.as_str())
            .to_owned(),
    }
}

impl Failure {
    /// A system error with its documented status and text.
    #[must_use]
    pub fn system(code: SystemErrorCode) -> Self {
        Self {
            status: code.http_status(),
            code: code.as_str().to_owned(),
            description: code.message().to_owned(),
        }
    }

    /// The same error with the emulator's own explanation as its text, for refusals the
    /// server words differently or not at all (a request nested too deep).
    #[must_use]
    pub fn explained(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
}
