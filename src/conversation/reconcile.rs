//! What the server recorded of a turn whose stream ended without `done` (cut, broken, or
//! stopped): read from the thread (`GET /assist/threads/{id}`), compared with what the panel
//! saw, so that no change the server applied goes unseen and no proposal it holds is lost.
//!
//! Pure: the controller fetches the thread and applies what [`recorded_turn`] and
//! [`unseen`] say; [`approval_outcome`] says what became of an approval whose answer broke off.

use assist_protocol::{AppliedMutation, AssistThread, PendingConfirmation};

use super::{Changed, Ending, Phase, Turn};
use crate::changes::Totals;
use crate::i18n::Locale;

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
    /// What the turn says about it, if anything, in `t`.
    pub fn sentence(&self, t: Locale) -> Option<String> {
        Some(match self {
            Self::NotNeeded => return None,
            Self::Checking => t.check_checking(),
            Self::Recorded {
                changes: 0,
                proposals: 0,
            } => t.check_nothing_more(),
            Self::Recorded { changes, proposals } => {
                let mut parts = Vec::new();
                if *changes > 0 {
                    parts.push(t.check_unseen_changes(*changes));
                }
                if *proposals > 0 {
                    parts.push(t.check_unseen_proposals(*proposals));
                }
                t.check_recorded(&parts.join(&t.and_then()))
            }
            Self::NotRecorded => t.check_not_recorded(),
            Self::Unavailable(reason) => t.check_unavailable(reason),
            Self::ThreadUnknown => t.check_thread_unknown(),
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
        let t = self.locale;
        if !self.mutations.is_empty() {
            let list: Vec<&str> = self
                .mutations
                .iter()
                .map(|m| m.summary.as_deref().unwrap_or(m.path.as_str()))
                .collect();
            return Some(t.retry_applied(
                list.len(),
                &t.totals_brief(&Totals::of(&self.mutations)),
                &list.join("; "),
            ));
        }
        self.check.outcome_unknown().then(|| t.retry_unknown())
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
mod tests;
