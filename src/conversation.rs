//! The conversation's pure state: each turn, its phase and what the stream has said so far.
//!
//! No DOM and no I/O here: the UI holds one signal per [`Turn`] and calls [`Turn::apply`] for each
//! decoded event, so all of the rules are tested natively.

use assist_protocol::{
    AppliedMutation, AssistResult, PendingConfirmation, ProblemDetails, Progress, StepStatus,
    StreamEvent,
};

use crate::changes;

/// Where a turn is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The request is on its way; nothing has come back yet.
    Sending,
    /// The stream is open and events are arriving.
    Streaming,
    /// `done` arrived: the final result is shown.
    Done,
    /// The request or the stream failed (an HTTP error, an `error` event, a broken frame).
    Failed,
    /// The stream ended without `done` or `error`. What arrived stays; nothing is resent.
    Interrupted,
    /// The person pressed Stop.
    Stopped,
}

impl Phase {
    /// The turn can change no more.
    pub fn is_final(self) -> bool {
        !matches!(self, Phase::Sending | Phase::Streaming)
    }

    /// Stable name used in `data-phase` attributes and by tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Sending => "sending",
            Phase::Streaming => "streaming",
            Phase::Done => "done",
            Phase::Failed => "failed",
            Phase::Interrupted => "interrupted",
            Phase::Stopped => "stopped",
        }
    }
}

/// What went wrong with a turn, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnError {
    pub title: String,
    pub detail: Option<String>,
    /// Field errors as `field: message`.
    pub fields: Vec<String>,
}

impl TurnError {
    pub fn new(title: impl Into<String>, detail: Option<String>) -> Self {
        Self {
            title: title.into(),
            detail,
            fields: Vec::new(),
        }
    }

    /// From a problem+json body; falls back to a title naming the status.
    pub fn from_problem(problem: &ProblemDetails) -> Self {
        let title = problem
            .title
            .clone()
            .unwrap_or_else(|| match problem.status {
                Some(status) => format!("The request failed ({status})"),
                None => "The copilot reported an error".to_owned(),
            });
        Self {
            title,
            detail: problem.detail.clone(),
            fields: problem
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        }
    }
}

/// One step of the copilot's work, from `progress`/`tool_call` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub message: String,
    pub operation_id: Option<String>,
    pub status: StepStatus,
}

/// One request and everything its stream brought back.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub id: u64,
    pub message: String,
    /// The reply so far: the streamed deltas, replaced by the final result's reply.
    pub reply: String,
    pub steps: Vec<Step>,
    pub phase: Phase,
    pub error: Option<TurnError>,
    /// The authoritative result, once `result` or `done` carried it.
    pub result: Option<AssistResult>,
    /// Changes applied: live from `mutation` frames, reconciled with the final result.
    pub mutations: Vec<AppliedMutation>,
    /// Destructive actions waiting for approval: live from `confirmation` frames, reconciled
    /// with the final result.
    pub confirmations: Vec<PendingConfirmation>,
    /// Events of types the panel does not know, counted for debugging.
    pub ignored_events: u32,
    /// When the person asked (RFC 3339), for turns restored from a thread; live turns take the
    /// moment they are shown.
    pub created_at: Option<String>,
}

impl Turn {
    pub fn new(id: u64, message: impl Into<String>) -> Self {
        Self {
            id,
            message: message.into(),
            reply: String::new(),
            steps: Vec::new(),
            phase: Phase::Sending,
            error: None,
            result: None,
            mutations: Vec::new(),
            confirmations: Vec::new(),
            ignored_events: 0,
            created_at: None,
        }
    }

    /// Folds one stream event into the turn. Events after the turn ended are ignored.
    pub fn apply(&mut self, event: StreamEvent) {
        if self.phase.is_final() {
            return;
        }
        self.phase = Phase::Streaming;
        match event {
            StreamEvent::Progress(progress) => self.step(progress),
            StreamEvent::Delta(delta) => self.reply.push_str(&delta.text),
            StreamEvent::Mutation(mutation) => self.mutations.push(mutation),
            StreamEvent::Confirmation(item) => self.confirmations.push(item),
            StreamEvent::Result(result) => self.result = Some(result),
            StreamEvent::Done(result) => {
                if let Some(result) = result {
                    self.result = Some(result);
                }
                if let Some(result) = &self.result {
                    self.reply.clone_from(&result.reply);
                    self.mutations = changes::reconcile(&self.mutations, &result.applied_mutations);
                    self.confirmations =
                        changes::reconcile(&self.confirmations, &result.pending_confirmations);
                }
                self.phase = Phase::Done;
            }
            StreamEvent::Error(problem) => self.fail(TurnError::from_problem(&problem)),
            StreamEvent::Other { .. } => self.ignored_events += 1,
        }
    }

    /// A finished turn rebuilt from a thread's messages (resuming a conversation).
    pub fn restored(
        id: u64,
        message: impl Into<String>,
        reply: &assist_protocol::ThreadMessage,
        thread_id: &str,
    ) -> Self {
        let result = AssistResult {
            reply: reply.content.clone(),
            thread_id: Some(thread_id.to_owned()),
            applied_mutations: reply.mutations.clone(),
            pending_confirmations: reply.pending_confirmations.clone(),
        };
        Self {
            reply: reply.content.clone(),
            mutations: reply.mutations.clone(),
            confirmations: reply.pending_confirmations.clone(),
            phase: Phase::Done,
            result: Some(result),
            created_at: reply.created_at.clone(),
            ..Self::new(id, message)
        }
    }

    /// Ends the turn as failed; the partial reply stays.
    pub fn fail(&mut self, error: TurnError) {
        if !self.phase.is_final() {
            self.phase = Phase::Failed;
            self.error = Some(error);
        }
    }

    /// The stream closed without `done` or `error`.
    pub fn interrupt(&mut self) {
        if !self.phase.is_final() {
            self.phase = Phase::Interrupted;
            self.error = Some(TurnError::new(
                "The reply was interrupted",
                Some("The connection closed before the copilot finished. What arrived is kept; nothing was sent again.".to_owned()),
            ));
        }
    }

    /// The person stopped the turn.
    pub fn stop(&mut self) {
        if !self.phase.is_final() {
            self.phase = Phase::Stopped;
        }
    }

    /// The thread this turn belongs to, once the result named it.
    pub fn thread_id(&self) -> Option<&str> {
        self.result.as_ref()?.thread_id.as_deref()
    }

    fn step(&mut self, progress: Progress) {
        let status = progress.status.unwrap_or(StepStatus::Started);
        // A later event about the same operation (or, without ids, the same message) updates
        // its step rather than adding one.
        let same = |s: &Step| match (&s.operation_id, &progress.operation_id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => s.message == progress.message,
            _ => false,
        };
        match self.steps.iter_mut().rev().find(|s| same(s)) {
            Some(step) if step.status == StepStatus::Started => {
                step.status = status;
                if !progress.message.is_empty() {
                    step.message = progress.message;
                }
            }
            _ => self.steps.push(Step {
                message: progress.message,
                operation_id: progress.operation_id,
                status,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
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
        turn.apply(progress("listAgents", StepStatus::Started));
        turn.apply(progress("listAgents", StepStatus::Succeeded));
        turn.apply(progress("getAgent", StepStatus::Started));
        turn.apply(progress("getAgent", StepStatus::Failed));
        let statuses: Vec<_> = turn.steps.iter().map(|s| s.status).collect();
        assert_eq!(statuses, [StepStatus::Succeeded, StepStatus::Failed]);
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
}
