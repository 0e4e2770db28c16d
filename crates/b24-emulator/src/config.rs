//! Emulator settings: the library's [`Config`] and the command-line flags that build it.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Everything that shapes an emulated portal. `Config::default()` is the portal the README
/// describes: seed 1, a 50/2 bucket, the `20+0.25` cost model, no latency, no faults.
#[derive(Debug, Clone)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seed of the generated portal and of the fault sequence.
    pub seed: u64,
    /// Make `chat1` have exactly this many members visible to the webhook user.
    pub dialog_size: Option<usize>,
    /// Add members nobody else can see to the seeded chats, as a percentage of the visible ones.
    pub hidden_members_pct: f64,
    /// Load the portal from this JSON file instead of generating it.
    pub data: Option<PathBuf>,
    /// The portal's leaky bucket.
    pub bucket: Bucket,
    /// Processing cost of each command.
    pub cost: Cost,
    /// Operating-time limit per method and credential, per 10 minutes.
    pub operating_limit: Duration,
    /// Calls that take at most this long are not counted against the operating limit
    /// (the server's `minimalFixTime`).
    pub operating_min: Duration,
    /// Length of the operating-time window (10 baskets of a tenth each); 10 minutes on real
    /// portals, shorter for tests.
    pub operating_window: Duration,
    /// Delay before each request is processed.
    pub latency: Latency,
    /// Faults to inject.
    pub faults: Faults,
    /// Id of the webhook user.
    pub webhook_user: u64,
    /// Webhook code (the secret in the webhook URL); derived from the seed when `None`.
    pub webhook_token: Option<String>,
    /// Scopes the webhook and the OAuth app may use.
    pub scopes: Vec<String>,
    /// OAuth application id.
    pub client_id: String,
    /// OAuth application secret; derived from the seed when `None`.
    pub client_secret: Option<String>,
    /// Lifetime of OAuth access tokens.
    pub access_ttl: Duration,
    /// Lifetime of OAuth refresh tokens.
    pub refresh_ttl: Duration,
    /// Serve HTTPS with a certificate made at start, signed by a local CA
    /// ([`crate::Emulator::ca_pem`]).
    pub tls: bool,
    /// Methods answered from their spec example even though the emulator has a handler for
    /// them (methods without a handler always are).
    pub from_example: Vec<String>,
    /// POST webhook events of bots as JSON instead of the platform's PHP form.
    pub webhook_json: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            seed: 1,
            dialog_size: None,
            hidden_members_pct: 0.0,
            data: None,
            bucket: Bucket::STANDARD,
            cost: Cost::DEFAULT,
            operating_limit: Duration::from_secs(480),
            operating_min: Duration::from_millis(100),
            operating_window: Duration::from_secs(600),
            latency: Latency::NONE,
            faults: Faults::default(),
            webhook_user: 1,
            webhook_token: None,
            scopes: vec!["im".into(), "imbot".into(), "user".into(), "basic".into()],
            client_id: "local.b24emulator.app".into(),
            client_secret: None,
            access_ttl: Duration::from_secs(3600),
            refresh_ttl: Duration::from_secs(180 * 24 * 3600),
            tls: false,
            from_example: Vec::new(),
            webhook_json: false,
        }
    }
}

/// A bad flag value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SpecError(String);

fn err(text: impl Into<String>) -> SpecError {
    SpecError(text.into())
}

fn number(text: &str, what: &str) -> Result<f64, SpecError> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| err(format!("`{text}` is not a number ({what})")))?;
    if !value.is_finite() || value < 0.0 {
        return Err(err(format!(
            "`{text}` must be a non-negative number ({what})"
        )));
    }
    Ok(value)
}

/// The leaky bucket: `burst` requests fill it, it drains `per_second`. `BURST/RATE` or `off`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Capacity; `None` switches the limit off.
    pub burst: Option<f64>,
    /// Requests drained per second.
    pub per_second: f64,
}

