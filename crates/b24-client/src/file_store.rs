//! A token store in a JSON file: the OAuth pair survives restarts of the process.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret as _;
use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::limiter::BoxFuture;
use crate::oauth::{OAuthApp, OAuthTokens, TokenStore};

/// The keys of the token file.
mod key {
    pub const PORTAL: &str = "portal";
    pub const CLIENT_ID: &str = "client_id";
    pub const CLIENT_SECRET: &str = "client_secret";
    pub const TOKEN_ENDPOINT: &str = "token_endpoint";
    pub const ACCESS_TOKEN: &str = "access_token";
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const EXPIRES_AT_MS: &str = "expires_at_ms";
}

/// Keeps the OAuth pair in a JSON file, so that a process that restarts goes on with the pair
/// the last one saved instead of authorising again (the refresh token works once: a process
/// that restarted with the pair it was first given would get `invalid_grant`).
///
/// The file is one JSON object. The store reads and writes `access_token`, `refresh_token` and
/// `expires_at_ms` (the access token's expiry, Unix time in milliseconds, so it survives the
/// restart as the same instant) and keeps every other key as it is. [`FileTokenStore::app`]
/// also reads the application from it — `portal`, `client_id`, `client_secret` and, when it is
/// not the Bitrix24 one, `token_endpoint` — which is what `b24 call --oauth FILE` does:
///
/// ```json
/// {
///   "portal": "https://example.bitrix24.com",
///   "client_id": "app.5f0a...",
///   "client_secret": "...",
///   "access_token": "...",
///   "refresh_token": "...",
///   "expires_at_ms": 1764583200000
/// }
/// ```
///
/// Each save replaces the file whole, atomically: the new contents go to a temporary file in the
/// same directory, are flushed to disk, and the temporary file is renamed over the old one, so
/// a crash leaves the old pair or the new one, never half of each. On Unix the file is created
/// readable and writable by its owner only (mode 0600). Errors name the file and the key, never
/// a value. One process per file: processes that share a pair need a store with a lock across
/// them (the `b24-redis` crate).
///
/// ```no_run
/// use std::sync::Arc;
/// use b24_client::{Client, FileTokenStore};
/// # fn demo() -> Result<(), b24_client::ConfigError> {
/// let app = Arc::new(FileTokenStore::new("tokens.json")).app()?;
/// let client = Client::oauth(app)?;
/// # Ok(()) }
/// ```
pub struct FileTokenStore {
    path: PathBuf,
    /// Saves of this process, one at a time (the read-modify-write keeps foreign keys).
    writing: Mutex<()>,
}

