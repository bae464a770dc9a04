//! The confirmation ledger over real HTTP, in front of the simulator: a confirmed item goes
//! upstream at most once — twice in a row, twice at once, through two gateways on one Redis —
//! and an answer that broke off leaves it in doubt until its thread tells what happened, while an
//! upstream that certainly did not act releases it.

use std::time::Duration;

use assist_protocol::{StreamEvent, sse};
use flowyte_gateway::session::CSRF_HEADER;
use serde_json::{Value, json};

mod common;
use common::{Signed, dev_config, serve, serve_gateway};

const NUMBER: &str = "release the number ending 4421";

async fn simulator() -> String {
    let sim = flowyte_simulator::AppState::new(flowyte_simulator::Config {
        pace: Duration::ZERO,
        ..Default::default()
    });
    serve(flowyte_simulator::app(sim)).await
}

async fn gateway(upstream: &str) -> String {
    let config = dev_config(upstream, flowyte_simulator::DEV_KEY);
    serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await
}

fn post(base: &str, session: &Signed, body: &Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/assist"))
        .header("cookie", &session.cookie)
        .header(CSRF_HEADER, &session.csrf)
        .json(body)
}

/// The events of a whole answer, or an error if its stream broke.
async fn events(response: reqwest::Response) -> Result<Vec<StreamEvent>, String> {
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let mut decoder = sse::Decoder::new();
    Ok(decoder
        .feed(&bytes)
        .unwrap()
        .iter()
        .map(|e| StreamEvent::from_sse(e.as_ref()).unwrap())
        .collect())
}

/// Whether the answer ended as one whose upstream broke: a clean `error` frame coded
/// `upstream_broken` (or, inside a frame, a cut).
async fn broke_off(response: reqwest::Response) -> bool {
    match events(response).await {
        Err(_) => true,
        Ok(events) => matches!(
            events.last(),
            Some(StreamEvent::Error(p)) if p.code.as_deref() == Some("upstream_broken")
        ),
    }
}

/// Asks for the number's release; the approval request body that confirms the proposal.
async fn proposal(base: &str, session: &Signed) -> Value {
    proposal_of(base, session, NUMBER).await
}

/// Sends `message` (a destructive request); the body that confirms what it proposes.
async fn proposal_of(base: &str, session: &Signed, message: &str) -> Value {
    let answer = post(base, session, &json!({"message": message}))
        .send()
        .await
        .unwrap();
    let Some(StreamEvent::Done(Some(result))) = events(answer).await.unwrap().pop() else {
        panic!("no done");
    };
    let item = result.pending_confirmations[0].clone();
    json!({"message": message, "threadId": result.thread_id, "confirmed": [item]})
}

async fn problem(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 409);
    response.json().await.unwrap()
}

