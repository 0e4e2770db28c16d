//! Serving HTTP: the shared state, connections, routing (REST calls, the OAuth token endpoint,
//! `/_emulator/` controls), and one REST call from the request to its answer: loopback check,
//! bucket, auth, latency, faults, then the method (or a batch of them) with its accounting.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use b24_core::SystemErrorCode;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::auth::{Auth, Caller, TokenPair, authenticate};
use super::batch::run_batch;
use super::body::Params;
use super::faults::{KillableIo, Killer, inject};
use super::limits::{LeakyBucket, Operating, OperatingState};
use super::response::{Body, envelope, error_body, json_response, time_object};
use super::stats::Stats;
use crate::config::{Config, Fault};
use crate::methods::{self, Call, Failure, Handler, Outcome};
use crate::portal::Portal;
use crate::rng::Rng;

/// Largest request body read: room for a 100 MB file in Base64 (`im.v2.File.upload`).
const BODY_LIMIT: usize = 150 * 1024 * 1024;

/// Shared state of one running emulator.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    /// Shared by reads, taken whole by writes.
    pub(crate) portal: RwLock<Portal>,
    pub(crate) bucket: Mutex<LeakyBucket>,
    pub(crate) operating: Mutex<Operating>,
    pub(crate) auth: Mutex<Auth>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) sequence: AtomicU64,
    pub(crate) webhook_token: String,
    pub(crate) client_secret: String,
}

/// Locks a mutex, recovering the data if a handler panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Shares a read-write lock, recovering the data if a handler panicked while holding it.
pub(crate) fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Takes a read-write lock whole, recovering the data if a handler panicked while holding it.
pub(crate) fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl State {
    pub(crate) fn new(config: Config, mut portal: Portal) -> Self {
        portal.webhook_json = config.webhook_json;
        let mut seed_rng = Rng::stream(config.seed, 0x5eed);
        let webhook_token = config
            .webhook_token
            .clone()
            .unwrap_or_else(|| format!("{:016x}", seed_rng.next_u64()));
        let client_secret = config
            .client_secret
            .clone()
            .unwrap_or_else(|| format!("{:016x}{:016x}", seed_rng.next_u64(), seed_rng.next_u64()));
        Self {
            bucket: Mutex::new(LeakyBucket::new(config.bucket)),
            operating: Mutex::new(Operating::new(
                config.operating_limit,
                config.operating_min,
                config.operating_window,
            )),
            auth: Mutex::new(Auth::new(
                config.client_id.clone(),
                client_secret.clone(),
                config.access_ttl,
                config.refresh_ttl,
                config.seed,
            )),
            stats: Mutex::new(Stats::new(&config)),
            sequence: AtomicU64::new(0),
            portal: RwLock::new(portal),
            webhook_token,
            client_secret,
            config,
        }
    }

    /// Resets counters and limits (not the portal's data).
    pub(crate) fn reset(&self) {
        *lock(&self.stats) = Stats::new(&self.config);
        *lock(&self.bucket) = LeakyBucket::new(self.config.bucket);
        *lock(&self.operating) = Operating::new(
            self.config.operating_limit,
            self.config.operating_min,
            self.config.operating_window,
        );
    }

    pub(crate) fn issue_tokens(&self) -> TokenPair {
        lock(&self.auth).issue(self.config.webhook_user, unix_now())
    }
}

/// Accepts connections until `shutdown` changes; over TLS when `tls` is given.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let Ok((stream, peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let shutdown = shutdown.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let killer = Arc::new(Killer::default());
            let io = KillableIo {
                inner: stream,
                kill: Arc::clone(&killer.flag),
            };
            match tls {
                None => connection(io, state, peer, killer, shutdown).await,
                Some(acceptor) => {
                    // A client that does not trust the CA gives up during the handshake.
                    if let Ok(io) = acceptor.accept(io).await {
                        connection(io, state, peer, killer, shutdown).await;
                    }
                }
            }
        });
    }
}

