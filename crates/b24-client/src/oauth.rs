//! OAuth 2.0 for Bitrix24 applications: tokens held as secrets, a store the application persists
//! them with, and a refresh that happens once however many calls find the token expired.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use crate::error::{AuthError, ConfigError, TransportError, TransportKind};
use crate::limiter::BoxFuture;
use crate::secret::{Scrubber, origin};

/// The default authorization server.
pub const DEFAULT_TOKEN_ENDPOINT: &str = "https://oauth.bitrix.info/oauth/token/";

/// An access token and its refresh token ([`OAuthTokens::new`]).
#[derive(Clone)]
#[non_exhaustive]
pub struct OAuthTokens {
    /// Sent as `auth` with each call; lives one hour.
    pub access_token: SecretString,
    /// Trades for a new pair, once; lives 180 days.
    pub refresh_token: SecretString,
    /// When the access token expires.
    pub expires_at: SystemTime,
}

impl OAuthTokens {
    /// Tokens whose access token expires `expires_in` from now.
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
        expires_in: Duration,
    ) -> Self {
        Self {
            access_token: SecretString::from(access_token.into()),
            refresh_token: SecretString::from(refresh_token.into()),
            expires_at: SystemTime::now() + expires_in,
        }
    }
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where the application keeps its tokens. Every refresh hands the new pair to [`TokenStore::save`]
/// before any call uses it; the old refresh token no longer works after that, so persist it.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// Saves a new pair.
    ///
    /// # Errors
    /// A message describing the failure (it is reported as [`AuthError::Store`]; the tokens stay
    /// in memory and the call goes on).
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), String>>;
}

/// Keeps the latest pair in memory (the default store).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    latest: Mutex<Option<OAuthTokens>>,
    saves: AtomicU64,
}

