//! "Recent": the conversations left with New conversation, newest first, each reopened from
//! the server when chosen. The list is the controller's (kept per storage key).

use leptos::prelude::*;

use super::controller::PanelState;
use crate::i18n::Locale;
use crate::i18n::intl::{self, TimeStyle};

/// The Recent button and its list; hidden while there is nothing to go back to.
#[component]
pub fn RecentMenu(state: PanelState) -> impl IntoView {
    let t = state.locale();
    let open = RwSignal::new(false);
    let list_id = state.element_id("recent");
    let button_id = state.element_id("recent-button");
    let has_any = move || !state.recent().is_empty();
    let close_and_return = {
        let button_id = button_id.clone();
        move || {
            open.set(false);
            super::focus_by_id(&button_id);
        }
    };
    let on_keydown = {
        let close = close_and_return.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Escape" && open.get_untracked() {
                ev.prevent_default();
                close();
            }
        }
    };
    let items = move || {
        state
            .recent()
            .into_iter()
            .map(|entry| {
                let id = entry.thread_id.clone();
                let when = entry
                    .seen_at
                    .as_deref()
                    .map(|at| short_date(at, t))
                    .unwrap_or_default();
                let title = if entry.title.is_empty() {
                    t.untitled_conversation()
                } else {
                    entry.title.clone()
                };
                view! {
                    <li>
                        <button
                            type="button"
                            class="recent-item"
                            disabled=move || state.busy()
                            on:click=move |_| {
                                open.set(false);
                                state.open_recent(&id);
                            }
                        >
                            <span class="recent-title">{title}</span>
                            <span class="recent-when">{when}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    // A press anywhere else closes it (listened to on the window while the panel lives).
    let container = NodeRef::<leptos::html::Div>::new();
    let outside = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if open.try_get_untracked() != Some(true) {
            return;
        }
        let target = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok());
        let inside = container
            .try_get_untracked()
            .flatten()
            .is_some_and(|c| target.as_ref().is_some_and(|t| c.contains(Some(t))));
        if !inside {
            open.try_set(false);
        }
    });
    on_cleanup(move || outside.remove());
    view! {
        <Show when=has_any>
            <div
                class="recent"
                node_ref=container
                on:keydown=on_keydown.clone()
            >
                <button
                    type="button"
                    id=button_id.clone()
                    class="recent-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=list_id.clone()
                    disabled=move || state.busy()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {t.recent()}
                </button>
                <div class="recent-list" id=list_id.clone() hidden=move || !open.get()>
                    <p class="recent-heading">{t.recent_conversations()}</p>
                    <ul>{items}</ul>
                </div>
            </div>
        </Show>
    }
}

/// "1 Dec, 10:04" in the person's own time zone and the panel's language.
fn short_date(iso: &str, t: Locale) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    intl::time(t, date.get_time(), TimeStyle::Short)
}
