//! Forwarding of the allow-listed calls to the upstream, streamed through unbuffered.
//!
//! Only `POST /api/v1/assist`, `POST /api/v1/agents/{id}/assist` and
//! `GET /api/v1/assist/threads/{id}` go upstream, with ids validated; every other `/api/` path
//! or method is 404 problem+json.
//!
//! In order, so that nothing costly happens for a request that will be refused: the session
//! (before a byte of the body is read), the CSRF token, the body (at most
//! [`MAX_BODY_BYTES`], within the configured body timeout, a JSON object), the role (a
//! viewer's `confirmed` never leaves the gateway), the person's limits; then the upstream, with
//! the key the person's rule names. Redirects from the upstream are never followed: the key
//! would go along.

use std::time::Instant;

use assist_protocol::ProblemDetails;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::Value;

use crate::audit::Entry;
use crate::guard::check_csrf;
use crate::ledger::{Approval, Claimed, Settlement, Standing};
use crate::limits::{Refusal, StreamPermit};
use crate::policy::Role;
use crate::{AppState, session};

/// Largest request body forwarded (a message, its context and confirmed items).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assist", post(account_assist).fallback(not_found))
        .route(
            "/api/v1/agents/{id}/assist",
            post(agent_assist).fallback(not_found),
        )
        .route(
            "/api/v1/assist/threads/{id}",
            get(thread).fallback(not_found),
        )
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
}

/// The answer for every path and method outside the allow-list.
pub async fn not_found() -> ProblemDetails {
    ProblemDetails::new(
        404,
        "Not found",
        "The gateway does not forward this request.",
    )
    .with_code("not_found")
}

/// Ids go into the upstream path, so only plain ids pass: letters, digits, `_` and `-`.
/// Axum has already percent-decoded them, so `%2F` arrives as `/` and is refused here.
fn valid_id(id: &str) -> bool {
    // The rule the panel checks its options with: what it accepts, this forwards.
    assist_protocol::is_plain_id(id)
}

/// One allow-listed call.
struct Call {
    method: Method,
    path: String,
    /// The route as the audit names it.
    route: &'static str,
    agent_id: Option<String>,
    thread_id: Option<String>,
}

async fn account_assist(State(state): State<AppState>, request: Request) -> Response {
    let call = Call {
        method: Method::POST,
        path: "/api/v1/assist".to_owned(),
        route: "POST /api/v1/assist",
        agent_id: None,
        thread_id: None,
    };
    forward(&state, call, request).await
}

async fn agent_assist(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    if !valid_id(&id) {
        return not_found().await.into_response();
    }
    let call = Call {
        method: Method::POST,
        path: format!("/api/v1/agents/{id}/assist"),
        route: "POST /api/v1/agents/{id}/assist",
        agent_id: Some(id),
        thread_id: None,
    };
    forward(&state, call, request).await
}

async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    if !valid_id(&id) {
        return not_found().await.into_response();
    }
    let call = Call {
        method: Method::GET,
        path: format!("/api/v1/assist/threads/{id}"),
        route: "GET /api/v1/assist/threads/{id}",
        agent_id: None,
        thread_id: Some(id),
    };
    forward(&state, call, request).await
}

pub(crate) fn refusal(status: u16, title: &str, detail: impl Into<String>, code: &str) -> Refusal {
    Refusal::from(ProblemDetails::new(status, title, detail).with_code(code))
}

