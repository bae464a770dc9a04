//! Prometheus metrics (`prometheus-client`), served on a listen address of their own
//! (`--metrics-addr`), never the public one.
//!
//! No label carries a person's e-mail, a session id, an id from a path or message text: routes
//! are their patterns (`/api/v1/agents/{id}/assist`), every other label is one of a few fixed
//! words.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteStatus {
    pub route: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Kind {
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: &'static str,
}

/// Every metric of one gateway.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteStatus, Counter>,
    pub open_streams: Gauge,
    pub stream_duration: Histogram,
    pub first_byte: Histogram,
    pub streamed_bytes: Counter,
    pub upstream_errors: Family<Kind, Counter>,
    pub sign_ins: Counter,
    pub sign_in_refusals: Family<Reason, Counter>,
    pub rate_limited: Family<Kind, Counter>,
    pub confirmations: Family<Outcome, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("flowyte_gateway");
        let requests = Family::<RouteStatus, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route pattern and status",
            requests.clone(),
        );
        let open_streams = Gauge::default();
        registry.register(
            "open_streams",
            "Replies streaming from the upstream right now",
            open_streams.clone(),
        );
        // 50 ms to ~7 min.
        let stream_duration = Histogram::new(exponential_buckets(0.05, 2.0, 14));
        registry.register(
            "stream_duration_seconds",
            "How long forwarded replies lasted, from the request to their end",
            stream_duration.clone(),
        );
        // 2 ms to ~33 s.
        let first_byte = Histogram::new(exponential_buckets(0.002, 2.0, 15));
        registry.register(
            "upstream_first_byte_seconds",
            "From the request to the upstream's answer headers",
            first_byte.clone(),
        );
        let streamed_bytes = Counter::default();
        registry.register(
            "streamed_bytes",
            "Bytes of upstream answers passed to browsers",
            streamed_bytes.clone(),
        );
        let upstream_errors = Family::<Kind, Counter>::default();
        registry.register(
            "upstream_errors",
            "Upstream failures by kind: unreachable, failed, timeout, redirect, broken_stream",
            upstream_errors.clone(),
        );
        let sign_ins = Counter::default();
        registry.register(
            "sign_ins",
            "Sign-ins that started a session",
            sign_ins.clone(),
        );
        let sign_in_refusals = Family::<Reason, Counter>::default();
        registry.register(
            "sign_in_refusals",
            "Sign-ins refused, by reason (the problem code)",
            sign_in_refusals.clone(),
        );
        let rate_limited = Family::<Kind, Counter>::default();
        registry.register(
            "rate_limit_refusals",
            "Requests refused by a person's limits: rate or streams",
            rate_limited.clone(),
        );
        let confirmations = Family::<Outcome, Counter>::default();
        registry.register(
            "confirmations",
            "Requests carrying confirmed items: forwarded, or refused by reason",
            confirmations.clone(),
        );
        Self {
            registry,
            requests,
            open_streams,
            stream_duration,
            first_byte,
            streamed_bytes,
            upstream_errors,
            sign_ins,
            sign_in_refusals,
            rate_limited,
            confirmations,
        }
    }
}

impl Metrics {
    /// The text exposition (OpenMetrics).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }

    /// Counts a refusal of a sign-in by its problem code.
    pub fn refused_sign_in(&self, code: Option<&str>) {
        self.sign_in_refusals
            .get_or_create(&Reason {
                reason: sign_in_reason(code),
            })
            .inc();
    }

    /// Counts an answer by route pattern and status.
    pub fn count(&self, route: &'static str, status: u16) {
        self.requests
            .get_or_create(&RouteStatus { route, status })
            .inc();
    }

    pub fn observe_stream(&self, duration: Duration) {
        self.stream_duration.observe(duration.as_secs_f64());
    }
}

/// The fixed label for a sign-in refusal's code.
fn sign_in_reason(code: Option<&str>) -> &'static str {
    match code {
        Some("not_authorized") => "not_authorized",
        Some("login_state_invalid") => "login_state_invalid",
        Some("id_token_invalid") => "id_token_invalid",
        Some("sign_in_failed") => "sign_in_failed",
        Some("sign_in_cancelled") => "sign_in_cancelled",
        Some("issuer_mismatch") => "issuer_mismatch",
        Some("provider_unavailable") => "provider_unavailable",
        _ => "other",
    }
}

/// The route pattern of a path: a bounded set of labels, never an id.
pub fn route_of(path: &str) -> &'static str {
    match path {
        "/session" => "/session",
        "/login" => "/login",
        "/callback" => "/callback",
        "/logout" => "/logout",
        "/backchannel-logout" => "/backchannel-logout",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/api/v1/assist" => "/api/v1/assist",
        _ if path.starts_with("/api/v1/agents/") && path.ends_with("/assist") => {
            "/api/v1/agents/{id}/assist"
        }
        _ if path.starts_with("/api/v1/assist/threads/") => "/api/v1/assist/threads/{id}",
        _ if path == "/api" || path.starts_with("/api/") => "/api/other",
        _ => "static",
    }
}

/// The metrics listener's routes: `GET /metrics`.
pub fn router(metrics: std::sync::Arc<Metrics>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(
                |State(metrics): State<std::sync::Arc<Metrics>>| async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static(
                                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                            ),
                        )],
                        metrics.encode(),
                    )
                        .into_response()
                },
            ),
        )
        .with_state(metrics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_patterns_never_ids() {
        assert_eq!(
            route_of("/api/v1/agents/agt_0001/assist"),
            "/api/v1/agents/{id}/assist"
        );
        assert_eq!(
            route_of("/api/v1/assist/threads/thr_9"),
            "/api/v1/assist/threads/{id}"
        );
        assert_eq!(route_of("/api/v1/keys/secret"), "/api/other");
        assert_eq!(route_of("/flowyte-copilot_bg.wasm"), "static");
        assert_eq!(route_of("/session"), "/session");
    }

    #[test]
    fn the_exposition_names_every_family() {
        let metrics = Metrics::default();
        metrics.sign_ins.inc();
        metrics.refused_sign_in(Some("not_authorized"));
        let text = metrics.encode();
        assert!(text.contains("flowyte_gateway_sign_ins_total 1"), "{text}");
        assert!(
            text.contains("flowyte_gateway_sign_in_refusals_total{reason=\"not_authorized\"} 1"),
            "{text}"
        );
        assert!(text.contains("# TYPE flowyte_gateway_open_streams gauge"));
        assert!(text.ends_with("# EOF\n"));
    }
}
