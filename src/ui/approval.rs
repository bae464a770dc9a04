//! Approval cards, where they belong: in the conversation, under the turn that proposed them
//! ([`TurnCards`]), with "N approvals waiting" ([`ApprovalsWaiting`]) to jump to them from
//! anywhere. A card waiting for the person says what it does, how dangerous it is and which
//! request proposed it, with the API's detail under "Details"; a settled card shrinks to one
//! line with its outcome. The card's rules are [`crate::approval`]; the controller creates,
//! approves and settles cards.

use leptos::prelude::*;

use super::controller::PanelState;
use crate::approval::{Card, CardState, approve_label, is_destructive, is_irreversible};
use crate::changes::{fields, operation_name};
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

/// The cards the turn `turn_id` proposed, after its reply; "Approve all" when several wait.
#[component]
pub fn TurnCards(
    turn_id: u64,
    /// The request that proposed them, as the person wrote it.
    asked: String,
    state: PanelState,
) -> impl IntoView {
    let cards = Memo::new(move |_| {
        state
            .cards_of(turn_id)
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    });
    let pending = move || {
        state
            .cards_of(turn_id)
            .into_iter()
            .filter(|e| e.card.with(|c| c.state == CardState::Pending))
            .collect::<Vec<_>>()
    };
    let several = Signal::derive(move || pending().len() > 1);
    let approve_all = move |_| {
        let chosen: Vec<LiveCard> = pending()
            .into_iter()
            .filter(|e| e.selected.get_untracked())
            .collect();
        state.approve(chosen);
    };
    let asked = StoredValue::new(asked);
    view! {
        <Show when=move || cards.with(|c| !c.is_empty())>
            <div class="turn-cards">
                <For
                    each=move || state.cards_of(turn_id)
                    key=|e| e.id
                    let:entry
                >
                    <CardView entry=entry several=several state=state asked=asked.get_value() />
                </For>
                <Show when=move || several.get()>
                    <button
                        type="button"
                        class="approve-all"
                        disabled=move || state.busy() || state.role() == Role::Viewer
                        on:click=approve_all
                    >
                        "Approve all"
                    </button>
                </Show>
            </div>
        </Show>
    }
}

