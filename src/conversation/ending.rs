//! What a turn becomes when its request ends, decided here rather than in a view so each rule
//! has a native test: the turn's final phase ([`Turn::end`]), whether the person's message goes
//! back into the box ([`Ending::gives_message_back`]), what the host page hears
//! ([`Turn::error_report`]) and what a screen reader hears ([`Turn::announcement`]). What the
//! approvals a turn carried become is [`crate::approval::settlement`].

use assist_protocol::ProblemDetails;
use serde::Serialize;

use super::{Changed, Phase, Turn, TurnError};

/// How a turn's request ended, as these rules need to know it (the transport turns its result
/// into one of these).
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// The stream delivered its last event (`done`, or an `error` event that already failed
    /// the turn), or a JSON answer came instead of a stream.
    Delivered,
    /// The person pressed Stop (or the panel was unmounted).
    Stopped,
    /// The stream closed before `done` or `error`.
    Interrupted,
    /// The request failed.
    Failed(Box<Failure>),
}

/// A request that failed: what the person sees, and what the server said.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub error: TurnError,
    /// The HTTP status, when the server refused the request.
    pub status: Option<u16>,
    /// The server's problem body, when it refused the request.
    pub problem: Option<ProblemDetails>,
    /// Nothing reached the copilot (the request was refused or never arrived): the message
    /// can go back into the box. After the stream began the copilot may have acted.
    pub before_acceptance: bool,
}

impl Ending {
    /// The person's message goes back into the box: nothing reached the copilot, so sending
    /// it again changes nothing twice. (The panel also needs the box to be empty, and the turn
    /// to be one the person typed rather than an approval.)
    pub fn gives_message_back(&self) -> bool {
        matches!(self, Self::Failed(f) if f.before_acceptance)
    }

    /// The HTTP status the server refused the request with, if it did.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Failed(failure) => failure.status,
            _ => None,
        }
    }
}

/// The `flowyte-copilot:error` event's detail: `{title, detail, status, threadId}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    pub title: String,
    pub detail: Option<String>,
    pub status: Option<u16>,
    pub thread_id: Option<String>,
}

impl ErrorReport {
    /// What the host hears of `shown`.
    pub fn new(shown: &TurnError, status: Option<u16>, thread_id: Option<&str>) -> Self {
        Self {
            title: shown.title.clone(),
            detail: shown.detail.clone(),
            status,
            thread_id: thread_id.map(str::to_owned),
        }
    }
}

impl Turn {
    /// Ends the turn as its request ended: stopped, interrupted (what arrived stays, marked as
    /// cut), or failed with what the person should see. A turn that already ended (its `done`
    /// or `error` event came) stays as it is.
    pub fn end(&mut self, ending: &Ending) -> Changed {
        let before = self.phase;
        match ending {
            Ending::Delivered => {}
            Ending::Stopped => self.stop(),
            Ending::Interrupted => self.interrupt(),
            Ending::Failed(failure) => self.fail(failure.error.clone()),
        }
        Changed {
            phase: self.phase != before,
            ..Changed::default()
        }
    }

    /// What the host hears when the turn failed or was cut off; `None` for one that finished
    /// or that the person stopped (a stop they asked for is not an error).
    pub fn error_report(&self, ending: &Ending) -> Option<ErrorReport> {
        if !matches!(self.phase, Phase::Failed | Phase::Interrupted) {
            return None;
        }
        let shown = self.error.clone().unwrap_or_else(|| match ending {
            Ending::Failed(failure) => failure.error.clone(),
            _ => super::broke_off(),
        });
        Some(ErrorReport::new(&shown, ending.status(), self.thread_id()))
    }

