//! Everything that can end a request other than a clean `done`, and what the person sees of it.

use std::time::Duration;

use assist_protocol::{ProblemDetails, sse};
use thiserror::Error;

use crate::conversation::{Ending, Failure, TurnError};

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

    /// What the person sees.
    pub fn to_turn_error(&self) -> TurnError {
        match self {
            // What the browser said (`TypeError: Failed to fetch`) helps nobody reading the
            // panel: it names neither what failed nor what to do.
            Self::Network(_) => TurnError::new(
                "The copilot's gateway is not answering",
                Some(
                    "It may be down or restarting. Send your message again in a moment; if \
                     this keeps happening, tell whoever runs the copilot's gateway."
                        .to_owned(),
                ),
            ),
            Self::Offline => TurnError::new(
                "You are offline",
                Some("Connect to the internet, then send your message again.".to_owned()),
            ),
            Self::SessionReset => TurnError::new(
                "The copilot's session ended",
                Some(
                    "The gateway restarted or the session timed out, so nothing was sent. Send \
                     your message again: a new session starts by itself."
                        .to_owned(),
                ),
            ),
            Self::SessionExpired(_) => TurnError::new(
                "Your session has expired",
                Some("Sign in again, then send your message again.".to_owned()),
            ),
            Self::SignInRequired { .. } => TurnError::new(
                "Sign in to use the copilot",
                Some("Nothing was sent. Sign in, then send your message.".to_owned()),
            ),
            Self::RateLimited {
                problem,
                retry_after,
            } => {
                let mut error = TurnError::from_problem(problem);
                error.title = "Too many requests".to_owned();
                if let Some(after) = retry_after {
                    error.detail = Some(format!("Try again in {after} seconds."));
                }
                error
            }
            Self::SessionReplaced => session_changed(),
            Self::Http { .. } if self.is_session_problem() => session_changed(),
            Self::Http { problem, .. } => match problem.code.as_deref() {
                Some("approval_not_allowed") => TurnError::new(
                    "Only an approver can approve this",
                    Some(
                        "Your role lets you ask the copilot and read its answers. Ask someone \
                         with the approver role to approve it. Nothing was carried out."
                            .to_owned(),
                    ),
                ),
                Some("not_authorized") => TurnError::new(
                    "You don't have access to the copilot",
                    Some(
                        "Ask your account's administrator to give you access. Nothing was sent."
                            .to_owned(),
                    ),
                ),
                _ => TurnError::from_problem(problem),
            },
            Self::BadFrame(e) => TurnError::new(
                "The copilot sent a reply the panel cannot read",
                Some(e.to_string()),
            ),
            Self::FrameTooLarge(e) => TurnError::new(
                "The copilot sent a reply the panel cannot read",
                Some(e.to_string()),
            ),
            Self::Interrupted | Self::Broken(_) => crate::conversation::broke_off(),
            Self::IdleTimeout(idle) => TurnError::new(
                "The copilot stopped responding",
                Some(format!(
                    "Nothing arrived for {} seconds. What arrived is kept; nothing was sent again.",
                    idle.as_secs()
                )),
            ),
            Self::Aborted => TurnError::new("Stopped", None),
        }
    }
}

/// The page's session was replaced (another tab signed in again): nothing reached the copilot.
fn session_changed() -> TurnError {
    TurnError::new(
        "Your session changed",
        Some(
            "It was replaced, perhaps by signing in again in another tab. Nothing was sent to \
             the copilot: send your message again."
                .to_owned(),
        ),
    )
}

