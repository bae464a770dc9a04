//! The changes the copilot applied, as a plan grouped by resource with totals: under each turn
//! that made them ([`TurnChanges`], folded to one line), and for the whole conversation in the
//! "Applied changes" sheet ([`ChangesSheet`]) that its totals line ([`ChangesToggle`]) opens
//! over the log. Neither takes the conversation's room while the person is not reviewing.

use assist_protocol::AppliedMutation;
use leptos::prelude::*;

use crate::changes::{Field, Totals, operation_name, plan_marking};

/// The plan of `mutations`: groups of rows, each row opening to its operation and fields.
/// The groups' headings are `h3` under a turn, `h4` in the sheet (under its own `h3`).
#[component]
fn PlanList(
    #[prop(into)] mutations: Signal<Vec<AppliedMutation>>,
    /// The changes the server recorded that no stream showed (marked so).
    #[prop(into)]
    recorded: Signal<Vec<AppliedMutation>>,
    #[prop(default = false)] in_sheet: bool,
) -> impl IntoView {
    let groups = move || {
        mutations.with(|m| {
            recorded
                .with(|r| plan_marking(m, r))
                .into_iter()
                .map(|group| {
                    let rows = group.rows.into_iter().map(plan_row).collect_view();
                    let heading = if in_sheet {
                        view! { <h4 class="plan-group-name">{group.resource}</h4> }.into_any()
                    } else {
                        view! { <h3 class="plan-group-name">{group.resource}</h3> }.into_any()
                    };
                    view! {
                        <li class="plan-group">
                            {heading}
                            <ul>{rows}</ul>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! { <ul class="plan">{groups}</ul> }
}

/// One row: what changed, in words; opened, the operation by name with its method and path,
/// and the fields it sent.
fn plan_row(row: crate::changes::PlanRow) -> impl IntoView {
    let symbol = row.action.symbol().to_owned();
    let operation = row
        .operation_id
        .as_deref()
        .map(|id| (operation_name(id), id.to_owned()));
    let fields = row
        .fields
        .into_iter()
        .map(|field| view! { <FieldLine symbol=symbol.clone() field=field /> })
        .collect_view();
    view! {
        <li class="plan-row" data-action=row.action.word().to_owned()>
            <details>
                <summary>
                    <span class="plan-symbol" aria-hidden="true">
                        {row.action.symbol().to_owned()}
                    </span>
                    <span class="visually-hidden">{format!("{}: ", row.action.word())}</span>
                    <span class="plan-summary">{row.summary}</span>
                    {row
                        .recorded
                        .then(|| view! { <span class="plan-recorded">"recorded by the server"</span> })}
                </summary>
                <p class="plan-detail">
                    {operation
                        .map(|(name, id)| {
                            view! {
                                <span class="plan-operation">{name}</span>
                                " "
                                <span class="plan-op">{format!("({id})")}</span>
                                " · "
                            }
                        })}
                    <code class="plan-endpoint">{format!("{} {}", row.method, row.path)}</code>
                </p>
                <ul class="plan-fields">{fields}</ul>
            </details>
        </li>
    }
}

/// The changes one turn applied, folded to "2 changes applied · 1 created, 1 updated".
#[component]
pub fn TurnChanges(
    #[prop(into)] mutations: Signal<Vec<AppliedMutation>>,
    #[prop(into)] recorded: Signal<Vec<AppliedMutation>>,
) -> impl IntoView {
    let line = move || {
        mutations.with(|m| {
            let n = m.len();
            format!(
                "{n} change{} applied · {}",
                if n == 1 { "" } else { "s" },
                Totals::of(m).brief()
            )
        })
    };
    view! {
        <Show when=move || mutations.with(|m| !m.is_empty())>
            <details class="turn-changes">
                <summary>{line}</summary>
                <PlanList mutations=mutations recorded=recorded />
            </details>
        </Show>
    }
}

/// "3 changes applied": the button opening the "Applied changes" sheet, where the whole
/// conversation's plan and its totals line are. Hidden until there is a change.
#[component]
pub fn ChangesToggle(
    #[prop(into)] mutations: Signal<Vec<AppliedMutation>>,
    open: RwSignal<bool>,
    /// Its element id.
    id: String,
    /// The sheet's element id.
    sheet: String,
) -> impl IntoView {
    view! {
        <Show when=move || mutations.with(|m| !m.is_empty())>
            <button
                type="button"
                id=id.clone()
                class="changes-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls=sheet.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="changes-toggle-text">
                    {move || {
                        mutations
                            .with(|m| match m.len() {
                                1 => "1 change applied".to_owned(),
                                n => format!("{n} changes applied"),
                            })
                    }}
                </span>
            </button>
        </Show>
    }
}

/// The "Applied changes" region: every change of the conversation as one plan, over the log
/// while open. Esc or Close folds it and puts focus back on its totals line.
#[component]
pub fn ChangesSheet(
    #[prop(into)] mutations: Signal<Vec<AppliedMutation>>,
    /// The changes the server recorded that no stream showed.
    #[prop(into)]
    recorded: Signal<Vec<AppliedMutation>>,
    open: RwSignal<bool>,
    /// Its element id (the toggle's `aria-controls`).
    id: String,
    /// The toggle's element id, where focus goes back when it closes.
    toggle: String,
    /// See [`super::region_name`].
    #[prop(default = None)]
    panel_name: Option<String>,
) -> impl IntoView {
    let region = super::region_name("Applied changes", panel_name.as_deref());
    let heading = NodeRef::<leptos::html::H3>::new();
    let toggle = StoredValue::new(toggle);
    let close = move || {
        open.set(false);
        // Back to the toggle that opened it.
        toggle.with_value(|id| super::focus_by_id(id));
    };
    // Opened: the person reads it from its heading.
    Effect::new(move |_| {
        if open.get()
            && let Some(heading) = heading.get_untracked()
        {
            request_animation_frame(move || {
                let _ = heading.focus();
            });
        }
    });
    view! {
        <section
            class="changes"
            role="region"
            aria-label=region
            id=id
            hidden=move || !open.get()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    ev.stop_propagation();
                    close();
                }
            }
        >
            <header class="changes-header">
                <h3 tabindex="-1" node_ref=heading>"Applied changes"</h3>
                <button type="button" class="changes-close" on:click=move |_| close()>
                    "Close"
                </button>
            </header>
            <p class="changes-totals">{move || mutations.with(|m| Totals::of(m).to_string())}</p>
            <PlanList mutations=mutations recorded=recorded in_sheet=true />
        </section>
    }
}

/// `+ name = value`, the value as text; a long one cut, with "Show more".
#[component]
fn FieldLine(symbol: String, field: Field) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let full = field.full.clone();
    let short = field.value.clone();
    let value = move || match (&full, expanded.get()) {
        (Some(full), true) => full.clone(),
        _ => short.clone(),
    };
    let more = field.full.is_some();
    view! {
        <li class="plan-field" data-masked=field.masked.to_string()>
            <code>{format!("{symbol} {} = ", field.name)}{value}</code>
            <Show when=move || more>
                <button type="button" class="show-more" on:click=move |_| expanded.update(|e| *e = !*e)>
                    {move || if expanded.get() { "Show less" } else { "Show more" }}
                </button>
            </Show>
        </li>
    }
}
