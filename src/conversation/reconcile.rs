//! What the server recorded of a turn whose stream ended without `done` (cut, broken, or
//! stopped): read from the thread (`GET /assist/threads/{id}`), compared with what the panel
//! saw, so that no change the server applied goes unseen and no proposal it holds is lost.
//!
//! Pure: the controller fetches the thread and applies what [`recorded_turn`] and
//! [`unseen`] say; [`approval_outcome`] says what became of an approval whose answer broke off.

use assist_protocol::{AppliedMutation, AssistThread, PendingConfirmation};

/// The server's record of one turn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    /// The assistant's reply as the server kept it (empty when it kept none yet).
    pub reply: String,
    pub mutations: Vec<AppliedMutation>,
    pub proposals: Vec<PendingConfirmation>,
}

/// The record of the turn that sent `message`: the assistant messages after the last person's
/// message with that text, up to the next one. `None` when the thread has no such message
/// (the server recorded nothing of the turn, or not yet).
pub fn recorded_turn(thread: &AssistThread, message: &str) -> Option<Recorded> {
    let wanted = message.trim();
    let start = thread
        .messages
        .iter()
        .rposition(|m| m.role == "user" && m.content.trim() == wanted)?;
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
        recorded
            .proposals
            .extend(answer.pending_confirmations.iter().cloned());
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

/// What became of an approval whose answer broke off, as the thread tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApprovalOutcome {
    /// The thread records the change the item asked for.
    CarriedOut,
    /// The thread still offers the item: nothing was done, it can be approved again.
    StillPending,
    /// The thread says neither (it was refused, or the record is not there yet).
    Unknown,
}

/// Whether `item` was carried out, going by the thread: a recorded change with the item's
/// method and path, or the item still among the thread's open proposals.
pub fn approval_outcome(thread: &AssistThread, item: &PendingConfirmation) -> ApprovalOutcome {
    let same = |method: Option<&str>, path: Option<&str>| {
        method
            .zip(item.method())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            && path.is_some()
            && path == item.path()
    };
    let done = thread.messages.iter().any(|m| {
        m.role != "user"
            && m.mutations
                .iter()
                .any(|mu| same(Some(mu.method.as_str()), Some(mu.path.as_str())))
    });
    if done {
        ApprovalOutcome::CarriedOut
    } else if thread.pending_confirmations.contains(item) {
        ApprovalOutcome::StillPending
    } else {
        ApprovalOutcome::Unknown
    }
}

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
        let found = recorded_turn(&record, "Add an order-lookup skill").unwrap();
        assert_eq!(found.reply, "Added it.");
        assert_eq!(found.mutations, [mutation("Added the skill Order lookup")]);
        assert_eq!(recorded_turn(&record, "never sent"), None);
        // The turn's message recorded, no answer yet: an empty record, not a missing one.
        let started = thread(vec![message("user", "list my agents")]);
        assert_eq!(
            recorded_turn(&started, "list my agents"),
            Some(Recorded::default())
        );
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
