//! Fault injection over loopback: every kind, its count, its route.

mod common;

use std::time::Duration;

use assist_protocol::StreamEvent;
use assist_protocol::sse::End;
use common::{json_body, start, start_with};
use flowyte_simulator::{Config, DEV_KEY};
use serde_json::json;

const ASK: &str = "add an order-lookup skill to Support Bot";

#[tokio::test]
async fn drop_after_frames_cuts_the_connection_but_the_change_stays() {
    let sim = start().await;
    sim.fault(json!({"kind": "drop_after_frames", "frames": 3}))
        .await;
    let turn = sim.ask(ASK).await;
    assert_eq!(turn.status, 200);
    assert!(turn.cut, "the body ends in an error, not cleanly");
    assert_eq!(turn.types, ["progress", "progress", "tool_call"]);
    assert!(turn.result().is_none());
    let skills = sim.account().await["skills"].as_array().unwrap().len();
    assert_eq!(skills, 8, "the change was applied before the stream broke");
    // The next request is healthy again.
    assert!(sim.ask("list my agents").await.result().is_some());
}

#[tokio::test]
async fn stall_before_holds_even_the_headers() {
    let sim = start().await;
    sim.fault(json!({"kind": "stall", "beforeMs": 400})).await;
    let turn = sim.ask("list my agents").await;
    assert!(
        turn.first_byte.unwrap() >= Duration::from_millis(400),
        "{:?}",
        turn.first_byte
    );
    assert!(turn.result().is_some());
}

#[tokio::test]
async fn a_stall_between_frames_sends_keep_alives_unless_silent() {
    let sim = start_with(Config {
        pace: Duration::ZERO,
        keep_alive: Duration::from_millis(25),
        ..Config::default()
    })
    .await;
    // A short turn: the copilot asks which agent.
    sim.fault(json!({"kind": "stall", "betweenMs": 60})).await;
    let turn = sim.ask("publish").await;
    let comments = turn.text().matches(": keep-alive\n\n").count();
    let gaps = turn.types.len() - 1;
    assert!(comments >= 2 * gaps, "{comments} comments for {gaps} gaps");
    assert!(
        turn.result().is_some(),
        "comments do not disturb the events"
    );

    sim.fault(json!({"kind": "stall", "betweenMs": 60, "silent": true}))
        .await;
    let silent = sim.ask("publish").await;
    assert!(!silent.text().contains(": keep-alive"));
    assert!(silent.result().is_some());
}

