//! Test servers: the emulator, and a scripted server that answers a fixed sequence of replies and
//! records what it received (for exact fault sequences the emulator cannot express).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// In a reply's body or headers, replaced by what the request carried (method, path, query and
/// body, JSON-escaped): a server that echoes the request, as proxies and broken portals do.
pub const ECHO: &str = "@ECHO@";

/// One scripted reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (a stalled server).
    pub stall: Option<std::time::Duration>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            stall: None,
        }
    }

    pub fn html(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
            stall: None,
        }
    }

    /// Answers `self` after `wait`.
    pub fn after(mut self, wait: std::time::Duration) -> Self {
        self.stall = Some(wait);
        self
    }

    pub fn error(status: u16, code: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({"error": code, "error_description": format!("{code} happened")}),
        )
    }

    pub fn redirect(location: &str) -> Self {
        Self {
            status: 302,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
            stall: None,
        }
    }
}

/// A request the scripted server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Default)]
pub struct Script {
    replies: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Option<Reply>>,
    pub received: Mutex<Vec<Received>>,
    pub connections: AtomicUsize,
}

impl Script {
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A running scripted server.
pub struct Scripted {
    pub addr: SocketAddr,
    pub script: Arc<Script>,
}

impl Scripted {
    /// Serves `replies` in order, then `fallback` for every further request.
    pub async fn start(replies: Vec<Reply>, fallback: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Script {
            replies: Mutex::new(replies.into()),
            fallback: Mutex::new(Some(fallback)),
            ..Script::default()
        });
        let s = Arc::clone(&script);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                s.connections.fetch_add(1, Ordering::SeqCst);
                let s = Arc::clone(&s);
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            let s = Arc::clone(&s);
                            async move {
                                let method = req.method().to_string();
                                let path = req.uri().path().to_owned();
                                let query = req.uri().query().map(str::to_owned);
                                let headers = req
                                    .headers()
                                    .iter()
                                    .map(|(k, v)| {
                                        (k.to_string(), v.to_str().unwrap_or("").to_owned())
                                    })
                                    .collect();
                                let body = req
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|c| c.to_bytes())
                                    .unwrap_or_default();
                                s.received.lock().unwrap().push(Received {
                                    method,
                                    path,
                                    query,
                                    headers,
                                    body: String::from_utf8_lossy(&body).into_owned(),
                                });
                                let echo = {
                                    let r = s.received.lock().unwrap();
                                    let last = r.last().unwrap();
                                    let text = format!(
                                        "{} {}?{} {}",
                                        last.method,
                                        last.path,
                                        last.query.as_deref().unwrap_or(""),
                                        last.body
                                    );
                                    let json = serde_json::to_string(&text).unwrap();
                                    json[1..json.len() - 1].to_owned()
                                };
                                let reply = s
                                    .replies
                                    .lock()
                                    .unwrap()
                                    .pop_front()
                                    .or_else(|| s.fallback.lock().unwrap().clone())
                                    .unwrap();
                                if let Some(stall) = reply.stall {
                                    tokio::time::sleep(stall).await;
                                }
                                let mut response = Response::builder().status(reply.status);
                                for (k, v) in &reply.headers {
                                    response = response.header(k, v.replace(ECHO, &echo));
                                }
                                let body = match std::str::from_utf8(&reply.body) {
                                    Ok(text) if text.contains(ECHO) => {
                                        text.replace(ECHO, &echo).into_bytes()
                                    }
                                    _ => reply.body,
                                };
                                Ok::<_, Infallible>(
                                    response.body(Full::new(Bytes::from(body))).unwrap(),
                                )
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, script }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A webhook URL on this server.
    pub fn webhook(&self, code: &str) -> String {
        format!("{}/rest/1/{code}/", self.base())
    }
}

/// A successful `im.dialog.users.list`-like body with a `time` object.
pub fn ok_body(result: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"result": result, "time": {"start": 1.0, "finish": 1.1, "duration": 0.1, "processing": 0.1, "operating": 0, "operating_reset_at": 2}})
}

/// A client of the emulator's webhook without client-side limits (tests that are not about
/// limits).
pub fn emulator_client(emu: &b24_emulator::Emulator) -> b24_client::Client {
    b24_client::Client::builder()
        .webhook(&emu.webhook_url())
        .unwrap()
        .unlimited()
        .build()
        .unwrap()
}
