//! Where the person writes: the message box with Send (Stop while a reply streams), growing
//! with what is typed up to a cap, counting near the 4,000-character limit and refusing a
//! longer message before it is sent; and the empty conversation's suggestions, which send.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::controller::PanelState;
use crate::conversation::draft::{DraftLength, MAX_MESSAGE_CHARS};
use crate::i18n::Locale;

/// Requests the empty state suggests, in the panel's language: each asks, none changes
/// anything, and each (in English) is one the local simulator's copilot understands
/// (crates/simulator/README.md).
fn suggestions(t: Locale) -> [String; 4] {
    [
        t.suggestion_list_agents(),
        t.suggestion_failed_calls(),
        t.suggestion_list_numbers(),
        t.suggestion_why_failed(),
    ]
}

/// The box grows to at most this share of the panel's height (the conversation keeps the
/// rest), and never to less than this many pixels.
const MAX_SHARE_OF_PANEL: f64 = 0.2;
const MIN_CAP_PX: i32 = 72;

/// The message box. Enter sends, Shift+Enter adds a line, Esc stops.
#[component]
pub fn Composer(state: PanelState) -> impl IntoView {
    let t = state.locale();
    let length = Memo::new(move |_| DraftLength::of(&state.draft()));
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            state.send();
        } else if ev.key() == "Escape" && state.busy_untracked() {
            ev.prevent_default();
            state.stop();
        }
    };
    // The box fits what it holds, typed or put back (a failed send returns the message).
    Effect::new(move |_| {
        state.draft();
        let (area, root) = (state.message_box(), state.host().root_element());
        request_animation_frame(move || {
            if let Some(area) = area.try_get_untracked().flatten() {
                fit_to_content(&area, root.as_ref());
            }
        });
    });
    let count_id = state.element_id("message-count");
    view! {
        <form
            class="copilot-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                state.send_pressed();
            }
        >
            <div class="composer-row">
                <textarea
                    node_ref=state.message_box()
                    aria-label=t.message()
                    aria-describedby=count_id.clone()
                    aria-invalid=move || length.with(|l| l.is_over()).then_some("true")
                    placeholder=t.ask_placeholder()
                    rows="1"
                    prop:value=move || state.draft()
                    on:input=move |ev| state.set_draft(event_target_value(&ev))
                    on:keydown=on_keydown
                ></textarea>
                <Show
                    when=move || state.busy()
                    fallback=move || {
                        view! {
                            <button
                                type="submit"
                                disabled=move || {
                                    length.with(|l| l.chars == 0 || l.is_over())
                                }
                            >
                                {t.send()}
                            </button>
                        }
                    }
                >
                    <button type="button" on:click=move |_| state.stop_pressed()>
                        {t.stop()}
                    </button>
                </Show>
            </div>
            <p class="composer-count" id=count_id data-over=move || length.with(|l| l.is_over()).to_string()>
                {move || length.with(|l| l.counter(t)).unwrap_or_default()}
                {move || length.with(|l| l.refusal(t)).map(|r| format!(" · {r}"))}
            </p>
            <p class="visually-hidden" aria-live="polite">
                {move || {
                    length
                        .with(|l| l.is_over())
                        .then(|| t.over_limit_heard(MAX_MESSAGE_CHARS))
                }}
            </p>
        </form>
    }
}

/// Sizes the box to its content, up to a share of the panel's height; past it, the box
/// scrolls.
fn fit_to_content(area: &web_sys::HtmlTextAreaElement, root: Option<&web_sys::HtmlElement>) {
    let style = area.unchecked_ref::<web_sys::HtmlElement>().style();
    let _ = style.set_property("height", "auto");
    let borders = area.offset_height() - area.client_height();
    let cap = root
        .map(|r| (f64::from(r.client_height()) * MAX_SHARE_OF_PANEL) as i32)
        .unwrap_or(0)
        .max(MIN_CAP_PX);
    let height = (area.scroll_height() + borders).min(cap);
    let _ = style.set_property("height", &format!("{height}px"));
}

/// The empty conversation: what the copilot can do, and requests to start from. A suggestion
/// sends what it says.
#[component]
pub fn Suggestions(state: PanelState) -> impl IntoView {
    let t = state.locale();
    let suggestions = suggestions(t)
        .into_iter()
        .map(|suggestion| {
            let asked = suggestion.clone();
            view! {
                <li>
                    <button
                        type="button"
                        class="suggestion"
                        disabled=move || state.busy()
                        on:click=move |_| {
                            state.ask(&asked);
                        }
                    >
                        {suggestion}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="copilot-empty">
            <p>{t.empty_intro()}</p>
            <ul class="suggestions">{suggestions}</ul>
        </div>
    }
}
