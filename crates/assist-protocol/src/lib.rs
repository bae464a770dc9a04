//! The Flowyte `/assist` wire protocol, shared by the panel (wasm), the gateway and the simulator.
//!
//! - [`sse`]: an incremental `text/event-stream` decoder (bytes in, events out).
//! - The request/response types of `POST /api/v1/assist` from the contract
//!   (`docs/assist-contract.md`), tolerant of missing optional fields and extra fields.
//! - [`StreamEvent`] (event.rs): what each event of the stream means (docs/architecture.md §2), decoded
//!   from an [`sse::Event`] and encoded back to a frame.
//! - [`ProblemDetails`] and the `{success, data}` envelope (problem.rs): errors on the wire.
//! - [`outcome`]: what became of a confirmed item whose answer broke off, by its thread.
//! - [`is_plain_id`]: the one rule for ids that go into a request path.

mod event;
mod id;
pub mod outcome;
mod problem;
pub mod samples;
pub mod sse;

pub use event::{StreamEvent, encode_frame};
pub use id::{MAX_ID_LEN, is_plain_id};
pub use problem::{
    Envelope, FieldError, ProblemDetails, WireError, parse_json_result, parse_problem,
};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
