//! Forwarding of the allow-listed calls to the upstream, streamed through unbuffered.
//!
//! Only `POST /api/v1/assist`, `POST /api/v1/agents/{id}/assist` and
//! `GET /api/v1/assist/threads/{id}` go upstream, with ids validated; every other `/api/` path
//! or method is 404 problem+json.

use assist_protocol::ProblemDetails;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use futures_util::StreamExt;

use crate::limits::{Refusal, StreamPermit};
use crate::{AppState, check_csrf, session};

/// Largest request body forwarded (a message, its context and confirmed items).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assist", post(account_assist).fallback(not_found))
        .route(
            "/api/v1/agents/{id}/assist",
            post(agent_assist).fallback(not_found),
        )
        .route(
            "/api/v1/assist/threads/{id}",
            get(thread).fallback(not_found),
        )
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The answer for every path and method outside the allow-list.
pub async fn not_found() -> ProblemDetails {
    ProblemDetails::new(
        404,
        "Not found",
        "The gateway does not forward this request.",
    )
    .with_code("not_found")
}

/// Ids go into the upstream path, so only plain ids pass: letters, digits, `_` and `-`.
/// Axum has already percent-decoded them, so `%2F` arrives as `/` and is refused here.
fn valid_id(id: &str) -> bool {
    // The rule the panel checks its options with: what it accepts, this forwards.
    assist_protocol::is_plain_id(id)
}

async fn account_assist(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(
        forward(
            &state,
            &headers,
            Method::POST,
            "/api/v1/assist".to_owned(),
            body,
        )
        .await,
    )
}

async fn agent_assist(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !valid_id(&id) {
        return not_found().await.into_response();
    }
    let path = format!("/api/v1/agents/{id}/assist");
    respond(forward(&state, &headers, Method::POST, path, body).await)
}

async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !valid_id(&id) {
        return not_found().await.into_response();
    }
    let path = format!("/api/v1/assist/threads/{id}");
    respond(forward(&state, &headers, Method::GET, path, Ok(Bytes::new())).await)
}

fn respond(result: Result<Response, Refusal>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Checks the session, its CSRF token (on POST), its limits and the body (the origin was
/// checked in front of every route), then sends the request upstream with the secret key. Only
/// the content type and `Accept` of the browser's request go upstream: never its `Cookie`,
/// `Authorization` or `X-Forwarded-*`.
async fn forward(
    state: &AppState,
    headers: &HeaderMap,
    method: Method,
    path: String,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Refusal> {
    let session = session::require(state, headers).await?;
    if method == Method::POST {
        check_csrf(&session, headers)?;
    }
    let body = body.map_err(|rejection| {
        ProblemDetails::new(
            rejection.status().as_u16(),
            "Request too large",
            format!("A request body may hold at most {MAX_BODY_BYTES} bytes."),
        )
        .with_code("body_too_large")
    })?;
    // Counted once the request is known to be well-formed, before anything goes upstream.
    let permit = state.limits.admit(&session.id)?;

    let accept = headers
        .get(header::ACCEPT)
        .cloned()
        .unwrap_or(HeaderValue::from_static("text/event-stream"));
    let mut request = state
        .client
        .request(method.clone(), format!("{}{path}", state.config.upstream))
        .bearer_auth(&state.config.api_key)
        .header(header::ACCEPT, accept);
    if method == Method::POST {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    let upstream = match tokio::time::timeout(state.config.upstream_timeout, request.send()).await {
        Err(_) => {
            return Err(Refusal::from(
                ProblemDetails::new(
                    504,
                    "Gateway timeout",
                    "The Flowyte control plane did not answer in time.",
                )
                .with_code("upstream_timeout"),
            ));
        }
        Ok(Err(error)) => {
            // The reqwest error names the URL, never the key (and logs are redacted anyway).
            tracing::warn!(%error, "upstream request failed");
            let (code, detail) = if error.is_connect() {
                (
                    "upstream_unreachable",
                    "The Flowyte control plane could not be reached.",
                )
            } else {
                (
                    "upstream_failed",
                    "The Flowyte control plane's answer broke off or could not be read.",
                )
            };
            return Err(Refusal::from(
                ProblemDetails::new(502, "Bad gateway", detail).with_code(code),
            ));
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
    Ok(response
        .body(stream_body(upstream, permit))
        .expect("status and headers are valid"))
}

/// Each upstream chunk is written as it arrives. When the browser goes away axum drops this
/// body, which drops the upstream response (cancelling the upstream request) and the permit
/// (freeing the session's stream slot).
fn stream_body(upstream: reqwest::Response, permit: StreamPermit) -> Body {
    Body::from_stream(upstream.bytes_stream().map(move |chunk| {
        let _held = &permit;
        chunk
    }))
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn only_plain_ids_pass() {
        let longest = "x".repeat(assist_protocol::MAX_ID_LEN);
        for id in ["agt_support", "thr_0a1b-2c", "A9", &longest] {
            assert!(valid_id(id), "{id}");
        }
        for id in [
            "",
            "..",
            "a/b",
            "a%2Fb",
            "a b",
            "a?x=1",
            "é",
            &"x".repeat(65),
        ] {
            assert!(!valid_id(id), "{id}");
        }
    }
}
