//! The conversation survives a reload: its thread id is kept in localStorage under the panel's
//! storage key, and on mount the thread is read back and rebuilt
//! ([`crate::conversation::restore`]).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::PanelState;
use crate::conversation::restore::{restore, restore_failed};
use crate::transport::{self, TransportError};
use crate::ui::approval::LiveCard;
use crate::ui::turn::LiveTurn;

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
        let Some(saved) = self.settings.with_value(|s| load_thread(&s.storage_key)) else {
            return;
        };
        self.busy.set(true);
        spawn_local(async move {
            let endpoint = self.settings.with_value(|s| s.endpoint.clone());
            let has_host_token = self.host_session.with_value(|h| h.token().is_some());
            let fetched = async {
                // Reading a thread needs the session cookie (no token): join or start one.
                if !has_host_token {
                    transport::session_token(&endpoint).await?;
                }
                transport::get_thread(&endpoint, &saved).await
            }
            .await;
            if self.busy.is_disposed() {
                return;
            }
            match fetched {
                Ok(thread) => {
                    let context = self.settings.with_value(|s| s.context.clone());
                    let (turns, cards) = restore(&thread, context.as_ref(), &mut || self.next_id());
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
                    self.thread_id.set(Some(thread.thread.id));
                }
                Err(TransportError::Http { status: 404, .. }) => {
                    // The thread is gone (a fresh simulator, another account): start fresh.
                    self.settings
                        .with_value(|s| save_thread(&s.storage_key, None));
                }
                Err(error) => {
                    let shown = error.to_turn_error();
                    self.host
                        .error(&restore_failed(&shown, error.status(), &saved));
                    self.restore_note.set(Some(format!(
                        "Could not restore the last conversation: {}",
                        shown.title
                    )));
                }
            }
            self.busy.set(false);
        });
    }
}

/// The thread id kept under `key` in localStorage (`{"threadId": …}`), if any.
fn load_thread(key: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let saved = storage.get_item(key).ok()??;
    let value: serde_json::Value = serde_json::from_str(&saved).ok()?;
    value.get("threadId")?.as_str().map(str::to_owned)
}

/// Keeps `id` under `key` (`None`: forgets it).
pub(super) fn save_thread(key: &str, id: Option<&str>) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let _ = match id {
        Some(id) => storage.set_item(key, &serde_json::json!({ "threadId": id }).to_string()),
        None => storage.remove_item(key),
    };
}
