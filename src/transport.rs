//! The browser side of `/assist`: POST with fetch, read `Response.body` chunk by chunk into the
//! SSE decoder, and hand each decoded [`StreamEvent`] to the caller as it arrives.
//!
//! Nothing here retries a request: a failure is reported once and the person decides.

use assist_protocol::{
    AssistRequest, ProblemDetails, StreamEvent, is_plain_id, parse_json_result, parse_problem, sse,
};
use gloo_net::http::{Request, Response};
use std::time::Duration;

use js_sys::{Promise, Reflect, Uint8Array};
use serde::Deserialize;
use thiserror::Error;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultReader};

use crate::conversation::TurnError;

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

/// Everything that can end a request other than a clean `done`.
#[derive(Debug, Error)]
pub enum TransportError {
    /// fetch rejected or the body could not be read: the network, not the server.
    #[error("network error: {0}")]
    Network(String),
    /// The gateway says the session is gone (401).
    #[error("session expired")]
    SessionExpired(ProblemDetails),
    /// Too many requests (429), with `Retry-After` when the server sent it.
    #[error("rate limited")]
    RateLimited {
        problem: ProblemDetails,
        retry_after: Option<String>,
    },
    /// Any other HTTP error, with its problem details (or envelope errors).
    #[error("HTTP {status}")]
    Http {
        status: u16,
        problem: ProblemDetails,
    },
    /// A frame whose data is not the JSON its event needs.
    #[error(transparent)]
    BadFrame(#[from] assist_protocol::WireError),
    /// A frame over the decoder's size limit.
    #[error(transparent)]
    FrameTooLarge(#[from] sse::FrameTooLarge),
    /// The body ended without `done` or `error`.
    #[error("the stream ended before the copilot finished")]
    Interrupted,
    /// No bytes arrived for this long (keep-alive comments count).
    #[error("no data for {0:?}")]
    IdleTimeout(Duration),
    /// The person stopped the request (AbortController).
    #[error("stopped")]
    Aborted,
}

impl TransportError {
    /// Whether the server saw and accepted the request before this happened (the stream had
    /// started). Before that point the person's message can safely go back into the textbox.
    pub fn before_acceptance(&self) -> bool {
        matches!(
            self,
            Self::Network(_)
                | Self::SessionExpired(_)
                | Self::RateLimited { .. }
                | Self::Http { .. }
        )
    }

    /// Whether the gateway refused the request for its session: expired, or a CSRF token
    /// that is not the session's (another tab started a new one). Nothing reached the copilot.
    pub fn is_session_problem(&self) -> bool {
        match self {
            Self::SessionExpired(_) => true,
            Self::Http {
                status: 403,
                problem,
            } => problem.code.as_deref() == Some("csrf_token_invalid"),
            _ => false,
        }
    }

    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::SessionExpired(_) => Some(401),
            Self::RateLimited { .. } => Some(429),
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What the person sees.
    pub fn to_turn_error(&self) -> TurnError {
        match self {
            Self::Network(detail) => TurnError::new(
                "Could not reach the copilot",
                Some(format!(
                    "Check your connection, then send again. ({detail})"
                )),
            ),
            Self::SessionExpired(_) => TurnError::new(
                "Your session has expired",
                Some("Sign in again, then send your message again.".to_owned()),
            ),
            Self::RateLimited {
                problem,
                retry_after,
            } => {
                let mut error = TurnError::from_problem(problem);
                error.title = "Too many requests".to_owned();
                if let Some(after) = retry_after {
                    error.detail = Some(format!("Try again in {after} seconds."));
                }
                error
            }
            Self::Http { .. } if self.is_session_problem() => TurnError::new(
                "Your session changed",
                Some(
                    "It was replaced, perhaps by signing in again in another tab. Nothing was sent \
                     to the copilot: send your message again."
                        .to_owned(),
                ),
            ),
            Self::Http { problem, .. } => TurnError::from_problem(problem),
            Self::BadFrame(e) => TurnError::new(
                "The copilot sent a reply the panel cannot read",
                Some(e.to_string()),
            ),
            Self::FrameTooLarge(e) => TurnError::new(
                "The copilot sent a reply the panel cannot read",
                Some(e.to_string()),
            ),
            Self::Interrupted => TurnError::new("The reply was interrupted", None),
            Self::IdleTimeout(idle) => TurnError::new(
                "The copilot stopped responding",
                Some(format!(
                    "Nothing arrived for {} seconds. What arrived is kept; nothing was sent again.",
                    idle.as_secs()
                )),
            ),
            Self::Aborted => TurnError::new("Stopped", None),
        }
    }
}

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
    let result = match join_session(endpoint).await {
        Err(TransportError::SessionExpired(_)) => start_session(endpoint).await,
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
fn forget_session(endpoint: &Endpoint, token: &str) {
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

/// `GET /session`: the CSRF token of the session the cookie names (401 when there is none).
async fn join_session(endpoint: &Endpoint) -> Result<String, TransportError> {
    let response = Request::get(&format!("{}/session", endpoint.base))
        .send()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    session_info(response).await
}

async fn session_info(response: Response) -> Result<String, TransportError> {
    if !response.ok() {
        return Err(http_error(response).await);
    }
    let info: SessionInfo = response
        .json()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    Ok(info.csrf_token)
}

/// Starts a gateway session (development sign-in) and returns its CSRF token.
async fn start_session(endpoint: &Endpoint) -> Result<String, TransportError> {
    let response = Request::post(&format!("{}/session", endpoint.base))
        .send()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    session_info(response).await
}

/// `GET /api/v1/assist/threads/{id}`: a thread to resume (needs the session cookie, no CSRF
/// token: it changes nothing).
pub async fn get_thread(
    endpoint: &Endpoint,
    id: &str,
) -> Result<assist_protocol::AssistThread, TransportError> {
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
        .map_err(|e| TransportError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(http_error(response).await);
    }
    response
        .json()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))
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
            TransportError::Network(e.to_string())
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

/// Reads an event stream to its end, delivering events as each chunk completes them. Stops
/// reading after a terminal event; a body that ends before one is [`TransportError::Interrupted`].
///
/// Every read races the abort signal and an idle timer: no bytes for `idle` (keep-alive
/// comments count as bytes) is [`TransportError::IdleTimeout`]; an abort ends the read at once
/// even for a body that fetch's own signal does not govern.
pub async fn read_event_stream(
    body: ReadableStream,
    signal: &AbortSignal,
    idle: Duration,
    mut on_event: impl FnMut(StreamEvent),
) -> Result<(), TransportError> {
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let aborted = AbortWatch::new(signal);
    let mut decoder = sse::Decoder::new();
    // One buffer for every chunk: each read is copied into it, not into a new Vec.
    let mut chunk = Vec::new();
    let outcome = loop {
        match next_chunk(&reader, &aborted.promise, idle, &mut chunk).await {
            Ok(true) => {}
            Ok(false) => {
                decoder.finish();
                break Err(TransportError::Interrupted);
            }
            Err(error) => break Err(error),
        }
        // Events after a terminal or broken one in the same chunk are not delivered.
        let mut failure = None;
        let mut terminal = false;
        let fed = decoder.feed_with(&chunk, |event| {
            if terminal || failure.is_some() {
                return;
            }
            match StreamEvent::from_sse(event) {
                Ok(event) => {
                    terminal = matches!(event, StreamEvent::Done(_) | StreamEvent::Error(_));
                    on_event(event);
                }
                Err(error) => failure = Some(TransportError::from(error)),
            }
        });
        if let Err(error) = fed {
            break Err(error.into());
        }
        if let Some(error) = failure {
            break Err(error);
        }
        if terminal {
            break Ok(());
        }
    };
    finish(&reader, outcome)
}

/// Lets the connection go (the turn is over either way) and passes the outcome on.
fn finish(
    reader: &ReadableStreamDefaultReader,
    outcome: Result<(), TransportError>,
) -> Result<(), TransportError> {
    let _ = reader.cancel();
    outcome
}

const ABORTED: &str = "aborted";
const IDLE: &str = "idle";

/// A promise that resolves to [`ABORTED`] when `signal` aborts (at once if it already has).
/// The listener is removed when this is dropped, so nothing outlives the stream.
struct AbortWatch {
    promise: Promise,
    signal: AbortSignal,
    on_abort: Option<Closure<dyn FnMut()>>,
}

impl AbortWatch {
    fn new(signal: &AbortSignal) -> Self {
        let mut on_abort = None;
        let promise = Promise::new(&mut |resolve, _reject| {
            if signal.aborted() {
                let _ = resolve.call1(&JsValue::NULL, &ABORTED.into());
                return;
            }
            let callback = Closure::once(move || {
                let _ = resolve.call1(&JsValue::NULL, &ABORTED.into());
            });
            let _ =
                signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
            on_abort = Some(callback);
        });
        Self {
            promise,
            signal: signal.clone(),
            on_abort,
        }
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if let Some(callback) = self.on_abort.take() {
            let _ = self
                .signal
                .remove_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        }
    }
}

/// Reads the next chunk of `reader` into `buffer` (`Ok(true)`), or the end (`Ok(false)`), or
/// the abort, or the idle timer, whichever comes first.
///
/// The timer's callback is an owned `Closure` dropped after the race: a callback handed to JS
/// with `once_into_js` and never called (a cleared timer) would leak, once per chunk.
async fn next_chunk(
    reader: &ReadableStreamDefaultReader,
    aborted: &Promise,
    idle: Duration,
    buffer: &mut Vec<u8>,
) -> Result<bool, TransportError> {
    let window = web_sys::window().expect("a window");
    let mut timer = None;
    let mut on_idle = None;
    let idle_timer = Promise::new(&mut |resolve, _reject| {
        let ms = i32::try_from(idle.as_millis()).unwrap_or(i32::MAX);
        let callback = Closure::once(move || {
            let _ = resolve.call1(&JsValue::NULL, &IDLE.into());
        });
        timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms,
            )
            .ok();
        on_idle = Some(callback);
    });
    let race = Promise::race(&js_sys::Array::of3(&reader.read(), aborted, &idle_timer));
    let result = JsFuture::from(race).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    drop(on_idle);
    let chunk = result.map_err(|e| TransportError::Network(js_message(&e)))?;
    match chunk.as_string().as_deref() {
        Some(ABORTED) => return Err(TransportError::Aborted),
        Some(IDLE) => return Err(TransportError::IdleTimeout(idle)),
        _ => {}
    }
    if Reflect::get(&chunk, &"done".into())
        .ok()
        .and_then(|d| d.as_bool())
        .unwrap_or(true)
    {
        return Ok(false);
    }
    let value: Uint8Array = Reflect::get(&chunk, &"value".into())
        .map_err(|e| TransportError::Network(js_message(&e)))?
        .unchecked_into();
    buffer.resize(value.length() as usize, 0);
    value.copy_to(buffer);
    Ok(true)
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

fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
