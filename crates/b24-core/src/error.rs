//! Errors a response can carry or cause.

use std::fmt::{self, Debug, Display};

use crate::SystemErrorCode;

/// An error-code type: a method's generated `…ErrorCode` enum, or [`SystemErrorCode`].
///
/// Codes are matched exactly as the server spells them (`menu_ERROR` and `MENU_ERROR` differ),
/// and unknown codes are kept, never rejected.
pub trait ErrorCode:
    for<'a> From<&'a str> + Clone + Debug + Display + PartialEq + Send + Sync + 'static
{
    /// The code as the server spells it.
    fn as_str(&self) -> &str;
    /// The system error this code is, if it is one any method can return.
    fn system(&self) -> Option<SystemErrorCode>;
    /// Neither documented by the method nor a known system error.
    fn is_unknown(&self) -> bool;
    /// The HTTP statuses the server answers this code with, the usual one first (empty when
    /// not documented).
    fn http_statuses(&self) -> &'static [u16] {
        &[]
    }
    /// The documented `error_description` texts (empty when not documented).
    fn messages(&self) -> &'static [&'static str] {
        &[]
    }
}

/// Whether a failed call may have had its effect on the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Execution {
    /// The server refused the call before running it.
    NotExecuted,
    /// The call may have run (for a write: the data may have changed).
    MaybeExecuted,
}

/// What a caller can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retry {
    /// Repeating the call cannot help (auth, access, validation, manual block).
    Never,
    /// Repeat after a backoff pause.
    Backoff,
    /// Repeat once the method's operating-time window resets (`time.operating_reset_at`).
    AfterReset,
    /// Refresh the OAuth access token, then repeat.
    RefreshToken,
}

/// An error answer from the server: `{"error": "...", "error_description": "..."}`.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError<C> {
    /// HTTP status of the response, when known.
    pub status: Option<u16>,
    /// The typed code.
    pub code: C,
    /// The server's explanation. Not meant for end users, and it differs between server
    /// versions: never match on it.
    pub description: String,
}

impl<C> ApiError<C> {
    /// Builds an API error.
    pub fn new(status: Option<u16>, code: C, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
        }
    }
}

impl<C: ErrorCode> ApiError<C> {
    /// Converts the code to another code type through its text.
    #[must_use]
    pub fn recode<D: ErrorCode>(&self) -> ApiError<D> {
        ApiError {
            status: self.status,
            code: D::from(self.code.as_str()),
            description: self.description.clone(),
        }
    }
}

impl<C: Display> Debug for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &format_args!("{}", self.code))
            .field("description", &self.description)
            .finish()
    }
}

impl<C: Display> Display for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.description.is_empty() {
            write!(f, ": {}", self.description)?;
        }
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl<C: Display> std::error::Error for ApiError<C> {}

/// A response that does not have the documented shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
#[non_exhaustive]
pub struct DecodeError {
    /// JSON path of the offending value, e.g. `result[3].idle` (empty: the body itself).
    pub path: String,
    /// What was expected and what was found there.
    pub message: String,
}

impl DecodeError {
    /// Builds a decode error.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }

    fn render(&self) -> String {
        if self.path.is_empty() || self.path == "." {
            format!("cannot decode the response: {}", self.message)
        } else {
            format!(
                "cannot decode the response at `{}`: {}",
                self.path, self.message
            )
        }
    }
}

/// An entry of a list or map in `result` that did not decode and was left out, so the rest of
/// the response could be used (see [`crate::Method::SKIP`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("left out `{entry}`, which does not fit: {error}")]
#[non_exhaustive]
pub struct Skipped {
    /// JSON path of the entry that was left out, e.g. `result.users[1]`.
    pub entry: String,
    /// Where inside the entry decoding failed, and why.
    pub error: DecodeError,
}

/// Why a response body did not yield a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResponseError<C: Display> {
    /// The server answered with an error.
    #[error("{0}")]
    Api(ApiError<C>),
    /// The body was not what the method documents.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// The error codes of a call whose method is not in the spec: a system error or any other code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RawErrorCode {
    /// An error any method can return.
    System(SystemErrorCode),
    /// Any other code, as the server spelled it.
    Other(crate::UnknownCode),
}

impl From<&str> for RawErrorCode {
    fn from(code: &str) -> Self {
        SystemErrorCode::from_code(code).map_or_else(
            || Self::Other(crate::UnknownCode::__new(code)),
            Self::System,
        )
    }
}

impl Display for RawErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorCode for RawErrorCode {
    fn as_str(&self) -> &str {
        match self {
            Self::System(code) => code.as_str(),
            Self::Other(code) => code.as_str(),
        }
    }
    fn system(&self) -> Option<SystemErrorCode> {
        match self {
            Self::System(code) => Some(*code),
            Self::Other(_) => None,
        }
    }
    fn is_unknown(&self) -> bool {
        matches!(self, Self::Other(_))
    }
}
