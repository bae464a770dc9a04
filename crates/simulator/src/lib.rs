//! A local stand-in for the Flowyte control plane (ARCHITECTURE §4), so the panel runs and is
//! tested on a machine with no network.
//!
//! - `POST /api/v1/assist`, `POST /api/v1/agents/{id}/assist`, `GET /api/v1/assist/threads/{id}`
//!   with bearer keys and scopes ([`ApiKey`]), problem+json errors.
//! - A deterministic copilot ([`copilot`]) over a seeded account ([`account`]); destructive
//!   actions are proposed, and run only when confirmed field for field ([`threads`]).
//! - An admin API on the same port for tests ([`faults`]): `/__sim/faults`, `/__sim/requests`,
//!   `/__sim/account`, `/__sim/reset`. The gateway never forwards these paths.
//!
//! The crate README lists the requests the copilot understands and the fault API.

pub mod account;
pub mod copilot;
pub mod faults;
pub mod ops;
pub mod threads;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use assist_protocol::{
    AssistResult, Delta, Envelope, FieldError, PendingConfirmation, ProblemDetails, Progress,
    StepStatus, StreamEvent,
};
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::account::{Account, rfc3339};
use crate::copilot::{Request, Scopes};
use crate::faults::{Fault, FaultQueue, Injection, LoggedRequest, Planned, Route, Script};
use crate::threads::{Message, Proposal, Thread};

/// The development key every local setup uses; it holds every scope. It is fake by design: it
/// only opens this simulator.
pub const DEV_KEY: &str = "flowyte_sk_test_local_development_key";
/// A key holding only the `…:read` scopes (no `agents:write`, so `/assist` answers 403).
pub const READ_ONLY_KEY: &str = "flowyte_sk_test_read_only_key";

/// Longest message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// A secret key and the scopes it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKey {
    pub key: String,
    pub scopes: Scopes,
}

impl ApiKey {
    /// A key with every scope.
    pub fn all_scopes(key: impl Into<String>) -> Self {
        Self::with_scopes(key, ops::ALL_SCOPES.iter().copied())
    }

    pub fn with_scopes<'a>(
        key: impl Into<String>,
        scopes: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self {
            key: key.into(),
            scopes: Scopes(scopes.into_iter().map(str::to_owned).collect()),
        }
    }

    /// Parses `KEY` (every scope) or `KEY=scope,scope`, the `--key` flag's form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, scopes) = match text.split_once('=') {
            Some((key, scopes)) => (key, Some(scopes)),
            None => (text, None),
        };
        if !key.starts_with("flowyte_sk_") {
            return Err("a secret key starts with flowyte_sk_".to_owned());
        }
        Ok(match scopes {
            Some(scopes) => Self::with_scopes(
                key,
                scopes.split(',').map(str::trim).filter(|s| !s.is_empty()),
            ),
            None => Self::all_scopes(key),
        })
    }
}

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Secret keys accepted in `Authorization: Bearer …`.
    pub keys: Vec<ApiKey>,
    /// Pause between two frames of a stream.
    pub pace: Duration,
    /// While a stream is idle this long, a `: keep-alive` comment is sent.
    pub keep_alive: Duration,
    /// Load the account and threads from this JSON file (seeding it when missing) and save
    /// them after every change.
    pub state_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keys: vec![
                ApiKey::all_scopes(DEV_KEY),
                ApiKey::with_scopes(
                    READ_ONLY_KEY,
                    ops::ALL_SCOPES
                        .iter()
                        .copied()
                        .filter(|s| s.ends_with(":read")),
                ),
            ],
            pace: Duration::from_millis(60),
            keep_alive: Duration::from_secs(15),
            state_file: None,
        }
    }
}

/// Counters that tests read to see what the upstream really did.
#[derive(Debug, Default)]
pub struct Stats {
    /// Streams whose first frame was queued.
    pub streams_started: AtomicUsize,
    /// Streams whose last frame was queued.
    pub streams_finished: AtomicUsize,
}

/// What `--state` keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub account: Account,
    pub threads: HashMap<String, Thread>,
}

#[derive(Debug)]
struct Sim {
    saved: Saved,
    faults: FaultQueue,
    log: Vec<LoggedRequest>,
}

/// Shared state of one simulator.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stats: Arc<Stats>,
    sim: Arc<Mutex<Sim>>,
    save_lock: Arc<tokio::sync::Mutex<()>>,
}

