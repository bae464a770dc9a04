//! The page's gateway session: one for every panel on the page (and every tab of the site), as
//! they share its cookie.

use gloo_net::http::{Request, RequestBuilder};
use js_sys::Promise;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{Endpoint, TransportError, http_error};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo {
    csrf_token: String,
}

/// The CSRF token of the page's gateway session at `endpoint`.
///
/// Every panel on a page (and every tab of the site) shares the session cookie, so they must
/// share the session: an existing one is joined (`GET /session`), and a new one is started
/// (`POST /session`) only when there is none. Panels asking at the same moment wait for one
/// answer rather than each starting a session that replaces the others' cookie.
pub async fn session_token(endpoint: &Endpoint) -> Result<String, TransportError> {
    let base = endpoint.base.clone();
    // Another panel may be asking: wait for its answer and look again. If it failed, the
    // entry is gone and this one asks itself.
    while let Some(known) = SESSIONS.with(|s| s.borrow().get(&base).cloned()) {
        match known {
            Session::Ready(token) => return Ok(token),
            Session::Starting(answered) => {
                let _ = JsFuture::from(answered).await;
            }
        }
    }
    let mut done = None;
    let answered = Promise::new(&mut |resolve, _| done = Some(resolve));
    SESSIONS.with(|s| {
        s.borrow_mut()
            .insert(base.clone(), Session::Starting(answered))
    });
    let url = format!("{}/session", endpoint.base);
    let result = match session_request(Request::get(&url)).await {
        Err(TransportError::SessionExpired(_)) => session_request(Request::post(&url)).await,
        other => other,
    };
    SESSIONS.with(|s| {
        let mut sessions = s.borrow_mut();
        match &result {
            Ok(token) => sessions.insert(base, Session::Ready(token.clone())),
            Err(_) => sessions.remove(&base),
        }
    });
    if let Some(done) = done {
        let _ = done.call0(&JsValue::NULL);
    }
    result
}

/// Forgets every session token the page holds (a host that signs the person out; tests).
pub fn forget_sessions() {
    SESSIONS.with(|s| s.borrow_mut().clear());
}

/// Forgets the page's session token at `endpoint` if it is still `token` (the gateway said the
/// session expired, or that the token is not its session's: another tab started a new one).
/// The next request joins whatever session the cookie now names.
pub(super) fn forget_session(endpoint: &Endpoint, token: &str) {
    SESSIONS.with(|s| {
        let mut sessions = s.borrow_mut();
        if matches!(sessions.get(&endpoint.base), Some(Session::Ready(t)) if t == token) {
            sessions.remove(&endpoint.base);
        }
    });
}

#[derive(Clone)]
enum Session {
    Ready(String),
    Starting(Promise),
}

thread_local! {
    static SESSIONS: std::cell::RefCell<std::collections::HashMap<String, Session>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// `GET /session` joins the session the cookie names (401 when there is none); `POST /session`
/// starts one (development sign-in). Either answers with the session's CSRF token.
async fn session_request(request: RequestBuilder) -> Result<String, TransportError> {
    let response = request
        .send()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(http_error(response).await);
    }
    let info: SessionInfo = response
        .json()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    Ok(info.csrf_token)
}