/// How many requests confirming something reached the simulator.
async fn confirmed_upstream(sim: &str) -> usize {
    let log: Vec<Value> = reqwest::get(format!("{sim}/__sim/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log.iter()
        .filter(|r| {
            r["body"]["confirmed"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
        })
        .count()
}

async fn fault(sim: &str, fault: Value) {
    let answer = reqwest::Client::new()
        .post(format!("{sim}/__sim/faults"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
}

#[tokio::test]
async fn an_approval_goes_upstream_once_and_a_repeat_names_who_approved() {
    let sim = simulator().await;
    let gw = gateway(&sim).await;
    let tab = common::sign_in(&reqwest::Client::new(), &gw).await;
    let approve = proposal(&gw, &tab).await;
    let first = post(&gw, &tab, &approve).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert!(matches!(
        events(first).await.unwrap().last(),
        Some(StreamEvent::Done(_))
    ));

    // Another tab (another session of the same person), the items' fields in another order.
    let other = common::sign_in(&reqwest::Client::new(), &gw).await;
    let mut reordered = approve.clone();
    let item = reordered["confirmed"][0].as_object().unwrap().clone();
    let mut fields: Vec<(String, Value)> = item.into_iter().collect();
    fields.reverse();
    reordered["confirmed"][0] = Value::Object(fields.into_iter().collect());
    let again = problem(post(&gw, &other, &reordered).send().await.unwrap()).await;
    assert_eq!(again["code"], "already_confirmed");
    let detail = again["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("Developer (developer@localhost) approved this on "),
        "{detail}"
    );
    assert_eq!(confirmed_upstream(&sim).await, 1);
}

#[tokio::test]
async fn two_approvals_at_once_send_one() {
    let sim = simulator().await;
    let gw = gateway(&sim).await;
    let a = common::sign_in(&reqwest::Client::new(), &gw).await;
    let b = common::sign_in(&reqwest::Client::new(), &gw).await;
    let approve = proposal(&gw, &a).await;
    let (one, two) = tokio::join!(
        post(&gw, &a, &approve).send(),
        post(&gw, &b, &approve).send()
    );
    let mut statuses = [
        one.unwrap().status().as_u16(),
        two.unwrap().status().as_u16(),
    ];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(confirmed_upstream(&sim).await, 1);
}

#[tokio::test]
async fn an_answer_that_broke_off_is_settled_from_its_thread_or_stays_in_doubt() {
    let sim = simulator().await;
    let gw = gateway(&sim).await;
    let tab = common::sign_in(&reqwest::Client::new(), &gw).await;
    let approve = proposal(&gw, &tab).await;
    // The connection to the upstream breaks after the confirmation reached it (it acted).
    fault(&sim, json!({"kind": "drop_after_frames", "frames": 1})).await;
    let cut = post(&gw, &tab, &approve).send().await.unwrap();
    assert_eq!(cut.status(), 200);
    // Broken between frames: the browser's stream ends cleanly, with an `error` frame that
    // says so (no cut connection for the browser to report as a network error).
    let frames = events(cut).await.expect("a clean end");
    assert!(
        matches!(frames.last(), Some(StreamEvent::Error(p)) if p.code.as_deref() == Some("upstream_broken")),
        "{frames:?}"
    );
    // Its thread cannot be read now: the outcome stays unknown.
    fault(
        &sim,
        json!({"kind": "status", "status": 503, "route": "threads"}),
    )
    .await;
    let again = problem(post(&gw, &tab, &approve).send().await.unwrap()).await;
    assert_eq!(again["code"], "confirmation_in_doubt");
    assert!(
        again["detail"]
            .as_str()
            .unwrap()
            .contains("may have been carried out")
    );
    // The thread records the release: a repeat is refused as approved, from now on.
    for _ in 0..2 {
        let settled = problem(post(&gw, &tab, &approve).send().await.unwrap()).await;
        assert_eq!(settled["code"], "already_confirmed", "{settled}");
    }
    assert_eq!(
        confirmed_upstream(&sim).await,
        1,
        "never sent a second time"
    );
}

#[tokio::test]
async fn an_approval_the_upstream_never_acted_on_is_sent_again_once() {
    let sim = simulator().await;
    let mut config = dev_config(&sim, flowyte_simulator::DEV_KEY);
    config.upstream_timeout = Duration::from_millis(300);
    let gw = serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await;
    let tab = common::sign_in(&reqwest::Client::new(), &gw).await;
    let approve = proposal(&gw, &tab).await;
    // Sent, and no answer in time: in doubt. (The upstream gave up before it ran anything.)
    fault(&sim, json!({"kind": "stall", "beforeMs": 2000})).await;
    let timed_out = post(&gw, &tab, &approve).send().await.unwrap();
    assert_eq!(timed_out.status(), 504);
    // Its thread still offers the item and records nothing: it goes upstream again, and
    // is carried out; two tabs repeating it at once still send it once.
    let (a, b) = tokio::join!(
        post(&gw, &tab, &approve).send(),
        post(&gw, &tab, &approve).send()
    );
    let mut statuses = [a.unwrap(), b.unwrap()];
    statuses.sort_by_key(reqwest::Response::status);
    let [ok, refused] = statuses;
    assert_eq!(
        (ok.status().as_u16(), refused.status().as_u16()),
        (200, 409)
    );
    assert!(matches!(
        events(ok).await.unwrap().pop(),
        Some(StreamEvent::Done(_))
    ));
    let last = problem(post(&gw, &tab, &approve).send().await.unwrap()).await;
    assert_eq!(last["code"], "already_confirmed");
    // One ran (the simulator logs a request once it answered it: the one the gateway gave up
    // on was dropped unrun).
    assert_eq!(confirmed_upstream(&sim).await, 1);
}

#[tokio::test]
async fn an_upstream_that_refused_before_any_stream_releases_the_approval() {
    let sim = simulator().await;
    let gw = gateway(&sim).await;
    let tab = common::sign_in(&reqwest::Client::new(), &gw).await;
    let approve = proposal(&gw, &tab).await;
    fault(
        &sim,
        json!({"kind": "status", "status": 503, "code": "maintenance"}),
    )
    .await;
    let refused = post(&gw, &tab, &approve).send().await.unwrap();
    assert_eq!(refused.status(), 503);
    refused.text().await.unwrap();
    // Nothing was done, so the person may approve again, and it goes through.
    let retried = post(&gw, &tab, &approve).send().await.unwrap();
    assert_eq!(retried.status(), 200);
    assert!(matches!(
        events(retried).await.unwrap().last(),
        Some(StreamEvent::Done(_))
    ));
    assert_eq!(confirmed_upstream(&sim).await, 2);
}

#[tokio::test]
async fn an_unreachable_upstream_releases_the_approval() {
    let closed = common::unreachable_url().await;
    let gw = gateway(&closed).await;
    let tab = common::sign_in(&reqwest::Client::new(), &gw).await;
    let approve =
        json!({"message": NUMBER, "threadId": "thr_1", "confirmed": [{"name": "releaseNumber"}]});
    for _ in 0..2 {
        let answer = post(&gw, &tab, &approve).send().await.unwrap();
        assert_eq!(answer.status(), 502, "never 409: nothing was done");
        assert_eq!(
            answer.json::<Value>().await.unwrap()["code"],
            "upstream_unreachable"
        );
    }
}

#[tokio::test]
async fn two_gateways_on_one_redis_forward_an_approval_once() {
    let redis = common::redis().await;
    let sim = simulator().await;
    let mut gateways = Vec::new();
    for _ in 0..2 {
        let config = dev_config(&sim, flowyte_simulator::DEV_KEY);
        let state = flowyte_gateway::AppState::with_redis(config, &redis.url)
            .await
            .unwrap();
        gateways.push(serve_gateway(state).await);
    }
    let (a, b) = (&gateways[0], &gateways[1]);
    let tab = common::sign_in(&reqwest::Client::new(), a).await;
    let approve = proposal(a, &tab).await;
    let first = post(a, &tab, &approve).send().await.unwrap();
    assert_eq!(first.status(), 200);
    events(first).await.unwrap();
    // The same session through the other gateway (a load balancer's choice).
    let again = problem(post(b, &tab, &approve).send().await.unwrap()).await;
    assert_eq!(again["code"], "already_confirmed");
    assert_eq!(confirmed_upstream(&sim).await, 1);

    // In doubt, across gateways too.
    let second = proposal_of(a, &tab, "Revoke the Staging widget key").await;
    fault(&sim, json!({"kind": "drop_after_frames", "frames": 1})).await;
    // Its thread cannot be read meanwhile: neither gateway can settle it.
    fault(
        &sim,
        json!({"kind": "status", "status": 503, "route": "threads", "times": 100}),
    )
    .await;
    assert!(broke_off(post(a, &tab, &second).send().await.unwrap()).await);
    let mut settled = None;
    for _ in 0..50 {
        let answer = post(b, &tab, &second).send().await.unwrap();
        let code = answer.json::<Value>().await.unwrap()["code"].clone();
        if code == "confirmation_in_doubt" {
            settled = Some(code);
            break;
        }
        // Settled in the background after the cut: "already_confirmed" until then.
        assert_eq!(code, "already_confirmed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(settled.is_some(), "the approval was not marked in doubt");
    assert_eq!(confirmed_upstream(&sim).await, 2);
}
