//! The account the simulator's copilot works on: the resources of one organisation, seeded
//! with data that looks like a real small business, and the operations that change them.
//!
//! Field names follow Flowyte's public docs (camelCase, `shared/contract/flowyte-docs-notes.md`
//! §5). The whole account serialises to JSON, which is what `--state FILE` keeps.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

mod seed;

/// One organisation's resources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub organization: Organization,
    pub agents: Vec<Agent>,
    pub skills: Vec<Skill>,
    pub playbooks: Vec<Playbook>,
    pub knowledge_sources: Vec<KnowledgeSource>,
    pub numbers: Vec<PhoneNumber>,
    pub publishable_keys: Vec<PublishableKey>,
    pub webhooks: Vec<Webhook>,
    pub conversations: Vec<Conversation>,
    /// The last number handed out per id prefix, so new ids never repeat.
    pub next_ids: std::collections::BTreeMap<String, u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub persona: String,
    pub tone: String,
    pub greeting: String,
    pub primary_language: String,
    pub enabled_channels: Vec<String>,
    /// The draft's version number (edits change the draft only).
    pub version: u32,
    /// The version phone and chat serve; `None` for an agent never published.
    pub published_version_id: Option<String>,
    pub versions: Vec<Version>,
    pub created_at: String,
    pub updated_at: String,
}

impl Agent {
    pub fn status(&self) -> &'static str {
        if self.published_version_id.is_some() {
            "published"
        } else {
            "draft"
        }
    }

    pub fn published_version(&self) -> Option<&Version> {
        let id = self.published_version_id.as_deref()?;
        self.versions.iter().find(|v| v.id == id)
    }
}

/// A published, frozen copy of an agent's draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub id: String,
    pub version: u32,
    pub note: String,
    pub published_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skill {
    pub id: String,
    pub agent_id: String,
    pub name: String,
    pub description: String,
    pub skill_type: String,
    pub is_write: bool,
    pub requires_confirmation: bool,
    pub is_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Playbook {
    pub id: String,
    pub agent_id: String,
    pub name: String,
    pub description: String,
    /// The steps, in order (gather → confirm → act).
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnowledgeSource {
    pub id: String,
    pub agent_id: String,
    /// `url`, `file`, `text` or `faq`.
    pub kind: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `pending` until indexed.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    pub id: String,
    pub e164: String,
    pub provider: String,
    /// `local` or `toll_free`.
    pub number_type: String,
    pub default_agent_id: Option<String>,
    pub monthly_cost: f64,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishableKey {
    pub id: String,
    pub agent_id: String,
    pub name: String,
    pub key_public: String,
    pub allowed_origins: Vec<String>,
    pub rate_limit_rpm: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub is_active: bool,
}

/// One past call or chat, as Observe lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: String,
    pub agent_id: String,
    pub channel: String,
    pub started_at: String,
    pub duration_s: u32,
    pub caller_number: String,
    /// `completed`, `transferred`, `abandoned` or `error`.
    pub outcome: String,
    pub primary_topic: String,
    pub summary: String,
    pub sentiment_score: f32,
}

impl Conversation {
    /// Seconds since the Unix epoch when the conversation started (0 if the stored time is
    /// not RFC 3339).
    pub fn started_unix(&self) -> i64 {
        OffsetDateTime::parse(&self.started_at, &Rfc3339).map_or(0, |t| t.unix_timestamp())
    }
}

/// RFC 3339 text for a time, to the second.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .expect("a UTC time always formats as RFC 3339")
}

impl Account {
    /// The id [`Account::next_id`] will hand out next, without handing it out (a change that
    /// is refused must not use up an id).
    pub fn peek_id(&self, prefix: &str) -> String {
        let n = self.next_ids.get(prefix).copied().unwrap_or(0) + 1;
        format!("{prefix}_{n:04}")
    }

    /// Hands out the next id with `prefix`, e.g. `agt_0005`.
    pub fn next_id(&mut self, prefix: &str) -> String {
        let n = self.next_ids.entry(prefix.to_owned()).or_insert(0);
        *n += 1;
        format!("{prefix}_{n:04}")
    }

    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub fn agent_mut(&mut self, id: &str) -> Option<&mut Agent> {
        self.agents.iter_mut().find(|a| a.id == id)
    }

    pub fn agent_name(&self, id: &str) -> String {
        self.agent(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    pub fn skills_of<'a>(&'a self, agent_id: &'a str) -> impl Iterator<Item = &'a Skill> + 'a {
        self.skills.iter().filter(move |s| s.agent_id == agent_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_seed_looks_like_a_small_business() {
        let account = Account::seeded(datetime!(2026-11-28 15:30 UTC));
        assert_eq!(account.agents.len(), 4);
        assert!(account.agents.iter().any(|a| a.status() == "published"));
        assert!(account.agents.iter().any(|a| a.status() == "draft"));
        assert_eq!(account.conversations.len(), 50);
        let yesterday: Vec<_> = account
            .conversations
            .iter()
            .filter(|c| c.started_at.starts_with("2026-11-27"))
            .collect();
        assert_eq!(yesterday.len(), 8);
        assert_eq!(yesterday.iter().filter(|c| c.outcome == "error").count(), 2);
        assert!(account.conversations.iter().all(|c| c.started_unix() > 0));
        assert!(
            account
                .conversations
                .iter()
                .all(|c| c.started_at.as_str() <= "2026-11-28T15:30:00Z")
        );
    }

    #[test]
    fn the_seed_is_the_same_every_time_for_the_same_clock() {
        let now = datetime!(2026-11-28 00:10 UTC);
        assert_eq!(Account::seeded(now), Account::seeded(now));
    }

    #[test]
    fn ids_never_repeat() {
        let mut account = Account::seeded(datetime!(2026-11-28 12:00 UTC));
        assert_eq!(account.peek_id("agt"), "agt_0005");
        assert_eq!(account.next_id("agt"), "agt_0005");
        assert_eq!(account.next_id("agt"), "agt_0006");
    }
}
