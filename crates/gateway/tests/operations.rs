//! Operating the gateway: health and readiness (flipping when Redis or the upstream stops and
//! comes back), metrics on their own listener only (each counter moved by what causes it), and
//! JSON logs from the binary that parse line by line and never hold the key.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use flowyte_gateway::metrics::Metrics;
use flowyte_gateway::session::CSRF_HEADER;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

mod common;
use common::{Signed, dev_config, serve, serve_gateway};

/// A sample's value in the exposition: `name` with its labels as written, e.g.
/// `flowyte_gateway_rate_limit_refusals_total{kind="rate"}`.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().unwrap())
}

/// Serves the metrics router on a listener of its own, as the binary's `--metrics-addr` does.
async fn metrics_url(metrics: Arc<Metrics>) -> String {
    serve(flowyte_gateway::metrics::router(metrics)).await
}

async fn scrape(url: &str) -> String {
    let answer = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

async fn simulator() -> String {
    let sim = flowyte_simulator::AppState::new(flowyte_simulator::Config {
        pace: Duration::from_millis(2),
        ..Default::default()
    });
    serve(flowyte_simulator::app(sim)).await
}

fn ask(gateway: &str, session: &Signed, body: Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{gateway}/api/v1/assist"))
        .header("cookie", &session.cookie)
        .header(CSRF_HEADER, &session.csrf)
        .json(&body)
}

async fn ready(gateway: &str) -> (u16, Value) {
    let answer = reqwest::get(format!("{gateway}/readyz")).await.unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

/// Waits up to 5 s for `/readyz` to answer `status`.
async fn until_ready_is(gateway: &str, status: u16) -> Value {
    for _ in 0..250 {
        let (now, body) = ready(gateway).await;
        if now == status {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "/readyz never answered {status}: {:?}",
        ready(gateway).await
    );
}

/// An upstream on a fixed port that can be stopped and started again.
struct Upstream {
    port: u16,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Upstream {
    async fn start(port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let router = axum::Router::new().fallback(|| async { "up" });
        let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            port,
            task: Some(task),
        }
    }

    fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn redis_server(port: u16) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server is installed (scripts/test installs it)")
}

#[tokio::test]
async fn readiness_flips_when_redis_or_the_upstream_stops_and_comes_back() {
    let redis_port = common::free_port().await;
    let mut redis = redis_server(redis_port);
    common::wait_for_port(redis_port).await;
    let upstream_port = common::free_port().await;
    let mut upstream = Upstream::start(upstream_port).await;
    let config = dev_config(
        format!("http://127.0.0.1:{}", upstream.port),
        "flowyte_sk_test_ops",
    );
    let state =
        flowyte_gateway::AppState::with_redis(config, &format!("redis://127.0.0.1:{redis_port}"))
            .await
            .unwrap();
    let gateway = serve_gateway(state).await;
    assert_eq!(ready(&gateway).await, (200, json!({"status": "ready"})));

    redis.kill().unwrap();
    redis.wait().unwrap();
    let body = until_ready_is(&gateway, 503).await;
    assert_eq!(body["code"], "not_ready");
    assert_eq!(body["errors"][0]["field"], "session_store", "{body}");
    // Alive all the same: the process answers.
    let health = reqwest::get(format!("{gateway}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let mut redis = redis_server(redis_port);
    common::wait_for_port(redis_port).await;
    until_ready_is(&gateway, 200).await;

    upstream.stop();
    let body = until_ready_is(&gateway, 503).await;
    assert_eq!(body["errors"][0]["field"], "upstream", "{body}");
    assert_eq!(body["detail"], "Not answering: upstream.");
    let _upstream = Upstream::start(upstream_port).await;
    until_ready_is(&gateway, 200).await;
    redis.kill().unwrap();
    redis.wait().unwrap();
}

#[tokio::test]
async fn health_answers_for_any_host_but_metrics_never_on_the_public_address() {
    let state =
        flowyte_gateway::AppState::new(dev_config(simulator().await, "flowyte_sk_test_ops"))
            .unwrap();
    let metrics = metrics_url(Arc::clone(&state.metrics)).await;
    let gateway = serve_gateway(state).await;
    let public = reqwest::get(format!("{gateway}/metrics")).await.unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("flowyte_gateway_"));
    // A load balancer asks by address; the Host rule does not stand in its way there.
    let health = reqwest::Client::new()
        .get(format!("{gateway}/healthz"))
        .header("host", "10.0.0.7:8787")
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let text = scrape(&metrics).await;
    assert!(
        text.contains("# TYPE flowyte_gateway_open_streams gauge"),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_http_requests_total{route=\"/api/other\",status=\"404\"}"
        ),
        0.0,
        "/metrics on the public address counts as static, not as an API route"
    );
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_http_requests_total{route=\"static\",status=\"404\"}"
        ),
        1.0
    );
}

#[tokio::test]
async fn each_counter_moves_when_its_cause_happens() {
    let sim = simulator().await;
    let mut config = dev_config(&sim, flowyte_simulator::DEV_KEY);
    config.limits.burst = 6;
    // One token a minute: none comes back while the test runs.
    config.limits.per_minute = 1;
    let state = flowyte_gateway::AppState::new(config).unwrap();
    let metrics = metrics_url(Arc::clone(&state.metrics)).await;
    let gateway = serve_gateway(state).await;
    let session = common::sign_in(&reqwest::Client::new(), &gateway).await;

    // A reply, held open for a moment: the gauge is 1 while it streams, 0 after.
    reqwest::Client::new()
        .post(format!("{sim}/__sim/faults"))
        .json(&json!({"kind": "stall", "betweenMs": 300}))
        .send()
        .await
        .unwrap();
    let mut held = ask(&gateway, &session, json!({"message": "list my agents"}))
        .send()
        .await
        .unwrap();
    held.chunk().await.unwrap();
    assert_eq!(
        sample(&scrape(&metrics).await, "flowyte_gateway_open_streams"),
        1.0
    );
    while held.chunk().await.unwrap().is_some() {}
    let text = scrape(&metrics).await;
    assert_eq!(sample(&text, "flowyte_gateway_open_streams"), 0.0);
    assert_eq!(
        sample(&text, "flowyte_gateway_stream_duration_seconds_count"),
        1.0
    );
    assert_eq!(
        sample(&text, "flowyte_gateway_upstream_first_byte_seconds_count"),
        1.0
    );
    assert!(
        sample(&text, "flowyte_gateway_streamed_bytes_total") > 100.0,
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_http_requests_total{route=\"/api/v1/assist\",status=\"200\"}"
        ),
        1.0
    );

    // A confirmation forwarded, then refused as already approved.
    let proposal = ask(
        &gateway,
        &session,
        json!({"message": "release the number ending 4421"}),
    )
    .send()
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let done = proposal.rsplit("data:").next().unwrap().trim();
    let done: Value = serde_json::from_str(done).unwrap();
    let approve = json!({
        "message": "release the number ending 4421",
        "threadId": done["threadId"],
        "confirmed": done["pendingConfirmations"],
    });
    ask(&gateway, &session, approve.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        ask(&gateway, &session, approve)
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    let text = scrape(&metrics).await;
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_confirmations_total{outcome=\"forwarded\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_confirmations_total{outcome=\"already_confirmed\"}"
        ),
        1.0
    );

    // Over the person's rate (6 in the burst, 4 spent).
    let mut refused = 0;
    for _ in 0..4 {
        let answer = ask(&gateway, &session, json!({"message": "hi"}))
            .send()
            .await
            .unwrap();
        if answer.status() == 429 {
            refused += 1;
        }
        answer.text().await.unwrap();
    }
    assert_eq!(refused, 2);
    let text = scrape(&metrics).await;
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_rate_limit_refusals_total{kind=\"rate\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_http_requests_total{route=\"/api/v1/assist\",status=\"429\"}"
        ),
        2.0
    );
    // No label names a person, a session or an id.
    for secret in [
        session.csrf.as_str(),
        "developer",
        "agt_",
        "thr_",
        "num_0001",
    ] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
}

#[tokio::test]
async fn an_unreachable_upstream_counts_as_an_upstream_error() {
    let closed = common::unreachable_url().await;
    let state =
        flowyte_gateway::AppState::new(dev_config(closed.clone(), "flowyte_sk_test_ops")).unwrap();
    let metrics = metrics_url(Arc::clone(&state.metrics)).await;
    let gateway = serve_gateway(state).await;
    let session = common::sign_in(&reqwest::Client::new(), &gateway).await;
    assert_eq!(
        ask(&gateway, &session, json!({"message": "hi"}))
            .send()
            .await
            .unwrap()
            .status(),
        502
    );
    let text = scrape(&metrics).await;
    assert_eq!(
        sample(
            &text,
            "flowyte_gateway_upstream_errors_total{kind=\"unreachable\"}"
        ),
        1.0
    );
}

#[tokio::test]
async fn json_logs_from_the_binary_parse_line_by_line_and_never_hold_the_key() {
    let key = "flowyte_sk_test_json_logs_0123456789";
    let closed = common::unreachable_url().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_flowyte-gateway"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--dev-http",
            "--dev-sign-in",
            "--log-format",
            "json",
        ])
        .args(["--audit-log", "/dev/null", "--metrics-addr", "127.0.0.1:0"])
        .env("FLOWYTE_API_BASE", closed)
        .env("FLOWYTE_API_KEY", key)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut gateway, mut metrics) = (None, None);
    while gateway.is_none() {
        let line = out.next_line().await.unwrap().unwrap();
        if let Some(url) = line.strip_prefix("metrics listening on ") {
            metrics = Some(url.to_owned());
        }
        if let Some(url) = line.strip_prefix("gateway listening on ") {
            gateway = Some(url.to_owned());
        }
    }
    let (gateway, metrics) = (
        gateway.unwrap(),
        metrics.expect("the metrics address is printed"),
    );
    let session = common::sign_in(&reqwest::Client::new(), &gateway).await;
    assert_eq!(
        ask(&gateway, &session, json!({"message": "hi"}))
            .send()
            .await
            .unwrap()
            .status(),
        502
    );
    assert!(
        scrape(&metrics)
            .await
            .contains("flowyte_gateway_upstream_errors_total")
    );
    child.start_kill().unwrap();
    let mut logs = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut logs)
        .await
        .unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(lines.len() > 3, "{logs}");
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "upstream request failed"),
        "{logs}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string())
    );
    assert!(
        !logs.contains(key) && !logs.contains("json_logs_0123"),
        "{logs}"
    );
}
