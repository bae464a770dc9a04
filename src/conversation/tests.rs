//! What each stream event does to a turn.

use super::*;
use assist_protocol::Delta;

fn progress(op: &str, status: StepStatus) -> StreamEvent {
    StreamEvent::Progress(Progress {
        message: format!("Calling {op}"),
        operation_id: Some(op.into()),
        status: Some(status),
        ..Progress::default()
    })
}

fn delta(text: &str) -> StreamEvent {
    StreamEvent::Delta(Delta { text: text.into() })
}

#[test]
fn deltas_grow_the_reply_and_done_replaces_it() {
    let mut turn = Turn::new(1, "hi");
    turn.apply(delta("Hel"));
    turn.apply(delta("lo"));
    assert_eq!(
        (turn.reply.as_str(), turn.phase),
        ("Hello", Phase::Streaming)
    );
    turn.apply(StreamEvent::Done(Some(AssistResult {
        reply: "Hello, **world**".into(),
        thread_id: Some("thr_1".into()),
        ..AssistResult::default()
    })));
    assert_eq!(turn.reply, "Hello, **world**");
    assert_eq!((turn.phase, turn.thread_id()), (Phase::Done, Some("thr_1")));
}

#[test]
fn a_delta_changes_the_reply_and_nothing_else() {
    let mut turn = Turn::new(1, "hi");
    let first = turn.apply(delta("Hel"));
    assert!(
        first.phase && first.reply,
        "the first event starts the stream"
    );
    assert_eq!(
        turn.apply(delta("lo")),
        Changed {
            reply: true,
            ..Changed::default()
        }
    );
    assert_eq!(turn.apply(delta("")), Changed::default());
    assert_eq!(
        turn.apply(progress("listAgents", StepStatus::Started)),
        Changed {
            steps: true,
            ..Changed::default()
        }
    );
    assert_eq!(
        turn.apply(StreamEvent::Mutation(AppliedMutation::default())),
        Changed {
            mutations: true,
            ..Changed::default()
        }
    );
    assert_eq!(turn.apply(StreamEvent::Done(None)), Changed::ALL);
    assert_eq!(turn.apply(delta("late")), Changed::default());
    assert_eq!(turn.reply, "Hello", "nothing after done");
}

#[test]
fn an_empty_done_uses_the_earlier_result() {
    let mut turn = Turn::new(1, "hi");
    turn.apply(delta("partial"));
    turn.apply(StreamEvent::Result(AssistResult {
        reply: "final".into(),
        ..AssistResult::default()
    }));
    turn.apply(StreamEvent::Done(None));
    assert_eq!((turn.reply.as_str(), turn.phase), ("final", Phase::Done));
}

#[test]
fn steps_update_in_place_by_operation() {
    let mut turn = Turn::new(1, "hi");
    assert_eq!(turn.current_step(), None);
    turn.apply(progress("listAgents", StepStatus::Started));
    assert_eq!(turn.current_step(), Some("Calling listAgents"));
    turn.apply(progress("listAgents", StepStatus::Succeeded));
    turn.apply(progress("getAgent", StepStatus::Started));
    turn.apply(progress("getAgent", StepStatus::Failed));
    let statuses: Vec<_> = turn.steps.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [StepStatus::Succeeded, StepStatus::Failed]);
    assert_eq!(
        turn.current_step(),
        Some("Calling getAgent"),
        "the last one reported"
    );
    // The same operation called again later is a new step.
    turn.apply(progress("listAgents", StepStatus::Started));
    assert_eq!(turn.steps.len(), 3);
}

#[test]
fn an_error_event_fails_the_turn_and_keeps_the_partial_reply() {
    let mut turn = Turn::new(1, "hi");
    turn.apply(delta("Working on"));
    turn.apply(StreamEvent::Error(ProblemDetails::new(
        500,
        "Copilot failed",
        "boom",
    )));
    assert_eq!(turn.phase, Phase::Failed);
    assert_eq!(turn.reply, "Working on");
    assert_eq!(turn.error.as_ref().unwrap().title, "Copilot failed");
    // Nothing after the end changes the turn.
    turn.apply(delta(" more"));
    turn.interrupt();
    assert_eq!(
        (turn.reply.as_str(), turn.phase),
        ("Working on", Phase::Failed)
    );
}

