//! A local stand-in for the Flowyte control plane (ARCHITECTURE §4), so the panel runs and is
//! tested on a machine with no network.
//!
//! This is the walking skeleton's version: bearer-key auth, `POST /api/v1/assist` answering any
//! message with a real event stream (`progress` → `delta`… → `done`), each frame written on its
//! own with a configurable pause between frames. The deterministic copilot, threads,
//! confirmations and fault injection come with issue 4.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use assist_protocol::{
    AssistRequest, AssistResult, Delta, FieldError, ProblemDetails, Progress, StepStatus,
    StreamEvent,
};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// The development key every local setup uses. It is fake by design: it only opens this
/// simulator.
pub const DEV_KEY: &str = "flowyte_sk_test_local_development_key";

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Secret keys accepted in `Authorization: Bearer …`.
    pub keys: Vec<String>,
    /// Pause between two frames of a stream.
    pub pace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keys: vec![DEV_KEY.to_owned()],
            pace: Duration::from_millis(60),
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

/// Shared state of one simulator.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stats: Arc<Stats>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            config: Arc::new(config),
            stats: Arc::default(),
        }
    }
}

/// The simulator's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/assist", post(assist))
        .with_state(state)
}

/// The seeded agents the skeleton's reply lists: `(name, published)`.
const AGENTS: [(&str, bool); 3] = [
    ("Support Bot", true),
    ("Sales Assistant", true),
    ("After-hours Line", false),
];

async fn assist(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(problem) = authorize(&state.config, &headers) {
        return problem.into_response();
    }
    let request = match parse_request(&body) {
        Ok(request) => request,
        Err(problem) => return problem.into_response(),
    };
    let thread_id = request.thread_id.clone().unwrap_or_else(new_thread_id);
    let events = skeleton_turn(&request.message, thread_id);
    stream_response(state, events)
}

/// Checks `Authorization: Bearer <key>` against the configured keys.
fn authorize(config: &Config, headers: &HeaderMap) -> Result<(), ProblemDetails> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match key {
        Some(key) if config.keys.iter().any(|k| k == key) => Ok(()),
        Some(_) => Err(ProblemDetails::new(
            401,
            "Unauthorized",
            "The API key is not valid for this organization.",
        )
        .with_code("invalid_api_key")),
        None => Err(ProblemDetails::new(
            401,
            "Unauthorized",
            "Send a secret API key as `Authorization: Bearer flowyte_sk_…`.",
        )
        .with_code("missing_api_key")),
    }
}

fn parse_request(body: &[u8]) -> Result<AssistRequest, ProblemDetails> {
    let invalid = |field: &str, message: String| ProblemDetails {
        errors: vec![FieldError {
            field: field.to_owned(),
            message,
        }],
        ..ProblemDetails::new(400, "Validation failed", "The request body is not valid.")
            .with_code("validation_error")
    };
    let request: AssistRequest =
        serde_json::from_slice(body).map_err(|e| invalid("body", e.to_string()))?;
    if request.message.trim().is_empty() {
        return Err(invalid("message", "must not be empty".to_owned()));
    }
    Ok(request)
}

fn new_thread_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("thr_{hex}")
}

/// The events of one turn: read the account, then reply in pieces of a few words.
fn skeleton_turn(message: &str, thread_id: String) -> Vec<StreamEvent> {
    let list = AGENTS
        .iter()
        .map(|(name, published)| {
            let status = if *published { "published" } else { "draft" };
            format!("- **{name}** ({status})")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let reply = format!(
        "You asked: “{}”.\n\nYour account has {} agents:\n\n{list}\n\n\
         This local simulator does not act on requests yet, so nothing was changed.",
        message.trim(),
        AGENTS.len()
    );
    let step = |status| {
        StreamEvent::Progress(Progress {
            message: "Listing agents".to_owned(),
            operation_id: Some("listAgents".to_owned()),
            method: Some("GET".to_owned()),
            path: Some("/agents".to_owned()),
            status: Some(status),
        })
    };
    let mut events = vec![step(StepStatus::Started), step(StepStatus::Succeeded)];
    events.extend(
        split_words(&reply, 3)
            .into_iter()
            .map(|text| StreamEvent::Delta(Delta { text })),
    );
    events.push(StreamEvent::Done(Some(AssistResult {
        reply,
        thread_id: Some(thread_id),
        ..AssistResult::default()
    })));
    events
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

/// Streams `events` as `text/event-stream`, one frame per write, `pace` apart. A client that
/// goes away closes the channel and ends the task.
fn stream_response(state: AppState, events: Vec<StreamEvent>) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(4);
    tokio::spawn(async move {
        state.stats.streams_started.fetch_add(1, Ordering::SeqCst);
        for (i, event) in events.iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(state.config.pace).await;
            }
            if tx.send(Ok(Bytes::from(event.to_frame()))).await.is_err() {
                return;
            }
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
    fn the_turn_ends_with_done_carrying_the_whole_reply() {
        let events = skeleton_turn("hello", "thr_1".into());
        let streamed: String = events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::Delta(d) => Some(d.text.as_str()),
                _ => None,
            })
            .collect();
        let Some(StreamEvent::Done(Some(result))) = events.last() else {
            panic!("the last event must be done with a result");
        };
        assert_eq!(result.reply, streamed);
        assert_eq!(result.thread_id.as_deref(), Some("thr_1"));
    }

    #[test]
    fn empty_or_malformed_bodies_are_validation_errors() {
        assert_eq!(
            parse_request(b"{\"message\":\"  \"}").unwrap_err().errors[0].field,
            "message"
        );
        assert_eq!(parse_request(b"nope").unwrap_err().status, Some(400));
        assert!(parse_request(b"{\"message\":\"hi\",\"extra\":1}").is_ok());
    }
}
