//! Creating an agent, renaming it, setting its greeting, tone or persona. Every edit lands in
//! the draft (publishing makes it live).

use std::ops::Range;

use serde_json::json;

use super::Copilot;
use super::intent::Field;
use super::text::{after, cut_at};
use super::utterance::Utterance;
use crate::account::rfc3339;
use crate::ops::{Call, touch_draft};

impl Copilot<'_> {
    /// Where an unquoted new value starts ("rename X *to* Night Line"): the agent is named
    /// before it. A quoted value leaves the whole message to name the agent.
    fn before_value(&self, u: &Utterance) -> Range<usize> {
        if !u.quoted.is_empty() {
            return 0..u.words.len();
        }
        if let Some(hit) = u.best(&["call it", "name it", "call … instead"]) {
            return 0..hit.at;
        }
        let end = u
            .position_of(&["to", "as", "into", "be", "should"], 1)
            .unwrap_or(u.words.len());
        0..end
    }

    pub(super) fn create_agent(&mut self, u: &Utterance) -> String {
        let name = u
            .quoted
            .first()
            .cloned()
            .or_else(|| after(&u.raw, &[" called ", " named ", " titled "]))
            .map(|n| cut_at(&n, &[" for ", " with ", " that ", ",", " on ", " to "]));
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
        let channels: Vec<&str> = match (u.has("chat"), u.has_any(&["voice", "phone"])) {
            (true, false) => vec!["chat"],
            (false, true) => vec!["voice"],
            _ => vec!["voice", "chat"],
        };
        let id = self.account.peek_id("agt");
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
            |account| {
                account.next_id("agt");
                account.agents.push(agent);
            },
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

    pub(super) fn rename_agent(&mut self, u: &Utterance) -> String {
        let agent_id = match self.agent_in(u, self.before_value(u)) {
            Ok(id) => id,
            Err(question) => return question,
        };
        let new_name = u
            .quoted
            .last()
            .cloned()
            .or_else(|| {
                after(
                    &u.raw,
                    &[
                        " to ",
                        " as ",
                        " call it ",
                        " name it ",
                        " be called ",
                        " called ",
                    ],
                )
            })
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
        let ok = self.patch_agent(
            &agent_id,
            "name",
            &new_name,
            format!("Renaming {old}"),
            format!("Renamed “{old}” to “{new_name}”"),
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Renamed **{old}** to **{new_name}**. The new name is in the draft; publish it when \
             callers should hear it."
        )
    }

    pub(super) fn update_agent(&mut self, u: &Utterance, field: Field) -> String {
        let agent_id = match self.agent_in(u, self.before_value(u)) {
            Ok(id) => id,
            Err(question) => return question,
        };
        let field = field.name();
        let value = u.quoted.last().cloned().or_else(|| {
            after(
                &u.raw,
                &[
                    " to be ",
                    " to ",
                    " should be ",
                    " should say ",
                    " as ",
                    ": ",
                ],
            )
        });
        let Some(value) = value else {
            return format!(
                "What should the {field} be? Put it in quotes, e.g. *Set the {field} of \
                 Support Bot to “…”*."
            );
        };
        let name = self.account.agent_name(&agent_id);
        let ok = self.patch_agent(
            &agent_id,
            field,
            &value,
            format!("Updating {name}"),
            format!("Changed the {field} of “{name}”"),
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Updated the {field} of **{name}** to:\n\n> {value}\n\nIt's in the draft; *publish \
             {name}* to make it live."
        )
    }

    /// `PATCH /agents/{id}` of one text field (`name`, `greeting`, `tone`, `persona`); the
    /// change lands in the draft. `false` when the key may not.
    fn patch_agent(
        &mut self,
        agent_id: &str,
        field: &'static str,
        value: &str,
        step: String,
        summary: String,
    ) -> bool {
        let now = self.now;
        let id = agent_id.to_owned();
        let new = value.to_owned();
        self.write(
            Call::new(
                "updateAgent",
                "PATCH",
                format!("/agents/{agent_id}"),
                "agents:write",
                step,
            ),
            summary,
            json!({ field: value }),
            move |account| {
                if let Some(agent) = account.agent_mut(&id) {
                    match field {
                        "name" => agent.name = new,
                        "greeting" => agent.greeting = new,
                        "tone" => agent.tone = new,
                        _ => agent.persona = new,
                    }
                }
                touch_draft(account, &id, now);
            },
        )
    }
}
