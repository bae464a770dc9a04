//! One turn: how the panel holds it ([`LiveTurn`]) and how it shows ([`TurnView`]: the person's
//! message, the working line while it runs and its steps once it ended, the reply, the
//! approvals it proposed and the changes it applied).

use assist_protocol::{AppliedMutation, AssistRequest, PendingConfirmation, StreamEvent};
use leptos::prelude::*;

use super::approval::TurnCards;
use super::changes::TurnChanges;
use super::controller::PanelState;
use super::reply::{ReplyView, StepsView, copy_text};
use super::working::WorkingLine;
use crate::conversation::reconcile::{Check, Recorded};
use crate::conversation::{Changed, Ending, Phase, Step, Turn, TurnError};

/// A turn as the panel holds it: the pure [`Turn`] (not reactive) and one trigger per part the
/// views show. [`LiveTurn::apply`] wakes only the parts an event [`Changed`], so a delta
/// re-renders the reply and nothing else. Reading a part tracks that part's trigger.
#[derive(Clone, Copy)]
pub struct LiveTurn {
    /// The list key, unique in the panel.
    pub id: u64,
    turn: StoredValue<Turn>,
    /// The request that started it (a retry resends it; an approval repeats its message).
    origin: StoredValue<AssistRequest>,
    phase: Trigger,
    steps: Trigger,
    reply: Trigger,
    mutations: Trigger,
}

impl LiveTurn {
    /// Holds `turn`, started by `origin`, under the current reactive owner.
    pub fn new(turn: Turn, origin: AssistRequest) -> Self {
        Self {
            id: turn.id,
            turn: StoredValue::new(turn),
            origin: StoredValue::new(origin),
            phase: Trigger::new(),
            steps: Trigger::new(),
            reply: Trigger::new(),
            mutations: Trigger::new(),
        }
    }

    /// Folds a stream event into the turn. Does nothing once the panel is gone.
    pub fn apply(&self, event: StreamEvent) {
        if let Some(changed) = self.turn.try_update_value(|t| t.apply(event)) {
            self.notify(changed);
        }
    }

    /// Ends the turn as its request ended (see [`Turn::end`]).
    pub fn end(&self, ending: &Ending) {
        if let Some(changed) = self.turn.try_update_value(|t| t.end(ending)) {
            self.notify(changed);
        }
    }

    /// Notes where the check of what the server recorded stands.
    pub fn set_check(&self, check: Check) {
        if let Some(changed) = self.turn.try_update_value(|t| t.set_check(check)) {
            self.notify(changed);
        }
    }

    /// Adds what the server recorded of the turn; returns the proposals to make cards of.
    pub fn reconcile(&self, record: Option<Recorded>) -> Vec<PendingConfirmation> {
        let Some((changed, proposals)) = self.turn.try_update_value(|t| t.reconcile(record)) else {
            return Vec::new();
        };
        self.notify(changed);
        proposals
    }

    /// The check of what the server recorded (tracked with the phase).
    pub fn check(&self) -> Check {
        self.phase.track();
        self.turn.with_value(|t| t.check.clone())
    }

    /// The changes the server recorded that the stream did not show (tracked).
    pub fn with_recorded<R>(&self, f: impl FnOnce(&[AppliedMutation]) -> R) -> R {
        self.mutations.track();
        self.turn.with_value(|t| f(&t.recorded))
    }

    fn notify(&self, changed: Changed) {
        for (part, trigger) in [
            (changed.phase, self.phase),
            (changed.steps, self.steps),
            (changed.reply, self.reply),
            (changed.mutations, self.mutations),
        ] {
            if part {
                trigger.notify();
            }
        }
    }

    /// Gone with the panel (unmounted while a request was out).
    pub fn is_disposed(&self) -> bool {
        self.turn.is_disposed()
    }

    /// Reads the whole turn without tracking anything (for the controller's rules).
    pub fn with_untracked<R>(&self, f: impl FnOnce(&Turn) -> R) -> R {
        self.turn.with_value(f)
    }

    /// The request that started the turn.
    pub fn origin(&self) -> AssistRequest {
        self.origin.get_value()
    }

    /// An approval's turn (its retry lives on its cards).
    pub fn is_approval(&self) -> bool {
        self.origin.with_value(|o| o.confirmed.is_some())
    }

    /// The phase (tracked).
    pub fn phase(&self) -> Phase {
        self.phase.track();
        self.turn.with_value(|t| t.phase)
    }

    /// What went wrong, if the turn failed or was cut off (tracked with the phase).
    pub fn error(&self) -> Option<TurnError> {
        self.phase.track();
        self.turn.with_value(|t| t.error.clone())
    }

    /// The steps and whether the turn has ended (tracked).
    pub fn with_steps<R>(&self, f: impl FnOnce(&[Step], bool) -> R) -> R {
        self.steps.track();
        self.phase.track();
        self.turn.with_value(|t| f(&t.steps, t.phase.is_final()))
    }

