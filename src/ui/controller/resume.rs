//! The conversation survives a reload, and "New conversation" loses nothing: the thread id is
//! kept in localStorage under the panel's storage key, and on mount the thread is read back
//! and rebuilt ([`crate::conversation::restore`]); the conversations left with New
//! conversation are kept under `{storageKey}:recent` ([`crate::conversation::recent`]) and
//! reopened from the thread endpoint.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::PanelState;
use crate::conversation::recent::{Recent, RecentConversation};
use crate::conversation::restore::{restore, restore_failed};
use crate::transport::{self, TransportError};
use crate::ui::approval::LiveCard;
use crate::ui::turn::LiveTurn;

/// Why a conversation is being read from the server.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// The page was loaded again: the saved thread.
    Resume,
    /// The person chose it from the recent conversations.
    Reopen,
}

/// Where a panel keeps its recent conversations.
fn recent_key(storage_key: &str) -> String {
    format!("{storage_key}:recent")
}

fn now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

impl PanelState {
    /// Keeps the thread under the storage key from now on, and restores the saved one, if
    /// any. Call once, when the panel is made.
    ///
    /// Saves each thread the conversation gets; removing is explicit (New conversation, or a
    /// thread the server no longer has), so a restore that fails keeps the id for next time.
    /// The host hears of every change (`null` when a new conversation starts).
    pub fn resume(self) {
        Effect::new(move |previous: Option<Option<String>>| {
            let current = self.thread_id.get();
            if let Some(id) = &current {
                self.settings
                    .with_value(|s| save_thread(&s.storage_key, Some(id)));
            }
            if previous.is_some_and(|p| p != current) {
                self.host.thread_changed(current.as_deref());
            }
            current
        });
        if let Some(saved) = self.settings.with_value(|s| load_thread(&s.storage_key)) {
            self.open_thread(saved, Opening::Resume);
        }
    }

    /// Reads what this panel kept in localStorage: its rejections and its recent
    /// conversations.
    pub(super) fn load_kept(&self) {
        self.load_decisions();
        let key = self.settings.with_value(|s| recent_key(&s.storage_key));
        if let Some(json) = stored(&key) {
            self.recent.set(Recent::parse(&json));
        }
    }

    /// The conversations to go back to, newest first (tracked).
    pub fn recent(&self) -> Vec<RecentConversation> {
        self.recent.with(|r| r.conversations.clone())
    }

    /// Opens a recent conversation: the one on screen becomes recent in its place, and the
    /// chosen one is read again from the server.
    pub fn open_recent(&self, thread_id: &str) {
        if self.busy.get_untracked() || self.thread_id.get_untracked().as_deref() == Some(thread_id)
        {
            return;
        }
        let Some(chosen) = self.recent.with_untracked(|r| {
            r.conversations
                .iter()
                .find(|c| c.thread_id == thread_id)
                .cloned()
        }) else {
            return;
        };
        self.keep_current_as_recent();
        self.update_recent(|r| r.forget(thread_id));
        self.clear_conversation();
        // Set at once: a reload while it loads opens it again, and the host hears one change.
        self.thread_id.set(Some(chosen.thread_id.clone()));
        self.title.set(Some(chosen.title.clone()));
        self.open_thread(chosen.thread_id, Opening::Reopen);
    }

    /// Puts the conversation on screen in the recent list, titled by the thread endpoint (read
    /// now if the panel does not know it yet; its first message until then).
    pub(super) fn keep_current_as_recent(&self) {
        let Some(id) = self.thread_id.get_untracked() else {
            return;
        };
        let known = self.title.get_untracked();
        let first_message = self.turns.with_untracked(|list| {
            list.iter()
                .find(|t| !t.is_approval())
                .map(|t| t.with_untracked(|t| t.message.clone()))
        });
        let title = known.clone().or(first_message).unwrap_or_default();
        self.update_recent(|r| r.remember(RecentConversation::new(&id, &title, Some(now()))));
        if known.is_some() {
            return;
        }
        let state = *self;
        spawn_local(async move {
            let endpoint = state.settings.with_value(|s| s.endpoint.clone());
            let Ok(thread) = transport::get_thread(&endpoint, &id).await else {
                return;
            };
            if let (Some(title), false) = (thread.title(), state.recent.is_disposed()) {
                state.update_recent(|r| r.retitle(&id, title));
            }
        });
    }

