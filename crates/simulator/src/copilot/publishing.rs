//! Publishing: publish the draft (held), roll back to an earlier version (held).

use super::Copilot;
use super::text::plural;
use super::utterance::Utterance;
use crate::ops::Destructive;

impl Copilot<'_> {
    pub(super) fn publish(&mut self, u: &Utterance) -> String {
        let agent = match self.whole_agent_of(u) {
            Ok(agent) => agent,
            Err(question) => return question,
        };
        let agent_id = agent.id.clone();
        let note = u
            .quoted
            .first()
            .cloned()
            .unwrap_or_else(|| "Published from the copilot".to_owned());
        let skills = self.account.skills_of(&agent_id).count();
        match self.propose(Destructive::Publish {
            agent_id,
            draft_revision: agent.version,
            note,
        }) {
            Ok(()) => format!(
                "Publishing makes the current draft of **{}** live on {} at once ({} skill{}). \
                 {} Approve it below to publish.",
                agent.name,
                agent.enabled_channels.join(" and "),
                skills,
                plural(skills),
                match agent.published_version() {
                    Some(v) => format!(
                        "It replaces version {} for every new call and chat.",
                        v.version
                    ),
                    None => "It's the first version callers will reach.".to_owned(),
                }
            ),
            Err(reply) => reply,
        }
    }

    pub(super) fn rollback(&mut self, u: &Utterance) -> String {
        let agent = match self.whole_agent_of(u) {
            Ok(agent) => agent,
            Err(question) => return question,
        };
        let agent_id = agent.id.clone();
        let Some(current) = agent.published_version().cloned() else {
            return format!(
                "**{}** has never been published, so there is nothing to roll back.",
                agent.name
            );
        };
        // "version 1", "v1", "version one".
        let wanted = u.words.iter().enumerate().find_map(|(i, w)| {
            let digits = match w.strip_prefix('v') {
                Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => d,
                _ if w == "version" => u.words.get(i + 1)?.as_str(),
                _ => return None,
            };
            digits.parse::<u32>().ok().or(match digits {
                "one" => Some(1),
                "two" => Some(2),
                "three" => Some(3),
                _ => None,
            })
        });
        let target = match wanted {
            Some(n) => agent.versions.iter().find(|v| v.version == n),
            None => agent
                .versions
                .iter()
                .filter(|v| v.version < current.version)
                .max_by_key(|v| v.version),
        };
        let Some(target) = target.cloned() else {
            return format!(
                "**{}** has no version {} to roll back to. Its versions: {}.",
                agent.name,
                wanted.map_or_else(|| "before the live one".to_owned(), |n| n.to_string()),
                agent
                    .versions
                    .iter()
                    .map(|v| format!("v{}", v.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        if target.id == current.id {
            return format!(
                "**{}** is already serving version {}.",
                agent.name, target.version
            );
        }
        match self.propose(Destructive::Rollback {
            agent_id,
            version_id: target.id.clone(),
            from_version_id: current.id.clone(),
        }) {
            Ok(()) => format!(
                "Rolling **{}** back re-points every new call and chat from version {} to \
                 version {} (“{}”, published {}). Your draft stays as it is. Approve it below to \
                 roll back.",
                agent.name,
                current.version,
                target.version,
                target.note,
                &target.published_at[..10]
            ),
            Err(reply) => reply,
        }
    }
}
