//! The simulator's API over loopback: keys and scopes, validation, not-found, the stream's
//! shape, threads, and the copilot's documented requests.

mod common;

use std::time::Duration;

use assist_protocol::StreamEvent;
use common::{Sim, json_body, start, start_with};
use flowyte_simulator::{ApiKey, Config, DEV_KEY, READ_ONLY_KEY};
use serde_json::{Value, json};

fn assert_problem(body: &Value, status: u16, code: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    for field in ["type", "title", "detail"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
}

#[tokio::test]
async fn a_missing_or_unknown_key_is_401_and_a_missing_scope_403() {
    let sim = start().await;
    let body = json!({"message": "list my agents"});
    let missing = sim.post_as("/api/v1/assist", None, &body).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.content_type, "application/problem+json");
    assert_problem(&json_body(&missing), 401, "missing_api_key");

    let unknown = sim
        .post_as("/api/v1/assist", Some("flowyte_sk_live_nope"), &body)
        .await;
    assert_eq!(unknown.status, 401);
    assert_problem(&json_body(&unknown), 401, "invalid_api_key");

    let read_only = sim
        .post_as("/api/v1/assist", Some(READ_ONLY_KEY), &body)
        .await;
    assert_eq!(read_only.status, 403);
    let problem = json_body(&read_only);
    assert_problem(&problem, 403, "insufficient_scope");
    assert!(problem["detail"].as_str().unwrap().contains("agents:write"));
    // The same key reads threads (agents:read), and nothing ran for the refused turns.
    assert_eq!(
        sim.get_thread("thr_none", READ_ONLY_KEY).await.status(),
        404
    );
    assert_eq!(
        sim.state
            .stats
            .streams_started
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn a_tool_call_the_key_may_not_make_fails_visibly_and_changes_nothing() {
    let sim = start_with(Config {
        pace: Duration::ZERO,
        keys: vec![ApiKey::parse("flowyte_sk_test_agents_only=agents:read,agents:write").unwrap()],
        ..Config::default()
    })
    .await;
    let before = sim.account().await;
    let turn = sim
        .post_as(
            "/api/v1/assist",
            Some("flowyte_sk_test_agents_only"),
            &json!({"message": "assign the number ending 7730 to Sales Assistant"}),
        )
        .await;
    assert_eq!(turn.status, 200);
    let failed = turn.events.iter().any(|e| {
        matches!(e, StreamEvent::Progress(p) if p.status == Some(assist_protocol::StepStatus::Failed)
            && p.operation_id.as_deref() == Some("assignNumber"))
    });
    assert!(failed, "{}", turn.text());
    assert!(turn.done().reply.contains("`numbers:write`"));
    assert!(turn.done().applied_mutations.is_empty());
    assert_eq!(sim.account().await, before);
}

#[tokio::test]
async fn an_invalid_body_is_400_listing_every_field() {
    let sim = start().await;
    let turn = sim
        .post(
            "/api/v1/assist",
            &json!({"message": 3, "context": "x", "confirmed": {}}),
        )
        .await;
    assert_eq!(turn.status, 400);
    let problem = json_body(&turn);
    assert_problem(&problem, 400, "validation_error");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["message", "context", "confirmed"]);

    let response = sim
        .client
        .post(sim.url("/api/v1/assist"))
        .bearer_auth(DEV_KEY)
        .header("content-type", "application/json")
        .body("{\"message\": \"unterminated")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "body");

    let long = "x".repeat(flowyte_simulator::MAX_MESSAGE_CHARS + 1);
    assert_eq!(sim.ask(&long).await.status, 400);
}