/// Serves one connection's requests until it closes, a fault kills it or the server stops.
async fn connection<I>(
    io: I,
    state: Arc<State>,
    peer: SocketAddr,
    killer: Arc<Killer>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service_killer = Arc::clone(&killer);
    let service = hyper::service::service_fn(move |req| {
        let state = Arc::clone(&state);
        let killer = Arc::clone(&service_killer);
        async move { Ok::<_, Infallible>(handle(state, peer, req, killer).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = conn => {}
        () = killer.notify.notified() => {}
        _ = shutdown.changed() => {}
    }
}

async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
    killer: Arc<Killer>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let method = req.method().clone();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match http_body_util::Limited::new(req.into_body(), BODY_LIMIT)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let failure = Failure {
                status: 413,
                ..Failure::system(SystemErrorCode::InvalidRequest)
                    .explained("Request body too large")
            };
            return json_response(failure.status, &error_body(&failure));
        }
    };

    if let Some(rest) = path.strip_prefix("/_emulator/as/") {
        return act_as(
            &state,
            peer,
            rest,
            query.as_deref(),
            content_type.as_deref(),
            &body,
        )
        .await;
    }
    if let Some(control) = path.strip_prefix("/_emulator/") {
        return control_endpoint(&state, control, &method);
    }
    if path == crate::portal::drive::DOWNLOAD_PATH {
        return download(&state, query.as_deref());
    }
    let params = match Params::from_request(query.as_deref(), content_type.as_deref(), &body) {
        Ok(p) => p,
        Err(error) => {
            let failure =
                Failure::system(SystemErrorCode::InvalidRequest).explained(error.to_string());
            return finish(
                &state,
                "?",
                failure.status,
                Some(&failure.code),
                json_response(400, &error_body(&failure)),
            );
        }
    };
    if path.trim_end_matches('/') == "/oauth/token" {
        return token_endpoint(&state, &params);
    }
    let Some(route) = parse_rest_path(&path) else {
        let failure = Failure::system(SystemErrorCode::ErrorMethodNotFound);
        return finish(
            &state,
            "?",
            failure.status,
            Some(&failure.code),
            json_response(failure.status, &error_body(&failure)),
        );
    };
    rest_call(&state, peer, route, params, &killer).await
}

/// A download link of `im.v2.File.download`: the file's bytes, or 404 for a token that opens
/// nothing (unknown, or its file was deleted). The token is the authorization.
fn download(state: &State, query: Option<&str>) -> Response<Body> {
    let token = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let file = read(&state.portal)
        .drive
        .download(&token)
        .map(|f| (f.name.clone(), f.content.clone()));
    let Some((name, content)) = file else {
        // The code and text of `im.v2.File.download`; the link is not a REST call, so a dead
        // one answers 404 as a web server does.
        let failure = crate::methods::fail(b24_im::V2FileDownloadErrorCode::FileNotFound);
        return finish(
            state,
            "download",
            404,
            Some(&failure.code),
            json_response(404, &error_body(&failure)),
        );
    };
    let mut response = Response::new(Body::Full(Some(content)));
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/octet-stream"),
    );
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(['"', '\\', '\r', '\n'], "_")
    );
    if let Ok(value) = hyper::header::HeaderValue::from_str(&disposition) {
        headers.insert(hyper::header::CONTENT_DISPOSITION, value);
    }
    finish(state, "download", 200, None, response)
}

/// `/rest/<user>/<token>/<method>` (webhook) or `/rest/<method>` (OAuth), `.json` optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) webhook: Option<(String, String)>,
    pub(crate) method: String,
}

pub(crate) fn parse_rest_path(path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/rest/")?;
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let clean = |m: &str| m.strip_suffix(".json").unwrap_or(m).to_owned();
    match parts.as_slice() {
        [method] if !method.is_empty() => Some(Route {
            webhook: None,
            method: clean(method),
        }),
        [user, token, method] if !method.is_empty() => Some(Route {
            webhook: Some(((*user).to_owned(), (*token).to_owned())),
            method: clean(method),
        }),
        _ => None,
    }
}

pub(crate) fn finish(
    state: &State,
    method: &str,
    status: u16,
    error: Option<&str>,
    response: Response<Body>,
) -> Response<Body> {
    let mut stats = lock(&state.stats);
    stats.requests += 1;
    Stats::count(&mut stats.by_status, &status.to_string());
    Stats::count(&mut stats.by_method, method);
    if let Some(code) = error {
        Stats::count(&mut stats.by_error, code);
    }
    response
}

fn control_endpoint(state: &State, control: &str, method: &hyper::Method) -> Response<Body> {
    match (control.trim_end_matches('/'), method.as_str()) {
        ("stats", "GET") => {
            let stats = lock(&state.stats).clone();
            json_response(200, &serde_json::to_value(&stats).unwrap_or(Value::Null))
        }
        ("reset", "POST") => {
            state.reset();
            json_response(200, &json!({"result": true}))
        }
        _ => json_response(
            404,
            &json!({"error": "NOT_FOUND", "error_description": "GET /_emulator/stats or POST /_emulator/reset"}),
        ),
    }
}

