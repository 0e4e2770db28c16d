//! Credentials held as secrets, and the scrubber that keeps them out of every message.

use std::fmt;
use std::sync::{Arc, RwLock};

use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use crate::error::ConfigError;

/// A parsed webhook: where the portal is, whose webhook it is, and its secret code.
#[derive(Clone)]
pub struct Webhook {
    pub(crate) portal: Url,
    pub(crate) user_id: u64,
    pub(crate) code: SecretString,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("portal", &self.portal.as_str())
            .field("user_id", &self.user_id)
            .field("code", &"[REDACTED]")
            .finish()
    }
}

impl Webhook {
    /// Parses `https://<portal>/rest/<user id>/<code>/`. The error never repeats the URL.
    ///
    /// # Errors
    /// When the URL has another shape, or is plain `http://` to a host that is not loopback.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let bad = |reason: &str| ConfigError::BadWebhookUrl {
            reason: reason.to_owned(),
        };
        let url = Url::parse(text.trim()).map_err(|e| bad(&format!("it does not parse ({e})")))?;
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let (user, code) = match segments.as_slice() {
            ["rest", user, code] | ["rest", user, code, _] => (*user, *code),
            _ => return Err(bad("the path is not /rest/<user id>/<code>/")),
        };
        let user_id = user
            .parse::<u64>()
            .map_err(|_| bad("the user id is not a number"))?;
        if code.is_empty() {
            return Err(bad("the webhook code is empty"));
        }
        let portal = origin(&url)?;
        Ok(Self {
            portal,
            user_id,
            code: SecretString::from(code.to_owned()),
        })
    }

    /// The portal's address (no path, no secret).
    #[must_use]
    pub fn portal(&self) -> &Url {
        &self.portal
    }

    /// The webhook's user id.
    #[must_use]
    pub fn user_id(&self) -> u64 {
        self.user_id
    }
}

/// `scheme://host[:port]/` of a URL, refusing plain http unless the host is loopback.
///
/// # Errors
/// For a URL without a host, or plain http to a host that is not loopback.
pub fn origin(url: &Url) -> Result<Url, ConfigError> {
    let host = url
        .host_str()
        .ok_or_else(|| ConfigError::BadUrl("it has no host".into()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(ConfigError::InsecureUrl {
                host: host.to_owned(),
            });
        }
        other => return Err(ConfigError::BadUrl(format!("unsupported scheme `{other}`"))),
    }
    let mut origin = url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    let _ = origin.set_username("");
    let _ = origin.set_password(None);
    Ok(origin)
}

/// `localhost`, `127.0.0.0/8` or `::1`.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Removes known secret values from every text that came from the server or the transport
/// (defence in depth behind URL-free error construction). Shared by a client and its clones, and
/// told about new OAuth tokens as soon as they arrive.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    secrets: Arc<RwLock<Vec<SecretString>>>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} secrets)", self.read().len())
    }
}

/// Characters of an error body kept for messages.
const PREVIEW_CHARS: usize = 120;

impl Scrubber {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<SecretString>> {
        self.secrets
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Learns a secret, and its percent-encoded spelling when that differs.
    pub(crate) fn add(&self, secret: &SecretString) {
        let value = secret.expose_secret();
        if value.len() < 4 {
            return;
        }
        let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let mut secrets = self
            .secrets
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for spelling in [value.to_owned(), encoded] {
            if !secrets.iter().any(|s| s.expose_secret() == spelling) {
                secrets.push(SecretString::from(spelling));
            }
        }
    }

    /// Scrubs the entries a decode left out (their paths and errors quote the server's values,
    /// which may echo the request) and logs each as a `tracing` warning.
    pub(crate) fn report_skipped(&self, method: &str, skipped: &mut [b24_core::Skipped]) {
        for s in skipped {
            s.entry = self.scrub(&s.entry);
            s.error.path = self.scrub(&s.error.path);
            s.error.message = self.scrub(&s.error.message);
            tracing::warn!(
                method,
                entry = %s.entry,
                path = %s.error.path,
                error = %s.error.message,
                "left out an entry of the response that does not fit the spec"
            );
        }
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.read().iter() {
            let value = secret.expose_secret();
            if out.contains(value) {
                out = out.replace(value, "[REDACTED]");
            }
        }
        out
    }

    /// The start of a body, for messages: scrubbed before it is cut, so a cut cannot leave
    /// half a secret behind.
    pub(crate) fn preview(&self, body: &[u8]) -> String {
        let longest = self
            .read()
            .iter()
            .map(|s| s.expose_secret().chars().count())
            .max()
            .unwrap_or(0);
        let text = String::from_utf8_lossy(body);
        let window: String = text
            .trim()
            .chars()
            .take(PREVIEW_CHARS + longest + 1)
            .collect();
        let text = self.scrub(&window);
        let mut out: String = text.chars().take(PREVIEW_CHARS).collect();
        if text.chars().count() > PREVIEW_CHARS {
            out.push('…');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_webhooks_without_leaking_them() {
        let w = Webhook::parse("https://portal.bitrix24.com/rest/1/s3cr3tcode/").unwrap();
        assert_eq!(w.portal().as_str(), "https://portal.bitrix24.com/");
        assert_eq!(w.user_id(), 1);
        assert!(!format!("{w:?}").contains("s3cr3tcode"));
        let w = Webhook::parse("http://127.0.0.1:8080/rest/7/abc/im.dialog.users.list").unwrap();
        assert_eq!(w.portal().as_str(), "http://127.0.0.1:8080/");
        for bad in [
            "https://portal/rest/x/code/",
            "https://portal/api/1/code/",
            "not a url s3cr3tcode",
        ] {
            let err = Webhook::parse(bad).unwrap_err().to_string();
            assert!(!err.contains("s3cr3tcode"), "{err}");
        }
        let err = Webhook::parse("http://portal.example.com/rest/1/s3cr3tcode/").unwrap_err();
        assert!(matches!(err, ConfigError::InsecureUrl { .. }), "{err}");
        assert!(!err.to_string().contains("s3cr3tcode"));
    }

    #[test]
    fn scrubber_removes_secrets() {
        let s = Scrubber::default();
        s.add(&SecretString::from("top/secret".to_owned()));
        assert_eq!(
            s.scrub("GET /rest/1/top/secret/x failed, top%2Fsecret"),
            "GET /rest/1/[REDACTED]/x failed, [REDACTED]"
        );
        // A secret across the cut of a preview is removed before the cut.
        let body = format!("{}top/secret and more", "x".repeat(115));
        let preview = s.preview(body.as_bytes());
        assert!(!preview.contains("top/"), "{preview}");
        assert!(preview.ends_with('…'));
        assert!(
            is_loopback("localhost")
                && is_loopback("127.0.0.2")
                && is_loopback("[::1]")
                && !is_loopback("example.com")
        );
    }
}
