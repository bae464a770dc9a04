//! Sending: the box's message or a suggestion, Stop, Retry, and everything that happens when a
//! turn's request ends (its phase, the message back to the box, the approved cards settled, the
//! thread adopted, new cards, the host told, the end announced, focus).

use assist_protocol::{AssistRequest, PendingConfirmation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use super::{HostSession, PanelState};
use crate::approval::{Card, settlement};
use crate::conversation::draft::DraftLength;
use crate::conversation::{Ending, Turn};
use crate::transport::{self, TransportError};
use crate::ui::approval::LiveCard;
use crate::ui::turn::LiveTurn;

/// How long after Send was pressed Stop ignores clicks: longer than a double click takes
/// (desktop systems default to 500 ms at most between its clicks).
pub const DOUBLE_CLICK_MS: f64 = 500.0;

impl PanelState {
    /// Sends what is in the box, in the conversation's thread. Nothing is sent while the box
    /// is empty, a request is out, or the message is over the limit (the box keeps it, and
    /// says why). Cards proposed earlier stay as they are: the server still holds them.
    pub fn send(&self) {
        let draft = self.draft.get_untracked();
        if DraftLength::of(&draft).is_over() || self.busy.get_untracked() {
            return;
        }
        if self.ask(&draft) {
            self.draft.set(String::new());
        }
    }

    /// Sends `text` (a suggestion, or the box's message) in the conversation's thread, leaving
    /// the box as it is; `false` when nothing was sent (empty, too long, or busy).
    pub fn ask(&self, text: &str) -> bool {
        let message = text.trim().to_owned();
        if message.is_empty() || DraftLength::of(&message).is_over() || self.busy.get_untracked() {
            return false;
        }
        let request = AssistRequest {
            message: message.clone(),
            thread_id: self.thread_id.get_untracked(),
            context: self.settings.with_value(|s| s.context.clone()),
            confirmed: None,
        };
        self.start_turn(request, message, Vec::new());
        // Send's button gives way to Stop: the person goes on in the box.
        self.focus_composer_if_ours();
        true
    }

    /// Stops the request in flight, if any: its turn ends as stopped, keeping what arrived.
    pub fn stop(&self) {
        if let Some(Some(request)) = self.request.try_get_value() {
            request.abort();
        }
    }

    /// The Send button was pressed (clicked, or Enter on it): sends the box's message, and
    /// notes when, for [`Self::stop_pressed`].
    pub fn send_pressed(&self) {
        self.send_pressed_at.set_value(f64::INFINITY);
        self.send();
        // Sent: the turn's start took the mark and dated it. Not sent: nothing to guard.
        if self.send_pressed_at.get_value() == f64::INFINITY {
            self.send_pressed_at.set_value(f64::NEG_INFINITY);
        }
    }

    /// The Stop button was pressed: stops the request, unless Send was pressed within a double
    /// click's time (the second click of a double-clicked Send lands where Send was). A turn
    /// sent with Enter in the box can be stopped at once; Esc always stops at once.
    pub fn stop_pressed(&self) {
        if js_sys::Date::now() - self.send_pressed_at.get_value() >= DOUBLE_CLICK_MS {
            self.stop();
        }
    }

    /// Sends a failed turn's request again, when the person presses its Retry. A turn that
    /// applied changes, or whose outcome the panel could not check, is not sent again until
    /// the person `confirmed` it: the question to ask them comes back instead.
    pub fn retry(&self, turn: LiveTurn, confirmed: bool) -> Option<String> {
        if self.busy.get_untracked() || turn.is_approval() {
            return None;
        }
        if !confirmed && let Some(question) = turn.with_untracked(Turn::retry_warning) {
            return Some(question);
        }
        let mut request = turn.origin();
        request.thread_id = request.thread_id.or_else(|| self.thread_id.get_untracked());
        let shown = request.message.clone();
        // The failure gave the message back to the box: it is being sent again, so it leaves
        // the box again.
        if self.draft.get_untracked().trim() == shown.trim() {
            self.draft.set(String::new());
        }
        self.start_turn(request, shown, Vec::new());
        None
    }

    /// Starts a turn for `request`, shown as `shown`. `approving` are the cards this turn
    /// approves: they settle from how it ends.
    pub(super) fn start_turn(
        self,
        request: AssistRequest,
        shown: String,
        approving: Vec<LiveCard>,
    ) {
        let id = self.next_id();
        let turn = Turn::new(id, shown).in_locale(self.locale());
        let turn = self.under_panel(|| LiveTurn::new(turn, request.clone()));
        self.turns.update(|t| t.push(turn));
        // Only a turn the Send button started guards its Stop (see `stop_pressed`).
        let pressed = self.send_pressed_at.get_value() == f64::INFINITY;
        self.send_pressed_at.set_value(if pressed {
            js_sys::Date::now()
        } else {
            f64::NEG_INFINITY
        });
        self.busy.set(true);
        let abort = AbortController::new().expect("AbortController exists");
        let signal = abort.signal();
        self.request.set_value(Some(abort));
        // A new turn is the person's own action: show it, and follow it.
        self.follow.resume();
        spawn_local(async move {
            let endpoint = self.settings.with_value(|s| s.endpoint.clone());
            let host_token = self.host_session.with_value(HostSession::token);
            let page_session = host_token.is_none();
            let outcome = async {
                let token = match host_token {
                    Some(token) => token,
                    None => self.page_session(&endpoint).await?,
                };
                // A refused session is forgotten by the transport; a host's session is the
                // host's to renew (it hears of this as an error event).
                transport::post_assist(&endpoint, &token, &request, &signal, |event| {
                    turn.apply(event)
                })
                .await
            }
            .await;
            // The page's session is gone: say why in the words that fit (a restarted gateway
            // is not a reason to sign in).
            let outcome = match outcome {
                Err(TransportError::SessionExpired(_)) if page_session => {
                    Err(self.why_signed_out(&endpoint).await)
                }
                other => other,
            };
            // Unmounted while the request was out: its signals are gone with the panel.
            if turn.is_disposed() {
                return;
            }
            self.end_turn(
                turn,
                &request,
                Ending::of(outcome, self.locale()),
                approving,
            );
        });
    }

    /// Everything that happens when a turn's request ended, in order: the turn's final phase,
    /// the message back to the box, the approved cards settled, the thread adopted, the turn's
    /// proposals as new cards, the host told, the end announced, focus on the first new card.
    fn end_turn(
        self,
        turn: LiveTurn,
        request: &AssistRequest,
        ending: Ending,
        approving: Vec<LiveCard>,
    ) {
        turn.end(&ending);
        if ending.status() == Some(401) {
            // The session is gone: show the account as the gateway sees it now.
            self.check_account();
        }
        if approving.is_empty()
            && ending.gives_message_back()
            && self.draft.get_untracked().is_empty()
        {
            self.draft.set(request.message.clone());
        }
        let settled = turn.with_untracked(|t| settlement(t, &ending));
        for entry in &approving {
            entry.card.update(|c| c.settle(settled.clone()));
        }
        if let Some(id) = turn.with_untracked(|t| t.thread_id.clone()) {
            self.thread_id.set(Some(id));
        }
        // The turn's proposals become cards once it has ended. A stopped or dropped stream keeps
        // the proposals it delivered: the server holds them too.
        let proposed = turn.with_untracked(|t| t.confirmations.clone());
        let new_cards = self.add_cards(turn, proposed);
        // It reached the copilot and did not finish: what did the server record?
        // An approval made elsewhere: the change it made joins this panel's plan too.
        let elsewhere = approving.iter().any(|c| {
            c.card.with_untracked(|c| {
                matches!(c.state, crate::approval::CardState::ApprovedElsewhere(_))
            })
        });
        let check_turn = elsewhere || turn.with_untracked(|t| t.needs_check(&ending));
        self.check_recorded(turn, request, check_turn, approving);
        turn.with_untracked(|t| {
            if !t.mutations.is_empty() {
                self.host.changes_applied(&t.mutations);
            }
            if let Some(report) = t.error_report(&ending) {
                self.host.error(&report);
            }
        });
        let waiting = self
            .cards
            .with_untracked(|list| list.iter().filter(|c| c.is_pending()).count());
        self.announcement
            .set(turn.with_untracked(|t| t.announcement(waiting)));
        self.request.set_value(None);
        self.busy.set(false);
        match new_cards.first() {
            Some(first) => self.focus_card(first.id),
            None => self.focus_composer_if_ours(),
        }
    }

    /// Makes cards of `proposals`, which `turn` proposed.
    pub(super) fn add_cards(
        &self,
        turn: LiveTurn,
        proposals: Vec<PendingConfirmation>,
    ) -> Vec<LiveCard> {
        let new_cards: Vec<LiveCard> = proposals
            .into_iter()
            .map(|item| {
                let card_id = self.next_id();
                self.under_panel(|| LiveCard::new(card_id, turn.id, Card::new(item)))
            })
            .collect();
        if !new_cards.is_empty() {
            self.cards
                .update(|list| list.extend(new_cards.iter().copied()));
        }
        new_cards
    }
}
