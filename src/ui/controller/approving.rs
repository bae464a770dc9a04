//! The person's decisions on approval cards: approving sends one request repeating the
//! proposing turn ([`crate::approval::approval_request`]); rejecting sends nothing.

use super::PanelState;
use crate::approval::{CardState, THREAD_UNKNOWN, approval_message, approval_request};
use crate::ui::approval::LiveCard;
use leptos::prelude::*;

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
        let Some(proposer) = self
            .turns
            .with_untracked(|list| list.iter().find(|t| t.id == first.turn_id).copied())
        else {
            return;
        };
        let shown = approval_message(&items);
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
                    .update(|c| c.settle(CardState::Stale(THREAD_UNKNOWN.to_owned())));
            }
            return;
        };
        self.start_turn(request, shown, approving);
    }

    /// Rejects a card: local only, nothing is sent.
    pub fn reject(&self, card: LiveCard) {
        card.card.update(|c| {
            c.reject();
        });
    }
}
