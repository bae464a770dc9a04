//! Agents: which one a message means, list, describe, delete (held). Creating and editing
//! them is in `agent_edits`.

use std::ops::Range;

use super::Copilot;
use super::names::{Found, either, find_ranked};
use super::text::{plural, table};
use super::utterance::Utterance;
use crate::account::{Agent, KnowledgeSource, Skill};
use crate::ops::{Call, Destructive, pretty_e164};

impl Copilot<'_> {
    /// The agent the words in `range` name; else the page's agent; else a question naming
    /// the candidates. A name only hinted at ("the bot") gives way to the page's agent.
    pub(super) fn agent_in(&self, u: &Utterance, range: Range<usize>) -> Result<String, String> {
        let (found, strong) = find_ranked(u, range, &self.account.agents, |a| {
            (a.name.as_str(), a.id.as_str())
        });
        let page = u.default_agent.clone();
        match found {
            Found::One(agent) if strong || page.is_none() => Ok(agent.id.clone()),
            Found::Several(agents) if strong || page.is_none() => {
                let names: Vec<String> = agents.iter().map(|a| format!("**{}**", a.name)).collect();
                Err(format!("Which agent do you mean: {}?", either(&names)))
            }
            _ => page.ok_or_else(|| self.which_agent()),
        }
    }

    /// The agent the whole message is about.
    pub(super) fn agent_of(&self, u: &Utterance) -> Result<String, String> {
        self.agent_in(u, 0..u.words.len())
    }

    /// Like [`Copilot::agent_of`], the agent itself.
    pub(super) fn whole_agent_of(&self, u: &Utterance) -> Result<Agent, String> {
        let id = self.agent_of(u)?;
        Ok(self.account.agent(&id).expect("found agents exist").clone())
    }

    /// The agents a listing covers: the one named (or the page's), else all of them. The
    /// first is `Some` when it is one agent.
    pub(super) fn agents_to_list(&self, u: &Utterance) -> (Option<String>, Vec<String>) {
        let agent = self
            .agent_named(u, 0..u.words.len())
            .or_else(|| u.default_agent.clone());
        let all = match &agent {
            Some(id) => vec![id.clone()],
            None => self.account.agents.iter().map(|a| a.id.clone()).collect(),
        };
        (agent, all)
    }

    /// An agent the words in `range` clearly name (or "this agent" on its page), if any:
    /// for narrowing a question, never a guess.
    pub(super) fn agent_named(&self, u: &Utterance, range: Range<usize>) -> Option<String> {
        let (found, strong) = find_ranked(u, range, &self.account.agents, |a| {
            (a.name.as_str(), a.id.as_str())
        });
        match found.one() {
            Some(agent) if strong => Some(agent.id.clone()),
            _ if u.has_any(&["this agent", "this bot", "this one", "its", "for it"]) => {
                u.default_agent.clone()
            }
            _ => None,
        }
    }

    pub(super) fn which_agent(&self) -> String {
        let names: Vec<String> = self
            .account
            .agents
            .iter()
            .map(|a| format!("**{}**", a.name))
            .collect();
        format!(
            "Which agent do you mean? Name one of yours in the request: {}.",
            names.join(", ")
        )
    }

    pub(super) fn list_agents(&mut self) -> String {
        if !self.read(Call::new(
            "listAgents",
            "GET",
            "/agents",
            "agents:read",
            "Listing agents",
        )) {
            return self.last_failed_scope();
        }
        let rows: Vec<Vec<String>> = self
            .account
            .agents
            .iter()
            .map(|agent| {
                let numbers: Vec<String> = self
                    .account
                    .numbers
                    .iter()
                    .filter(|n| n.default_agent_id.as_deref() == Some(agent.id.as_str()))
                    .map(|n| pretty_e164(&n.e164))
                    .collect();
                vec![
                    agent.name.clone(),
                    match agent.published_version() {
                        Some(v) => format!("published (v{})", v.version),
                        None => "draft".to_owned(),
                    },
                    agent.enabled_channels.join(", "),
                    if numbers.is_empty() {
                        "–".to_owned()
                    } else {
                        numbers.join(", ")
                    },
                    self.account.skills_of(&agent.id).count().to_string(),
                ]
            })
            .collect();
        let mut out = format!(
            "You have **{} agents** in {}:\n\n{}",
            self.account.agents.len(),
            self.account.organization.name,
            table(
                &[
                    ("Agent", false),
                    ("Status", false),
                    ("Channels", false),
                    ("Number", false),
                    ("Skills", false)
                ],
                rows
            )
        );
        out.push_str("\nAsk me to *describe* one for its skills, knowledge and keys.");
        out
    }

    pub(super) fn describe_agent(&mut self, agent_id: &str) -> String {
        let path = format!("/agents/{agent_id}");
        if !self.read(Call::new(
            "getAgent",
            "GET",
            path.clone(),
            "agents:read",
            "Reading the agent",
        )) {
            return self.last_failed_scope();
        }
        let _ = self.read(Call::new(
            "listSkills",
            "GET",
            format!("{path}/skills"),
            "skills:read",
            "Listing its skills",
        ));
        let Some(agent) = self.account.agent(agent_id) else {
            return format!("There is no agent `{agent_id}` in this account.");
        };
        let mut out = format!("### {}\n\n{}\n\n", agent.name, agent.persona);
        match agent.published_version() {
            Some(v) => out.push_str(&format!(
                "- **Status:** published — version {} (“{}”), live since {}\n",
                v.version,
                v.note,
                &v.published_at[..10]
            )),
            None => out.push_str(
                "- **Status:** draft, never published (calls and chats can't reach it yet)\n",
            ),
        }
        out.push_str(&format!(
            "- **Channels:** {}\n- **Tone:** {}\n- **Greeting:** “{}”\n",
            agent.enabled_channels.join(", "),
            agent.tone,
            agent.greeting
        ));
        let skills: Vec<&Skill> = self.account.skills_of(agent_id).collect();
        out.push_str(&format!("\n**Skills ({})**\n\n", skills.len()));
        if skills.is_empty() {
            out.push_str("None yet.\n");
        }
        for skill in skills {
            let mut flags = vec![format!("`{}`", skill.skill_type)];
            if skill.is_write {
                flags.push("writes".into());
            }
            if skill.requires_confirmation {
                flags.push("asks the caller first".into());
            }
            if !skill.is_enabled {
                flags.push("**disabled**".into());
            }
            out.push_str(&format!(
                "- {} — {} ({})\n",
                skill.name,
                skill.description,
                flags.join(", ")
            ));
        }
        let playbooks: Vec<_> = self
            .account
            .playbooks
            .iter()
            .filter(|p| p.agent_id == agent_id)
            .collect();
        if !playbooks.is_empty() {
            out.push_str("\n**Playbooks**\n\n");
            for p in playbooks {
                out.push_str(&format!(
                    "- {} — {} steps: {}\n",
                    p.name,
                    p.steps.len(),
                    p.steps.join(" → ")
                ));
            }
        }
        let sources: Vec<&KnowledgeSource> = self
            .account
            .knowledge_sources
            .iter()
            .filter(|k| k.agent_id == agent_id)
            .collect();
        out.push_str("\n**Knowledge**\n\n");
        if sources.is_empty() {
            out.push_str("None yet.\n");
        }
        for source in sources {
            let at = source
                .url
                .as_deref()
                .map(|u| format!(" <{u}>"))
                .unwrap_or_default();
            out.push_str(&format!(
                "- {} ({}, {}){at}\n",
                source.label, source.kind, source.status
            ));
        }
        let numbers: Vec<String> = self
            .account
            .numbers
            .iter()
            .filter(|n| n.default_agent_id.as_deref() == Some(agent_id))
            .map(|n| pretty_e164(&n.e164))
            .collect();
        out.push_str(&format!(
            "\n**Numbers:** {}\n",
            if numbers.is_empty() {
                "none".to_owned()
            } else {
                numbers.join(", ")
            }
        ));
        let keys: Vec<String> = self
            .account
            .publishable_keys
            .iter()
            .filter(|k| k.agent_id == agent_id)
            .map(|k| {
                format!(
                    "{} (`{}…`)",
                    k.name,
                    &k.key_public[..20.min(k.key_public.len())]
                )
            })
            .collect();
        out.push_str(&format!(
            "\n**Publishable keys:** {}\n",
            if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            }
        ));
        out
    }

    pub(super) fn delete_agent(&mut self, u: &Utterance) -> String {
        let agent_id = match self.agent_of(u) {
            Ok(id) => id,
            Err(question) => return question,
        };
        let name = self.account.agent_name(&agent_id);
        let skills = self.account.skills_of(&agent_id).count();
        match self.propose(Destructive::DeleteAgent { agent_id }) {
            Ok(()) => format!(
                "Deleting **{name}** stops its calls and chats and removes its {skills} skill{}, \
                 knowledge and keys; its numbers become unassigned. This can't be undone, so \
                 approve it below if you're sure.",
                plural(skills)
            ),
            Err(reply) => reply,
        }
    }
}

/// What can be done to an agent, for a request that asks for something else ("turn off
/// Support Bot", with `switching`).
pub(super) fn agent_actions(name: Option<&str>, switching: bool) -> String {
    let it = name.map_or_else(|| "an agent".to_owned(), |n| format!("**{n}**"));
    let head = if switching {
        format!("An agent can't be switched off or on here, so I left {it} as it is.")
    } else {
        format!("I can't do that to {it} here.")
    };
    format!(
        "{head} I can *publish* or *roll back* a version, *rename* it, set its *greeting*, \
         *tone* or *persona*, *unassign its number* so calls stop reaching it, or *delete* it. \
         Which would you like?"
    )
}
