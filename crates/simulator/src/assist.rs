//! The copilot's API: `POST /assist`, `POST /agents/{id}/assist` (a turn, streamed or as
//! JSON) and `GET /assist/threads/{id}`. Each handler checks the key, takes the next fault of
//! its route, validates the body, runs the turn on the account and records it in its thread.

use std::time::Duration;

use assist_protocol::{AssistResult, Envelope, FieldError, PendingConfirmation, ProblemDetails};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::account::rfc3339;
use crate::auth::authorize;
use crate::config::MAX_MESSAGE_CHARS;
use crate::copilot::{self, Request};
use crate::faults::{Fault, Route, Script};
use crate::problem;
use crate::state::AppState;
use crate::stream::{plan_frames, stream_response};
use crate::threads::{Message, Proposal, Thread};

/// The copilot's routes (the request log's layer goes over them in [`crate::app`]).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assist", post(account_assist))
        .route("/api/v1/agents/{id}/assist", post(agent_assist))
        .route("/api/v1/assist/threads/{id}", get(get_thread))
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

async fn account_assist(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProblemDetails> {
    assist(&state, &headers, &body, None).await
}

async fn agent_assist(
    State(state): State<AppState>,
    UrlPath(agent_id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProblemDetails> {
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

fn thread_not_found(id: &str) -> ProblemDetails {
    problem(
        404,
        "not_found",
        "Thread not found",
        format!("There is no copilot thread `{id}` here."),
    )
}

async fn assist(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    path_agent: Option<String>,
) -> Result<Response, ProblemDetails> {
    let scopes = authorize(&state.config, headers, "agents:write")?;
    let fault = state.lock().faults.take(Route::Assist);
    if let Some(response) = early_fault(fault.as_ref()) {
        return Ok(response);
    }
    let request = validate(body)?;
    stall_before(fault.as_ref()).await;

    let now = OffsetDateTime::now_utc();
    let (result, tool_calls) = {
        let mut guard = state.lock();
        let sim = &mut *guard;
        if let Some(agent) = &path_agent
            && sim.saved.account.agent(agent).is_none()
        {
            return Err(problem(
                404,
                "not_found",
                "Agent not found",
                format!("There is no agent `{agent}` in this organization."),
            ));
        }
        let thread_id = match &request.thread_id {
            Some(id) => match sim.saved.threads.get(id) {
                Some(thread) if thread.agent_id == path_agent => id.clone(),
                _ => return Err(thread_not_found(id)),
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
            let claimed = thread.claim(&request.confirmed)?;
            // Dry run first: if any item's target moved on, nothing runs.
            let mut trial = account.clone();
            let turn = copilot::run_confirmed(&mut trial, &scopes, &claimed, now);
            if let Some(stale) = turn.tool_calls.iter().find(|s| !s.ok) {
                thread.unclaim(&claimed);
                return Err(problem(
                    409,
                    "stale_confirmation",
                    "Stale confirmation",
                    format!(
                        "“{}” can no longer run: the account changed since it was proposed. \
                         Nothing was run.\n\n{}",
                        stale.call.message, turn.reply
                    ),
                ));
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
        (result, turn.tool_calls)
    };
    state.persist().await;

    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/event-stream"));
    match fault {
        Some(Fault::Json { envelope: true }) => {
            return Ok(Json(Envelope {
                success: true,
                data: Some(result),
                message: None,
                errors: Vec::new(),
            })
            .into_response());
        }
        Some(Fault::Json { envelope: false }) => return Ok(Json(result).into_response()),
        _ if wants_json => return Ok(Json(result).into_response()),
        _ => {}
    }
    let mut script = Script::new(plan_frames(&result, &tool_calls, state.config.pace));
    if let Some(fault) = &fault {
        script.apply(fault);
    }
    Ok(stream_response(state.clone(), script))
}

fn new_thread_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("thr_{hex}")
}

async fn get_thread(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, ProblemDetails> {
    authorize(&state.config, &headers, "agents:read")?;
    let fault = state.lock().faults.take(Route::Threads);
    if let Some(response) = early_fault(fault.as_ref()) {
        return Ok(response);
    }
    stall_before(fault.as_ref()).await;
    let sim = state.lock();
    let thread = sim
        .saved
        .threads
        .get(&id)
        .ok_or_else(|| thread_not_found(&id))?;
    Ok(Json(thread.view()).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
