//! Agents: list, describe, create, rename, set the greeting / tone / persona, delete.

use serde_json::json;

use super::Copilot;
use super::text::{after, cut_at, has_any, has_word, plural, quoted, table};
use crate::account::{Agent, KnowledgeSource, Skill, rfc3339};
use crate::ops::{Call, Destructive, pretty_e164, touch_draft};

impl Copilot<'_> {
    /// The agent named in the message (longest name wins), by name or id.
    pub(super) fn mentioned_agent(&self, lower: &str) -> Option<String> {
        let mut agents: Vec<&Agent> = self.account.agents.iter().collect();
        agents.sort_by_key(|a| std::cmp::Reverse(a.name.len()));
        agents
            .into_iter()
            .find(|a| lower.contains(&a.name.to_lowercase()) || lower.contains(&a.id))
            .map(|a| a.id.clone())
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

    pub(super) fn create_agent(&mut self, message: &str, lower: &str) -> String {
        let name = quoted(message)
            .into_iter()
            .next()
            .or_else(|| after(message, &[" called ", " named "]))
            .map(|n| cut_at(&n, &[" for ", " with ", " that ", ","]));
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "What should the new agent be called? For example: *Create an agent called \
                    “Front Desk”*."
                .to_owned();
        };
        if let Some(existing) = self
            .account
            .agents
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(&name))
        {
            return format!(
                "You already have an agent called **{}**, so I didn't create another. Pick a \
                 different name, or ask me to describe it.",
                existing.name
            );
        }
        let channels: Vec<&str> =
            match (has_word(lower, "chat"), has_any(lower, &["voice", "phone"])) {
                (true, false) => vec!["chat"],
                (false, true) => vec!["voice"],
                _ => vec!["voice", "chat"],
            };
        let id = self.account.next_id("agt");
        let greeting = format!("Hi, this is {name} at Northwind Coffee. How can I help?");
        let body = json!({
            "name": name,
            "persona": format!("{name}, created with the copilot. Describe what it should do."),
            "tone": "friendly",
            "greeting": greeting,
            "primaryLanguage": "en-US",
            "enabledChannels": channels,
        });
        let now = rfc3339(self.now);
        let agent = crate::account::Agent {
            id: id.clone(),
            name: name.clone(),
            persona: body["persona"].as_str().unwrap_or_default().to_owned(),
            tone: "friendly".into(),
            greeting,
            primary_language: "en-US".into(),
            enabled_channels: channels.iter().map(|c| (*c).to_owned()).collect(),
            version: 1,
            published_version_id: None,
            versions: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        let ok = self.write(
            Call::new(
                "createAgent",
                "POST",
                "/agents",
                "agents:write",
                format!("Creating {name}"),
            ),
            format!("Created the agent “{name}”"),
            body,
            |account| account.agents.push(agent),
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Created **{name}** (`{id}`) as a draft on {}.\n\nNext steps:\n\n1. Give it skills — \
             e.g. *Add an order-lookup skill to {name}*.\n2. Add knowledge it can answer from.\n3. \
             *Publish {name}* when it's ready; until then calls and chats can't reach it.",
            channels.join(" and ")
        )
    }

    pub(super) fn rename_agent(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let new_name = quoted(message)
            .into_iter()
            .last()
            .or_else(|| after(message, &[" to ", " as "]))
            .filter(|n| {
                !self
                    .account
                    .agent(&agent_id)
                    .is_some_and(|a| a.name.eq_ignore_ascii_case(n))
            });
        let Some(new_name) = new_name else {
            return "What should the new name be? For example: *Rename After-hours Line to \
                    “Night Line”*."
                .to_owned();
        };
        if self
            .account
            .agents
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(&new_name))
        {
            return format!("Another agent is already called **{new_name}**; nothing was changed.");
        }
        let old = self.account.agent_name(&agent_id);
        let now = self.now;
        let id = agent_id.clone();
        let name = new_name.clone();
        let ok = self.write(
            Call::new(
                "updateAgent",
                "PATCH",
                format!("/agents/{agent_id}"),
                "agents:write",
                format!("Renaming {old}"),
            ),
            format!("Renamed “{old}” to “{new_name}”"),
            json!({ "name": new_name }),
            move |account| {
                if let Some(agent) = account.agent_mut(&id) {
                    agent.name = name;
                }
                touch_draft(account, &id, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Renamed **{old}** to **{new_name}**. The new name is in the draft; publish it when \
             callers should hear it."
        )
    }

    pub(super) fn update_agent(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let field = ["greeting", "tone", "persona"]
            .into_iter()
            .find(|f| lower.contains(f))
            .expect("checked by the caller");
        let value = quoted(message)
            .into_iter()
            .last()
            .or_else(|| after(message, &[" to be ", " to "]));
        let Some(value) = value else {
            return format!(
                "What should the {field} be? Put it in quotes, e.g. *Set the {field} of \
                 Support Bot to “…”*."
            );
        };
        let name = self.account.agent_name(&agent_id);
        let now = self.now;
        let id = agent_id.clone();
        let new = value.clone();
        let ok = self.write(
            Call::new(
                "updateAgent",
                "PATCH",
                format!("/agents/{agent_id}"),
                "agents:write",
                format!("Updating {name}"),
            ),
            format!("Changed the {field} of “{name}”"),
            json!({ field: value }),
            move |account| {
                if let Some(agent) = account.agent_mut(&id) {
                    match field {
                        "greeting" => agent.greeting = new,
                        "tone" => agent.tone = new,
                        _ => agent.persona = new,
                    }
                }
                touch_draft(account, &id, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Updated the {field} of **{name}** to:\n\n> {value}\n\nIt's in the draft; *publish \
             {name}* to make it live."
        )
    }

    pub(super) fn delete_agent(&mut self, lower: &str, default_agent: Option<String>) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
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
