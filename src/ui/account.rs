//! Who is signed in: the account line (name, a viewer's role, Sign out) and, signed out with
//! an identity provider, the Sign in link. The rules are the controller's
//! ([`super::controller::Account`]).

use leptos::prelude::*;

use super::controller::{Account, PanelState};
use crate::transport::Role;

/// "Signed in as Ana Approver · Sign out", under the panel's heading. Hidden on host pages
/// that own sign-in (`showAccount: false`) and while the host holds the session.
#[component]
pub fn AccountLine(state: PanelState) -> impl IntoView {
    let t = state.locale();
    let signed_in = move || match state.account() {
        Account::SignedIn { user, role } => Some((user, role)),
        _ => None,
    };
    view! {
        <Show when=move || state.shows_account() && signed_in().is_some()>
            <p class="copilot-account">
                <span>
                    {t.signed_in_as()}
                    <strong>
                        {move || {
                            signed_in()
                                .and_then(|(user, _)| user)
                                .map(|u| u.display_name().to_owned())
                                .unwrap_or_else(|| t.you())
                        }}
                    </strong>
                    {move || {
                        (state.role() == Role::Viewer)
                            .then(|| view! { <span class="copilot-role">{t.viewer_role()}</span> })
                    }}
                </span>
                <button
                    type="button"
                    class="sign-out"
                    disabled=move || state.busy()
                    on:click=move |_| state.sign_out()
                >
                    {t.sign_out()}
                </button>
            </p>
        </Show>
    }
}

/// Signed out with an identity provider: a link to sign in, which keeps the draft for the
/// way back. Never a redirect by itself.
#[component]
pub fn SignInPrompt(state: PanelState) -> impl IntoView {
    let t = state.locale();
    view! {
        {move || {
            state
                .sign_in_url()
                .map(|url| {
                    view! {
                        <p class="copilot-sign-in" role="status">
                            <span>{t.sign_in_to_use()}</span>
                            <a
                                class="sign-in-link"
                                href=url
                                on:click=move |_| state.keep_draft_for_sign_in()
                            >
                                {t.sign_in()}
                            </a>
                        </p>
                    }
                })
        }}
    }
}
