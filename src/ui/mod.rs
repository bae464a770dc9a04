//! Thin components over [`crate::conversation`] and [`crate::transport`].

mod approvals;
mod changes;
mod reply;
mod turn;

pub use reply::{ReplyDom, ReplyView, StepsView};

use assist_protocol::AssistRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};
use web_sys::AbortController;

use crate::changes::{Card, CardState};
use crate::conversation::{Phase, Turn};
use crate::markdown::Policy;
use crate::transport::{self, Endpoint, TransportError};
use approvals::{ApprovalsView, CardEntry};
use changes::ChangesView;
use turn::TurnView;

/// A turn as the UI holds it: its id (the list key), its own signal (so one streamed token
/// re-renders one turn), and the request that started it (approvals repeat its message and
/// context).
#[derive(Clone, Copy)]
struct TurnEntry {
    id: u64,
    state: RwSignal<Turn>,
    origin: StoredValue<AssistRequest>,
}

/// The copilot panel.
#[component]
pub fn Panel(
    /// Where requests go: the gateway's base (`""` for the page's own origin), the agent whose
    /// copilot answers, and the CSRF header's name.
    #[prop(optional)]
    endpoint: Endpoint,
    /// Page context from the host (which agent is open, and so on), sent with every request.
    #[prop(default = None)]
    context: Option<Map<String, Value>>,
    /// The CSRF token of a session the host already holds (the host may renew it while the
    /// panel is mounted). Without one the panel uses the page's gateway session.
    #[prop(optional)]
    host_session: HostSession,
    /// What replies may load (the image allow-list).
    #[prop(optional)]
    policy: Policy,
    /// Where the conversation's thread id is kept (localStorage), so a reload resumes it.
    #[prop(into, default = String::from("flowyte-copilot"))]
    storage_key: String,
    /// `light`, `dark`, or `auto` (the system's preference).
    #[prop(into, default = String::from("auto"))]
    theme: String,
    /// The panel's name (its heading and landmark) when the page has more than one.
    #[prop(default = None)]
    label: Option<String>,
) -> impl IntoView {
    provide_context(policy);
    let (draft, set_draft) = signal(String::new());
    let turns = RwSignal::new(Vec::<TurnEntry>::new());
    let busy = RwSignal::new(false);
    let thread_id = RwSignal::new(None::<String>);
    let cards = RwSignal::new(Vec::<CardEntry>::new());
    let message_box = NodeRef::<leptos::html::Textarea>::new();
    // One polite announcement when a turn ends ("Reply ready. 2 changes applied. …").
    let announcement = RwSignal::new(String::new());
    // The host's session token, when it gave one; otherwise the page's shared session is used.
    let host_token = StoredValue::new_local(host_session);
    let controller = StoredValue::new_local(None::<AbortController>);
    let next_id = StoredValue::new(0u64);
    let endpoint = StoredValue::new(endpoint);
    let context = StoredValue::new(context);
    // Follows the newest text while it streams, until the person scrolls up.
    let log = NodeRef::<leptos::html::Div>::new();
    let log_content = NodeRef::<leptos::html::Div>::new();
    let pinned = RwSignal::new(true);
    let last_scroll_top = StoredValue::new(0);
    let root = NodeRef::<leptos::html::Section>::new();
    // Signals made later (a turn, its cards) belong to the panel, not to whatever view was
    // active when they were made: an Approve button's scope is gone once its card leaves
    // Pending. Held weakly: the owner keeps this value, and a strong copy in it would keep
    // the owner (and everything the panel made) alive after unmount.
    let owner = StoredValue::new_local(
        Owner::current()
            .expect("the panel renders under an owner")
            .downgrade(),
    );
    // Every change of the conversation, in order. A memo: the plan re-renders when changes
    // change, not on every delta of the reply.
    let all_mutations = Memo::new(move |_| {
        turns.with(|entries| {
            entries
                .iter()
                .flat_map(|e| e.state.with(|t| t.mutations.clone()))
                .collect::<Vec<_>>()
        })
    });

    // Starts a turn for `request`, shown as `shown`. `approving` are the cards this turn
    // approves: they settle from its outcome. A normal turn (no cards) gives the person's
    // message back to the textbox if nothing reached the copilot.
    let start_turn = move |request: AssistRequest, shown: String, approving: Vec<CardEntry>| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        let (turn, origin) = owner.with_value(|o| {
            o.upgrade().expect("the panel is mounted").with(|| {
                (
                    RwSignal::new(Turn::new(id, shown)),
                    StoredValue::new(request.clone()),
                )
            })
        });
        turns.update(|t| {
            t.push(TurnEntry {
                id,
                state: turn,
                origin,
            })
        });
        busy.set(true);
        let abort = AbortController::new().expect("AbortController exists");
        let signal = abort.signal();
        controller.set_value(Some(abort));

        // A new turn is the person's own action: show it, and follow it.
        pinned.set(true);
        spawn_local(async move {
            let endpoint = endpoint.get_value();
            let outcome = async {
                let token = match host_token.with_value(HostSession::token) {
                    Some(token) => token,
                    None => transport::session_token(&endpoint).await?,
                };
                // A refused session is forgotten by the transport; a host's session is the
                // host's to renew (it hears of this as an error event).
                transport::post_assist(&endpoint, &token, &request, &signal, |event| {
                    turn.try_update(|t| t.apply(event));
                })
                .await
            }
            .await;
            // Unmounted while the request was out: its signals are gone with the panel.
            if turn.is_disposed() {
                return;
            }
            let mut settled = CardState::Approved;
            match &outcome {
                Ok(()) => {}
                Err(TransportError::Aborted) => turn.update(Turn::stop),
                Err(TransportError::Interrupted) => turn.update(Turn::interrupt),
                Err(error) => {
                    // Nothing reached the copilot: give the message back if the box is empty.
                    if approving.is_empty()
                        && error.before_acceptance()
                        && draft.get_untracked().is_empty()
                    {
                        set_draft.set(request.message.clone());
                    }
                    turn.update(|t| t.fail(error.to_turn_error()));
                }
            }
            if let Err(TransportError::Http {
                status: 409,
                problem,
            }) = &outcome
            {
                settled = CardState::Stale(
                    problem
                        .detail
                        .clone()
                        .or_else(|| problem.title.clone())
                        .unwrap_or_else(|| "The server no longer holds this action.".to_owned()),
                );
            } else if let Some(error) = turn.with_untracked(|t| {
                (t.phase != Phase::Done).then(|| {
                    t.error.as_ref().map_or_else(
                        || "Stopped before the copilot answered.".to_owned(),
                        |e| e.title.clone(),
                    )
                })
            }) {
                settled = CardState::Failed(error);
            }
            for entry in &approving {
                entry.card.update(|c| c.settle(settled.clone()));
            }
            if let Some(id) = turn.with_untracked(|t| t.thread_id().map(str::to_owned)) {
                thread_id.set(Some(id));
            }
            // The turn's own proposals become approval cards once it has ended.
            // A stopped or dropped stream keeps the proposals it delivered: the server holds
            // them too.
            let proposed = turn.with_untracked(|t| t.confirmations.clone());
            let mut proposed_cards = Vec::new();
            if !proposed.is_empty() {
                cards.update(|list| {
                    for item in proposed {
                        let card_id = next_id.get_value();
                        next_id.set_value(card_id + 1);
                        let (card, selected) = owner.with_value(|o| {
                            o.upgrade()
                                .expect("the panel is mounted")
                                .with(|| (RwSignal::new(Card::new(item)), RwSignal::new(true)))
                        });
                        proposed_cards.push(card_id);
                        list.push(CardEntry {
                            id: card_id,
                            turn_id: id,
                            card,
                            selected,
                        });
                    }
                });
            }
            let root_element = root.get_untracked();
            let applied = turn.with_untracked(|t| t.mutations.clone());
            if let Some(root) = &root_element {
                if !applied.is_empty() {
                    let detail = serde_json::to_value(&applied).expect("mutations serialise");
                    dispatch(root, CHANGES_APPLIED, &detail);
                }
                if let Some(detail) =
                    turn.with_untracked(|t| error_detail(t, outcome.as_ref().err()))
                {
                    dispatch(root, ERROR, &detail);
                }
            }
            let waiting = cards.with_untracked(|list| {
                list.iter()
                    .filter(|e| e.card.with_untracked(|c| c.state == CardState::Pending))
                    .count()
            });
            announcement.set(turn.with_untracked(|t| announce(t, waiting)));
            controller.set_value(None);
            busy.set(false);
            if !proposed_cards.is_empty() {
                // The person's next decision: focus the first new card once it is in the page.
                // Looked up in this panel only: another panel on the page numbers its own cards.
                let first = proposed_cards[0];
                request_animation_frame(move || {
                    let selector = format!("[data-card='{first}']");
                    if let Some(card) = root_element
                        .and_then(|r| r.query_selector(&selector).ok().flatten())
                        .and_then(|e| {
                            wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()
                        })
                    {
                        let _ = card.focus();
                    }
                });
            }
        });
    };

    let send = move || {
        let message = draft.get_untracked().trim().to_owned();
        if message.is_empty() || busy.get_untracked() {
            return;
        }
        // The thread moves on: approvals proposed earlier can no longer be given here.
        cards.with_untracked(|list| {
            for entry in list {
                entry
                    .card
                    .update(|c| c.expire("The conversation moved on; ask again to do this."));
            }
        });
        set_draft.set(String::new());
        let request = AssistRequest {
            message: message.clone(),
            thread_id: thread_id.get_untracked(),
            context: context.get_value(),
            confirmed: None,
        };
        start_turn(request, message, Vec::new());
    };

    // Approves `entries` in one request. Each card moves to Submitting synchronously, before
    // anything is awaited: a second activation finds it submitting and sends nothing.
    let approve = Callback::new(move |entries: Vec<CardEntry>| {
        if busy.get_untracked() {
            return;
        }
        let mut items = Vec::new();
        let mut approving = Vec::new();
        for entry in entries {
            let mut sent = None;
            entry.card.update(|c| sent = c.approve());
            if let Some(item) = sent {
                items.push(item);
                approving.push(entry);
            }
        }
        let Some(first) = approving.first().copied() else {
            return;
        };
        // Repeat the proposing turn's message, thread and context, exactly.
        let Some((origin, thread)) = turns.with_untracked(|list| {
            list.iter().find(|t| t.id == first.turn_id).map(|t| {
                (
                    t.origin.get_value(),
                    t.state.with_untracked(|s| s.thread_id().map(str::to_owned)),
                )
            })
        }) else {
            return;
        };
        let shown = format!(
            "Approve: {}",
            items
                .iter()
                .map(|i| i.summary().unwrap_or("an action").to_owned())
                .collect::<Vec<_>>()
                .join("; ")
        );
        let Some(thread) = thread
            .or(origin.thread_id.clone())
            .or_else(|| thread_id.get_untracked())
        else {
            // The stream broke before naming its thread: the approval has nowhere to go.
            for entry in &approving {
                entry.card.update(|c| {
                    c.settle(CardState::Stale(
                        "The proposal's conversation is unknown (its reply was cut off); ask again."
                            .to_owned(),
                    ))
                });
            }
            return;
        };
        let request = AssistRequest {
            message: origin.message,
            thread_id: Some(thread),
            context: origin.context,
            confirmed: Some(items),
        };
        start_turn(request, shown, approving);
    });
    let reject = Callback::new(move |entry: CardEntry| {
        entry.card.update(|c| {
            c.reject();
        });
    });

    // The thread survives a reload: kept under the storage key, restored on load.
    let storage_key = StoredValue::new(storage_key);
    let restore_note = RwSignal::new(None::<String>);
    // Saves each thread the conversation gets; removing is explicit (New conversation, or a
    // thread the server no longer has), so a restore that fails keeps the id for next time.
    // The host hears of every change (`null` when a new conversation starts).
    Effect::new(move |previous: Option<Option<String>>| {
        let current = thread_id.get();
        if let Some(id) = &current {
            storage_key.with_value(|key| save_thread(key, Some(id)));
        }
        if previous.is_some_and(|p| p != current)
            && let Some(root) = root.get_untracked()
        {
            dispatch(
                &root,
                THREAD_CHANGED,
                &serde_json::json!({ "threadId": current }),
            );
        }
        current
    });
    if let Some(saved) = storage_key.with_value(|key| load_thread(key)) {
        busy.set(true);
        spawn_local(async move {
            let endpoint = endpoint.get_value();
            let fetched = async {
                // Reading a thread needs the session cookie (no token): join or start one.
                if host_token.with_value(|h| h.token().is_none()) {
                    transport::session_token(&endpoint).await?;
                }
                transport::get_thread(&endpoint, &saved).await
            }
            .await;
            if busy.is_disposed() {
                return;
            }
            match fetched {
                Ok(thread) => {
                    let (entries, restored_cards) = owner.with_value(|o| {
                        o.upgrade().expect("the panel is mounted").with(|| {
                            restore(&thread, context.get_value(), &|| {
                                let id = next_id.get_value();
                                next_id.set_value(id + 1);
                                id
                            })
                        })
                    });
                    turns.set(entries);
                    cards.set(restored_cards);
                    thread_id.set(Some(thread.thread.id));
                }
                Err(TransportError::Http { status: 404, .. }) => {
                    // The thread is gone (a fresh simulator, another account): start fresh.
                    storage_key.with_value(|key| save_thread(key, None));
                }
                Err(error) => {
                    let shown = error.to_turn_error();
                    if let Some(root) = root.get_untracked() {
                        let restoring = crate::conversation::TurnError::new(
                            "Could not restore the last conversation",
                            Some(shown.title.clone()),
                        );
                        dispatch(
                            &root,
                            ERROR,
                            &error_event(&restoring, error.status(), Some(&saved)),
                        );
                    }
                    restore_note.set(Some(format!(
                        "Could not restore the last conversation: {}",
                        shown.title
                    )));
                }
            }
            busy.set(false);
        });
    }
    let new_conversation = move |_| {
        if busy.get_untracked() {
            return;
        }
        turns.set(Vec::new());
        cards.set(Vec::new());
        restore_note.set(None);
        thread_id.set(None);
        storage_key.with_value(|key| save_thread(key, None));
    };

    let stop = move || {
        if let Some(abort) = controller.get_value() {
            abort.abort();
        }
    };
    // Leaving the page (or unmounting) cancels a stream in flight.
    on_cleanup(stop);

    // The log's content grows (deltas, steps, a new turn) or shrinks: while pinned, the log
    // follows it to the end. A ResizeObserver sees every change of height, whatever made it,
    // and runs before the frame is painted.
    let follow = StoredValue::new_local(None::<(web_sys::ResizeObserver, FollowCallback)>);
    Effect::new(move |_| {
        let (Some(log), Some(content)) = (log.get(), log_content.get()) else {
            return;
        };
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if pinned.try_get_untracked() == Some(true) {
                scroll_to_end(&log);
            }
        });
        let Ok(observer) =
            web_sys::ResizeObserver::new(wasm_bindgen::JsCast::unchecked_ref(callback.as_ref()))
        else {
            return;
        };
        observer.observe(&content);
        follow.set_value(Some((observer, callback)));
    });
    on_cleanup(move || {
        if let Some((observer, _callback)) = follow.try_update_value(Option::take).flatten() {
            observer.disconnect();
        }
    });

    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        } else if ev.key() == "Escape" && busy.get_untracked() {
            ev.prevent_default();
            stop();
        }
    };

    let landmark = label
        .clone()
        .unwrap_or_else(|| "Flowyte Copilot".to_owned());
    let heading = label.clone().unwrap_or_else(|| "Copilot".to_owned());
    view! {
        <section
            class="copilot"
            aria-label=landmark
            data-theme=theme
            node_ref=root
        >
            <header class="copilot-header">
                <h2>{heading}</h2>
                <button
                    type="button"
                    class="new-conversation"
                    disabled=move || busy.get()
                    on:click=new_conversation
                >
                    "New conversation"
                </button>
            </header>
            <div class="copilot-log-frame">
            <div
                class="copilot-log"
                role="log"
                aria-label="Conversation"
                aria-busy=move || busy.get().to_string()
                tabindex="0"
                node_ref=log
                on:scroll=move |_| {
                    // At the end: following. Scrolled up (by the person: the panel only
                    // ever scrolls down): not following. A scroll event that arrives after
                    // more text did is neither.
                    if let Some(log) = log.get_untracked() {
                        let top = log.scroll_top();
                        if at_bottom(&log) {
                            pinned.set(true);
                        } else if top < last_scroll_top.get_value() {
                            pinned.set(false);
                        }
                        last_scroll_top.set_value(top);
                    }
                }
            >
            <div class="copilot-log-content" node_ref=log_content>
                {move || restore_note.get().map(|note| view! { <p class="turn-note" role="status">{note}</p> })}
                <Show when=move || turns.with(Vec::is_empty)>
                    <div class="copilot-empty">
                        <p>
                            "Ask the copilot to change your agents, numbers or keys, or to review recent calls. For example:"
                        </p>
                        <ul class="suggestions">
                            {SUGGESTIONS
                                .iter()
                                .map(|suggestion| {
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="suggestion"
                                                on:click=move |_| {
                                                    set_draft.set((*suggestion).to_owned());
                                                    if let Some(box_) = message_box.get_untracked() {
                                                        let _ = box_.focus();
                                                    }
                                                }
                                            >
                                                {*suggestion}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                </Show>
                <For each=move || turns.get() key=|entry| entry.id let:entry>
                    {
                        let approval = entry.origin.with_value(|o| o.confirmed.is_some());
                        let retry = (!approval)
                            .then(|| {
                                Callback::new(move |()| {
                                    if busy.get_untracked() {
                                        return;
                                    }
                                    let mut request = entry.origin.get_value();
                                    request.thread_id = request
                                        .thread_id
                                        .or_else(|| thread_id.get_untracked());
                                    let shown = request.message.clone();
                                    // The failure gave the message back to the box: it is
                                    // being sent again, so it leaves the box again.
                                    if draft.get_untracked().trim() == shown.trim() {
                                        set_draft.set(String::new());
                                    }
                                    start_turn(request, shown, Vec::new());
                                })
                            });
                        match retry {
                            Some(retry) => view! { <TurnView turn=entry.state busy=busy on_retry=retry /> }.into_any(),
                            None => view! { <TurnView turn=entry.state busy=busy /> }.into_any(),
                        }
                    }
                </For>
            </div>
            </div>
            <Show when=move || !pinned.get()>
                <button
                    type="button"
                    class="jump-to-latest"
                    on:click=move |_| {
                        pinned.set(true);
                        if let Some(log) = log.get_untracked() {
                            scroll_to_end(&log);
                            let _ = log.focus();
                        }
                    }
                >
                    "Jump to latest"
                    <span aria-hidden="true">" ↓"</span>
                </button>
            </Show>
            </div>
            <p class="visually-hidden" aria-live="polite" aria-atomic="true">{move || announcement.get()}</p>
            <ApprovalsView
                cards=cards
                busy=busy
                approve=approve
                reject=reject
                panel_name=label.clone()
            />
            <ChangesView mutations=all_mutations panel_name=label.clone() />
            <form
                class="copilot-composer"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <textarea
                    node_ref=message_box
                    aria-label="Message"
                    placeholder="Ask the copilot…"
                    rows="2"
                    prop:value=draft
                    on:input=move |ev| set_draft.set(event_target_value(&ev))
                    on:keydown=on_keydown
                ></textarea>
                <Show
                    when=move || busy.get()
                    fallback=move || {
                        view! {
                            <button
                                type="submit"
                                disabled=move || draft.with(|d| d.trim().is_empty())
                            >
                                "Send"
                            </button>
                        }
                    }
                >
                    <button type="button" on:click=move |_| stop()>
                        "Stop"
                    </button>
                </Show>
            </form>
        </section>
    }
}

/// A region's name: `what`, or `what (panel)` when the panel has a name of its own.
fn region_name(what: &str, panel: Option<&str>) -> String {
    match panel {
        Some(panel) => format!("{what} ({panel})"),
        None => what.to_owned(),
    }
}

/// The CSRF token of a session the host holds, shared with the host's mount handle so it can
/// hand the panel a renewed one (`setCsrfToken`). `None`: the panel uses the page's gateway
/// session.
#[derive(Clone, Default)]
pub struct HostSession(std::rc::Rc<std::cell::RefCell<Option<String>>>);

impl HostSession {
    pub fn new(token: Option<String>) -> Self {
        Self(std::rc::Rc::new(std::cell::RefCell::new(token)))
    }

    pub fn token(&self) -> Option<String> {
        self.0.borrow().clone()
    }

    pub fn set(&self, token: String) {
        *self.0.borrow_mut() = Some(token);
    }
}

type FollowCallback = wasm_bindgen::closure::Closure<dyn FnMut()>;

/// Within a few pixels of the end counts as the end (zoom and fractional scroll positions).
const PIN_SLACK_PX: i32 = 24;

fn at_bottom(log: &web_sys::HtmlElement) -> bool {
    log.scroll_height() - log.scroll_top() - log.client_height() <= PIN_SLACK_PX
}

fn scroll_to_end(log: &web_sys::HtmlElement) {
    log.set_scroll_top(log.scroll_height());
}

/// Host events, dispatched on the panel's root: they bubble (to the element the panel was
/// mounted in, and on up) and cross shadow roots.
pub const CHANGES_APPLIED: &str = "flowyte-copilot:changes-applied";
pub const THREAD_CHANGED: &str = "flowyte-copilot:thread-changed";
pub const ERROR: &str = "flowyte-copilot:error";

/// Dispatches the CustomEvent `name` on `root` with `detail` (JSON) as its detail.
fn dispatch(root: &web_sys::HtmlElement, name: &str, detail: &serde_json::Value) {
    let Ok(detail) = js_sys::JSON::parse(&detail.to_string()) else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = root.dispatch_event(&event);
    }
}

/// The `flowyte-copilot:error` detail for a turn that failed or was cut off (`None` for one
/// that finished or that the person stopped): what the person sees, and the HTTP status when
/// the server refused the request.
fn error_detail(turn: &Turn, error: Option<&TransportError>) -> Option<serde_json::Value> {
    if !matches!(turn.phase, Phase::Failed | Phase::Interrupted) {
        return None;
    }
    let shown = turn.error.clone().unwrap_or_else(|| {
        error.map_or_else(
            || crate::conversation::TurnError::new("The reply was interrupted", None),
            TransportError::to_turn_error,
        )
    });
    Some(error_event(
        &shown,
        error.and_then(TransportError::status),
        turn.thread_id(),
    ))
}

/// The `flowyte-copilot:error` detail: `{title, detail, status, threadId}`.
fn error_event(
    shown: &crate::conversation::TurnError,
    status: Option<u16>,
    thread: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "title": shown.title,
        "detail": shown.detail,
        "status": status,
        "threadId": thread,
    })
}

