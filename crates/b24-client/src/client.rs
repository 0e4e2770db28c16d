//! The client: one call at a time through the limiter, the governor, the transport and the retry
//! loop.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use b24_core::{
    ErrorCode, Method, RawErrorCode, Response, ResponseError, Retry, SystemErrorCode,
    decode_response,
};
use bytes::Bytes;
use secrecy::ExposeSecret as _;
use serde::Serialize;
use tracing::Instrument as _;
use url::Url;

use crate::error::{AuthError, ConfigError, Error, TransportError, TransportKind};
use crate::governor::{BudgetStore, GovernorConfig, OperatingGovernor};
use crate::limiter::{Bucket, LeakyBucket, RateLimiter, Unlimited};
use crate::oauth::{OAuthApp, Session, transport_error};
use crate::retry::RetryPolicy;
use crate::secret::{Scrubber, Webhook, origin};

/// A Bitrix24 REST client. Cheap to clone: clones share the connection pool, the rate limiter,
/// the operating-time governor and the OAuth session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

enum Auth {
    Webhook(Webhook),
    OAuth(Box<Session>),
}

struct Inner {
    http: reqwest::Client,
    auth: Auth,
    portal: RwLock<Url>,
    limiter: Arc<dyn RateLimiter>,
    governor: OperatingGovernor,
    retry: RetryPolicy,
    scrubber: Scrubber,
    requests: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            Auth::Webhook(w) => format!("webhook of user {} (code [REDACTED])", w.user_id()),
            Auth::OAuth(s) => format!("OAuth app {} (tokens [REDACTED])", s.app().client_id),
        };
        f.debug_struct("Client")
            .field("portal", &self.portal().as_str())
            .field("auth", &auth)
            .field("limiter", &self.inner.limiter)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Facts about a call that steer retries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallSpec<'a> {
    pub(crate) method: &'a str,
    pub(crate) read_only: bool,
    /// The first attempt's rate-limiter slot was taken already ([`RateLimiter::claim`]).
    pub(crate) prepaid: bool,
}

/// What one attempt produced before decoding.
struct Answer {
    status: u16,
    body: Bytes,
    generation: u64,
}

/// Decodes a response body for one method.
pub(crate) type Decoder<T, C> = fn(Option<u16>, &[u8]) -> Result<Response<T>, ResponseError<C>>;

/// Failures of one attempt that are not answers.
enum AttemptError {
    Transport(TransportError),
    Config(ConfigError),
    Auth(AuthError),
}

impl<C: fmt::Display> From<AttemptError> for Error<C> {
    fn from(e: AttemptError) -> Self {
        match e {
            AttemptError::Transport(t) => Self::Transport(t),
            AttemptError::Config(c) => Self::Config(c),
            AttemptError::Auth(a) => Self::Auth(a),
        }
    }
}

/// A method that is not in the spec: the result is any JSON, the codes are system or other.
#[derive(Debug, Serialize)]
pub(crate) struct AnyMethod;

