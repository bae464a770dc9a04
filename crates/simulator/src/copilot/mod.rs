//! The deterministic copilot: reads a plain-English request, calls the account's operations
//! (applying non-destructive changes at once, proposing destructive ones), and writes a
//! markdown reply. The crate's README and [`EXAMPLES`] list requests it understands; it
//! takes them in many other words too, and answers anything else briefly with the closest.
//!
//! Reading a message: `utterance` (words, quotes, URLs, typos), `lexicon` (the words for
//! each action and resource), `names` (which agent, skill or key a message names), `intent`
//! (what it asks for, and of which resource), `router` (the handler for it). Doing it: one
//! module per resource (`agents` and `agent_edits`, `skills` and `skill_add`, `knowledge`,
//! `numbers`, `keys`, `publishing`, `calls`), each adding its handlers to [`Copilot`];
//! `text` holds markdown helpers; `help` the examples, the help and the short answers.
//! Nothing depends on the clock or chance: the same message on the same account gets the
//! same answer.

mod agent_edits;
mod agents;
mod calls;
mod german;
mod help;
mod intent;
mod keys;
mod knowledge;
#[rustfmt::skip]
mod lexicon;
mod names;
mod numbers;
mod publishing;
mod router;
mod skill_add;
mod skills;
#[cfg(test)]
mod tests;
mod text;
mod utterance;

use std::collections::BTreeSet;

use assist_protocol::{AppliedMutation, PendingConfirmation};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::account::Account;
use crate::ops::{Call, Destructive};
use text::{lower_first, plural};

pub use help::{EXAMPLES, help};

/// What the copilot did in one turn: the operations it called, what it proposes, and its
/// reply. (Named apart from the panel's `conversation::Turn`, which is the person's view of a
/// turn.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answer {
    pub tool_calls: Vec<ToolCall>,
    pub confirmations: Vec<PendingConfirmation>,
    pub reply: String,
}

impl Answer {
    pub fn mutations(&self) -> Vec<AppliedMutation> {
        self.tool_calls
            .iter()
            .filter_map(|s| s.mutation.clone())
            .collect()
    }
}

/// One operation the copilot called, and how it went: a `tool_call` frame pair in the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    pub call: Call,
    pub ok: bool,
    pub mutation: Option<AppliedMutation>,
}

/// A key's scopes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scopes(pub BTreeSet<String>);

impl Scopes {
    pub fn has(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }
}

/// Where a request came from.
pub struct Request<'a> {
    pub message: &'a str,
    /// The agent the request is about by default: the path's agent for
    /// `/agents/{id}/assist`, else `context.agentId` when it names an agent.
    pub agent_id: Option<&'a str>,
}

/// Works on one turn.
struct Copilot<'a> {
    account: &'a mut Account,
    scopes: &'a Scopes,
    now: OffsetDateTime,
    turn: Answer,
}

impl<'a> Copilot<'a> {
    fn new(account: &'a mut Account, scopes: &'a Scopes, now: OffsetDateTime) -> Self {
        Self {
            account,
            scopes,
            now,
            turn: Answer::default(),
        }
    }
}

/// Carries out `request` on `account`.
pub fn respond(
    account: &mut Account,
    scopes: &Scopes,
    request: &Request<'_>,
    now: OffsetDateTime,
) -> Answer {
    let mut copilot = Copilot::new(account, scopes, now);
    let message = german::in_english(request.message).unwrap_or(request.message);
    let utterance = utterance::Utterance::new(message, request.agent_id);
    copilot.turn.reply = copilot.handle(&utterance);
    copilot.turn
}

/// Runs approved items (already matched against what was issued). An item whose target moved
/// on is reported, not run.
pub fn run_confirmed(
    account: &mut Account,
    scopes: &Scopes,
    items: &[(Destructive, PendingConfirmation)],
    now: OffsetDateTime,
) -> Answer {
    let mut copilot = Copilot::new(account, scopes, now);
    let mut lines = Vec::new();
    for (action, item) in items {
        let call = action.call(item);
        if !copilot.allowed(&call) {
            lines.push(format!(
                "- Could not {}: this API key lacks the `{}` scope.",
                lower_first(item.summary().unwrap_or("run it")),
                call.scope
            ));
            continue;
        }
        match action.execute(copilot.account, item, now) {
            Ok(mutation) => {
                lines.push(format!(
                    "- {}.",
                    mutation.summary.as_deref().unwrap_or("Done")
                ));
                copilot.turn.tool_calls.push(ToolCall {
                    call,
                    ok: true,
                    mutation: Some(mutation),
                });
            }
            Err(stale) => {
                lines.push(format!(
                    "- Did not {}: {}",
                    lower_first(item.summary().unwrap_or("run it")),
                    stale.0
                ));
                copilot.turn.tool_calls.push(ToolCall {
                    call,
                    ok: false,
                    mutation: None,
                });
            }
        }
    }
    let done = copilot.turn.tool_calls.iter().filter(|s| s.ok).count();
    copilot.turn.reply = format!(
        "Approved and carried out {done} of {} action{}:\n\n{}",
        items.len(),
        plural(items.len()),
        lines.join("\n")
    );
    copilot.turn
}

impl Copilot<'_> {
    fn allowed(&self, call: &Call) -> bool {
        self.scopes.has(call.scope)
    }

    /// Records a read. `false` (and a failed step) when the key lacks its scope.
    fn read(&mut self, call: Call) -> bool {
        let ok = self.allowed(&call);
        self.turn.tool_calls.push(ToolCall {
            call,
            ok,
            mutation: None,
        });
        ok
    }

    /// Applies a change through `apply`, recording the mutation. `false` when the key lacks
    /// the scope (nothing changes).
    fn write(
        &mut self,
        call: Call,
        summary: String,
        body: Value,
        apply: impl FnOnce(&mut Account),
    ) -> bool {
        if !self.allowed(&call) {
            self.turn.tool_calls.push(ToolCall {
                call,
                ok: false,
                mutation: None,
            });
            return false;
        }
        apply(self.account);
        let mutation = AppliedMutation {
            method: call.method.to_owned(),
            path: call.path.clone(),
            operation_id: Some(call.operation_id.to_owned()),
            summary: Some(summary),
            body: match body {
                Value::Object(map) => Some(map),
                _ => None,
            },
        };
        self.turn.tool_calls.push(ToolCall {
            call,
            ok: true,
            mutation: Some(mutation),
        });
        true
    }

    /// Proposes a destructive action. The key must hold its scope now too: the copilot
    /// never asks for an approval it could not act on.
    fn propose(&mut self, action: Destructive) -> Result<(), String> {
        if !self.scopes.has(action.scope()) {
            return Err(self.missing_scope(action.scope()));
        }
        let item = action.to_pending(self.account);
        self.turn.confirmations.push(item);
        Ok(())
    }

    fn missing_scope(&self, scope: &str) -> String {
        format!(
            "I can't do that with this API key: it lacks the `{scope}` scope. Ask an account \
             owner for a key that holds it (Dashboard → Developer)."
        )
    }

    fn last_failed_scope(&self) -> String {
        let scope = self
            .turn
            .tool_calls
            .iter()
            .rev()
            .find(|s| !s.ok)
            .map_or("", |s| s.call.scope);
        self.missing_scope(scope)
    }
}

/// Makes `context.agentId` usable as the default agent when it names one.
pub fn context_agent<'a>(
    account: &Account,
    context: Option<&'a Map<String, Value>>,
) -> Option<&'a str> {
    let id = context?.get("agentId")?.as_str()?;
    account.agent(id).map(|_| id)
}