impl Bucket {
    /// Most plans: 50 burst, 2 per second.
    pub const STANDARD: Self = Self {
        burst: Some(50.0),
        per_second: 2.0,
    };
    /// Enterprise plans: 250 burst, 5 per second.
    pub const ENTERPRISE: Self = Self {
        burst: Some(250.0),
        per_second: 5.0,
    };
    /// No limit.
    pub const OFF: Self = Self {
        burst: None,
        per_second: 0.0,
    };
}

impl FromStr for Bucket {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        match s.trim() {
            "off" | "none" => return Ok(Self::OFF),
            "enterprise" => return Ok(Self::ENTERPRISE),
            _ => {}
        }
        let (burst, rate) = s
            .split_once('/')
            .ok_or_else(|| err(format!("`{s}`: expected BURST/RATE such as 50/2, or `off`")))?;
        let burst = number(burst, "bucket burst")?;
        let per_second = number(rate, "bucket drain per second")?;
        if burst < 1.0 || per_second <= 0.0 {
            return Err(err(format!(
                "`{s}`: the burst must be at least 1 and the rate above 0"
            )));
        }
        Ok(Self {
            burst: Some(burst),
            per_second,
        })
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.burst {
            Some(burst) => write!(f, "{burst}/{}", self.per_second),
            None => f.write_str("off"),
        }
    }
}

/// Processing cost of one command: a fixed part plus a part per row returned. `MS+MS_PER_ROW`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// Milliseconds every command costs.
    pub fixed_ms: f64,
    /// Milliseconds per row the command returns.
    pub per_row_ms: f64,
}

impl Cost {
    /// `20+0.25`.
    pub const DEFAULT: Self = Self {
        fixed_ms: 20.0,
        per_row_ms: 0.25,
    };

    /// The cost of a command that returned `rows` rows.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn of(&self, rows: usize) -> Duration {
        Duration::from_secs_f64((self.fixed_ms + self.per_row_ms * rows as f64) / 1000.0)
    }
}

impl FromStr for Cost {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let (fixed, per_row) = s.split_once('+').unwrap_or((s, "0"));
        Ok(Self {
            fixed_ms: number(fixed, "fixed cost in ms")?,
            per_row_ms: number(per_row, "cost per row in ms")?,
        })
    }
}

/// Network latency added to each request: `MS` or `MS+JITTER`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    /// Milliseconds every request waits.
    pub base_ms: f64,
    /// Up to this many more milliseconds, drawn per request.
    pub jitter_ms: f64,
}

impl Latency {
    /// No latency.
    pub const NONE: Self = Self {
        base_ms: 0.0,
        jitter_ms: 0.0,
    };
}

impl FromStr for Latency {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let (base, jitter) = s.split_once('+').unwrap_or((s, "0"));
        Ok(Self {
            base_ms: number(base, "latency in ms")?,
            jitter_ms: number(jitter, "latency jitter in ms")?,
        })
    }
}

/// A kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// HTTP 500 `INTERNAL_SERVER_ERROR`, after the method ran.
    Internal,
    /// HTTP 503 `QUERY_LIMIT_EXCEEDED`, before the method runs (overload).
    Overload,
    /// The connection is reset after the request was read and the method ran.
    Reset,
    /// An nginx-style HTML 502 page, after the method ran.
    Html502,
    /// The JSON body is cut in the middle, after the method ran.
    Truncate,
    /// The response never completes (the method ran).
    Stall,
}

impl Fault {
    /// Whether the method's effect is applied before the fault (the write happened, the
    /// answer was lost).
    #[must_use]
    pub const fn after_effect(self) -> bool {
        !matches!(self, Self::Overload)
    }

    /// The flag spelling.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Internal => "500",
            Self::Overload => "503",
            Self::Reset => "reset",
            Self::Html502 => "html502",
            Self::Truncate => "truncate",
            Self::Stall => "stall",
        }
    }
}

