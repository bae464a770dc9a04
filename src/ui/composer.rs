//! Where the person writes: the message box with Send (Stop while a reply streams), and the
//! empty conversation's suggestions, which fill the box.

use leptos::prelude::*;

use super::controller::PanelState;

/// Requests the empty state suggests: each is one the local simulator's copilot understands
/// (crates/simulator/README.md).
const SUGGESTIONS: &[&str] = &[
    "List my agents",
    "Add an order-lookup skill to Support Bot",
    "Which calls failed yesterday?",
    "Release the number ending 4421",
];

/// The message box. Enter sends, Shift+Enter adds a line, Esc stops.
#[component]
pub fn Composer(state: PanelState) -> impl IntoView {
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            state.send();
        } else if ev.key() == "Escape" && state.busy_untracked() {
            ev.prevent_default();
            state.stop();
        }
    };
    view! {
        <form
            class="copilot-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                state.send();
            }
        >
            <textarea
                node_ref=state.message_box()
                aria-label="Message"
                placeholder="Ask the copilot…"
                rows="2"
                prop:value=move || state.draft()
                on:input=move |ev| state.set_draft(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <Show
                when=move || state.busy()
                fallback=move || {
                    view! {
                        <button type="submit" disabled=move || state.draft().trim().is_empty()>
                            "Send"
                        </button>
                    }
                }
            >
                <button type="button" on:click=move |_| state.stop()>
                    "Stop"
                </button>
            </Show>
        </form>
    }
}

/// The empty conversation: what the copilot can do, and requests to start from. A suggestion
/// fills the box and focuses it; it does not send.
#[component]
pub fn Suggestions(state: PanelState) -> impl IntoView {
    let suggestions = SUGGESTIONS
        .iter()
        .map(|suggestion| {
            view! {
                <li>
                    <button
                        type="button"
                        class="suggestion"
                        on:click=move |_| state.suggest(suggestion)
                    >
                        {*suggestion}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="copilot-empty">
            <p>
                "Ask the copilot to change your agents, numbers or keys, or to review recent calls. For example:"
            </p>
            <ul class="suggestions">{suggestions}</ul>
        </div>
    }
}
