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
    /// Tokens whose access token expires `expires_in` from now (as the token endpoint says it).
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
        expires_in: Duration,
    ) -> Self {
        Self::expiring_at(access_token, refresh_token, SystemTime::now() + expires_in)
    }

    /// Tokens whose access token expires at `expires_at` (a stored pair, restored as it was).
    pub fn expiring_at(
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
        expires_at: SystemTime,
    ) -> Self {
        Self {
            access_token: SecretString::from(access_token.into()),
            refresh_token: SecretString::from(refresh_token.into()),
            expires_at,
        }
    }

    /// The expiry as Unix time in milliseconds, for storing (0 before 1970).
    #[must_use]
    pub fn expires_at_unix_ms(&self) -> u64 {
        self.expires_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    /// The inverse of [`Self::expires_at_unix_ms`].
    #[must_use]
    pub fn expiry_from_unix_ms(ms: u64) -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_millis(ms)
    }

    /// Whether both tokens are the same as `other`'s (the expiry aside).
    #[must_use]
    pub fn same_pair(&self, other: &Self) -> bool {
        self.access_token.expose_secret() == other.access_token.expose_secret()
            && self.refresh_token.expose_secret() == other.refresh_token.expose_secret()
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

/// Where the application keeps its tokens, and how a refresh is coordinated with everyone else
/// who uses them.
///
/// - [`Self::load`] is asked once, before the client's first call: a stored pair, when there is
///   one, replaces the pair the [`OAuthApp`] was built with (every refresh saves there, so the
///   store's pair is the newer one). Keep the expiry as stored ([`OAuthTokens::expiring_at`]).
/// - [`Self::save`] gets every new pair before any call uses it; the old refresh token no longer
///   works after that, so persist it.
/// - [`Self::refresh`] runs when the client finds its access token expired (by the clock, or by
///   an `expired_token` answer). Within one client only one task calls it at a time, however
///   many calls found the token expired; the default exchanges the stored refresh token and
///   saves the new pair. A store shared by several processes overrides it to make the refresh
///   single-flight across them (the `b24-redis` crate does: a lock with a lease, the others
///   wait for the new pair). A file store can use a lock file the same way.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored pair, `None` when nothing is stored yet.
    ///
    /// # Errors
    /// A message describing the failure (reported as [`AuthError::Store`]; the first call
    /// fails, the next one asks again).
    fn load(&self) -> BoxFuture<'_, Result<Option<OAuthTokens>, String>>;

    /// Saves a new pair.
    ///
    /// # Errors
    /// A message describing the failure (it is reported as [`AuthError::Store`]; the tokens stay
    /// in memory and the call goes on).
    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), String>>;

    /// Replaces `stale`, the pair the client holds and found expired: returns the pair to use
    /// from now on. The default trades `stale`'s refresh token with `exchange` and saves the
    /// new pair.
    ///
    /// An override must never hand a refresh token to `exchange` twice (the second use gets
    /// `invalid_grant` and loses the session): take the newest stored pair, and when it is no
    /// longer `stale` (someone else refreshed) return it without exchanging. A pair that
    /// `exchange` obtained is kept by the client even if this method then fails.
    ///
    /// # Errors
    /// The exchange's error, or [`AuthError::Store`].
    fn refresh<'a>(
        &'a self,
        stale: &'a OAuthTokens,
        exchange: &'a Exchange<'a>,
    ) -> BoxFuture<'a, Result<OAuthTokens, AuthError>> {
        Box::pin(async move {
            let fresh = exchange.run(stale).await?;
            self.save(&fresh).await.map_err(AuthError::Store)?;
            Ok(fresh)
        })
    }
}

/// The token endpoint exchange a [`TokenStore::refresh`] calls: trades a pair's refresh token
/// for a new pair (a form POST to the application's token endpoint).
pub struct Exchange<'a> {
    http: &'a reqwest::Client,
    app: &'a OAuthApp,
    scrubber: &'a Scrubber,
    obtained: Mutex<Option<OAuthTokens>>,
    count: &'a AtomicU64,
}