#[tokio::test]
async fn status_faults_answer_a_problem_and_run_nothing() {
    let sim = start().await;
    sim.fault(
        json!({"kind": "status", "status": 503, "code": "maintenance", "detail": "Back soon."}),
    )
    .await;
    let turn = sim.ask(ASK).await;
    assert_eq!(turn.status, 503);
    assert_eq!(turn.content_type, "application/problem+json");
    let problem = json_body(&turn);
    assert_eq!(problem["code"], "maintenance");
    assert_eq!(problem["detail"], "Back soon.");
    assert_eq!(sim.account().await["skills"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn rate_limit_says_when_to_retry() {
    let sim = start().await;
    sim.fault(json!({"kind": "rate_limit", "retryAfter": 7}))
        .await;
    let response = sim
        .client
        .post(sim.url("/api/v1/assist"))
        .bearer_auth(DEV_KEY)
        .json(&json!({"message": ASK}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(sim.account().await["skills"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn a_malformed_frame_breaks_the_contract_where_asked() {
    let sim = start().await;
    sim.fault(json!({"kind": "malformed_frame", "afterFrames": 2}))
        .await;
    let turn = sim.ask("list my agents").await;
    assert_eq!(turn.bad_frames, 1);
    assert_eq!(turn.types[2], "delta");
    assert!(
        turn.text()
            .contains("data:{\"text\": \"this frame is cut\n\n")
    );

    sim.fault(
        json!({"kind": "malformed_frame", "afterFrames": 0, "raw": "event:done\ndata:[1,2\n\n"}),
    )
    .await;
    let raw = sim.ask("list my agents").await;
    assert_eq!(raw.types[0], "done");
    assert_eq!(raw.bad_frames, 1);
}

#[tokio::test]
async fn an_error_frame_replaces_the_rest_of_the_stream() {
    let sim = start().await;
    sim.fault(json!({"kind": "error_frame", "afterFrames": 3, "code": "model_overloaded"}))
        .await;
    let turn = sim.ask("list my agents").await;
    assert_eq!(turn.types.len(), 4);
    let Some(StreamEvent::Error(problem)) = turn.events.last() else {
        panic!("{}", turn.text());
    };
    assert_eq!(problem.code.as_deref(), Some("model_overloaded"));
    assert_eq!(problem.status, Some(500));
}

#[tokio::test]
async fn no_done_ends_cleanly_without_the_result() {
    let sim = start().await;
    sim.fault(json!({"kind": "no_done"})).await;
    let turn = sim.ask("list my agents").await;
    assert!(!turn.cut);
    assert_eq!(turn.end, Some(End::Clean));
    assert!(turn.count("delta") > 3);
    assert_eq!(turn.count("done"), 0);
}

#[tokio::test]
async fn byte_writes_arrive_in_many_pieces_and_decode_the_same() {
    let sim = start().await;
    let whole = sim.ask("list my agents").await;
    sim.fault(json!({"kind": "byte_writes"})).await;
    let bytes = sim.ask("list my agents").await;
    assert!(
        bytes.chunks > 4 * whole.chunks.max(whole.types.len()),
        "{} reads vs {} for the normal stream",
        bytes.chunks,
        whole.chunks
    );
    assert_eq!(bytes.types, whole.types);
    assert_eq!(bytes.done().reply, whole.done().reply);
}

#[tokio::test]
async fn json_answers_replace_the_stream_with_or_without_the_envelope() {
    let sim = start().await;
    sim.fault(json!({"kind": "json"})).await;
    let plain = sim.ask("list my agents").await;
    assert_eq!(plain.content_type, "application/json");
    let result = assist_protocol::parse_json_result(&plain.text()).unwrap();
    assert!(result.reply.contains("Support Bot"));
    assert!(json_body(&plain)["reply"].is_string());

    sim.fault(json!({"kind": "json", "envelope": true})).await;
    let wrapped = sim.ask("list my agents").await;
    let body = json_body(&wrapped);
    assert_eq!(body["success"], true);
    assert!(body["data"]["reply"].is_string());
    assert!(assist_protocol::parse_json_result(&wrapped.text()).is_ok());
}

#[tokio::test]
async fn slow_deltas_space_the_reply_out() {
    let sim = start().await;
    sim.fault(json!({"kind": "slow_deltas", "ms": 40})).await;
    let turn = sim.ask("list my agents").await;
    let deltas: Vec<Duration> = turn
        .types
        .iter()
        .zip(&turn.arrivals)
        .filter(|(t, _)| *t == "delta")
        .map(|(_, at)| *at)
        .collect();
    let span = *deltas.last().unwrap() - deltas[0];
    assert!(
        span >= Duration::from_millis(40) * (deltas.len() as u32 - 1),
        "{span:?}"
    );
}

#[tokio::test]
async fn a_fault_lasts_its_count_and_keeps_to_its_route() {
    let sim = start().await;
    sim.fault(json!([
        {"kind": "status", "status": 500, "route": "threads"},
        {"kind": "no_done", "times": 2},
    ]))
    .await;
    let queued: Vec<serde_json::Value> = sim.get_json("/__sim/faults").await;
    assert_eq!(queued.len(), 2);
    let first = sim.ask("list my agents").await;
    assert!(first.result().is_none());
    assert!(sim.ask("list my agents").await.result().is_none());
    assert!(
        sim.ask("list my agents").await.result().is_some(),
        "used up after two"
    );
    // The threads fault waited for a threads request.
    let thread = "thr_any";
    assert_eq!(sim.get_thread(thread, DEV_KEY).await.status(), 500);
    assert_eq!(sim.get_thread(thread, DEV_KEY).await.status(), 404);
    // Clearing the queue.
    sim.fault(json!({"kind": "no_done"})).await;
    sim.client
        .delete(sim.url("/__sim/faults"))
        .send()
        .await
        .unwrap();
    assert!(sim.ask("list my agents").await.result().is_some());
}

#[tokio::test]
async fn a_fault_that_is_not_one_is_a_400_saying_why() {
    let sim = start().await;
    let response = sim
        .client
        .post(sim.url("/__sim/faults"))
        .json(&json!({"kind": "stall", "beforeMS": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("beforeMS"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_request_log_counts_what_really_reached_the_upstream() {
    let sim = start().await;
    sim.fault(json!({"kind": "status", "status": 502})).await;
    sim.ask("release the number ending 4421").await;
    sim.ask("list my agents").await;
    let log = sim.requests().await;
    let statuses: Vec<u64> = log.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [502, 200]);
    assert_eq!(log[0]["body"]["message"], "release the number ending 4421");
}
