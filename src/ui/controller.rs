//! The panel's controller: the conversation's signals and the actions the views call
//! ([`PanelState::send`], [`ask`](PanelState::ask), [`stop`](PanelState::stop),
//! [`retry`](PanelState::retry), [`approve`](PanelState::approve),
//! [`reject`](PanelState::reject), [`new_conversation`](PanelState::new_conversation),
//! [`open_recent`](PanelState::open_recent), [`resume`](PanelState::resume)).
//!
//! The rules live in the pure modules — what an event does to a turn
//! ([`crate::conversation`]), what a turn and its approvals become when its request ends
//! ([`crate::conversation::ending`], [`crate::approval`]), what a saved thread restores, the
//! message limit — and this wires them to signals, the transport, localStorage, focus and the
//! host page.
//!
//! - [`approving`]: Approve and Reject, and the rejections kept across reloads.
//! - [`sending`]: Send, Stop, Retry: a turn's request from its start to its end.
//! - [`checking`]: what the server recorded of a turn (or an approval) that did not finish.
//! - [`resume`]: the thread across reloads, and the recent conversations.
//! - [`account`]: who is signed in. [`focus`]: where focus goes when an action settles.

mod account;
mod approving;
mod checking;
mod focus;
mod resume;
mod sending;

pub use account::Account;

use std::cell::RefCell;
use std::rc::Rc;

use assist_protocol::AppliedMutation;
use leptos::prelude::*;
use serde_json::{Map, Value};
use web_sys::AbortController;

use super::approval::LiveCard;
use super::follow::Follow;
use super::host::HostEvents;
use super::turn::LiveTurn;
use crate::approval::decisions::Decisions;
use crate::conversation::recent::Recent;
use crate::i18n::Locale;
use crate::transport::Endpoint;

/// The CSRF token of a session the host holds, shared with the host's mount handle so it can
/// hand the panel a renewed one (`setCsrfToken`). `None`: the panel uses the page's gateway
/// session.
#[derive(Clone, Default)]
pub struct HostSession(Rc<RefCell<Option<String>>>);

impl HostSession {
    pub fn new(token: Option<String>) -> Self {
        Self(Rc::new(RefCell::new(token)))
    }

    pub fn token(&self) -> Option<String> {
        self.0.borrow().clone()
    }

    pub fn set(&self, token: String) {
        *self.0.borrow_mut() = Some(token);
    }
}

/// What the panel talks to and keeps, fixed for its life.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Page context from the host, sent with every request.
    pub context: Option<Map<String, Value>>,
    /// Where the thread id is kept (localStorage), so a reload resumes it.
    pub storage_key: String,
    /// Show who is signed in and Sign out (a host page that owns sign-in hides it).
    pub show_account: bool,
    /// Focus the message box once the panel is mounted (the dev page; hosts opt in).
    pub autofocus: bool,
    /// The panel's language: every word it shows, announces or names things with.
    pub locale: Locale,
}

/// The panel's state and actions: a `Copy` handle of signals the views read, with methods they
/// call. Made once per panel, under the panel's owner.
#[derive(Clone, Copy)]
pub struct PanelState {
    turns: RwSignal<Vec<LiveTurn>>,
    cards: RwSignal<Vec<LiveCard>>,
    /// Every change of the conversation, in order: recomputed when a turn's mutations change,
    /// not on every delta.
    mutations: Memo<Vec<AppliedMutation>>,
    /// The changes the server recorded that no stream showed (a subset of `mutations`).
    recorded: Memo<Vec<AppliedMutation>>,
    /// A request is out (sending, streaming, or restoring a thread).
    busy: RwSignal<bool>,
    /// Who is signed in, as far as the panel knows.
    account: RwSignal<Account>,
    draft: RwSignal<String>,
    thread_id: RwSignal<Option<String>>,
    /// One polite announcement when a turn ends ("Reply ready. 2 changes applied. …").
    announcement: RwSignal<String>,
    /// Why the saved conversation could not be restored, when it could not.
    restore_note: RwSignal<Option<String>>,
    /// The conversation's title, once the thread endpoint gave it (restored or reopened).
    title: RwSignal<Option<String>>,
    /// The conversations left with "New conversation", newest first (kept in localStorage).
    recent: RwSignal<Recent>,
    /// The rejections of every thread, as kept in localStorage.
    decisions: StoredValue<Decisions>,
    /// This panel's number on the page: element ids are made unique with it.
    uid: u32,
    message_box: NodeRef<leptos::html::Textarea>,
    follow: Follow,
    host: HostEvents,
    settings: StoredValue<Settings>,
    host_session: StoredValue<HostSession, LocalStorage>,
    request: StoredValue<Option<AbortController>, LocalStorage>,
    /// When the Send button started the turn in flight (`Date.now()`; `-∞` for a turn started
    /// otherwise, `+∞` while a press is being handled): Stop takes Send's place, and the
    /// second click of a double click on Send must not land on it.
    send_pressed_at: StoredValue<f64>,
    next_id: StoredValue<u64>,
    /// Signals made later (a turn, its cards) belong to the panel, not to whatever view was
    /// active when they were made: an Approve button's scope is gone once its card leaves
    /// Pending. Held weakly: the owner keeps this value, and a strong copy in it would keep the
    /// owner (and everything the panel made) alive after unmount.
    owner: StoredValue<WeakOwner, LocalStorage>,
}