impl fmt::Debug for Exchange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("client_id", &self.app.client_id)
            .field("token_endpoint", &self.app.token_endpoint.as_str())
            .finish_non_exhaustive()
    }
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
    fn load(&self) -> BoxFuture<'_, Result<Option<OAuthTokens>, String>> {
        Box::pin(std::future::ready(Ok(self.latest())))
    }

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

    /// The portal's origin (`https://example.bitrix24.com/`).
    #[must_use]
    pub fn portal(&self) -> &Url {
        &self.portal
    }

    /// The application's client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
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
    loaded: tokio::sync::OnceCell<()>,
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
            loaded: tokio::sync::OnceCell::new(),
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

    /// Replaces the current pair (a new generation), its tokens secrets from now on.
    fn install(&self, tokens: OAuthTokens, scrubber: &Scrubber) {
        scrubber.add(&tokens.access_token);
        scrubber.add(&tokens.refresh_token);
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current.0 = tokens;
        current.1 += 1;
    }

    /// Takes the store's pair, once, before the first call.
    pub(crate) async fn load(&self, scrubber: &Scrubber) -> Result<(), AuthError> {
        self.loaded
            .get_or_try_init(|| async {
                let stored = self
                    .app
                    .store
                    .load()
                    .await
                    .map_err(|e| AuthError::Store(scrubber.scrub(&e)))?;
                if let Some(tokens) = stored {
                    self.install(tokens, scrubber);
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Refreshes the pair unless another task already did since `seen` was read: however many
    /// calls find the token expired at once, the store's refresh runs once in this process (and
    /// the store makes it once across processes, if it is shared).
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
        let stale = self.read().0.clone();
        let exchange = Exchange {
            http,
            app: &self.app,
            scrubber,
            obtained: Mutex::new(None),
            count: &self.refreshes,
        };
        let outcome = self.app.store.refresh(&stale, &exchange).await;
        let obtained = exchange
            .obtained
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match outcome {
            Ok(tokens) => {
                self.install(tokens, scrubber);
                Ok(())
            }
            Err(error) => {
                // The server issued a pair and spent the old refresh token: keep the new pair
                // whatever became of storing it.
                if let Some(tokens) = obtained {
                    self.install(tokens, scrubber);
                }
                Err(match error {
                    AuthError::Store(e) => AuthError::Store(scrubber.scrub(&e)),
                    other => other,
                })
            }
        }
    }
}

impl Exchange<'_> {
    /// Trades `tokens.refresh_token` for a new pair at the token endpoint. The refresh token is
    /// spent once the server has seen it, whatever this returns: never call it twice with one.
    ///
    /// # Errors
    /// [`AuthError::InvalidGrant`] when the refresh token was refused, [`AuthError::Refresh`]
    /// for other refusals, [`AuthError::Transport`] when the endpoint was not reached.
    pub async fn run(&self, tokens: &OAuthTokens) -> Result<OAuthTokens, AuthError> {
        let scrubber = self.scrubber;
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.app.client_id.as_str()),
            ("client_secret", self.app.client_secret.expose_secret()),
            ("refresh_token", tokens.refresh_token.expose_secret()),
        ];
        tracing::info!(client_id = %self.app.client_id, "refreshing the OAuth access token");
        self.count.fetch_add(1, Ordering::SeqCst);
        // A form POST, so no secret travels in a URL (or lands in a proxy's access log).
        let response = self
            .http
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
        let fresh = OAuthTokens::new(
            access,
            refresh,
            Duration::from_secs(answer.expires_in.unwrap_or(3600)),
        );
        // Secrets from now on, before any call can carry them.
        scrubber.add(&fresh.access_token);
        scrubber.add(&fresh.refresh_token);
        *self
            .obtained
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(fresh.clone());
        Ok(fresh)
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