#[tokio::test]
async fn unknown_agents_threads_and_routes_are_404_problems() {
    let sim = start().await;
    let agent = sim
        .post("/api/v1/agents/agt_9999/assist", &json!({"message": "hi"}))
        .await;
    assert_eq!(agent.status, 404);
    assert_problem(&json_body(&agent), 404, "not_found");

    let thread = sim
        .post(
            "/api/v1/assist",
            &json!({"message": "hi", "threadId": "thr_missing"}),
        )
        .await;
    assert_eq!(thread.status, 404);
    assert_problem(&json_body(&thread), 404, "not_found");

    let route = sim
        .client
        .get(sim.url("/api/v1/agents"))
        .send()
        .await
        .unwrap();
    assert_eq!(route.status(), 404);
    assert_eq!(route.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_turn_streams_steps_changes_and_reply_then_done_with_all_of_it() {
    let sim = start().await;
    let turn = sim.ask("Add an order-lookup skill to Support Bot").await;
    assert_eq!(turn.status, 200);
    assert_eq!(turn.content_type, "text/event-stream");
    assert_eq!(turn.bad_frames, 0);
    assert_eq!(turn.end, Some(assist_protocol::sse::End::Clean));
    let order: Vec<&str> = turn.types.iter().map(String::as_str).collect();
    assert_eq!(
        &order[..5],
        ["progress", "progress", "tool_call", "mutation", "tool_call"]
    );
    assert_eq!(order.last(), Some(&"done"));
    assert!(
        turn.count("delta") > 5,
        "the reply comes in pieces of a few words"
    );
    let done = turn.done();
    assert_eq!(turn.deltas(), done.reply, "deltas add up to the reply");
    let mutation = &done.applied_mutations[0];
    assert_eq!(mutation.method, "POST");
    assert_eq!(mutation.path, "/agents/agt_0001/skills");
    assert_eq!(mutation.operation_id.as_deref(), Some("createSkill"));
    assert!(
        mutation
            .summary
            .as_deref()
            .unwrap()
            .contains("Order lookup")
    );
    assert_eq!(mutation.body.as_ref().unwrap()["name"], "Order lookup");
    let streamed: Vec<_> = turn
        .events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Mutation(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        streamed, done.applied_mutations,
        "mutation frames match the result"
    );
    assert!(done.reply.contains("```json"), "code where it fits");
    // The change is real.
    let account = sim.account().await;
    assert!(
        account["skills"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "Order lookup")
    );
}

#[tokio::test]
async fn a_destructive_request_streams_a_confirmation_and_changes_nothing() {
    let sim = start().await;
    let before = sim.account().await;
    let turn = sim.ask("release the number ending 4421").await;
    assert_eq!(turn.count("confirmation"), 1);
    assert_eq!(turn.count("mutation"), 0);
    let item = &turn.done().pending_confirmations[0];
    assert_eq!(item.name(), Some("releaseNumber"));
    assert_eq!(item.method(), Some("DELETE"));
    assert_eq!(item.path(), Some("/numbers/num_0001"));
    assert_eq!(item.args().unwrap()["e164"], "+14155554421");
    assert_eq!(sim.account().await, before);
}

#[tokio::test]
async fn frames_are_paced_and_json_is_answered_when_asked_for() {
    let sim = start_with(Config {
        pace: Duration::from_millis(20),
        ..Config::default()
    })
    .await;
    let turn = sim.ask("list my agents").await;
    let span = *turn.arrivals.last().unwrap() - turn.arrivals[0];
    let gaps = turn.arrivals.len() as u32 - 1;
    assert!(
        span >= Duration::from_millis(20) * gaps,
        "{span:?} for {gaps} gaps"
    );

    let response = sim
        .client
        .post(sim.url("/api/v1/assist"))
        .bearer_auth(DEV_KEY)
        .header("accept", "application/json")
        .json(&json!({"message": "list my agents"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let result: assist_protocol::AssistResult = response.json().await.unwrap();
    assert!(result.reply.contains("Support Bot"));
}

#[tokio::test]
async fn threads_keep_history_changes_and_open_approvals() {
    let sim = start().await;
    let first = sim.ask("create an agent called “Front Desk”").await;
    let thread = first.done().thread_id.clone().unwrap();
    let second = sim
        .post(
            "/api/v1/assist",
            &json!({"message": "publish Front Desk", "threadId": thread}),
        )
        .await;
    assert_eq!(second.done().thread_id.as_deref(), Some(thread.as_str()));

    let response = sim.get_thread(&thread, DEV_KEY).await;
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["thread"]["id"], thread.as_str());
    assert_eq!(view["thread"]["agentId"], Value::Null);
    assert_eq!(
        view["thread"]["title"],
        "create an agent called “Front Desk”"
    );
    let messages = view["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant"]);
    assert_eq!(messages[1]["content"], first.done().reply.as_str());
    assert_eq!(messages[1]["mutations"][0]["operationId"], "createAgent");
    assert_eq!(
        messages[3]["pendingConfirmations"][0]["name"],
        "publishAgent"
    );
    assert_eq!(view["pendingConfirmations"].as_array().unwrap().len(), 1);
    for m in messages {
        assert!(m["id"].is_string() && m["createdAt"].is_string());
    }
}

#[tokio::test]
async fn the_agent_endpoint_works_on_its_agent_and_keeps_its_threads_apart() {
    let sim = start().await;
    let turn = sim
        .post(
            "/api/v1/agents/agt_0003/assist",
            &json!({"message": "publish it"}),
        )
        .await;
    let done = turn.done();
    assert_eq!(
        done.pending_confirmations[0].path(),
        Some("/agents/agt_0003/publish")
    );
    let thread = done.thread_id.clone().unwrap();
    let view: Value = sim.get_thread(&thread, DEV_KEY).await.json().await.unwrap();
    assert_eq!(view["thread"]["agentId"], "agt_0003");
    // An agent thread is not an account thread, nor another agent's.
    let body = json!({"message": "hi", "threadId": thread});
    assert_eq!(sim.post("/api/v1/assist", &body).await.status, 404);
    assert_eq!(
        sim.post("/api/v1/agents/agt_0001/assist", &body)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_page_context_names_the_default_agent() {
    let sim = start().await;
    let turn = sim
        .post(
            "/api/v1/assist",
            &json!({"message": "describe it", "context": {"agentId": "agt_0002", "page": "agents"}}),
        )
        .await;
    assert!(
        turn.done().reply.starts_with("### Sales Assistant"),
        "{}",
        turn.done().reply
    );
}

/// The README's table of requests is the contract with people and with the panel's empty
/// state: every request in it is understood and does something.
#[tokio::test]
async fn every_request_the_readme_documents_is_understood() {
    let readme = include_str!("../README.md");
    let requests: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("## What the copilot understands"))
        .take_while(|l| !l.starts_with("## Streams"))
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .collect();
    assert!(requests.len() >= 15, "found {requests:?}");
    for request in requests {
        let sim = start().await;
        let turn = sim.ask(request).await;
        let done = turn.done();
        assert!(
            !done.reply.starts_with("I'm not sure") && !done.reply.starts_with("Which"),
            "{request}: {}",
            done.reply
        );
        if request != "Help" {
            assert!(
                turn.count("tool_call") > 0 || turn.count("confirmation") > 0,
                "{request}"
            );
        }
    }
}

/// Something the copilot does not understand gets a short answer (a few of the closest
/// requests, and where the whole list is), not the whole list streamed word by word.
#[tokio::test]
async fn an_unknown_request_gets_a_short_answer_and_help_gets_the_list() {
    let sim = start().await;
    let unknown = sim.ask("order me a pizza").await;
    let reply = &unknown.done().reply;
    assert!(reply.contains("Say *help* for the whole list"), "{reply}");
    let suggestions = reply.lines().filter(|l| l.starts_with("- *")).count();
    assert!((1..=3).contains(&suggestions), "{reply}");
    assert!(
        reply.chars().count() < 300,
        "{} characters",
        reply.chars().count()
    );
    assert!(
        unknown.count("delta") <= 20,
        "{} deltas",
        unknown.count("delta")
    );
    assert_eq!(unknown.count("tool_call"), 0);
    assert!(unknown.done().applied_mutations.is_empty());

    let help = sim.ask("help").await;
    let reply = &help.done().reply;
    assert!(reply.contains("List my agents") && reply.contains("Release the number ending 4421"));
}

#[tokio::test]
async fn the_request_log_records_what_arrived_without_the_key() {
    let sim = start().await;
    sim.ask("list my agents").await;
    sim.post_as("/api/v1/assist", None, &json!({"message": "x"}))
        .await;
    assert_eq!(sim.get_thread("thr_none", DEV_KEY).await.status(), 404);
    // Admin calls are not logged.
    sim.account().await;
    sim.fault(json!({"kind": "no_done"})).await;
    let log = sim.requests().await;
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(
        (
            &log[2]["method"],
            &log[2]["path"],
            &log[2]["body"],
            &log[2]["status"]
        ),
        (
            &json!("GET"),
            &json!("/api/v1/assist/threads/thr_none"),
            &Value::Null,
            &json!(404)
        )
    );
    assert_eq!(log[0]["method"], "POST");
    assert_eq!(log[0]["path"], "/api/v1/assist");
    assert_eq!(log[0]["body"]["message"], "list my agents");
    assert_eq!(log[0]["status"], 200);
    assert_eq!(log[1]["status"], 401);
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("flowyte_sk_"), "the log holds no key");
    // The log can be cleared.
    sim.client
        .delete(sim.url("/__sim/requests"))
        .send()
        .await
        .unwrap();
    assert!(sim.requests().await.is_empty());
}

#[tokio::test]
async fn reset_brings_back_the_seed() {
    let sim: Sim = start().await;
    sim.ask("create an agent called Temp").await;
    assert_eq!(sim.account().await["agents"].as_array().unwrap().len(), 5);
    sim.client
        .post(sim.url("/__sim/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(sim.account().await["agents"].as_array().unwrap().len(), 4);
    assert!(sim.requests().await.is_empty());
}

#[tokio::test]
async fn call_summaries_filter_by_outcome_day_and_agent() {
    let sim = start().await;
    let failed = sim.ask("Which calls failed yesterday?").await;
    let reply = &failed.done().reply;
    assert!(
        reply.starts_with("**2 failed conversations yesterday** (of 8 in all)"),
        "{reply}"
    );
    assert_eq!(reply.matches("| error |").count(), 2);
    let call = failed
        .events
        .iter()
        .find_map(|e| match e {
            StreamEvent::Progress(p) if p.operation_id.as_deref() == Some("listConversations") => {
                p.path.clone()
            }
            _ => None,
        })
        .unwrap();
    assert!(
        call.starts_with("/conversations?from=") && call.contains("&outcome=error"),
        "{call}"
    );

    let one_agent = sim
        .ask("show transferred calls for Support Bot this week")
        .await;
    let reply = &one_agent.done().reply;
    assert!(
        reply.contains("transferred conversation") && reply.contains("for Support Bot"),
        "{reply}"
    );
    assert!(!reply.contains("| Sales Assistant |"), "{reply}");
    assert!(!reply.contains("| completed |"), "{reply}");
}
