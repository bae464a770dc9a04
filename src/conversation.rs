//! The conversation's pure state: each turn, its phase and what the stream has said so far.
//!
//! No DOM and no I/O here: the panel's controller calls [`Turn::apply`] for each decoded event
//! and wakes only the views of the parts it [`Changed`]; [`ending`] decides what a turn (and the
//! approvals it carried) becomes when its request ends, and [`restore`] rebuilds a conversation
//! from a saved thread, [`reconcile`] what the server recorded of a cut turn. [`draft`]: the
//! message limit; [`working`]: what a running turn says; [`recent`]: the conversations to go
//! back to. All of these rules are tested natively.

pub mod draft;
pub mod ending;
pub mod recent;
pub mod reconcile;
pub mod restore;
pub mod working;

use assist_protocol::{
    AppliedMutation, AssistResult, PendingConfirmation, ProblemDetails, Progress, StepStatus,
    StreamEvent,
};

use crate::changes;

pub use ending::{Ending, ErrorReport, Failure};

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

/// The `error` event's code with which the gateway ends a stream whose upstream broke off.
pub const UPSTREAM_BROKEN: &str = "upstream_broken";

/// What a turn whose stream broke off after it began says: the copilot had the request and may
/// have acted, so nothing invites sending it again blind.
pub fn broke_off() -> TurnError {
    TurnError::new(
        "The reply broke off",
        Some(
            "The connection broke after the copilot had your request: it may have carried out \
             part of it. What arrived is kept, and nothing is sent again by itself."
                .to_owned(),
        ),
    )
}

/// One step of the copilot's work, from `progress`/`tool_call` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub message: String,
    pub operation_id: Option<String>,
    pub status: StepStatus,
}

/// Which parts of a turn an event changed: the panel wakes the views of those parts only, so a
/// delta re-renders the reply and nothing else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// The phase, or the error that came with it.
    pub phase: bool,
    pub steps: bool,
    /// The reply (see [`Turn::reply`] for how it may change).
    pub reply: bool,
    /// The applied mutations.
    pub mutations: bool,
}

impl Changed {
    /// Every part: what a view made after the change must read anyway.
    pub const ALL: Self = Self {
        phase: true,
        steps: true,
        reply: true,
        mutations: true,
    };
}

/// One request and everything its stream brought back.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub id: u64,
    pub message: String,
    /// The reply so far. **Append-only while the turn runs**: each delta is appended to it and
    /// nothing else changes it, until `done` replaces it once with the final result's reply
    /// (usually the same text). The reply view relies on this: while the turn runs it renders
    /// only the text past what it has already rendered (`ui::reply`).
    pub reply: String,
    pub steps: Vec<Step>,
    pub phase: Phase,
    pub error: Option<TurnError>,
    /// The thread, once the final result named it.
    pub thread_id: Option<String>,
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
    /// What the server recorded of a turn that ended without `done`, once the panel asked.
    pub check: reconcile::Check,
    /// The changes the server recorded that the stream never showed (also in `mutations`):
    /// marked "recorded by the server" in the plan.
    pub recorded: Vec<AppliedMutation>,
    /// A `result` event's payload, held until `done` (which may carry none) settles the turn.
    result: Option<AssistResult>,
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
            thread_id: None,
            mutations: Vec::new(),
            confirmations: Vec::new(),
            ignored_events: 0,
            created_at: None,
            check: reconcile::Check::NotNeeded,
            recorded: Vec::new(),
            result: None,
        }
    }

    /// Folds one stream event into the turn and says what it changed. Events after the turn
    /// ended are ignored (and change nothing).
    pub fn apply(&mut self, event: StreamEvent) -> Changed {
        if self.phase.is_final() {
            return Changed::default();
        }
        let mut changed = Changed {
            phase: self.phase != Phase::Streaming,
            ..Changed::default()
        };
        self.phase = Phase::Streaming;
        match event {
            StreamEvent::Progress(progress) => {
                self.step(progress);
                changed.steps = true;
            }
            StreamEvent::Delta(delta) => {
                self.reply.push_str(&delta.text);
                changed.reply = !delta.text.is_empty();
            }
            StreamEvent::Mutation(mutation) => {
                self.mutations.push(mutation);
                changed.mutations = true;
            }
            // Proposals become cards when the turn ends; nothing shows them before.
            StreamEvent::Confirmation(item) => self.confirmations.push(item),
            StreamEvent::Result(result) => self.result = Some(result),
            StreamEvent::Done(result) => {
                if let Some(result) = result {
                    self.result = Some(result);
                }
                // The result's reply moves into the turn: the text is held once.
                if let Some(result) = self.result.take() {
                    self.reply = result.reply;
                    self.thread_id = result.thread_id;
                    self.mutations = changes::reconcile(&self.mutations, &result.applied_mutations);
                    self.confirmations =
                        changes::reconcile(&self.confirmations, &result.pending_confirmations);
                }
                self.phase = Phase::Done;
                changed = Changed::ALL;
            }
            // The gateway ends a stream whose upstream broke with this code: the copilot had
            // the request, as with any reply that broke off.
            StreamEvent::Error(problem) if problem.code.as_deref() == Some(UPSTREAM_BROKEN) => {
                self.interrupt();
                changed.phase = true;
            }
            StreamEvent::Error(problem) => {
                self.fail(TurnError::from_problem(&problem));
                changed.phase = true;
            }
            StreamEvent::Other { .. } => self.ignored_events += 1,
        }
        changed
    }

    /// A finished turn rebuilt from a thread's messages (resuming a conversation).
    pub fn restored(
        id: u64,
        message: impl Into<String>,
        reply: &assist_protocol::ThreadMessage,
        thread_id: &str,
    ) -> Self {
        Self {
            reply: reply.content.clone(),
            mutations: reply.mutations.clone(),
            confirmations: reply.pending_confirmations.clone(),
            phase: Phase::Done,
            thread_id: Some(thread_id.to_owned()),
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

    /// The stream closed or broke after it began, without `done` or `error`.
    pub fn interrupt(&mut self) {
        if !self.phase.is_final() {
            self.phase = Phase::Interrupted;
            self.error = Some(broke_off());
        }
    }

    /// The person stopped the turn.
    pub fn stop(&mut self) {
        if !self.phase.is_final() {
            self.phase = Phase::Stopped;
        }
    }

    /// The step the copilot is on: the last one still running, else the last one reported.
    pub fn current_step(&self) -> Option<&str> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.status == StepStatus::Started)
            .or(self.steps.last())
            .map(|s| s.message.as_str())
    }

    /// The thread this turn belongs to, once the result named it.
    pub fn thread_id(&self) -> Option<&str> {
        self.thread_id.as_deref()
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
mod tests;
