//! The browser side of `/assist`: POST with fetch, read `Response.body` chunk by chunk into the
//! SSE decoder, and hand each decoded [`StreamEvent`] to the caller as it arrives.
//!
//! - [`session`]: the page's gateway session, shared by every panel on the page.
//! - [`stream`]: an event stream read to its end, racing Stop and an idle timer.
//! - [`error`]: everything that can end a request other than a clean `done`.
//!
//! Nothing here retries a request: a failure is reported once and the person decides.

mod error;
mod session;
mod stream;

use assist_protocol::{
    AssistRequest, ProblemDetails, StreamEvent, is_plain_id, parse_json_result, parse_problem,
};
use gloo_net::http::{Request, Response};
use std::time::Duration;
use web_sys::AbortSignal;

pub use error::TransportError;
use session::forget_session;
pub use session::{
    Role, SessionStatus, SignedIn, User, forget_sessions, session, session_status, session_token,
    sign_out,
};
pub use stream::read_event_stream;

use crate::conversation::restore::SavedThread;

/// The request header that carries the session's CSRF token, unless the host names another.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// Where the panel's requests go: the gateway's base URL (`""` for the page's own origin), the
/// agent whose copilot answers (`/agents/{id}/assist` instead of `/assist`), and the header the
/// CSRF token travels in.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub base: String,
    pub agent_id: Option<String>,
    pub csrf_header: String,
}

impl Default for Endpoint {
    fn default() -> Self {
        Self::new("")
    }
}

impl Endpoint {
    /// The gateway at `base`, the account's copilot, the default CSRF header.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            agent_id: None,
            csrf_header: CSRF_HEADER.to_owned(),
        }
    }

    /// The URL requests are posted to.
    pub fn assist_url(&self) -> String {
        match &self.agent_id {
            Some(agent) => format!("{}/api/v1/agents/{agent}/assist", self.base),
            None => format!("{}/api/v1/assist", self.base),
        }
    }
}

/// How long a stream may stay silent before the turn gives up on it. The simulator and the
/// gateway send keep-alive comments well within this.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// `GET /api/v1/assist/threads/{id}`: a thread to resume or to title (needs the session
/// cookie, no CSRF token: it changes nothing).
pub async fn get_thread(endpoint: &Endpoint, id: &str) -> Result<SavedThread, TransportError> {
    // The id came from this panel's own storage; still, only plain ids go into the path.
    if !is_plain_id(id) {
        return Err(TransportError::Http {
            status: 404,
            problem: ProblemDetails::new(404, "Not found", "Not a thread id."),
        });
    }
    let response = Request::get(&format!("{}/api/v1/assist/threads/{id}", endpoint.base))
        .send()
        .await
        .map_err(no_answer)?;
    if !response.ok() {
        return Err(http_error(response).await);
    }
    let text = response
        .text()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    SavedThread::from_json(&text).map_err(|e| TransportError::Network(e.to_string()))
}

/// A fetch that never got an answer: the browser is offline, or the gateway did not answer.
pub(crate) fn no_answer(error: gloo_net::Error) -> TransportError {
    let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
    if online {
        TransportError::Network(error.to_string())
    } else {
        TransportError::Offline
    }
}

/// POSTs one `/assist` request and feeds every event to `on_event` as it is decoded.
///
/// Returns `Ok` once a terminal event (`done` or `error`) was delivered. A JSON answer instead
/// of a stream is delivered as one `done`.
pub async fn post_assist(
    endpoint: &Endpoint,
    csrf_token: &str,
    request: &AssistRequest,
    signal: &AbortSignal,
    mut on_event: impl FnMut(StreamEvent),
) -> Result<(), TransportError> {
    let aborted_or = |e: gloo_net::Error| {
        if signal.aborted() {
            TransportError::Aborted
        } else {
            no_answer(e)
        }
    };
    let response = Request::post(&endpoint.assist_url())
        .header("Accept", "text/event-stream")
        .header(&endpoint.csrf_header, csrf_token)
        .abort_signal(Some(signal))
        .json(request)
        .map_err(|e| TransportError::Network(e.to_string()))?
        .send()
        .await
        .map_err(aborted_or)?;
    if !response.ok() {
        let error = http_error(response).await;
        // The page's session is gone or was replaced: the next request joins the session the
        // cookie names now. (A host's own token is not in the page's cache: nothing to forget.)
        if error.is_session_problem() {
            forget_session(endpoint, csrf_token);
        }
        return Err(error);
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    if content_type.starts_with("application/json") {
        let body = response.text().await.map_err(aborted_or)?;
        on_event(StreamEvent::Done(Some(parse_json_result(&body)?)));
        return Ok(());
    }
    let body = response
        .body()
        .ok_or_else(|| TransportError::Network("the response has no body".to_owned()))?;
    read_event_stream(body, signal, IDLE_TIMEOUT, on_event).await
}

async fn http_error(response: Response) -> TransportError {
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let body = response.text().await.unwrap_or_default();
    let problem = parse_problem(status, &body);
    match status {
        401 => TransportError::SessionExpired(problem),
        429 => TransportError::RateLimited {
            problem,
            retry_after,
        },
        _ => TransportError::Http { status, problem },
    }
}
