//! An approval card's whole life: how dangerous an action is and how its Approve reads
//! ([`risk`]), the card's state machine, the request that approves it, and what it becomes when that request
//! ends. The view is `ui::approval`; the panel's controller creates cards when a turn ends and
//! settles them. [`decisions`]: the rejections the browser keeps across reloads.
//!
//! The first activation wins: [`Card::approve`] moves the card to `Submitting` before anything
//! is awaited, so a double click sends one request. A mutating request is never retried by
//! itself: a failed card waits for the person to press Retry. A card waiting for the person
//! stays actionable until the server refuses it (a 409 makes it stale, with the server's
//! reason): a later message in the thread does not take the proposal back.

pub mod decisions;
mod risk;

pub use risk::{approve_label, is_destructive, is_irreversible};

use assist_protocol::{AssistRequest, PendingConfirmation};

use crate::conversation::reconcile::ApprovalOutcome;
use crate::conversation::{Ending, Phase, Turn};
use crate::i18n::Locale;

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

    /// The card's status line, its outcome once settled (empty while it waits), in `t`.
    pub fn status(&self, t: Locale) -> String {
        match self {
            Self::Pending => String::new(),
            Self::Submitting => t.card_approving(),
            Self::Approved => t.card_approved(),
            Self::CarriedOut => t.card_carried_out(),
            Self::Checking => t.card_checking(),
            Self::ApprovedElsewhere(who) => t.card_approved_elsewhere(who),
            Self::InDoubt(why) => t.card_in_doubt(why),
            Self::Failed(error) => t.card_failed(error),
            Self::Rejected => t.card_rejected(),
            Self::Stale(reason) => t.card_stale(reason),
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
pub fn approval_message(items: &[PendingConfirmation], t: Locale) -> String {
    let names: Vec<String> = items
        .iter()
        .map(|i| i.summary().map_or_else(|| t.an_action(), str::to_owned))
        .collect();
    t.approving_message(&names.join("; "))
}

/// What the cards an approval turn carried become when its request ended: approved when it
/// finished; already approved elsewhere (who, when) or stale with the server's reason when it
/// was refused (409); failed, waiting for the person's Retry, only when nothing reached the
/// copilot; otherwise (its answer broke off, stopped, failed mid-stream, or the gateway holds
/// it in doubt) checking: the thread tells what happened ([`resolve`]).
pub fn settlement(turn: &Turn, ending: &Ending) -> CardState {
    let t = turn.locale;
    if let Ending::Failed(failure) = ending
        && failure.status == Some(409)
    {
        let problem = failure.problem.as_ref();
        // Who approved it and when, or why the server no longer holds it, in the panel's
        // language when the code is known (`Locale::problem`).
        let reason = problem
            .and_then(|p| {
                let said = t.problem(p);
                said.detail
                    .or_else(|| p.title.is_some().then_some(said.title))
            })
            .unwrap_or_else(|| t.no_longer_held());
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
                .map_or_else(|| t.request_failed(), |e| e.title.clone()),
        ),
        _ => CardState::Checking,
    }
}

/// Why an approval's outcome stays unknown when the thread could not be read.
pub fn unreadable(reason: &str, t: Locale) -> CardState {
    CardState::InDoubt(t.unreadable(reason))
}

/// What a card whose answer broke off becomes once the thread was read.
pub fn resolve(outcome: &ApprovalOutcome, t: Locale) -> CardState {
    match outcome {
        ApprovalOutcome::CarriedOut => CardState::CarriedOut,
        ApprovalOutcome::StillPending => CardState::Failed(t.still_held()),
        ApprovalOutcome::Unknown => CardState::InDoubt(t.not_shown_whether()),
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
                CardState::Approved.status(Locale::En).as_str()
            ),
            ("✓", "Approved: carried out.")
        );
        assert_eq!(
            CardState::Stale("Already carried out.".into()).status(Locale::En),
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
            approval_message(&[items[0].clone(), item(json!({"name": "x"}))], Locale::En),
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
            (409, None, CardState::Stale(Locale::En.no_longer_held())),
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
        assert_eq!(
            resolve(&ApprovalOutcome::CarriedOut, Locale::En),
            CardState::CarriedOut
        );
        assert_eq!(
            resolve(&ApprovalOutcome::CarriedOut, Locale::En).as_str(),
            "approved"
        );
        assert!(matches!(
            resolve(&ApprovalOutcome::StillPending, Locale::En),
            CardState::Failed(_)
        ));
        assert!(matches!(
            resolve(&ApprovalOutcome::Unknown, Locale::En),
            CardState::InDoubt(_)
        ));
        let mut card = Card::new(item(json!({"name": "releaseNumber"})));
        card.approve();
        card.settle(CardState::Checking);
        assert_eq!(card.approve(), None, "no Retry while checking");
        card.resolve(resolve(&ApprovalOutcome::Unknown, Locale::En));
        assert_eq!(card.approve(), None, "no plain Retry in doubt");
        assert!(card.recheck());
        card.resolve(CardState::CarriedOut);
        assert!(card.state.is_settled() && !card.recheck());
        let mut done = Turn::new(4, "Approve: x");
        done.apply(assist_protocol::StreamEvent::Done(None));
        assert_eq!(settlement(&done, &Ending::Delivered), CardState::Approved);
        assert_eq!(CardState::Approved.as_str(), "approved");
        assert_eq!(
            CardState::Stale("gone".into()).status(Locale::En),
            "Not carried out: gone"
        );
    }
}
