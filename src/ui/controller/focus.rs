//! Where focus goes when an action settles, so a keyboard user never lands on the page's
//! `<body>` because the button they pressed went away: back to the message box after Send,
//! Stop, Approve and Reject; to a new card when a turn proposes one; to the next waiting card
//! from "N approvals waiting". The panel never takes focus from the host page's own elements:
//! it moves focus only when it was lost or still in the panel's composer.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::PanelState;

impl PanelState {
    /// Focuses the message box (after the frame, once the views have settled).
    pub(crate) fn focus_composer(&self) {
        let message_box = self.message_box;
        request_animation_frame(move || {
            if let Some(area) = message_box.try_get_untracked().flatten() {
                let _ = area.focus();
            }
        });
    }

    /// Focuses the message box if focus was lost (the button pressed went away) or is in the
    /// composer; leaves it where the person put it otherwise (reading the log, on the host
    /// page).
    pub(crate) fn focus_composer_if_ours(&self) {
        let state = *self;
        request_animation_frame(move || {
            let composer = state
                .host
                .root_element()
                .and_then(|root| root.query_selector(".copilot-composer").ok().flatten());
            let in_composer =
                active().is_some_and(|a| composer.is_some_and(|c| c.contains(Some(&a))));
            if (focus_lost() || in_composer)
                && let Some(area) = state.message_box.try_get_untracked().flatten()
            {
                let _ = area.focus();
            }
        });
    }

    /// Focuses the card `id` of this panel once it is in the page (the person's next
    /// decision). Looked up in this panel only: another panel on the page numbers its own cards.
    pub(crate) fn focus_card(&self, id: u64) {
        let root = self.host.root_element();
        request_animation_frame(move || {
            if let Some(card) = root.and_then(|r| card_element(&r, &format!("[data-card='{id}']")))
            {
                let _ = card.focus();
            }
        });
    }

    /// Focuses the next card waiting for the person after the one focus is in, or after
    /// `after` (the card the previous jump went to: pressing the jump button moved focus to
    /// it), the first after the last; focusing scrolls it into view. Says which card it was.
    pub fn focus_next_pending(&self, after: Option<u64>) -> Option<u64> {
        let root = self.host.root_element()?;
        let list = root
            .query_selector_all(".approval-card[data-state=pending]")
            .ok()?;
        let cards: Vec<HtmlElement> = (0..list.length())
            .filter_map(|i| list.get(i)?.dyn_into().ok())
            .collect();
        let id_of = |card: &HtmlElement| card.get_attribute("data-card")?.parse::<u64>().ok();
        let current = active()
            .and_then(|a| cards.iter().position(|c| c.contains(Some(&a))))
            .or_else(|| {
                cards
                    .iter()
                    .position(|c| after.is_some() && id_of(c) == after)
            });
        let next = current.map_or(0, |i| (i + 1) % cards.len());
        let card = cards.get(next)?;
        let _ = card.focus();
        id_of(card)
    }

    /// After a card's own button settled it: the next card of the same turn still waiting,
    /// else the message box.
    pub(crate) fn focus_after_decision(&self, turn_id: u64) {
        let state = *self;
        request_animation_frame(move || {
            let next = state.host.root_element().and_then(|r| {
                card_element(
                    &r,
                    &format!(".turn[data-turn='{turn_id}'] .approval-card[data-state=pending]"),
                )
            });
            match next {
                Some(card) => {
                    let _ = card.focus();
                }
                None => {
                    if let Some(area) = state.message_box.try_get_untracked().flatten() {
                        let _ = area.focus();
                    }
                }
            }
        });
    }
}

fn card_element(root: &HtmlElement, selector: &str) -> Option<HtmlElement> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
}

fn active() -> Option<Element> {
    web_sys::window()?.document()?.active_element()
}

/// Nothing has focus, or the body has it (the focused element was taken out of the page).
fn focus_lost() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    match (document.active_element(), document.body()) {
        (None, _) => true,
        (Some(active), Some(body)) => {
            active == *body.unchecked_ref::<Element>() || !active.is_connected()
        }
        (Some(active), None) => !active.is_connected(),
    }
}
