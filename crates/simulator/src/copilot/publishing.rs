//! Publishing: publish the draft (held), roll back to an earlier version (held).

use super::Copilot;
use super::text::{plural, quoted};
use crate::ops::Destructive;

impl Copilot<'_> {
    pub(super) fn publish(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let agent = self
            .account
            .agent(&agent_id)
            .expect("mentioned agents exist")
            .clone();
        let note = quoted(message)
            .into_iter()
            .next()
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

    pub(super) fn rollback(&mut self, lower: &str, default_agent: Option<String>) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let agent = self
            .account
            .agent(&agent_id)
            .expect("mentioned agents exist")
            .clone();
        let Some(current) = agent.published_version().cloned() else {
            return format!(
                "**{}** has never been published, so there is nothing to roll back.",
                agent.name
            );
        };
        let wanted = lower.split("version").nth(1).and_then(|rest| {
            rest.trim()
                .trim_start_matches('v')
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u32>()
                .ok()
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
