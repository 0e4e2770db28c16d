//! The HTTP server: routing, the platform around every method (limits, auth, batch, time
//! accounting) and fault injection down to the socket.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use b24_core::SystemErrorCode;
use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use crate::config::{Config, Fault};
use crate::http::auth::{Auth, Caller, TokenPair};
use crate::http::body::{Params, scalar_text};
use crate::http::limits::{LeakyBucket, Operating, OperatingState};
use crate::http::stats::Stats;
use crate::methods::{self, Call, Failure, Handler, Outcome};
use crate::portal::Portal;
use crate::rng::Rng;

/// Most commands one batch call runs.
const BATCH_MAX: usize = 50;
/// Largest request body read.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Shared state of one running emulator.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    /// Shared by reads, taken whole by writes.
    pub(crate) portal: RwLock<Portal>,
    bucket: Mutex<LeakyBucket>,
    operating: Mutex<Operating>,
    pub(crate) auth: Mutex<Auth>,
    pub(crate) stats: Mutex<Stats>,
    sequence: AtomicU64,
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

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl State {
    pub(crate) fn new(config: Config, portal: Portal) -> Self {
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
            stats: Mutex::new(Stats::default()),
            sequence: AtomicU64::new(0),
            portal: RwLock::new(portal),
            webhook_token,
            client_secret,
            config,
        }
    }

    /// Resets counters and limits (not the portal's data).
    pub(crate) fn reset(&self) {
        *lock(&self.stats) = Stats::default();
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

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

/// A TCP stream that can be torn down with a reset: once `kill` is set, dropping it sends an
/// RST (linger 0) instead of a FIN.
struct KillableIo {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

impl Drop for KillableIo {
    fn drop(&mut self) {
        if self.kill.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// How one connection is torn down by a fault.
#[derive(Debug, Default)]
struct Killer {
    flag: Arc<AtomicBool>,
    notify: Notify,
}

/// Accepts connections until `shutdown` changes.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
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
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let killer = Arc::new(Killer::default());
            let io = KillableIo {
                inner: stream,
                kill: Arc::clone(&killer.flag),
            };
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
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// A response body: whole, or cut short (a truncate fault).
pub(crate) enum Body {
    Full(Option<Bytes>),
    /// Announces `len` bytes, sends `part`, lets it reach the client, then fails so the
    /// connection is closed mid-body.
    Cut {
        part: Option<Bytes>,
        len: u64,
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Self::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Self::Cut { part, pause, .. } => {
                if let Some(d) = part.take() {
                    return Poll::Ready(Some(Ok(Frame::data(d))));
                }
                // Pause so the headers and the first half are flushed before the cut.
                if let Some(sleep) = pause {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *pause = None;
                }
                Poll::Ready(Some(Err(std::io::Error::other(
                    "truncated by fault injection",
                ))))
            }
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            Self::Full(data) => {
                hyper::body::SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            Self::Cut { len, .. } => hyper::body::SizeHint::with_exact(*len),
        }
    }
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::Full(Some(Bytes::from(bytes))))
        .unwrap_or_else(|_| Response::new(Body::Full(None)))
}

fn error_body(failure: &Failure) -> Value {
    json!({"error": failure.code, "error_description": failure.description})
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

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
            return json_response(
                413,
                &json!({"error": "INVALID_REQUEST", "error_description": "Request body too large"}),
            );
        }
    };

    if let Some(control) = path.strip_prefix("/_emulator/") {
        return control_endpoint(&state, control, &method);
    }
    let params = match Params::from_request(query.as_deref(), content_type.as_deref(), &body) {
        Ok(p) => p,
        Err(message) => {
            let failure = Failure::new(400, "INVALID_REQUEST", &message);
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
        let failure = Failure::new(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
        return finish(
            &state,
            "?",
            404,
            Some(&failure.code),
            json_response(404, &error_body(&failure)),
        );
    };
    rest_call(&state, peer, route, params, &killer).await
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

fn finish(
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
    let auth_param = params.take("auth").as_ref().and_then(scalar_text);
    let caller = match (&route.webhook, auth_param) {
        (Some((user, token)), _) => {
            if *user == state.config.webhook_user.to_string() && *token == state.webhook_token {
                Caller {
                    user: state.config.webhook_user,
                    credential: format!("webhook:{user}"),
                    via_webhook: true,
                }
            } else {
                return fail(Failure::system(SystemErrorCode::NoAuthFound));
            }
        }
        (None, Some(token)) => match lock(&state.auth).check(&token, started) {
            Ok(caller) => caller,
            Err(failure) => return fail(failure),
        },
        (None, None) => return fail(Failure::system(SystemErrorCode::NoAuthFound)),
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

    let start = params.take("start").map(|v| crate::http::body::php_int(&v));
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

/// Applies a fault after the method ran.
async fn inject(
    state: &State,
    method: &str,
    fault: Fault,
    body: &Value,
    killer: &Killer,
) -> Response<Body> {
    match fault {
        Fault::Internal => {
            let failure = Failure::system(SystemErrorCode::InternalServerError);
            finish(
                state,
                method,
                500,
                Some(&failure.code),
                json_response(500, &error_body(&failure)),
            )
        }
        Fault::Html502 => {
            let response = Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .header("content-type", "text/html")
                .body(Body::Full(Some(Bytes::from_static(HTML_502.as_bytes()))))
                .unwrap_or_else(|_| Response::new(Body::Full(None)));
            finish(state, method, 502, None, response)
        }
        Fault::Truncate => {
            let bytes = serde_json::to_vec(body).unwrap_or_default();
            let len = bytes.len() as u64;
            let part = Bytes::from(bytes).slice(..(len as usize / 2));
            let response = Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json; charset=utf-8")
                .body(Body::Cut {
                    part: Some(part),
                    len,
                    pause: Some(Box::pin(tokio::time::sleep(Duration::from_millis(50)))),
                })
                .unwrap_or_else(|_| Response::new(Body::Full(None)));
            finish(state, method, 200, None, response)
        }
        Fault::Reset | Fault::Stall => {
            {
                let mut stats = lock(&state.stats);
                stats.requests += 1;
                Stats::count(&mut stats.by_method, method);
                Stats::count(&mut stats.by_status, fault.name());
            }
            if fault == Fault::Reset {
                killer.flag.store(true, Ordering::SeqCst);
                killer.notify.notify_one();
            }
            // Never answers: the connection is reset, or the client waits until it gives up.
            std::future::pending::<()>().await;
            Response::new(Body::Full(None))
        }
        Fault::Overload => json_response(
            503,
            &error_body(&Failure::system(SystemErrorCode::QueryLimitExceeded)),
        ),
    }
}

/// The result of one command with its accounting.
struct Done {
    outcome: Outcome,
    processing: Duration,
    operating: Option<OperatingState>,
}

/// Runs one method call (alone or inside a batch): lookup, scope, operating limit, the handler,
/// and the processing cost.
async fn run_command(
    state: &State,
    caller: &Caller,
    name: &str,
    mut params: Params,
    start: Option<i64>,
) -> Result<Done, Failure> {
    let Some((info, handler)) = methods::find(name) else {
        return Err(Failure::system(SystemErrorCode::ErrorMethodNotFound));
    };
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
    if !info.name.starts_with("im.v2.") {
        params.uppercase_keys();
    }
    let handler_started = Instant::now();
    macro_rules! call {
        ($portal:expr) => {
            Call {
                portal: $portal,
                caller: caller.user,
                via_webhook: caller.via_webhook,
                params,
                start,
                #[allow(clippy::cast_possible_truncation)]
                now: now as i64,
            }
        };
    }
    // Reads run side by side (a portal has many workers); a write has the portal to itself.
    let result = match handler {
        Handler::Read(handle) => handle(&mut call!(&*read(&state.portal))),
        Handler::Write(handle) => handle(&mut call!(&mut *write(&state.portal))),
    };
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

fn time_object(
    started: f64,
    clock: Instant,
    processing: Duration,
    operating: Option<OperatingState>,
) -> Value {
    let elapsed = clock.elapsed().as_secs_f64();
    let finish = started + elapsed;
    let iso = |t: f64| {
        #[allow(clippy::cast_possible_truncation)]
        crate::portal::iso(t as i64)
    };
    let mut time = json!({
        "start": started,
        "finish": finish,
        "duration": elapsed,
        "processing": processing.as_secs_f64(),
        "date_start": iso(started),
        "date_finish": iso(finish),
    });
    if let (Some(op), Some(map)) = (operating, time.as_object_mut()) {
        #[allow(clippy::cast_possible_truncation)]
        map.insert("operating_reset_at".into(), json!(op.reset_at as i64));
        map.insert("operating".into(), json!(op.operating));
    }
    time
}

fn envelope(outcome: Outcome, time: Value) -> Value {
    let mut body = Map::new();
    body.insert("result".into(), outcome.result);
    if let Some(next) = outcome.next {
        body.insert("next".into(), json!(next));
    }
    if let Some(total) = outcome.total {
        body.insert("total".into(), json!(total));
    }
    body.insert("time".into(), time);
    Value::Object(body)
}

// ---------------------------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------------------------

/// An ordered PHP-style array: a JSON list when its keys are 0..n, an object otherwise, `[]` when
/// empty.
#[derive(Debug, Default)]
struct PhpArray(Vec<(String, Value)>);

impl PhpArray {
    fn into_value(self) -> Value {
        let is_list = self
            .0
            .iter()
            .enumerate()
            .all(|(i, (k, _))| *k == i.to_string());
        if is_list {
            Value::Array(self.0.into_iter().map(|(_, v)| v).collect())
        } else {
            Value::Object(self.0.into_iter().collect())
        }
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => {
            !(s.is_empty()
                || s == "0"
                || s.eq_ignore_ascii_case("false")
                || s.eq_ignore_ascii_case("n"))
        }
        Some(_) => true,
    }
}

/// Replaces `$result[cmd][path]...` references in string values with earlier results.
fn resolve_refs(value: &mut Value, results: &BTreeMap<String, Value>) {
    match value {
        Value::String(s) if s.contains("$result[") => {
            *s = substitute(s, results);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_refs(v, results)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve_refs(v, results)),
        _ => {}
    }
}

fn substitute(text: &str, results: &BTreeMap<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$result[") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let mut cursor = rest.get(at + "$result".len()..).unwrap_or("");
        let mut path = Vec::new();
        while let Some(inner) = cursor.strip_prefix('[') {
            let Some(close) = inner.find(']') else { break };
            path.push(inner.get(..close).unwrap_or(""));
            cursor = inner.get(close + 1..).unwrap_or("");
        }
        let found = path.split_first().and_then(|(key, tail)| {
            tail.iter().try_fold(results.get(*key)?, |v, seg| match v {
                Value::Object(m) => m.get(*seg),
                Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            })
        });
        out.push_str(&found.and_then(scalar_text).unwrap_or_default());
        rest = cursor;
    }
    out.push_str(rest);
    out
}

async fn run_batch(state: &State, caller: &Caller, mut params: Params) -> Value {
    let started = unix_now();
    let clock = Instant::now();
    let halt = truthy(params.take("halt").as_ref());
    let commands: Vec<(String, Value)> = match params.take("cmd") {
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Some(Value::Object(map)) => map.into_iter().collect(),
        _ => Vec::new(),
    };
    let mut result = PhpArray::default();
    let mut errors = PhpArray::default();
    let mut totals = PhpArray::default();
    let mut nexts = PhpArray::default();
    let mut times = PhpArray::default();
    let mut done: BTreeMap<String, Value> = BTreeMap::new();
    // Results are kept for `$result[...]` only when some command refers to one.
    let referenced = commands
        .iter()
        .any(|(_, c)| c.as_str().is_some_and(|t| t.contains("$result")));
    let mut processing = Duration::ZERO;
    for (index, (key, command)) in commands.into_iter().enumerate() {
        // Non-string entries are skipped without any error, as the server does.
        let Value::String(command) = command else {
            continue;
        };
        lock(&state.stats).batched_commands += 1;
        let failure = if index >= BATCH_MAX {
            Some(Failure::system(SystemErrorCode::ErrorBatchLengthExceeded))
        } else {
            let (method, query) = command.split_once('?').unwrap_or((command.as_str(), ""));
            if method.eq_ignore_ascii_case("batch") {
                Some(Failure::system(SystemErrorCode::ErrorBatchMethodNotAllowed))
            } else {
                let mut sub = Params::from_query(query);
                let mut object = Value::Object(std::mem::take(&mut sub.0));
                resolve_refs(&mut object, &done);
                if let Value::Object(map) = object {
                    sub.0 = map;
                }
                sub.take("auth");
                let start = sub.take("start").map(|v| crate::http::body::php_int(&v));
                let sub_started = unix_now();
                let sub_clock = Instant::now();
                match run_command(state, caller, method, sub, start).await {
                    Ok(d) => {
                        processing += d.processing;
                        if referenced {
                            done.insert(key.clone(), d.outcome.result.clone());
                        }
                        if let Some(total) = d.outcome.total {
                            totals.0.push((key.clone(), json!(total)));
                        }
                        if let Some(next) = d.outcome.next {
                            nexts.0.push((key.clone(), json!(next)));
                        }
                        times.0.push((
                            key.clone(),
                            time_object(sub_started, sub_clock, d.processing, d.operating),
                        ));
                        result.0.push((key.clone(), d.outcome.result));
                        None
                    }
                    Err(f) => Some(f),
                }
            }
        };
        if let Some(failure) = failure {
            Stats::count(&mut lock(&state.stats).batch_errors, &failure.code);
            errors.0.push((key, error_body(&failure)));
            if halt {
                break;
            }
        }
    }
    json!({
        "result": {
            "result": result.into_value(),
            "result_error": errors.into_value(),
            "result_total": totals.into_value(),
            "result_next": nexts.into_value(),
            "result_time": times.into_value(),
        },
        "time": time_object(started, clock, processing, None),
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
    fn result_references() {
        let results = BTreeMap::from([("u".to_owned(), json!([{"ID": 5, "DEP": [3, 4]}]))]);
        assert_eq!(substitute("$result[u][0][ID]", &results), "5");
        assert_eq!(substitute("x$result[u][0][DEP][1]y", &results), "x4y");
        assert_eq!(substitute("$result[none][0]", &results), "");
    }

    #[test]
    fn php_arrays_and_halt() {
        assert_eq!(PhpArray::default().into_value(), json!([]));
        assert_eq!(
            PhpArray(vec![("0".into(), json!(1)), ("1".into(), json!(2))]).into_value(),
            json!([1, 2])
        );
        assert_eq!(
            PhpArray(vec![("1".into(), json!(2))]).into_value(),
            json!({"1": 2})
        );
        assert!(
            truthy(Some(&json!("1")))
                && truthy(Some(&json!(true)))
                && !truthy(Some(&json!("0")))
                && !truthy(None)
        );
    }

    #[test]
    fn only_loopback_may_use_plain_http() {
        assert!(plain_http_allowed(&"127.0.0.1:1".parse().unwrap()));
        assert!(plain_http_allowed(&"[::1]:1".parse().unwrap()));
        assert!(!plain_http_allowed(&"10.0.0.5:1".parse().unwrap()));
    }
}
