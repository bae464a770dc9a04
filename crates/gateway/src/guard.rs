//! The checks in front of every route: the request must be addressed to the gateway (`Host`,
//! against DNS rebinding), come from a page it trusts (`Origin`, `Sec-Fetch-Site`), and, when
//! it changes state, carry the session's CSRF token.
//!
//! DNS rebinding: a page on `evil.example` whose name is made to resolve to 127.0.0.1 reaches
//! a local gateway with `Host: evil.example:8787` and `Origin: http://evil.example:8787`, which
//! agree with each other. So `Host` is checked against the configured public origins (and the
//! loopback names under `--dev-http`) before anything compares it with `Origin`.

use assist_protocol::ProblemDetails;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::session::{CSRF_HEADER, Session};

/// The `(scheme, host, port)` of an origin such as `https://copilot.example:8443`, lowercased,
/// with the scheme's default port filled in; `None` for anything that is not an origin.
pub fn parse_origin(origin: &str) -> Option<(String, String, u16)> {
    let (scheme, authority) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    let (host, port) = split_authority(authority, default_port(&scheme))?;
    Some((scheme, host, port))
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" { 443 } else { 80 }
}

/// `host[:port]` (a `Host` header or an origin's authority) → lowercased host and port.
fn split_authority(authority: &str, default_port: u16) -> Option<(String, u16)> {
    if authority.is_empty()
        || authority
            .bytes()
            .any(|b| matches!(b, b'/' | b'?' | b'#' | b'@' | b' ' | b'\\'))
    {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 literal's colons are inside its brackets.
        Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
        _ => (authority, default_port),
    };
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.ends_with(".localhost")
}

/// Whether `Host` names this gateway: one of the public origins, or under `--dev-http` a
/// loopback name on any port.
fn host_allowed(state: &AppState, host: &str) -> bool {
    let Some((host, port)) = split_authority(host, 0) else {
        return false;
    };
    if state.config.dev_http && is_loopback(&host) {
        return true;
    }
    // Without a port, `Host` means the scheme's default port.
    state.config.public_origins.iter().any(|origin| {
        parse_origin(origin).is_some_and(|(scheme, h, p)| {
            h == host && (p == port || (port == 0 && p == default_port(&scheme)))
        })
    })
}

/// Whether a browser page at `origin` may call the gateway reached as `host`.
fn origin_allowed(state: &AppState, origin: &str, host: &str) -> bool {
    let Some(origin) = parse_origin(origin) else {
        return false;
    };
    let listed = state
        .config
        .public_origins
        .iter()
        .chain(&state.config.allowed_origins)
        .any(|o| parse_origin(o).as_ref() == Some(&origin));
    // Under plain-HTTP development the page's own origin is the gateway's (host checked above).
    let own = state.config.dev_http
        && origin.0 == "http"
        && split_authority(host, 80).is_some_and(|(h, p)| h == origin.1 && p == origin.2);
    listed || own
}

fn refused(status: u16, title: &str, detail: &str, code: &str) -> ProblemDetails {
    ProblemDetails::new(status, title, detail).with_code(code)
}

/// In front of every route: the answer is counted by route pattern and status, and `Host`
/// must name the gateway (the served panel included), but for the health checks, which load
/// balancers send to an address. One middleware for both: each layer costs every held reply
/// its share of memory (measured: ~1.5 KiB per held stream for two).
pub async fn front_door(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = crate::metrics::route_of(request.uri().path());
    let response = if matches!(route, "/healthz" | "/readyz") {
        next.run(request).await
    } else {
        known_host(&state, request, next).await
    };
    state.metrics.count(route, response.status().as_u16());
    response
}

/// `Host` must name the gateway.
async fn known_host(state: &AppState, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if host_allowed(state, host) {
        next.run(request).await
    } else {
        tracing::warn!(host, "request for an unknown host refused");
        refused(
            421,
            "Misdirected request",
            "This gateway does not answer for that host name.",
            "unknown_host",
        )
        .into_response()
    }
}

/// [`check_origin`] in front of the gateway's own routes.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match check_origin(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(problem) => problem.into_response(),
    }
}

/// A cross-site `Origin` or `Sec-Fetch-Site` is refused with 403.
///
/// Requests without either header (tools, tests, the provider's back-channel call) pass: the
/// session cookie is `SameSite=Strict` and the CSRF token is still required.
pub fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ProblemDetails> {
    let forbidden = |detail: &str| refused(403, "Forbidden", detail, "cross_site_request");
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(forbidden("Cross-site requests are not accepted."));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !origin_allowed(state, origin.to_str().unwrap_or_default(), host) {
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
    if crate::session::tokens_match(sent, &session.csrf) {
        Ok(())
    } else {
        Err(refused(
            403,
            "Forbidden",
            "The request is missing this session's CSRF token.",
            "csrf_token_invalid",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_with_default_ports() {
        assert_eq!(
            parse_origin("https://Copilot.Example"),
            Some(("https".into(), "copilot.example".into(), 443))
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8080"),
            Some(("http".into(), "127.0.0.1".into(), 8080))
        );
        assert_eq!(
            parse_origin("http://[::1]:8787"),
            Some(("http".into(), "[::1]".into(), 8787))
        );
        for bad in [
            "copilot.example",
            "ftp://copilot.example",
            "https://copilot.example/path",
            "https://user@copilot.example",
            "https://",
            "https://a:b:c",
            "null",
        ] {
            assert_eq!(parse_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn loopback_names() {
        for host in ["localhost", "127.0.0.1", "[::1]", "copilot.localhost"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "evil.example",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
