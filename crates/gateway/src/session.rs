//! Browser sessions: `POST /session` binds a cookie to the configured secret key and hands the
//! page a CSRF token; `GET /session` reports it; `DELETE /session` ends it.

use assist_protocol::ProblemDetails;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

use crate::AppState;

/// Name of the session cookie.
pub const COOKIE: &str = "flowyte_session";
/// Header that carries the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub use crate::store::{Session, SessionStore};

/// The session cookie's value, if the request carries one.
pub fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// The live session of this request, or 401 problem+json (never a redirect); 503 when the
/// session store cannot be reached.
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<Session, ProblemDetails> {
    let session = match cookie_value(headers) {
        Some(id) => state.sessions.get(id).await.map_err(store_down)?,
        None => None,
    };
    session.ok_or_else(|| {
        ProblemDetails::new(
            401,
            "Session expired",
            "Sign in again to keep using the copilot.",
        )
        .with_code("session_expired")
    })
}

/// The store's error, logged, as 503 problem+json.
fn store_down(error: crate::store::StoreError) -> ProblemDetails {
    tracing::error!(%error, "session store unavailable");
    ProblemDetails::new(
        503,
        "Service unavailable",
        "Sessions cannot be checked right now; try again shortly.",
    )
    .with_code("session_store_unavailable")
}

/// Compares without an early exit, so timing does not reveal how much of a token matched.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo {
    csrf_token: String,
    expires_at: u64,
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/session",
        post(create_session).get(get_session).delete(end_session),
    )
}

async fn create_session(State(state): State<AppState>) -> Response {
    let session = match state.sessions.create().await {
        Ok(session) => session,
        Err(error) => return store_down(error).into_response(),
    };
    let cookie = session_cookie(&state, &session.id, state.config.session_absolute.as_secs());
    let mut response = (
        StatusCode::CREATED,
        Json(SessionInfo {
            expires_at: state.sessions.expires_at(&session),
            csrf_token: session.csrf,
        }),
    )
        .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The session cookie's `Set-Cookie` value: set and cleared with the same attributes, so
/// clearing replaces the cookie that was set. `Secure` unless the gateway runs for plain-HTTP
/// development.
fn session_cookie(state: &AppState, value: &str, max_age: u64) -> String {
    let secure = if state.config.dev_http {
        ""
    } else {
        "; Secure"
    };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

async fn get_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match require(&state, &headers).await {
        Ok(session) => Json(SessionInfo {
            expires_at: state.sessions.expires_at(&session),
            csrf_token: session.csrf,
        })
        .into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn end_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match require(&state, &headers).await {
        Ok(session) => session,
        Err(problem) => return problem.into_response(),
    };
    if let Err(problem) = crate::check_csrf(&session, &headers) {
        return problem.into_response();
    }
    if let Err(error) = state.sessions.remove(&session.id).await {
        return store_down(error).into_response();
    }
    let expired = session_cookie(&state, "", 0);
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; flowyte_session=abc; b=2"),
        );
        assert_eq!(cookie_value(&headers), Some("abc"));
        assert!(
            tokens_match("abc", "abc") && !tokens_match("abc", "abd") && !tokens_match("a", "ab")
        );
    }
}