/// The thread id kept under `key` in localStorage (`{"threadId": …}`), if any.
fn load_thread(key: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let saved = storage.get_item(key).ok()??;
    let value: serde_json::Value = serde_json::from_str(&saved).ok()?;
    value.get("threadId")?.as_str().map(str::to_owned)
}

fn save_thread(key: &str, id: Option<&str>) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let _ = match id {
        Some(id) => storage.set_item(key, &serde_json::json!({ "threadId": id }).to_string()),
        None => storage.remove_item(key),
    };
}

/// Turns and cards rebuilt from a thread: each user message with the assistant reply after it
/// is one finished turn. The open proposals of the last turn are actionable cards; open ones
/// from earlier turns are stale (the conversation moved on), as they were before the reload.
fn restore(
    thread: &assist_protocol::AssistThread,
    context: Option<Map<String, Value>>,
    next_id: &dyn Fn() -> u64,
) -> (Vec<TurnEntry>, Vec<CardEntry>) {
    let mut entries = Vec::new();
    let mut proposals: Vec<(u64, Vec<assist_protocol::PendingConfirmation>)> = Vec::new();
    let mut messages = thread.messages.iter().peekable();
    while let Some(message) = messages.next() {
        if message.role != "user" {
            continue;
        }
        let Some(reply) = messages.next_if(|m| m.role == "assistant") else {
            continue;
        };
        let id = next_id();
        let turn = Turn::restored(id, message.content.clone(), reply, &thread.thread.id);
        let origin = AssistRequest {
            message: message.content.clone(),
            thread_id: Some(thread.thread.id.clone()),
            context: context.clone(),
            confirmed: None,
        };
        proposals.push((id, reply.pending_confirmations.clone()));
        entries.push(TurnEntry {
            id,
            state: RwSignal::new(turn),
            origin: StoredValue::new(origin),
        });
    }
    // Servers that do not list open proposals: the last turn's are taken as open.
    let open = if thread.pending_confirmations.is_empty() {
        proposals.last().map(|(_, p)| p.clone()).unwrap_or_default()
    } else {
        thread.pending_confirmations.clone()
    };
    let last_turn = entries.last().map(|e| e.id);
    let mut cards = Vec::new();
    for item in open {
        let Some((turn_id, _)) = proposals.iter().rev().find(|(_, p)| p.contains(&item)) else {
            continue;
        };
        let mut card = Card::new(item);
        if Some(*turn_id) != last_turn {
            card.expire("The conversation moved on; ask again to do this.");
        }
        cards.push(CardEntry {
            id: next_id(),
            turn_id: *turn_id,
            card: RwSignal::new(card),
            selected: RwSignal::new(true),
        });
    }
    (entries, cards)
}

/// Requests the empty state suggests: each is one the local simulator's copilot understands
/// (crates/simulator/README.md).
const SUGGESTIONS: &[&str] = &[
    "List my agents",
    "Add an order-lookup skill to Support Bot",
    "Which calls failed yesterday?",
    "Release the number ending 4421",
];

/// What a screen reader hears once a turn ends.
fn announce(turn: &Turn, waiting: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let head = match turn.phase {
        Phase::Done => "Reply ready.".to_owned(),
        Phase::Stopped => "Stopped.".to_owned(),
        Phase::Interrupted => "The reply was interrupted.".to_owned(),
        _ => format!(
            "The request failed: {}.",
            turn.error
                .as_ref()
                .map_or("unknown error", |e| e.title.as_str())
        ),
    };
    let mut out = head;
    if !turn.mutations.is_empty() {
        out.push_str(&format!(
            " {} applied.",
            plural(turn.mutations.len(), "change", "changes")
        ));
    }
    if waiting > 0 {
        out.push_str(&format!(
            " {} waiting.",
            plural(waiting, "approval", "approvals")
        ));
    }
    out
}
