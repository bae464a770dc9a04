//! The audit log: one JSON line for every request a signed-in person sends to the copilot,
//! forwarded or refused, written when its answer has ended, so that every change and every
//! approval is attributable to a person.
//!
//! A line holds: the time, the person (`sub`, e-mail), a hash of the session id (never the
//! cookie), the route, agent and thread, the key's *name* and the role, whether it carried
//! `confirmed` and for each confirmed item its name, method, path and summary; the upstream's
//! status, how long the answer took and how it ended. Never a key, a cookie or a CSRF token.
//!
//! The message text is left out (its length is kept): people paste customers' details into
//! it, and an audit log is kept longer and read more widely than the conversation, which the
//! control plane already holds under the account's own retention, reachable by the thread id.

use std::io::Write;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::config::AuditTarget;
use crate::store::Session;

/// One confirmed item, as the audit names it.
#[derive(Clone, Debug, Serialize)]
pub struct ConfirmedItem {
    pub name: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub summary: Option<String>,
}

/// What the audit records of one request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub time: String,
    pub sub: String,
    pub email: Option<String>,
    pub issuer: String,
    pub session: String,
    pub key: String,
    pub role: &'static str,
    pub route: &'static str,
    pub agent_id: Option<String>,
    pub thread_id: Option<String>,
    pub message_chars: Option<usize>,
    pub confirmed: bool,
    pub confirmed_items: Vec<ConfirmedItem>,
    /// The status the browser got (the upstream's, or the gateway's refusal).
    pub status: u16,
    /// A refusal's code (`approval_not_allowed`, `rate_limited`, …), if refused.
    pub refused: Option<String>,
    /// Whether it went upstream.
    pub forwarded: bool,
    /// Until the upstream's answer headers, and until its answer ended.
    pub first_byte_ms: Option<u64>,
    pub duration_ms: u64,
    /// `completed`, `client_closed` (the browser went away), `session_ended` (cut by a
    /// sign-out), `upstream_error` or `refused`.
    pub outcome: &'static str,
}

impl Entry {
    /// A new entry for a request of `session` on `route` with this JSON body (`Value::Null`
    /// for a read), before its answer is known.
    pub fn new(session: &Session, route: &'static str, body: &Value) -> Self {
        let confirmed_items: Vec<ConfirmedItem> = body
            .get("confirmed")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|item| {
                let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
                ConfirmedItem {
                    name: field("name"),
                    method: field("method"),
                    path: field("path"),
                    summary: field("summary"),
                }
            })
            .collect();
        Self {
            time: String::new(),
            sub: session.person.sub.clone(),
            email: session.person.email.clone(),
            issuer: session.person.issuer.clone(),
            session: session.hashed_id(),
            key: session.grant.key.clone(),
            role: session.grant.role.as_str(),
            route,
            agent_id: None,
            thread_id: body
                .get("threadId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            message_chars: body
                .get("message")
                .and_then(Value::as_str)
                .map(|m| m.chars().count()),
            confirmed: body.get("confirmed").is_some(),
            confirmed_items,
            status: 0,
            refused: None,
            forwarded: false,
            first_byte_ms: None,
            duration_ms: 0,
            outcome: "refused",
        }
    }
}

/// Where entries are written.
pub struct AuditLog {
    out: Option<Mutex<Box<dyn Write + Send>>>,
}

impl AuditLog {
    /// Opens the target (a file is appended to, created if missing).
    pub fn open(target: &AuditTarget) -> std::io::Result<Self> {
        let out: Option<Box<dyn Write + Send>> = match target {
            AuditTarget::Off => None,
            AuditTarget::Stdout => Some(Box::new(std::io::stdout())),
            AuditTarget::File(path) => Some(Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            )),
        };
        Ok(Self {
            out: out.map(Mutex::new),
        })
    }

    /// Writes one line, stamped with the time now.
    pub fn write(&self, mut entry: Entry) {
        let Some(out) = &self.out else { return };
        entry.time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut line = serde_json::to_vec(&entry).expect("entries serialize");
        line.push(b'\n');
        let mut out = out.lock().expect("audit lock");
        // One write per line, so lines from concurrent requests never interleave.
        if let Err(error) = out.write_all(&line).and_then(|()| out.flush()) {
            tracing::error!(%error, "cannot write the audit log");
        }
    }
}
