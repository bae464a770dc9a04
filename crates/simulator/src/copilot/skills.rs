//! Skills: which one a message means, list, describe, enable, disable, require
//! confirmation, set the description, remove (held). Adding one is in `skill_add`.

use serde_json::{Value, json};

use super::Copilot;
use super::names::{Found, either, find};
use super::text::table;
use super::utterance::Utterance;
use crate::account::Skill;
use crate::ops::{Call, Destructive, touch_draft};

fn by_name(s: &Skill) -> (&str, &str) {
    (s.name.as_str(), s.id.as_str())
}

/// A change to one field of a skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SkillChange {
    Enabled(bool),
    Confirmation(bool),
    Description,
}

impl Copilot<'_> {
    /// The skill the message means: among the named agent's skills (or the page's agent's),
    /// else among all; a question naming the candidates when several fit or none does.
    pub(super) fn skill_of(&self, u: &Utterance) -> Result<Skill, String> {
        let all = 0..u.words.len();
        let named_agent = self.agent_named(u, all.clone());
        let scope = named_agent.clone().or_else(|| u.default_agent.clone());
        let skills = &self.account.skills;
        let mut found = find(
            u,
            all.clone(),
            skills
                .iter()
                .filter(|s| scope.as_deref().is_none_or(|a| s.agent_id == a)),
            by_name,
        );
        if found == Found::Nothing && scope.is_some() {
            found = find(u, all, skills, by_name);
            if let (Found::One(skill), Some(agent)) = (&found, &named_agent) {
                let owner = self.account.agent_name(&skill.agent_id);
                return Err(format!(
                    "**{}** is a skill of {owner}, not {}. Do you mean {owner}'s **{}**? Name \
                     {owner} in the request to go ahead.",
                    skill.name,
                    self.account.agent_name(agent),
                    skill.name,
                ));
            }
        }
        match found {
            Found::One(skill) => Ok(skill.clone()),
            Found::Several(several) => {
                let mixed = several.iter().any(|s| s.agent_id != several[0].agent_id);
                let names: Vec<String> =
                    several.iter().map(|s| self.skill_label(s, mixed)).collect();
                Err(format!("Which skill do you mean: {}?", either(&names)))
            }
            Found::Nothing => {
                let candidates: Vec<String> = skills
                    .iter()
                    .filter(|s| scope.as_deref().is_none_or(|a| s.agent_id == a))
                    .map(|s| self.skill_label(s, scope.is_none()))
                    .collect();
                Err(match &scope {
                    Some(agent) if candidates.is_empty() => format!(
                        "{} has no skills yet. Add one with e.g. *Add an order-lookup skill*.",
                        self.account.agent_name(agent)
                    ),
                    Some(agent) => format!(
                        "Which skill of {} do you mean: {}?",
                        self.account.agent_name(agent),
                        either(&candidates)
                    ),
                    None => format!("Which skill do you mean: {}?", either(&candidates)),
                })
            }
        }
    }

    /// "**Track shipment**", with its agent when several agents' skills are named together.
    fn skill_label(&self, skill: &Skill, with_agent: bool) -> String {
        if with_agent {
            format!(
                "**{}** ({})",
                skill.name,
                self.account.agent_name(&skill.agent_id)
            )
        } else {
            format!("**{}**", skill.name)
        }
    }

    /// Reads the skills of `agent_id`; `false` when the key may not.
    fn read_skills(&mut self, agent_id: &str) -> bool {
        self.read(Call::new(
            "listSkills",
            "GET",
            format!("/agents/{agent_id}/skills"),
            "skills:read",
            format!(
                "Listing the skills of {}",
                self.account.agent_name(agent_id)
            ),
        ))
    }

    /// The skills of the agent named (or the page's), or of every agent.
    pub(super) fn list_skills(&mut self, u: &Utterance) -> String {
        let (agent, agents) = self.agents_to_list(u);
        for id in &agents {
            if !self.read_skills(id) {
                return self.last_failed_scope();
            }
        }
        let skills: Vec<&Skill> = self
            .account
            .skills
            .iter()
            .filter(|s| agents.contains(&s.agent_id))
            .collect();
        let whose = agent.as_deref().map_or_else(
            || "Your agents have".to_owned(),
            |a| format!("{} has", self.account.agent_name(a)),
        );
        if skills.is_empty() {
            return format!("{whose} no skills yet.");
        }
        let rows = skills.iter().map(|s| {
            vec![
                s.name.clone(),
                self.account.agent_name(&s.agent_id),
                format!("`{}`", s.skill_type),
                if s.is_enabled { "on" } else { "**off**" }.to_owned(),
                if s.requires_confirmation { "yes" } else { "no" }.to_owned(),
            ]
        });
        format!(
            "{whose} **{} skill{}**:\n\n{}",
            skills.len(),
            super::text::plural(skills.len()),
            table(
                &[
                    ("Skill", false),
                    ("Agent", false),
                    ("Type", false),
                    ("Enabled", false),
                    ("Asks the caller first", false),
                ],
                rows
            )
        )
    }

    pub(super) fn describe_skill(&mut self, u: &Utterance) -> String {
        let skill = match self.skill_of(u) {
            Ok(skill) => skill,
            Err(question) => return question,
        };
        if !self.read_skills(&skill.agent_id) {
            return self.last_failed_scope();
        }
        format!(
            "**{}** ({}) — {}\n\n- **Type:** `{}`{}\n- **Enabled:** {}\n- **Asks the caller \
             first:** {}",
            skill.name,
            self.account.agent_name(&skill.agent_id),
            skill.description,
            skill.skill_type,
            if skill.is_write {
                " (changes data)"
            } else {
                " (reads only)"
            },
            if skill.is_enabled { "yes" } else { "no" },
            if skill.requires_confirmation {
                "yes"
            } else {
                "no"
            },
        )
    }

    pub(super) fn remove_skill(&mut self, u: &Utterance) -> String {
        let skill = match self.skill_of(u) {
            Ok(skill) => skill,
            Err(question) => return question,
        };
        match self.propose(Destructive::DeleteSkill {
            agent_id: skill.agent_id.clone(),
            skill_id: skill.id.clone(),
        }) {
            Ok(()) => format!(
                "Removing **{}** from {} can't be undone, so it needs your approval. Approve it \
                 below to remove it from the draft.",
                skill.name,
                self.account.agent_name(&skill.agent_id)
            ),
            Err(reply) => reply,
        }
    }

    /// Enables or disables a skill, makes it ask the caller first (or not), or sets its
    /// description: one `PATCH` of one field, none when it already holds that value.
    pub(super) fn change_skill(&mut self, u: &Utterance, change: SkillChange) -> String {
        let skill = match self.skill_of(u) {
            Ok(skill) => skill,
            Err(question) => return question,
        };
        let (field, value, said): (&str, Value, &str) = match change {
            SkillChange::Enabled(on) => (
                "isEnabled",
                json!(on),
                if on { "enabled" } else { "disabled" },
            ),
            SkillChange::Confirmation(on) => ("requiresConfirmation", json!(on), "updated"),
            SkillChange::Description => match u.quoted.last() {
                Some(text) => ("description", json!(text), "updated"),
                None => {
                    return format!(
                        "What should the description of **{}** say? Put it in quotes.",
                        skill.name
                    );
                }
            },
        };
        let current = match change {
            SkillChange::Enabled(_) => json!(skill.is_enabled),
            SkillChange::Confirmation(_) => json!(skill.requires_confirmation),
            SkillChange::Description => json!(skill.description),
        };
        let agent = self.account.agent_name(&skill.agent_id);
        if current == value {
            let already = match change {
                SkillChange::Enabled(_) => format!("is already {said}"),
                SkillChange::Confirmation(true) => "already asks the caller first".to_owned(),
                SkillChange::Confirmation(false) => {
                    "already runs without asking the caller first".to_owned()
                }
                SkillChange::Description => "already has that description".to_owned(),
            };
            return format!("**{}** on {agent} {already}; nothing changed.", skill.name);
        }
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
        format!(
            "**{}** on {agent} is {said} (`{field}` = `{value}`). The change is in the draft \
             until you publish.",
            skill.name,
        )
    }
}