impl fmt::Debug for FileTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl FileTokenStore {
    /// A store in the file at `path` (it need not exist before the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            writing: Mutex::new(()),
        }
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The OAuth application the file describes, saving its new pairs back to the file.
    ///
    /// # Errors
    /// [`ConfigError::TokenFile`] when the file cannot be read, is not a JSON object, or lacks a
    /// key (named, never its value); [`ConfigError::BadUrl`] or [`ConfigError::InsecureUrl`] for
    /// the portal or the token endpoint.
    pub fn app(self: Arc<Self>) -> Result<OAuthApp, ConfigError> {
        let object = self.read().map_err(ConfigError::TokenFile)?;
        let Some(object) = object else {
            return Err(ConfigError::TokenFile(format!(
                "`{}` does not exist",
                self.path.display()
            )));
        };
        let text = |name: &str| self.text(&object, name).map_err(ConfigError::TokenFile);
        let tokens = self
            .tokens(&object)
            .map_err(ConfigError::TokenFile)?
            .ok_or_else(|| {
                ConfigError::TokenFile(format!(
                    "`{}` has no `{}` and `{}`",
                    self.path.display(),
                    key::ACCESS_TOKEN,
                    key::REFRESH_TOKEN
                ))
            })?;
        let mut app = OAuthApp::new(
            &text(key::PORTAL)?,
            text(key::CLIENT_ID)?,
            text(key::CLIENT_SECRET)?,
            tokens,
        )?;
        if object.contains_key(key::TOKEN_ENDPOINT) {
            app = app.token_endpoint(&text(key::TOKEN_ENDPOINT)?)?;
        }
        Ok(app.store(self))
    }

    /// The file's object; `None` when there is no file.
    fn read(&self) -> Result<Option<Map<String, Value>>, String> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read `{}`: {e}", self.path.display())),
        };
        // serde_json's syntax errors give a line and a column, never the text around them.
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(object)) => Ok(Some(object)),
            Ok(_) => Err(format!("`{}` is not a JSON object", self.path.display())),
            Err(e) => Err(format!("`{}` is not JSON: {e}", self.path.display())),
        }
    }

    fn text(&self, object: &Map<String, Value>, name: &str) -> Result<String, String> {
        match object.get(name) {
            Some(Value::String(text)) => Ok(text.clone()),
            Some(_) => Err(format!(
                "`{name}` in `{}` is not a string",
                self.path.display()
            )),
            None => Err(format!("`{}` has no `{name}`", self.path.display())),
        }
    }

    /// The stored pair; `None` when the file has none yet.
    fn tokens(&self, object: &Map<String, Value>) -> Result<Option<OAuthTokens>, String> {
        if !object.contains_key(key::ACCESS_TOKEN) && !object.contains_key(key::REFRESH_TOKEN) {
            return Ok(None);
        }
        let access = self.text(object, key::ACCESS_TOKEN)?;
        let refresh = self.text(object, key::REFRESH_TOKEN)?;
        // Without an expiry the pair is taken as expired: the first call refreshes it.
        let expires_at_ms = match object.get(key::EXPIRES_AT_MS) {
            None => 0,
            Some(value) => value.as_u64().ok_or_else(|| {
                format!(
                    "`{}` in `{}` is not a whole number of milliseconds",
                    key::EXPIRES_AT_MS,
                    self.path.display()
                )
            })?,
        };
        Ok(Some(OAuthTokens::expiring_at(
            access,
            refresh,
            OAuthTokens::expiry_from_unix_ms(expires_at_ms),
        )))
    }

    fn write(&self, tokens: &OAuthTokens) -> Result<(), String> {
        let _one_at_a_time = self
            .writing
            .lock()
            .map_err(|_| "a save panicked".to_owned())?;
        let mut object = self.read()?.unwrap_or_default();
        object.insert(
            key::ACCESS_TOKEN.into(),
            tokens.access_token.expose_secret().into(),
        );
        object.insert(
            key::REFRESH_TOKEN.into(),
            tokens.refresh_token.expose_secret().into(),
        );
        object.insert(
            key::EXPIRES_AT_MS.into(),
            tokens.expires_at_unix_ms().into(),
        );
        let mut text = serde_json::to_vec_pretty(&Value::Object(object))
            .map_err(|e| format!("cannot encode the tokens: {e}"))?;
        text.push(b'\n');
        let failed =
            |what: &str, e: std::io::Error| format!("cannot {what} `{}`: {e}", self.path.display());
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        // Created 0600 on Unix, in the same directory so that the rename is atomic.
        let mut temporary = tempfile::Builder::new()
            .prefix(".b24-tokens")
            .tempfile_in(dir)
            .map_err(|e| failed("create a temporary file beside", e))?;
        temporary
            .write_all(&text)
            .and_then(|()| temporary.as_file().sync_all())
            .map_err(|e| failed("write the temporary file for", e))?;
        temporary
            .persist(&self.path)
            .map_err(|e| failed("replace", e.error))?;
        Ok(())
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<OAuthTokens>, String>> {
        let loaded = self
            .read()
            .and_then(|object| object.map_or(Ok(None), |o| self.tokens(&o)));
        Box::pin(async move { loaded })
    }

    fn save<'a>(&'a self, tokens: &'a OAuthTokens) -> BoxFuture<'a, Result<(), String>> {
        let saved = self.write(tokens);
        Box::pin(async move { saved })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::time::{Duration, SystemTime};

    use super::*;

    fn pair(access: &str, refresh: &str, expires_at: SystemTime) -> OAuthTokens {
        OAuthTokens::expiring_at(access, refresh, expires_at)
    }

    #[tokio::test]
    async fn a_saved_pair_loads_with_the_same_expiry_and_other_keys_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        std::fs::write(
            &path,
            r#"{"portal": "https://example.bitrix24.com", "note": [1, 2]}"#,
        )
        .unwrap();
        let store = FileTokenStore::new(&path);
        assert!(store.load().await.unwrap().is_none(), "no pair stored yet");

        // A whole number of milliseconds, as the file keeps it.
        let expires_at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_583_200_123);
        store.save(&pair("a-1", "r-1", expires_at)).await.unwrap();
        store.save(&pair("a-2", "r-2", expires_at)).await.unwrap();

        // A new store: what a restarted process sees.
        let loaded = FileTokenStore::new(&path).load().await.unwrap().unwrap();
        assert!(loaded.same_pair(&pair("a-2", "r-2", expires_at)));
        assert_eq!(loaded.expires_at, expires_at);
        let object: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(object["portal"], "https://example.bitrix24.com");
        assert_eq!(object["note"], serde_json::json!([1, 2]));
        assert_eq!(object["expires_at_ms"], 1_764_583_200_123_u64);
        // Nothing left behind but the file.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        std::fs::write(&path, "{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = FileTokenStore::new(&path);
        store
            .save(&pair("a", "r", SystemTime::now()))
            .await
            .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn the_app_comes_from_the_file_and_errors_never_show_a_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let missing = Arc::new(FileTokenStore::new(&path)).app().unwrap_err();
        assert!(missing.to_string().contains("does not exist"), "{missing}");

        std::fs::write(
            &path,
            r#"{"portal": "https://example.bitrix24.com", "client_id": "app",
                "client_secret": "s3cr3t-client", "access_token": "s3cr3t-access",
                "refresh_token": 17, "expires_at_ms": 5}"#,
        )
        .unwrap();
        let wrong = Arc::new(FileTokenStore::new(&path)).app().unwrap_err();
        let text = format!("{wrong} {wrong:?}");
        assert!(text.contains("`refresh_token`"), "{text}");
        assert!(!text.contains("s3cr3t") && !text.contains("17"), "{text}");

        std::fs::write(&path, "{\"access_token\": \"s3cr3t-access\", oops}").unwrap();
        let broken = Arc::new(FileTokenStore::new(&path)).app().unwrap_err();
        assert!(!broken.to_string().contains("s3cr3t"), "{broken}");

        std::fs::write(
            &path,
            r#"{"portal": "http://example.com", "client_id": "app", "client_secret": "x",
                "access_token": "a", "refresh_token": "r"}"#,
        )
        .unwrap();
        let insecure = Arc::new(FileTokenStore::new(&path)).app().unwrap_err();
        assert!(
            matches!(insecure, ConfigError::InsecureUrl { .. }),
            "{insecure}"
        );

        std::fs::write(
            &path,
            r#"{"portal": "https://example.bitrix24.com", "client_id": "app",
                "client_secret": "s3cr3t-client", "access_token": "s3cr3t-access",
                "refresh_token": "s3cr3t-refresh", "expires_at_ms": 5}"#,
        )
        .unwrap();
        let app = Arc::new(FileTokenStore::new(&path)).app().unwrap();
        assert!(!format!("{app:?}").contains("s3cr3t"));
    }
}
