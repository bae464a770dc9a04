//! An approval card's whole life: how dangerous an action is and how its Approve reads, the
//! card's state machine, the request that approves it, and what it becomes when that request
//! ends. The view is `ui::approval`; the panel's controller creates cards when a turn ends and
//! settles them. [`decisions`]: the rejections the browser keeps across reloads.
//!
//! The first activation wins: [`Card::approve`] moves the card to `Submitting` before anything
//! is awaited, so a double click sends one request. A mutating request is never retried by
//! itself: a failed card waits for the person to press Retry. A card waiting for the person
//! stays actionable until the server refuses it (a 409 makes it stale, with the server's
//! reason): a later message in the thread does not take the proposal back.

pub mod decisions;

use assist_protocol::{AssistRequest, PendingConfirmation};

use crate::changes::{operation_name, words};
use crate::conversation::reconcile::ApprovalOutcome;
use crate::conversation::{Ending, Phase, Turn};

/// Why a card cannot be approved when its turn's stream broke before naming its thread.
pub const THREAD_UNKNOWN: &str =
    "The proposal's conversation is unknown (its reply was cut off); ask again.";

/// Why a refused (409) approval is stale when the server gave no reason.
const NO_LONGER_HELD: &str = "The server no longer holds this action.";

/// The first words of operations that take something away for good.
const IRREVERSIBLE_VERBS: &[&str] = &["delete", "release", "revoke", "destroy", "remove", "purge"];

/// The first words of operations that change what is live without destroying it.
const LIVE_CHANGING_VERBS: &[&str] = &["publish", "rollback", "unpublish", "unassign", "detach"];

/// The operation's first word (`releaseNumber` → `release`), lower case.
fn verb(item: &PendingConfirmation) -> Option<String> {
    words(item.name()?).into_iter().next()
}

/// Does this pending item destroy or take away something people rely on (delete, release,
/// revoke, unassign) or change what live callers reach (publish, roll back)? Shown with a
/// "destructive" badge.
pub fn is_destructive(item: &PendingConfirmation) -> bool {
    let delete = item.method().unwrap_or("").eq_ignore_ascii_case("DELETE");
    let by_name = verb(item).is_some_and(|v| {
        IRREVERSIBLE_VERBS.contains(&v.as_str()) || LIVE_CHANGING_VERBS.contains(&v.as_str())
    });
    let summary = item.summary().unwrap_or("").to_lowercase();
    let by_summary = [
        "delete",
        "release",
        "revoke",
        "remove",
        "destroy",
        "publish",
        "roll back",
        "rollback",
    ]
    .iter()
    .any(|w| summary.contains(w));
    let path = item.path().unwrap_or("");
    let by_path = path.ends_with("/publish") || path.ends_with("/rollback");
    delete || by_name || by_summary || by_path
}

/// Can this action not be undone (a released number, a revoked key, a deleted agent)? Its
/// Approve is danger-styled and says the action. An unassignment, a publish and a rollback can
/// be undone by another request; what the server calls irreversible is.
pub fn is_irreversible(item: &PendingConfirmation) -> bool {
    let summary = item.summary().unwrap_or("").to_lowercase();
    if summary.contains("irreversible") || summary.contains("cannot be undone") {
        return true;
    }
    match verb(item) {
        Some(verb) => IRREVERSIBLE_VERBS.contains(&verb.as_str()),
        // No operation name: a DELETE of one thing (its path ends in an id) takes it away.
        None => {
            item.method().unwrap_or("").eq_ignore_ascii_case("DELETE")
                && item
                    .path()
                    .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
                    .is_some_and(|last| last.chars().any(|c| c.is_ascii_digit()))
        }
    }
}

/// What the card's Approve button says: the action itself for an irreversible one ("Release
/// number"), so the person reads what they are about to do; "Approve" otherwise.
pub fn approve_label(item: &PendingConfirmation) -> String {
    match item.name() {
        Some(name) if is_irreversible(item) && !name.is_empty() => operation_name(name),
        _ => "Approve".to_owned(),
    }
}

