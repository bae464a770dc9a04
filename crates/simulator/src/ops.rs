//! The API operations the copilot calls on the account, with the scope each needs, and the
//! destructive ones it only proposes (held as pending confirmations until approved).

use assist_protocol::{AppliedMutation, PendingConfirmation};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::account::{Account, Version, rfc3339};

/// Every scope the development key holds (the contract's scope list, minus the
/// publishable-key-only `chat:public`).
pub const ALL_SCOPES: &[&str] = &[
    "agents:read",
    "agents:write",
    "knowledge:read",
    "knowledge:write",
    "skills:read",
    "skills:write",
    "playbooks:read",
    "playbooks:write",
    "numbers:read",
    "numbers:write",
    "calls:read",
    "analytics:read",
    "webhooks:write",
    "pubkeys:read",
    "pubkeys:write",
];

/// One API operation, as a progress step shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub operation_id: &'static str,
    pub method: &'static str,
    pub path: String,
    pub scope: &'static str,
    /// What the step says while it runs, e.g. "Releasing +1 415 555 4421".
    pub message: String,
}

impl Call {
    pub fn new(
        operation_id: &'static str,
        method: &'static str,
        path: impl Into<String>,
        scope: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            operation_id,
            method,
            path: path.into(),
            scope,
            message: message.into(),
        }
    }
}

/// `+14155554421` → `+1 415 555 4421` (North American numbers; others unchanged).
pub fn pretty_e164(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(rest) if rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_digit()) => {
            format!("+1 {} {} {}", &rest[..3], &rest[3..6], &rest[6..])
        }
        _ => e164.to_owned(),
    }
}

/// A destructive action: proposed as a [`PendingConfirmation`], run only when confirmed.
#[derive(Clone, Debug, PartialEq)]
pub enum Destructive {
    DeleteAgent {
        agent_id: String,
    },
    DeleteSkill {
        agent_id: String,
        skill_id: String,
    },
    UnassignNumber {
        number_id: String,
        agent_id: String,
    },
    ReleaseNumber {
        number_id: String,
    },
    RevokeKey {
        agent_id: String,
        key_id: String,
    },
    Publish {
        agent_id: String,
        draft_revision: u32,
        note: String,
    },
    Rollback {
        agent_id: String,
        version_id: String,
        from_version_id: String,
    },
}

/// Why a confirmed action can no longer run.
#[derive(Debug, PartialEq)]
pub struct Stale(pub String);

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! object literal"),
    }
}

