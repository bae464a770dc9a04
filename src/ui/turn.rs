//! One turn: the person's message, the copilot's steps and its reply.

use leptos::prelude::*;

use super::reply::{ReplyView, StepsView};
use crate::conversation::{Phase, Turn};

/// Renders one turn from its signal.
#[component]
pub fn TurnView(turn: RwSignal<Turn>) -> impl IntoView {
    let phase = move || turn.with(|t| t.phase);
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
            <p class="turn-message">{move || turn.with(|t| t.message.clone())}</p>
            <StepsView turn=turn />
            <ReplyView turn=turn />
            <Show when=move || phase() == Phase::Stopped>
                <p class="turn-note">"Stopped. What arrived is kept."</p>
            </Show>
            {error}
        </article>
    }
}
