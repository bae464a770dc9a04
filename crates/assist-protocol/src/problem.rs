//! Errors on the wire: RFC 9457 problem details with Flowyte's `code` and field `errors`, the
//! `{success, data}` envelope, and reading a JSON (non-stream) answer or a refusal's body.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use serde_json::{Map, Value};

use crate::AssistResult;

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
