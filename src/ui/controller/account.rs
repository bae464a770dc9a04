//! Who is signed in: the account the panel shows (name, role, Sign out), the sign-in link
//! when nobody is, and the draft that survives the trip to the identity provider.
//!
//! The panel never navigates by itself to sign in: signed out with an identity provider, it
//! offers a link. Following it keeps the typed draft in sessionStorage (this tab only), and the
//! panel mounted again after the round trip puts it back in the box.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{HostSession, PanelState};
use crate::transport::{self, Role, SessionStatus, SignedIn, TransportError, User};

/// The account as the panel knows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Account {
    /// Not asked yet (or the gateway could not be asked).
    #[default]
    Unknown,
    /// The host holds the session (`csrfToken`): it shows who is signed in.
    Host,
    SignedIn {
        user: Option<User>,
        role: Role,
    },
    /// Nobody is signed in; `login` is where to, when the gateway has an identity provider.
    SignedOut {
        login: Option<String>,
    },
}

/// Where a draft waits for the person's return from signing in.
fn draft_key(storage_key: &str) -> String {
    format!("{storage_key}:draft")
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

impl PanelState {
    /// What the panel knows of the account (tracked).
    pub fn account(&self) -> Account {
        self.account.get()
    }

    /// The signed-in person's role: a viewer may not approve (tracked). Unknown counts as an
    /// approver: the gateway refuses what the role does not allow, and says so.
    pub fn role(&self) -> Role {
        match self.account.get() {
            Account::SignedIn { role, .. } => role,
            _ => Role::Approver,
        }
    }

    /// Whether the panel shows who is signed in and Sign out (not on a host page that owns
    /// sign-in).
    pub fn shows_account(&self) -> bool {
        self.settings.with_value(|s| s.show_account)
    }

    /// Asks the gateway who is signed in, starting nothing; a host's session is the host's.
    pub(super) fn check_account(&self) {
        if self.host_session.with_value(HostSession::token).is_some() {
            self.account.set(Account::Host);
            return;
        }
        let state = *self;
        spawn_local(async move {
            let endpoint = state.settings.with_value(|s| s.endpoint.clone());
            let status = transport::session_status(&endpoint).await;
            if state.account.is_disposed() {
                return;
            }
            match status {
                Ok(SessionStatus::SignedIn(session)) => state.signed_in(&session),
                Ok(SessionStatus::SignedOut { login, .. }) => {
                    state.account.set(Account::SignedOut { login });
                }
                // Said when a message is sent, if it still is so then.
                Err(_) => {}
            }
        });
    }

    /// The page's session, joined or started (development sign-in), noting whose it is.
    pub(super) async fn page_session(
        &self,
        endpoint: &transport::Endpoint,
    ) -> Result<String, TransportError> {
        match transport::session(endpoint).await {
            Ok(session) => {
                self.signed_in(&session);
                Ok(session.csrf_token)
            }
            Err(TransportError::SignInRequired { login }) => {
                self.account.set(Account::SignedOut {
                    login: login.clone(),
                });
                Err(TransportError::SignInRequired { login })
            }
            Err(error) => Err(error),
        }
    }

    /// Why the gateway said the page's session is gone (401), asked of the gateway now, as
    /// the error the turn shows: a session that starts again by itself (development sign-in:
    /// the gateway restarted or the session timed out), a sign-in the person must do, or a
    /// session another tab started in its place. The account shown follows.
    pub(super) async fn why_signed_out(&self, endpoint: &transport::Endpoint) -> TransportError {
        let status = transport::session_status(endpoint).await;
        if self.account.is_disposed() {
            return TransportError::SessionReset;
        }
        match status {
            Ok(SessionStatus::SignedOut {
                dev_sign_in: true, ..
            }) => {
                self.account.set(Account::Unknown);
                TransportError::SessionReset
            }
            Ok(SessionStatus::SignedOut { login, .. }) => {
                self.account.set(Account::SignedOut {
                    login: login.clone(),
                });
                TransportError::SignInRequired { login }
            }
            Ok(SessionStatus::SignedIn(session)) => {
                self.signed_in(&session);
                TransportError::SessionReplaced
            }
            Err(error) => error,
        }
    }

    fn signed_in(&self, session: &SignedIn) {
        self.account.set(Account::SignedIn {
            user: session.user.clone(),
            role: session.role,
        });
    }

    /// The sign-in link: the gateway's `/login`, returning to this page (tracked).
    pub fn sign_in_url(&self) -> Option<String> {
        let Account::SignedOut { login: Some(login) } = self.account.get() else {
            return None;
        };
        let here = web_sys::window()
            .map(|w| {
                let l = w.location();
                format!(
                    "{}{}{}",
                    l.pathname().unwrap_or_default(),
                    l.search().unwrap_or_default(),
                    l.hash().unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "/".to_owned());
        Some(format!(
            "{login}?returnTo={}",
            js_sys::encode_uri_component(&here)
        ))
    }

    /// Keeps the draft for the return from signing in (the person follows the sign-in link).
    pub fn keep_draft_for_sign_in(&self) {
        let draft = self.draft.get_untracked();
        let key = self.settings.with_value(|s| draft_key(&s.storage_key));
        if let Some(storage) = session_storage() {
            let _ = if draft.trim().is_empty() {
                storage.remove_item(&key)
            } else {
                storage.set_item(&key, &draft)
            };
        }
    }

    /// Puts back a draft kept when the person left to sign in (once: it is then forgotten).
    pub(super) fn restore_kept_draft(&self) {
        let key = self.settings.with_value(|s| draft_key(&s.storage_key));
        let Some(storage) = session_storage() else {
            return;
        };
        if let Ok(Some(draft)) = storage.get_item(&key) {
            let _ = storage.remove_item(&key);
            if self.draft.get_untracked().is_empty() {
                self.draft.set(draft);
            }
        }
    }

    /// Signs out (here and at the identity provider) and goes where the gateway says.
    pub fn sign_out(&self) {
        if self.busy.get_untracked() {
            return;
        }
        let state = *self;
        spawn_local(async move {
            let endpoint = state.settings.with_value(|s| s.endpoint.clone());
            // Only a session that exists is ended: asking starts none.
            let Ok(SessionStatus::SignedIn(session)) = transport::session_status(&endpoint).await
            else {
                state.check_account();
                return;
            };
            match transport::sign_out(&endpoint, &session.csrf_token).await {
                Ok(next) => {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().assign(&next);
                    }
                }
                // The session was already gone: show the account as it is now.
                Err(_) => state.check_account(),
            }
        });
    }
}
