//! What a call can fail with, and whether it may have run.
//!
//! No error carries a URL or a secret: transport errors are rebuilt from reqwest's errors with the
//! URL stripped (a webhook URL holds the webhook code), and every message passes through the
//! client's scrubber.

use std::fmt;

use b24_core::{ApiError, DecodeError, ErrorCode, Execution, RawErrorCode, Retry};

/// Why a call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<C: fmt::Display = RawErrorCode> {
    /// The server answered with an error code.
    Api(ApiError<C>),
    /// The server answered with an error page that is not a REST answer (an nginx 502, ...).
    Http {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        preview: String,
    },
    /// No complete answer arrived.
    Transport(TransportError),
    /// The answer does not have the documented shape.
    Decode {
        /// HTTP status of the answer.
        status: u16,
        /// Where and why (with the JSON path).
        error: DecodeError,
    },
    /// OAuth trouble: the refresh token was refused, or the new tokens could not be stored.
    Auth(AuthError),
    /// Refused before sending anything (an insecure URL, a malformed webhook URL, ...).
    Config(ConfigError),
    /// The shared limits (a rate limiter or operating-time budget kept in a store such as
    /// Redis) could not be consulted, so the call was not sent: limits fail closed.
    Limits(LimitError),
    /// Paging went wrong: a cursor or `next` that does not advance (the walk stops instead of
    /// looping forever), or a page that ends the walk before `total` says it may.
    Paging(crate::paging::PagingError),
    /// A batch command did not run.
    NotRun {
        /// The command's label inside the batch.
        label: String,
        /// Its method.
        method: &'static str,
        /// Why it did not run.
        reason: NotRunReason,
    },
}

/// Why a batch command did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRunReason {
    /// `halt` stopped the batch at an earlier failing command.
    Halted,
    /// A parameter refers to an earlier command's result that does not exist: that command
    /// failed or did not run, or its result has no value at the path.
    UnresolvedReference {
        /// The parameter.
        param: String,
        /// The reference, as the server would see it (`$result[c0][0][id]`).
        reference: String,
    },
}

impl fmt::Display for NotRunReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Halted => f.write_str("halt stopped the batch at an earlier failing command"),
            Self::UnresolvedReference { param, reference } => write!(
                f,
                "`{param}` refers to {reference}, which an earlier command did not produce"
            ),
        }
    }
}

/// A transport failure, with the URL removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
#[non_exhaustive]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportKind,
    /// Details (never a URL or a secret).
    pub message: String,
}

/// Kinds of transport failure, by whether the request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be made (refused, DNS, TLS): nothing was sent.
    Connect,
    /// No answer in time after the request was sent.
    Timeout,
    /// The connection broke while the request or the answer was on the way (reset, cut body).
    Interrupted,
    /// The portal moved more than once within one call.
    Redirect,
    /// The call's overall deadline ([`RetryPolicy::deadline`](crate::RetryPolicy)) passed while
    /// an attempt was on its way: the request may have arrived.
    Deadline,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "cannot connect",
            Self::Timeout => "timed out",
            Self::Interrupted => "connection interrupted",
            Self::Redirect => "too many redirects",
            Self::Deadline => "the call's deadline passed",
        })
    }
}

/// OAuth failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The refresh token was refused (`invalid_grant`): it expired, was used already, or the app
    /// was removed. The user must authorize the application again.
    #[error(
        "the refresh token was refused (invalid_grant: {description}); authorize the application again"
    )]
    InvalidGrant {
        /// The authorization server's explanation.
        description: String,
    },
    /// The token endpoint refused the refresh for another reason.
    #[error("token refresh failed with HTTP {status}: {code}: {description}")]
    Refresh {
        /// HTTP status.
        status: u16,
        /// `error` of the answer (`invalid_client`, `PAYMENT_REQUIRED`, ...).
        code: String,
        /// `error_description`.
        description: String,
    },
    /// The token endpoint could not be reached or answered garbage.
    #[error("token refresh failed: {0}")]
    Transport(TransportError),
    /// The new tokens could not be saved by the token store; they are kept in memory.
    #[error("the token store failed: {0}")]
    Store(String),
}