impl Destructive {
    /// The scope the operation needs.
    pub fn scope(&self) -> &'static str {
        match self {
            Self::DeleteAgent { .. } | Self::Publish { .. } | Self::Rollback { .. } => {
                "agents:write"
            }
            Self::DeleteSkill { .. } => "skills:write",
            Self::UnassignNumber { .. } | Self::ReleaseNumber { .. } => "numbers:write",
            Self::RevokeKey { .. } => "pubkeys:write",
        }
    }

    fn operation(&self) -> (&'static str, &'static str, String) {
        match self {
            Self::DeleteAgent { agent_id } => {
                ("deleteAgent", "DELETE", format!("/agents/{agent_id}"))
            }
            Self::DeleteSkill { agent_id, skill_id } => (
                "deleteSkill",
                "DELETE",
                format!("/agents/{agent_id}/skills/{skill_id}"),
            ),
            Self::UnassignNumber { number_id, .. } => (
                "unassignNumber",
                "DELETE",
                format!("/numbers/{number_id}/assign"),
            ),
            Self::ReleaseNumber { number_id } => {
                ("releaseNumber", "DELETE", format!("/numbers/{number_id}"))
            }
            Self::RevokeKey { agent_id, key_id } => (
                "revokePublishableKey",
                "DELETE",
                format!("/agents/{agent_id}/publishable-keys/{key_id}"),
            ),
            Self::Publish { agent_id, .. } => (
                "publishAgent",
                "POST",
                format!("/agents/{agent_id}/publish"),
            ),
            Self::Rollback { agent_id, .. } => (
                "rollbackAgent",
                "POST",
                format!("/agents/{agent_id}/rollback"),
            ),
        }
    }

    /// The pending item the copilot issues: `{name, method, path, summary, args}`. Args carry
    /// the ids the operation needs and the names a person reads.
    pub fn to_pending(&self, account: &Account) -> PendingConfirmation {
        let (name, method, path) = self.operation();
        let (summary, args) = match self {
            Self::DeleteAgent { agent_id } => {
                let agent = account.agent_name(agent_id);
                (
                    format!("Delete the agent “{agent}” (stops its calls and chats)"),
                    json!({"agentId": agent_id, "agent": agent}),
                )
            }
            Self::DeleteSkill { agent_id, skill_id } => {
                let skill = account
                    .skills
                    .iter()
                    .find(|s| &s.id == skill_id)
                    .map_or_else(|| skill_id.clone(), |s| s.name.clone());
                let agent = account.agent_name(agent_id);
                (
                    format!("Remove the skill “{skill}” from {agent}"),
                    json!({"agentId": agent_id, "skillId": skill_id, "agent": agent, "skill": skill}),
                )
            }
            Self::UnassignNumber {
                number_id,
                agent_id,
            } => {
                let e164 = number_e164(account, number_id);
                let agent = account.agent_name(agent_id);
                (
                    format!("Unassign {} from {agent}", pretty_e164(&e164)),
                    json!({"numberId": number_id, "e164": e164, "agentId": agent_id, "agent": agent}),
                )
            }
            Self::ReleaseNumber { number_id } => {
                let e164 = number_e164(account, number_id);
                (
                    format!(
                        "Release {} to the carrier (irreversible)",
                        pretty_e164(&e164)
                    ),
                    json!({"numberId": number_id, "e164": e164}),
                )
            }
            Self::RevokeKey { agent_id, key_id } => {
                let key = account.publishable_keys.iter().find(|k| &k.id == key_id);
                let name = key.map_or_else(|| key_id.clone(), |k| k.name.clone());
                let agent = account.agent_name(agent_id);
                (
                    format!("Revoke the publishable key “{name}” of {agent}"),
                    json!({
                        "agentId": agent_id,
                        "keyId": key_id,
                        "name": name,
                        "keyPrefix": key.map(|k| format!("{}…", &k.key_public[..20.min(k.key_public.len())])),
                    }),
                )
            }
            Self::Publish {
                agent_id,
                draft_revision,
                note,
            } => {
                let agent = account.agent_name(agent_id);
                (
                    format!("Publish the draft of {agent} (phone and chat switch to it at once)"),
                    json!({"agentId": agent_id, "agent": agent, "draftRevision": draft_revision, "note": note}),
                )
            }
            Self::Rollback {
                agent_id,
                version_id,
                from_version_id,
            } => {
                let a = account.agent(agent_id);
                let number = |id: &str| {
                    a.and_then(|a| a.versions.iter().find(|v| v.id == id))
                        .map_or(0, |v| v.version)
                };
                let agent = account.agent_name(agent_id);
                (
                    format!(
                        "Roll {agent} back from version {} to version {}",
                        number(from_version_id),
                        number(version_id)
                    ),
                    json!({
                        "agentId": agent_id,
                        "agent": agent,
                        "versionId": version_id,
                        "version": number(version_id),
                        "fromVersionId": from_version_id,
                    }),
                )
            }
        };
        PendingConfirmation(obj(json!({
            "name": name,
            "method": method,
            "path": path,
            "summary": summary,
            "args": args,
        })))
    }

    /// Reads back an item this simulator issued. `None` for anything it could not have issued.
    pub fn from_pending(item: &PendingConfirmation) -> Option<Self> {
        let args = item.args()?;
        let s = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(match item.name()? {
            "deleteAgent" => Self::DeleteAgent {
                agent_id: s("agentId")?,
            },
            "deleteSkill" => Self::DeleteSkill {
                agent_id: s("agentId")?,
                skill_id: s("skillId")?,
            },
            "unassignNumber" => Self::UnassignNumber {
                number_id: s("numberId")?,
                agent_id: s("agentId")?,
            },
            "releaseNumber" => Self::ReleaseNumber {
                number_id: s("numberId")?,
            },
            "revokePublishableKey" => Self::RevokeKey {
                agent_id: s("agentId")?,
                key_id: s("keyId")?,
            },
            "publishAgent" => Self::Publish {
                agent_id: s("agentId")?,
                draft_revision: u32::try_from(args.get("draftRevision")?.as_u64()?).ok()?,
                note: s("note")?,
            },
            "rollbackAgent" => Self::Rollback {
                agent_id: s("agentId")?,
                version_id: s("versionId")?,
                from_version_id: s("fromVersionId")?,
            },
            _ => return None,
        })
    }

    /// The progress step that runs it.
    pub fn call(&self, item: &PendingConfirmation) -> Call {
        let (operation_id, method, path) = self.operation();
        Call::new(
            operation_id,
            method,
            path,
            self.scope(),
            item.summary().unwrap_or(operation_id).to_owned(),
        )
    }

    /// Runs the action, unless the account moved on since it was proposed.
    pub fn execute(
        &self,
        account: &mut Account,
        item: &PendingConfirmation,
        now: OffsetDateTime,
    ) -> Result<AppliedMutation, Stale> {
        let gone = |what: &str| Stale(format!("{what} no longer exists."));
        match self {
            Self::DeleteAgent { agent_id } => {
                let Some(at) = account.agents.iter().position(|a| &a.id == agent_id) else {
                    return Err(gone("The agent"));
                };
                account.agents.remove(at);
                account.skills.retain(|s| &s.agent_id != agent_id);
                account.playbooks.retain(|p| &p.agent_id != agent_id);
                account
                    .knowledge_sources
                    .retain(|k| &k.agent_id != agent_id);
                account.publishable_keys.retain(|k| &k.agent_id != agent_id);
                for number in &mut account.numbers {
                    if number.default_agent_id.as_ref() == Some(agent_id) {
                        number.default_agent_id = None;
                    }
                }
            }
            Self::DeleteSkill { skill_id, .. } => {
                let Some(at) = account.skills.iter().position(|s| &s.id == skill_id) else {
                    return Err(gone("The skill"));
                };
                let agent_id = account.skills.remove(at).agent_id;
                touch_draft(account, &agent_id, now);
            }
            Self::UnassignNumber {
                number_id,
                agent_id,
            } => {
                let Some(number) = account.numbers.iter_mut().find(|n| &n.id == number_id) else {
                    return Err(gone("The number"));
                };
                if number.default_agent_id.as_ref() != Some(agent_id) {
                    return Err(Stale(
                        "The number is no longer assigned to that agent.".to_owned(),
                    ));
                }
                number.default_agent_id = None;
            }
            Self::ReleaseNumber { number_id } => {
                let Some(at) = account.numbers.iter().position(|n| &n.id == number_id) else {
                    return Err(gone("The number"));
                };
                account.numbers.remove(at);
            }
            Self::RevokeKey { key_id, .. } => {
                let Some(at) = account
                    .publishable_keys
                    .iter()
                    .position(|k| &k.id == key_id)
                else {
                    return Err(gone("The publishable key"));
                };
                account.publishable_keys.remove(at);
            }
            Self::Publish {
                agent_id,
                draft_revision,
                note,
            } => {
                let Some(agent) = account.agent(agent_id) else {
                    return Err(gone("The agent"));
                };
                if agent.version != *draft_revision {
                    return Err(Stale(format!(
                        "The draft of {} changed since this was proposed; ask again to publish \
                         the current draft.",
                        agent.name
                    )));
                }
                let id = account.next_id("ver");
                let agent = account.agent_mut(agent_id).expect("checked above");
                let version = agent.versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
                agent.versions.push(Version {
                    id: id.clone(),
                    version,
                    note: note.clone(),
                    published_at: rfc3339(now),
                });
                agent.published_version_id = Some(id);
                agent.updated_at = rfc3339(now);
            }
            Self::Rollback {
                agent_id,
                version_id,
                from_version_id,
            } => {
                let Some(agent) = account.agent_mut(agent_id) else {
                    return Err(gone("The agent"));
                };
                if agent.published_version_id.as_ref() != Some(from_version_id) {
                    return Err(Stale(format!(
                        "{} is no longer serving the version this rollback started from.",
                        agent.name
                    )));
                }
                if !agent.versions.iter().any(|v| &v.id == version_id) {
                    return Err(gone("That version"));
                }
                agent.published_version_id = Some(version_id.clone());
                agent.updated_at = rfc3339(now);
            }
        }
        let (operation_id, method, path) = self.operation();
        let body = match self {
            Self::Publish { note, .. } => obj(json!({ "note": note })),
            Self::Rollback { version_id, .. } => obj(json!({ "versionId": version_id })),
            _ => item.args().cloned().unwrap_or_default(),
        };
        Ok(AppliedMutation {
            method: method.to_owned(),
            path,
            operation_id: Some(operation_id.to_owned()),
            summary: item.summary().map(done_summary),
            body: Some(body),
        })
    }
}

