//! Browser sessions: the cookie, the CSRF token, and `/session`.
//!
//! - `GET /session`: who is signed in, their role, the CSRF token and when the session ends;
//!   signed out, how to sign in (`200 {"signedIn": false, "login": …, "devSignIn": …}`: being
//!   signed out is an ordinary answer, not an error a browser logs in red).
//! - `POST /session`: development sign-in (only with `--dev-sign-in`): a session for a fixed
//!   developer, no credentials asked.
//! - `DELETE /session`: ends the session here (not at the provider; `POST /logout` does both).
//!
//! The cookie is `HttpOnly; SameSite=Strict; Path=/`, and outside plain-HTTP development also
//! `Secure` with the `__Host-` prefix (so no subdomain can set or shadow it). Every answer of
//! these routes carries `Cache-Control: no-store`.

use assist_protocol::ProblemDetails;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

use crate::AppState;
use crate::config::DevSignIn;
use crate::guard::check_csrf;

/// Header that carries the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub use crate::store::{Session, SessionStore};

/// The session cookie's name: `__Host-` prefixed unless plain-HTTP development.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.dev_http {
        "flowyte_session"
    } else {
        "__Host-flowyte_session"
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// A `Set-Cookie` value with this gateway's attributes: set and cleared alike, so clearing
/// replaces the cookie that was set. `Secure` unless plain-HTTP development.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: u64,
    same_site: &str,
) -> HeaderValue {
    let secure = if state.config.dev_http {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite={same_site}; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("cookies are ASCII")
}

/// The session cookie for `session`, or the one that clears it.
pub fn session_cookie(state: &AppState, session: Option<&Session>) -> HeaderValue {
    match session {
        Some(s) => set_cookie(
            state,
            cookie_name(state),
            &s.id,
            state.config.session_absolute.as_secs(),
            "Strict",
        ),
        None => set_cookie(state, cookie_name(state), "", 0, "Strict"),
    }
}

/// `Cache-Control: no-store` on an answer.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The live session of this request, or 401 problem+json (never a redirect); 503 when the
/// session store cannot be reached.
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<Session, ProblemDetails> {
    let session = match cookie(headers, cookie_name(state)) {
        Some(id) => state.sessions.get(id).await.map_err(store_down)?,
        None => None,
    };
    session.ok_or_else(|| {
        ProblemDetails::new(401, "Signed out", "Sign in to keep using the copilot.")
            .with_code("session_expired")
    })
}

/// The store's error, logged, as 503 problem+json.
pub fn store_down(error: crate::store::StoreError) -> ProblemDetails {
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
struct User {
    sub: String,
    name: Option<String>,
    email: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo {
    signed_in: bool,
    user: User,
    role: &'static str,
    csrf_token: String,
    expires_at: u64,
}

fn info(state: &AppState, session: Session) -> SessionInfo {
    SessionInfo {
        signed_in: true,
        expires_at: state.sessions.expires_at(&session),
        role: session.grant.role.as_str(),
        user: User {
            sub: session.person.sub,
            name: session.person.name,
            email: session.person.email,
        },
        csrf_token: session.csrf,
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/session",
        post(create_session).get(get_session).delete(end_session),
    )
}

/// Starts a session for `person` with `grant` (ending the person's oldest beyond the bound
/// and cutting their replies), and answers with its cookie.
pub async fn start(
    state: &AppState,
    person: crate::policy::Person,
    grant: crate::policy::Grant,
    provider_sid: Option<String>,
    id_token: Option<String>,
) -> Result<(Session, HeaderValue), ProblemDetails> {
    let (session, ended) = state
        .sessions
        .create(person, grant, provider_sid, id_token)
        .await
        .map_err(store_down)?;
    state.streams.cut(&ended).await;
    let cookie = session_cookie(state, Some(&session));
    tracing::info!(
        sub = %session.person.sub,
        session = %session.hashed_id(),
        role = session.grant.role.as_str(),
        ended = ended.len(),
        "session started"
    );
    Ok((session, cookie))
}

async fn create_session(State(state): State<AppState>) -> Response {
    let Some(dev) = state.config.dev_sign_in.clone() else {
        return no_store(
            ProblemDetails::new(
                404,
                "Not found",
                "Sign in with your identity provider: GET /login.",
            )
            .with_code("not_found")
            .into_response(),
        );
    };
    let result = start(&state, DevSignIn::person(), dev.grant(), None, None).await;
    no_store(match result {
        Ok((session, cookie)) => (
            StatusCode::CREATED,
            [(header::SET_COOKIE, cookie)],
            Json(info(&state, session)),
        )
            .into_response(),
        Err(problem) => problem.into_response(),
    })
}

/// How a signed-out browser can sign in: at the provider (`login`, a path on the gateway), or
/// with development sign-in (`POST /session`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedOut {
    signed_in: bool,
    login: Option<&'static str>,
    dev_sign_in: bool,
}

async fn get_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    no_store(match require(&state, &headers).await {
        Ok(session) => Json(info(&state, session)).into_response(),
        Err(problem) if problem.status == Some(401) => Json(SignedOut {
            signed_in: false,
            login: state.oidc.as_ref().map(|_| "/login"),
            dev_sign_in: state.config.dev_sign_in.is_some(),
        })
        .into_response(),
        Err(problem) => problem.into_response(),
    })
}

/// Ends the session this request carries and cuts its replies; the cookie that clears it.
pub async fn end(state: &AppState, session: &Session) -> Result<HeaderValue, ProblemDetails> {
    state
        .sessions
        .remove(&session.id)
        .await
        .map_err(store_down)?;
    state.streams.cut(std::slice::from_ref(session)).await;
    Ok(session_cookie(state, None))
}

async fn end_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let session = require(&state, &headers).await?;
        check_csrf(&session, &headers)?;
        end(&state, &session).await
    }
    .await;
    no_store(match result {
        Ok(cleared) => (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response(),
        Err(problem) => problem.into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-flowyte_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, "__Host-flowyte_session"), Some("abc"));
        assert_eq!(cookie(&headers, "flowyte_session"), None);
        assert!(
            tokens_match("abc", "abc") && !tokens_match("abc", "abd") && !tokens_match("a", "ab")
        );
    }
}
