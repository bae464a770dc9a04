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
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::limits::{Refusal, StreamPermit};
use crate::{AppState, check_csrf, check_origin, session};

/// Largest request body forwarded (a message, its context and confirmed items).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The HTTP client the gateway forwards with (HTTPS to Flowyte, plain HTTP to the simulator).
pub type Upstream = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Largest response head (status line and headers) accepted from the upstream; hyper's minimum.
const MAX_UPSTREAM_HEAD_BYTES: usize = 8 * 1024;

/// The client behind every forwarded request. hyper-util's pooled client (what reqwest wraps),
/// used directly: a held stream costs one upstream connection, so its read buffer is capped
/// at hyper's minimum and nothing else (cookies, redirects, retries) is layered on.
pub fn upstream_client() -> Upstream {
    let mut http = HttpConnector::new();
    // The upstream's answer streams back as it comes; only connecting is bounded here, the
    // wait for the first byte is bounded per request.
    http.set_connect_timeout(Some(std::time::Duration::from_secs(5)));
    // Frames are small writes; Nagle would hold each one for the previous one's ACK.
    http.set_nodelay(true);
    http.enforce_http(false);
    let https = HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .http1_max_buf_size(MAX_UPSTREAM_HEAD_BYTES)
        .build(https)
}

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
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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

/// Checks origin, session, CSRF token (on POST), the session's limits and the body, then sends
/// the request upstream with the secret key. Only the content type and `Accept` of the
/// browser's request go upstream: never its `Cookie`, `Authorization` or `X-Forwarded-*`.
async fn forward(
    state: &AppState,
    headers: &HeaderMap,
    method: Method,
    path: String,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Refusal> {
    check_origin(state, headers)?;
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
    let mut authorization = HeaderValue::try_from(format!("Bearer {}", state.config.api_key))
        .map_err(|_| {
            ProblemDetails::new(
                500,
                "Gateway misconfigured",
                "The configured secret key cannot be sent in a header.",
            )
            .with_code("gateway_misconfigured")
        })?;
    authorization.set_sensitive(true);
    let mut request = axum::http::Request::builder()
        .method(method.clone())
        .uri(format!("{}{path}", state.config.upstream))
        .header(header::AUTHORIZATION, authorization)
        .header(header::ACCEPT, accept);
    if method == Method::POST {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request.body(Full::new(body)).map_err(|error| {
        tracing::error!(%error, "cannot build the upstream request");
        ProblemDetails::new(
            500,
            "Gateway misconfigured",
            "The upstream URL is not valid.",
        )
        .with_code("gateway_misconfigured")
    })?;
    let upstream =
        match tokio::time::timeout(state.config.upstream_timeout, state.client.request(request))
            .await
        {
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
                // The error names what failed (connect, TLS, a malformed answer), never the
                // headers (and logs are redacted anyway).
                tracing::warn!(error = ?error, "upstream request failed");
                let problem = if error.is_connect() {
                    ProblemDetails::new(
                        502,
                        "Bad gateway",
                        "The Flowyte control plane could not be reached.",
                    )
                    .with_code("upstream_unreachable")
                } else {
                    ProblemDetails::new(
                        502,
                        "Bad gateway",
                        "The Flowyte control plane's answer broke off or could not be read.",
                    )
                    .with_code("upstream_failed")
                };
                return Err(Refusal::from(problem));
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
fn stream_body(upstream: Response<hyper::body::Incoming>, permit: StreamPermit) -> Body {
    Body::new(upstream.into_body().map_frame(move |frame| {
        let _held = &permit;
        frame
    }))
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn only_plain_ids_pass() {
        for id in ["agt_support", "thr_0a1b-2c", "A9"] {
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