impl FromStr for Fault {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        Ok(match s.trim() {
            "500" => Self::Internal,
            "503" => Self::Overload,
            "reset" => Self::Reset,
            "html502" => Self::Html502,
            "truncate" => Self::Truncate,
            "stall" => Self::Stall,
            other => {
                return Err(err(format!(
                    "unknown fault `{other}`: expected 500, 503, reset, html502, truncate or stall"
                )));
            }
        })
    }
}

/// A fault mix: each kind with its probability per request. `500=0.05,reset=0.02,...`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults(pub Vec<(Fault, f64)>);

impl Faults {
    /// Draws the fault for one request from a uniform number in `[0, 1)`.
    #[must_use]
    pub fn pick(&self, draw: f64) -> Option<Fault> {
        let mut edge = 0.0;
        for (fault, p) in &self.0 {
            edge += p;
            if draw < edge {
                return Some(*fault);
            }
        }
        None
    }
}

impl FromStr for Faults {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, p) = part.split_once('=').ok_or_else(|| {
                err(format!(
                    "`{part}`: expected KIND=PROBABILITY such as 500=0.05"
                ))
            })?;
            let fault: Fault = kind.parse()?;
            let p = number(p, "fault probability")?;
            if out.iter().any(|(f, _)| *f == fault) {
                return Err(err(format!("fault `{kind}` is listed twice")));
            }
            out.push((fault, p));
        }
        let total: f64 = out.iter().map(|(_, p)| p).sum();
        if total > 1.0 {
            return Err(err(format!(
                "fault probabilities add up to {total}, more than 1"
            )));
        }
        Ok(Self(out))
    }
}

/// The emulator's command-line flags (`b24-emulator` and `b24 emulate`).
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// TCP port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed of the generated portal and of the fault sequence.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Give `chat1` exactly N members visible to the webhook user (for bulk reads).
    #[arg(long, value_name = "N")]
    pub dialog_size: Option<usize>,
    /// Add members the webhook user cannot see, PCT percent of the visible ones, so pages come
    /// back short as on real portals.
    #[arg(long, value_name = "PCT", default_value_t = 0.0)]
    pub hidden_members: f64,
    /// Load the portal from a JSON file (see --dump-data for the format) instead of generating it.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Write the portal (generated or loaded) as JSON to FILE and go on.
    #[arg(long, value_name = "FILE")]
    pub dump_data: Option<PathBuf>,
    /// Leaky bucket: BURST/RATE (`50/2`, Enterprise `250/5`) or `off`.
    #[arg(long, default_value = "50/2")]
    pub bucket: Bucket,
    /// Processing cost per command: MS+MS_PER_ROW.
    #[arg(long, default_value = "20+0.25")]
    pub cost: Cost,
    /// Operating-time limit per method and credential, in seconds per 10 minutes.
    #[arg(long, value_name = "SECONDS", default_value_t = 480.0)]
    pub operating_limit: f64,
    /// Calls of at most this many milliseconds are not counted against the operating limit.
    #[arg(long, value_name = "MS", default_value_t = 100.0)]
    pub operating_min: f64,
    /// Length of the operating-time window in seconds (600 on real portals).
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    pub operating_window: f64,
    /// Latency per request: MS or MS+JITTER.
    #[arg(long, default_value = "0")]
    pub latency: Latency,
    /// Fault mix, e.g. `500=0.05,503=0.02,reset=0.02,html502=0.01,truncate=0.01,stall=0.01`.
    #[arg(long)]
    pub faults: Option<Faults>,
    /// Id of the webhook user.
    #[arg(long, default_value_t = 1)]
    pub user_id: u64,
    /// Webhook code (default: derived from the seed).
    #[arg(long, value_name = "CODE")]
    pub token: Option<String>,
    /// Scopes of the webhook and the OAuth app, comma-separated.
    #[arg(long, default_value = "im,imbot,user,basic")]
    pub scopes: String,
    /// OAuth application id.
    #[arg(long, default_value = "local.b24emulator.app")]
    pub client_id: String,
    /// OAuth application secret (default: derived from the seed).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// Lifetime of OAuth access tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub access_ttl: u64,
    /// Lifetime of OAuth refresh tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 180 * 24 * 3600)]
    pub refresh_ttl: u64,
    /// Serve HTTPS (a certificate made at start, signed by a local CA whose certificate is
    /// written to --ca-file): the official JavaScript and Python SDKs refuse plain-http webhooks.
    #[arg(long)]
    pub tls: bool,
    /// Where --tls writes the CA certificate (PEM) that clients trust
    /// (REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS); default: a file in the temporary directory.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub ca_file: Option<PathBuf>,
    /// Methods to answer from their spec example instead of their handler, comma-separated.
    #[arg(long, value_name = "METHODS", default_value = "")]
    pub from_example: String,
    /// POST bots' webhook events as JSON (default: form-encoded in PHP brackets, as the
    /// platform describes).
    #[arg(long)]
    pub webhook_json: bool,
}

