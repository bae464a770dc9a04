//! The panel in the browser: [`PanelState`], the controller holding the conversation's signals
//! and the actions, and thin views that read it and call it.
//!
//! - [`controller`]: the state and the actions (send, stop, retry, approve, reject, new
//!   conversation, resume after a reload).
//! - [`turn`], [`reply`]: one turn, its steps and its reply as it streams.
//! - [`approval`]: the pending approval cards. [`changes`]: the plan of applied changes.
//! - [`composer`]: the message box and the empty state's suggestions.
//! - [`account`]: who is signed in, Sign out, and the Sign in link.
//! - [`follow`]: the log, following the newest text. [`host`]: the events the host page hears.

mod account;
mod approval;
mod changes;
mod composer;
mod controller;
mod follow;
pub mod host;
mod reply;
mod turn;

pub use controller::{Account, HostSession, PanelState, Settings};
pub use reply::{ReplyDom, ReplyView, StepsView};
pub use turn::LiveTurn;

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::markdown::ReplyPolicy;
use crate::transport::Endpoint;
use account::{AccountLine, SignInPrompt};
use approval::ApprovalsView;
use changes::ChangesView;
use composer::{Composer, Suggestions};
use follow::FollowingLog;
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
) -> impl IntoView {
    provide_context(policy);
    let settings = Settings {
        endpoint,
        context,
        storage_key,
        show_account,
    };
    let state = PanelState::new(settings, host_session);
    state.resume();
    let landmark = label
        .clone()
        .unwrap_or_else(|| "Flowyte Copilot".to_owned());
    let heading = label.clone().unwrap_or_else(|| "Copilot".to_owned());
    view! {
        <section class="copilot" aria-label=landmark data-theme=theme node_ref=state.host().root()>
            <header class="copilot-header">
                <h2>{heading}</h2>
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
            <FollowingLog follow=state.follow() busy=Signal::derive(move || state.busy())>
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
            <p class="visually-hidden" aria-live="polite" aria-atomic="true">
                {move || state.announcement()}
            </p>
            <ApprovalsView state=state panel_name=label.clone() />
            <ChangesView mutations=state.mutations() panel_name=label />
            <SignInPrompt state=state />
            <Composer state=state />
        </section>
    }
}

/// A region's name: `what`, or `what (panel)` when the panel has a name of its own.
fn region_name(what: &str, panel: Option<&str>) -> String {
    match panel {
        Some(panel) => format!("{what} ({panel})"),
        None => what.to_owned(),
    }
}
