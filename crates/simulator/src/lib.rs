//! A local stand-in for the Flowyte control plane (ARCHITECTURE §4), so the panel runs and is
//! tested on a machine with no network.
//!
//! - `POST /api/v1/assist`, `POST /api/v1/agents/{id}/assist`, `GET /api/v1/assist/threads/{id}`
//!   (`assist.rs`) with bearer keys and scopes ([`ApiKey`]), problem+json errors.
//! - A deterministic copilot ([`copilot`]) over a seeded account ([`account`]); destructive
//!   actions are proposed, and run only when confirmed field for field ([`threads`]).
//! - An admin API on the same port for tests ([`faults`], `admin.rs`): `/__sim/faults`,
//!   `/__sim/requests`, `/__sim/account`, `/__sim/reset`. The gateway never forwards these paths.
//!
//! Inside: `config` (keys, pace, state file), `state` (what requests share), `auth` (keys and
//! scopes), `assist` (the copilot's routes), `stream` (the frame writer), `admin` (the test
//! routes and the request log).
//!
//! The crate README lists the requests the copilot understands and the fault API.

pub mod account;
mod admin;
mod assist;
mod auth;
mod config;
pub mod copilot;
pub mod faults;
pub mod ops;
mod state;
mod stream;
pub mod threads;

use assist_protocol::ProblemDetails;
use axum::Router;
use axum::http::Uri;

pub use config::{ApiKey, Config, DEV_KEY, MAX_MESSAGE_CHARS, READ_ONLY_KEY};
pub use state::{AppState, Saved, StateError, Stats};

/// The simulator's routes.
pub fn app(state: AppState) -> Router {
    // Every API request goes into the log tests read; the admin routes do not.
    let api = assist::router().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        admin::log_request,
    ));
    Router::new()
        .merge(api)
        .merge(admin::router())
        .fallback(not_found)
        .with_state(state)
}

/// A problem+json body in Flowyte's shape: `type` is the code's documentation page.
fn problem(status: u16, code: &str, title: &str, detail: impl Into<String>) -> ProblemDetails {
    ProblemDetails {
        type_: Some(format!("https://docs.flowyte.com/errors/{code}")),
        ..ProblemDetails::new(status, title, detail).with_code(code)
    }
}

async fn not_found(uri: Uri) -> ProblemDetails {
    ProblemDetails {
        instance: Some(uri.path().to_owned()),
        ..problem(404, "not_found", "Not found", "There is no such operation.")
    }
}