impl MemoryTokenStore {
    /// The latest saved pair.
    #[must_use]
    pub fn latest(&self) -> Option<OAuthTokens> {
        self.latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many pairs were saved.
    #[must_use]
    pub fn saves(&self) -> u64 {
        self.saves.load(Ordering::SeqCst)
    }
}

impl TokenStore for MemoryTokenStore {
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), String>> {
        *self
            .latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(tokens.clone());
        self.saves.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// An OAuth application installed on a portal, with its current tokens.
#[derive(Clone)]
pub struct OAuthApp {
    pub(crate) portal: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) token_endpoint: Url,
    pub(crate) tokens: OAuthTokens,
    pub(crate) store: Arc<dyn TokenStore>,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("portal", &self.portal.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("token_endpoint", &self.token_endpoint.as_str())
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl OAuthApp {
    /// An application on `portal` (`https://example.bitrix24.com`) with its client id, client
    /// secret and current tokens. Refreshes go to the Bitrix24 authorization server and new
    /// pairs to a [`MemoryTokenStore`] unless set otherwise.
    ///
    /// # Errors
    /// When the portal URL does not parse or is plain http to a host that is not loopback.
    pub fn new(
        portal: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        tokens: OAuthTokens,
    ) -> Result<Self, ConfigError> {
        let portal = Url::parse(portal).map_err(|e| ConfigError::BadUrl(format!("portal: {e}")))?;
        let token_endpoint =
            Url::parse(DEFAULT_TOKEN_ENDPOINT).map_err(|e| ConfigError::BadUrl(e.to_string()))?;
        Ok(Self {
            portal: origin(&portal)?,
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            token_endpoint,
            tokens,
            store: Arc::new(MemoryTokenStore::default()),
        })
    }

    /// Sends refreshes to another token endpoint.
    ///
    /// # Errors
    /// When the URL does not parse or is plain http to a host that is not loopback.
    pub fn token_endpoint(mut self, url: &str) -> Result<Self, ConfigError> {
        let parsed =
            Url::parse(url).map_err(|e| ConfigError::BadUrl(format!("token endpoint: {e}")))?;
        origin(&parsed)?;
        self.token_endpoint = parsed;
        Ok(self)
    }

    /// Saves refreshed pairs with `store`.
    #[must_use]
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = store;
        self
    }
}

/// The live OAuth state of a client: the current pair and the single-flight refresh.
pub(crate) struct Session {
    app: OAuthApp,
    current: RwLock<(OAuthTokens, u64)>,
    refresh_lock: tokio::sync::Mutex<()>,
    refreshes: AtomicU64,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

/// Refresh a little before the stored expiry, so a call does not race the clock.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5);

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

impl Session {
    pub(crate) fn new(app: OAuthApp) -> Self {
        let tokens = app.tokens.clone();
        Self {
            app,
            current: RwLock::new((tokens, 0)),
            refresh_lock: tokio::sync::Mutex::new(()),
            refreshes: AtomicU64::new(0),
        }
    }

    pub(crate) fn app(&self) -> &OAuthApp {
        &self.app
    }

    pub(crate) fn secrets(&self, scrubber: &Scrubber) {
        scrubber.add(&self.app.client_secret);
        let (tokens, _) = &*self.read();
        scrubber.add(&tokens.access_token);
        scrubber.add(&tokens.refresh_token);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, (OAuthTokens, u64)> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The access token to send, its generation, and whether it is already past its expiry.
    pub(crate) fn access(&self) -> (SecretString, u64, bool) {
        let (tokens, generation) = &*self.read();
        let stale = tokens.expires_at <= SystemTime::now() + EXPIRY_MARGIN;
        (tokens.access_token.clone(), *generation, stale)
    }

    /// How many refreshes this session made.
    pub(crate) fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// Refreshes the pair unless another task already did since `seen` was read: however many
    /// calls find the token expired at once, one refresh request goes out.
    pub(crate) async fn refresh(
        &self,
        http: &reqwest::Client,
        seen: u64,
        scrubber: &Scrubber,
    ) -> Result<(), AuthError> {
        let _guard = self.refresh_lock.lock().await;
        if self.read().1 != seen {
            return Ok(());
        }
        let refresh_token = self.read().0.refresh_token.clone();
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.app.client_id.as_str()),
            ("client_secret", self.app.client_secret.expose_secret()),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        tracing::info!(client_id = %self.app.client_id, "refreshing the OAuth access token");
        // A form POST, so no secret travels in a URL (or lands in a proxy's access log).
        let response = http
            .post(self.app.token_endpoint.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| AuthError::Transport(transport_error(&e, scrubber)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| AuthError::Transport(transport_error(&e, scrubber)))?;
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| AuthError::Refresh {
                status,
                code: "unreadable".into(),
                description: scrubber.preview(&body),
            })?;
        if let Some(code) = answer.error {
            let description = scrubber.scrub(&answer.error_description.unwrap_or_default());
            return Err(if code == "invalid_grant" {
                AuthError::InvalidGrant { description }
            } else {
                AuthError::Refresh {
                    status,
                    code: scrubber.scrub(&code),
                    description,
                }
            });
        }
        let (Some(access), Some(refresh)) = (answer.access_token, answer.refresh_token) else {
            return Err(AuthError::Refresh {
                status,
                code: "incomplete".into(),
                description: "the answer has no access_token or refresh_token".into(),
            });
        };
        let tokens = OAuthTokens::new(
            access,
            refresh,
            Duration::from_secs(answer.expires_in.unwrap_or(3600)),
        );
        // Secrets from now on, before any call can carry them.
        scrubber.add(&tokens.access_token);
        scrubber.add(&tokens.refresh_token);
        {
            let mut current = self
                .current
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            current.0 = tokens.clone();
            current.1 += 1;
        }
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        self.app
            .store
            .save(&tokens)
            .await
            .map_err(|e| AuthError::Store(scrubber.scrub(&e)))
    }
}

/// Rebuilds a reqwest error without its URL and with secrets scrubbed.
pub(crate) fn transport_error(error: &reqwest::Error, scrubber: &Scrubber) -> TransportError {
    let kind = if error.is_connect() {
        TransportKind::Connect
    } else if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_redirect() {
        TransportKind::Redirect
    } else {
        TransportKind::Interrupted
    };
    // `without_url` drops the URL (a webhook URL holds the secret); the source chain explains.
    let mut message = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(s) = source {
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&s.to_string());
        source = s.source();
    }
    if message.is_empty() {
        message = error_kind_text(error).to_owned();
    }
    TransportError {
        kind,
        message: scrubber.scrub(&message),
    }
}

fn error_kind_text(error: &reqwest::Error) -> &'static str {
    if error.is_body() {
        "the body could not be read"
    } else if error.is_decode() {
        "the body could not be decoded"
    } else if error.is_request() {
        "the request failed"
    } else {
        "the HTTP client failed"
    }
}