    /// What a screen reader hears once the turn ended, with `waiting` approvals open.
    pub fn announcement(&self, waiting: usize) -> String {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut out = match self.phase {
            Phase::Done => "Reply ready.".to_owned(),
            Phase::Stopped => "Stopped.".to_owned(),
            Phase::Interrupted => "The reply broke off: the copilot may have acted.".to_owned(),
            _ => format!(
                "The request failed: {}.",
                self.error
                    .as_ref()
                    .map_or("unknown error", |e| e.title.as_str())
            ),
        };
        if !self.mutations.is_empty() {
            out.push_str(&format!(
                " {} applied.",
                plural(self.mutations.len(), "change", "changes")
            ));
        }
        if waiting > 0 {
            out.push_str(&format!(
                " {} waiting.",
                plural(waiting, "approval", "approvals")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assist_protocol::{AppliedMutation, AssistResult, Delta, StreamEvent};

    fn failure(status: Option<u16>, before_acceptance: bool) -> Ending {
        Ending::Failed(Box::new(Failure {
            error: TurnError::new("Bad gateway", None),
            status,
            problem: None,
            before_acceptance,
        }))
    }

    fn streaming() -> Turn {
        let mut turn = Turn::new(1, "release the number");
        turn.apply(StreamEvent::Delta(Delta {
            text: "Releasing".into(),
        }));
        turn
    }

    #[test]
    fn a_cut_stream_keeps_what_arrived_and_the_host_hears_of_it() {
        let mut turn = streaming();
        turn.apply(StreamEvent::Mutation(AppliedMutation::default()));
        assert!(turn.end(&Ending::Interrupted).phase);
        assert_eq!(
            (turn.phase, turn.reply.as_str(), turn.mutations.len()),
            (Phase::Interrupted, "Releasing", 1)
        );
        let report = turn.error_report(&Ending::Interrupted).unwrap();
        assert_eq!(
            (report.title.as_str(), report.status),
            ("The reply broke off", None)
        );
        assert!(
            !Ending::Interrupted.gives_message_back(),
            "it may have acted"
        );
        assert_eq!(
            turn.announcement(0),
            "The reply broke off: the copilot may have acted. 1 change applied."
        );
    }

    #[test]
    fn a_stop_is_not_an_error_and_an_ended_turn_stays_as_it_ended() {
        let mut turn = streaming();
        turn.end(&Ending::Stopped);
        assert_eq!(turn.phase, Phase::Stopped);
        assert_eq!(turn.error_report(&Ending::Stopped), None);
        assert_eq!(turn.announcement(0), "Stopped.");

        let mut done = Turn::new(2, "hi");
        done.apply(StreamEvent::Done(Some(AssistResult {
            reply: "Hi.".into(),
            thread_id: Some("thr_1".into()),
            ..AssistResult::default()
        })));
        assert_eq!(done.end(&Ending::Delivered), Changed::default());
        assert_eq!(done.end(&failure(Some(502), false)), Changed::default());
        assert_eq!(
            (done.phase, done.error_report(&Ending::Delivered)),
            (Phase::Done, None)
        );
        assert_eq!(done.announcement(2), "Reply ready. 2 approvals waiting.");
    }

    #[test]
    fn a_refused_request_gives_the_message_back_and_names_its_status() {
        let mut turn = Turn::new(1, "list my agents");
        let refused = failure(Some(502), true);
        turn.end(&refused);
        assert_eq!(turn.phase, Phase::Failed);
        assert!(refused.gives_message_back());
        assert_eq!(
            turn.error_report(&refused),
            Some(ErrorReport {
                title: "Bad gateway".into(),
                detail: None,
                status: Some(502),
                thread_id: None,
            })
        );
        assert_eq!(
            turn.announcement(1),
            "The request failed: Bad gateway. 1 approval waiting."
        );
        // A failure after the stream began (an idle stream) keeps the message out of the box.
        assert!(!failure(None, false).gives_message_back());
    }

    #[test]
    fn an_error_event_is_reported_as_the_copilot_said_it() {
        let mut turn = streaming();
        turn.apply(StreamEvent::Error(ProblemDetails::new(
            500,
            "Copilot failed",
            "boom",
        )));
        turn.end(&Ending::Delivered);
        let report = turn.error_report(&Ending::Delivered).unwrap();
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::json!({"title": "Copilot failed", "detail": "boom", "status": null, "threadId": null})
        );
    }
}
