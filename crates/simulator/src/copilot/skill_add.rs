//! Adding a skill: its name from the request, its type, whether it writes, whether the
//! agent asks the caller first, and its one parameter, all inferred from the words.

use serde_json::json;

use super::Copilot;
use super::lexicon as lx;
use super::names::mention;
use super::text::{cut_at, has_any, upper_first};
use super::utterance::Utterance;
use crate::account::Skill;
use crate::ops::{Call, touch_draft};

impl Copilot<'_> {
    pub(super) fn add_skill(&mut self, u: &Utterance) -> String {
        let noun = u.position_of(lx::SKILL_NOUNS, 0).unwrap_or(u.words.len());
        let agent = self
            .agent_named(u, noun..u.words.len())
            .or_else(|| self.agent_named(u, 0..u.words.len()))
            .or_else(|| u.default_agent.clone())
            .map_or_else(|| self.agent_of(u), Ok);
        let agent_id = match agent {
            Ok(id) => id,
            Err(question) => return question,
        };
        let agent_id = agent_id.as_str();
        // "Add an order-lookup skill to …", "add a skill called "Refunds" to …",
        // "add a skill that books tastings to …".
        let name = u.quoted.first().cloned().or_else(|| {
            let verb = (0..noun)
                .rev()
                .find(|&i| lx::ADD.contains(&u.words[i].as_str()))
                .map_or(0, |i| i + 1);
            let words: Vec<&str> = u.words[verb..noun]
                .iter()
                .map(String::as_str)
                .filter(|w| !matches!(*w, "a" | "an" | "the" | "new" | "another" | "my"))
                .collect();
            let from_type = words.join(" ");
            let names_agent = self.account.agents.iter().any(|a| {
                let w = Utterance::new(&from_type, None);
                mention(&w, 0..w.words.len(), &a.name).is_some_and(|m| m.strong())
            });
            if !from_type.is_empty() && !names_agent {
                return Some(from_type);
            }
            // "… skill that books tastings", "… skill to Support Bot that cancels orders",
            // "… skill to look up orders for Support Bot".
            let rest = &u.words[(noun + 1).min(u.words.len())..];
            let clause = match rest
                .iter()
                .position(|w| matches!(w.as_str(), "that" | "which"))
            {
                Some(i) => &rest[i + 1..],
                None if rest.first().is_some_and(|w| w == "to") => &rest[1..],
                None => return None,
            };
            let clause = clause
                .iter()
                .skip_while(|w| matches!(w.as_str(), "it" | "can" | "will" | "lets"))
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            Some(cut_at(&format!("{clause} "), &[" to ", " for ", " on "]))
        });
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "What should the skill do? For example: *Add an order-lookup skill to Support \
                    Bot*."
                .to_owned();
        };
        let name = upper_first(&name);
        if self
            .account
            .skills_of(agent_id)
            .any(|s| s.name.eq_ignore_ascii_case(&name))
        {
            return format!(
                "{} already has a skill called **{name}**; nothing was changed.",
                self.account.agent_name(agent_id)
            );
        }
        let text = format!("{} {}", u.text(), name.to_lowercase());
        let (skill_type, is_write, confirm) =
            if has_any(&text, &["transfer", "hand off", "handoff"]) {
                ("transfer", false, false)
            } else if has_any(&text, &["sms", "text message"]) {
                ("sms", true, true)
            } else if text.contains("email") {
                ("email", true, false)
            } else if has_any(
                &text,
                &["book", "calendar", "appointment", "schedule", "tasting"],
            ) {
                ("calendar", true, true)
            } else if has_any(
                &text,
                &["lookup", "look up", "track", "status", "find", "check"],
            ) {
                ("native_rest", false, false)
            } else if has_any(&text, &["refund", "cancel", "create", "update", "order"]) {
                ("http_webhook", true, true)
            } else {
                ("http_webhook", false, false)
            };
        let (param, description) = if text.contains("order") {
            (
                "orderNumber",
                "The order number the customer reads out, e.g. #10412",
            )
        } else if has_any(&text, &["book", "appointment", "tasting"]) {
            (
                "preferredTime",
                "When the caller would like to come, in their words",
            )
        } else if text.contains("transfer") {
            ("reason", "Why the caller needs a person")
        } else {
            ("query", "What the caller asked for")
        };
        let schema = json!({
            "type": "object",
            "properties": { param: { "type": "string", "description": description } },
            "required": [param],
        });
        let agent_name = self.account.agent_name(agent_id);
        let skill_description = format!("{name} for {agent_name}'s callers.");
        let id = self.account.peek_id("skl");
        let body = json!({
            "name": name,
            "description": skill_description,
            "skillType": skill_type,
            "parametersSchema": schema,
            "isWrite": is_write,
            "requiresConfirmation": confirm,
            "isEnabled": true,
        });
        let skill = Skill {
            id: id.clone(),
            agent_id: agent_id.to_owned(),
            name: name.clone(),
            description: skill_description,
            skill_type: skill_type.to_owned(),
            is_write,
            requires_confirmation: confirm,
            is_enabled: true,
        };
        let now = self.now;
        let owner = agent_id.to_owned();
        let ok = self.write(
            Call::new(
                "createSkill",
                "POST",
                format!("/agents/{agent_id}/skills"),
                "skills:write",
                format!("Adding the skill {name}"),
            ),
            format!("Added the skill “{name}” to {agent_name}"),
            body,
            move |account| {
                account.next_id("skl");
                account.skills.push(skill);
                touch_draft(account, &owner, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        let schema_text = serde_json::to_string_pretty(&schema).expect("json value");
        format!(
            "Added **{name}** (`{id}`, type `{skill_type}`) to {agent_name}. It takes one \
             parameter:\n\n```json\n{schema_text}\n```\n\n{}Connect it to your system in the \
             skill editor, then publish {agent_name}.",
            if confirm {
                "Because it changes data, the agent will ask the caller to confirm first. "
            } else {
                ""
            }
        )
    }
}