/// A shared store of limits (the rate limiter's bucket, the operating-time budget, kept in
/// Redis or the like) could not be consulted. Nothing was sent: without the store the client
/// cannot know whether the portal has room, and guessing would overrun it for every process
/// that shares it. A limiter built to fall back on a local bucket does so instead of failing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the shared limits are unavailable ({store}): {message}; the call was not sent")]
#[non_exhaustive]
pub struct LimitError {
    /// Which store (e.g. `redis rate limiter`).
    pub store: String,
    /// What went wrong (never a password or token).
    pub message: String,
}

impl LimitError {
    /// `store` could not be consulted because of `message`.
    pub fn new(store: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            store: store.into(),
            message: message.into(),
        }
    }
}

/// Problems found before any byte is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Plain `http://` to a host that is not loopback: the portal requires HTTPS, and the secret
    /// would travel in clear text.
    #[error(
        "refusing plain http:// to `{host}`: Bitrix24 requires https (plain http is allowed only for loopback)"
    )]
    InsecureUrl {
        /// The host.
        host: String,
    },
    /// The webhook URL does not have the `https://<portal>/rest/<user id>/<code>/` shape.
    #[error(
        "not a webhook URL: {reason}; expected https://<portal>/rest/<user id>/<webhook code>/"
    )]
    BadWebhookUrl {
        /// What is wrong (the URL itself is not repeated: it holds the secret).
        reason: String,
    },
    /// A portal or endpoint URL does not parse.
    #[error("not a usable URL: {0}")]
    BadUrl(String),
    /// A token file ([`FileTokenStore`](crate::FileTokenStore)) cannot be used: the message
    /// names the file and the key, never a value.
    #[error("token file: {0}")]
    TokenFile(String),
    /// `B24_WEBHOOK_URL` is not set.
    #[error("B24_WEBHOOK_URL is not set")]
    MissingEnv,
    /// The builder was given neither a webhook nor an OAuth application.
    #[error("no credentials: give the client a webhook URL or an OAuth application")]
    MissingCredentials,
    /// The builder was given both a webhook and an OAuth application: which one to use is not
    /// for the client to guess.
    #[error("both a webhook and an OAuth application were given; keep one")]
    ConflictingCredentials,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    /// The request could not be encoded as JSON.
    #[error("cannot encode the request: {0}")]
    Encode(String),
    /// The spec says this method may not travel inside `batch`.
    #[error("{0} may not be called inside batch")]
    NotInBatch(&'static str),
    /// A batch reference that cannot be sent: it points into another batch or at a later
    /// command, or a path segment or parameter name the reference syntax cannot spell.
    #[error("bad batch reference for `{param}`: {reason}")]
    BadReference {
        /// The parameter the reference was given for.
        param: String,
        /// What is wrong.
        reason: &'static str,
    },
}

impl<C: ErrorCode> Error<C> {
    /// HTTP status of the answer, if one arrived.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => e.status,
            Self::Http { status, .. } | Self::Decode { status, .. } => Some(*status),
            Self::Auth(AuthError::Refresh { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// The error code (`ACCESS_ERROR`, `QUERY_LIMIT_EXCEEDED`, `invalid_grant`, ...).
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api(e) => Some(e.code.as_str()),
            Self::Auth(AuthError::InvalidGrant { .. }) => Some("invalid_grant"),
            Self::Auth(AuthError::Refresh { code, .. }) => Some(code),
            _ => None,
        }
    }

