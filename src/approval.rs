//! An approval card's whole life: what counts as destructive, the card's state machine, the
//! request that approves it, and what it becomes when that request ends. The view is
//! `ui::approval`; the panel's controller creates cards when a turn ends and settles them.
//!
//! The first activation wins: [`Card::approve`] moves the card to `Submitting` before anything
//! is awaited, so a double click sends one request. A mutating request is never retried by
//! itself: a failed card waits for the person to press Retry.

use assist_protocol::{AssistRequest, PendingConfirmation};

use crate::conversation::{Ending, Phase, Turn};

/// Why a card still pending can no longer be approved: a newer turn moved the thread on.
pub const MOVED_ON: &str = "The conversation moved on; ask again to do this.";

/// Why a card cannot be approved when its turn's stream broke before naming its thread.
pub const THREAD_UNKNOWN: &str =
    "The proposal's conversation is unknown (its reply was cut off); ask again.";

/// Why a refused (409) approval is stale when the server gave no reason.
const NO_LONGER_HELD: &str = "The server no longer holds this action.";

/// Does this pending item destroy something (delete, release, revoke)? Shown with a
/// "destructive" badge.
pub fn is_destructive(item: &PendingConfirmation) -> bool {
    let method = item.method().unwrap_or("").eq_ignore_ascii_case("DELETE");
    let words = format!(
        "{} {}",
        item.name().unwrap_or(""),
        item.summary().unwrap_or("")
    )
    .to_lowercase();
    method
        || ["delete", "release", "revoke", "remove", "destroy"]
            .iter()
            .any(|w| words.contains(w))
}

/// Where an approval card is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardState {
    /// Waiting for the person (actionable once its turn ended).
    Pending,
    /// The approval request is on its way (buttons disabled).
    Submitting,
    /// The approval ran; its change is under applied changes.
    Approved,
    /// The approval request failed; the person may press Retry.
    Failed(String),
    /// The person rejected it; nothing was sent.
    Rejected,
    /// The server refused it as stale or unknown (409), or the thread moved on.
    Stale(String),
}

impl CardState {
    /// Stable name used in `data-state` attributes and by tests.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Submitting => "submitting",
            Self::Approved => "approved",
            Self::Failed(_) => "failed",
            Self::Rejected => "rejected",
            Self::Stale(_) => "stale",
        }
    }

    /// The card's status line (empty while it waits).
    pub fn status(&self) -> String {
        match self {
            Self::Pending => String::new(),
            Self::Submitting => "Approving…".to_owned(),
            Self::Approved => "Approved: carried out.".to_owned(),
            Self::Failed(error) => format!("Failed: {error}"),
            Self::Rejected => "Rejected: nothing was sent.".to_owned(),
            Self::Stale(reason) => format!("Stale: {reason}"),
        }
    }
}

/// The request approving `items`, proposed by the turn that sent `origin`: the same message,
/// thread and context, with `confirmed` = the items exactly as received. The thread is the one
/// the proposing turn's result named, else the one its request continued, else the
/// conversation's; `None` when none is known (the proposal's stream broke before naming it),
/// and then there is nowhere to send it.
pub fn approval_request(
    origin: AssistRequest,
    proposed_in: Option<String>,
    conversation: Option<String>,
    items: Vec<PendingConfirmation>,
) -> Option<AssistRequest> {
    let thread = proposed_in
        .or_else(|| origin.thread_id.clone())
        .or(conversation)?;
    Some(AssistRequest {
        thread_id: Some(thread),
        confirmed: Some(items),
        ..origin
    })
}

/// How an approval turn shows in the log: "Approve: Release +1 415 555 4421; …".
pub fn approval_message(items: &[PendingConfirmation]) -> String {
    let names: Vec<&str> = items
        .iter()
        .map(|i| i.summary().unwrap_or("an action"))
        .collect();
    format!("Approve: {}", names.join("; "))
}

/// What the cards an approval turn carried become when its request ended: stale with the
/// server's reason when it refused them (409: it no longer holds them), failed (waiting for
/// the person's Retry) when the turn did not finish, approved when it did.
pub fn settlement(turn: &Turn, ending: &Ending) -> CardState {
    if let Ending::Failed(failure) = ending
        && failure.status == Some(409)
    {
        let problem = failure.problem.as_ref();
        return CardState::Stale(
            problem
                .and_then(|p| p.detail.clone().or_else(|| p.title.clone()))
                .unwrap_or_else(|| NO_LONGER_HELD.to_owned()),
        );
    }
    if turn.phase == Phase::Done {
        return CardState::Approved;
    }
    CardState::Failed(turn.error.as_ref().map_or_else(
        || "Stopped before the copilot answered.".to_owned(),
        |e| e.title.clone(),
    ))
}

/// One pending confirmation as the person sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub item: PendingConfirmation,
    pub state: CardState,
}

impl Card {
    pub fn new(item: PendingConfirmation) -> Self {
        Self {
            item,
            state: CardState::Pending,
        }
    }

    /// Approve (or Retry after a failure). Returns the item to send exactly once: `Some` only
    /// on the activation that moves the card to `Submitting`; every other activation (a double
    /// click, a second Enter, a click on a decided card) returns `None`.
    pub fn approve(&mut self) -> Option<PendingConfirmation> {
        match self.state {
            CardState::Pending | CardState::Failed(_) => {
                self.state = CardState::Submitting;
                Some(self.item.clone())
            }
            _ => None,
        }
    }

    /// Reject: local only, and only while nothing was sent.
    pub fn reject(&mut self) -> bool {
        if self.state == CardState::Pending {
            self.state = CardState::Rejected;
            true
        } else {
            false
        }
    }

