//! The page's gateway session: one for every panel on the page (and every tab of the site), as
//! they share its cookie.
//!
//! `GET {base}/session` says who is signed in (their name, their role, the CSRF token), or,
//! signed out, how to sign in: at the identity provider (`login`, a path on the gateway, which
//! the panel offers as a link and never follows by itself) or with development sign-in
//! (`POST {base}/session`, which the panel does by itself). A gateway from before sign-in
//! answered 401 when signed out and always allowed `POST /session`; that still works.

use gloo_net::http::{Request, RequestBuilder};
use js_sys::Promise;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{Endpoint, TransportError, http_error};

/// Who a session belongs to, as the gateway names them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl User {
    /// The name people read: the name, else the address, else the subject.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.email.as_deref())
            .unwrap_or(&self.sub)
    }
}

/// What a session may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Asks and reads; approvals are refused.
    Viewer,
    /// Also approves (a gateway from before roles: everyone).
    #[default]
    Approver,
}

/// A session the page holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub csrf_token: String,
    pub user: Option<User>,
    pub role: Role,
}

/// What `GET /session` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    SignedIn(SignedIn),
    /// Nobody is signed in. `login`: the provider's sign-in, as a URL for a link (with the
    /// panel's base); `dev_sign_in`: the panel may start a session itself.
    SignedOut {
        login: Option<String>,
        dev_sign_in: bool,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    /// Absent from a gateway from before sign-in, which answered only when signed in.
    #[serde(default = "yes")]
    signed_in: bool,
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default)]
    user: Option<User>,
    #[serde(default)]
    role: Role,
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    dev_sign_in: bool,
}

fn yes() -> bool {
    true
}

/// `GET /session`: who is signed in, or how to sign in. Starts nothing.
pub async fn session_status(endpoint: &Endpoint) -> Result<SessionStatus, TransportError> {
    let url = format!("{}/session", endpoint.base);
    match session_request(endpoint, Request::get(&url)).await {
        // A gateway from before sign-in: 401 when nobody is, and development sign-in.
        Err(TransportError::SessionExpired(_)) => Ok(SessionStatus::SignedOut {
            login: None,
            dev_sign_in: true,
        }),
        other => other,
    }
}

/// The page's gateway session at `endpoint`: joined, or started with development sign-in.
///
/// Every panel on a page (and every tab of the site) shares the session cookie, so they must
/// share the session: an existing one is joined (`GET /session`), and a new one is started
/// (`POST /session`) only when there is none and the gateway allows it. Panels asking at the
/// same moment wait for one answer rather than each starting a session that replaces the
/// others' cookie. Signed out with an identity provider: [`TransportError::SignInRequired`].
pub async fn session(endpoint: &Endpoint) -> Result<SignedIn, TransportError> {
    let base = endpoint.base.clone();
    // Another panel may be asking: wait for its answer and look again. If it failed, the
    // entry is gone and this one asks itself.
    while let Some(known) = SESSIONS.with(|s| s.borrow().get(&base).cloned()) {
        match known {
            Session::Ready(session) => return Ok(session),
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
    let result = match session_status(endpoint).await {
        Ok(SessionStatus::SignedIn(session)) => Ok(session),
        Ok(SessionStatus::SignedOut {
            dev_sign_in: true, ..
        }) => {
            let url = format!("{}/session", endpoint.base);
            match session_request(endpoint, Request::post(&url)).await {
                Ok(SessionStatus::SignedIn(session)) => Ok(session),
                Ok(SessionStatus::SignedOut { login, .. }) => Err(sign_in_required(login)),
                Err(error) => Err(error),
            }
        }
        Ok(SessionStatus::SignedOut { login, .. }) => Err(sign_in_required(login)),
        Err(error) => Err(error),
    };
    SESSIONS.with(|s| {
        let mut sessions = s.borrow_mut();
        match &result {
            Ok(session) => sessions.insert(base, Session::Ready(session.clone())),
            Err(_) => sessions.remove(&base),
        }
    });
    if let Some(done) = done {
        let _ = done.call0(&JsValue::NULL);
    }
    result
}

/// The CSRF token of the page's gateway session (see [`session`]).
pub async fn session_token(endpoint: &Endpoint) -> Result<String, TransportError> {
    session(endpoint).await.map(|s| s.csrf_token)
}

fn sign_in_required(login: Option<String>) -> TransportError {
    TransportError::SignInRequired { login }
}

/// `POST /logout`: ends the session (here and, when the gateway has an identity provider,
/// there too) and answers where to send the browser next.
pub async fn sign_out(endpoint: &Endpoint, csrf_token: &str) -> Result<String, TransportError> {
    #[derive(Deserialize)]
    struct Out {
        redirect: Option<String>,
    }
    let response = Request::post(&format!("{}/logout", endpoint.base))
        .header(&endpoint.csrf_header, csrf_token)
        .send()
        .await
        .map_err(super::no_answer)?;
    forget_sessions();
    if !response.ok() {
        return Err(http_error(response).await);
    }
    let out: Out = response
        .json()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    Ok(out.redirect.unwrap_or_else(|| "/".to_owned()))
}

/// Forgets every session the page holds (a sign-out, a host that signs the person out; tests).
pub fn forget_sessions() {
    SESSIONS.with(|s| s.borrow_mut().clear());
}

/// Forgets the page's session at `endpoint` if its token is still `token` (the gateway said
/// the session expired, or that the token is not its session's: another tab started a new one).
/// The next request joins whatever session the cookie now names.
pub(super) fn forget_session(endpoint: &Endpoint, token: &str) {
    SESSIONS.with(|s| {
        let mut sessions = s.borrow_mut();
        if matches!(sessions.get(&endpoint.base), Some(Session::Ready(t)) if t.csrf_token == token)
        {
            sessions.remove(&endpoint.base);
        }
    });
}

#[derive(Clone)]
enum Session {
    Ready(SignedIn),
    Starting(Promise),
}

thread_local! {
    static SESSIONS: std::cell::RefCell<std::collections::HashMap<String, Session>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Sends a `/session` request and reads its answer.
async fn session_request(
    endpoint: &Endpoint,
    request: RequestBuilder,
) -> Result<SessionStatus, TransportError> {
    let response = request.send().await.map_err(super::no_answer)?;
    if !response.ok() {
        return Err(http_error(response).await);
    }
    let answer: Answer = response
        .json()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    Ok(match (answer.signed_in, answer.csrf_token) {
        (true, Some(csrf_token)) => SessionStatus::SignedIn(SignedIn {
            csrf_token,
            user: answer.user,
            role: answer.role,
        }),
        _ => SessionStatus::SignedOut {
            login: answer.login.map(|path| format!("{}{path}", endpoint.base)),
            dev_sign_in: answer.dev_sign_in,
        },
    })
}