/// A comma-separated flag value, items trimmed, empty ones dropped.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl EmulatorArgs {
    /// The configuration these flags describe.
    ///
    /// # Errors
    /// When a value is out of range.
    pub fn to_config(&self) -> Result<Config, SpecError> {
        if !(0.0..=1000.0).contains(&self.hidden_members) {
            return Err(err("--hidden-members is a percentage from 0 to 1000"));
        }
        let seconds = |v: f64, flag: &str| {
            if v.is_finite() && v >= 0.0 {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(err(format!("{flag} must be a non-negative number")))
            }
        };
        Ok(Config {
            port: self.port,
            seed: self.seed,
            dialog_size: self.dialog_size,
            hidden_members_pct: self.hidden_members,
            data: self.data.clone(),
            bucket: self.bucket,
            cost: self.cost,
            operating_limit: seconds(self.operating_limit, "--operating-limit")?,
            operating_min: seconds(self.operating_min / 1000.0, "--operating-min")?,
            operating_window: seconds(self.operating_window, "--operating-window")?,
            latency: self.latency,
            faults: self.faults.clone().unwrap_or_default(),
            webhook_user: self.user_id,
            webhook_token: self.token.clone(),
            scopes: list(&self.scopes),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            access_ttl: Duration::from_secs(self.access_ttl),
            refresh_ttl: Duration::from_secs(self.refresh_ttl),
            tls: self.tls,
            from_example: list(&self.from_example),
            webhook_json: self.webhook_json,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_flag_values() {
        assert_eq!("250/5".parse::<Bucket>().unwrap(), Bucket::ENTERPRISE);
        assert_eq!("off".parse::<Bucket>().unwrap(), Bucket::OFF);
        assert!("50".parse::<Bucket>().is_err());
        assert!("0/2".parse::<Bucket>().is_err());
        assert_eq!("20+0.25".parse::<Cost>().unwrap(), Cost::DEFAULT);
        assert_eq!(Cost::DEFAULT.of(200), Duration::from_millis(70));
        assert_eq!("50+10".parse::<Latency>().unwrap().jitter_ms, 10.0);
        let faults: Faults = "500=0.05,503=0.02,reset=0.02,html502=0.01,truncate=0.01,stall=0.01"
            .parse()
            .unwrap();
        assert_eq!(faults.0.len(), 6);
        assert_eq!(faults.pick(0.01), Some(Fault::Internal));
        assert_eq!(faults.pick(0.06), Some(Fault::Overload));
        assert_eq!(faults.pick(0.5), None);
        assert!("500=0.9,503=0.2".parse::<Faults>().is_err());
        assert!("boom=0.1".parse::<Faults>().is_err());
    }
}