/// The state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a simulator state file: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl AppState {
    /// A simulator with a freshly seeded account, or the state file's.
    ///
    /// # Panics
    /// When `config.state_file` names a file that cannot be read; use [`AppState::load`] to
    /// handle that.
    pub fn new(config: Config) -> Self {
        Self::load(config).expect("the simulator state loads")
    }

    /// Like [`AppState::new`], reporting a state file that cannot be used.
    pub fn load(config: Config) -> Result<Self, StateError> {
        let saved = match &config.state_file {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => {
                    serde_json::from_slice(&bytes).map_err(|source| StateError::Parse {
                        path: path.clone(),
                        source,
                    })?
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let saved = seeded();
                    write_state(path, &saved)?;
                    saved
                }
                Err(source) => {
                    return Err(StateError::Read {
                        path: path.clone(),
                        source,
                    });
                }
            },
            None => seeded(),
        };
        Ok(Self {
            config: Arc::new(config),
            stats: Arc::default(),
            sim: Arc::new(Mutex::new(Sim {
                saved,
                faults: FaultQueue::default(),
                log: Vec::new(),
            })),
            save_lock: Arc::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Sim> {
        // A panic while holding the lock leaves plain data; keep serving.
        self.sim.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the account as it is now.
    pub fn account(&self) -> Account {
        self.lock().saved.account.clone()
    }

    /// Queues a fault (as `POST /__sim/faults` does).
    pub fn inject(&self, injection: Injection) {
        self.lock().faults.push(injection);
    }

    /// The requests received so far (as `GET /__sim/requests` shows them).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.clone()
    }

    /// Saves to the state file, if any. Saves are serialised so an older snapshot never
    /// overwrites a newer one.
    async fn persist(&self) {
        let Some(path) = self.config.state_file.clone() else {
            return;
        };
        let _order = self.save_lock.lock().await;
        let saved = self.lock().saved.clone();
        let result = tokio::task::spawn_blocking(move || write_state(&path, &saved)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "state not saved"),
            Err(error) => tracing::error!(%error, "state not saved"),
        }
    }

    fn log(&self, method: &Method, uri: &Uri, body: &[u8], status: StatusCode) {
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        let mut sim = self.lock();
        let seq = sim.log.len() as u64 + 1;
        sim.log.push(LoggedRequest {
            seq,
            method: method.to_string(),
            path: uri.path().to_owned(),
            body,
            status: status.as_u16(),
        });
    }
}

fn seeded() -> Saved {
    Saved {
        account: Account::seeded(OffsetDateTime::now_utc()),
        threads: HashMap::new(),
    }
}

fn write_state(path: &Path, saved: &Saved) -> Result<(), StateError> {
    let write = |source| StateError::Write {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec_pretty(saved).expect("state serialises");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(write)?;
    std::fs::rename(&tmp, path).map_err(write)
}

/// The simulator's routes.
pub fn app(state: AppState) -> Router {
    // Every API request goes into the log tests read; the admin routes do not.
    let api = Router::new()
        .route("/api/v1/assist", post(account_assist))
        .route("/api/v1/agents/{id}/assist", post(agent_assist))
        .route("/api/v1/assist/threads/{id}", get(get_thread))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_request,
        ));
    Router::new()
        .merge(api)
        .route(
            "/__sim/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/__sim/requests", get(list_requests).delete(clear_requests))
        .route("/__sim/account", get(show_account))
        .route("/__sim/reset", post(reset))
        .fallback(not_found)
        .with_state(state)
}

fn problem(status: u16, code: &str, title: &str, detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails {
        type_: Some(format!("https://docs.flowyte.com/errors/{code}")),
        ..ProblemDetails::new(status, title, detail).with_code(code)
    }
}

async fn not_found(uri: Uri) -> Response {
    ProblemDetails {
        instance: Some(uri.path().to_owned()),
        ..problem(404, "not_found", "Not found", "There is no such operation.")
    }
    .into_response()
}

/// Checks `Authorization: Bearer <key>` and that the key holds `scope`.
fn authorize(config: &Config, headers: &HeaderMap, scope: &str) -> Result<Scopes, ProblemDetails> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(problem(
            401,
            "missing_api_key",
            "Unauthorized",
            "Send a secret API key as `Authorization: Bearer flowyte_sk_…`.",
        ));
    };
    let Some(found) = config.keys.iter().find(|k| k.key == key) else {
        return Err(problem(
            401,
            "invalid_api_key",
            "Unauthorized",
            "The API key is not valid for this organization.",
        ));
    };
    if !found.scopes.has(scope) {
        return Err(problem(
            403,
            "insufficient_scope",
            "Forbidden",
            format!("This operation needs the `{scope}` scope, which the API key does not hold."),
        ));
    }
    Ok(found.scopes.clone())
}

