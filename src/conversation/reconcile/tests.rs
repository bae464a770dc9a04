//! The reconcile rules: what a turn's record is, what joins it, what Retry asks.

use super::*;
use assist_protocol::ThreadMessage;
use serde_json::json;

fn mutation(summary: &str) -> AppliedMutation {
    serde_json::from_value(json!({
        "method": "POST", "path": "/agents/agt_0001/skills",
        "operationId": "createSkill", "summary": summary
    }))
    .unwrap()
}

fn item() -> PendingConfirmation {
    serde_json::from_value(json!({
        "name": "releaseNumber", "method": "DELETE", "path": "/numbers/num_0001",
        "summary": "Release +1 415 555 4421"
    }))
    .unwrap()
}

fn message(role: &str, content: &str) -> ThreadMessage {
    ThreadMessage {
        role: role.to_owned(),
        content: content.to_owned(),
        ..ThreadMessage::default()
    }
}

fn thread(messages: Vec<ThreadMessage>) -> AssistThread {
    AssistThread {
        messages,
        ..AssistThread::default()
    }
}

#[test]
fn the_record_of_a_turn_is_what_follows_its_message() {
    let mut answer = message("assistant", "Added it.");
    answer.mutations = vec![mutation("Added the skill Order lookup")];
    let mut earlier = message("assistant", "Added one.");
    earlier.mutations = vec![mutation("Added the skill Track shipment")];
    let record = thread(vec![
        message("user", "add a skill"),
        earlier,
        message("user", "Add an order-lookup skill "),
        answer,
    ]);
    let found = recorded_turn(&record, "Add an order-lookup skill", false).unwrap();
    assert_eq!(found.reply, "Added it.");
    assert_eq!(found.mutations, [mutation("Added the skill Order lookup")]);
    assert_eq!(recorded_turn(&record, "never sent", false), None);
    // The turn's message recorded, no answer yet: an empty record, not a missing one.
    let started = thread(vec![message("user", "list my agents")]);
    assert_eq!(
        recorded_turn(&started, "list my agents", false),
        Some(Recorded::default())
    );
}

#[test]
fn an_approval_and_the_turn_that_proposed_it_are_told_apart() {
    let mut proposed = message("assistant", "Approve it below.");
    proposed.pending_confirmations = vec![item()];
    let mut approval = message("user", "release 4421");
    approval.confirmed = vec![item()];
    let mut released = message("assistant", "Released.");
    released.mutations = vec![mutation("Released +1 415 555 4421")];
    let record = thread(vec![
        message("user", "release 4421"),
        proposed,
        approval,
        released,
    ]);
    let asked = recorded_turn(&record, "release 4421", false).unwrap();
    assert_eq!(
        (asked.reply.as_str(), asked.mutations.len()),
        ("Approve it below.", 0)
    );
    // A thread without the list of open proposals: every proposal of the turn counts.
    assert_eq!(asked.proposals, [item()]);
    let approved = recorded_turn(&record, "release 4421", true).unwrap();
    assert_eq!(approved.mutations, [mutation("Released +1 415 555 4421")]);

    let mut open = record.clone();
    open.pending_confirmations = vec![item()];
    open.messages.truncate(2);
    assert_eq!(
        recorded_turn(&open, "release 4421", false)
            .unwrap()
            .proposals,
        [item()]
    );
    let mut other = item();
    other.0.insert("path".into(), json!("/numbers/num_0002"));
    open.pending_confirmations = vec![other];
    assert!(
        recorded_turn(&open, "release 4421", false)
            .unwrap()
            .proposals
            .is_empty(),
        "a proposal the thread no longer offers is not made a card"
    );
}

fn cut_turn(seen: &[AppliedMutation]) -> Turn {
    let mut turn = Turn::new(1, "Add an order-lookup skill");
    turn.apply(assist_protocol::StreamEvent::Delta(
        assist_protocol::Delta {
            text: "Adding".into(),
        },
    ));
    for m in seen {
        turn.apply(assist_protocol::StreamEvent::Mutation(m.clone()));
    }
    turn.end(&Ending::Interrupted);
    turn
}

