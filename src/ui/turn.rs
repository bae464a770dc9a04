//! One turn: the person's message, the copilot's steps and its reply.

use assist_protocol::StepStatus;
use leptos::prelude::*;

use crate::conversation::{Phase, Turn};

/// Renders one turn from its signal.
#[component]
pub fn TurnView(turn: RwSignal<Turn>) -> impl IntoView {
    let phase = move || turn.with(|t| t.phase);
    let steps = move || {
        turn.with(|t| {
            t.steps
                .iter()
                .map(|step| {
                    let (mark, status) = match step.status {
                        StepStatus::Started => ("…", "started"),
                        StepStatus::Succeeded => ("✓", "succeeded"),
                        StepStatus::Failed => ("✗", "failed"),
                    };
                    view! {
                        <li data-status=status>
                            <span class="step-mark" aria-hidden="true">{mark}</span>
                            {step.message.clone()}
                        </li>
                    }
                })
                .collect_view()
        })
    };
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
            <ol class="turn-steps">{steps}</ol>
            // Plain text until the safe markdown renderer lands (issue 6).
            <div class="turn-reply">{move || turn.with(|t| t.reply.clone())}</div>
            <Show when=move || phase() == Phase::Stopped>
                <p class="turn-note">"Stopped. What arrived is kept."</p>
            </Show>
            {error}
        </article>
    }
}
