//! The gateway's rules over real loopback HTTP, against a small recording upstream: the
//! allow-list, what is forwarded and what never is, limits, timeouts, cancellation and the
//! served panel's headers.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;
use axum::routing::any;
use flowyte_gateway::limits::LimitConfig;
use flowyte_gateway::session::CSRF_HEADER;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::{serve, serve_gateway, serve_gateway_until};

const KEY: &str = "flowyte_sk_test_rules_key_0123456789";

/// What the upstream saw of each request.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<(String, HeaderMap)>>>,
    /// Set when a streaming answer's body was dropped (the client went away).
    stream_dropped: Arc<AtomicBool>,
    open_streams: Arc<AtomicUsize>,
}

/// Counts itself open while alive.
struct Open(Arc<AtomicUsize>, Arc<AtomicBool>);
impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
        self.1.store(true, Ordering::SeqCst);
    }
}

/// An upstream that records requests. `/api/v1/assist` with message "stream" answers with an
/// endless paced stream; "slow" waits 2 s before answering; anything else echoes the path.
fn upstream(seen: Seen) -> Router {
    Router::new().fallback(any(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let seen = seen.clone();
        async move {
            seen.requests
                .lock()
                .unwrap()
                .push((uri.path().to_owned(), headers));
            let message = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_default();
            match message.as_str() {
                "stream" => {
                    seen.open_streams.fetch_add(1, Ordering::SeqCst);
                    let guard = Open(seen.open_streams.clone(), seen.stream_dropped.clone());
                    let frames = futures_util::stream::unfold(guard, |guard| async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        let frame = Bytes::from_static(b"event:delta\ndata:{\"text\":\"x\"}\n\n");
                        Some((Ok::<_, Infallible>(frame), guard))
                    });
                    (
                        [("content-type", "text/event-stream")],
                        Body::from_stream(frames),
                    )
                        .into_response()
                }
                "slow" => {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    "late".into_response()
                }
                _ => axum::Json(json!({"path": uri.path()})).into_response(),
            }
        }
    }))
}

struct Gateway {
    url: String,
    seen: Seen,
    client: reqwest::Client,
    csrf: String,
}

/// A gateway (plain-HTTP development) in front of the recording upstream, signed in.
async fn gateway(configure: impl FnOnce(&mut flowyte_gateway::Config)) -> Gateway {
    let seen = Seen::default();
    let upstream_url = serve(upstream(seen.clone())).await;
    let mut gw = gateway_to(&upstream_url, configure).await;
    gw.seen = seen;
    gw
}

/// A gateway (plain-HTTP development) in front of `upstream_url`, signed in. Its `seen` stays
/// empty: only the recording upstream fills it.
async fn gateway_to(
    upstream_url: &str,
    configure: impl FnOnce(&mut flowyte_gateway::Config),
) -> Gateway {
    let mut config = dev_config(upstream_url);
    configure(&mut config);
    signed_in(serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await).await
}

/// The suite's gateway settings: plain-HTTP development in front of `upstream_url`.
fn dev_config(upstream_url: &str) -> flowyte_gateway::Config {
    common::dev_config(upstream_url, KEY)
}

/// A browser with a session at the gateway at `url`.
async fn signed_in(url: String) -> Gateway {
    let client = common::browser();
    let csrf = common::sign_in(&client, &url).await.csrf;
    Gateway {
        url,
        seen: Seen::default(),
        client,
        csrf,
    }
}

/// Waits up to 2 s for `condition`; whether it came true.
async fn eventually(condition: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

/// An upstream that accepts one connection, reads what arrives first, and hangs up without
/// answering. Its address, and the bytes it read.
async fn hang_up_after_first_read() -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let first = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut bytes = vec![0u8; 4096];
        let n = tcp.read(&mut bytes).await.unwrap();
        bytes.truncate(n);
        bytes
    });
    (addr, first)
}

impl Gateway {
    fn post(&self, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.url))
            .header(CSRF_HEADER, &self.csrf)
            .json(&body)
    }
}

/// Asserts a problem+json answer with this status and code, and no key anywhere in it.
async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> HeaderMap {
    assert_eq!(response.status(), status);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/problem+json");
    let body = response.text().await.unwrap();
    assert!(!body.contains("flowyte_sk_") && !format!("{headers:?}").contains("flowyte_sk_"));
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["code"], code, "{body}");
    headers
}

/// Sends a request with the path exactly as written (no client-side normalisation).
async fn raw_status(base: &str, request_line: &str) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{request_line} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer[9..12].parse().unwrap()
}