/// A validated request body.
#[derive(Debug)]
struct ValidBody {
    message: String,
    thread_id: Option<String>,
    context: Option<Map<String, Value>>,
    confirmed: Vec<PendingConfirmation>,
}

/// Validates the body, listing every problem in `errors[]`.
fn validate(body: &[u8]) -> Result<ValidBody, ProblemDetails> {
    let invalid = |errors: Vec<FieldError>| ProblemDetails {
        errors,
        instance: None,
        ..problem(
            400,
            "validation_error",
            "Validation failure",
            "The request body is not valid.",
        )
    };
    let err = |field: &str, message: &str| FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    };
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(vec![err("body", &format!("is not valid JSON: {e}"))]))?;
    let Value::Object(mut object) = value else {
        return Err(invalid(vec![err("body", "must be a JSON object")]));
    };
    let mut errors = Vec::new();
    let message = match object.remove("message") {
        None | Some(Value::Null) => {
            errors.push(err("message", "is required"));
            String::new()
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.push(err("message", "must not be empty"));
            s
        }
        Some(Value::String(s)) if s.chars().count() > MAX_MESSAGE_CHARS => {
            errors.push(err(
                "message",
                &format!("must be at most {MAX_MESSAGE_CHARS} characters"),
            ));
            s
        }
        Some(Value::String(s)) => s,
        Some(_) => {
            errors.push(err("message", "must be a string"));
            String::new()
        }
    };
    let thread_id = match object.remove("threadId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(_) => {
            errors.push(err("threadId", "must be a non-empty string"));
            None
        }
    };
    let context = match object.remove("context") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            errors.push(err("context", "must be an object"));
            None
        }
    };
    let mut confirmed = Vec::new();
    match object.remove("confirmed") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(map) => confirmed.push(PendingConfirmation(map)),
                    _ => errors.push(err(&format!("confirmed[{i}]"), "must be an object")),
                }
            }
        }
        Some(_) => errors.push(err("confirmed", "must be an array")),
    }
    if !confirmed.is_empty() && thread_id.is_none() {
        errors.push(err(
            "threadId",
            "is required with `confirmed`: approvals belong to the thread that proposed them",
        ));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    Ok(ValidBody {
        message,
        thread_id,
        context,
        confirmed,
    })
}

/// The largest request body the API reads (axum's default limit for `Bytes`).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Records an API request (method, path, body) with the status it got, for `GET /__sim/requests`.
async fn log_request(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        let response = problem(
            413,
            "payload_too_large",
            "Payload too large",
            "The body is over 2 MiB.",
        )
        .into_response();
        state.log(&parts.method, &parts.uri, &[], response.status());
        return response;
    };
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let response = next
        .run(axum::extract::Request::from_parts(
            parts,
            Body::from(body.clone()),
        ))
        .await;
    state.log(&method, &uri, &body, response.status());
    response
}

async fn account_assist(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    assist(&state, &headers, &body, None).await
}

async fn agent_assist(
    State(state): State<AppState>,
    UrlPath(agent_id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    assist(&state, &headers, &body, Some(agent_id)).await
}

/// Answers that a fault makes before anything runs.
fn early_fault(fault: Option<&Fault>) -> Option<Response> {
    match fault? {
        Fault::Status {
            status,
            code,
            title,
            detail,
        } => {
            let code = code.clone().unwrap_or_else(|| "injected_fault".to_owned());
            let p = problem(
                *status,
                &code,
                title.as_deref().unwrap_or("Injected fault"),
                detail
                    .clone()
                    .unwrap_or_else(|| "The simulator was asked to fail this request.".to_owned()),
            );
            Some(p.into_response())
        }
        Fault::RateLimit { retry_after } => {
            let p = problem(
                429,
                "rate_limited",
                "Too many requests",
                format!("Slow down; retry in {retry_after} s."),
            );
            let mut response = p.into_response();
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, (*retry_after).into());
            headers.insert("ratelimit-remaining", 0.into());
            headers.insert("ratelimit-reset", (*retry_after).into());
            Some(response)
        }
        _ => None,
    }
}

