//! What each event of the `/assist` stream means ([`StreamEvent`]), decoded from an
//! [`crate::sse::Event`] and encoded back to a frame ([`encode_frame`]).

use serde_json::{Map, Value};

use crate::{
    AppliedMutation, AssistResult, Delta, PendingConfirmation, ProblemDetails, Progress, WireError,
    sse,
};

/// One event of the `/assist` stream, by meaning (docs/architecture.md §2).
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// `progress` or `tool_call`: a step started, succeeded or failed.
    Progress(Progress),
    /// `delta`: more reply text.
    Delta(Delta),
    /// `mutation`: one change was applied.
    Mutation(AppliedMutation),
    /// `confirmation`: one destructive action is waiting for approval.
    Confirmation(PendingConfirmation),
    /// `result`: the final result, before `done`.
    Result(AssistResult),
    /// `done`: the turn ended; carries the result unless `result` already did.
    Done(Option<AssistResult>),
    /// `error`: the turn failed.
    Error(ProblemDetails),
    /// Any other event type: ignored by the panel, never an error.
    Other { event: String },
}

impl StreamEvent {
    /// Interprets a dispatched event. Unknown types become [`StreamEvent::Other`]; a known type
    /// whose data is not the JSON it needs is an error (never dropped silently).
    pub fn from_sse(event: sse::EventRef<'_>) -> Result<Self, WireError> {
        fn parse<T: serde::de::DeserializeOwned>(event: sse::EventRef<'_>) -> Result<T, WireError> {
            serde_json::from_str(event.data).map_err(|source| WireError {
                event: event.event.to_owned(),
                source,
            })
        }
        Ok(match event.event {
            "progress" | "tool_call" => Self::Progress(parse(event)?),
            "delta" => Self::Delta(parse(event)?),
            "mutation" => Self::Mutation(parse(event)?),
            "confirmation" => Self::Confirmation(parse(event)?),
            "result" => Self::Result(parse(event)?),
            "done" => {
                let data = event.data.trim();
                if data.is_empty() {
                    Self::Done(None)
                } else {
                    let value: Value = parse(event)?;
                    if value.as_object().is_some_and(Map::is_empty) {
                        Self::Done(None)
                    } else {
                        Self::Done(Some(serde_json::from_value(value).map_err(|source| {
                            WireError {
                                event: event.event.to_owned(),
                                source,
                            }
                        })?))
                    }
                }
            }
            "error" => Self::Error(parse(event)?),
            other => Self::Other {
                event: other.to_owned(),
            },
        })
    }

    /// The event type this encodes to (`progress` for [`StreamEvent::Progress`]).
    pub fn event_type(&self) -> &str {
        match self {
            Self::Progress(_) => "progress",
            Self::Delta(_) => "delta",
            Self::Mutation(_) => "mutation",
            Self::Confirmation(_) => "confirmation",
            Self::Result(_) => "result",
            Self::Done(_) => "done",
            Self::Error(_) => "error",
            Self::Other { event } => event,
        }
    }

    /// Encodes this event as one frame, `event:<type>\ndata:<json>\n\n`, as the contract shows.
    pub fn to_frame(&self) -> String {
        let data = match self {
            Self::Progress(p) => serde_json::to_string(p),
            Self::Delta(d) => serde_json::to_string(d),
            Self::Mutation(m) => serde_json::to_string(m),
            Self::Confirmation(c) => serde_json::to_string(c),
            Self::Result(r) | Self::Done(Some(r)) => serde_json::to_string(r),
            Self::Done(None) | Self::Other { .. } => Ok("{}".to_owned()),
            Self::Error(p) => serde_json::to_string(p),
        }
        .expect("wire types always serialize");
        encode_frame(self.event_type(), &data)
    }
}

/// Encodes one frame; each line of `data` becomes its own `data:` line.
pub fn encode_frame(event: &str, data: &str) -> String {
    let mut frame = String::with_capacity(event.len() + data.len() + 16);
    frame.push_str("event:");
    frame.push_str(event);
    frame.push('\n');
    for line in data.split('\n') {
        frame.push_str("data:");
        frame.push_str(line);
        frame.push('\n');
    }
    frame.push('\n');
    frame
}