    /// The server's (or the client's) description.
    #[must_use]
    pub fn description(&self) -> String {
        struct Failure<'a, C: ErrorCode>(&'a Error<C>);
        impl<C: ErrorCode> fmt::Display for Failure<'_, C> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_failure(f)
            }
        }
        match self {
            Self::Api(e) => e.description.clone(),
            other => Failure(other).to_string(),
        }
    }

    /// The system error this is, if it is one.
    #[must_use]
    pub fn system(&self) -> Option<b24_core::SystemErrorCode> {
        match self {
            Self::Api(e) => e.code.system(),
            _ => None,
        }
    }

    /// Whether repeating the call can help (after the right wait). Says nothing about whether
    /// repeating is *safe*: see [`Self::was_possibly_executed`].
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => match e.code.system() {
                Some(system) => system.retry() != Retry::Never,
                None => e.code.is_unknown() && e.status.is_some_and(|s| s >= 500),
            },
            Self::Http { status, .. } => *status >= 500 || *status == 429,
            Self::Transport(t) => t.kind != TransportKind::Redirect,
            Self::Decode { .. }
            | Self::Auth(_)
            | Self::Config(_)
            | Self::Paging(_)
            | Self::NotRun { .. } => false,
            // The store may be back later; the call never left.
            Self::Limits(_) => true,
        }
    }

    /// Whether the call may have had its effect on the portal. `false` means the server provably
    /// did not run it (refused by a limit, bad credentials, a validation error, no connection).
    /// For a write, `true` means: check before repeating it.
    #[must_use]
    pub fn was_possibly_executed(&self) -> bool {
        match self {
            Self::Api(e) => match e.code.system() {
                Some(system) => system.execution() == Execution::MaybeExecuted,
                // A method's own codes are validation and access errors, given before any effect;
                // an unknown code with a 5xx status may come from a failure half way.
                None => e.code.is_unknown() && e.status.is_some_and(|s| s >= 500),
            },
            Self::Http { status, .. } => *status >= 500,
            Self::Transport(t) => matches!(
                t.kind,
                TransportKind::Timeout | TransportKind::Interrupted | TransportKind::Deadline
            ),
            // The server answered 2xx: the call ran, only its answer is unreadable.
            Self::Decode { status, .. } => (200..300).contains(status),
            Self::Auth(_)
            | Self::Config(_)
            | Self::Limits(_)
            | Self::Paging(_)
            | Self::NotRun { .. } => false,
        }
    }

    /// Converts the code type (through the code's text).
    #[must_use]
    pub fn recode<D: ErrorCode>(self) -> Error<D> {
        match self {
            Self::Api(e) => Error::Api(e.recode()),
            Self::Http { status, preview } => Error::Http { status, preview },
            Self::Transport(t) => Error::Transport(t),
            Self::Decode { status, error } => Error::Decode { status, error },
            Self::Auth(a) => Error::Auth(a),
            Self::Config(c) => Error::Config(c),
            Self::Limits(l) => Error::Limits(l),
            Self::Paging(p) => Error::Paging(p),
            Self::NotRun {
                label,
                method,
                reason,
            } => Error::NotRun {
                label,
                method,
                reason,
            },
        }
    }
}

impl<C: ErrorCode> fmt::Display for Error<C> {
    /// The failure, and — when the call may have had its effect ([`Error::was_possibly_executed`])
    /// — "(the call may have run)", so that nobody repeats a write that landed without checking.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_failure(f)?;
        if self.was_possibly_executed() {
            f.write_str(" (the call may have run)")?;
        }
        Ok(())
    }
}

impl<C: ErrorCode> Error<C> {
    fn fmt_failure(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(e) => write!(f, "{e}"),
            Self::Http { status, preview } => {
                write!(f, "HTTP {status} with a non-REST body: {preview}")
            }
            Self::Transport(e) => write!(f, "{e}"),
            Self::Decode { status, error } => write!(f, "{error} (HTTP {status})"),
            Self::Auth(e) => write!(f, "{e}"),
            Self::Config(e) => write!(f, "{e}"),
            Self::Limits(e) => write!(f, "{e}"),
            Self::Paging(e) => write!(f, "paging stopped: {e}"),
            Self::NotRun {
                label,
                method,
                reason,
            } => write!(f, "command `{label}` ({method}) did not run: {reason}"),
        }
    }
}

impl<C: ErrorCode> std::error::Error for Error<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Api(e) => Some(e),
            Self::Transport(e) => Some(e),
            Self::Decode { error, .. } => Some(error),
            Self::Auth(e) => Some(e),
            Self::Config(e) => Some(e),
            Self::Limits(e) => Some(e),
            Self::Paging(e) => Some(e),
            Self::Http { .. } | Self::NotRun { .. } => None,
        }
    }
}

impl<C: fmt::Display> From<LimitError> for Error<C> {
    fn from(e: LimitError) -> Self {
        Self::Limits(e)
    }
}