    /// The approval request ended.
    pub fn settle(&mut self, outcome: CardState) {
        if self.state == CardState::Submitting {
            self.state = outcome;
        }
    }

    /// The thread moved on (a newer turn): a card still pending can no longer be approved.
    pub fn expire(&mut self, reason: &str) {
        if self.state == CardState::Pending {
            self.state = CardState::Stale(reason.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn item(value: Value) -> PendingConfirmation {
        PendingConfirmation(value.as_object().unwrap().clone())
    }

    #[test]
    fn deletes_releases_and_revokes_are_destructive() {
        let release = item(
            json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/n_1", "summary": "Release +1 415 555 4421"}),
        );
        let revoke = item(
            json!({"name": "revokePublishableKey", "method": "POST", "path": "/x", "summary": "Revoke the key"}),
        );
        let publish = item(
            json!({"name": "publishAgent", "method": "POST", "path": "/agents/a_1/publish", "summary": "Publish Support Bot"}),
        );
        assert!(is_destructive(&release) && is_destructive(&revoke));
        assert!(!is_destructive(&publish));
    }

    #[test]
    fn the_first_activation_wins_and_retry_is_the_persons() {
        let mut card = Card::new(item(
            json!({"name": "releaseNumber", "args": {"numberId": "num_1"}}),
        ));
        let sent = card.approve();
        assert_eq!(sent.as_ref(), Some(&card.item), "exactly as received");
        assert_eq!(card.state, CardState::Submitting);
        assert_eq!(card.approve(), None, "a double click sends nothing");
        assert!(!card.reject(), "no rejecting what was sent");
        card.settle(CardState::Failed("Bad gateway".into()));
        assert_eq!(card.state, CardState::Failed("Bad gateway".into()));
        assert!(card.approve().is_some(), "Retry, pressed by the person");
        card.settle(CardState::Approved);
        assert_eq!(card.approve(), None);
        card.settle(CardState::Failed("late".into()));
        assert_eq!(
            card.state,
            CardState::Approved,
            "only a submitting card settles"
        );

        let mut other = Card::new(item(json!({"name": "x"})));
        assert!(other.reject());
        assert_eq!(other.approve(), None);
        let mut old = Card::new(item(json!({"name": "y"})));
        old.expire("The conversation moved on.");
        assert!(matches!(old.state, CardState::Stale(_)));
        assert_eq!(old.approve(), None);
    }

    #[test]
    fn an_approval_repeats_its_turn_exactly_in_its_thread() {
        let origin = AssistRequest {
            message: "release the number ending 4421".into(),
            thread_id: None,
            context: json!({"page": "numbers"}).as_object().cloned(),
            confirmed: None,
        };
        let items = vec![item(
            json!({"name": "releaseNumber", "summary": "Release 4421"}),
        )];
        let request =
            approval_request(origin.clone(), None, Some("thr_7".into()), items.clone()).unwrap();
        assert_eq!(request.message, origin.message);
        assert_eq!(request.context, origin.context);
        assert_eq!(request.thread_id.as_deref(), Some("thr_7"));
        assert_eq!(
            request.confirmed.as_deref(),
            Some(&items[..]),
            "as received"
        );
        let continued = AssistRequest {
            thread_id: Some("thr_r".into()),
            ..origin.clone()
        };
        let thread = |proposed_in: Option<&str>| {
            approval_request(
                continued.clone(),
                proposed_in.map(str::to_owned),
                Some("thr_now".into()),
                items.clone(),
            )
            .and_then(|r| r.thread_id)
        };
        assert_eq!(
            thread(Some("thr_p")).as_deref(),
            Some("thr_p"),
            "the result's first"
        );
        assert_eq!(thread(None).as_deref(), Some("thr_r"), "then the request's");
        assert_eq!(approval_request(origin, None, None, items.clone()), None);
        assert_eq!(
            approval_message(&[items[0].clone(), item(json!({"name": "x"}))]),
            "Approve: Release 4421; an action"
        );
    }

    #[test]
    fn a_card_settles_from_how_its_approval_ended() {
        use crate::conversation::{Failure, TurnError};
        use assist_protocol::ProblemDetails;
        let refused = ProblemDetails::new(409, "Stale confirmation", "Already carried out.");
        let cases = [
            (
                409,
                Some(refused),
                CardState::Stale("Already carried out.".into()),
            ),
            (409, None, CardState::Stale(NO_LONGER_HELD.into())),
            (502, None, CardState::Failed("Conflict".into())),
        ];
        for (status, problem, expected) in cases {
            let ending = Ending::Failed(Box::new(Failure {
                error: TurnError::new("Conflict", None),
                status: Some(status),
                problem,
                before_acceptance: true,
            }));
            let mut turn = Turn::new(1, "Approve: x");
            turn.end(&ending);
            assert_eq!(settlement(&turn, &ending), expected, "{status}");
        }
        let mut stopped = Turn::new(3, "Approve: x");
        stopped.end(&Ending::Stopped);
        assert_eq!(
            settlement(&stopped, &Ending::Stopped),
            CardState::Failed("Stopped before the copilot answered.".into())
        );
        let mut done = Turn::new(4, "Approve: x");
        done.apply(assist_protocol::StreamEvent::Done(None));
        assert_eq!(settlement(&done, &Ending::Delivered), CardState::Approved);
        assert_eq!(CardState::Approved.as_str(), "approved");
        assert_eq!(CardState::Stale("gone".into()).status(), "Stale: gone");
    }
}