async fn stall_before(fault: Option<&Fault>) {
    if let Some(Fault::Stall { before_ms, .. }) = fault {
        tokio::time::sleep(Duration::from_millis(*before_ms)).await;
    }
}

async fn assist(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    path_agent: Option<String>,
) -> Response {
    let scopes = match authorize(&state.config, headers, "agents:write") {
        Ok(scopes) => scopes,
        Err(p) => return p.into_response(),
    };
    let fault = state.lock().faults.take(Route::Assist);
    if let Some(response) = early_fault(fault.as_ref()) {
        return response;
    }
    let request = match validate(body) {
        Ok(request) => request,
        Err(p) => return p.into_response(),
    };
    stall_before(fault.as_ref()).await;

    let now = OffsetDateTime::now_utc();
    let (result, turn_steps) = {
        let mut guard = state.lock();
        let sim = &mut *guard;
        if let Some(agent) = &path_agent
            && sim.saved.account.agent(agent).is_none()
        {
            return problem(
                404,
                "not_found",
                "Agent not found",
                format!("There is no agent `{agent}` in this organization."),
            )
            .into_response();
        }
        let thread_id = match &request.thread_id {
            Some(id) => match sim.saved.threads.get(id) {
                Some(thread) if thread.agent_id == path_agent => id.clone(),
                _ => {
                    return problem(
                        404,
                        "not_found",
                        "Thread not found",
                        format!("There is no copilot thread `{id}` here."),
                    )
                    .into_response();
                }
            },
            None => new_thread_id(),
        };
        let account = &mut sim.saved.account;
        let turn = if request.confirmed.is_empty() {
            let agent_id = path_agent
                .as_deref()
                .or_else(|| copilot::context_agent(account, request.context.as_ref()));
            copilot::respond(
                account,
                &scopes,
                &Request {
                    message: &request.message,
                    agent_id,
                },
                now,
            )
        } else {
            let thread = sim
                .saved
                .threads
                .get_mut(&thread_id)
                .expect("checked above");
            let claimed = match thread.claim(&request.confirmed) {
                Ok(claimed) => claimed,
                Err(p) => return p.into_response(),
            };
            // Dry run first: if any item's target moved on, nothing runs.
            let mut trial = account.clone();
            let turn = copilot::run_confirmed(&mut trial, &scopes, &claimed, now);
            if let Some(stale) = turn.steps.iter().find(|s| !s.ok) {
                thread.unclaim(&claimed);
                return problem(
                    409,
                    "stale_confirmation",
                    "Stale confirmation",
                    format!(
                        "“{}” can no longer run: the account changed since it was proposed. \
                         Nothing was run.\n\n{}",
                        stale.call.message, turn.reply
                    ),
                )
                .into_response();
            }
            *account = trial;
            turn
        };
        let stamp = rfc3339(now);
        let thread = sim
            .saved
            .threads
            .entry(thread_id.clone())
            .or_insert_with(|| Thread {
                id: thread_id.clone(),
                agent_id: path_agent.clone(),
                title: request
                    .message
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .trim()
                    .to_owned(),
                created_at: stamp.clone(),
                updated_at: stamp.clone(),
                messages: Vec::new(),
                pending: Vec::new(),
            });
        let n = thread.messages.len();
        thread.messages.push(Message {
            id: format!("msg_{:04}", n + 1),
            role: "user".into(),
            content: request.message.clone(),
            created_at: stamp.clone(),
            mutations: Vec::new(),
            pending_confirmations: Vec::new(),
            confirmed: request.confirmed.clone(),
        });
        let result = AssistResult {
            reply: turn.reply.clone(),
            thread_id: Some(thread_id.clone()),
            applied_mutations: turn.mutations(),
            pending_confirmations: turn.confirmations.clone(),
        };
        thread.messages.push(Message {
            id: format!("msg_{:04}", n + 2),
            role: "assistant".into(),
            content: turn.reply.clone(),
            created_at: stamp.clone(),
            mutations: result.applied_mutations.clone(),
            pending_confirmations: result.pending_confirmations.clone(),
            confirmed: Vec::new(),
        });
        thread
            .pending
            .extend(turn.confirmations.iter().map(|item| Proposal {
                item: item.clone(),
                used: false,
            }));
        thread.updated_at = stamp;
        (result, turn.steps)
    };
    state.persist().await;

    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/event-stream"));
    match fault {
        Some(Fault::Json { envelope: true }) => {
            return Json(Envelope {
                success: true,
                data: Some(result),
                message: None,
                errors: Vec::new(),
            })
            .into_response();
        }
        Some(Fault::Json { envelope: false }) => return Json(result).into_response(),
        _ if wants_json => return Json(result).into_response(),
        _ => {}
    }
    let mut script = Script::new(plan_frames(&result, &turn_steps, state.config.pace));
    if let Some(fault) = &fault {
        script.apply(fault);
    }
    stream_response(state.clone(), script)
}

