//! The admin API for tests, on the simulator's own port and without a key (the gateway never
//! forwards these paths): `/__sim/faults`, `/__sim/requests`, `/__sim/account`,
//! `/__sim/reset`. Also the layer that records every API request for `/__sim/requests`.

use assist_protocol::{FieldError, ProblemDetails};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::account::Account;
use crate::faults::{Injection, LoggedRequest};
use crate::problem;
use crate::state::{AppState, seeded};

/// The admin routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/__sim/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/__sim/requests", get(list_requests).delete(clear_requests))
        .route("/__sim/account", get(show_account))
        .route("/__sim/reset", post(reset))
}

/// The largest request body the API reads (axum's default limit for `Bytes`).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Records an API request (method, path, body) with the status it got, for `GET /__sim/requests`.
pub(crate) async fn log_request(
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

async fn list_faults(State(state): State<AppState>) -> Json<Vec<Injection>> {
    Json(state.lock().faults.pending())
}

/// `POST /__sim/faults`: one injection or an array of them, queued in order.
async fn add_faults(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<Injection>>), ProblemDetails> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Injection>),
        One(Injection),
    }
    let injections = match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::Many(list)) => list,
        Ok(OneOrMany::One(one)) => vec![one],
        Err(_) => {
            // Untagged errors say little: re-parse as one injection for the real reason.
            let reason = serde_json::from_slice::<Injection>(&body)
                .err()
                .map_or_else(|| "not a fault".to_owned(), |e| e.to_string());
            return Err(ProblemDetails {
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
            });
        }
    };
    let mut sim = state.lock();
    for injection in injections {
        sim.faults.push(injection);
    }
    Ok((StatusCode::CREATED, Json(sim.faults.pending())))
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
