//! The "Applied changes" region: every change the copilot applied in this conversation, as a
//! plan grouped by resource, with totals.

use assist_protocol::AppliedMutation;
use leptos::prelude::*;

use crate::changes::{Field, Totals, plan};

/// The plan of `mutations` (every turn's, in order). Hidden until there is a change.
#[component]
pub fn ChangesView(
    #[prop(into)] mutations: Signal<Vec<AppliedMutation>>,
    /// See [`super::approval::ApprovalsView`]'s `panel_name`.
    #[prop(default = None)]
    panel_name: Option<String>,
) -> impl IntoView {
    let region = super::region_name("Applied changes", panel_name.as_deref());
    let groups = move || {
        mutations.with(|m| {
            plan(m)
                .into_iter()
                .map(|group| {
                    let rows = group
                        .rows
                        .into_iter()
                        .map(|row| {
                            let symbol = row.action.symbol().to_owned();
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
                                            <span class="visually-hidden">
                                                {format!("{}: ", row.action.word())}
                                            </span>
                                            <span class="plan-text">
                                                <span class="plan-summary">{row.summary}</span>
                                                <code class="plan-endpoint">
                                                    {format!("{} {}", row.method, row.path)}
                                                </code>
                                                {row
                                                    .operation_id
                                                    .map(|id| view! { <span class="plan-op">{id}</span> })}
                                            </span>
                                        </summary>
                                        <ul class="plan-fields">{fields}</ul>
                                    </details>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <li class="plan-group">
                            <h4>{group.resource}</h4>
                            <ul>{rows}</ul>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <Show when=move || mutations.with(|m| !m.is_empty())>
            <section class="changes" role="region" aria-label=region.clone()>
                <h3>"Applied changes"</h3>
                <p class="changes-totals">{move || mutations.with(|m| Totals::of(m).to_string())}</p>
                <ul class="plan">{groups}</ul>
            </section>
        </Show>
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
