//! One turn: the person's message, the copilot's steps and its reply.

use leptos::prelude::*;

use super::reply::{ReplyView, StepsView, copy_text};
use crate::conversation::{Phase, Turn};

/// Renders one turn from its signal. `on_retry` (for turns the person sent; an approval's
/// retry lives on its card) sends the same request again, only when the person presses Retry.
#[component]
pub fn TurnView(
    turn: RwSignal<Turn>,
    busy: RwSignal<bool>,
    #[prop(optional)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let phase = move || turn.with(|t| t.phase);
    // When the person asked: the thread's time for a restored turn, else now.
    let date = turn
        .with_untracked(|t| t.created_at.clone())
        .map_or_else(js_sys::Date::new_0, |at| {
            js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&at))
        });
    let (iso, clock) = if date.get_time().is_nan() {
        (String::new(), String::new())
    } else {
        (
            String::from(date.to_iso_string()),
            format!("{:02}:{:02}", date.get_hours(), date.get_minutes()),
        )
    };
    let copied = RwSignal::new(None::<bool>);
    let copy_reply = move |_| {
        let copying = copy_text(&turn.with_untracked(|t| t.reply.clone()));
        leptos::task::spawn_local(async move { copied.set(Some(copying.await)) });
    };
    let can_retry =
        move || on_retry.is_some() && matches!(phase(), Phase::Failed | Phase::Interrupted);
    let error = move || {
        turn.with(|t| {
            t.error.clone().map(|error| {
                view! {
                    <div class="turn-error" role="alert">
                        <strong>{error.title}</strong>
                        {error.detail.map(|d| view! { <p>{d}</p> })}
                        <ul>
                            {error.fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
                        </ul>
                    </div>
                }
            })
        })
    };
    view! {
        <article class="turn" data-phase=move || phase().as_str()>
            <p class="turn-message">
                {turn.with_untracked(|t| t.message.clone())}
                <time class="turn-time" datetime=iso>{clock}</time>
            </p>
            <StepsView turn=turn />
            <ReplyView turn=turn />
            <Show when=move || phase() == Phase::Stopped>
                <p class="turn-note">"Stopped. What arrived is kept."</p>
            </Show>
            {error}
            <div class="turn-actions">
                <Show when=move || phase() == Phase::Done && turn.with(|t| !t.reply.is_empty())>
                    <button type="button" class="copy-reply" on:click=copy_reply>
                        {move || match copied.get() {
                            None => "Copy reply",
                            Some(true) => "Copied",
                            Some(false) => "Copy failed",
                        }}
                    </button>
                </Show>
                <Show when=can_retry>
                    <button
                        type="button"
                        class="retry-turn"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            if let Some(retry) = on_retry {
                                retry.run(());
                            }
                        }
                    >
                        "Retry"
                    </button>
                </Show>
            </div>
        </article>
    }
}