    /// The reply and the phase (tracked: the reply's trigger only; `done`, the one phase the
    /// reply view needs, changes the reply too).
    pub fn with_reply<R>(&self, f: impl FnOnce(&str, Phase) -> R) -> R {
        self.reply.track();
        self.turn.with_value(|t| f(&t.reply, t.phase))
    }

    /// The applied mutations (tracked).
    pub fn with_mutations<R>(&self, f: impl FnOnce(&[AppliedMutation]) -> R) -> R {
        self.mutations.track();
        self.turn.with_value(|t| f(&t.mutations))
    }
}

/// The `data-check` name of a check, for styles and tests.
fn check_name(check: &Check) -> &'static str {
    match check {
        Check::NotNeeded => "none",
        Check::Checking => "checking",
        Check::Recorded { .. } => "recorded",
        Check::NotRecorded => "not-recorded",
        Check::Unavailable(_) => "unavailable",
        Check::ThreadUnknown => "thread-unknown",
    }
}

/// Renders one turn. Retry (for turns the person sent; an approval's retry lives on its card)
/// sends the same request again, only when the person presses it.
#[component]
pub fn TurnView(turn: LiveTurn, state: PanelState) -> impl IntoView {
    let phase = move || turn.phase();
    let ended = move || phase().is_final();
    let message = turn.with_untracked(|t| t.message.clone());
    // The request the turn's cards answer to (an approval's own turn repeats it).
    let asked = turn.origin().message;
    let mutations = Signal::derive(move || turn.with_mutations(<[AppliedMutation]>::to_vec));
    let recorded = Signal::derive(move || turn.with_recorded(<[AppliedMutation]>::to_vec));
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
    // Retry once the panel knows what the turn did: while it reads the thread, it waits.
    let can_retry = move || {
        !turn.is_approval()
            && matches!(phase(), Phase::Failed | Phase::Interrupted)
            && turn.check() != Check::Checking
    };
    // Retry of a turn that applied changes (or whose outcome is unknown) asks first.
    let asking = RwSignal::new(None::<String>);
    let keep = NodeRef::<leptos::html::Button>::new();
    let retry = move |_| {
        if let Some(question) = state.retry(turn, false) {
            asking.set(Some(question));
            request_animation_frame(move || {
                if let Some(button) = keep.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
    };
    let check = move || {
        turn.check().sentence().map(|sentence| {
            view! { <p class="turn-check" data-check=check_name(&turn.check())>{sentence}</p> }
        })
    };
    // The reply no longer changes once the turn is done: the phase is all this needs to track.
    let can_copy = move || phase() == Phase::Done && turn.with_untracked(|t| !t.reply.is_empty());
    let error = move || {
        turn.error().map(|error| {
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
    };
    view! {
        <article class="turn" data-phase=move || phase().as_str() data-turn=turn.id.to_string()>
            <p class="turn-message">
                <span class="turn-text">{message}</span>
                <time class="turn-time" datetime=iso>{clock}</time>
            </p>
            // While it runs, the working line says what is happening; once it ended, the steps
            // fold into "N steps".
            <Show when=ended>
                <StepsView turn=turn />
            </Show>
            <ReplyView turn=turn />
            <WorkingLine turn=turn />
            <Show when=move || phase() == Phase::Stopped>
                <p class="turn-note">"Stopped. What arrived is kept."</p>
            </Show>
            {error}
            {check}
            <TurnCards turn_id=turn.id asked=asked state=state />
            <TurnChanges mutations=mutations recorded=recorded />
            <div class="turn-actions">
                <Show when=can_copy>
                    <button type="button" class="copy-reply" on:click=copy_reply>
                        {move || match copied.get() {
                            None => "Copy reply",
                            Some(true) => "Copied",
                            Some(false) => "Copy failed",
                        }}
                    </button>
                </Show>
                <Show when=move || can_retry() && asking.with(Option::is_none)>
                    <button
                        type="button"
                        class="retry-turn"
                        disabled=move || state.busy()
                        on:click=retry
                    >
                        "Retry"
                    </button>
                </Show>
            </div>
            <Show when=move || asking.with(Option::is_some)>
                <div class="retry-confirm" role="group" aria-label="Send this request again?">
                    <p>{move || asking.get()}</p>
                    <button
                        type="button"
                        class="retry-again"
                        disabled=move || state.busy()
                        on:click=move |_| {
                            asking.set(None);
                            state.retry(turn, true);
                        }
                    >
                        "Send again"
                    </button>
                    <button
                        type="button"
                        class="retry-keep"
                        node_ref=keep
                        on:click=move |_| {
                            asking.set(None);
                            state.focus_composer();
                        }
                    >
                        "Don’t send"
                    </button>
                </div>
            </Show>
        </article>
    }
}