    /// Changes the recent list and keeps it.
    fn update_recent(&self, change: impl FnOnce(&mut Recent)) {
        self.recent.update(change);
        let json = self.recent.with_untracked(Recent::to_json);
        self.settings
            .with_value(|s| store(&recent_key(&s.storage_key), Some(&json)));
    }

    /// Reads the thread `id` and shows it as the conversation.
    fn open_thread(self, id: String, opening: Opening) {
        self.busy.set(true);
        spawn_local(async move {
            let endpoint = self.settings.with_value(|s| s.endpoint.clone());
            let has_host_token = self.host_session.with_value(|h| h.token().is_some());
            let fetched = async {
                // Reading a thread needs the session cookie (no token): join or start one.
                if !has_host_token {
                    transport::session_token(&endpoint).await?;
                }
                transport::get_thread(&endpoint, &id).await
            }
            .await;
            if self.busy.is_disposed() {
                return;
            }
            match fetched {
                Ok(saved) => {
                    let context = self.settings.with_value(|s| s.context.clone());
                    let (turns, cards) = self.decisions.with_value(|decisions| {
                        restore(
                            &saved,
                            context.as_ref(),
                            decisions,
                            self.locale(),
                            &mut || self.next_id(),
                        )
                    });
                    let (turns, cards) = self.under_panel(|| {
                        let turns: Vec<LiveTurn> = turns
                            .into_iter()
                            .map(|t| LiveTurn::new(t.turn, t.origin))
                            .collect();
                        let cards: Vec<LiveCard> = cards
                            .into_iter()
                            .map(|c| LiveCard::new(self.next_id(), c.turn_id, c.card))
                            .collect();
                        (turns, cards)
                    });
                    self.turns.set(turns);
                    self.cards.set(cards);
                    if let Some(title) = saved.title() {
                        self.title.set(Some(title.to_owned()));
                    }
                    self.thread_id.set(Some(saved.thread.thread.id));
                }
                Err(TransportError::Http { status: 404, .. }) => {
                    // The thread is gone (a fresh simulator, another account): start fresh.
                    self.settings
                        .with_value(|s| save_thread(&s.storage_key, None));
                    self.thread_id.set(None);
                    self.title.set(None);
                    if opening == Opening::Reopen {
                        self.restore_note.set(Some(self.locale().thread_gone()));
                    }
                }
                Err(error) => {
                    let t = self.locale();
                    let shown = error.to_turn_error(t);
                    self.host
                        .error(&restore_failed(&shown, error.status(), &id, t));
                    self.restore_note
                        .set(Some(t.restore_failed_note(&shown.title)));
                }
            }
            self.busy.set(false);
        });
    }
}

/// The thread id kept under `key` in localStorage (`{"threadId": …}`), if any.
fn load_thread(key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(&stored(key)?).ok()?;
    value.get("threadId")?.as_str().map(str::to_owned)
}

/// Keeps `id` under `key` (`None`: forgets it).
pub(super) fn save_thread(key: &str, id: Option<&str>) {
    let json = id.map(|id| serde_json::json!({ "threadId": id }).to_string());
    store(key, json.as_deref());
}

/// What localStorage keeps under `key`.
pub(super) fn stored(key: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(key).ok()?
}

/// Keeps `value` under `key` in localStorage (`None`: removes it). A full or refused storage
/// keeps nothing, and the panel goes on without it.
pub(super) fn store(key: &str, value: Option<&str>) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let _ = match value {
        Some(value) => storage.set_item(key, value),
        None => storage.remove_item(key),
    };
}