#[tokio::test]
async fn only_the_allow_list_is_forwarded() {
    let gw = gateway(|_| {}).await;
    let answer: Value = gw
        .post(
            "/api/v1/agents/agt_support/assist",
            json!({"message": "hi"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["path"], "/api/v1/agents/agt_support/assist");
    let thread = gw
        .client
        .get(format!("{}/api/v1/assist/threads/thr_1", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        thread.status(),
        200,
        "GET threads needs a session, not a CSRF token"
    );

    // The simulator's admin routes (faults, request log) are never reachable through it.
    for path in [
        "/api/v1/agents",
        "/api/v1/keys",
        "/api/v2/assist",
        "/api",
        "/__sim/faults",
        "/__sim/requests",
        "/api/v1/../../__sim/reset",
    ] {
        let response = gw
            .post(path, json!({"message": "hi"}))
            .send()
            .await
            .unwrap();
        assert_problem(response, 404, "not_found").await;
    }
    let wrong_method = gw
        .client
        .get(format!("{}/api/v1/assist", gw.url))
        .send()
        .await
        .unwrap();
    assert_problem(wrong_method, 404, "not_found").await;
    for line in [
        "POST /api/v1/agents/a%2Fb/assist",
        "POST /api/v1/agents/%2E%2E/assist",
        "POST /api/v1/agents/../assist",
        "GET /api/v1/assist/threads/..%2F..%2Fkeys",
    ] {
        assert_eq!(raw_status(&gw.url, line).await, 404, "{line}");
    }
    let forwarded: Vec<String> = gw
        .seen
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(
        forwarded,
        [
            "/api/v1/agents/agt_support/assist",
            "/api/v1/assist/threads/thr_1"
        ]
    );
}

#[tokio::test]
async fn the_key_is_added_and_browser_credentials_never_leave() {
    let gw = gateway(|_| {}).await;
    gw.post("/api/v1/assist", json!({"message": "hi"}))
        .header("authorization", "Bearer stolen")
        .header("x-forwarded-for", "6.6.6.6")
        .header("x-forwarded-host", "evil.example")
        .send()
        .await
        .unwrap();
    let requests = gw.seen.requests.lock().unwrap();
    let (_, headers) = &requests[0];
    assert_eq!(headers["authorization"], format!("Bearer {KEY}"));
    for name in ["cookie", "x-forwarded-for", "x-forwarded-host", CSRF_HEADER] {
        assert!(!headers.contains_key(name), "{name} was forwarded");
    }
}

#[tokio::test]
async fn bodies_over_64_kib_are_413() {
    let gw = gateway(|_| {}).await;
    let response = gw
        .post("/api/v1/assist", json!({"message": "x".repeat(70 * 1024)}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 413, "body_too_large").await;
    assert!(gw.seen.requests.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_session_over_its_rate_gets_429_with_retry_after() {
    let gw = gateway(|c| {
        c.limits = LimitConfig {
            burst: 2,
            per_minute: 6,
            max_streams: 10,
        }
    })
    .await;
    for _ in 0..2 {
        let ok = gw
            .post("/api/v1/assist", json!({"message": "hi"}))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
    }
    let refused = gw
        .post("/api/v1/assist", json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    let headers = assert_problem(refused, 429, "rate_limited").await;
    assert_eq!(headers["retry-after"], "10");
    assert_eq!(
        gw.seen.requests.lock().unwrap().len(),
        2,
        "the refused one never went upstream"
    );
}

#[tokio::test]
async fn open_streams_per_session_are_capped_and_freed() {
    let gw = gateway(|c| {
        c.limits = LimitConfig {
            burst: 10,
            per_minute: 600,
            max_streams: 1,
        }
    })
    .await;
    let mut first = gw
        .post("/api/v1/assist", json!({"message": "stream"}))
        .send()
        .await
        .unwrap();
    first.chunk().await.unwrap();
    let second = gw
        .post("/api/v1/assist", json!({"message": "stream"}))
        .send()
        .await
        .unwrap();
    assert_problem(second, 429, "too_many_streams").await;
    drop(first);
    // The slot frees once the gateway notices the client is gone.
    let mut freed = false;
    for _ in 0..100 {
        let again = gw
            .post("/api/v1/assist", json!({"message": "hi"}))
            .send()
            .await
            .unwrap();
        if again.status() == 200 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "the stream slot was never freed");
}

#[tokio::test]
async fn a_browser_that_goes_away_cancels_the_upstream_stream() {
    let gw = gateway(|_| {}).await;
    let mut response = gw
        .post("/api/v1/assist", json!({"message": "stream"}))
        .send()
        .await
        .unwrap();
    assert!(response.chunk().await.unwrap().is_some());
    assert_eq!(gw.seen.open_streams.load(Ordering::SeqCst), 1);
    drop(response);
    assert!(
        eventually(|| gw.seen.stream_dropped.load(Ordering::SeqCst)).await,
        "the upstream kept streaming"
    );
    assert_eq!(gw.seen.open_streams.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_silent_upstream_is_504() {
    let gw = gateway(|c| c.upstream_timeout = Duration::from_millis(200)).await;
    let response = gw
        .post("/api/v1/assist", json!({"message": "slow"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 504, "upstream_timeout").await;
}

#[tokio::test]
async fn outside_plain_http_development_the_cookie_is_secure_when_set_and_cleared() {
    let (listener, url) = common::listener().await;
    let mut config = dev_config("http://127.0.0.1:9");
    config.dev_http = false;
    config.public_origins = vec![url.clone()];
    common::serve_gateway_on(listener, flowyte_gateway::AppState::new(config).unwrap()).await;
    // No cookie store: it would not send a Secure cookie over plain HTTP.
    let client = reqwest::Client::new();
    let started = client.post(format!("{url}/session")).send().await.unwrap();
    let set = started.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.ends_with("; Secure"), "{set}");
    // The __Host- prefix: Secure, Path=/ and no Domain, so no subdomain can set or shadow it.
    assert!(set.starts_with("__Host-flowyte_session="), "{set}");
    assert!(
        set.contains("; Path=/;") && !set.contains("Domain"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();
    let csrf = started.json::<Value>().await.unwrap()["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = client
        .delete(format!("{url}/session"))
        .header("cookie", &cookie)
        .header(CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    let cleared = ended.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.contains("Max-Age=0") && cleared.ends_with("; Secure"),
        "{cleared}"
    );
}

#[tokio::test]
async fn an_upstream_that_hangs_up_before_answering_is_502_upstream_failed() {
    // Connecting works; the request is read, then the connection is closed with no answer.
    let (addr, first) = hang_up_after_first_read().await;
    let gw = gateway_to(&format!("http://{addr}"), |_| {}).await;
    let response = gw
        .post("/api/v1/assist", json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 502, "upstream_failed").await;
    assert!(
        String::from_utf8(first.await.unwrap())
            .unwrap()
            .starts_with("POST /api/v1/assist ")
    );
}

#[tokio::test]
async fn an_https_upstream_is_spoken_to_in_tls_only() {
    let (addr, first) = hang_up_after_first_read().await;
    let gw = gateway_to(&format!("https://{addr}"), |_| {}).await;
    let response = gw
        .post("/api/v1/assist", json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    // The handshake failed (the listener hung up), so nothing was forwarded.
    assert_problem(response, 502, "upstream_unreachable").await;
    let first = first.await.unwrap();
    // A TLS handshake record (0x16, version 3.x), never a plaintext request with the key.
    assert_eq!(&first[..2], &[0x16, 0x03], "{first:?}");
    assert!(!String::from_utf8_lossy(&first).contains(KEY));
}

#[tokio::test]
async fn shutdown_stops_accepting_and_cuts_open_replies_after_the_grace() {
    let seen = Seen::default();
    let upstream_url = serve(upstream(seen.clone())).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (url, server) = serve_gateway_until(
        flowyte_gateway::AppState::new(dev_config(&upstream_url)).unwrap(),
        async {
            let _ = stopped.await;
        },
        Duration::from_millis(300),
    )
    .await;
    let gw = signed_in(url.clone()).await;
    let mut reply = gw
        .post("/api/v1/assist", json!({"message": "stream"}))
        .send()
        .await
        .unwrap();
    assert!(reply.chunk().await.unwrap().is_some());

    let asked = std::time::Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(3), server)
        .await
        .expect("serve returns once the grace is over")
        .unwrap();
    let waited = asked.elapsed();
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    // The endless reply is cut off, its upstream request cancelled, and nobody is let in.
    let rest = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(Some(_)) = reply.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the open reply ended");
    assert!(
        eventually(|| seen.open_streams.load(Ordering::SeqCst) == 0).await,
        "the upstream stream was not cancelled"
    );
    assert!(
        gw.client
            .get(format!("{url}/session"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_served_panel_carries_a_strict_csp() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><script type=\"module\">import init from '/p.js'; await init();</script>",
    )
    .unwrap();
    let dir = dist.path().to_owned();
    let gw = gateway(move |c| {
        c.dist = Some(dir);
        c.frame_ancestors = "'self' https://dashboard.example".to_owned();
    })
    .await;
    let page = gw.client.get(&gw.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("connect-src 'self'") && csp.contains("img-src 'self' data:"));
    assert!(csp.ends_with("frame-ancestors 'self' https://dashboard.example"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    // /api/ stays the gateway's even when a panel is served.
    let api = gw.post("/api/v1/unknown", json!({})).send().await.unwrap();
    assert_problem(api, 404, "not_found").await;
}
