//! Browser sessions: `POST /session` binds a cookie to the configured secret key and hands the
//! page a CSRF token; `GET /session` reports it; `DELETE /session` ends it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// One browser session.
#[derive(Clone, Debug)]
pub struct Session {
    /// The cookie value: the key of this session's state here and in the limits.
    pub id: String,
    pub csrf: String,
    created: Instant,
    last_seen: Instant,
    expires_at_unix: u64,
}

/// In-memory sessions with idle and absolute expiry.
#[derive(Debug)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Session>>,
    idle: Duration,
    absolute: Duration,
}

impl SessionStore {
    pub fn new(idle: Duration, absolute: Duration) -> Self {
        Self {
            sessions: Mutex::default(),
            idle,
            absolute,
        }
    }

    /// Starts a session and returns its id.
    pub fn create(&self) -> (String, Session) {
        let now = Instant::now();
        let id = random_token();
        let session = Session {
            id: id.clone(),
            csrf: random_token(),
            created: now,
            last_seen: now,
            expires_at_unix: unix_now() + self.absolute.as_secs(),
        };
        let mut sessions = self.sessions.lock().expect("session lock");
        // Expired sessions are dropped whenever a new one starts, so memory stays bounded by
        // the sessions alive in the last idle window.
        sessions.retain(|_, s| self.alive(s, now));
        sessions.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session with this id, touched; `None` when unknown or expired.
    pub fn get(&self, id: &str) -> Option<Session> {
        let now = Instant::now();
        let mut sessions = self.sessions.lock().expect("session lock");
        match sessions.get_mut(id) {
            Some(s) if self.alive(s, now) => {
                s.last_seen = now;
                Some(s.clone())
            }
            Some(_) => {
                sessions.remove(id);
                None
            }
            None => None,
        }
    }

    pub fn remove(&self, id: &str) {
        self.sessions.lock().expect("session lock").remove(id);
    }

    fn alive(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.last_seen) < self.idle && now.duration_since(s.created) < self.absolute
    }
}

/// 256 bits from the OS, hex-encoded.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The session cookie's value, if the request carries one.
pub fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// The live session of this request, or 401 problem+json (never a redirect).
pub fn require(state: &AppState, headers: &HeaderMap) -> Result<Session, ProblemDetails> {
    cookie_value(headers)
        .and_then(|id| state.sessions.get(id))
        .ok_or_else(|| {
            ProblemDetails::new(
                401,
                "Session expired",
                "Sign in again to keep using the copilot.",
            )
            .with_code("session_expired")
        })
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

async fn create_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(problem) = crate::check_origin(&state, &headers) {
        return problem.into_response();
    }
    let (id, session) = state.sessions.create();
    let secure = if state.config.dev_http {
        ""
    } else {
        "; Secure"
    };
    let max_age = state.config.session_absolute.as_secs();
    let cookie =
        format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}");
    let mut response = (
        StatusCode::CREATED,
        Json(SessionInfo {
            csrf_token: session.csrf,
            expires_at: session.expires_at_unix,
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

async fn get_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match require(&state, &headers) {
        Ok(session) => Json(SessionInfo {
            csrf_token: session.csrf,
            expires_at: session.expires_at_unix,
        })
        .into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn end_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match require(&state, &headers) {
        Ok(session) => session,
        Err(problem) => return problem.into_response(),
    };
    if let Err(problem) = crate::check_csrf(&session, &headers) {
        return problem.into_response();
    }
    if let Some(id) = cookie_value(&headers) {
        state.sessions.remove(id);
    }
    let expired = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle() {
        let store = SessionStore::new(Duration::from_millis(30), Duration::from_secs(60));
        let (id, session) = store.create();
        assert_eq!(store.get(&id).unwrap().csrf, session.csrf);
        std::thread::sleep(Duration::from_millis(60));
        assert!(store.get(&id).is_none());
    }

    #[test]
    fn tokens_are_256_bit_and_unique() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

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
