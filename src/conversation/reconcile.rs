//! What the server recorded of a turn whose stream ended without `done` (cut, broken, or
//! stopped): read from the thread (`GET /assist/threads/{id}`), compared with what the panel
//! saw, so that no change the server applied goes unseen and no proposal it holds is lost.
//!
//! Pure: the controller fetches the thread and applies what [`recorded_turn`] and
//! [`unseen`] say; [`approval_outcome`] says what became of an approval whose answer broke off.

use assist_protocol::{AppliedMutation, AssistThread, PendingConfirmation};

use super::{Changed, Ending, Phase, Turn};
use crate::changes::Totals;

/// Where the panel stands on what the server recorded of a turn that ended without `done`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Check {
    /// The turn finished (or never reached the copilot): nothing to check.
    #[default]
    NotNeeded,
    /// Reading the thread.
    Checking,
    /// The thread has the turn: `changes` changes and `proposals` approvals the stream had
    /// not shown were added.
    Recorded { changes: usize, proposals: usize },
    /// The thread has no message of this turn: the server recorded nothing of it.
    NotRecorded,
    /// The thread could not be read (the reason), after a few tries.
    Unavailable(String),
    /// The stream broke before the server named the conversation: nothing to read.
    ThreadUnknown,
}

impl Check {
    /// What the turn says about it, if anything.
    pub fn sentence(&self) -> Option<String> {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        Some(match self {
            Self::NotNeeded => return None,
            Self::Checking => "Checking what the server recorded…".to_owned(),
            Self::Recorded {
                changes: 0,
                proposals: 0,
            } => "The server recorded this request: nothing more than what is shown.".to_owned(),
            Self::Recorded { changes, proposals } => {
                let mut parts = Vec::new();
                if *changes > 0 {
                    parts.push(format!(
                        "{} the reply did not show (marked “recorded by the server”)",
                        plural(*changes, "change", "changes")
                    ));
                }
                if *proposals > 0 {
                    parts.push(format!(
                        "{} waiting for approval",
                        plural(*proposals, "action", "actions")
                    ));
                }
                format!(
                    "The server recorded this request: {}.",
                    parts.join(", and ")
                )
            }
            Self::NotRecorded => {
                "The server has no record of this request: nothing shows it was carried out."
                    .to_owned()
            }
            Self::Unavailable(reason) => format!(
                "The panel could not check what the server recorded ({reason}). Changes may have \
                 been applied: check this conversation again later, or the account in the \
                 dashboard, before sending it again."
            ),
            Self::ThreadUnknown => "The server had not named this conversation yet, so the \
                 panel cannot check what it recorded. Changes may have been applied: check your \
                 agents, skills and numbers in the dashboard before sending it again."
                .to_owned(),
        })
    }

    /// Whether what the turn did is unknown (the panel could not check).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::ThreadUnknown)
    }
}

impl Turn {
    /// Whether the server may have done more than the stream showed: the turn reached the
    /// copilot and ended without `done` (cut, broken, stopped, or failed mid-stream).
    pub fn needs_check(&self, ending: &Ending) -> bool {
        match self.phase {
            Phase::Interrupted | Phase::Stopped => true,
            Phase::Failed => !matches!(ending, Ending::Failed(f) if f.before_acceptance),
            _ => false,
        }
    }

    /// The thread the turn ran in, as far as the stream told (its result, even one whose
    /// `done` never came).
    pub fn known_thread(&self) -> Option<&str> {
        self.thread_id
            .as_deref()
            .or_else(|| self.result.as_ref()?.thread_id.as_deref())
    }

    /// Notes where the check stands.
    pub fn set_check(&mut self, check: Check) -> Changed {
        self.check = check;
        Changed {
            phase: true,
            ..Changed::default()
        }
    }