impl Method for AnyMethod {
    const INFO: &'static b24_core::MethodInfo = &b24_core::MethodInfo {
        name: "",
        scope: "",
        summary: "",
        docs_url: "",
        read_only: false,
        batch: true,
        pagination: b24_core::Pagination::NONE,
    };
    type Output = serde_json::Value;
    type ErrorCode = RawErrorCode;
    fn decode_result<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<serde_json::Value, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn encode_result<S: serde::Serializer>(v: &serde_json::Value, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

impl Client {
    /// A client for an inbound webhook URL (`https://<portal>/rest/<user id>/<code>/`), with the
    /// default limits and retries.
    ///
    /// # Errors
    /// When the URL is malformed or plain http to a host that is not loopback. The error never
    /// repeats the URL: it holds the secret.
    pub fn from_webhook(url: &str) -> Result<Self, ConfigError> {
        Self::builder().webhook(url)?.build()
    }

    /// A webhook client from the `B24_WEBHOOK_URL` environment variable.
    ///
    /// # Errors
    /// When the variable is missing or malformed.
    pub fn from_env() -> Result<Self, ConfigError> {
        let url = std::env::var("B24_WEBHOOK_URL").map_err(|_| ConfigError::MissingEnv)?;
        Self::from_webhook(&url)
    }

    /// An OAuth client for an installed application.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn oauth(app: OAuthApp) -> Result<Self, ConfigError> {
        Self::builder().oauth(app).build()
    }

    /// Starts configuring a client.
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The portal's address (no secret in it).
    #[must_use]
    pub fn portal(&self) -> Url {
        self.inner
            .portal
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The rate limiter this client shares.
    #[must_use]
    pub fn limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.inner.limiter
    }

    /// The operating-time governor.
    #[must_use]
    pub fn governor(&self) -> &OperatingGovernor {
        &self.inner.governor
    }

    /// The scrubber that removes this client's secrets from text.
    pub(crate) fn scrubber(&self) -> &Scrubber {
        &self.inner.scrubber
    }

    /// `text` with this client's secrets (webhook code, client secret, current and past OAuth
    /// tokens) replaced by `[REDACTED]`: for text from the portal that is shown or logged outside
    /// the client's own errors.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        self.inner.scrubber.scrub(text)
    }

    /// An API error whose code and description are scrubbed (servers and proxies echo requests).
    fn scrub_api<C: ErrorCode>(&self, api: b24_core::ApiError<C>) -> b24_core::ApiError<C> {
        let scrubber = &self.inner.scrubber;
        let code = scrubber.scrub(api.code.as_str());
        let code = if code == api.code.as_str() {
            api.code
        } else {
            C::from(code.as_str())
        };
        b24_core::ApiError::new(api.status, code, scrubber.scrub(&api.description))
    }

    /// HTTP requests this client (and its clones) sent to the portal, retries included.
    #[must_use]
    pub fn requests_sent(&self) -> u64 {
        self.inner
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many OAuth refreshes this client made (0 for webhooks).
    #[must_use]
    pub fn refreshes(&self) -> u64 {
        match &self.inner.auth {
            Auth::OAuth(s) => s.refreshes(),
            Auth::Webhook(_) => 0,
        }
    }

    /// Calls a method described in the spec and decodes its answer with the generated types:
    /// the typed `result` with `total`, `next` and `time`, or a typed error.
    ///
    /// # Errors
    /// See [`Error`]: the method's own codes, system errors, transport failures, undecodable
    /// answers (with the JSON path).
    pub async fn call<M: Method>(
        &self,
        request: &M,
    ) -> Result<Response<M::Output>, Error<M::ErrorCode>> {
        let spec = CallSpec {
            method: M::INFO.name,
            read_only: M::INFO.read_only,
            prepaid: false,
        };
        self.send(spec, request, decode_response::<M>).await
    }

    /// Calls any method with JSON parameters: the escape hatch for methods not yet in the spec.
    /// Such calls are treated as writes (not repeated after an ambiguous failure); use
    /// [`Self::call_raw_read_only`] for reads.
    ///
    /// # Errors
    /// As [`Self::call`], with untyped codes.
    pub async fn call_raw(
        &self,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<Response<serde_json::Value>, Error<RawErrorCode>> {
        let spec = CallSpec {
            method,
            read_only: false,
            prepaid: false,
        };
        self.send(spec, params, decode_response::<AnyMethod>).await
    }

    /// As [`Self::call_raw`], for a method that only reads (so ambiguous failures are retried).
    ///
    /// # Errors
    /// As [`Self::call`], with untyped codes.
    pub async fn call_raw_read_only(
        &self,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<Response<serde_json::Value>, Error<RawErrorCode>> {
        let spec = CallSpec {
            method,
            read_only: true,
            prepaid: false,
        };
        self.send(spec, params, decode_response::<AnyMethod>).await
    }

    /// Encodes `params` as the JSON body and runs the call (limits, retries, decoding).
    pub(crate) async fn send<P: Serialize + ?Sized, T, C: ErrorCode>(
        &self,
        spec: CallSpec<'_>,
        params: &P,
        decode: Decoder<T, C>,
    ) -> Result<Response<T>, Error<C>> {
        let body = serde_json::to_vec(params)
            .map_err(|e| Error::Config(ConfigError::Encode(e.to_string())))?;
        self.execute(spec, Bytes::from(body), decode).await
    }

    /// The HTTP client (for download links, which carry their own authorization).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Runs a call with a body encoded by the caller (limits, retries, decoding).
    #[allow(clippy::too_many_lines)]
    pub(crate) async fn execute<T, C: ErrorCode>(
        &self,
        spec: CallSpec<'_>,
        body: Bytes,
        decode: Decoder<T, C>,
    ) -> Result<Response<T>, Error<C>> {
        let span = tracing::info_span!(
            "b24.call",
            method = spec.method,
            attempts = tracing::field::Empty
        );
        async move {
            let policy = self.inner.retry;
            // The deadline counts from the first send: waiting for the first slot of the rate
            // limit is not the call taking long. Retries, their waits and attempts all count.
            let mut started: Option<Instant> = None;
            let mut last_error: Option<Error<C>> = None;
            let mut attempt: u32 = 0;
            let mut refreshed = false;
            loop {
                attempt += 1;
                tracing::Span::current().record("attempts", attempt);
                let hold = self.inner.governor.delay(spec.method, SystemTime::now()).await?;
                if !hold.is_zero() {
                    tracing::info!(wait_ms = hold.as_millis() as u64, "operating-time governor: holding the method");
                    tokio::time::sleep(hold).await;
                }
                if !(spec.prepaid && attempt == 1) {
                    self.inner.limiter.acquire().await?;
                }
                let first_sent = *started.get_or_insert_with(Instant::now);
                let remaining = policy.deadline.saturating_sub(first_sent.elapsed());
                if let Some(error) = last_error.take().filter(|_| remaining.is_zero()) {
                    tracing::warn!(attempt, "giving up: the deadline passed while waiting to retry");
                    return Err(error);
                }
                let attempt_span = tracing::debug_span!("b24.attempt", attempt, status = tracing::field::Empty, code = tracing::field::Empty, duration_ms = tracing::field::Empty);
                let sent = Instant::now();
                // The deadline cuts an attempt in flight.
                let outcome = match tokio::time::timeout(remaining, self.attempt(spec, &body).instrument(attempt_span.clone())).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(AttemptError::Transport(TransportError {
                        kind: TransportKind::Deadline,
                        message: format!(
                            "{} s after the first send, during attempt {attempt}",
                            policy.deadline.as_secs_f64()
                        ),
                    })),
                };
                attempt_span.record("duration_ms", sent.elapsed().as_millis() as u64);
                let (error, generation) = match outcome {
                    Ok(answer) => {
                        attempt_span.record("status", answer.status);
                        let decoded = decode(Some(answer.status), &answer.body);
                        if !matches!(&decoded, Err(ResponseError::Api(api)) if api.code.system() == Some(SystemErrorCode::QueryLimitExceeded)) {
                            self.inner.limiter.on_admitted();
                        }
                        match decoded {
                            Ok(mut response) => {
                                self.inner.scrubber.report_skipped(spec.method, &mut response.skipped);
                                if let Some(time) = &response.time {
                                    self.observe(spec.method, time).await;
                                }
                                tracing::debug!(parent: &attempt_span, status = answer.status, "answered");
                                return Ok(response);
                            }
                            Err(ResponseError::Api(api)) => {
                                let api = self.scrub_api(api);
                                attempt_span.record("code", api.code.as_str());
                                (Error::Api(api), answer.generation)
                            }
                            Err(ResponseError::Decode(decode_error)) => {
                                let looks_json = answer.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
                                let error = if answer.status >= 400 || !looks_json {
                                    Error::Http {
                                        status: answer.status,
                                        preview: self.inner.scrubber.preview(&answer.body),
                                    }
                                } else {
                                    let mut error = decode_error;
                                    error.path = self.inner.scrubber.scrub(&error.path);
                                    error.message = self.inner.scrubber.scrub(&error.message);
                                    Error::Decode {
                                        status: answer.status,
                                        error,
                                    }
                                };
                                (error, answer.generation)
                            }
                        }
                    }
                    Err(e) => (Error::from(e), 0),
                };

                // Decide whether and when to try again.
                let system = error.system();
                let mut wait = Duration::ZERO;
                let retry = match (&error, system) {
                    (Error::Api(_), Some(SystemErrorCode::ExpiredToken)) => {
                        if let (Auth::OAuth(session), false) = (&self.inner.auth, refreshed) {
                            refreshed = true;
                            if let Err(e) = session.refresh(&self.inner.http, generation, &self.inner.scrubber).await {
                                return Err(Error::Auth(e));
                            }
                            true
                        } else {
                            false
                        }
                    }
                    (Error::Api(_), Some(code)) if code.retry() == Retry::AfterReset => {
                        wait = self.inner.governor.blocked(spec.method, SystemTime::now()).await?;
                        true
                    }
                    (Error::Api(_), Some(SystemErrorCode::QueryLimitExceeded)) => {
                        self.inner.limiter.on_rejected();
                        wait = policy.backoff(attempt);
                        true
                    }
                    _ if error.is_retryable() => {
                        let safe = !error.was_possibly_executed() || spec.read_only || policy.retry_ambiguous_writes;
                        wait = policy.backoff(attempt);
                        safe
                    }
                    _ => false,
                };
                let out_of_time = first_sent.elapsed() + wait >= policy.deadline;
                // A refresh after `expired_token` does not use up an attempt.
                let out_of_attempts = attempt >= policy.max_attempts && !(refreshed && system == Some(SystemErrorCode::ExpiredToken));
                if !retry || out_of_attempts || out_of_time {
                    if retry {
                        tracing::warn!(attempt, code = error.code().unwrap_or(""), "giving up: {}", if out_of_time { "the deadline would pass" } else { "no attempts left" });
                    }
                    return Err(error);
                }
                tracing::warn!(attempt, code = error.code().unwrap_or(""), status = error.status().unwrap_or(0), wait_ms = wait.as_millis() as u64, error = %error, "retrying");
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                last_error = Some(error);
            }
        }
        .instrument(span)
        .await
    }

    /// Records an answer's operating time. The answer is in hand: a store that cannot take the
    /// report is logged, not allowed to lose the answer.
    pub(crate) async fn observe(&self, method: &str, time: &b24_core::Time) {
        if let Err(error) = self.inner.governor.observe(method, time).await {
            tracing::warn!(method, %error, "operating-time governor: the report was not recorded");
        }
    }

    /// Sends once (following one portal move), returning the raw answer.
    async fn attempt(&self, spec: CallSpec<'_>, body: &Bytes) -> Result<Answer, AttemptError> {
        let mut moved = false;
        loop {
            let portal = self.portal();
            let (url, payload, generation) = match &self.inner.auth {
                Auth::Webhook(w) => {
                    let path = format!(
                        "rest/{}/{}/{}.json",
                        w.user_id(),
                        w.code.expose_secret(),
                        spec.method
                    );
                    (portal.join(&path), body.clone(), 0)
                }
                Auth::OAuth(session) => {
                    session
                        .load(&self.inner.scrubber)
                        .await
                        .map_err(AttemptError::Auth)?;
                    let (mut token, mut generation, stale) = session.access();
                    if stale {
                        session
                            .refresh(&self.inner.http, generation, &self.inner.scrubber)
                            .await
                            .map_err(AttemptError::Auth)?;
                        (token, generation, _) = session.access();
                    }
                    // `auth` travels in the body, never in the URL.
                    (
                        portal.join(&format!("rest/{}.json", spec.method)),
                        with_auth(body, token.expose_secret()),
                        generation,
                    )
                }
            };
            let url = url.map_err(|e| AttemptError::Config(ConfigError::BadUrl(e.to_string())))?;
            self.inner
                .requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let response = self
                .inner
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::ACCEPT, "application/json")
                .body(payload)
                .send()
                .await
                .map_err(|e| AttemptError::Transport(transport_error(&e, &self.inner.scrubber)))?;
            let status = response.status();
            if status.is_redirection() {
                let target = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| portal.join(l).ok());
                let Some(target) = target else {
                    return Err(AttemptError::Transport(TransportError {
                        kind: TransportKind::Redirect,
                        message: format!("HTTP {} without a usable Location", status.as_u16()),
                    }));
                };
                let new_portal = origin(&target).map_err(|e| {
                    AttemptError::Config(match e {
                        ConfigError::InsecureUrl { host } => ConfigError::InsecureUrl {
                            host: self.inner.scrubber.scrub(&host),
                        },
                        ConfigError::BadUrl(reason) => {
                            ConfigError::BadUrl(self.inner.scrubber.scrub(&reason))
                        }
                        other => other,
                    })
                })?;
                if moved || new_portal == portal {
                    return Err(AttemptError::Transport(TransportError {
                        kind: TransportKind::Redirect,
                        message: "the portal redirected again; not following a redirect loop"
                            .into(),
                    }));
                }
                moved = true;
                tracing::warn!(
                    from = portal.as_str(),
                    to = self.inner.scrubber.scrub(new_portal.as_str()),
                    "the portal moved; following once"
                );
                *self
                    .inner
                    .portal
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = new_portal;
                continue;
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| AttemptError::Transport(transport_error(&e, &self.inner.scrubber)))?;
            return Ok(Answer {
                status: status.as_u16(),
                body,
                generation,
            });
        }
    }
}