/// "Release +1 … (irreversible)" → "Released +1 …": the applied row reads as done.
fn done_summary(proposal: &str) -> String {
    let proposal = proposal.split(" (").next().unwrap_or(proposal).to_owned();
    for (verb, past) in [
        ("Delete ", "Deleted "),
        ("Remove ", "Removed "),
        ("Unassign ", "Unassigned "),
        ("Release ", "Released "),
        ("Revoke ", "Revoked "),
        ("Publish ", "Published "),
        ("Roll ", "Rolled "),
    ] {
        if let Some(rest) = proposal.strip_prefix(verb) {
            return format!("{past}{rest}");
        }
    }
    proposal
}

fn number_e164(account: &Account, number_id: &str) -> String {
    account
        .numbers
        .iter()
        .find(|n| n.id == number_id)
        .map_or_else(|| number_id.to_owned(), |n| n.e164.clone())
}

/// An edit changed the agent's draft: bump its revision (a publish proposed before the edit
/// is then stale).
pub fn touch_draft(account: &mut Account, agent_id: &str, now: OffsetDateTime) {
    if let Some(agent) = account.agent_mut(agent_id) {
        agent.version += 1;
        agent.updated_at = rfc3339(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 12:00 UTC);

    #[test]
    fn every_destructive_action_reads_back_from_its_pending_item() {
        let account = Account::seeded(NOW);
        let actions = [
            Destructive::DeleteAgent {
                agent_id: "agt_0003".into(),
            },
            Destructive::DeleteSkill {
                agent_id: "agt_0001".into(),
                skill_id: "skl_0001".into(),
            },
            Destructive::UnassignNumber {
                number_id: "num_0001".into(),
                agent_id: "agt_0001".into(),
            },
            Destructive::ReleaseNumber {
                number_id: "num_0004".into(),
            },
            Destructive::RevokeKey {
                agent_id: "agt_0001".into(),
                key_id: "pk_0002".into(),
            },
            Destructive::Publish {
                agent_id: "agt_0001".into(),
                draft_revision: 3,
                note: "n".into(),
            },
            Destructive::Rollback {
                agent_id: "agt_0001".into(),
                version_id: "ver_0001_1".into(),
                from_version_id: "ver_0001_2".into(),
            },
        ];
        for action in actions {
            let item = action.to_pending(&account);
            assert_eq!(Destructive::from_pending(&item).as_ref(), Some(&action));
            let mut copy = account.clone();
            let applied = action.execute(&mut copy, &item, NOW).expect("runs once");
            assert_ne!(copy, account, "{action:?} changed nothing");
            assert_eq!(applied.method, item.method().unwrap());
            assert_eq!(applied.path, item.path().unwrap());
            // The second run finds the account moved on.
            if !matches!(action, Destructive::Publish { .. }) {
                assert!(
                    action.execute(&mut copy, &item, NOW).is_err(),
                    "{action:?} ran twice"
                );
            }
        }
    }

    #[test]
    fn a_publish_proposed_before_an_edit_is_stale() {
        let mut account = Account::seeded(NOW);
        let publish = Destructive::Publish {
            agent_id: "agt_0001".into(),
            draft_revision: account.agent("agt_0001").unwrap().version,
            note: "x".into(),
        };
        let item = publish.to_pending(&account);
        touch_draft(&mut account, "agt_0001", NOW);
        assert!(publish.execute(&mut account, &item, NOW).is_err());
    }

    #[test]
    fn numbers_print_in_groups() {
        assert_eq!(pretty_e164("+14155554421"), "+1 415 555 4421");
        assert_eq!(pretty_e164("+442071234567"), "+442071234567");
    }
}