/// Reads the body, within the size and time bounds.
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, Refusal> {
    let too_large = || {
        refusal(
            413,
            "Request too large",
            format!("A request body may hold at most {MAX_BODY_BYTES} bytes."),
            "body_too_large",
        )
    };
    match tokio::time::timeout(
        state.config.body_timeout,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Err(_) => Err(refusal(
            408,
            "Request timeout",
            "The request body did not arrive in time.",
            "body_timeout",
        )),
        Ok(Err(error)) => {
            let over = error
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            if over {
                Err(too_large())
            } else {
                Err(refusal(
                    400,
                    "Bad request",
                    "The request body could not be read.",
                    "body_unreadable",
                ))
            }
        }
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

async fn forward(state: &AppState, call: Call, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let session = match session::require(state, &parts.headers).await {
        Ok(session) => session,
        Err(problem) => return problem.into_response(),
    };
    let is_post = call.method == Method::POST;
    if is_post && let Err(problem) = check_csrf(&session, &parts.headers) {
        return problem.into_response();
    }
    let started = Instant::now();
    let body = if is_post {
        match read_body(state, body).await {
            Ok(body) => body,
            Err(refused) => return refused.into_response(),
        }
    } else {
        Bytes::new()
    };
    let json = if is_post {
        match serde_json::from_slice::<Value>(&body) {
            Ok(json @ Value::Object(_)) => json,
            _ => {
                return refusal(
                    400,
                    "Bad request",
                    "The request body must be a JSON object.",
                    "invalid_body",
                )
                .into_response();
            }
        }
    } else {
        Value::Null
    };
    let mut entry = Entry::new(&session, call.route, &json);
    entry.agent_id = call.agent_id.clone();
    if call.thread_id.is_some() {
        entry.thread_id = call.thread_id.clone();
    }

    match admit(state, &session, &json).await {
        Ok((permit, claim)) => {
            let held = Held { permit, claim };
            send(
                state,
                call,
                &parts.headers,
                body,
                entry,
                started,
                held,
                &session,
            )
            .await
        }
        Err(refused) => {
            count_refusal(state, refused.problem.code.as_deref());
            entry.status = refused.problem.status.unwrap_or(403);
            entry.refused = refused.problem.code.clone();
            entry.duration_ms = started.elapsed().as_millis() as u64;
            state.audit.write(entry);
            refused.into_response()
        }
    }
}

/// The role, the person's limits, and the confirmation ledger: a confirmed item goes upstream
/// at most once.
async fn admit(
    state: &AppState,
    session: &session::Session,
    json: &Value,
) -> Result<(StreamPermit, Option<Claimed>), Refusal> {
    if session.grant.role == Role::Viewer && json.get("confirmed").is_some() {
        return Err(refusal(
            403,
            "Approval not allowed",
            "You can ask the copilot and read its answers, but approving its actions needs \
             the approver role. Ask an approver to confirm this.",
            "approval_not_allowed",
        ));
    }
    // Counted once the request is known to be acceptable, before anything goes upstream.
    let permit = state.limits.admit(&session.person.key()).await?;
    let approval = Approval {
        standing: Standing::Forwarding,
        sub: session.person.sub.clone(),
        name: session.person.name.clone(),
        email: session.person.email.clone(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let claimed = Claimed::claim(&state.ledger, json, &session.grant.key, &approval)
        .await
        .map_err(|e| Refusal::from(session::store_down(e)))?;
    match claimed {
        Ok(claim) => Ok((permit, claim)),
        Err(earlier) if earlier.standing == Standing::InDoubt => {
            crate::in_doubt::settle(state, session, json, &earlier, &approval)
                .await
                .map(|claim| (permit, Some(claim)))
        }
        Err(earlier) => Err(crate::in_doubt::already(&earlier)),
    }
}

/// Counts a refused request in the metrics by its problem code.
fn count_refusal(state: &AppState, code: Option<&str>) {
    use crate::metrics::{Kind, Outcome};
    let m = &state.metrics;
    match code {
        Some("rate_limited") => m.rate_limited.get_or_create(&Kind { kind: "rate" }).inc(),
        Some("too_many_streams") => m
            .rate_limited
            .get_or_create(&Kind { kind: "streams" })
            .inc(),
        Some(
            outcome @ ("approval_not_allowed" | "already_confirmed" | "confirmation_in_doubt"),
        ) => {
            let outcome = match outcome {
                "approval_not_allowed" => "approval_not_allowed",
                "already_confirmed" => "already_confirmed",
                _ => "confirmation_in_doubt",
            };
            m.confirmations.get_or_create(&Outcome { outcome }).inc()
        }
        _ => 0,
    };
}

fn count_upstream_error(state: &AppState, kind: &'static str) {
    state
        .metrics
        .upstream_errors
        .get_or_create(&crate::metrics::Kind { kind })
        .inc();
}

/// What a forwarded request holds: its stream slot and its claim on the confirmed items.
pub(crate) struct Held {
    pub(crate) permit: StreamPermit,
    pub(crate) claim: Option<Claimed>,
}

impl Held {
    pub(crate) async fn settle(&mut self, settlement: Settlement) {
        if let Some(claim) = self.claim.take() {
            claim.settle(settlement).await;
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn send(
    state: &AppState,
    call: Call,
    headers: &axum::http::HeaderMap,
    body: Bytes,
    mut entry: Entry,
    started: Instant,
    mut held: Held,
    session: &session::Session,
) -> Response {
    entry.forwarded = true;
    let Some(key) = state.config.keys.get(&session.grant.key) else {
        // The config is checked at start; a session from an older config may name a key
        // that is gone.
        let refused = refusal(
            403,
            "No access",
            "Your access was changed; sign in again.",
            "not_authorized",
        );
        entry.forwarded = false;
        entry.status = 403;
        entry.refused = refused.problem.code.clone();
        state.audit.write(entry);
        held.settle(Settlement::Release).await;
        return refused.into_response();
    };
    let accept = headers
        .get(header::ACCEPT)
        .cloned()
        .unwrap_or(HeaderValue::from_static("text/event-stream"));
    let mut request = state
        .client
        .request(
            call.method.clone(),
            format!("{}{}", state.config.upstream, call.path),
        )
        .bearer_auth(key.expose())
        .header(header::ACCEPT, accept);
    if call.method == Method::POST {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    let fail = |mut entry: Entry, refused: Refusal| {
        entry.status = refused.problem.status.unwrap_or(502);
        entry.duration_ms = started.elapsed().as_millis() as u64;
        entry.outcome = "upstream_error";
        state.audit.write(entry);
        refused.into_response()
    };
    let upstream = match tokio::time::timeout(state.config.upstream_timeout, request.send()).await {
        Err(_) => {
            // Sent, and no answer: the upstream may be acting on it.
            count_upstream_error(state, "timeout");
            held.settle(Settlement::InDoubt).await;
            let refused = refusal(
                504,
                "Gateway timeout",
                "The Flowyte control plane did not answer in time.",
                "upstream_timeout",
            );
            return fail(entry, refused);
        }
        Ok(Err(error)) => {
            // The reqwest error names the URL, never the key (and logs are redacted anyway).
            tracing::warn!(%error, "upstream request failed");
            let (code, detail, settlement) = if error.is_connect() {
                count_upstream_error(state, "unreachable");
                (
                    "upstream_unreachable",
                    "The Flowyte control plane could not be reached.",
                    Settlement::Release,
                )
            } else {
                count_upstream_error(state, "failed");
                (
                    "upstream_failed",
                    "The Flowyte control plane's answer broke off or could not be read.",
                    Settlement::InDoubt,
                )
            };
            held.settle(settlement).await;
            return fail(entry, refusal(502, "Bad gateway", detail, code));
        }
        Ok(Ok(response)) => response,
    };
    entry.first_byte_ms = Some(started.elapsed().as_millis() as u64);
    state
        .metrics
        .first_byte
        .observe(started.elapsed().as_secs_f64());
    if upstream.status().is_redirection() {
        count_upstream_error(state, "redirect");
        tracing::warn!(status = %upstream.status(), "the upstream answered with a redirect; not followed");
        held.settle(Settlement::Release).await;
        let refused = refusal(
            502,
            "Bad gateway",
            "The Flowyte control plane answered with a redirect, which the gateway does not \
             follow.",
            "upstream_redirect",
        );
        return fail(entry, refused);
    }
    if !upstream.status().is_success() {
        // An error status before any stream: the upstream did not act.
        held.settle(Settlement::Release).await;
    } else if held.claim.is_some() {
        state
            .metrics
            .confirmations
            .get_or_create(&crate::metrics::Outcome {
                outcome: "forwarded",
            })
            .inc();
    }
    entry.status = upstream.status().as_u16();

    crate::relay::answer(state, session, upstream, entry, started, held)
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn only_plain_ids_pass() {
        let longest = "x".repeat(assist_protocol::MAX_ID_LEN);
        for id in ["agt_support", "thr_0a1b-2c", "A9", &longest] {
            assert!(valid_id(id), "{id}");
        }
        for id in [
            "",
            "..",
            "a/b",
            "a%2Fb",
            "a b",
            "a?x=1",
            "é",
            &"x".repeat(65),
        ] {
            assert!(!valid_id(id), "{id}");
        }
    }
}
