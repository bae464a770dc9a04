//! Signing in and out with the OpenID provider.
//!
//! - `GET /login?returnTo=PATH`: starts the authorization code flow (PKCE S256, `state`,
//!   `nonce`) and sends the browser to the provider. A short-lived cookie binds the sign-in to
//!   this browser, so a `state` and `code` planted in someone else's browser (login CSRF)
//!   finish nothing.
//! - `GET /callback`: finishes it: one use per `state`, the provider's `iss` checked (RFC 9207),
//!   the code exchanged, the ID token verified, the person looked up in the access policy; then
//!   a new session (a new id: no fixation) and a redirect to `returnTo` (a same-origin path
//!   only; anything else goes to `/`).
//! - `POST /logout` (CSRF-checked): ends the session; answers where to send the browser next,
//!   the provider's end-session endpoint when it has one.
//! - `POST /backchannel-logout`: the provider says a person signed out (Back-Channel Logout
//!   1.0): every session of that provider session (`sid`) or person (`sub`) ends and its open
//!   replies are cut.
//!
//! Refusals are problem+json for programs and a small page for people (by `Accept`), with
//! the same status and words.

use assist_protocol::ProblemDetails;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::AppState;
use crate::guard::check_csrf;
use crate::oidc::OidcError;
use crate::policy::Person;
use crate::session::{self, no_store, set_cookie};
use crate::store::LOGIN_TTL;

/// Routes a browser navigates to (from another site too): not behind the origin rule.
pub fn navigation_router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/backchannel-logout", post(backchannel_logout))
}

/// Routes the panel calls: behind the origin rule.
pub fn router() -> Router<AppState> {
    Router::new().route("/logout", post(logout))
}

fn login_cookie_name(state: &AppState) -> &'static str {
    if state.config.dev_http {
        "flowyte_login"
    } else {
        "__Host-flowyte_login"
    }
}

/// `returnTo` if it is a path on this origin, else `/`.
///
/// A path starts with one `/`: `//host` and `/\host` are other origins to a browser; control
/// characters could split the `Location` header.
pub fn safe_return_to(value: Option<&str>) -> String {
    match value {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 2048
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The refusal as a page for a browser navigating here, problem+json for anyone else.
fn refusal(headers: &HeaderMap, problem: ProblemDetails) -> Response {
    let wants_page = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !wants_page {
        return no_store(problem.into_response());
    }
    let status = problem
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_REQUEST);
    let title = escape(problem.title.as_deref().unwrap_or("Sign-in failed"));
    let detail = escape(problem.detail.as_deref().unwrap_or_default());
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title>\
         <main><h1>{title}</h1><p>{detail}</p>\
         <p><a href=\"/login\">Sign in again</a> · <a href=\"/\">Back to the copilot</a></p></main></html>"
    );
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
        ],
        page,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn problem(status: u16, title: &str, detail: impl Into<String>, code: &str) -> ProblemDetails {
    ProblemDetails::new(status, title, detail).with_code(code)
}

fn no_provider() -> ProblemDetails {
    problem(
        404,
        "Not found",
        "This gateway has no identity provider configured.",
        "not_found",
    )
}

fn provider_error(error: &OidcError) -> ProblemDetails {
    tracing::warn!(%error, "sign-in failed");
    match error {
        OidcError::Unavailable(_) => problem(
            502,
            "Sign-in unavailable",
            "The identity provider could not be reached. Try again in a moment.",
            "provider_unavailable",
        ),
        OidcError::Refused(_) => problem(
            400,
            "Sign-in failed",
            "The identity provider did not accept this sign-in (it may have been used \
             already). Sign in again.",
            "sign_in_failed",
        ),
        OidcError::Invalid(_) => problem(
            401,
            "Sign-in failed",
            "The identity provider's answer could not be verified. Sign in again.",
            "id_token_invalid",
        ),
    }
}

#[derive(Deserialize)]
struct LoginParams {
    #[serde(rename = "returnTo")]
    return_to: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<LoginParams>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return refusal(&headers, no_provider());
    };
    let return_to = safe_return_to(params.return_to.as_deref());
    // One binding per browser, so sign-ins started in two tabs both finish.
    let binding = session::cookie(&headers, login_cookie_name(&state))
        .filter(|b| b.len() == 64 && b.bytes().all(|c| c.is_ascii_hexdigit()))
        .map_or_else(crate::store::random_token, str::to_owned);
    let (url, login_state, mut login) = match oidc.start(return_to).await {
        Ok(started) => started,
        Err(error) => return refusal(&headers, provider_error(&error)),
    };
    login.binding = binding.clone();
    if let Err(error) = state.sessions.put_login(&login_state, &login).await {
        return refusal(&headers, session::store_down(error));
    }
    // Lax: the provider's redirect back is a cross-site navigation, which a Strict cookie
    // would not accompany.
    let cookie = set_cookie(
        &state,
        login_cookie_name(&state),
        &binding,
        LOGIN_TTL.as_secs(),
        "Lax",
    );
    no_store(
        (
            StatusCode::SEE_OTHER,
            [
                (
                    header::LOCATION,
                    HeaderValue::from_str(&url).expect("a URL"),
                ),
                (header::SET_COOKIE, cookie),
            ],
        )
            .into_response(),
    )
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    match finish_sign_in(&state, &headers, params).await {
        Ok(response) => {
            state.metrics.sign_ins.inc();
            response
        }
        Err(problem) => {
            state.metrics.refused_sign_in(problem.code.as_deref());
            refusal(&headers, problem)
        }
    }
}