/// `POST /_emulator/as/<user>/<method>`: calls a method as portal user `<user>`, without
/// credentials (loopback only), so tests and `b24` users can play the people a bot talks to:
/// write to it (`im.message.add`), run its commands, react. Answers like `/rest/`.
async fn act_as(
    state: &State,
    peer: SocketAddr,
    rest: &str,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    let started = unix_now();
    let clock = Instant::now();
    let answer = |failure: Failure| json_response(failure.status, &error_body(&failure));
    if !plain_http_allowed(&peer) {
        return answer(Failure::system(SystemErrorCode::InvalidRequest));
    }
    let (user, method) = rest.split_once('/').unwrap_or((rest, ""));
    let method = method.trim_end_matches('/').trim_end_matches(".json");
    let user = user
        .parse::<u64>()
        .ok()
        .filter(|id| read(&state.portal).user(*id).is_some());
    let (Some(user), false) = (user, method.is_empty()) else {
        return json_response(
            404,
            &json!({"error": "NOT_FOUND", "error_description": "POST /_emulator/as/<user id>/<method>"}),
        );
    };
    let params = match Params::from_request(query, content_type, body) {
        Ok(p) => p,
        Err(error) => {
            return answer(
                Failure::system(SystemErrorCode::InvalidRequest).explained(error.to_string()),
            );
        }
    };
    let caller = Caller {
        user,
        credential: format!("act-as:{user}"),
        via_webhook: true,
    };
    match run_command(state, &caller, method, params, None).await {
        Ok(done) => json_response(
            200,
            &envelope(
                done.outcome,
                time_object(started, clock, done.processing, done.operating),
            ),
        ),
        Err(failure) => answer(failure),
    }
}

fn token_endpoint(state: &State, params: &Params) -> Response<Body> {
    let outcome = lock(&state.auth).token_endpoint(params, unix_now());
    match outcome {
        Ok(body) => finish(state, "oauth.token", 200, None, json_response(200, &body)),
        Err((status, body)) => {
            let code = body
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            finish(
                state,
                "oauth.token",
                status,
                Some(&code),
                json_response(status, &body),
            )
        }
    }
}

/// Whether a peer may call over plain HTTP: only from loopback (the real server refuses plain
/// HTTP with `INVALID_REQUEST`; tests run on loopback).
pub(crate) fn plain_http_allowed(peer: &SocketAddr) -> bool {
    peer.ip().is_loopback()
}

async fn rest_call(
    state: &Arc<State>,
    peer: SocketAddr,
    route: Route,
    mut params: Params,
    killer: &Killer,
) -> Response<Body> {
    let started = unix_now();
    let clock = Instant::now();
    let method_name = route.method.clone();
    let fail = |failure: Failure| {
        let status = failure.status;
        finish(
            state,
            &method_name,
            status,
            Some(&failure.code.clone()),
            json_response(status, &error_body(&failure)),
        )
    };
    if !plain_http_allowed(&peer) {
        return fail(Failure::system(SystemErrorCode::InvalidRequest));
    }
    if !lock(&state.bucket).try_admit(Instant::now()) {
        return fail(Failure::system(SystemErrorCode::QueryLimitExceeded));
    }
    let caller = match authenticate(state, &route, &mut params, started) {
        Ok(caller) => caller,
        Err(failure) => return fail(failure),
    };

    let sequence = state.sequence.fetch_add(1, Ordering::SeqCst);
    let mut rng = Rng::stream(state.config.seed, sequence + 1);
    let latency = state.config.latency;
    let wait = latency.base_ms + latency.jitter_ms * rng.unit();
    if wait > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(wait / 1000.0)).await;
    }
    let fault = state.config.faults.pick(rng.unit());
    if fault == Some(Fault::Overload) {
        Stats::count(&mut lock(&state.stats).faults, Fault::Overload.name());
        return fail(Failure::system(SystemErrorCode::QueryLimitExceeded));
    }

    let start = params.take("start").map(|v| crate::php::php_int(&v));
    let (status, body, error) = if route.method.eq_ignore_ascii_case("batch") {
        let body = run_batch(state, &caller, params).await;
        (200, body, None)
    } else {
        match run_command(state, &caller, &route.method, params, start).await {
            Ok(done) => (
                200,
                envelope(
                    done.outcome,
                    time_object(started, clock, done.processing, done.operating),
                ),
                None,
            ),
            Err(failure) => (failure.status, error_body(&failure), Some(failure.code)),
        }
    };

    match fault {
        Some(f) => {
            Stats::count(&mut lock(&state.stats).faults, f.name());
            inject(state, &method_name, f, &body, killer).await
        }
        None => finish(
            state,
            &method_name,
            status,
            error.as_deref(),
            json_response(status, &body),
        ),
    }
}