/// Where an approval card is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardState {
    /// Waiting for the person (actionable once its turn ended, until the server refuses it).
    Pending,
    /// The approval request is on its way (buttons disabled).
    Submitting,
    /// The approval ran; its change is under applied changes.
    Approved,
    /// The approval request failed before it reached the copilot (or the thread shows the
    /// server still offers the action): the person may press Retry.
    Failed(String),
    /// Its answer broke off after the copilot had it: reading the thread to learn what
    /// happened.
    Checking,
    /// The thread records the action as carried out (its answer had broken off).
    CarriedOut,
    /// Someone approved it before (another tab, device or person): who and when.
    ApprovedElsewhere(String),
    /// Its answer broke off and the thread does not tell whether it ran (why): never a plain
    /// Retry, only a new look at the thread.
    InDoubt(String),
    /// The person rejected it; nothing was sent.
    Rejected,
    /// The server refused it (409): it no longer holds the action, for the reason given.
    Stale(String),
}

impl CardState {
    /// Stable name used in `data-state` attributes and by tests.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Submitting => "submitting",
            Self::Approved | Self::CarriedOut => "approved",
            Self::Failed(_) => "failed",
            Self::Checking => "checking",
            Self::ApprovedElsewhere(_) => "approved-elsewhere",
            Self::InDoubt(_) => "in-doubt",
            Self::Rejected => "rejected",
            Self::Stale(_) => "stale",
        }
    }

    /// Decided for good: the card shrinks to one line with its outcome.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            Self::Approved
                | Self::CarriedOut
                | Self::ApprovedElsewhere(_)
                | Self::Rejected
                | Self::Stale(_)
        )
    }

    /// The card's status line, its outcome once settled (empty while it waits).
    pub fn status(&self) -> String {
        match self {
            Self::Pending => String::new(),
            Self::Submitting => "Approving…".to_owned(),
            Self::Approved => "Approved: carried out.".to_owned(),
            Self::CarriedOut => {
                "Approved: the answer broke off, and the server recorded it as carried out."
                    .to_owned()
            }
            Self::Checking => "Checking what happened…".to_owned(),
            Self::ApprovedElsewhere(who) => format!("Already approved elsewhere: {who}"),
            Self::InDoubt(why) => format!("Outcome unknown: {why}"),
            Self::Failed(error) => format!("Failed: {error}"),
            Self::Rejected => "Rejected: nothing was sent.".to_owned(),
            Self::Stale(reason) => format!("Not carried out: {reason}"),
        }
    }

    /// The mark in front of a settled card's line (the words say the same).
    pub fn mark(&self) -> &'static str {
        match self {
            Self::Approved | Self::CarriedOut | Self::ApprovedElsewhere(_) => "✓",
            Self::Rejected => "✕",
            Self::Stale(_) | Self::Failed(_) | Self::InDoubt(_) => "!",
            Self::Pending | Self::Submitting | Self::Checking => "",
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

/// What the cards an approval turn carried become when its request ended: approved when it
/// finished; already approved elsewhere (who, when) or stale with the server's reason when it
/// was refused (409); failed, waiting for the person's Retry, only when nothing reached the
/// copilot; otherwise (its answer broke off, stopped, failed mid-stream, or the gateway holds
/// it in doubt) checking: the thread tells what happened ([`resolve`]).
pub fn settlement(turn: &Turn, ending: &Ending) -> CardState {
    if let Ending::Failed(failure) = ending
        && failure.status == Some(409)
    {
        let problem = failure.problem.as_ref();
        let reason = problem
            .and_then(|p| p.detail.clone().or_else(|| p.title.clone()))
            .unwrap_or_else(|| NO_LONGER_HELD.to_owned());
        return match problem.and_then(|p| p.code.as_deref()) {
            Some("already_confirmed") => CardState::ApprovedElsewhere(reason),
            Some("confirmation_in_doubt") => CardState::Checking,
            _ => CardState::Stale(reason),
        };
    }
    match turn.phase {
        Phase::Done => CardState::Approved,
        _ if ending.gives_message_back() => CardState::Failed(
            turn.error
                .as_ref()
                .map_or_else(|| "The request failed.".to_owned(), |e| e.title.clone()),
        ),
        _ => CardState::Checking,
    }
}

/// Why an approval's outcome stays unknown when the thread could not be read.
pub fn unreadable(reason: &str) -> CardState {
    CardState::InDoubt(format!(
        "the answer broke off, and the conversation could not be read ({reason}). Check the \
         account before approving again."
    ))
}

/// What a card whose answer broke off becomes once the thread was read.
pub fn resolve(outcome: &ApprovalOutcome) -> CardState {
    match outcome {
        ApprovalOutcome::CarriedOut => CardState::CarriedOut,
        ApprovalOutcome::StillPending => CardState::Failed(
            "the answer broke off before the server acted; it still holds this action.".to_owned(),
        ),
        ApprovalOutcome::Unknown => CardState::InDoubt(
            "the answer broke off, and the conversation does not show whether it was carried \
             out. Check the account before approving again."
                .to_owned(),
        ),
    }
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

    /// The thread told what became of an approval that was being checked (or, on "Check
    /// again", of one still in doubt).
    pub fn resolve(&mut self, outcome: CardState) {
        if matches!(self.state, CardState::Checking | CardState::InDoubt(_)) {
            self.state = outcome;
        }
    }

    /// "Check again" on a card in doubt: `true` when it moved to Checking.
    pub fn recheck(&mut self) -> bool {
        let again = matches!(self.state, CardState::InDoubt(_));
        if again {
            self.state = CardState::Checking;
        }
        again
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
    fn deletes_releases_revokes_publishes_and_rollbacks_are_destructive() {
        let release = item(
            json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/n_1", "summary": "Release +1 415 555 4421"}),
        );
        let revoke = item(
            json!({"name": "revokePublishableKey", "method": "POST", "path": "/x", "summary": "Revoke the key"}),
        );
        // Publishing and rolling back change what live callers reach (issue 20: they used to
        // pass as harmless).
        let publish = item(
            json!({"name": "publishAgent", "method": "POST", "path": "/agents/a_1/publish", "summary": "Publish Support Bot"}),
        );
        let rollback = item(
            json!({"name": "rollbackAgent", "method": "POST", "path": "/agents/a_1/rollback", "summary": "Roll Support Bot back from version 2 to version 1"}),
        );
        let unnamed_rollback = item(json!({"method": "POST", "path": "/agents/a_1/rollback"}));
        let rename = item(
            json!({"name": "updateAgent", "method": "PATCH", "path": "/agents/a_1", "summary": "Rename Support Bot"}),
        );
        for destructive in [&release, &revoke, &publish, &rollback, &unnamed_rollback] {
            assert!(is_destructive(destructive), "{destructive:?}");
        }
        assert!(!is_destructive(&rename));
    }

    #[test]
    fn irreversible_actions_say_what_they_do_on_their_approve() {
        let case = |value: Value| {
            let item = item(value);
            (is_irreversible(&item), approve_label(&item))
        };
        let yes = |label: &str| (true, label.to_owned());
        let no = (false, "Approve".to_owned());
        assert_eq!(
            case(json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/num_1"})),
            yes("Release number")
        );
        assert_eq!(
            case(
                json!({"name": "revokePublishableKey", "method": "DELETE", "path": "/agents/a/publishable-keys/pk_1"})
            ),
            yes("Revoke publishable key")
        );
        assert_eq!(
            case(json!({"name": "deleteAgent", "method": "DELETE", "path": "/agents/agt_1"})),
            yes("Delete agent")
        );
        // Undone by another request: assign again, publish again, roll forward.
        for reversible in [
            json!({"name": "unassignNumber", "method": "DELETE", "path": "/numbers/num_2/assign"}),
            json!({"name": "publishAgent", "method": "POST", "path": "/agents/a/publish"}),
            json!({"name": "rollbackAgent", "method": "POST", "path": "/agents/a/rollback"}),
        ] {
            assert_eq!(case(reversible.clone()), no, "{reversible}");
        }
        // What the server says, and a bare DELETE of one thing.
        assert_eq!(
            case(json!({"name": "archiveThing", "summary": "Archive it (irreversible)"})),
            yes("Archive thing")
        );
        assert_eq!(
            case(json!({"method": "DELETE", "path": "/webhooks/wh_2"})),
            (true, "Approve".to_owned()),
            "irreversible, but with no name to say it by"
        );
        assert_eq!(
            case(json!({"method": "DELETE", "path": "/webhooks/wh_2/assign"})),
            no
        );
    }

    #[test]
    fn settled_cards_say_their_outcome_in_one_line() {
        let settled: Vec<bool> = [
            CardState::Pending,
            CardState::Submitting,
            CardState::Failed("Bad gateway".into()),
            CardState::Approved,
            CardState::Rejected,
            CardState::Stale("Already carried out.".into()),
        ]
        .iter()
        .map(CardState::is_settled)
        .collect();
        assert_eq!(settled, [false, false, false, true, true, true]);
        assert_eq!(
            (
                CardState::Approved.mark(),
                CardState::Approved.status().as_str()
            ),
            ("✓", "Approved: carried out.")
        );
        assert_eq!(
            CardState::Stale("Already carried out.".into()).status(),
            "Not carried out: Already carried out."
        );
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
        // The gateway's ledger: approved before (who, when), or in doubt.
        for (code, expected) in [
            (
                "already_confirmed",
                CardState::ApprovedElsewhere(
                    "Ana approved this on 2026-12-01 at 13:05 UTC.".into(),
                ),
            ),
            ("confirmation_in_doubt", CardState::Checking),
        ] {
            let ending = Ending::Failed(Box::new(Failure {
                error: TurnError::new("Already approved", None),
                status: Some(409),
                problem: Some(
                    ProblemDetails::new(409, "x", "Ana approved this on 2026-12-01 at 13:05 UTC.")
                        .with_code(code),
                ),
                before_acceptance: true,
            }));
            let mut turn = Turn::new(5, "Approve: x");
            turn.end(&ending);
            assert_eq!(settlement(&turn, &ending), expected, "{code}");
        }
        // It reached the copilot and ended without done: what happened is read from the
        // thread, never offered as a plain Retry.
        let mut stopped = Turn::new(3, "Approve: x");
        stopped.end(&Ending::Stopped);
        assert_eq!(settlement(&stopped, &Ending::Stopped), CardState::Checking);
        let mut cut = Turn::new(6, "Approve: x");
        cut.end(&Ending::Interrupted);
        assert_eq!(settlement(&cut, &Ending::Interrupted), CardState::Checking);
        assert_eq!(resolve(&ApprovalOutcome::CarriedOut), CardState::CarriedOut);
        assert_eq!(resolve(&ApprovalOutcome::CarriedOut).as_str(), "approved");
        assert!(matches!(
            resolve(&ApprovalOutcome::StillPending),
            CardState::Failed(_)
        ));
        assert!(matches!(
            resolve(&ApprovalOutcome::Unknown),
            CardState::InDoubt(_)
        ));
        let mut card = Card::new(item(json!({"name": "releaseNumber"})));
        card.approve();
        card.settle(CardState::Checking);
        assert_eq!(card.approve(), None, "no Retry while checking");
        card.resolve(resolve(&ApprovalOutcome::Unknown));
        assert_eq!(card.approve(), None, "no plain Retry in doubt");
        assert!(card.recheck());
        card.resolve(CardState::CarriedOut);
        assert!(card.state.is_settled() && !card.recheck());
        let mut done = Turn::new(4, "Approve: x");
        done.apply(assist_protocol::StreamEvent::Done(None));
        assert_eq!(settlement(&done, &Ending::Delivered), CardState::Approved);
        assert_eq!(CardState::Approved.as_str(), "approved");
        assert_eq!(
            CardState::Stale("gone".into()).status(),
            "Not carried out: gone"
        );
    }
}