async fn finish_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    params: CallbackParams,
) -> Result<Response, ProblemDetails> {
    let oidc = state.oidc.clone().ok_or_else(no_provider)?;
    let stale = || {
        problem(
            400,
            "Sign-in expired",
            "This sign-in was already used, took too long, or was started in another \
             browser. Sign in again.",
            "login_state_invalid",
        )
    };
    let key = params.state.as_deref().ok_or_else(stale)?;
    // Taken (and so used up) before anything else is checked: a state works once.
    let login = state
        .sessions
        .take_login(key)
        .await
        .map_err(session::store_down)?
        .ok_or_else(stale)?;
    let binding = session::cookie(headers, login_cookie_name(state)).unwrap_or_default();
    if !session::tokens_match(binding, &login.binding) {
        return Err(stale());
    }
    if let Some(error) = params.error {
        tracing::info!(%error, "the provider did not sign the person in");
        return Err(problem(
            403,
            "Not signed in",
            "The identity provider did not sign you in.",
            "sign_in_cancelled",
        ));
    }
    if params
        .iss
        .as_deref()
        .is_some_and(|iss| iss != oidc.issuer())
    {
        return Err(problem(
            400,
            "Sign-in failed",
            "The answer came from another identity provider than the one asked.",
            "issuer_mismatch",
        ));
    }
    let code = params.code.as_deref().ok_or_else(stale)?;
    let signed_in = oidc
        .finish(code, &login)
        .await
        .map_err(|e| provider_error(&e))?;
    let Some(grant) = state.config.policy.decide(&signed_in.person) else {
        tracing::warn!(
            sub = %signed_in.person.sub,
            email = ?signed_in.person.email,
            "signed in, but no access rule names them"
        );
        let who = signed_in
            .person
            .email
            .clone()
            .unwrap_or_else(|| "This account".to_owned());
        return Err(problem(
            403,
            "No access",
            format!("{who} may not use this copilot. Ask your account's administrator for access."),
            "not_authorized",
        ));
    };
    // The session this browser had before, if any, is replaced.
    if let Some(old) = session::cookie(headers, session::cookie_name(state))
        && let Ok(Some(old)) = state.sessions.get(old).await
    {
        let _ = session::end(state, &old).await;
    }
    let (_, cookie) = session::start(
        state,
        signed_in.person,
        grant,
        signed_in.sid,
        Some(signed_in.id_token),
    )
    .await?;
    let mut response = (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(&login.return_to).expect("checked in safe_return_to"),
        )],
    )
        .into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, cookie);
    headers.append(
        header::SET_COOKIE,
        set_cookie(state, login_cookie_name(state), "", 0, "Lax"),
    );
    Ok(no_store(response))
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let session = session::require(&state, &headers).await?;
        check_csrf(&session, &headers)?;
        let cleared = session::end(&state, &session).await?;
        let home = state.config.public_origins.first().map_or_else(
            || "/".to_owned(),
            |o| format!("{}/", o.trim_end_matches('/')),
        );
        let redirect = match &state.oidc {
            Some(oidc) => oidc
                .end_session_url(session.id_token.as_deref(), &home)
                .await
                .unwrap_or_else(|| "/".to_owned()),
            None => "/".to_owned(),
        };
        Ok::<_, ProblemDetails>((
            [(header::SET_COOKIE, cleared)],
            Json(serde_json::json!({ "redirect": redirect })),
        ))
    }
    .await;
    no_store(match result {
        Ok(answer) => answer.into_response(),
        Err(problem) => problem.into_response(),
    })
}

#[derive(Deserialize)]
struct LogoutForm {
    logout_token: String,
}

async fn backchannel_logout(
    State(state): State<AppState>,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let result = async {
        let oidc = state.oidc.clone().ok_or_else(no_provider)?;
        let Form(form) = form.map_err(|_| {
            problem(
                400,
                "Bad request",
                "Expected a form with logout_token.",
                "invalid_request",
            )
        })?;
        let invalid = |why: String| {
            tracing::warn!(why, "logout token refused");
            problem(400, "Bad request", "The logout token is not valid.", "invalid_request")
        };
        let (logout, jti) = oidc
            .verify_logout_token(&form.logout_token)
            .await
            .map_err(|e| match e {
                OidcError::Invalid(why) => invalid(why),
                other => provider_error(&other),
            })?;
        if !state
            .sessions
            .first_use(&format!("logout:{jti}"), LOGIN_TTL)
            .await
            .map_err(session::store_down)?
        {
            return Err(invalid("replayed (its jti was used before)".to_owned()));
        }
        let ended = match (&logout.sid, &logout.sub) {
            (Some(sid), _) => state.sessions.remove_provider_session(oidc.issuer(), sid).await,
            (None, Some(sub)) => {
                let person = Person {
                    issuer: oidc.issuer().to_owned(),
                    sub: sub.clone(),
                    ..Person::default()
                };
                state.sessions.remove_person(&person).await
            }
            (None, None) => unreachable!("checked with the token"),
        }
        .map_err(session::store_down)?;
        state.streams.cut(&ended).await;
        tracing::info!(sid = ?logout.sid, sub = ?logout.sub, ended = ended.len(), "back-channel logout");
        Ok(())
    }
    .await;
    no_store(match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(problem) => problem.into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_stays_on_this_origin() {
        for good in ["/", "/agents/agt_1?tab=skills#top", "/%2F%2Fevil.example"] {
            assert_eq!(safe_return_to(Some(good)), good);
        }
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/ok\r\nSet-Cookie: x=1",
            "",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
