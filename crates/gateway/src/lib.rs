//! The gateway: the one place where the secret API key meets a request (ARCHITECTURE §3).
//!
//! The browser holds only an `HttpOnly` session cookie and a CSRF token. The gateway checks both,
//! attaches `Authorization: Bearer flowyte_sk_…` and forwards the allow-listed `/assist` call to
//! the upstream control plane, streaming the answer back frame by frame. It can also serve the
//! built panel (`dist/`), the one-origin setup the end-to-end tests use.

pub mod csp;
pub mod limits;
pub mod logging;
pub mod proxy;
pub mod server;
pub mod session;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use assist_protocol::ProblemDetails;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::limits::{LimitConfig, Limits};
use crate::session::{CSRF_HEADER, Session, SessionStore};

/// How the gateway runs.
#[derive(Clone)]
pub struct Config {
    /// Base URL of the control plane, without `/api/v1` (e.g. `http://127.0.0.1:8788`).
    pub upstream: String,
    /// The secret key every session is bound to. Never sent to the browser, never logged.
    pub api_key: String,
    /// A built panel to serve at `/`.
    pub dist: Option<PathBuf>,
    /// Plain-HTTP development: the session cookie goes without `Secure`.
    pub dev_http: bool,
    /// Origins besides the gateway's own that may call it (the `trunk serve` page).
    pub allowed_origins: Vec<String>,
    /// A session ends after this long without a request…
    pub session_idle: Duration,
    /// …and after this long in any case.
    pub session_absolute: Duration,
    /// No response headers from the upstream within this → 504.
    pub upstream_timeout: Duration,
    /// Per-session request rate and open streams.
    pub limits: LimitConfig,
    /// `frame-ancestors` of the served panel's Content-Security-Policy (who may embed it).
    pub frame_ancestors: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("upstream", &self.upstream)
            .field("api_key", &"[redacted]")
            .field("dist", &self.dist)
            .field("dev_http", &self.dev_http)
            .field("allowed_origins", &self.allowed_origins)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for everything but the upstream and the key.
    pub fn new(upstream: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            upstream: upstream.into().trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            dist: None,
            dev_http: false,
            allowed_origins: Vec::new(),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            upstream_timeout: Duration::from_secs(30),
            limits: LimitConfig::default(),
            frame_ancestors: "'self'".to_owned(),
        }
    }
}

/// Shared state of one gateway.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub sessions: Arc<SessionStore>,
    pub limits: Arc<Limits>,
    pub client: reqwest::Client,
}

impl AppState {
    /// A gateway whose sessions live in this process's memory.
    pub fn new(config: Config) -> Self {
        let sessions = SessionStore::memory(config.session_idle, config.session_absolute);
        Self::with_store(config, sessions)
    }

    /// A gateway whose sessions live in the Redis at `url`, shared with other gateways.
    pub async fn with_redis(config: Config, url: &str) -> Result<Self, store::StoreError> {
        let sessions =
            SessionStore::redis(url, config.session_idle, config.session_absolute).await?;
        Ok(Self::with_store(config, sessions))
    }

    fn with_store(config: Config, sessions: SessionStore) -> Self {
        let sessions = Arc::new(sessions);
        let client = reqwest::Client::builder()
            // The upstream's answer streams back as it comes; only connecting is bounded here,
            // the wait for the first byte is bounded per request.
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("the HTTP client builds");
        Self {
            limits: Limits::new(config.limits),
            config: Arc::new(config),
            sessions,
            client,
        }
    }
}

/// Every route of the gateway.
pub fn app(state: AppState) -> Router {
    // The origin rule covers every route of the gateway's own (not the served panel's files),
    // so no handler can forget it.
    let mut router = Router::new()
        .merge(session::router())
        .merge(proxy::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            same_origin_only,
        ));
    if let Some(dist) = &state.config.dist {
        let policy = csp::policy(dist, &state.config.frame_ancestors).unwrap_or_else(|error| {
            tracing::error!(%error, dist = %dist.display(), "cannot read the built panel");
            "default-src 'none'".to_owned()
        });
        let panel = ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(&policy).expect("the policy is ASCII"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ))
            .service(ServeDir::new(dist));
        router = router.fallback_service(panel);
    } else {
        router = router.fallback(|| async {
            ProblemDetails::new(404, "Not found", "The gateway does not serve this path.")
                .with_code("not_found")
        });
    }
    router.with_state(state)
}

/// [`check_origin`] in front of a route.
async fn same_origin_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check_origin(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(problem) => problem.into_response(),
    }
}

/// A cross-site `Origin` or `Sec-Fetch-Site` is refused with 403.
///
/// Same-origin means the `Origin` names the host the request was sent to, or one of the
/// configured development origins. Requests without either header (tools, tests) pass: the
/// session cookie is `SameSite=Strict` and the CSRF token is still required.
pub fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ProblemDetails> {
    let forbidden = |detail: &str| {
        ProblemDetails::new(403, "Forbidden", detail).with_code("cross_site_request")
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(forbidden("Cross-site requests are not accepted."));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let own = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|authority| authority == host);
        if !own && !state.config.allowed_origins.iter().any(|o| o == origin) {
            return Err(forbidden("This origin may not call the gateway."));
        }
    }
    Ok(())
}

/// The request must carry the session's CSRF token.
pub fn check_csrf(session: &Session, headers: &HeaderMap) -> Result<(), ProblemDetails> {
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if session::tokens_match(sent, &session.csrf) {
        Ok(())
    } else {
        Err(ProblemDetails::new(
            403,
            "Forbidden",
            "The request is missing this session's CSRF token.",
        )
        .with_code("csrf_token_invalid"))
    }
}
