//! The panel in the browser: [`PanelState`], the controller holding the conversation's signals
//! and the actions, and thin views that read it and call it.
//!
//! - [`controller`]: the state and the actions (send, stop, retry, approve, reject, new
//!   conversation, recent conversations, resume after a reload), and where focus goes.
//! - [`turn`], [`reply`], [`working`]: one turn, its steps, its reply as it streams, and the
//!   working line while it runs.
//! - [`approval`]: the approval cards, at the turn that proposed them, and "N approvals
//!   waiting". [`changes`]: the plan of applied changes, per turn and for the conversation.
//! - [`composer`]: the message box and the empty state's suggestions.
//! - [`account`]: who is signed in, Sign out, and the Sign in link. [`recent`]: the
//!   conversations to go back to.
//! - [`follow`]: the log, following the newest text. [`host`]: the events the host page hears.
//!
//! The layout is a side panel's (about 400 px wide): a one-line header, the conversation
//! taking the height, one dock line (approvals waiting, the totals of applied changes) and the
//! message box. The whole plan opens over the log on demand.

mod account;
mod approval;
mod changes;
mod composer;
mod controller;
mod follow;
pub mod host;
mod recent;
mod reply;
mod turn;
mod working;

pub use controller::{Account, HostSession, PanelState, Settings};
pub use reply::{ReplyDom, ReplyView, StepsView};
pub use turn::LiveTurn;

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::markdown::ReplyPolicy;
use crate::transport::Endpoint;
use account::{AccountLine, SignInPrompt};
use approval::ApprovalsWaiting;
use changes::{ChangesSheet, ChangesToggle};
use composer::{Composer, Suggestions};
use follow::FollowingLog;
use recent::RecentMenu;
use turn::TurnView;

/// The copilot panel: its layout. What it does is [`PanelState`]'s.
#[component]
pub fn Panel(
    /// Where requests go: the gateway's base (`""` for the page's own origin), the agent whose
    /// copilot answers, and the CSRF header's name.
    #[prop(optional)]
    endpoint: Endpoint,
    /// Page context from the host (which agent is open, and so on), sent with every request.
    #[prop(default = None)]
    context: Option<Map<String, Value>>,
    /// The CSRF token of a session the host already holds (the host may renew it while the
    /// panel is mounted). Without one the panel uses the page's gateway session.
    #[prop(optional)]
    host_session: HostSession,
    /// What replies may load (the image allow-list).
    #[prop(optional)]
    policy: ReplyPolicy,
    /// Where the conversation's thread id is kept (localStorage), so a reload resumes it.
    #[prop(into, default = String::from("flowyte-copilot"))]
    storage_key: String,
    /// `light`, `dark`, or `auto` (the system's preference).
    #[prop(into, default = String::from("auto"))]
    theme: String,
    /// The panel's name (its heading and landmark) when the page has more than one.
    #[prop(default = None)]
    label: Option<String>,
    /// Show who is signed in and Sign out (a host page that owns sign-in hides it).
    #[prop(default = true)]
    show_account: bool,
    /// Focus the message box once mounted (the dev page does; host pages opt in).
    #[prop(default = false)]
    autofocus: bool,
) -> impl IntoView {
    provide_context(policy);
    let settings = Settings {
        endpoint,
        context,
        storage_key,
        show_account,
        autofocus,
    };
    let state = PanelState::new(settings, host_session);
    state.resume();
    if state.autofocus() {
        state.focus_composer();
    }
    let landmark = label
        .clone()
        .unwrap_or_else(|| "Flowyte Copilot".to_owned());
    let heading = label.clone().unwrap_or_else(|| "Copilot".to_owned());
    let changes_open = RwSignal::new(false);
    let (sheet_id, toggle_id) = (
        state.element_id("changes"),
        state.element_id("changes-toggle"),
    );
    view! {
        <section class="copilot" aria-label=landmark data-theme=theme node_ref=state.host().root()>
            <header class="copilot-header">
                <h2>{heading}</h2>
                <RecentMenu state=state />
                <button
                    type="button"
                    class="new-conversation"
                    disabled=move || state.busy()
                    on:click=move |_| state.new_conversation()
                >
                    "New conversation"
                </button>
            </header>
            <AccountLine state=state />
            <div class="copilot-stage">
                <FollowingLog
                    follow=state.follow()
                    busy=Signal::derive(move || state.busy())
                    covered=changes_open
                >
                    {move || {
                        state
                            .restore_note()
                            .map(|note| view! { <p class="turn-note" role="status">{note}</p> })
                    }}
                    <Show when=move || !state.has_turns()>
                        <Suggestions state=state />
                    </Show>
                    <For each=move || state.turns() key=|turn| turn.id let:turn>
                        <TurnView turn=turn state=state />
                    </For>
                </FollowingLog>
                <ChangesSheet
                    mutations=state.mutations()
                    recorded=state.recorded()
                    open=changes_open
                    id=sheet_id.clone()
                    toggle=toggle_id.clone()
                    panel_name=label
                />
            </div>
            <p class="visually-hidden" aria-live="polite" aria-atomic="true">
                {move || state.announcement()}
            </p>
            <div class="copilot-dock">
                <ApprovalsWaiting state=state />
                <ChangesToggle
                    mutations=state.mutations()
                    open=changes_open
                    id=toggle_id
                    sheet=sheet_id
                />
            </div>
            <SignInPrompt state=state />
            <Composer state=state />
        </section>
    }
}

/// Focuses the page's element `id` (the button that opened what just closed).
fn focus_by_id(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = element.focus();
    }
}

/// A region's name: `what`, or `what (panel)` when the panel has a name of its own.
fn region_name(what: &str, panel: Option<&str>) -> String {
    match panel {
        Some(panel) => format!("{what} ({panel})"),
        None => what.to_owned(),
    }
}
