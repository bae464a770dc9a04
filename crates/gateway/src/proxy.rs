//! Forwarding of the allow-listed `/assist` call to the upstream, streamed through unbuffered.

use assist_protocol::ProblemDetails;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::{AppState, check_csrf, check_origin, session};

/// Largest request body forwarded (a message, its context and confirmed items).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assist", post(assist))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn assist(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match forward(&state, &headers, "/api/v1/assist", body).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

/// Checks the session, origin and CSRF token, then POSTs `body` to `path` upstream with the
/// secret key. Only the content type and `Accept` of the browser's request go upstream: never
/// its `Cookie` or `Authorization`.
async fn forward(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    body: Bytes,
) -> Result<Response, ProblemDetails> {
    check_origin(state, headers)?;
    let session = session::require(state, headers)?;
    check_csrf(&session, headers)?;

    let accept = headers
        .get(header::ACCEPT)
        .cloned()
        .unwrap_or(HeaderValue::from_static("text/event-stream"));
    let request = state
        .client
        .post(format!("{}{path}", state.config.upstream))
        .bearer_auth(&state.config.api_key)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, accept)
        .body(body);
    let upstream = match tokio::time::timeout(state.config.upstream_timeout, request.send()).await {
        Err(_) => {
            return Err(ProblemDetails::new(
                504,
                "Gateway timeout",
                "The Flowyte control plane did not answer in time.",
            )
            .with_code("upstream_timeout"));
        }
        Ok(Err(error)) => {
            // The reqwest error names the URL, never the key; log it without the body.
            tracing::warn!(%error, "upstream request failed");
            return Err(ProblemDetails::new(
                502,
                "Bad gateway",
                "The Flowyte control plane could not be reached.",
            )
            .with_code("upstream_unreachable"));
        }
        Ok(Ok(response)) => response,
    };

    let mut response = Response::builder().status(upstream.status().as_u16());
    let out = response.headers_mut().expect("builder has no error yet");
    for name in [header::CONTENT_TYPE, header::RETRY_AFTER] {
        if let Some(value) = upstream.headers().get(&name) {
            out.insert(name, value.clone());
        }
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert("x-accel-buffering", HeaderValue::from_static("no"));
    // Each upstream chunk is written as it arrives. When the browser goes away axum drops this
    // body, which drops the upstream response and so cancels the upstream request.
    Ok(response
        .body(Body::from_stream(upstream.bytes_stream()))
        .expect("status and headers are valid"))
}