#[component]
fn CardView(
    entry: LiveCard,
    #[prop(into)] several: Signal<bool>,
    state: PanelState,
    asked: String,
) -> impl IntoView {
    let item = entry.card.with_untracked(|c| c.item.clone());
    let summary = item.summary().unwrap_or("An action").to_owned();
    let destructive = is_destructive(&item);
    let irreversible = is_irreversible(&item);
    let label = approve_label(&item);
    let state_name = move || entry.card.with(|c| c.state.as_str());
    let settled = move || entry.card.with(|c| c.state.is_settled());
    let status = move || entry.card.with(|c| c.state.status());
    let mark = move || entry.card.with(|c| c.state.mark());
    let is = move |s: &str| state_name() == s;
    let risk = if irreversible {
        "irreversible"
    } else if destructive {
        "destructive"
    } else {
        "other"
    };
    // Approve, or Retry after a failure: the same request, only while nothing else is out,
    // and only for an approver (a viewer reads why not).
    let viewer = move || state.role() == Role::Viewer;
    let note_id = state.element_id(&format!("approval-role-{}", entry.id));
    let note_ref = note_id.clone();
    let approve_button = move |class: &'static str, label: String| {
        let note = note_ref.clone();
        view! {
            <button
                type="button"
                class=class
                disabled=move || state.busy() || viewer()
                aria-describedby=move || viewer().then(|| note.clone())
                on:click=move |_| state.approve(vec![entry])
            >
                {label}
            </button>
        }
    };
    let approve_class = if irreversible {
        "approve danger"
    } else {
        "approve"
    };
    let (approve, retry) = (approve_button.clone(), approve_button);
    let title = summary.clone();
    view! {
        <article
            class="approval-card"
            data-state=state_name
            data-risk=risk
            data-settled=move || settled().to_string()
            data-card=entry.id.to_string()
            aria-label=summary.clone()
            tabindex="-1"
        >
            <div class="approval-head">
                <Show when=settled>
                    <span class="approval-mark" aria-hidden="true">{mark}</span>
                </Show>
                <Show when=move || several.get() && is("pending")>
                    <input
                        type="checkbox"
                        aria-label=format!("Include “{title}” in Approve all")
                        prop:checked=move || entry.selected.get()
                        on:change=move |ev| entry.selected.set(event_target_checked(&ev))
                    />
                </Show>
                <h3 class="approval-title">{summary.clone()}</h3>
                <Show when=move || destructive && !settled()>
                    <span class="badge-destructive">"destructive"</span>
                </Show>
            </div>
            <Show when=move || !settled()>
                {irreversible
                    .then(|| view! { <p class="approval-warning">"This can’t be undone."</p> })}
                <p class="approval-origin">{format!("Proposed for “{asked}”")}</p>
            </Show>
            <p class="approval-status" role="status">{status}</p>
            <Show when=move || !settled()>
                <ApprovalDetails card=entry />
            </Show>
            <Show when=move || viewer() && (is("pending") || is("failed"))>
                <p class="approval-role-note" id=note_id.clone()>
                    "Only an approver can approve this. Your role lets you ask and read; ask someone with the approver role."
                </p>
            </Show>
            <div class="approval-actions">
                <Show when=move || is("pending")>
                    {approve(approve_class, label.clone())}
                    <button type="button" class="reject" on:click=move |_| state.reject(entry)>
                        "Reject"
                    </button>
                </Show>
                <Show when=move || is("failed")>{retry("retry", "Retry".to_owned())}</Show>
                // In doubt: never a plain Retry; the thread may tell more in a moment.
                <Show when=move || is("in-doubt")>
                    <button
                        type="button"
                        class="check-again"
                        on:click=move |_| state.check_again(entry)
                    >
                        "Check again"
                    </button>
                </Show>
            </div>
        </article>
    }
}

/// What the API will be asked to do, for whoever wants to check: the operation by name, its
/// method and path, and its arguments as text (secrets masked).
#[component]
fn ApprovalDetails(card: LiveCard) -> impl IntoView {
    let item = card.card.with_untracked(|c| c.item.clone());
    let operation = item
        .name()
        .map(|name| format!("{} ({name})", operation_name(name)));
    let endpoint = format!(
        "{} {}",
        item.method().unwrap_or("").to_ascii_uppercase(),
        item.path().unwrap_or("")
    );
    let args = fields(item.args())
        .into_iter()
        .map(|f| view! { <li><code>{format!("{} = {}", f.name, f.value)}</code></li> })
        .collect_view();
    view! {
        <details class="approval-details">
            <summary>"Details"</summary>
            {operation.map(|o| view! { <p class="approval-operation">{o}</p> })}
            <code class="approval-endpoint">{endpoint}</code>
            <ul class="approval-args">{args}</ul>
        </details>
    }
}

/// "2 approvals waiting": shown while any card waits, anywhere in the conversation; each press
/// takes focus (and the log) to the next one.
#[component]
pub fn ApprovalsWaiting(state: PanelState) -> impl IntoView {
    let count = Memo::new(move |_| state.pending_count());
    let last = StoredValue::new(None::<u64>);
    view! {
        <Show when=move || { count.get() > 0 }>
            <button
                type="button"
                class="approvals-waiting"
                on:click=move |_| last.set_value(state.focus_next_pending(last.get_value()))
            >
                <span class="approvals-waiting-dot" aria-hidden="true"></span>
                {move || match count.get() {
                    1 => "1 approval waiting".to_owned(),
                    n => format!("{n} approvals waiting"),
                }}
            </button>
        </Show>
    }
}
