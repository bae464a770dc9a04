//! A conversation rebuilt from a saved thread (`GET /assist/threads/{id}`) after a reload: each
//! user message with the assistant reply after it is one finished turn, and every proposal
//! the thread still knows of becomes a card again at the turn that proposed it: waiting if
//! the server still holds it (or rejected, if the person rejected it here), approved if a
//! later message of the thread approved it.

use assist_protocol::{AssistRequest, AssistThread, PendingConfirmation};
use serde_json::{Map, Value};

use super::{ErrorReport, Turn, TurnError};
use crate::approval::decisions::Decisions;
use crate::approval::{Card, CardState, approval_message};
use crate::i18n::Locale;

/// A saved thread as the panel reads it: the protocol's thread, whose messages say what each
/// approved (`confirmed`: an approval turn's message, where the server says so).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SavedThread {
    pub thread: AssistThread,
}

impl SavedThread {
    /// Reads the thread endpoint's JSON.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        Ok(Self {
            thread: serde_json::from_str(text)?,
        })
    }

    /// The thread's title, when it has one.
    pub fn title(&self) -> Option<&str> {
        self.thread
            .thread
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
    }
}

/// One restored turn and the request that started it (an approval repeats its message and
/// context, and carries what it confirmed).
pub struct RestoredTurn {
    pub turn: Turn,
    pub origin: AssistRequest,
}

/// A restored card and the turn (by id) that proposed it.
pub struct RestoredCard {
    pub turn_id: u64,
    pub card: Card,
}

/// Takes one `item` out of `pool` (a multiset), saying whether it was there.
fn take(pool: &mut Vec<&PendingConfirmation>, item: &PendingConfirmation) -> bool {
    match pool.iter().position(|p| *p == item) {
        Some(i) => {
            pool.swap_remove(i);
            true
        }
        None => false,
    }
}

/// The turns and cards of `saved`, the turns numbered by `next_id` and worded in `t`.
/// `context` is the panel's own (the thread does not keep it), so an approval sends what a
/// live one would; `decisions` are the rejections this browser kept.
pub fn restore(
    saved: &SavedThread,
    context: Option<&Map<String, Value>>,
    decisions: &Decisions,
    t: Locale,
    next_id: &mut dyn FnMut() -> u64,
) -> (Vec<RestoredTurn>, Vec<RestoredCard>) {
    let thread = &saved.thread;
    let thread_id = thread.thread.id.as_str();
    let mut turns = Vec::new();
    let mut proposals: Vec<(u64, &[PendingConfirmation])> = Vec::new();
    let mut approved: Vec<&PendingConfirmation> = Vec::new();
    let mut messages = thread.messages.iter().enumerate().peekable();
    while let Some((_, message)) = messages.next() {
        if message.role != "user" {
            continue;
        }
        let Some((_, reply)) = messages.next_if(|(_, m)| m.role == "assistant") else {
            continue;
        };
        let confirmed = &message.confirmed;
        let id = next_id();
        // An approval shows as it did live: what it approved, not the request it repeated.
        let shown = if confirmed.is_empty() {
            message.content.clone()
        } else {
            approval_message(confirmed, t)
        };
        let turn = Turn::restored(id, shown, reply, thread_id).in_locale(t);
        let origin = AssistRequest {
            message: message.content.clone(),
            thread_id: Some(thread_id.to_owned()),
            context: context.cloned(),
            confirmed: (!confirmed.is_empty()).then(|| confirmed.clone()),
        };
        approved.extend(confirmed);
        proposals.push((id, &reply.pending_confirmations));
        turns.push(RestoredTurn { turn, origin });
    }
    // What the server still holds: the thread's list, or, from a server that lists none, the
    // last turn's proposals.
    let listed = !thread.pending_confirmations.is_empty();
    let mut open: Vec<&PendingConfirmation> = if listed {
        thread.pending_confirmations.iter().collect()
    } else {
        proposals
            .last()
            .map_or(Vec::new(), |(_, p)| p.iter().collect())
    };
    // The newest proposal of an item is the one a later approval or the open list means.
    let mut cards = Vec::new();
    for (turn_id, items) in proposals.iter().rev() {
        for item in items.iter().rev() {
            let rejected = decisions.is_rejected(thread_id, item);
            let state = if take(&mut approved, item) {
                CardState::Approved
            } else if take(&mut open, item) {
                if rejected {
                    CardState::Rejected
                } else {
                    CardState::Pending
                }
            } else if rejected {
                CardState::Rejected
            } else {
                // Neither held nor approved here: nothing to show or do.
                continue;
            };
            cards.push(RestoredCard {
                turn_id: *turn_id,
                card: Card {
                    item: item.clone(),
                    state,
                },
            });
        }
    }
    cards.reverse();
    (turns, cards)
}