#[test]
fn interrupted_and_stopped_keep_what_arrived() {
    let mut turn = Turn::new(1, "hi");
    turn.apply(delta("half"));
    turn.interrupt();
    assert_eq!(
        (turn.reply.as_str(), turn.phase),
        ("half", Phase::Interrupted)
    );
    let mut turn = Turn::new(2, "hi");
    turn.apply(delta("half"));
    turn.stop();
    assert_eq!((turn.reply.as_str(), turn.phase), ("half", Phase::Stopped));
}

#[test]
fn unknown_events_are_counted_not_errors() {
    let mut turn = Turn::new(1, "hi");
    turn.apply(StreamEvent::Other {
        event: "ping".into(),
    });
    assert_eq!((turn.ignored_events, turn.error.is_none()), (1, true));
}

#[test]
fn problem_field_errors_are_listed() {
    let problem = assist_protocol::parse_problem(
        400,
        r#"{"title":"Validation failed","errors":[{"field":"message","message":"must not be empty"}]}"#,
    );
    let error = TurnError::from_problem(&problem);
    assert_eq!(error.fields, ["message: must not be empty"]);
    let untitled = TurnError::from_problem(&assist_protocol::parse_problem(503, ""));
    assert_eq!(untitled.title, "The request failed (503)");
}

#[test]
fn changes_stream_in_and_the_result_reconciles_them() {
    use assist_protocol::AppliedMutation;
    let created = AppliedMutation {
        method: "POST".into(),
        path: "/agents/agt_0001/skills".into(),
        operation_id: Some("createSkill".into()),
        summary: Some("Added the skill".into()),
        body: None,
    };
    let renamed = AppliedMutation {
        method: "PATCH".into(),
        path: "/agents/agt_0001".into(),
        ..created.clone()
    };
    let release = PendingConfirmation(
        serde_json::json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/num_1"})
            .as_object()
            .unwrap()
            .clone(),
    );
    let mut turn = Turn::new(1, "m");
    turn.apply(StreamEvent::Mutation(created.clone()));
    turn.apply(StreamEvent::Confirmation(release.clone()));
    assert_eq!(
        turn.mutations,
        std::slice::from_ref(&created),
        "rows appear as frames arrive"
    );
    assert_eq!(turn.confirmations, std::slice::from_ref(&release));
    turn.apply(StreamEvent::Done(Some(AssistResult {
        reply: "ok".into(),
        applied_mutations: vec![created.clone(), renamed.clone()],
        pending_confirmations: vec![release.clone()],
        ..AssistResult::default()
    })));
    assert_eq!(
        turn.mutations,
        [created, renamed],
        "no duplicate, nothing lost"
    );
    assert_eq!(turn.confirmations, [release]);

    // A stream cut before done keeps what it reported.
    let mut cut = Turn::new(2, "m");
    cut.apply(StreamEvent::Mutation(AppliedMutation::default()));
    cut.interrupt();
    assert_eq!(cut.mutations.len(), 1);
}

#[test]
fn the_gateways_broken_upstream_frame_interrupts_rather_than_fails() {
    let mut turn = Turn::new(1, "add a skill");
    turn.apply(delta("Adding"));
    turn.apply(StreamEvent::Error(
        ProblemDetails::new(502, "The reply broke off", "x").with_code(UPSTREAM_BROKEN),
    ));
    assert_eq!(turn.phase, Phase::Interrupted);
    assert_eq!(turn.reply, "Adding");
    assert!(turn.needs_check(&Ending::Delivered));
    let mut other = Turn::new(2, "add a skill");
    other.apply(StreamEvent::Error(ProblemDetails::new(
        500,
        "Copilot failed",
        "x",
    )));
    assert_eq!(other.phase, Phase::Failed);
}