/// `{"auth":"TOKEN", ...rest of the JSON object}`.
fn with_auth(body: &Bytes, token: &str) -> Bytes {
    let token = serde_json::to_string(token).unwrap_or_else(|_| "\"\"".into());
    let inner = body.strip_prefix(b"{").unwrap_or(b"}");
    let mut out = Vec::with_capacity(body.len() + token.len() + 10);
    out.extend_from_slice(b"{\"auth\":");
    out.extend_from_slice(token.as_bytes());
    if inner.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'}') {
        out.push(b',');
    }
    out.extend_from_slice(inner);
    Bytes::from(out)
}

/// Configures a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    webhook: Option<Webhook>,
    oauth: Option<OAuthApp>,
    bucket: Option<Bucket>,
    limiter: Option<Arc<dyn RateLimiter>>,
    retry: Option<RetryPolicy>,
    governor: Option<GovernorConfig>,
    budget: Option<Arc<dyn BudgetStore>>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
}

impl ClientBuilder {
    /// Authenticate with an inbound webhook URL.
    ///
    /// # Errors
    /// When the URL is malformed or plain http to a host that is not loopback.
    pub fn webhook(mut self, url: &str) -> Result<Self, ConfigError> {
        self.webhook = Some(Webhook::parse(url)?);
        Ok(self)
    }