fn new_thread_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("thr_{hex}")
}

/// The frames of one turn: a `progress` step for reading the request, a `tool_call` start and
/// end per operation (with its `mutation` between), the `confirmation`s, the reply as `delta`s
/// of a few words, then `done` with the whole result.
fn plan_frames(result: &AssistResult, steps: &[copilot::Step], pace: Duration) -> Vec<Planned> {
    let mut frames = Vec::new();
    let mut push = |event: StreamEvent| {
        let wait = if frames.is_empty() {
            Duration::ZERO
        } else {
            pace
        };
        frames.push(Planned {
            is_delta: matches!(event, StreamEvent::Delta(_)),
            bytes: Bytes::from(match &event {
                StreamEvent::Progress(p) if p.operation_id.is_some() => {
                    assist_protocol::encode_frame(
                        "tool_call",
                        &serde_json::to_string(p).expect("progress serialises"),
                    )
                }
                _ => event.to_frame(),
            }),
            wait,
        });
    };
    let understand = |status| {
        StreamEvent::Progress(Progress {
            message: "Reading your request".to_owned(),
            status: Some(status),
            ..Progress::default()
        })
    };
    push(understand(StepStatus::Started));
    push(understand(StepStatus::Succeeded));
    for step in steps {
        let progress = |status| {
            StreamEvent::Progress(Progress {
                message: step.call.message.clone(),
                operation_id: Some(step.call.operation_id.to_owned()),
                method: Some(step.call.method.to_owned()),
                path: Some(step.call.path.clone()),
                status: Some(status),
            })
        };
        push(progress(StepStatus::Started));
        if let Some(mutation) = &step.mutation {
            push(StreamEvent::Mutation(mutation.clone()));
        }
        push(progress(if step.ok {
            StepStatus::Succeeded
        } else {
            StepStatus::Failed
        }));
    }
    for item in &result.pending_confirmations {
        push(StreamEvent::Confirmation(item.clone()));
    }
    for text in split_words(&result.reply, 3) {
        push(StreamEvent::Delta(Delta { text }));
    }
    push(StreamEvent::Done(Some(result.clone())));
    frames
}

