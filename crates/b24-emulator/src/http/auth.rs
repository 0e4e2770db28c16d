//! Credentials: the webhook, OAuth access and refresh tokens, and the token endpoint's rules.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use b24_core::SystemErrorCode;

use super::body::Params;
use super::server::{Route, State, lock};
use crate::methods::Failure;
use crate::php::scalar_text;
use crate::rng::Rng;

/// A fresh access and refresh token pair.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token (`auth` parameter).
    pub access_token: String,
    /// The single-use refresh token.
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[derive(Debug, Clone)]
struct Grant {
    user: u64,
    expires_at: f64,
}

/// Token store and rules of the emulated authorization server.
#[derive(Debug)]
pub struct Auth {
    client_id: String,
    client_secret: String,
    access_ttl: Duration,
    refresh_ttl: Duration,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
    rng: Rng,
}

/// Who a call acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user.
    pub user: u64,
    /// Operating-time accounts are per credential: the webhook, or the application.
    pub credential: String,
    /// The call came through a webhook.
    pub via_webhook: bool,
}

/// Who a REST call acts as: the webhook of its path, or the OAuth token of its `auth`
/// parameter (taken out of the parameters).
///
/// # Errors
/// 401 `NO_AUTH_FOUND` for a wrong webhook or no credential; the token store's errors.
pub(crate) fn authenticate(
    state: &State,
    route: &Route,
    params: &mut Params,
    now: f64,
) -> Result<Caller, Failure> {
    let auth_param = params.take("auth").as_ref().and_then(scalar_text);
    match (&route.webhook, auth_param) {
        (Some((user, token)), _) => {
            if *user == state.config.webhook_user.to_string() && *token == state.webhook_token {
                Ok(Caller {
                    user: state.config.webhook_user,
                    credential: format!("webhook:{user}"),
                    via_webhook: true,
                })
            } else {
                Err(Failure::system(SystemErrorCode::NoAuthFound))
            }
        }
        (None, Some(token)) => lock(&state.auth).check(&token, now),
        (None, None) => Err(Failure::system(SystemErrorCode::NoAuthFound)),
    }
}