/// The result of one command with its accounting.
pub(crate) struct Done {
    pub(crate) outcome: Outcome,
    pub(crate) processing: Duration,
    pub(crate) operating: Option<OperatingState>,
}

/// Runs one method call (alone or inside a batch): lookup, scope, operating limit, the handler,
/// and the processing cost.
pub(crate) async fn run_command(
    state: &State,
    caller: &Caller,
    name: &str,
    mut params: Params,
    start: Option<i64>,
) -> Result<Done, Failure> {
    let Some((entry, handler)) = methods::find(name) else {
        return Err(Failure::system(SystemErrorCode::ErrorMethodNotFound));
    };
    let info = entry.info;
    // A method without a handler, or one the configuration sends to its example.
    let handler = handler.filter(|_| !state.config.from_example.iter().any(|m| m == info.name));
    if !state.config.scopes.iter().any(|s| s == info.scope) {
        return Err(Failure::system(SystemErrorCode::InsufficientScope));
    }
    let now = unix_now();
    if lock(&state.operating)
        .check(info.name, &caller.credential, now)
        .is_err()
    {
        return Err(Failure::system(SystemErrorCode::OperationTimeLimit));
    }
    methods::normalise_params(info, &mut params);
    let handler_started = Instant::now();
    macro_rules! call {
        ($portal:expr) => {
            Call {
                info,
                portal: $portal,
                caller: caller.user,
                via_webhook: caller.via_webhook,
                app: caller.credential.strip_prefix("app:").map(str::to_owned),
                params,
                start,
                #[allow(clippy::cast_possible_truncation)]
                now: now as i64,
            }
        };
    }
    // Reads run side by side (a portal has many workers); a write has the portal to itself.
    let result = match handler {
        Some(Handler::Read(handle)) => handle(&mut call!(&*read(&state.portal))),
        Some(Handler::Write(handle)) => handle(&mut call!(&mut *write(&state.portal))),
        None => {
            Stats::count(&mut lock(&state.stats).answered_from_example, info.name);
            methods::example::answer(entry, &params)
        }
    };
    if matches!(handler, Some(Handler::Write(_))) {
        // Bot events a write produced for webhook-mode bots, POSTed once the call is done.
        let outgoing = std::mem::take(&mut write(&state.portal).outbox);
        super::webhooks::send_all(outgoing);
    }
    let rows = result.as_ref().map_or(0, |o| o.rows);
    let processing = state.config.cost.of(rows);
    // The modelled cost is the whole processing time: the emulator's own work counts toward it.
    tokio::time::sleep(processing.saturating_sub(handler_started.elapsed())).await;
    let operating =
        lock(&state.operating).record(info.name, &caller.credential, unix_now(), processing);
    {
        let mut stats = lock(&state.stats);
        *stats
            .operating_ms
            .entry(info.name.to_owned())
            .or_insert(0.0) += processing.as_secs_f64() * 1000.0;
        if result.is_ok() {
            Stats::count(&mut stats.executed, info.name);
        }
    }
    result.map(|outcome| Done {
        outcome,
        processing,
        operating: Some(operating),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rest_paths() {
        let r = parse_rest_path("/rest/1/abc/im.dialog.users.list.json").unwrap();
        assert_eq!(r.webhook, Some(("1".into(), "abc".into())));
        assert_eq!(r.method, "im.dialog.users.list");
        assert_eq!(parse_rest_path("/rest/batch").unwrap().method, "batch");
        assert!(parse_rest_path("/rest/").is_none());
        assert!(parse_rest_path("/api/x").is_none());
    }

    #[test]
    fn only_loopback_may_use_plain_http() {
        assert!(plain_http_allowed(&"127.0.0.1:1".parse().unwrap()));
        assert!(plain_http_allowed(&"[::1]:1".parse().unwrap()));
        assert!(!plain_http_allowed(&"10.0.0.5:1".parse().unwrap()));
    }
}