/// Cuts `text` into pieces of `n` words, keeping every character (spaces and newlines stay
/// with the piece they follow), so the pieces concatenate back to `text`.
fn split_words(text: &str, n: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut words = 0;
    let mut in_word = false;
    for ch in text.chars() {
        let space = ch.is_whitespace();
        if !space && !in_word {
            if words == n {
                pieces.push(std::mem::take(&mut current));
                words = 0;
            }
            words += 1;
        }
        in_word = !space;
        current.push(ch);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// Streams the script as `text/event-stream`. A client that goes away closes the channel and
/// ends the task.
fn stream_response(state: AppState, script: Script) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let keep_alive = state.config.keep_alive;
    tokio::spawn(async move {
        state.stats.streams_started.fetch_add(1, Ordering::SeqCst);
        for frame in &script.frames {
            // Wait, sending keep-alive comments while idle.
            let mut left = frame.wait;
            while script.keep_alive && left > keep_alive && !keep_alive.is_zero() {
                tokio::time::sleep(keep_alive).await;
                left -= keep_alive;
                if tx.send(Ok(Bytes::from_static(KEEP_ALIVE))).await.is_err() {
                    return;
                }
            }
            // sleep(0) would still wait for the timer's next 1 ms tick.
            if !left.is_zero() {
                tokio::time::sleep(left).await;
            }
            let sent = if script.byte_writes {
                let mut ok = true;
                for i in 0..frame.bytes.len() {
                    if tx.send(Ok(frame.bytes.slice(i..=i))).await.is_err() {
                        ok = false;
                        break;
                    }
                }
                ok
            } else {
                tx.send(Ok(frame.bytes.clone())).await.is_ok()
            };
            if !sent {
                return;
            }
        }
        if script.abort {
            // An error ends the body without its last chunk: the client sees the connection
            // drop mid-stream. Pause first so the frames before it are flushed (hyper writes
            // what it holds whenever the body has nothing ready).
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = tx
                .send(Err(std::io::Error::other(
                    "injected fault: connection dropped",
                )))
                .await;
            return;
        }
        state.stats.streams_finished.fetch_add(1, Ordering::SeqCst);
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response()
}

async fn get_thread(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    thread_response(&state, &headers, &id).await
}

async fn thread_response(state: &AppState, headers: &HeaderMap, id: &str) -> Response {
    if let Err(p) = authorize(&state.config, headers, "agents:read") {
        return p.into_response();
    }
    let fault = state.lock().faults.take(Route::Threads);
    if let Some(response) = early_fault(fault.as_ref()) {
        return response;
    }
    stall_before(fault.as_ref()).await;
    let sim = state.lock();
    match sim.saved.threads.get(id) {
        Some(thread) => Json(thread.view()).into_response(),
        None => problem(
            404,
            "not_found",
            "Thread not found",
            format!("There is no copilot thread `{id}` here."),
        )
        .into_response(),
    }
}

async fn list_faults(State(state): State<AppState>) -> Json<Vec<Injection>> {
    Json(state.lock().faults.pending())
}

/// `POST /__sim/faults`: one injection or an array of them, queued in order.
async fn add_faults(State(state): State<AppState>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Injection>),
        One(Injection),
    }
    let parsed: Result<OneOrMany, _> = serde_json::from_slice(&body);
    let injections = match parsed {
        Ok(OneOrMany::Many(list)) => list,
        Ok(OneOrMany::One(one)) => vec![one],
        Err(_) => {
            // Untagged errors say little: re-parse as one injection for the real reason.
            let reason = serde_json::from_slice::<Injection>(&body)
                .err()
                .map_or_else(|| "not a fault".to_owned(), |e| e.to_string());
            return ProblemDetails {
                errors: vec![FieldError {
                    field: "body".to_owned(),
                    message: reason,
                }],
                ..problem(
                    400,
                    "validation_error",
                    "Not a fault",
                    "See the crate README for the fault API.",
                )
            }
            .into_response();
        }
    };
    let mut sim = state.lock();
    for injection in injections {
        sim.faults.push(injection);
    }
    (StatusCode::CREATED, Json(sim.faults.pending())).into_response()
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.lock().faults.clear();
    StatusCode::NO_CONTENT
}

async fn list_requests(State(state): State<AppState>) -> Json<Vec<LoggedRequest>> {
    Json(state.requests())
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.lock().log.clear();
    StatusCode::NO_CONTENT
}

async fn show_account(State(state): State<AppState>) -> Json<Account> {
    Json(state.account())
}

/// `POST /__sim/reset`: a freshly seeded account, no threads, no faults, an empty log.
async fn reset(State(state): State<AppState>) -> StatusCode {
    {
        let mut sim = state.lock();
        sim.saved = seeded();
        sim.faults.clear();
        sim.log.clear();
    }
    state.persist().await;
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_concatenate_back_to_the_text() {
        let text = "You asked: “x”.\n\n- **Support Bot** (published)\n";
        let pieces = split_words(text, 3);
        assert!(pieces.len() > 2);
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn every_body_problem_is_listed() {
        let problem =
            validate(br#"{"message":"  ","threadId":5,"context":[],"confirmed":[1]}"#).unwrap_err();
        let fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["message", "threadId", "context", "confirmed[0]"]);
        assert_eq!(problem.status, Some(400));
        assert_eq!(validate(b"nope").unwrap_err().errors[0].field, "body");
        assert_eq!(validate(b"[]").unwrap_err().errors[0].field, "body");
        assert!(validate(br#"{"message":"hi","extra":1}"#).is_ok());
        let confirm_alone = validate(br#"{"message":"hi","confirmed":[{}]}"#).unwrap_err();
        assert_eq!(confirm_alone.errors[0].field, "threadId");
    }

    #[test]
    fn keys_parse_with_or_without_scopes() {
        let key = ApiKey::parse("flowyte_sk_x=agents:read, calls:read").unwrap();
        assert!(key.scopes.has("calls:read") && !key.scopes.has("agents:write"));
        assert!(
            ApiKey::parse("flowyte_sk_y")
                .unwrap()
                .scopes
                .has("numbers:write")
        );
        assert!(ApiKey::parse("sk_live_z").is_err());
    }
}
