//! A conversation rebuilt from a saved thread (`GET /assist/threads/{id}`) after a reload: each
//! user message with the assistant reply after it is one finished turn, and the open proposals
//! become cards again — actionable only for the last turn, as they were before the reload.

use assist_protocol::{AssistRequest, AssistThread, PendingConfirmation};
use serde_json::{Map, Value};

use super::{ErrorReport, Turn, TurnError};
use crate::approval::{Card, MOVED_ON};

/// One restored turn and the request that started it (an approval repeats its message and
/// context).
pub struct RestoredTurn {
    pub turn: Turn,
    pub origin: AssistRequest,
}

/// A restored card and the turn (by id) that proposed it.
pub struct RestoredCard {
    pub turn_id: u64,
    pub card: Card,
}

/// The turns and cards of `thread`, the turns numbered by `next_id`. `context` is the panel's
/// own (the thread does not keep it), so an approval sends what a live one would.
pub fn restore(
    thread: &AssistThread,
    context: Option<&Map<String, Value>>,
    next_id: &mut dyn FnMut() -> u64,
) -> (Vec<RestoredTurn>, Vec<RestoredCard>) {
    let mut turns = Vec::new();
    let mut proposals: Vec<(u64, &[PendingConfirmation])> = Vec::new();
    let mut messages = thread.messages.iter().peekable();
    while let Some(message) = messages.next() {
        if message.role != "user" {
            continue;
        }
        let Some(reply) = messages.next_if(|m| m.role == "assistant") else {
            continue;
        };
        let id = next_id();
        let turn = Turn::restored(id, message.content.clone(), reply, &thread.thread.id);
        let origin = AssistRequest {
            message: message.content.clone(),
            thread_id: Some(thread.thread.id.clone()),
            context: context.cloned(),
            confirmed: None,
        };
        proposals.push((id, &reply.pending_confirmations));
        turns.push(RestoredTurn { turn, origin });
    }
    // Servers that do not list open proposals: the last turn's are taken as open.
    let open = if thread.pending_confirmations.is_empty() {
        proposals.last().map_or(&[][..], |(_, p)| p)
    } else {
        &thread.pending_confirmations[..]
    };
    let last_turn = turns.last().map(|t| t.turn.id);
    let mut cards = Vec::new();
    for item in open {
        let Some((turn_id, _)) = proposals.iter().rev().find(|(_, p)| p.contains(item)) else {
            continue;
        };
        let mut card = Card::new(item.clone());
        if Some(*turn_id) != last_turn {
            card.expire(MOVED_ON);
        }
        cards.push(RestoredCard {
            turn_id: *turn_id,
            card,
        });
    }
    (turns, cards)
}

/// What the host hears when a saved conversation cannot be read back (`error`: why).
pub fn restore_failed(error: &TurnError, status: Option<u16>, thread_id: &str) -> ErrorReport {
    let shown = TurnError::new(
        "Could not restore the last conversation",
        Some(error.title.clone()),
    );
    ErrorReport::new(&shown, status, Some(thread_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::CardState;
    use crate::conversation::Phase;

    fn item(name: &str) -> serde_json::Value {
        serde_json::json!({"name": name, "method": "DELETE", "path": format!("/x/{name}")})
    }

    fn thread(listed: Option<Vec<serde_json::Value>>) -> AssistThread {
        let mut value = serde_json::json!({
            "thread": {"id": "thr_r", "agentId": null, "title": "t"},
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
            value["pendingConfirmations"] = serde_json::Value::Array(listed);
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn each_answered_message_is_a_finished_turn_in_the_thread() {
        let context = serde_json::json!({"page": "agents"});
        let mut n = 10;
        let (turns, _) = restore(&thread(None), context.as_object(), &mut || {
            n += 1;
            n
        });
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
    }

    #[test]
    fn only_the_last_turns_open_proposals_can_be_approved() {
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        let (_, cards) = restore(
            &thread(Some(vec![item("revoke"), item("release"), item("unknown")])),
            None,
            &mut next,
        );
        let states: Vec<_> = cards
            .iter()
            .map(|c| (c.turn_id, c.card.state.clone()))
            .collect();
        assert_eq!(
            states,
            [
                (1, CardState::Stale(MOVED_ON.to_owned())),
                (2, CardState::Pending)
            ],
            "a proposal no turn made is dropped"
        );
        // A server that lists no open proposals: the last turn's are open.
        let (_, cards) = restore(&thread(None), None, &mut next);
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].card.item.name(), Some("release"));
    }

    #[test]
    fn a_thread_that_cannot_be_read_is_reported_with_its_id() {
        let report = restore_failed(&TurnError::new("Bad gateway", None), Some(502), "thr_r");
        assert_eq!(report.title, "Could not restore the last conversation");
        assert_eq!(report.detail.as_deref(), Some("Bad gateway"));
        assert_eq!(
            (report.status, report.thread_id.as_deref()),
            (Some(502), Some("thr_r"))
        );
    }
}
