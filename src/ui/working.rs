//! A running turn's working line, from the moment it starts: "Working…", the step the copilot
//! is on, and how long the person has waited once nothing arrived for a few seconds. The
//! words are [`crate::conversation::working`]'s; this keeps the clock.

use std::time::Duration;

use leptos::prelude::*;

use super::turn::LiveTurn;
use crate::conversation::working::working;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The working line of `turn` while it runs; nothing once it ended.
#[component]
pub fn WorkingLine(turn: LiveTurn) -> impl IntoView {
    let t = turn.with_untracked(|t| t.locale);
    let started = now_ms();
    let last_activity = RwSignal::new(started);
    let clock = RwSignal::new(started);
    // Anything arriving (a step, text, a change) is a sign of life.
    Effect::new(move |_| {
        turn.with_steps(|_, _| ());
        turn.with_reply(|_, _| ());
        turn.with_mutations(|_| ());
        last_activity.set(now_ms());
    });
    // A turn that ended already (restored from a thread) needs no clock.
    let runs = !turn.with_untracked(|t| t.phase.is_final());
    let ticking = StoredValue::new_local(
        runs.then(|| {
            set_interval_with_handle(move || clock.set(now_ms()), Duration::from_millis(1000)).ok()
        })
        .flatten(),
    );
    let stop_ticking = move || {
        if let Some(Some(handle)) = ticking.try_update_value(Option::take) {
            handle.clear();
        }
    };
    on_cleanup(stop_ticking);
    let running = move || !turn.phase().is_final();
    Effect::new(move |_| {
        if !running() {
            stop_ticking();
        }
    });
    let line = Memo::new(move |_| {
        let now = clock.get().max(last_activity.get());
        let elapsed = ((now - started) / 1000.0) as u32;
        let silent = ((now - last_activity.get()) / 1000.0) as u32;
        let step =
            turn.with_steps(|_, _| turn.with_untracked(|t| t.current_step().map(str::to_owned)));
        working(t, step.as_deref(), elapsed, silent)
    });
    // Its own memo: the live region changes only when what it says does.
    let heard = Memo::new(move |_| line.with(|l| l.heard.clone()));
    view! {
        <Show when=running>
            <div class="turn-working">
                <span class="working-pulse" aria-hidden="true"></span>
                <span aria-hidden="true">{move || line.with(|l| l.shown.clone())}</span>
                <span class="visually-hidden" role="status">{heard}</span>
            </div>
        </Show>
    }
}
