//! The Flowyte `/assist` wire protocol, shared by the panel (wasm), the gateway and the simulator.
//!
//! - [`sse`]: an incremental `text/event-stream` decoder (bytes in, events out).
//! - The request/response types of `POST /api/v1/assist` from the contract
//!   (`docs/assist-contract.md`), tolerant of missing optional fields and extra fields.
//! - [`StreamEvent`]: what each event of the stream means (docs/architecture.md §2), decoded
//!   from an [`sse::Event`] and encoded back to a frame.
//! - [`is_plain_id`]: the one rule for ids that go into a request path.

mod id;
pub mod outcome;
pub mod samples;
pub mod sse;

pub use id::{MAX_ID_LEN, is_plain_id};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

/// Body of `POST /assist` and `POST /agents/{id}/assist`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistRequest {
    /// The person's request in plain language.
    pub message: String,
    /// Continues this thread (persistent memory) when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Page context from the dashboard (which agent is open, and so on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Map<String, Value>>,
    /// Pending confirmations the person approved, exactly as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<Vec<PendingConfirmation>>,
}

/// The terminal result of a turn.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistResult {
    #[serde(default)]
    pub reply: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    #[serde(default)]
    pub applied_mutations: Vec<AppliedMutation>,
    #[serde(default)]
    pub pending_confirmations: Vec<PendingConfirmation>,
}

/// A change the copilot applied to the account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedMutation {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Map<String, Value>>,
}

/// `GET /assist/threads/{id}`: one copilot conversation, to review or resume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistThread {
    pub thread: ThreadInfo,
    #[serde(default)]
    pub messages: Vec<ThreadMessage>,
    /// Proposals not used yet (the local simulator's extension; absent elsewhere).
    #[serde(default)]
    pub pending_confirmations: Vec<PendingConfirmation>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadInfo {
    pub id: String,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// One message of a thread: the person's (`user`) or the copilot's (`assistant`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadMessage {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub mutations: Vec<AppliedMutation>,
    #[serde(default)]
    pub pending_confirmations: Vec<PendingConfirmation>,
    /// A person's message that approved items: what it approved (the local simulator's
    /// extension; absent elsewhere, and then an approval's message reads like the one that
    /// proposed it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmed: Vec<PendingConfirmation>,
}

/// A destructive tool call held until the person confirms it.
///
/// Kept as the JSON object it arrived as, so that approving it sends back every field
/// unmodified (docs/architecture.md §2, "Confirmation"); the accessors read the documented fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PendingConfirmation(pub Map<String, Value>);

impl PendingConfirmation {
    fn str_field(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }
    pub fn name(&self) -> Option<&str> {
        self.str_field("name")
    }
    pub fn method(&self) -> Option<&str> {
        self.str_field("method")
    }
    pub fn path(&self) -> Option<&str> {
        self.str_field("path")
    }
    pub fn summary(&self) -> Option<&str> {
        self.str_field("summary")
    }
    pub fn args(&self) -> Option<&Map<String, Value>> {
        self.0.get("args").and_then(Value::as_object)
    }
}

/// Data of `progress` and `tool_call` events: one step of the copilot's work.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StepStatus>,
}

/// State of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Started,
    Succeeded,
    Failed,
}

/// Data of a `delta` event: the next piece of the reply.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub text: String,
}

/// RFC 9457 problem details, with Flowyte's `code` and field `errors`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProblemDetails {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ProblemDetails {
    /// A problem with a status, a title and a detail.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status: Some(status),
            title: Some(title.into()),
            detail: Some(detail.into()),
            ..Self::default()
        }
    }

    /// Sets the machine-readable `code`.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

/// One field error of a validation failure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub message: String,
}

