//! The refusals of a confirmation sent before ([`already`]: approved, or in doubt, naming who
//! and when), and how one held *in doubt* is settled ([`settle`]).
//!
//! A confirmation the ledger holds *in doubt* (its answer broke off after it was sent) is
//! settled from its thread before it is refused: the gateway reads
//! `GET /assist/threads/{id}` upstream with the same key and applies the rule the panel
//! applies ([`assist_protocol::outcome::approval_outcome`]). Carried out → it is done, and a
//! repeat is `already_confirmed`; every item still offered, none recorded → the upstream did
//! not act, and the repeat may go upstream (claimed again atomically, so two tabs resolving
//! at once still forward it once); anything else → still `confirmation_in_doubt`.

use assist_protocol::outcome::{ApprovalOutcome, approval_outcome};
use assist_protocol::{AssistThread, PendingConfirmation};
use serde_json::Value;

use crate::AppState;
use crate::ledger::{Approval, Claimed, Standing};
use crate::limits::Refusal;
use crate::proxy::refusal;
use crate::session::{self, Session};

/// What the thread says of a request's confirmed items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thread {
    /// At least one item is recorded as carried out.
    CarriedOut,
    /// Every item is still offered and none is recorded: nothing was done.
    NothingDone,
    /// The thread could not be read, or does not tell.
    Unknown,
}

/// The rule over all the items of one request.
pub fn judge(thread: &AssistThread, items: &[PendingConfirmation]) -> Thread {
    let outcomes: Vec<ApprovalOutcome> =
        items.iter().map(|i| approval_outcome(thread, i)).collect();
    if outcomes.contains(&ApprovalOutcome::CarriedOut) {
        Thread::CarriedOut
    } else if !outcomes.is_empty() && outcomes.iter().all(|o| *o == ApprovalOutcome::StillPending) {
        Thread::NothingDone
    } else {
        Thread::Unknown
    }
}

/// Reads the thread of the confirmation in `body` upstream and judges its items.
pub async fn read(state: &AppState, session: &Session, body: &Value) -> Thread {
    let Some(thread_id) = body
        .get("threadId")
        .and_then(Value::as_str)
        .filter(|id| assist_protocol::is_plain_id(id))
    else {
        return Thread::Unknown;
    };
    let items: Vec<PendingConfirmation> = body
        .get("confirmed")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_object().cloned().map(PendingConfirmation))
        .collect();
    let Some(key) = state.config.keys.get(&session.grant.key) else {
        return Thread::Unknown;
    };
    let url = format!(
        "{}/api/v1/assist/threads/{thread_id}",
        state.config.upstream
    );
    let request = state
        .client
        .get(url)
        .bearer_auth(key.expose())
        .header(reqwest::header::ACCEPT, "application/json");
    let answer = match tokio::time::timeout(state.config.upstream_timeout, request.send()).await {
        Ok(Ok(response)) if response.status().is_success() => response.bytes().await.ok(),
        _ => None,
    };
    match answer.and_then(|bytes| thread_of(bytes.as_ref())) {
        Some(thread) => judge(&thread, &items),
        None => Thread::Unknown,
    }
}

/// The thread in an answer, bare or inside Flowyte's `{success, data}` envelope.
fn thread_of(bytes: &[u8]) -> Option<AssistThread> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let value = match value.get("data") {
        Some(data) if value.get("success").is_some() => data.clone(),
        _ => value,
    };
    serde_json::from_value(value).ok()
}

/// The refusal of a confirmation sent before.
pub(crate) fn already(earlier: &Approval) -> Refusal {
    let when = chrono::DateTime::parse_from_rfc3339(&earlier.at)
        .map(|t| t.format("%Y-%m-%d at %H:%M UTC").to_string())
        .unwrap_or_else(|_| earlier.at.clone());
    match earlier.standing {
        Standing::InDoubt => refusal(
            409,
            "Outcome unknown",
            format!(
                "{} approved this on {when}, and the answer broke off: it may have been \
                 carried out. Check the conversation before approving again.",
                earlier.who()
            ),
            "confirmation_in_doubt",
        ),
        Standing::Forwarding | Standing::Done => refusal(
            409,
            "Already approved",
            format!("{} approved this on {when}.", earlier.who()),
            "already_confirmed",
        ),
    }
}

/// A repeat of a confirmation held in doubt: its thread tells whether the upstream acted
/// ([`crate::in_doubt`]). Nothing done → claimed again and forwarded; carried out → done, and
/// refused as already approved; otherwise still in doubt.
pub(crate) async fn settle(
    state: &AppState,
    session: &session::Session,
    json: &Value,
    earlier: &Approval,
    approval: &Approval,
) -> Result<Claimed, Refusal> {
    let store_down = |e| Refusal::from(session::store_down(e));
    match read(state, session, json).await {
        Thread::NothingDone => {
            match Claimed::reclaim(&state.ledger, json, &session.grant.key, earlier, approval)
                .await
                .map_err(store_down)?
            {
                Ok(claim) => Ok(claim),
                Err(current) => Err(already(&current)),
            }
        }
        Thread::CarriedOut => {
            Claimed::mark_done(&state.ledger, json, &session.grant.key)
                .await
                .map_err(store_down)?;
            Err(already(&Approval {
                standing: Standing::Done,
                ..earlier.clone()
            }))
        }
        Thread::Unknown => Err(already(earlier)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(path: &str) -> PendingConfirmation {
        serde_json::from_value(json!({"name": "releaseNumber", "method": "DELETE", "path": path}))
            .unwrap()
    }

    #[test]
    fn a_thread_settles_a_confirmation_in_doubt_only_when_it_tells() {
        let offered: AssistThread = serde_json::from_value(json!({
            "thread": {"id": "thr_1"},
            "messages": [],
            "pendingConfirmations": [item("/numbers/num_1"), item("/numbers/num_2")]
        }))
        .unwrap();
        assert_eq!(
            judge(&offered, &[item("/numbers/num_1")]),
            Thread::NothingDone
        );
        assert_eq!(
            judge(&offered, &[item("/numbers/num_1"), item("/numbers/num_3")]),
            Thread::Unknown,
            "one item the thread no longer offers: it may have run"
        );
        let done: AssistThread = serde_json::from_value(json!({
            "thread": {"id": "thr_1"},
            "messages": [{"role": "assistant", "content": "Released.",
                "mutations": [{"method": "DELETE", "path": "/numbers/num_1"}]}]
        }))
        .unwrap();
        assert_eq!(judge(&done, &[item("/numbers/num_1")]), Thread::CarriedOut);
        assert_eq!(judge(&done, &[]), Thread::Unknown);
        let wrapped = json!({"success": true, "data": {"thread": {"id": "thr_1"}, "messages": []}});
        assert!(thread_of(wrapped.to_string().as_bytes()).is_some());
        assert!(thread_of(b"not json").is_none());
    }
}
