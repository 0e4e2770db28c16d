//! Fault injection down to the socket: a 500 or an nginx 502 page after the method ran, a body
//! cut mid-JSON, a connection reset, an answer that never comes.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use b24_core::SystemErrorCode;
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;

use super::response::{Body, error_body, json_response};
use super::server::{State, finish, lock};
use super::stats::Stats;
use crate::config::Fault;
use crate::methods::Failure;

/// A TCP stream that can be torn down with a reset: once `kill` is set, dropping it sends an
/// RST (linger 0) instead of a FIN.
pub(crate) struct KillableIo {
    pub(crate) inner: TcpStream,
    pub(crate) kill: Arc<AtomicBool>,
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
pub(crate) struct Killer {
    pub(crate) flag: Arc<AtomicBool>,
    pub(crate) notify: Notify,
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Applies a fault after the method ran.
pub(crate) async fn inject(
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
