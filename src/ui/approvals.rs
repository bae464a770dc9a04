//! The "Pending approvals" region: one card per destructive action the copilot proposed.

use leptos::prelude::*;

use crate::changes::{Card, CardState, fields, is_destructive};

/// A card as the panel holds it: its id (the list key), the turn that proposed it, its state
/// machine, and whether "Approve all" includes it.
#[derive(Clone, Copy)]
pub struct CardEntry {
    pub id: u64,
    pub turn_id: u64,
    pub card: RwSignal<Card>,
    pub selected: RwSignal<bool>,
}

/// The cards, newest last. Hidden until the copilot proposes something.
#[component]
pub fn ApprovalsView(
    cards: RwSignal<Vec<CardEntry>>,
    busy: RwSignal<bool>,
    approve: Callback<Vec<CardEntry>>,
    reject: Callback<CardEntry>,
    /// The panel's name when the host gave one: added to the region's name so that two
    /// panels on a page have distinct landmarks.
    #[prop(default = None)]
    panel_name: Option<String>,
) -> impl IntoView {
    let region = super::region_name("Pending approvals", panel_name.as_deref());
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
        let chosen: Vec<CardEntry> = pending()
            .into_iter()
            .filter(|e| e.selected.get_untracked())
            .collect();
        approve.run(chosen);
    };
    view! {
        <Show when=move || cards.with(|c| !c.is_empty())>
            <section class="approvals" role="region" aria-label=region.clone()>
                <h3>"Pending approvals"</h3>
                <Show when=several>
                    <button
                        type="button"
                        class="approve-all"
                        disabled=move || busy.get()
                        on:click=approve_all
                    >
                        "Approve all"
                    </button>
                </Show>
                <For each=move || cards.get() key=|e| e.id let:entry>
                    <CardView entry=entry several=Signal::derive(several) busy=busy approve=approve reject=reject />
                </For>
            </section>
        </Show>
    }
}

#[component]
fn CardView(
    entry: CardEntry,
    #[prop(into)] several: Signal<bool>,
    busy: RwSignal<bool>,
    approve: Callback<Vec<CardEntry>>,
    reject: Callback<CardEntry>,
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
    let state = move || entry.card.with(|c| c.state.clone());
    let state_name = move || match state() {
        CardState::Pending => "pending",
        CardState::Submitting => "submitting",
        CardState::Approved => "approved",
        CardState::Failed(_) => "failed",
        CardState::Rejected => "rejected",
        CardState::Stale(_) => "stale",
    };
    let status = move || match state() {
        CardState::Pending => String::new(),
        CardState::Submitting => "Approving…".to_owned(),
        CardState::Approved => "Approved: carried out.".to_owned(),
        CardState::Failed(error) => format!("Failed: {error}"),
        CardState::Rejected => "Rejected: nothing was sent.".to_owned(),
        CardState::Stale(reason) => format!("Stale: {reason}"),
    };
    let is = move |s: &str| state_name() == s;
    let title = summary.clone();
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
            <div class="approval-actions">
                <Show when=move || is("pending")>
                    <button
                        type="button"
                        class="approve"
                        disabled=move || busy.get()
                        on:click=move |_| approve.run(vec![entry])
                    >
                        "Approve"
                    </button>
                    <button type="button" class="reject" on:click=move |_| reject.run(entry)>
                        "Reject"
                    </button>
                </Show>
                <Show when=move || is("failed")>
                    <button
                        type="button"
                        class="retry"
                        disabled=move || busy.get()
                        on:click=move |_| approve.run(vec![entry])
                    >
                        "Retry"
                    </button>
                </Show>
            </div>
        </article>
    }
}