#[test]
fn a_turn_that_reached_the_copilot_and_did_not_finish_is_checked() {
    let cut = cut_turn(&[]);
    assert!(cut.needs_check(&Ending::Interrupted));
    let mut stopped = Turn::new(2, "x");
    stopped.end(&Ending::Stopped);
    assert!(stopped.needs_check(&Ending::Stopped));
    let failed = |before_acceptance| {
        Ending::Failed(Box::new(super::super::Failure {
            error: super::super::TurnError::new("x", None),
            status: None,
            problem: None,
            before_acceptance,
        }))
    };
    for (before, checked) in [(true, false), (false, true)] {
        let mut turn = Turn::new(3, "x");
        let ending = failed(before);
        turn.end(&ending);
        assert_eq!(
            turn.needs_check(&ending),
            checked,
            "before acceptance: {before}"
        );
    }
    let mut done = Turn::new(4, "x");
    done.apply(assist_protocol::StreamEvent::Done(None));
    assert!(!done.needs_check(&Ending::Delivered));
}

#[test]
fn what_the_server_recorded_joins_the_turn_marked_and_once() {
    let seen = mutation("Added the skill Order lookup");
    let mut turn = cut_turn(std::slice::from_ref(&seen));
    let extra = mutation("Added the skill Track shipment");
    let (changed, proposals) = turn.reconcile(Some(Recorded {
        reply: "Added both.".into(),
        mutations: vec![seen.clone(), extra.clone()],
        proposals: vec![item()],
    }));
    assert!(changed.mutations && changed.phase);
    assert_eq!(proposals, [item()]);
    assert_eq!(turn.mutations, [seen.clone(), extra.clone()]);
    assert_eq!(turn.recorded, [extra]);
    assert_eq!(
        turn.check,
        Check::Recorded {
            changes: 1,
            proposals: 1
        }
    );
    assert_eq!(
        turn.check.sentence(Locale::En).unwrap(),
        "The server recorded this request: 1 change the reply did not show (marked \
         “recorded by the server”), and 1 action waiting for approval."
    );
    let mut nothing = cut_turn(&[]);
    nothing.reconcile(None);
    assert_eq!(nothing.check, Check::NotRecorded);
}

#[test]
fn retry_asks_first_when_the_request_applied_something_or_nobody_knows() {
    let turn = cut_turn(&[mutation("Added the skill “Order lookup” to Support Bot")]);
    assert_eq!(
        turn.retry_warning().unwrap(),
        "This request already applied 1 change (1 created): Added the skill “Order lookup” \
         to Support Bot. Send it again?"
    );
    let mut unknown = cut_turn(&[]);
    assert_eq!(
        unknown.retry_warning(),
        None,
        "nothing applied: Retry sends at once"
    );
    unknown.set_check(Check::ThreadUnknown);
    assert!(
        unknown
            .retry_warning()
            .unwrap()
            .contains("may already have been carried out")
    );
    unknown.set_check(Check::NotRecorded);
    assert_eq!(unknown.retry_warning(), None);
}

#[test]
fn only_what_the_panel_did_not_see_is_added() {
    let seen = [mutation("a")];
    let recorded = [mutation("a"), mutation("b")];
    assert_eq!(unseen(&seen, &recorded), [mutation("b")]);
    assert!(unseen(&recorded, &recorded).is_empty());
}

#[test]
fn an_approval_is_carried_out_still_pending_or_unknown() {
    let mut released = message("assistant", "Released.");
    released.mutations = vec![
        serde_json::from_value(json!({
            "method": "delete", "path": "/numbers/num_0001", "summary": "Released"
        }))
        .unwrap(),
    ];
    assert_eq!(
        approval_outcome(&thread(vec![released]), &item()),
        ApprovalOutcome::CarriedOut
    );
    let mut pending = thread(vec![message("assistant", "Approve it below.")]);
    pending.pending_confirmations = vec![item()];
    assert_eq!(
        approval_outcome(&pending, &item()),
        ApprovalOutcome::StillPending
    );
    assert_eq!(
        approval_outcome(&thread(vec![]), &item()),
        ApprovalOutcome::Unknown
    );
}