    /// Adds what the server recorded of this turn (`None`: it recorded nothing) and returns
    /// the proposals the stream had not delivered (they become cards).
    pub fn reconcile(&mut self, record: Option<Recorded>) -> (Changed, Vec<PendingConfirmation>) {
        let Some(record) = record else {
            return (self.set_check(Check::NotRecorded), Vec::new());
        };
        let changes = unseen(&self.mutations, &record.mutations);
        let proposals = unseen(&self.confirmations, &record.proposals);
        self.mutations.extend(changes.iter().cloned());
        self.recorded.extend(changes.iter().cloned());
        self.confirmations.extend(proposals.iter().cloned());
        let mut changed = self.set_check(Check::Recorded {
            changes: changes.len(),
            proposals: proposals.len(),
        });
        changed.mutations = !changes.is_empty();
        (changed, proposals)
    }

    /// What Retry asks first, when sending the request again could do something twice: the
    /// changes it already applied, or that the panel could not tell. `None`: it applied
    /// nothing, and Retry sends at once.
    pub fn retry_warning(&self) -> Option<String> {
        if !self.mutations.is_empty() {
            let list: Vec<&str> = self
                .mutations
                .iter()
                .map(|m| m.summary.as_deref().unwrap_or(m.path.as_str()))
                .collect();
            let n = list.len();
            return Some(format!(
                "This request already applied {} ({}): {}. Send it again?",
                if n == 1 {
                    "1 change".to_owned()
                } else {
                    format!("{n} changes")
                },
                Totals::of(&self.mutations).brief(),
                list.join("; ")
            ));
        }
        self.check.outcome_unknown().then(|| {
            "The panel could not check what this request did: it may already have been carried \
             out. Send it again?"
                .to_owned()
        })
    }
}

/// The server's record of one turn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    /// The assistant's reply as the server kept it (empty when it kept none yet).
    pub reply: String,
    pub mutations: Vec<AppliedMutation>,
    pub proposals: Vec<PendingConfirmation>,
}

/// The record of the turn that sent `message`: the assistant messages after the last person's
/// message with that text, up to the next one. `approving`: the turn approved items, so its
/// message is one that says what it confirmed (when the server records that; otherwise an
/// approval's message reads like the one that proposed it, and the last one with the text is
/// taken). Proposals the thread no longer offers are left out. `None` when the thread has no
/// such message (the server recorded nothing of the turn, or not yet).
pub fn recorded_turn(thread: &AssistThread, message: &str, approving: bool) -> Option<Recorded> {
    let wanted = message.trim();
    let records_approvals = thread.messages.iter().any(|m| !m.confirmed.is_empty());
    let start = thread.messages.iter().rposition(|m| {
        m.role == "user"
            && m.content.trim() == wanted
            && (!records_approvals || m.confirmed.is_empty() != approving)
    })?;
    let mut recorded = Recorded::default();
    for answer in thread.messages[start + 1..]
        .iter()
        .take_while(|m| m.role != "user")
    {
        if !answer.content.is_empty() {
            if !recorded.reply.is_empty() {
                recorded.reply.push_str("\n\n");
            }
            recorded.reply.push_str(&answer.content);
        }
        recorded.mutations.extend(answer.mutations.iter().cloned());
        recorded.proposals.extend(
            answer
                .pending_confirmations
                .iter()
                .filter(|p| {
                    thread.pending_confirmations.is_empty()
                        || thread.pending_confirmations.contains(p)
                })
                .cloned(),
        );
    }
    Some(recorded)
}

/// The items of `recorded` not among `seen`, in the record's order: what to add.
pub fn unseen<T: PartialEq + Clone>(seen: &[T], recorded: &[T]) -> Vec<T> {
    recorded
        .iter()
        .filter(|item| !seen.contains(item))
        .cloned()
        .collect()
}

pub use assist_protocol::outcome::{ApprovalOutcome, approval_outcome};

#[cfg(test)]
mod tests {
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
            turn.check.sentence().unwrap(),
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
}
