//! Simulator and gateway over real loopback HTTP: a session, then an `/assist` stream that must
//! reach the client frame by frame, before the upstream has finished writing it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use assist_protocol::{StreamEvent, sse};
use flowyte_gateway::session::CSRF_HEADER;
use futures_util::StreamExt;
use serde_json::{Value, json};

mod common;
use common::{browser as client, serve, serve_gateway};

struct Servers {
    gateway: String,
    sim: flowyte_simulator::AppState,
}

async fn start(pace: Duration) -> Servers {
    let sim = flowyte_simulator::AppState::new(flowyte_simulator::Config {
        pace,
        ..Default::default()
    });
    let upstream = serve(flowyte_simulator::app(sim.clone())).await;
    let config = common::dev_config(upstream, flowyte_simulator::DEV_KEY);
    let gateway = serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await;
    Servers { gateway, sim }
}

#[tokio::test]
async fn frames_arrive_through_the_gateway_before_the_upstream_finishes() {
    let servers = start(Duration::from_millis(150)).await;
    let client = client();
    let csrf = common::sign_in(&client, &servers.gateway).await.csrf;

    let response = client
        .post(format!("{}/api/v1/assist", servers.gateway))
        .header(CSRF_HEADER, &csrf)
        .json(&json!({"message": "list my agents"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.headers()["x-accel-buffering"], "no");

    let mut body = response.bytes_stream();
    let mut decoder = sse::Decoder::new();
    let mut events = Vec::new();
    let mut finished_when_first_arrived = None;
    while let Some(chunk) = body.next().await {
        for event in decoder.feed(&chunk.unwrap()).unwrap() {
            if events.is_empty() {
                finished_when_first_arrived =
                    Some(servers.sim.stats.streams_finished.load(Ordering::SeqCst));
            }
            events.push(StreamEvent::from_sse(event.as_ref()).unwrap());
        }
    }
    assert_eq!(decoder.finish(), sse::End::Clean);
    assert_eq!(
        finished_when_first_arrived,
        Some(0),
        "the first frame must arrive while the upstream is still writing"
    );
    assert_eq!(servers.sim.stats.streams_finished.load(Ordering::SeqCst), 1);
    assert!(matches!(events[0], StreamEvent::Progress(_)));
    assert!(
        events
            .iter()
            .filter(|e| matches!(e, StreamEvent::Delta(_)))
            .count()
            >= 2
    );
    let Some(StreamEvent::Done(Some(result))) = events.last() else {
        panic!("the stream must end with done carrying the result: {events:?}");
    };
    assert!(result.reply.contains("Support Bot"), "{}", result.reply);
    assert!(result.thread_id.as_deref().unwrap().starts_with("thr_"));
}

#[tokio::test]
async fn without_a_session_the_call_is_401_problem_json() {
    let servers = start(Duration::ZERO).await;
    let response = client()
        .post(format!("{}/api/v1/assist", servers.gateway))
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "session_expired");
    assert_eq!(servers.sim.stats.streams_started.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_wrong_csrf_token_or_a_cross_site_origin_is_403() {
    let servers = start(Duration::ZERO).await;
    let client = client();
    let csrf = common::sign_in(&client, &servers.gateway).await.csrf;
    let url = format!("{}/api/v1/assist", servers.gateway);
    let body = json!({"message": "hi"});

    let wrong = client
        .post(&url)
        .header(CSRF_HEADER, "0".repeat(64))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let cross = client
        .post(&url)
        .header(CSRF_HEADER, &csrf)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(servers.sim.stats.streams_started.load(Ordering::SeqCst), 0);

    // Every route of the gateway's own is covered, the session routes and thread reads too.
    let session = format!("{}/session", servers.gateway);
    let thread = format!("{}/api/v1/assist/threads/thr_1", servers.gateway);
    for request in [
        client.post(&session),
        client.get(&session),
        client.delete(&session),
        client.get(&thread),
    ] {
        let cross = request
            .header(CSRF_HEADER, &csrf)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(cross.status(), 403, "{}", cross.url());
    }
    assert_eq!(client.get(&session).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn upstream_errors_pass_through_and_the_key_never_leaves() {
    let servers = start(Duration::ZERO).await;
    let client = client();
    let csrf = common::sign_in(&client, &servers.gateway).await.csrf;
    let response = client
        .post(format!("{}/api/v1/assist", servers.gateway))
        .header(CSRF_HEADER, &csrf)
        .json(&json!({"message": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let headers = format!("{:?}", response.headers());
    let body = response.text().await.unwrap();
    assert!(body.contains("\"field\":\"message\""), "{body}");
    assert!(!headers.contains("flowyte_sk_") && !body.contains("flowyte_sk_"));
}

#[tokio::test]
async fn an_unreachable_upstream_is_502_problem_json() {
    // Bind then drop a listener so the port is very likely closed.
    let closed = common::unreachable_url().await;
    let config = common::dev_config(closed, "flowyte_sk_test_x");
    let gateway = serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await;
    let client = client();
    let csrf = common::sign_in(&client, &gateway).await.csrf;
    let response = client
        .post(format!("{gateway}/api/v1/assist"))
        .header(CSRF_HEADER, &csrf)
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "upstream_unreachable");
}