impl From<Result<(), TransportError>> for Ending {
    /// How a turn's request ended, for the end-of-turn rules (`conversation::ending`).
    fn from(outcome: Result<(), TransportError>) -> Self {
        match outcome {
            Ok(()) => Self::Delivered,
            Err(TransportError::Aborted) => Self::Stopped,
            // After the stream began, a broken connection is an interruption like a body that
            // ended early: the copilot had the request. Never "could not reach".
            Err(TransportError::Interrupted | TransportError::Broken(_)) => Self::Interrupted,
            Err(error) => Self::Failed(Box::new(Failure {
                error: error.to_turn_error(),
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
        assert_eq!(Ending::from(Ok(())), Ending::Delivered);
        assert_eq!(Ending::from(Err(TransportError::Aborted)), Ending::Stopped);
        assert_eq!(
            Ending::from(Err(TransportError::Interrupted)),
            Ending::Interrupted
        );
        let problem = ProblemDetails::new(409, "Stale confirmation", "Already carried out.");
        let Ending::Failed(refused) = Ending::from(Err(TransportError::Http {
            status: 409,
            problem: problem.clone(),
        })) else {
            panic!("a 409 is a failure");
        };
        assert_eq!(refused.status, Some(409));
        assert_eq!(refused.problem, Some(problem));
        assert!(refused.before_acceptance, "nothing reached the copilot");
        assert_eq!(refused.error.title, "Stale confirmation");
        let Ending::Failed(idle) =
            Ending::from(Err(TransportError::IdleTimeout(Duration::from_secs(45))))
        else {
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
            assert!(Ending::from(Err(before)).gives_message_back());
        }
        // Sent upstream by the gateway, no answer: it may be acting, so nothing goes back.
        for code in ["upstream_timeout", "upstream_failed"] {
            let sent = TransportError::Http {
                status: 504,
                problem: ProblemDetails::new(504, "Gateway timeout", "x").with_code(code),
            };
            assert!(!sent.before_acceptance(), "{code}");
            assert!(!Ending::from(Err(sent)).gives_message_back(), "{code}");
        }
        // After the stream began: interrupted, the message stays sent.
        let broken = TransportError::Broken("network error".into());
        assert!(!broken.before_acceptance());
        let ending = Ending::from(Err(broken));
        assert_eq!(ending, Ending::Interrupted);
        assert!(!ending.gives_message_back());
        assert!(!Ending::from(Err(TransportError::Interrupted)).gives_message_back());
        let cut = TransportError::Broken("x".into()).to_turn_error();
        assert!(
            cut.detail
                .unwrap()
                .contains("may have carried out part of it")
        );
    }

    #[test]
    fn a_down_gateway_and_a_restarted_one_read_as_what_they_are() {
        let down = TransportError::Network("TypeError: Failed to fetch".into()).to_turn_error();
        assert_eq!(down.title, "The copilot's gateway is not answering");
        let detail = down.detail.unwrap();
        assert!(
            !detail.contains("TypeError") && !detail.contains("connection"),
            "no raw exception, and not blamed on the person's connection: {detail}"
        );
        assert_eq!(
            TransportError::Offline.to_turn_error().title,
            "You are offline"
        );
        let reset = TransportError::SessionReset;
        assert!(reset.before_acceptance() && reset.is_session_problem());
        assert_eq!(reset.status(), Some(401));
        let said = reset.to_turn_error();
        assert_eq!(said.title, "The copilot's session ended");
        assert!(
            !format!("{said:?}").to_lowercase().contains("sign in"),
            "nothing to sign in to: {said:?}"
        );
        assert_eq!(
            TransportError::SessionReplaced.to_turn_error().title,
            "Your session changed"
        );
    }

    #[test]
    fn refusals_by_role_and_sign_in_read_as_plain_sentences() {
        let refused = |code: &str| TransportError::Http {
            status: 403,
            problem: ProblemDetails::new(403, "Forbidden", "x").with_code(code),
        };
        let viewer = refused("approval_not_allowed").to_turn_error();
        assert_eq!(viewer.title, "Only an approver can approve this");
        assert!(viewer.detail.unwrap().contains("approver role"));
        let stranger = refused("not_authorized").to_turn_error();
        assert_eq!(stranger.title, "You don't have access to the copilot");
        let signed_out = TransportError::SignInRequired {
            login: Some("/login".into()),
        };
        assert!(signed_out.before_acceptance(), "nothing was sent");
        assert_eq!(signed_out.status(), Some(401));
        assert_eq!(
            signed_out.to_turn_error().title,
            "Sign in to use the copilot"
        );
    }
}
