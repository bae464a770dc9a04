//! The "Pending approvals" region: one card per destructive action the copilot proposed. The
//! card's rules are [`crate::approval`]; the controller creates, approves and settles cards.

use leptos::prelude::*;

use super::controller::PanelState;
use crate::approval::{Card, CardState, is_destructive};
use crate::changes::fields;
use crate::transport::Role;

/// A card as the panel holds it: its id (the list key, and `data-card`), the turn that proposed
/// it, its state machine, and whether "Approve all" includes it.
#[derive(Clone, Copy)]
pub struct LiveCard {
    pub id: u64,
    pub turn_id: u64,
    pub card: RwSignal<Card>,
    pub selected: RwSignal<bool>,
}

impl LiveCard {
    /// Holds `card` under the current reactive owner.
    pub fn new(id: u64, turn_id: u64, card: Card) -> Self {
        Self {
            id,
            turn_id,
            card: RwSignal::new(card),
            selected: RwSignal::new(true),
        }
    }

    /// Waiting for the person (not tracked).
    pub fn is_pending(&self) -> bool {
        self.card.with_untracked(|c| c.state == CardState::Pending)
    }
}

/// The cards, newest last. Hidden until the copilot proposes something.
#[component]
pub fn ApprovalsView(
    state: PanelState,
    /// The panel's name when the host gave one: added to the region's name so that two
    /// panels on a page have distinct landmarks.
    #[prop(default = None)]
    panel_name: Option<String>,
) -> impl IntoView {
    let region = super::region_name("Pending approvals", panel_name.as_deref());
    let cards = state.cards();
    let pending = move || {
        cards.with(|list| {
            list.iter()
                .filter(|e| e.card.with(|c| c.state == CardState::Pending))
                .copied()
                .collect::<Vec<_>>()
        })
    };
    let several = move || pending().len() > 1;
    let approve_all = move |_| {
        let chosen: Vec<LiveCard> = pending()
            .into_iter()
            .filter(|e| e.selected.get_untracked())
            .collect();
        state.approve(chosen);
    };
    view! {
        <Show when=move || cards.with(|c| !c.is_empty())>
            <section class="approvals" role="region" aria-label=region.clone()>
                <h3>"Pending approvals"</h3>
                <Show when=several>
                    <button
                        type="button"
                        class="approve-all"
                        disabled=move || state.busy() || state.role() == Role::Viewer
                        on:click=approve_all
                    >
                        "Approve all"
                    </button>
                </Show>
                <For each=move || cards.get() key=|e| e.id let:entry>
                    <CardView entry=entry several=Signal::derive(several) state=state />
                </For>
            </section>
        </Show>
    }
}

#[component]
fn CardView(
    entry: LiveCard,
    #[prop(into)] several: Signal<bool>,
    state: PanelState,
) -> impl IntoView {
    let item = entry.card.with_untracked(|c| c.item.clone());
    let summary = item.summary().unwrap_or("An action").to_owned();
    let endpoint = format!(
        "{} {}",
        item.method().unwrap_or("").to_ascii_uppercase(),
        item.path().unwrap_or("")
    );
    let destructive = is_destructive(&item);
    let args = fields(item.args())
        .into_iter()
        .map(|f| view! { <li><code>{format!("{} = {}", f.name, f.value)}</code></li> })
        .collect_view();
    let state_name = move || entry.card.with(|c| c.state.as_str());
    let status = move || entry.card.with(|c| c.state.status());
    let is = move |s: &str| state_name() == s;
    let title = summary.clone();
    // Approve, or Retry after a failure: the same request, only while nothing else is out,
    // and only for an approver (a viewer reads why not).
    let viewer = move || state.role() == Role::Viewer;
    let note_id = move || format!("approval-role-{}", entry.id);
    let approve_button = move |class: &'static str, label: &'static str| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || state.busy() || viewer()
                aria-describedby=move || viewer().then(note_id)
                on:click=move |_| state.approve(vec![entry])
            >
                {label}
            </button>
        }
    };
    view! {
        <article
            class="approval-card"
            data-state=state_name
            data-card=entry.id.to_string()
            aria-label=summary.clone()
            tabindex="-1"
        >
            <header>
                <Show when=move || several.get() && is("pending")>
                    <input
                        type="checkbox"
                        aria-label=format!("Include “{title}” in Approve all")
                        prop:checked=move || entry.selected.get()
                        on:change=move |ev| entry.selected.set(event_target_checked(&ev))
                    />
                </Show>
                <h4>{summary.clone()}</h4>
                {destructive.then(|| view! { <span class="badge-destructive">"destructive"</span> })}
            </header>
            <code class="approval-endpoint">{endpoint}</code>
            <ul class="approval-args">{args}</ul>
            <p class="approval-status" role="status">{status}</p>
            <Show when=move || viewer() && (is("pending") || is("failed"))>
                <p class="approval-role-note" id=note_id>
                    "Only an approver can approve this. Your role lets you ask and read; ask someone with the approver role."
                </p>
            </Show>
            <div class="approval-actions">
                <Show when=move || is("pending")>
                    {approve_button("approve", "Approve")}
                    <button type="button" class="reject" on:click=move |_| state.reject(entry)>
                        "Reject"
                    </button>
                </Show>
                <Show when=move || is("failed")>{approve_button("retry", "Retry")}</Show>
            </div>
        </article>
    }
}

/// Focuses the card `id` of the panel under `root` once it is in the page (the person's next
/// decision). Looked up in this panel only: another panel on the page numbers its own cards.
pub(super) fn focus_card_later(root: Option<web_sys::HtmlElement>, id: u64) {
    request_animation_frame(move || {
        let selector = format!("[data-card='{id}']");
        if let Some(card) = root
            .and_then(|r| r.query_selector(&selector).ok().flatten())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = card.focus();
        }
    });
}
