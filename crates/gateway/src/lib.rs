//! The gateway: the one place where a secret API key meets a request (docs/architecture.md,
//! "Gateway").
//!
//! People sign in with the account's OpenID provider; the access policy maps each to one key
//! and a role. The browser holds only an `HttpOnly` session cookie and a CSRF token. The
//! gateway checks both, attaches the person's key and forwards the allow-listed `/assist` call
//! to the upstream control plane, streaming the answer back frame by frame, and writes an
//! audit line naming the person. It can also serve the built panel (`dist/`), the one-origin
//! setup the end-to-end tests use.

pub mod audit;
pub mod auth;
pub mod config;
pub mod config_file;
pub mod csp;
pub mod guard;
pub mod health;
pub mod in_doubt;
pub mod ledger;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod oidc;
pub mod panel_files;
pub mod policy;
pub mod proxy;
pub mod relay;
pub mod server;
pub mod session;
pub mod store;
pub mod streams;

use std::sync::Arc;
use std::time::Duration;

use assist_protocol::ProblemDetails;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

pub use crate::config::Config;
use crate::limits::Limits;
use crate::oidc::Oidc;
use crate::session::SessionStore;
use crate::streams::OpenStreams;

/// Shared state of one gateway.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub sessions: Arc<SessionStore>,
    pub limits: Arc<Limits>,
    pub streams: Arc<OpenStreams>,
    pub ledger: Arc<ledger::Ledger>,
    pub oidc: Option<Arc<Oidc>>,
    pub audit: Arc<audit::AuditLog>,
    pub metrics: Arc<metrics::Metrics>,
    pub client: reqwest::Client,
}

/// A gateway that cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot open the audit log: {0}")]
    Audit(#[from] std::io::Error),
}

impl AppState {
    /// A gateway whose sessions and limits live in this process's memory.
    pub fn new(config: Config) -> Result<Self, StartError> {
        let sessions = SessionStore::memory(
            config.session_idle,
            config.session_absolute,
            config.sessions_per_person,
        );
        let limits = Limits::memory(config.limits);
        let ledger = ledger::Ledger::memory();
        Self::assemble(config, sessions, limits, ledger, OpenStreams::local())
    }

    /// A gateway whose sessions and limits live in the Redis at `url`, shared with every other
    /// gateway that uses it.
    pub async fn with_redis(config: Config, url: &str) -> Result<Self, StartError> {
        let client = redis::Client::open(url).map_err(store::StoreError::from)?;
        let manager = redis::aio::ConnectionManager::new(client.clone())
            .await
            .map_err(store::StoreError::from)?;
        let sessions = SessionStore::redis(
            manager.clone(),
            config.session_idle,
            config.session_absolute,
            config.sessions_per_person,
        );
        let limits = Limits::redis(config.limits, manager.clone());
        let ledger = ledger::Ledger::redis(manager.clone());
        Self::assemble(
            config,
            sessions,
            limits,
            ledger,
            OpenStreams::shared(client, manager),
        )
    }

    fn assemble(
        config: Config,
        sessions: SessionStore,
        limits: Arc<Limits>,
        ledger: ledger::Ledger,
        streams: Arc<OpenStreams>,
    ) -> Result<Self, StartError> {
        if let Some(problem) = config.problem() {
            return Err(StartError::Config(problem));
        }
        let oidc = match (&config.provider, config.redirect_url()) {
            (Some(provider), Some(redirect)) => Some(Arc::new(
                Oidc::new(provider.clone(), &redirect).map_err(StartError::Config)?,
            )),
            _ => None,
        };
        let client = reqwest::Client::builder()
            // The upstream's answer streams back as it comes; only connecting is bounded here,
            // the wait for the first byte is bounded per request.
            .connect_timeout(Duration::from_secs(5))
            // A redirect would carry the key to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds");
        Ok(Self {
            audit: Arc::new(audit::AuditLog::open(&config.audit)?),
            config: Arc::new(config),
            sessions: Arc::new(sessions),
            limits,
            streams,
            ledger: Arc::new(ledger),
            oidc,
            metrics: Arc::default(),
            client,
        })
    }
}

/// Every route of the gateway.
pub fn app(state: AppState) -> Router {
    // The origin rule covers every route the panel calls, so no handler can forget it; the
    // sign-in navigations (and the provider's back channel) come from other sites by design.
    let mut router = Router::new()
        .merge(session::router())
        .merge(auth::router())
        .merge(proxy::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin_only,
        ))
        .merge(auth::navigation_router())
        .layer(DefaultBodyLimit::max(proxy::MAX_BODY_BYTES));
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
            .service(panel_files::service(dist));
        router = router.fallback_service(panel);
    } else {
        router = router.fallback(|| async {
            ProblemDetails::new(404, "Not found", "The gateway does not serve this path.")
                .with_code("not_found")
        });
    }
    // `Host` is checked in front of everything, the served panel included (DNS rebinding),
    // but the health checks, which load balancers send to an address rather than a name.
    router
        .merge(health::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::front_door,
        ))
        .with_state(state)
}
