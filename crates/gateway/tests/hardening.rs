//! The gateway's hardening, each rule tried the way an attacker would, over real loopback
//! HTTP: a rebinding host name, an upstream that redirects, a body that never finishes, a
//! second session that would double a person's budget, caches that keep a CSRF token.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::any;
use flowyte_gateway::limits::LimitConfig;
use flowyte_gateway::session::CSRF_HEADER;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::{dev_config, serve, serve_gateway};

const KEY: &str = "flowyte_sk_test_hardening_key_0123";

/// An upstream that answers every request with `{"ok": true}`, counting them.
async fn counting_upstream() -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let url = serve(Router::new().fallback(any(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            axum::Json(json!({"ok": true})).into_response()
        }
    })))
    .await;
    (url, count)
}

/// Sends raw HTTP/1.1 to `base` and returns the status and the whole answer.
async fn raw(base: &str, request: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    (answer[9..12].parse().unwrap(), answer)
}

#[tokio::test]
async fn a_rebinding_host_name_is_refused_before_anything_else() {
    let (upstream, _) = counting_upstream().await;
    let gateway =
        serve_gateway(flowyte_gateway::AppState::new(dev_config(&upstream, KEY)).unwrap()).await;
    let port = gateway.rsplit(':').next().unwrap();
    // A page on evil.example, whose name was made to resolve to 127.0.0.1: Host and Origin
    // agree with each other, so only the Host check stops it.
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
    ] {
        let (status, answer) = raw(
            &gateway,
            &format!(
                "POST /session HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert_eq!(status, 421, "{answer}");
        assert!(answer.contains("\"code\":\"unknown_host\""), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("set-cookie"),
            "{answer}"
        );
    }
    // Loopback names on any port are the gateway's own under --dev-http.
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let (status, _) = raw(
            &gateway,
            &format!(
                "POST /session HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert_eq!(status, 201, "{host}");
    }
}

#[tokio::test]
async fn outside_development_only_the_public_origin_is_served() {
    let (listener, url) = common::listener().await;
    let mut config = dev_config("http://127.0.0.1:9", KEY);
    config.dev_http = false;
    config.public_origins = vec!["https://copilot.northwind.example".to_owned()];
    common::serve_gateway_on(listener, flowyte_gateway::AppState::new(config).unwrap()).await;
    let ask = |host: &str, origin: &str| {
        format!(
            "POST /session HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
    };
    let public = "https://copilot.northwind.example";
    assert_eq!(
        raw(&url, &ask("copilot.northwind.example", public)).await.0,
        201
    );
    // Not even loopback, and not the right host from another origin.
    let port = url.rsplit(':').next().unwrap();
    assert_eq!(
        raw(&url, &ask(&format!("127.0.0.1:{port}"), public))
            .await
            .0,
        421
    );
    let (status, answer) = raw(
        &url,
        &ask("copilot.northwind.example", "https://evil.example"),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("cross_site_request"));
}

#[tokio::test]
async fn an_upstream_redirect_is_never_followed_with_the_key() {
    let (elsewhere, reached) = counting_upstream().await;
    let target = format!("{elsewhere}/api/v1/keys");
    let redirecting = serve(Router::new().fallback(any(move || {
        let target = target.clone();
        async move { axum::response::Redirect::temporary(&target).into_response() }
    })))
    .await;
    let gateway =
        serve_gateway(flowyte_gateway::AppState::new(dev_config(&redirecting, KEY)).unwrap()).await;
    let client = common::browser();
    let session = common::sign_in(&client, &gateway).await;
    let answer = client
        .post(format!("{gateway}/api/v1/assist"))
        .header(CSRF_HEADER, &session.csrf)
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    assert!(answer.headers().get("location").is_none());
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(problem["code"], "upstream_redirect");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect target was never asked"
    );
}

#[tokio::test]
async fn the_session_is_checked_before_the_body_and_a_stalled_body_is_cut() {
    let (upstream, reached) = counting_upstream().await;
    let mut config = dev_config(&upstream, KEY);
    config.body_timeout = Duration::from_millis(400);
    let gateway = serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await;
    let addr = gateway.trim_start_matches("http://").to_owned();

    // No session: refused at once, though the announced body never arrives.
    let started = Instant::now();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(
        format!(
            "POST /api/v1/assist HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: 1000\r\n\r\n{{\"message\":"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(2), tcp.read_exact(&mut head))
        .await
        .expect("refused without waiting for the body")
        .unwrap();
    assert_eq!(&head[9..12], b"401");
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    // A session whose body stalls: cut after the timeout with 408, nothing forwarded.
    let client = common::browser();
    let session = common::sign_in(&client, &gateway).await;
    let started = Instant::now();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(
        format!(
            "POST /api/v1/assist HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\n{CSRF_HEADER}: {}\r\n\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"message\":",
            session.cookie, session.csrf
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut answer))
        .await
        .expect("answered while the body still stalls")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(350) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(reached.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn session_answers_are_never_cached_and_proxied_answers_never_sniffed() {
    let (upstream, _) = counting_upstream().await;
    let gateway =
        serve_gateway(flowyte_gateway::AppState::new(dev_config(&upstream, KEY)).unwrap()).await;
    let client = common::browser();
    let started = client
        .post(format!("{gateway}/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.headers()["cache-control"], "no-store");
    let body: Value = started.json().await.unwrap();
    let joined = client
        .get(format!("{gateway}/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 200);
    assert_eq!(joined.headers()["cache-control"], "no-store");
    let joined: Value = joined.json().await.unwrap();
    assert_eq!(joined["csrfToken"], body["csrfToken"]);
    assert_eq!(joined["role"], "approver");
    assert_eq!(joined["user"]["sub"], "developer");
    let signed_out = common::browser()
        .get(format!("{gateway}/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_out.status(),
        200,
        "signed out is an answer, not an error"
    );
    assert_eq!(signed_out.headers()["cache-control"], "no-store");
    let signed_out: Value = signed_out.json().await.unwrap();
    assert_eq!(
        signed_out,
        json!({"signedIn": false, "login": null, "devSignIn": true})
    );
    let proxied = client
        .post(format!("{gateway}/api/v1/assist"))
        .header(CSRF_HEADER, body["csrfToken"].as_str().unwrap())
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused_before_the_upstream() {
    let (upstream, reached) = counting_upstream().await;
    let gateway =
        serve_gateway(flowyte_gateway::AppState::new(dev_config(&upstream, KEY)).unwrap()).await;
    let client = common::browser();
    let session = common::sign_in(&client, &gateway).await;
    for body in ["not json", "[1,2]", "\"text\""] {
        let answer = client
            .post(format!("{gateway}/api/v1/assist"))
            .header(CSRF_HEADER, &session.csrf)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{body}");
        assert_eq!(
            answer.json::<Value>().await.unwrap()["code"],
            "invalid_body"
        );
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn more_sessions_buy_a_person_no_more_budget() {
    let (upstream, reached) = counting_upstream().await;
    let mut config = dev_config(&upstream, KEY);
    config.limits = LimitConfig {
        burst: 3,
        per_minute: 1,
        max_streams: 10,
    };
    let gateway = serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await;
    // The same (development) person, five sessions: one budget.
    let mut sessions = Vec::new();
    for _ in 0..5 {
        let client = common::browser();
        let session = common::sign_in(&client, &gateway).await;
        sessions.push((client, session));
    }
    let mut statuses = Vec::new();
    for (client, session) in sessions.iter().cycle().take(6) {
        let answer = client
            .post(format!("{gateway}/api/v1/assist"))
            .header(CSRF_HEADER, &session.csrf)
            .json(&json!({"message": "hi"}))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
    assert_eq!(reached.load(Ordering::SeqCst), 3);
}
