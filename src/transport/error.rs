//! Everything that can end a request other than a clean `done`, and what the person sees of it.

use std::time::Duration;

use assist_protocol::{ProblemDetails, sse};
use thiserror::Error;

use crate::conversation::{Ending, Failure, TurnError};
use crate::i18n::Locale;

/// Everything that can end a request other than a clean `done`.
#[derive(Debug, Error)]
pub enum TransportError {
    /// fetch rejected or the body could not be read: the gateway did not answer (it is down or
    /// restarting, or something between the browser and it failed).
    #[error("network error: {0}")]
    Network(String),
    /// The browser says it has no network at all.
    #[error("offline")]
    Offline,
    /// The gateway says the session is gone (401).
    #[error("session expired")]
    SessionExpired(ProblemDetails),
    /// The page's session is gone and the gateway starts a new one by itself (development
    /// sign-in): it restarted, or the session timed out. Nothing reached the copilot.
    #[error("session reset")]
    SessionReset,
    /// The page's session was replaced (another tab signed in again): its token is refused.
    #[error("session replaced")]
    SessionReplaced,
    /// Nobody is signed in, and only the person can sign in: at `login` (the identity
    /// provider's sign-in through the gateway), when the gateway has one.
    #[error("sign-in required")]
    SignInRequired { login: Option<String> },
    /// Too many requests (429), with `Retry-After` when the server sent it.
    #[error("rate limited")]
    RateLimited {
        problem: ProblemDetails,
        retry_after: Option<String>,
    },
    /// Any other HTTP error, with its problem details (or envelope errors).
    #[error("HTTP {status}")]
    Http {
        status: u16,
        problem: ProblemDetails,
    },
    /// A frame whose data is not the JSON its event needs.
    #[error(transparent)]
    BadFrame(#[from] assist_protocol::WireError),
    /// A frame over the decoder's size limit.
    #[error(transparent)]
    FrameTooLarge(#[from] sse::FrameTooLarge),
    /// The body ended without `done` or `error`.
    #[error("the stream ended before the copilot finished")]
    Interrupted,
    /// Reading the body failed after the stream began (the connection broke mid-reply): the
    /// copilot had the request, and may have acted on it.
    #[error("the stream broke: {0}")]
    Broken(String),
    /// No bytes arrived for this long (keep-alive comments count).
    #[error("no data for {0:?}")]
    IdleTimeout(Duration),
    /// The person stopped the request (AbortController).
    #[error("stopped")]
    Aborted,
}

impl TransportError {
    /// Whether the server saw and accepted the request before this happened (the stream had
    /// started). Before that point the person's message can safely go back into the textbox.
    pub fn before_acceptance(&self) -> bool {
        // The gateway sent the request upstream and its answer never came (a timeout) or
        // broke before any stream: the copilot may be acting on it.
        if let Self::Http { problem, .. } = self
            && matches!(
                problem.code.as_deref(),
                Some("upstream_timeout" | "upstream_failed")
            )
        {
            return false;
        }
        matches!(
            self,
            Self::Network(_)
                | Self::Offline
                | Self::SessionExpired(_)
                | Self::SessionReset
                | Self::SessionReplaced
                | Self::SignInRequired { .. }
                | Self::RateLimited { .. }
                | Self::Http { .. }
        )
    }

    /// Whether the gateway refused the request for its session: expired, or a CSRF token
    /// that is not the session's (another tab started a new one). Nothing reached the copilot.
    pub fn is_session_problem(&self) -> bool {
        match self {
            Self::SessionExpired(_) | Self::SessionReset | Self::SessionReplaced => true,
            Self::Http {
                status: 403,
                problem,
            } => problem.code.as_deref() == Some("csrf_token_invalid"),
            _ => false,
        }
    }

    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::SessionExpired(_) | Self::SessionReset | Self::SignInRequired { .. } => Some(401),
            Self::SessionReplaced => Some(403),
            Self::RateLimited { .. } => Some(429),
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What the person sees, in `t`.
    pub fn to_turn_error(&self, t: Locale) -> TurnError {
        let said = |title: String, detail: String| TurnError::new(title, Some(detail));
        match self {
            // What the browser said (`TypeError: Failed to fetch`) helps nobody reading the
            // panel: it names neither what failed nor what to do.
            Self::Network(_) => said(t.gateway_down(), t.gateway_down_detail()),
            Self::Offline => said(t.offline(), t.offline_detail()),
            Self::SessionReset => said(t.session_reset(), t.session_reset_detail()),
            Self::SessionExpired(_) => said(t.session_expired(), t.session_expired_detail()),
            Self::SignInRequired { .. } => said(t.sign_in_required(), t.sign_in_required_detail()),
            Self::RateLimited {
                problem,
                retry_after,
            } => {
                let mut error = TurnError::from_problem(problem, t);
                error.title = t.too_many_requests();
                if let Some(after) = retry_after {
                    error.detail = Some(t.try_again_in(after));
                }
                error
            }
            Self::SessionReplaced => session_changed(t),
            Self::Http { .. } if self.is_session_problem() => session_changed(t),
            Self::Http { problem, .. } => TurnError::from_problem(problem, t),
            Self::BadFrame(e) => said(
                t.unreadable_reply(),
                t.unreadable_reply_detail(&e.to_string()),
            ),
            Self::FrameTooLarge(e) => said(
                t.unreadable_reply(),
                t.unreadable_reply_detail(&e.to_string()),
            ),
            Self::Interrupted | Self::Broken(_) => crate::conversation::broke_off(t),
            Self::IdleTimeout(idle) => said(
                t.stopped_responding(),
                t.stopped_responding_detail(idle.as_secs()),
            ),
            Self::Aborted => TurnError::new(t.stopped(), None),
        }
    }
}

/// The page's session was replaced (another tab signed in again): nothing reached the copilot.
fn session_changed(t: Locale) -> TurnError {
    TurnError::new(t.session_changed(), Some(t.session_changed_detail()))
}

impl Ending {
    /// How a turn's request ended, for the end-of-turn rules (`conversation::ending`), what
    /// the person reads of a failure in `t`.
    pub fn of(outcome: Result<(), TransportError>, t: Locale) -> Self {
        match outcome {
            Ok(()) => Self::Delivered,
            Err(TransportError::Aborted) => Self::Stopped,
            // After the stream began, a broken connection is an interruption like a body that
            // ended early: the copilot had the request. Never "could not reach".
            Err(TransportError::Interrupted | TransportError::Broken(_)) => Self::Interrupted,
            Err(error) => Self::Failed(Box::new(Failure {
                error: error.to_turn_error(t),
                status: error.status(),
                before_acceptance: error.before_acceptance(),
                problem: match error {
                    TransportError::SessionExpired(problem)
                    | TransportError::RateLimited { problem, .. }
                    | TransportError::Http { problem, .. } => Some(problem),
                    _ => None,
                },
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_a_request_ended_is_what_the_turn_rules_need() {
        assert_eq!(Ending::of(Ok(()), Locale::En), Ending::Delivered);
        assert_eq!(
            Ending::of(Err(TransportError::Aborted), Locale::En),
            Ending::Stopped
        );
        assert_eq!(
            Ending::of(Err(TransportError::Interrupted), Locale::En),
            Ending::Interrupted
        );
        let problem = ProblemDetails::new(409, "Stale confirmation", "Already carried out.");
        let Ending::Failed(refused) = Ending::of(
            Err(TransportError::Http {
                status: 409,
                problem: problem.clone(),
            }),
            Locale::En,
        ) else {
            panic!("a 409 is a failure");
        };
        assert_eq!(refused.status, Some(409));
        assert_eq!(refused.problem, Some(problem));
        assert!(refused.before_acceptance, "nothing reached the copilot");
        assert_eq!(refused.error.title, "Stale confirmation");
        let Ending::Failed(idle) = Ending::of(
            Err(TransportError::IdleTimeout(Duration::from_secs(45))),
            Locale::En,
        ) else {
            panic!("an idle stream is a failure");
        };
        assert_eq!((idle.status, idle.before_acceptance), (None, false));
        assert_eq!(idle.error.title, "The copilot stopped responding");
    }

    #[test]
    fn never_reached_and_broke_after_it_started_are_told_apart() {
        // Before the answer's headers: nothing was done, the message goes back.
        for before in [
            TransportError::Network("TypeError: Failed to fetch".into()),
            TransportError::Http {
                status: 503,
                problem: ProblemDetails::new(503, "Unavailable", "down"),
            },
        ] {
            assert!(before.before_acceptance(), "{before}");
            assert!(Ending::of(Err(before), Locale::En).gives_message_back());
        }
        // Sent upstream by the gateway, no answer: it may be acting, so nothing goes back.
        for code in ["upstream_timeout", "upstream_failed"] {
            let sent = TransportError::Http {
                status: 504,
                problem: ProblemDetails::new(504, "Gateway timeout", "x").with_code(code),
            };
            assert!(!sent.before_acceptance(), "{code}");
            assert!(
                !Ending::of(Err(sent), Locale::En).gives_message_back(),
                "{code}"
            );
        }
        // After the stream began: interrupted, the message stays sent.
        let broken = TransportError::Broken("network error".into());
        assert!(!broken.before_acceptance());
        let ending = Ending::of(Err(broken), Locale::En);
        assert_eq!(ending, Ending::Interrupted);
        assert!(!ending.gives_message_back());
        assert!(!Ending::of(Err(TransportError::Interrupted), Locale::En).gives_message_back());
        let cut = TransportError::Broken("x".into()).to_turn_error(Locale::En);
        assert!(
            cut.detail
                .unwrap()
                .contains("may have carried out part of it")
        );
    }

    #[test]
    fn a_down_gateway_and_a_restarted_one_read_as_what_they_are() {
        let down =
            TransportError::Network("TypeError: Failed to fetch".into()).to_turn_error(Locale::En);
        assert_eq!(down.title, "The copilot's gateway is not answering");
        let detail = down.detail.unwrap();
        assert!(
            !detail.contains("TypeError") && !detail.contains("connection"),
            "no raw exception, and not blamed on the person's connection: {detail}"
        );
        assert_eq!(
            TransportError::Offline.to_turn_error(Locale::En).title,
            "You are offline"
        );
        let reset = TransportError::SessionReset;
        assert!(reset.before_acceptance() && reset.is_session_problem());
        assert_eq!(reset.status(), Some(401));
        let said = reset.to_turn_error(Locale::En);
        assert_eq!(said.title, "The copilot's session ended");
        assert!(
            !format!("{said:?}").to_lowercase().contains("sign in"),
            "nothing to sign in to: {said:?}"
        );
        assert_eq!(
            TransportError::SessionReplaced
                .to_turn_error(Locale::En)
                .title,
            "Your session changed"
        );
    }

    #[test]
    fn refusals_by_role_and_sign_in_read_as_plain_sentences() {
        let refused = |code: &str| TransportError::Http {
            status: 403,
            problem: ProblemDetails::new(403, "Forbidden", "x").with_code(code),
        };
        let viewer = refused("approval_not_allowed").to_turn_error(Locale::En);
        assert_eq!(viewer.title, "Only an approver can approve this");
        assert!(viewer.detail.unwrap().contains("approver role"));
        let stranger = refused("not_authorized").to_turn_error(Locale::En);
        assert_eq!(stranger.title, "You don't have access to the copilot");
        let signed_out = TransportError::SignInRequired {
            login: Some("/login".into()),
        };
        assert!(signed_out.before_acceptance(), "nothing was sent");
        assert_eq!(signed_out.status(), Some(401));
        assert_eq!(
            signed_out.to_turn_error(Locale::En).title,
            "Sign in to use the copilot"
        );
    }
}
