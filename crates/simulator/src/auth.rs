//! Bearer keys: who may call an operation.

use assist_protocol::ProblemDetails;
use axum::http::{HeaderMap, header};

use crate::config::Config;
use crate::copilot::Scopes;
use crate::problem;

/// Checks `Authorization: Bearer <key>` and that the key holds `scope`.
pub(crate) fn authorize(
    config: &Config,
    headers: &HeaderMap,
    scope: &str,
) -> Result<Scopes, ProblemDetails> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(problem(
            401,
            "missing_api_key",
            "Unauthorized",
            "Send a secret API key as `Authorization: Bearer flowyte_sk_…`.",
        ));
    };
    let Some(found) = config.keys.iter().find(|k| k.key == key) else {
        return Err(problem(
            401,
            "invalid_api_key",
            "Unauthorized",
            "The API key is not valid for this organization.",
        ));
    };
    if !found.scopes.has(scope) {
        return Err(problem(
            403,
            "insufficient_scope",
            "Forbidden",
            format!("This operation needs the `{scope}` scope, which the API key does not hold."),
        ));
    }
    Ok(found.scopes.clone())
}