/// The `{success, data, message, errors}` envelope of Flowyte's JSON responses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub success: bool,
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// A JSON body that is not what its event or response needs.
#[derive(Debug, Error)]
#[error("the `{event}` data is not valid: {source}")]
pub struct WireError {
    /// The event (or `response` for a whole JSON body).
    pub event: String,
    #[source]
    pub source: serde_json::Error,
}

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

/// Parses a JSON (non-stream) answer of `/assist`: the AssistResult itself or inside the
/// `{success, data}` envelope; both are accepted (docs/architecture.md §2).
pub fn parse_json_result(body: &str) -> Result<AssistResult, WireError> {
    let err = |source| WireError {
        event: "response".to_owned(),
        source,
    };
    let value: Value = serde_json::from_str(body).map_err(err)?;
    let inner = match value {
        Value::Object(mut obj) if obj.contains_key("success") => {
            obj.remove("data").unwrap_or(Value::Object(Map::new()))
        }
        other => other,
    };
    serde_json::from_value(inner).map_err(err)
}

/// Parses an HTTP error body: problem+json, or the envelope's `errors[]`/`message`. Anything
/// unreadable still yields a problem with the status, so the person always sees something.
pub fn parse_problem(status: u16, body: &str) -> ProblemDetails {
    let value: Option<Value> = serde_json::from_str(body).ok();
    let mut problem = match value {
        Some(Value::Object(obj)) if obj.contains_key("success") => {
            let env: Envelope<Value> =
                serde_json::from_value(Value::Object(obj)).unwrap_or_default();
            ProblemDetails {
                title: env.message,
                errors: env.errors,
                ..ProblemDetails::default()
            }
        }
        Some(v @ Value::Object(_)) => serde_json::from_value(v).unwrap_or_default(),
        _ => ProblemDetails::default(),
    };
    problem.status.get_or_insert(status);
    problem
}

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for ProblemDetails {
    /// Answers with the problem's status (500 when unset or invalid) as
    /// `application/problem+json`.
    fn into_response(self) -> axum::response::Response {
        use axum::http::{StatusCode, header};
        let status = self
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).expect("problems always serialize");
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sse<'a>(event: &'a str, data: &'a str) -> sse::EventRef<'a> {
        sse::EventRef {
            event,
            data,
            id: "",
        }
    }

    #[test]
    fn done_with_result_or_empty() {
        let full = json!({"reply": "Hi", "threadId": "thr_1", "appliedMutations": [], "pendingConfirmations": []});
        let StreamEvent::Done(Some(result)) =
            StreamEvent::from_sse(sse("done", &full.to_string())).unwrap()
        else {
            panic!("expected a result")
        };
        assert_eq!(result.reply, "Hi");
        assert_eq!(result.thread_id.as_deref(), Some("thr_1"));
        assert_eq!(
            StreamEvent::from_sse(sse("done", "")).unwrap(),
            StreamEvent::Done(None)
        );
        assert_eq!(
            StreamEvent::from_sse(sse("done", "{}")).unwrap(),
            StreamEvent::Done(None)
        );
    }

    #[test]
    fn tool_call_is_progress_and_unknown_is_other() {
        let p = StreamEvent::from_sse(sse(
            "tool_call",
            r#"{"message":"GET /agents","status":"started","extra":1}"#,
        ))
        .unwrap();
        assert!(matches!(
            p,
            StreamEvent::Progress(Progress {
                status: Some(StepStatus::Started),
                ..
            })
        ));
        assert_eq!(
            StreamEvent::from_sse(sse("heartbeat", "not json")).unwrap(),
            StreamEvent::Other {
                event: "heartbeat".into()
            }
        );
    }

    #[test]
    fn bad_data_for_a_known_event_is_an_error() {
        let err = StreamEvent::from_sse(sse("delta", "{\"txt\":1}")).unwrap_err();
        assert_eq!(err.event, "delta");
    }

    #[test]
    fn frames_round_trip_through_the_decoder() {
        let events = vec![
            StreamEvent::Progress(Progress {
                message: "Listing agents".into(),
                status: Some(StepStatus::Started),
                ..Default::default()
            }),
            StreamEvent::Delta(Delta {
                text: "line one\nline two".into(),
            }),
            StreamEvent::Done(Some(AssistResult {
                reply: "x".into(),
                ..Default::default()
            })),
        ];
        let wire: String = events.iter().map(StreamEvent::to_frame).collect();
        assert!(wire.starts_with("event:progress\ndata:{"));
        let mut decoder = sse::Decoder::new();
        let decoded: Vec<StreamEvent> = decoder
            .feed(wire.as_bytes())
            .unwrap()
            .iter()
            .map(|e| StreamEvent::from_sse(e.as_ref()).unwrap())
            .collect();
        assert_eq!(decoded, events);
        assert_eq!(decoder.finish(), sse::End::Clean);
    }

    /// Every field the contract's AssistResult and request schemas name survives a round trip.
    #[test]
    fn contract_shapes_round_trip() {
        let result = json!({
            "reply": "Added **order-lookup**; releasing 4421 needs your approval.",
            "threadId": "thr_1",
            "appliedMutations": [{
                "method": "POST", "path": "/agents/agt_1/skills", "operationId": "createSkill",
                "summary": "Added skill order-lookup", "body": {"name": "order-lookup", "timeoutMs": 3000}
            }],
            "pendingConfirmations": [{
                "name": "releaseNumber", "method": "DELETE", "path": "/numbers/num_4421",
                "summary": "Release +1 415 555 4421", "args": {"numberId": "num_4421"}
            }]
        });
        let parsed: AssistResult = serde_json::from_value(result.clone()).unwrap();
        assert_eq!(
            parsed.applied_mutations[0].operation_id.as_deref(),
            Some("createSkill")
        );
        assert_eq!(
            parsed.pending_confirmations[0].name(),
            Some("releaseNumber")
        );
        assert_eq!(serde_json::to_value(&parsed).unwrap(), result);

        let request = json!({
            "message": "release the number ending 4421", "threadId": "thr_1",
            "context": {"page": "numbers"}, "confirmed": [result["pendingConfirmations"][0]]
        });
        let parsed: AssistRequest = serde_json::from_value(request.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), request);
        // Only `message` is required; absent optional fields stay absent on the wire.
        let minimal: AssistRequest = serde_json::from_value(json!({"message": "hi"})).unwrap();
        assert_eq!(
            serde_json::to_value(&minimal).unwrap(),
            json!({"message": "hi"})
        );
    }

    #[test]
    fn pending_confirmation_keeps_every_field() {
        let raw = json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/num_1", "summary": null, "args": {"id": "num_1"}, "nonce": "abc"});
        let item: PendingConfirmation = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(item.method(), Some("DELETE"));
        assert_eq!(item.summary(), None);
        assert_eq!(serde_json::to_value(&item).unwrap(), raw);
    }

    #[test]
    fn json_result_bare_or_enveloped() {
        assert_eq!(parse_json_result(r#"{"reply":"a"}"#).unwrap().reply, "a");
        assert_eq!(
            parse_json_result(r#"{"success":true,"data":{"reply":"b"}}"#)
                .unwrap()
                .reply,
            "b"
        );
    }

    #[test]
    fn problems_from_problem_json_envelope_or_garbage() {
        let p = parse_problem(
            400,
            r#"{"title":"Invalid","errors":[{"field":"message","message":"required"}]}"#,
        );
        assert_eq!((p.status, p.errors.len()), (Some(400), 1));
        let p = parse_problem(
            422,
            r#"{"success":false,"message":"Nope","errors":[{"field":"a","message":"b"}]}"#,
        );
        assert_eq!(
            (p.title.as_deref(), p.errors[0].field.as_str()),
            (Some("Nope"), "a")
        );
        assert_eq!(parse_problem(502, "<html>").status, Some(502));
    }
}
