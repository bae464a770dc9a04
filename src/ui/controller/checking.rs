//! What the server recorded of a turn that ended without `done`: the thread is read
//! (`GET /assist/threads/{id}`, read-only, a few tries with backoff) and what the stream never
//! showed joins the conversation: changes marked "recorded by the server", proposals as
//! cards, and each approval whose answer broke off settled from the thread. The rules are
//! [`crate::conversation::reconcile`] and [`crate::approval::resolve`].

use assist_protocol::AssistRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::PanelState;
use crate::approval::{Card, CardState, resolve, unreadable};
use crate::conversation::reconcile::{Check, approval_outcome, recorded_turn};
use crate::conversation::restore::SavedThread;
use crate::transport::{self, TransportError};
use crate::ui::approval::LiveCard;
use crate::ui::reply::sleep_ms;
use crate::ui::turn::LiveTurn;

/// The waits before each new try of reading the thread: the server may record the turn a
/// moment after its stream broke.
const BACKOFF_MS: [i32; 3] = [500, 1_000, 2_000];

impl PanelState {
    /// Reads what the server recorded of `turn` (sent as `request`) when it needs it, and of
    /// the approval cards it carried that are being checked.
    pub(super) fn check_recorded(
        self,
        turn: LiveTurn,
        request: &AssistRequest,
        check_turn: bool,
        approving: Vec<LiveCard>,
    ) {
        let t = self.locale();
        let checking: Vec<LiveCard> = approving
            .into_iter()
            .filter(|c| {
                c.card
                    .with_untracked(|c| matches!(c.state, CardState::Checking))
            })
            .collect();
        if !check_turn && checking.is_empty() {
            return;
        }
        let thread = turn
            .with_untracked(|t| t.known_thread().map(str::to_owned))
            .or_else(|| request.thread_id.clone());
        let Some(thread) = thread else {
            turn.set_check(Check::ThreadUnknown);
            for card in &checking {
                card.card
                    .update(|c| c.resolve(unreadable(&t.its_conversation_unknown(), t)));
            }
            return;
        };
        if check_turn {
            turn.set_check(Check::Checking);
        }
        let message = request.message.clone();
        let approving_turn = request.confirmed.is_some();
        spawn_local(async move {
            let read = self
                .read_thread(
                    &thread,
                    check_turn.then_some((&message, approving_turn)),
                    || !turn.is_disposed(),
                )
                .await;
            if turn.is_disposed() {
                return;
            }
            let saved = match read {
                Ok(saved) => saved,
                Err(error) => {
                    let reason = error.to_turn_error(t).title;
                    if check_turn {
                        turn.set_check(Check::Unavailable(reason.clone()));
                    }
                    for card in &checking {
                        card.card.update(|c| c.resolve(unreadable(&reason, t)));
                    }
                    self.announce_check(turn);
                    return;
                }
            };
            for card in &checking {
                card.card.update(|c| {
                    let outcome = approval_outcome(&saved.thread, &c.item);
                    c.resolve(resolve(&outcome, t));
                });
            }
            if check_turn {
                let record = recorded_turn(&saved.thread, &message, approving_turn);
                let before = turn.with_untracked(|t| t.recorded.len());
                let proposals = turn.reconcile(record);
                turn.with_untracked(|t| {
                    if t.recorded.len() > before {
                        self.host.changes_applied(&t.recorded[before..]);
                    }
                });
                self.add_cards(turn, proposals);
            }
            self.announce_check(turn);
        });
    }

    /// "Check again" on a card in doubt: reads its thread once more.
    pub fn check_again(&self, card: LiveCard) {
        if card.card.try_update(Card::recheck) != Some(true) {
            return;
        }
        let Some(turn) = self.turn(card.turn_id) else {
            return;
        };
        let mut request = turn.origin();
        request.thread_id = turn
            .with_untracked(|t| t.thread_id.clone())
            .or(request.thread_id)
            .or_else(|| self.thread_id.get_untracked());
        self.check_recorded(turn, &request, false, vec![card]);
    }

    /// The thread, read with a few tries. With `turn` (its message, and whether it approved),
    /// a read that does not have the turn yet is tried again too.
    async fn read_thread(
        &self,
        id: &str,
        turn: Option<(&String, bool)>,
        mounted: impl Fn() -> bool,
    ) -> Result<SavedThread, TransportError> {
        let endpoint = self.settings.with_value(|s| s.endpoint.clone());
        let mut last = None;
        for (attempt, wait) in std::iter::once(0).chain(BACKOFF_MS).enumerate() {
            if wait > 0 {
                sleep_ms(wait).await;
            }
            // Unmounted meanwhile: nobody is left to tell.
            if !mounted() {
                return Err(TransportError::Aborted);
            }
            match transport::get_thread(&endpoint, id).await {
                Ok(saved) => {
                    let has_turn = turn.is_none_or(|(message, approving)| {
                        recorded_turn(&saved.thread, message, approving).is_some()
                    });
                    if has_turn || attempt == BACKOFF_MS.len() {
                        return Ok(saved);
                    }
                    last = Some(Ok(saved));
                }
                // Refused for good (signed out, not found, forbidden): no point trying again.
                Err(error @ TransportError::Http { status, .. })
                    if status < 500 && status != 429 =>
                {
                    return Err(error);
                }
                Err(error) => last = Some(Err(error)),
            }
        }
        last.expect("at least one try")
    }

    /// Says what the check found, in the turn's words.
    fn announce_check(&self, turn: LiveTurn) {
        if let Some(sentence) = turn.with_untracked(|t| t.check.sentence(t.locale)) {
            self.announcement.set(sentence);
        }
    }
}
