//! The upstream's answer relayed to the browser as it arrives, unbuffered: its headers (and
//! no others), its chunks, and what it holds until it ends however it ends (its stream slot,
//! its place among the open streams, its claim on the items it confirms, its audit line).
//!
//! When the upstream's event stream breaks between two frames, the browser's stream ends
//! cleanly with an `error` frame coded `upstream_broken` (the panel reads it as a reply that
//! broke off) rather than a cut connection, which the browser would report in the host page's
//! console as a network error. A break inside a frame is passed on as a cut.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use assist_protocol::ProblemDetails;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures_util::stream::{Abortable, Stream, StreamExt};

use crate::audit::{AuditLog, Entry};
use crate::ledger::{Claimed, Settlement};
use crate::limits::StreamPermit;
use crate::proxy::Held;
use crate::streams::Listed;
use crate::{AppState, session};

/// The browser's response for the upstream's `upstream` (a status it passes on).
pub(crate) fn answer(
    state: &AppState,
    session: &session::Session,
    upstream: reqwest::Response,
    entry: Entry,
    started: Instant,
    mut held: Held,
) -> Response {
    let mut response = Response::builder().status(upstream.status().as_u16());
    let out = response.headers_mut().expect("builder has no error yet");
    for name in [header::CONTENT_TYPE, header::RETRY_AFTER] {
        if let Some(value) = upstream.headers().get(&name) {
            out.insert(name, value.clone());
        }
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert("x-accel-buffering", HeaderValue::from_static("no"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let event_stream = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let (registration, listed) = state.streams.list(session);
    state.metrics.open_streams.inc();
    let chunks: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>> =
        Box::pin(upstream.bytes_stream());
    let tracked = Tracked {
        chunks: Abortable::new(chunks, registration),
        event_stream,
        at_boundary: true,
        finished: false,
        metrics: Arc::clone(&state.metrics),
        end: Some(End {
            metrics: Arc::clone(&state.metrics),
            audit: Arc::clone(&state.audit),
            entry,
            started,
            outcome: "client_closed",
            claim: held.claim.take(),
            _permit: held.permit,
            _listed: listed,
        }),
    };
    response
        .body(Body::from_stream(tracked))
        .expect("status and headers are valid")
}

/// What a reply holds until it ends: its stream slot, its place in the open-streams list, its
/// claim on the items it confirms, and its audit line, written when it ends however it ends.
struct End {
    metrics: Arc<crate::metrics::Metrics>,
    audit: Arc<AuditLog>,
    entry: Entry,
    started: Instant,
    outcome: &'static str,
    claim: Option<Claimed>,
    _permit: StreamPermit,
    _listed: Listed,
}

impl Drop for End {
    fn drop(&mut self) {
        self.metrics.open_streams.dec();
        self.metrics.observe_stream(self.started.elapsed());
        if self.outcome == "upstream_error" {
            self.metrics
                .upstream_errors
                .get_or_create(&crate::metrics::Kind {
                    kind: "broken_stream",
                })
                .inc();
        }
        if let Some(claim) = self.claim.take() {
            // Only an answer that ended cleanly says what the upstream did.
            claim.settle_soon(if self.outcome == "completed" {
                Settlement::Done
            } else {
                Settlement::InDoubt
            });
        }
        let mut entry = self.entry.clone();
        entry.outcome = self.outcome;
        entry.duration_ms = self.started.elapsed().as_millis() as u64;
        self.audit.write(entry);
    }
}

/// The upstream's chunks, passed on as they arrive. When the browser goes away axum drops this
/// body, which drops the upstream response (cancelling the upstream request) and [`End`]; a
/// cut session aborts it.
struct Tracked {
    chunks: Abortable<Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>>,
    event_stream: bool,
    /// What was passed on so far ends with a whole frame.
    at_boundary: bool,
    /// The closing `error` frame went out: nothing follows.
    finished: bool,
    metrics: Arc<crate::metrics::Metrics>,
    end: Option<End>,
}

impl Stream for Tracked {
    type Item = reqwest::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        let polled = self.chunks.poll_next_unpin(cx);
        if let Poll::Ready(Some(Err(_))) = &polled
            && self.event_stream
            && self.at_boundary
        {
            if let Some(end) = self.end.as_mut() {
                end.outcome = "upstream_error";
            }
            self.finished = true;
            return Poll::Ready(Some(Ok(broken_frame())));
        }
        if let Poll::Ready(Some(Ok(chunk))) = &polled
            && !chunk.is_empty()
        {
            self.at_boundary = chunk.ends_with(b"\n\n") || chunk.ends_with(b"\r\n\r\n");
        }
        match &polled {
            Poll::Ready(None) => {
                let aborted = self.chunks.is_aborted();
                if let Some(mut end) = self.end.take() {
                    end.outcome = if aborted {
                        "session_ended"
                    } else {
                        "completed"
                    };
                }
            }
            Poll::Ready(Some(Err(_))) => {
                if let Some(end) = self.end.as_mut() {
                    end.outcome = "upstream_error";
                }
            }
            Poll::Ready(Some(Ok(chunk))) => {
                self.metrics.streamed_bytes.inc_by(chunk.len() as u64);
            }
            Poll::Pending => {}
        }
        polled
    }
}

/// The `error` frame that ends a browser's stream whose upstream broke between frames.
fn broken_frame() -> Bytes {
    let problem = ProblemDetails::new(
        502,
        "The reply broke off",
        "The Flowyte control plane's answer broke off after it had the request: it may have \
         carried out part of it.",
    )
    .with_code("upstream_broken");
    Bytes::from(assist_protocol::encode_frame(
        "error",
        &serde_json::to_string(&problem).expect("problems serialize"),
    ))
}