impl PanelState {
    /// The state of a new panel; call under the panel's owner.
    pub fn new(settings: Settings, host_session: HostSession) -> Self {
        let turns = RwSignal::new(Vec::<LiveTurn>::new());
        let state = Self {
            turns,
            cards: RwSignal::new(Vec::new()),
            mutations: Memo::new(move |_| {
                turns.with(|list| {
                    list.iter()
                        .flat_map(|t| t.with_mutations(<[AppliedMutation]>::to_vec))
                        .collect()
                })
            }),
            recorded: Memo::new(move |_| {
                turns.with(|list| {
                    list.iter()
                        .flat_map(|t| t.with_recorded(<[AppliedMutation]>::to_vec))
                        .collect()
                })
            }),
            busy: RwSignal::new(false),
            account: RwSignal::new(Account::Unknown),
            draft: RwSignal::new(String::new()),
            thread_id: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            restore_note: RwSignal::new(None),
            title: RwSignal::new(None),
            recent: RwSignal::new(Recent::default()),
            decisions: StoredValue::new(Decisions::default()),
            uid: next_uid(),
            message_box: NodeRef::new(),
            follow: Follow::new(),
            host: HostEvents::new(),
            settings: StoredValue::new(settings),
            host_session: StoredValue::new_local(host_session),
            request: StoredValue::new_local(None),
            send_pressed_at: StoredValue::new(f64::NEG_INFINITY),
            next_id: StoredValue::new(0),
            owner: StoredValue::new_local(
                Owner::current()
                    .expect("the panel renders under an owner")
                    .downgrade(),
            ),
        };
        // Leaving the page (or unmounting) cancels a stream in flight.
        on_cleanup(move || state.stop());
        state.restore_kept_draft();
        state.load_kept();
        state.check_account();
        state
    }

    // What the views read (tracked unless named otherwise).

    /// The panel's language (fixed for its life).
    pub fn locale(&self) -> Locale {
        self.settings.with_value(|s| s.locale)
    }

    pub fn turns(&self) -> Vec<LiveTurn> {
        self.turns.get()
    }

    pub fn has_turns(&self) -> bool {
        self.turns.with(|t| !t.is_empty())
    }

    pub fn cards(&self) -> ReadSignal<Vec<LiveCard>> {
        self.cards.read_only()
    }

    pub fn mutations(&self) -> Signal<Vec<AppliedMutation>> {
        self.mutations.into()
    }

    pub fn recorded(&self) -> Signal<Vec<AppliedMutation>> {
        self.recorded.into()
    }

    pub fn busy(&self) -> bool {
        self.busy.get()
    }

    pub fn busy_untracked(&self) -> bool {
        self.busy.get_untracked()
    }

    pub fn draft(&self) -> String {
        self.draft.get()
    }

    pub fn announcement(&self) -> String {
        self.announcement.get()
    }

    pub fn restore_note(&self) -> Option<String> {
        self.restore_note.get()
    }

    pub fn message_box(&self) -> NodeRef<leptos::html::Textarea> {
        self.message_box
    }

    pub fn follow(&self) -> Follow {
        self.follow
    }

    pub fn host(&self) -> HostEvents {
        self.host
    }

    /// `what` made unique among the page's panels, for an element id.
    pub fn element_id(&self, what: &str) -> String {
        format!("copilot-{}-{what}", self.uid)
    }

    /// The cards the turn `turn_id` proposed, in order (tracked).
    pub fn cards_of(&self, turn_id: u64) -> Vec<LiveCard> {
        self.cards.with(|list| {
            list.iter()
                .filter(|c| c.turn_id == turn_id)
                .copied()
                .collect()
        })
    }

    /// How many cards wait for the person (tracked: the list and each card's state).
    pub fn pending_count(&self) -> usize {
        self.cards.with(|list| {
            list.iter()
                .filter(|c| {
                    c.card
                        .with(|c| c.state == crate::approval::CardState::Pending)
                })
                .count()
        })
    }

    /// Whether the panel focuses the message box once mounted.
    pub fn autofocus(&self) -> bool {
        self.settings.with_value(|s| s.autofocus)
    }

    // What the views call.

    pub fn set_draft(&self, text: String) {
        self.draft.set(text);
    }

    /// Starts a new conversation: the one on screen goes to the recent conversations (if the
    /// server knows it), and the next message starts a new thread.
    pub fn new_conversation(&self) {
        if self.busy.get_untracked() {
            return;
        }
        self.keep_current_as_recent();
        self.clear_conversation();
        self.settings
            .with_value(|s| resume::save_thread(&s.storage_key, None));
        self.focus_composer();
    }

    /// Empties the panel of the conversation on screen.
    fn clear_conversation(&self) {
        self.turns.set(Vec::new());
        self.cards.set(Vec::new());
        self.restore_note.set(None);
        self.title.set(None);
        self.thread_id.set(None);
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Runs `f` under the panel's owner, so what it makes lives as long as the panel.
    fn under_panel<T>(&self, f: impl FnOnce() -> T) -> T {
        self.owner
            .with_value(|o| o.upgrade().expect("the panel is mounted").with(f))
    }
}

impl PanelState {
    /// The turn `id` of the conversation on screen (not tracked).
    fn turn(&self, id: u64) -> Option<LiveTurn> {
        self.turns
            .with_untracked(|list| list.iter().find(|t| t.id == id).copied())
    }
}

/// A number for each panel made on the page.
fn next_uid() -> u32 {
    thread_local! {
        static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        let uid = n.get();
        n.set(uid + 1);
        uid
    })
}