    /// Authenticate as an OAuth application.
    #[must_use]
    pub fn oauth(mut self, app: OAuthApp) -> Self {
        self.oauth = Some(app);
        self
    }

    /// The portal's plan: its bucket ([`Bucket::STANDARD`], 50 burst / 2 per second, or
    /// [`Bucket::ENTERPRISE`]). Without it the client finds the portal's bucket out: it starts
    /// with a few requests and grows up to the standard plan while the portal admits them
    /// ([`LeakyBucket::untold`]). Either way a `QUERY_LIMIT_EXCEEDED` shrinks the estimate.
    #[must_use]
    pub fn bucket(mut self, bucket: Bucket) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// A limiter of your own (e.g. one shared by several processes); replaces the bucket.
    #[must_use]
    pub fn limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// No client-side rate limit (for tests against an unlimited emulator, or benchmarks).
    #[must_use]
    pub fn unlimited(mut self) -> Self {
        self.limiter = Some(Arc::new(Unlimited));
        self
    }

    /// Retry settings.
    #[must_use]
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Operating-time governor settings (the portal's limit is 480 s per method in the cloud).
    #[must_use]
    pub fn governor(mut self, config: GovernorConfig) -> Self {
        self.governor = Some(config);
        self
    }

    /// Where the operating-time governor keeps its per-method state (default: in this
    /// process). A store shared by several processes makes them keep to one budget, as the
    /// portal counts it per method and credential; give each credential its own store.
    #[must_use]
    pub fn governor_store(mut self, store: Arc<dyn BudgetStore>) -> Self {
        self.budget = Some(store);
        self
    }

    /// Time to establish a connection (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time for a whole request and its answer (default 65 s; the portal stops a call at 60 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ConfigError::MissingCredentials`] without a webhook or an OAuth application,
    /// [`ConfigError::ConflictingCredentials`] with both, or when the HTTP client cannot be
    /// built.
    pub fn build(self) -> Result<Client, ConfigError> {
        let scrubber = Scrubber::default();
        let (auth, portal) = match (self.webhook, self.oauth) {
            (Some(_), Some(_)) => return Err(ConfigError::ConflictingCredentials),
            (Some(w), None) => {
                scrubber.add(&w.code);
                let portal = w.portal().clone();
                (Auth::Webhook(w), portal)
            }
            (None, Some(app)) => {
                let portal = app.portal.clone();
                let session = Session::new(app);
                session.secrets(&scrubber);
                (Auth::OAuth(Box::new(session)), portal)
            }
            (None, None) => return Err(ConfigError::MissingCredentials),
        };
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
            .timeout(self.timeout.unwrap_or(Duration::from_secs(65)))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .gzip(true)
            .user_agent(concat!("b24-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(scrubber.scrub(&e.without_url().to_string())))?;
        // A plan nobody gave is found out: at most the standard plan, starting small.
        let limiter = self.limiter.unwrap_or_else(|| match self.bucket {
            Some(bucket) => LeakyBucket::shared(portal.as_str(), bucket),
            None => LeakyBucket::shared_untold(portal.as_str(), Bucket::STANDARD),
        });
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                auth,
                portal: RwLock::new(portal),
                limiter,
                governor: match self.budget {
                    Some(store) => {
                        OperatingGovernor::with_store(self.governor.unwrap_or_default(), store)
                    }
                    None => OperatingGovernor::new(self.governor.unwrap_or_default()),
                },
                retry: self.retry.unwrap_or_default(),
                scrubber,
                requests: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn auth_goes_first_in_the_body() {
        let b = with_auth(&Bytes::from_static(br#"{"DIALOG_ID":"chat1"}"#), "tok");
        assert_eq!(&b[..], br#"{"auth":"tok","DIALOG_ID":"chat1"}"#);
        let b = with_auth(&Bytes::from_static(b"{}"), "tok");
        assert_eq!(&b[..], br#"{"auth":"tok"}"#);
        let v: serde_json::Value =
            serde_json::from_slice(&with_auth(&Bytes::from_static(b"{ }"), "t\"q")).unwrap();
        assert_eq!(v["auth"], "t\"q");
    }
}
