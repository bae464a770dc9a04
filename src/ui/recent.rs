//! "Recent": the conversations left with New conversation, newest first, each reopened from
//! the server when chosen. The list is the controller's (kept per storage key).

use leptos::prelude::*;

use super::controller::PanelState;

/// The Recent button and its list; hidden while there is nothing to go back to.
#[component]
pub fn RecentMenu(state: PanelState) -> impl IntoView {
    let open = RwSignal::new(false);
    let list_id = state.element_id("recent");
    let button_id = state.element_id("recent-button");
    let has_any = move || !state.recent().is_empty();
    let close_and_return = {
        let button_id = button_id.clone();
        move || {
            open.set(false);
            if let Some(button) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&button_id))
                .and_then(|b| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b).ok())
            {
                let _ = button.focus();
            }
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
                let when = entry.seen_at.as_deref().map(short_date).unwrap_or_default();
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
                            <span class="recent-title">{entry.title.clone()}</span>
                            <span class="recent-when">{when}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=has_any>
            <div class="recent" on:keydown=on_keydown.clone()>
                <button
                    type="button"
                    id=button_id.clone()
                    class="recent-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=list_id.clone()
                    disabled=move || state.busy()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "Recent"
                </button>
                <div class="recent-list" id=list_id.clone() hidden=move || !open.get()>
                    <p class="recent-heading">"Recent conversations"</p>
                    <ul>{items}</ul>
                </div>
            </div>
        </Show>
    }
}

/// "1 Dec, 10:04" in the person's own time zone and language.
fn short_date(iso: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return String::new();
    }
    let options = js_sys::Object::new();
    for (key, value) in [
        ("day", "numeric"),
        ("month", "short"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    String::from(date.to_locale_string("default", &options))
}