/// What the host hears when a saved conversation cannot be read back (`error`: why).
pub fn restore_failed(
    error: &TurnError,
    status: Option<u16>,
    thread_id: &str,
    t: Locale,
) -> ErrorReport {
    let shown = TurnError::new(t.restore_failed_title(), Some(error.title.clone()));
    ErrorReport::new(&shown, status, Some(thread_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Phase;
    use serde_json::json;

    fn item(name: &str) -> Value {
        json!({"name": name, "method": "DELETE", "path": format!("/x/{name}")})
    }

    fn pending(name: &str) -> PendingConfirmation {
        serde_json::from_value(item(name)).unwrap()
    }

    fn thread(listed: Option<Vec<Value>>) -> SavedThread {
        let mut value = json!({
            "thread": {"id": "thr_r", "agentId": null, "title": "Revoke the key"},
            "messages": [
                {"id": "m1", "role": "user", "content": "revoke the key", "mutations": []},
                {"id": "m2", "role": "assistant", "content": "Approve it.", "mutations": [],
                 "pendingConfirmations": [item("revoke")]},
                {"id": "m3", "role": "assistant", "content": "an orphan reply", "mutations": []},
                {"id": "m4", "role": "user", "content": "release the number", "mutations": []},
                {"id": "m5", "role": "assistant", "content": "Approve it.",
                 "mutations": [{"method": "DELETE", "path": "/numbers/n_1"}],
                 "pendingConfirmations": [item("release")]},
                {"id": "m6", "role": "user", "content": "unanswered", "mutations": []}
            ]
        });
        if let Some(listed) = listed {
            value["pendingConfirmations"] = Value::Array(listed);
        }
        SavedThread::from_json(&value.to_string()).unwrap()
    }

    fn counter() -> impl FnMut() -> u64 {
        let mut n = 0;
        move || {
            n += 1;
            n
        }
    }

    fn states(cards: &[RestoredCard]) -> Vec<(u64, Option<&str>, CardState)> {
        cards
            .iter()
            .map(|c| (c.turn_id, c.card.item.name(), c.card.state.clone()))
            .collect()
    }

    #[test]
    fn each_answered_message_is_a_finished_turn_in_the_thread() {
        let context = json!({"page": "agents"});
        let mut n = 10;
        let saved = thread(None);
        assert_eq!(saved.title(), Some("Revoke the key"));
        let (turns, _) = restore(
            &saved,
            context.as_object(),
            &Decisions::default(),
            Locale::En,
            &mut || {
                n += 1;
                n
            },
        );
        let summary: Vec<_> = turns
            .iter()
            .map(|t| (t.turn.id, t.turn.message.as_str(), t.turn.phase))
            .collect();
        assert_eq!(
            summary,
            [
                (11, "revoke the key", Phase::Done),
                (12, "release the number", Phase::Done)
            ]
        );
        assert_eq!(turns[1].turn.thread_id(), Some("thr_r"));
        assert_eq!(turns[1].turn.mutations.len(), 1);
        assert_eq!(turns[1].origin.thread_id.as_deref(), Some("thr_r"));
        assert_eq!(turns[1].origin.context.as_ref(), context.as_object());
        assert_eq!(turns[1].origin.confirmed, None);
    }

    #[test]
    fn every_proposal_the_server_still_holds_waits_at_its_turn_even_an_older_one() {
        let saved = thread(Some(vec![item("revoke"), item("release"), item("unknown")]));
        let (_, cards) = restore(
            &saved,
            None,
            &Decisions::default(),
            Locale::En,
            &mut counter(),
        );
        assert_eq!(
            states(&cards),
            [
                (1, Some("revoke"), CardState::Pending),
                (2, Some("release"), CardState::Pending)
            ],
            "a later message does not take a proposal back; one no turn made is dropped"
        );
        // A server that lists no open proposals: the last turn's are open.
        let (_, cards) = restore(
            &thread(None),
            None,
            &Decisions::default(),
            Locale::En,
            &mut counter(),
        );
        assert_eq!(states(&cards), [(2, Some("release"), CardState::Pending)]);
    }

    #[test]
    fn a_rejection_kept_here_and_an_approval_in_the_thread_come_back_settled() {
        let mut decisions = Decisions::default();
        decisions.reject("thr_r", &pending("revoke"));
        decisions.reject("thr_other", &pending("release"));
        let mut saved = thread(Some(vec![item("revoke"), item("release")]));
        let (_, cards) = restore(&saved, None, &decisions, Locale::En, &mut counter());
        assert_eq!(
            states(&cards),
            [
                (1, Some("revoke"), CardState::Rejected),
                (2, Some("release"), CardState::Pending)
            ],
            "rejected where it was rejected, and only in its thread"
        );

        // The release was approved: the thread holds the approving message, and the server
        // no longer lists the proposal.
        let mut value: Value = serde_json::to_value(&saved.thread).unwrap();
        let messages = value["messages"].as_array_mut().unwrap();
        messages.pop();
        messages.push(
            json!({"id": "m6", "role": "user", "content": "release the number",
            "mutations": [], "confirmed": [item("release")]}),
        );
        messages.push(
            json!({"id": "m7", "role": "assistant", "content": "Released.",
            "mutations": [{"method": "DELETE", "path": "/x/release"}]}),
        );
        value["pendingConfirmations"] = json!([item("revoke")]);
        saved = SavedThread::from_json(&value.to_string()).unwrap();
        let (turns, cards) = restore(&saved, None, &decisions, Locale::En, &mut counter());
        assert_eq!(
            states(&cards),
            [
                (1, Some("revoke"), CardState::Rejected),
                (2, Some("release"), CardState::Approved)
            ]
        );
        let approval = &turns[2];
        assert_eq!(
            approval.turn.message, "Approve: an action",
            "shown as it was live"
        );
        assert_eq!(approval.origin.message, "release the number");
        assert_eq!(
            approval.origin.confirmed.as_deref(),
            Some(&[pending("release")][..])
        );
    }

    #[test]
    fn a_thread_that_cannot_be_read_is_reported_with_its_id() {
        let report = restore_failed(
            &TurnError::new("Bad gateway", None),
            Some(502),
            "thr_r",
            Locale::En,
        );
        assert_eq!(report.title, "Could not restore the last conversation");
        assert_eq!(report.detail.as_deref(), Some("Bad gateway"));
        assert_eq!(
            (report.status, report.thread_id.as_deref()),
            (Some(502), Some("thr_r"))
        );
    }
}
