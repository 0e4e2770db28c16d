#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod config;
pub mod http;
pub mod methods;
pub mod php;
pub mod portal;
pub mod rng;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{Bucket, Config, Cost, EmulatorArgs, Fault, Faults, Latency};
pub use http::auth::TokenPair;
pub use http::stats::Stats;
pub use portal::{Portal, load_portal};

use http::server::{State, lock};

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    /// The CA certificate (PEM) when serving HTTPS.
    ca_pem: Option<String>,
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// Builds the portal and starts serving on `127.0.0.1:port` (0: any free port) on the
    /// current tokio runtime.
    ///
    /// # Errors
    /// When the data file cannot be read or the port cannot be bound.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        let mut portal = load_portal(&config)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let tls = if config.tls {
            Some(http::tls::generate().map_err(std::io::Error::other)?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        portal.drive.served_at = format!("{scheme}://{addr}");
        let state = Arc::new(State::new(config, portal));
        let (shutdown, receiver) = watch::channel(false);
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let task = tokio::spawn(http::server::serve(
            listener,
            Arc::clone(&state),
            acceptor,
            receiver,
        ));
        Ok(Self {
            addr,
            ca_pem: tls.map(|t| t.ca_pem),
            state,
            shutdown,
            task: Some(task),
        })
    }

    /// The socket address served.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, or `https://` with [`Config::tls`].
    #[must_use]
    pub fn base_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// With [`Config::tls`]: the certificate (PEM) of the CA that signed the server's, for
    /// clients to trust (`REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`, reqwest's
    /// `add_root_certificate`). A new CA is made at every start.
    #[must_use]
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The webhook base URL: `http://127.0.0.1:PORT/rest/<user>/<code>/`. It holds the webhook
    /// secret.
    #[must_use]
    pub fn webhook_url(&self) -> String {
        format!(
            "{}/rest/{}/{}/",
            self.base_url(),
            self.state.config.webhook_user,
            self.state.webhook_token
        )
    }

    /// The OAuth token endpoint: `http://127.0.0.1:PORT/oauth/token/`.
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token/", self.base_url())
    }

    /// The OAuth application's id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.state.config.client_id
    }

    /// The OAuth application's secret.
    #[must_use]
    pub fn client_secret(&self) -> &str {
        &self.state.client_secret
    }

    /// Issues an OAuth token pair for the webhook user (as installing the application would).
    #[must_use]
    pub fn issue_tokens(&self) -> TokenPair {
        self.state.issue_tokens()
    }

    /// Expires every access token issued so far, as an hour passing would (their refresh tokens
    /// still work): for testing refresh logic without waiting.
    pub fn expire_access_tokens(&self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        lock(&self.state.auth).expire_access_tokens(now);
    }

    /// The counters served at `/_emulator/stats`.
    #[must_use]
    pub fn stats(&self) -> Stats {
        lock(&self.state.stats).clone()
    }

    /// Resets counters and limits, as `POST /_emulator/reset` does.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Runs `f` on the portal's data (for tests: inspect what a write did).
    pub fn with_portal<R>(&self, f: impl FnOnce(&mut Portal) -> R) -> R {
        f(&mut http::server::write(&self.state.portal))
    }

    /// Stops accepting connections and closes the open ones.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Runs the emulator as a program until SIGINT or SIGTERM: prints the webhook URL as the first
/// line of stdout, then the credentials. Used by `b24-emulator` and `b24 emulate`.
///
/// # Errors
/// When the configuration is invalid or the server cannot start.
pub async fn run(args: &EmulatorArgs) -> Result<(), String> {
    let config = args.to_config().map_err(|e| e.to_string())?;
    if let Some(path) = &args.dump_data {
        let portal = load_portal(&config).map_err(|e| e.to_string())?;
        portal::dump_portal(&portal, path)?;
    }
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| format!("cannot start: {e}"))?;
    let tokens = emulator.issue_tokens();
    let (users, chat1) = emulator.with_portal(|p| (p.users.len(), chat1_members(p)));
    // Writes are best-effort: a caller that read the first line may have closed the pipe.
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let ca_file = match emulator.ca_pem() {
        Some(pem) => Some(write_ca(args, emulator.addr(), pem)?),
        None => None,
    };
    let _ = writeln!(out, "{}", emulator.webhook_url());
    let _ = writeln!(out, "# b24-emulator listening on {}", emulator.base_url());
    if let Some(path) = &ca_file {
        let _ = writeln!(
            out,
            "# TLS: trust the CA in {0} (REQUESTS_CA_BUNDLE={0}, NODE_EXTRA_CA_CERTS={0})",
            path.display()
        );
    }
    let _ = writeln!(out, "# portal: {users} users; chat1: {chat1}");
    let _ = writeln!(
        out,
        "# OAuth: client_id={} client_secret={}",
        emulator.client_id(),
        emulator.client_secret()
    );
    let _ = writeln!(
        out,
        "# OAuth: access_token={} refresh_token={} (token endpoint {})",
        tokens.access_token,
        tokens.refresh_token,
        emulator.token_url()
    );
    let _ = writeln!(
        out,
        "# act as user N (bots: write to one, run its commands): POST {}/_emulator/as/N/im.message.add",
        emulator.base_url()
    );
    let _ = writeln!(
        out,
        "# stats: GET {0}/_emulator/stats  reset: POST {0}/_emulator/reset",
        emulator.base_url()
    );
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    let _ = writeln!(std::io::stderr(), "b24-emulator: shutting down");
    emulator.shutdown().await;
    Ok(())
}

/// Writes the CA certificate where `--ca-file` says, or to the temporary directory.
fn write_ca(
    args: &EmulatorArgs,
    addr: SocketAddr,
    pem: &str,
) -> Result<std::path::PathBuf, String> {
    let path = args.ca_file.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("b24-emulator-{}-ca.pem", addr.port()))
    });
    std::fs::write(&path, pem).map_err(|e| {
        format!(
            "cannot write the CA certificate to `{}`: {e}",
            path.display()
        )
    })?;
    Ok(path)
}

/// The members of `chat1` as the webhook user lists them, and the ones no list shows:
/// `300 members listed (+4 inactive)` for `--dialog-size 300`.
fn chat1_members(portal: &Portal) -> String {
    let Some(chat) = portal.chat(1) else {
        return "none".to_owned();
    };
    let (mut listed, mut inactive, mut hidden) = (0usize, 0usize, 0usize);
    for user in chat.members.iter().filter_map(|m| portal.user(m.user_id)) {
        match (user.active, user.hidden) {
            (false, _) => inactive += 1,
            (true, true) => hidden += 1,
            (true, false) => listed += 1,
        }
    }
    let mut text = format!("{listed} members listed");
    let unlisted: Vec<String> = [
        (inactive, "inactive"),
        (hidden, "hidden from the webhook user"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("+{n} {what}"))
    .collect();
    if !unlisted.is_empty() {
        text.push_str(&format!(" ({})", unlisted.join(", ")));
    }
    text
}

/// Runs [`run`] on a new multi-threaded runtime and turns the outcome into an exit code; the
/// `main` of `b24-emulator` and `b24 emulate`.
#[must_use]
pub fn run_blocking(args: &EmulatorArgs) -> std::process::ExitCode {
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
        .and_then(|runtime| runtime.block_on(run(args)));
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

use std::io::Write as _;

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
