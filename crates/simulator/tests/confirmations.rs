//! Destructive actions run only when confirmed, field for field, once.

mod common;

use assist_protocol::PendingConfirmation;
use common::{Sim, json_body, start};
use serde_json::{Value, json};

/// Asks for something destructive; returns the thread and the proposed items.
async fn propose(sim: &Sim, message: &str) -> (String, Vec<PendingConfirmation>) {
    let turn = sim.ask(message).await;
    let done = turn.done();
    assert!(
        !done.pending_confirmations.is_empty(),
        "{message}: {}",
        done.reply
    );
    (
        done.thread_id.clone().unwrap(),
        done.pending_confirmations.clone(),
    )
}

fn numbers(account: &Value) -> Vec<String> {
    account["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["e164"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn approving_runs_the_action_once_and_a_replay_is_stale() {
    let sim = start().await;
    let message = "release the number ending 4421";
    let (thread, items) = propose(&sim, message).await;
    assert!(numbers(&sim.account().await).contains(&"+14155554421".to_owned()));

    let approved = sim.approve(message, &thread, &items).await;
    assert_eq!(approved.status, 200);
    let done = approved.done();
    assert_eq!(done.applied_mutations.len(), 1);
    let mutation = &done.applied_mutations[0];
    assert_eq!(
        (mutation.method.as_str(), mutation.path.as_str()),
        ("DELETE", "/numbers/num_0001")
    );
    assert_eq!(mutation.operation_id.as_deref(), Some("releaseNumber"));
    assert!(
        mutation
            .summary
            .as_deref()
            .unwrap()
            .starts_with("Released +1 415 555 4421")
    );
    assert!(
        done.pending_confirmations.is_empty(),
        "approving proposes nothing new"
    );
    assert_eq!(approved.count("mutation"), 1);
    assert!(!numbers(&sim.account().await).contains(&"+14155554421".to_owned()));

    let replay = sim.approve(message, &thread, &items).await;
    assert_eq!(replay.status, 409);
    let problem = json_body(&replay);
    assert_eq!(problem["code"], "stale_confirmation");
    assert_eq!(problem["errors"][0]["field"], "confirmed[0]");

    // The thread records the approval, and the item is no longer open.
    let view: Value = sim
        .get_thread(&thread, flowyte_simulator::DEV_KEY)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["messages"].as_array().unwrap().len(), 4);
    assert_eq!(view["messages"][2]["confirmed"][0]["name"], "releaseNumber");
    assert_eq!(view["pendingConfirmations"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_changed_field_or_an_invented_item_is_unknown_and_nothing_runs() {
    let sim = start().await;
    let message = "release the number ending 7730";
    let (thread, items) = propose(&sim, message).await;
    let before = sim.account().await;

    // Point the approved release at another number: every field must match.
    let mut forged = items[0].clone();
    forged.0["args"]["numberId"] = "num_0001".into();
    forged.0["path"] = "/numbers/num_0001".into();
    let refused = sim.approve(message, &thread, &[forged]).await;
    assert_eq!(refused.status, 409);
    assert_eq!(json_body(&refused)["code"], "unknown_confirmation");

    // A summary reworded, a field added, or a field dropped: all unknown.
    let mut reworded = items[0].clone();
    reworded.0["summary"] = "Release it".into();
    let mut added = items[0].clone();
    added.0.insert("force".into(), true.into());
    let mut dropped = items[0].clone();
    dropped.0.remove("summary");
    for item in [reworded, added, dropped] {
        let refused = sim.approve(message, &thread, &[item]).await;
        assert_eq!(json_body(&refused)["code"], "unknown_confirmation");
    }

    // An item written from scratch that was never proposed.
    let invented = PendingConfirmation(
        json!({"name": "deleteAgent", "method": "DELETE", "path": "/agents/agt_0001",
               "summary": "Delete the agent “Support Bot”", "args": {"agentId": "agt_0001"}})
        .as_object()
        .unwrap()
        .clone(),
    );
    let refused = sim.approve(message, &thread, &[invented]).await;
    assert_eq!(json_body(&refused)["code"], "unknown_confirmation");

    // One good and one bad: all or nothing.
    let mut bad = items[0].clone();
    bad.0["name"] = "releaseNumberNow".into();
    let refused = sim
        .approve(message, &thread, &[items[0].clone(), bad])
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(json_body(&refused)["errors"][0]["field"], "confirmed[1]");
    assert_eq!(sim.account().await, before, "nothing ran");
    assert_eq!(
        sim.state
            .stats
            .streams_started
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );

    // The genuine item still works afterwards, once.
    assert_eq!(sim.approve(message, &thread, &items).await.status, 200);
}

#[tokio::test]
async fn an_item_from_another_thread_is_unknown() {
    let sim = start().await;
    let (_, items) = propose(&sim, "revoke the Staging widget key").await;
    let other = sim
        .ask("list my agents")
        .await
        .done()
        .thread_id
        .clone()
        .unwrap();
    let refused = sim
        .approve("revoke the Staging widget key", &other, &items)
        .await;
    assert_eq!(json_body(&refused)["code"], "unknown_confirmation");
}

#[tokio::test]
async fn the_same_item_twice_in_one_request_runs_nothing() {
    let sim = start().await;
    let (thread, items) = propose(&sim, "revoke the Staging widget key").await;
    let twice = [items[0].clone(), items[0].clone()];
    let refused = sim.approve("revoke", &thread, &twice).await;
    assert_eq!(refused.status, 409);
    assert_eq!(json_body(&refused)["code"], "stale_confirmation");
    let keys = sim.account().await["publishableKeys"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(keys, 3, "nothing was revoked");
}

#[tokio::test]
async fn concurrent_approvals_of_one_item_run_it_exactly_once() {
    let sim = start().await;
    let message = "delete the Wholesale Intake agent";
    let (thread, items) = propose(&sim, message).await;
    let attempts = (0..8).map(|_| sim.approve(message, &thread, &items));
    let results = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let deletes = results
        .iter()
        .filter_map(|r| r.result())
        .flat_map(|r| &r.applied_mutations)
        .count();
    assert_eq!(deletes, 1);
    assert_eq!(sim.account().await["agents"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_item_whose_target_moved_on_is_stale_and_nothing_runs() {
    let sim = start().await;
    // Propose unassigning and releasing the same number in one thread.
    let first = sim.ask("unassign the number ending 0188").await;
    let thread = first.done().thread_id.clone().unwrap();
    let unassign = first.done().pending_confirmations.clone();
    let second = sim
        .post(
            "/api/v1/assist",
            &json!({"message": "release the number ending 0188", "threadId": thread}),
        )
        .await;
    let release = second.done().pending_confirmations.clone();
    assert_eq!(sim.approve("release", &thread, &release).await.status, 200);
    let refused = sim.approve("unassign", &thread, &unassign).await;
    assert_eq!(refused.status, 409);
    let problem = json_body(&refused);
    assert_eq!(problem["code"], "stale_confirmation");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("no longer exists"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_publish_proposed_before_an_edit_is_stale() {
    let sim = start().await;
    let (thread, publish) = propose(&sim, "publish Support Bot").await;
    sim.post(
        "/api/v1/assist",
        &json!({"message": "set the tone of Support Bot to “brisk”", "threadId": thread}),
    )
    .await;
    let refused = sim.approve("publish Support Bot", &thread, &publish).await;
    assert_eq!(json_body(&refused)["code"], "stale_confirmation");
    // Asking again proposes the current draft, which runs.
    let again = sim
        .post(
            "/api/v1/assist",
            &json!({"message": "publish Support Bot", "threadId": thread}),
        )
        .await;
    let items = again.done().pending_confirmations.clone();
    let approved = sim.approve("publish Support Bot", &thread, &items).await;
    assert_eq!(
        approved.done().applied_mutations[0].operation_id.as_deref(),
        Some("publishAgent")
    );
    let agent = &sim.account().await["agents"][0];
    assert_eq!(agent["versions"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn every_destructive_request_waits_then_runs_when_approved() {
    for message in [
        "unassign the number ending 0188",
        "release the number ending 4421",
        "revoke the Staging widget key",
        "publish Sales Assistant",
        "roll back Support Bot to version 1",
        "delete the Wholesale Intake agent",
        "remove the Track shipment skill from Support Bot",
    ] {
        let sim = start().await;
        let before = sim.account().await;
        let (thread, items) = propose(&sim, message).await;
        assert_eq!(
            sim.account().await,
            before,
            "{message} ran without approval"
        );
        let approved = sim.approve(message, &thread, &items).await;
        assert_eq!(approved.status, 200, "{message}: {}", approved.text());
        let done = approved.done();
        assert_eq!(done.applied_mutations.len(), 1, "{message}: {}", done.reply);
        assert_eq!(done.applied_mutations[0].method, items[0].method().unwrap());
        assert_eq!(done.applied_mutations[0].path, items[0].path().unwrap());
        assert_ne!(sim.account().await, before, "{message} changed nothing");
    }
}
