//! Answers: JSON bodies, the error envelope, the `time` object, and a body a fault can cut.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::Frame;
use hyper::{Response, StatusCode};
use serde_json::{Map, Value, json};

use super::limits::OperatingState;
use crate::methods::{Failure, Outcome};

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

pub(crate) fn json_response(status: u16, body: &Value) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::Full(Some(Bytes::from(bytes))))
        .unwrap_or_else(|_| Response::new(Body::Full(None)))
}

pub(crate) fn error_body(failure: &Failure) -> Value {
    json!({"error": failure.code, "error_description": failure.description})
}

pub(crate) fn time_object(
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

pub(crate) fn envelope(outcome: Outcome, time: Value) -> Value {
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
