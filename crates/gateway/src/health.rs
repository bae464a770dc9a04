//! Health checks for whoever runs the gateway: `GET /healthz` (the process answers) and
//! `GET /readyz` (what it needs answers too: the session store when it is Redis, and the
//! upstream, each within a short bound). Not ready is 503 problem+json naming what is not.

use std::time::Duration;

use assist_protocol::{FieldError, ProblemDetails};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::AppState;

/// How long each dependency may take to answer a readiness check.
pub const READY_WITHIN: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>) -> Response {
    let (store, upstream) = tokio::join!(store_ready(&state), upstream_ready(&state));
    let errors: Vec<FieldError> = [store, upstream].into_iter().flatten().collect();
    if errors.is_empty() {
        return Json(json!({"status": "ready"})).into_response();
    }
    let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    let mut problem = ProblemDetails::new(
        503,
        "Not ready",
        format!("Not answering: {}.", names.join(", ")),
    )
    .with_code("not_ready");
    problem.errors = errors;
    problem.into_response()
}

async fn store_ready(state: &AppState) -> Option<FieldError> {
    match tokio::time::timeout(READY_WITHIN, state.sessions.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(not_ready("session_store", error.to_string())),
        Err(_) => Some(not_ready("session_store", "no answer in time".to_owned())),
    }
}

/// Any HTTP answer from the upstream's API root means it is there; the key is never sent.
async fn upstream_ready(state: &AppState) -> Option<FieldError> {
    let probe = state
        .client
        .get(format!("{}/api/v1", state.config.upstream))
        .send();
    match tokio::time::timeout(READY_WITHIN, probe).await {
        Ok(Ok(_)) => None,
        Ok(Err(error)) => Some(not_ready(
            "upstream",
            if error.is_connect() {
                "cannot be connected to".to_owned()
            } else {
                "its answer could not be read".to_owned()
            },
        )),
        Err(_) => Some(not_ready("upstream", "no answer in time".to_owned())),
    }
}

fn not_ready(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message,
    }
}