fn token(rng: &mut Rng) -> String {
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

impl Auth {
    /// A store for one application.
    #[must_use]
    pub fn new(
        client_id: String,
        client_secret: String,
        access_ttl: Duration,
        refresh_ttl: Duration,
        seed: u64,
    ) -> Self {
        Self {
            client_id,
            client_secret,
            access_ttl,
            refresh_ttl,
            access: HashMap::new(),
            refresh: HashMap::new(),
            rng: Rng::stream(seed, 0x0a07),
        }
    }

    /// Issues a new pair for `user` (what installing the application or an authorization code
    /// exchange gives).
    pub fn issue(&mut self, user: u64, now: f64) -> TokenPair {
        let pair = TokenPair {
            access_token: token(&mut self.rng),
            refresh_token: token(&mut self.rng),
            expires_in: self.access_ttl.as_secs(),
        };
        self.access.insert(
            pair.access_token.clone(),
            Grant {
                user,
                expires_at: now + self.access_ttl.as_secs_f64(),
            },
        );
        self.refresh.insert(
            pair.refresh_token.clone(),
            Grant {
                user,
                expires_at: now + self.refresh_ttl.as_secs_f64(),
            },
        );
        pair
    }

    /// Makes every access token issued so far expired (their refresh tokens still work).
    pub fn expire_access_tokens(&mut self, now: f64) {
        for grant in self.access.values_mut() {
            grant.expires_at = grant.expires_at.min(now);
        }
    }

    /// Checks an access token: the user it acts as, or `NO_AUTH_FOUND` / `expired_token`.
    ///
    /// # Errors
    /// 401 `NO_AUTH_FOUND` for an unknown token, 401 `expired_token` for an expired one.
    pub fn check(&self, access_token: &str, now: f64) -> Result<Caller, Failure> {
        match self.access.get(access_token) {
            None => Err(Failure::system(b24_core::SystemErrorCode::NoAuthFound)),
            Some(grant) if grant.expires_at <= now => {
                Err(Failure::system(b24_core::SystemErrorCode::ExpiredToken))
            }
            Some(grant) => Ok(Caller {
                user: grant.user,
                credential: format!("app:{}", self.client_id),
                via_webhook: false,
            }),
        }
    }

    /// The token endpoint: `grant_type=refresh_token` with the client credentials. A refresh
    /// token is single-use: the old pair stops working.
    ///
    /// # Errors
    /// `(status, body)` of an OAuth error: `invalid_request`, `invalid_client`, `invalid_grant`.
    pub fn token_endpoint(
        &mut self,
        params: &crate::http::body::Params,
        now: f64,
    ) -> Result<Value, (u16, Value)> {
        let text = |k: &str| params.text(k).unwrap_or_default();
        let error = |status: u16, code: &str, description: &str| {
            (
                status,
                json!({"error": code, "error_description": description}),
            )
        };
        if text("grant_type") != "refresh_token" {
            return Err(error(
                400,
                "invalid_request",
                "grant_type must be refresh_token",
            ));
        }
        if text("client_id") != self.client_id || text("client_secret") != self.client_secret {
            return Err(error(401, "invalid_client", "Invalid client"));
        }
        let old = text("refresh_token");
        let grant = match self.refresh.remove(&old) {
            Some(grant) if grant.expires_at > now => grant,
            _ => return Err(error(400, "invalid_grant", "Invalid grant")),
        };
        // The old access tokens of this refresh chain are not revoked by the real server either;
        // only the refresh token is single-use.
        let pair = self.issue(grant.user, now);
        Ok(json!({
            "access_token": pair.access_token,
            "expires": (now as i64) + i64::try_from(pair.expires_in).unwrap_or(0),
            "expires_in": pair.expires_in,
            "scope": "app",
            "domain": "oauth.bitrix.info",
            "server_endpoint": "https://oauth.bitrix.info/rest/",
            "status": "L",
            "client_endpoint": "",
            "member_id": "b24emulator",
            "user_id": grant.user,
            "refresh_token": pair.refresh_token,
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::http::body::Params;

    #[test]
    fn tokens_expire_and_refresh_tokens_are_single_use() {
        let mut auth = Auth::new(
            "app".into(),
            "secret".into(),
            Duration::from_secs(10),
            Duration::from_secs(100),
            1,
        );
        let pair = auth.issue(1, 1000.0);
        assert_eq!(auth.check(&pair.access_token, 1005.0).unwrap().user, 1);
        assert_eq!(
            auth.check(&pair.access_token, 1010.0).unwrap_err().code,
            "expired_token"
        );
        assert_eq!(
            auth.check("nope", 1000.0).unwrap_err().code,
            "NO_AUTH_FOUND"
        );
        let q = format!(
            "grant_type=refresh_token&client_id=app&client_secret=secret&refresh_token={}",
            pair.refresh_token
        );
        let fresh = auth
            .token_endpoint(&Params::from_query(&q).unwrap(), 1011.0)
            .unwrap();
        assert_eq!(
            auth.check(fresh["access_token"].as_str().unwrap(), 1011.0)
                .unwrap()
                .user,
            1
        );
        let (status, body) = auth
            .token_endpoint(&Params::from_query(&q).unwrap(), 1012.0)
            .unwrap_err();
        assert_eq!(
            (status, body["error"].as_str().unwrap()),
            (400, "invalid_grant")
        );
        let bad = q.replace("secret", "wrong");
        assert_eq!(
            auth.token_endpoint(&Params::from_query(&bad).unwrap(), 1012.0)
                .unwrap_err()
                .1["error"],
            "invalid_client"
        );
        assert!(!format!("{pair:?}").contains(&pair.access_token));
    }
}
