//! Skills: add one (its type and parameters inferred from the request), enable, disable,
//! require confirmation, describe, remove (held).

use serde_json::{Value, json};

use super::text::{after, cut_at, has_any, has_word, quoted, upper_first};
use super::{Copilot, help};
use crate::account::Skill;
use crate::ops::{Call, Destructive, touch_draft};

impl Copilot<'_> {
    pub(super) fn find_skill(&self, lower: &str, agent_id: Option<&str>) -> Option<Skill> {
        let mut skills: Vec<&Skill> = self
            .account
            .skills
            .iter()
            .filter(|s| agent_id.is_none_or(|a| s.agent_id == a))
            .collect();
        skills.sort_by_key(|s| std::cmp::Reverse(s.name.len()));
        skills
            .into_iter()
            .find(|s| lower.contains(&s.name.to_lowercase()))
            .cloned()
    }

    pub(super) fn skill(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let agent = self.mentioned_agent(lower).or(default_agent);
        if has_any(lower, &["remove", "delete"]) {
            let Some(skill) = self.find_skill(lower, agent.as_deref()) else {
                return self.unknown_skill(agent.as_deref());
            };
            return match self.propose(Destructive::DeleteSkill {
                agent_id: skill.agent_id.clone(),
                skill_id: skill.id.clone(),
            }) {
                Ok(()) => format!(
                    "Removing **{}** from {} can't be undone, so it needs your approval. Approve \
                     it below to remove it from the draft.",
                    skill.name,
                    self.account.agent_name(&skill.agent_id)
                ),
                Err(reply) => reply,
            };
        }
        if has_any(
            lower,
            &[
                "disable", "enable", "require", "turn off", "turn on", "update", "change",
            ],
        ) && !has_word(lower, "add")
        {
            let Some(skill) = self.find_skill(lower, agent.as_deref()) else {
                return self.unknown_skill(agent.as_deref());
            };
            let (field, value, said): (&str, Value, &str) =
                if has_any(lower, &["disable", "turn off"]) {
                    ("isEnabled", json!(false), "disabled")
                } else if has_any(lower, &["enable", "turn on"]) {
                    ("isEnabled", json!(true), "enabled")
                } else if lower.contains("require") || lower.contains("confirm") {
                    (
                        "requiresConfirmation",
                        json!(!lower.contains("not require")),
                        "updated",
                    )
                } else if let Some(description) = quoted(message).into_iter().last() {
                    ("description", json!(description), "updated")
                } else {
                    return format!(
                        "What should change on **{}**? I can enable or disable it, make it ask the \
                     caller to confirm, or set its description (in quotes).",
                        skill.name
                    );
                };
            let path = format!("/agents/{}/skills/{}", skill.agent_id, skill.id);
            let now = self.now;
            let s = skill.clone();
            let v = value.clone();
            let ok = self.write(
                Call::new(
                    "updateSkill",
                    "PATCH",
                    path,
                    "skills:write",
                    format!("Updating {}", skill.name),
                ),
                format!("Updated the skill “{}”", skill.name),
                json!({ field: value }),
                move |account| {
                    if let Some(target) = account.skills.iter_mut().find(|x| x.id == s.id) {
                        match field {
                            "isEnabled" => target.is_enabled = v.as_bool().unwrap_or(true),
                            "requiresConfirmation" => {
                                target.requires_confirmation = v.as_bool().unwrap_or(true)
                            }
                            _ => target.description = v.as_str().unwrap_or_default().to_owned(),
                        }
                    }
                    touch_draft(account, &s.agent_id, now);
                },
            );
            if !ok {
                return self.last_failed_scope();
            }
            return format!(
                "**{}** on {} is {said} (`{field}` = `{}`). The change is in the draft until you \
                 publish.",
                skill.name,
                self.account.agent_name(&skill.agent_id),
                value
            );
        }
        if has_any(lower, &["add", "create", "give", "new"]) {
            let Some(agent_id) = agent else {
                return self.which_agent();
            };
            return self.add_skill(message, lower, &agent_id);
        }
        if has_any(lower, &["list", "show", "which", "what"])
            && let Some(agent_id) = agent
        {
            return self.describe_agent(&agent_id);
        }
        help(Some(message))
    }

    pub(super) fn unknown_skill(&self, agent_id: Option<&str>) -> String {
        let names: Vec<String> = self
            .account
            .skills
            .iter()
            .filter(|s| agent_id.is_none_or(|a| s.agent_id == a))
            .map(|s| format!("**{}** ({})", s.name, self.account.agent_name(&s.agent_id)))
            .collect();
        format!(
            "I couldn't tell which skill you mean. Name it exactly; the skills are: {}.",
            names.join(", ")
        )
    }

    pub(super) fn add_skill(&mut self, message: &str, lower: &str, agent_id: &str) -> String {
        // "Add an order-lookup skill to …", "add a skill called "Refunds" to …",
        // "add a skill that books tastings to …".
        let name = quoted(message).into_iter().next().or_else(|| {
            let before = lower.split(" skill").next()?;
            let words: Vec<&str> = before
                .split_whitespace()
                .skip_while(|w| !matches!(*w, "add" | "create" | "give" | "new"))
                .skip(1)
                .filter(|w| !matches!(*w, "a" | "an" | "the" | "new" | "another"))
                .collect();
            let from_type = words.join(" ").replace('-', " ");
            if !from_type.is_empty() && self.mentioned_agent(&from_type).is_none() {
                return Some(from_type);
            }
            let that = after(lower, &[" skill that ", " skill which ", " skill to "])?;
            Some(cut_at(&that, &[" to ", " for ", " on "]))
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
        let text = format!("{lower} {}", name.to_lowercase());
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
        let id = self.account.next_id("skl");
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