impl<C: fmt::Display> From<ConfigError> for Error<C> {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

impl<C: fmt::Display> From<AuthError> for Error<C> {
    fn from(e: AuthError) -> Self {
        Self::Auth(e)
    }
}

/// The error of any call, whatever its method: what code that calls several methods returns
/// (`fn main() -> Result<(), AnyError>`), since `?` converts every [`Error<C>`] into it, and
/// the client's configuration errors too.
///
/// It keeps the method's typed error: [`AnyError::downcast_ref`] gives it back, so the codes
/// stay matchable. The questions every error answers ([`AnyError::status`], [`AnyError::code`],
/// [`AnyError::is_retryable`], [`AnyError::was_possibly_executed`], ...) need no downcast.
///
/// ```
/// use b24_client::{AnyError, Error};
/// use b24_core::{ApiError, SystemErrorCode};
/// use b24_im::CountersGetErrorCode;
///
/// fn check(result: Result<(), AnyError>) -> &'static str {
///     let Err(error) = result else { return "ok" };
///     match error.downcast_ref::<CountersGetErrorCode>() {
///         Some(Error::Api(api)) if api.code == CountersGetErrorCode::System(SystemErrorCode::QueryLimitExceeded) => {
///             "slow down"
///         }
///         _ if error.is_retryable() => "try again",
///         _ => "give up",
///     }
/// }
///
/// // What `client.call(&CountersGetRequest::new()).await?` passes on when the portal refuses.
/// let refused: Error<CountersGetErrorCode> = Error::Api(ApiError::new(
///     Some(503),
///     CountersGetErrorCode::System(SystemErrorCode::QueryLimitExceeded),
///     "Too many requests",
/// ));
/// assert_eq!(check(Err(refused.into())), "slow down");
/// assert_eq!(check(Ok(())), "ok");
/// ```
pub struct AnyError(Box<dyn Erased>);

/// What [`AnyError`] needs of the [`Error`] it holds.
trait Erased: std::error::Error + Send + Sync + 'static {
    fn status(&self) -> Option<u16>;
    fn code(&self) -> Option<&str>;
    fn description(&self) -> String;
    fn system(&self) -> Option<b24_core::SystemErrorCode>;
    fn is_retryable(&self) -> bool;
    fn was_possibly_executed(&self) -> bool;
    fn as_any(&self) -> &dyn std::any::Any;
}

impl<C: ErrorCode> Erased for Error<C> {
    fn status(&self) -> Option<u16> {
        Error::status(self)
    }
    fn code(&self) -> Option<&str> {
        Error::code(self)
    }
    fn description(&self) -> String {
        Error::description(self)
    }
    fn system(&self) -> Option<b24_core::SystemErrorCode> {
        Error::system(self)
    }
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }
    fn was_possibly_executed(&self) -> bool {
        Error::was_possibly_executed(self)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl AnyError {
    /// The typed error, when the call's error codes are `C` (the method's `…ErrorCode`).
    #[must_use]
    pub fn downcast_ref<C: ErrorCode>(&self) -> Option<&Error<C>> {
        self.0.as_any().downcast_ref()
    }

    /// See [`Error::status`].
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.0.status()
    }

    /// See [`Error::code`].
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.0.code()
    }

    /// See [`Error::description`].
    #[must_use]
    pub fn description(&self) -> String {
        Erased::description(&*self.0)
    }

    /// See [`Error::system`].
    #[must_use]
    pub fn system(&self) -> Option<b24_core::SystemErrorCode> {
        self.0.system()
    }

    /// See [`Error::is_retryable`].
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.0.is_retryable()
    }

    /// See [`Error::was_possibly_executed`].
    #[must_use]
    pub fn was_possibly_executed(&self) -> bool {
        self.0.was_possibly_executed()
    }
}

impl<C: ErrorCode> From<Error<C>> for AnyError {
    fn from(e: Error<C>) -> Self {
        Self(Box::new(e))
    }
}

impl From<ConfigError> for AnyError {
    fn from(e: ConfigError) -> Self {
        Error::<RawErrorCode>::Config(e).into()
    }
}

impl From<AuthError> for AnyError {
    fn from(e: AuthError) -> Self {
        Error::<RawErrorCode>::Auth(e).into()
    }
}

impl From<LimitError> for AnyError {
    fn from(e: LimitError) -> Self {
        Error::<RawErrorCode>::Limits(e).into()
    }
}

impl fmt::Display for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl std::error::Error for AnyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
