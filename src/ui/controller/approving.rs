//! The person's decisions on approval cards: approving sends one request repeating the
//! proposing turn ([`crate::approval::approval_request`]); rejecting sends nothing, and is
//! kept in localStorage (per thread and item, [`crate::approval::decisions`]) so a reload
//! shows the card rejected.

use super::PanelState;
use crate::approval::decisions::Decisions;
use crate::approval::{CardState, approval_message, approval_request};
use crate::ui::approval::LiveCard;
use leptos::prelude::*;

/// Where a panel keeps its rejections.
fn decisions_key(storage_key: &str) -> String {
    format!("{storage_key}:decisions")
}

impl PanelState {
    /// Approves `cards` in one request, repeating the proposing turn exactly. Each card moves
    /// to Submitting synchronously, before anything is awaited: a second activation finds it
    /// submitting and sends nothing.
    pub fn approve(&self, cards: Vec<LiveCard>) {
        // A viewer's Approve is disabled; the gateway would refuse it anyway.
        let viewer = matches!(
            self.account.get_untracked(),
            super::Account::SignedIn {
                role: crate::transport::Role::Viewer,
                ..
            }
        );
        if self.busy.get_untracked() || viewer {
            return;
        }
        let mut items = Vec::new();
        let mut approving = Vec::new();
        for entry in cards {
            if let Some(item) = entry.card.try_update(|c| c.approve()).flatten() {
                items.push(item);
                approving.push(entry);
            }
        }
        let Some(first) = approving.first() else {
            return;
        };
        let Some(proposer) = self.turn(first.turn_id) else {
            return;
        };
        let t = self.locale();
        let shown = approval_message(&items, t);
        let proposed_in = proposer.with_untracked(|t| t.thread_id.clone());
        let Some(request) = approval_request(
            proposer.origin(),
            proposed_in,
            self.thread_id.get_untracked(),
            items,
        ) else {
            for entry in &approving {
                entry
                    .card
                    .update(|c| c.settle(CardState::Stale(t.thread_unknown())));
            }
            return;
        };
        self.start_turn(request, shown, approving);
        // The card's buttons gave way to "Approving…": the person goes on in the box.
        self.focus_composer();
    }

    /// Rejects a card: nothing is sent; the rejection is kept for its thread, and focus goes
    /// to the turn's next waiting card, else back to the box.
    pub fn reject(&self, card: LiveCard) {
        if card.card.try_update(|c| c.reject()) != Some(true) {
            return;
        }
        let thread = self
            .turns
            .with_untracked(|list| {
                list.iter()
                    .find(|t| t.id == card.turn_id)
                    .and_then(|t| t.with_untracked(|t| t.thread_id.clone()))
            })
            .or_else(|| self.thread_id.get_untracked());
        if let Some(thread) = thread {
            let item = card.card.with_untracked(|c| c.item.clone());
            self.decisions.update_value(|d| d.reject(&thread, &item));
            let json = self.decisions.with_value(Decisions::to_json);
            self.settings
                .with_value(|s| super::resume::store(&decisions_key(&s.storage_key), Some(&json)));
        }
        self.focus_after_decision(card.turn_id);
    }

    /// Reads the rejections this panel kept.
    pub(super) fn load_decisions(&self) {
        let key = self.settings.with_value(|s| decisions_key(&s.storage_key));
        if let Some(json) = super::resume::stored(&key) {
            self.decisions.set_value(Decisions::parse(&json));
        }
    }
}
