//! From what a message asks for (`intent`) to the handler that does it.

use super::agents::agent_actions;
use super::help::greeting;
use super::intent::{Intent, Resource};
use super::skills::SkillChange;
use super::utterance::Utterance;
use super::{Copilot, help};

impl Copilot<'_> {
    pub(super) fn handle(&mut self, u: &Utterance) -> String {
        let intent = self.intent(u);
        if u.asks_how()
            && let Some((what, example, held)) = intent.how()
        {
            let wait = if held {
                " Nothing happens until you approve it on the card I show you."
            } else {
                ""
            };
            return format!("To {what}, say for example *{example}*.{wait}");
        }
        match intent {
            Intent::Help => help(None),
            Intent::Greet => greeting(&self.account.organization.name),
            Intent::Thank => {
                "Glad to help! Anything else? (Say *help* for what I can do.)".to_owned()
            }
            Intent::Affirm => "To approve an action, use **Approve** on its card: a typed “yes” \
                               approves nothing. Anything else?"
                .to_owned(),
            Intent::Decline => "All right, I won't. Nothing was changed.".to_owned(),
            Intent::ListAgents => self.list_agents(),
            Intent::DescribeAgent => match self.agent_of(u) {
                Ok(id) => self.describe_agent(&id),
                Err(question) => question,
            },
            Intent::CreateAgent => self.create_agent(u),
            Intent::RenameAgent => self.rename_agent(u),
            Intent::SetField(field) => self.update_agent(u, field),
            Intent::DeleteAgent => self.delete_agent(u),
            Intent::Publish => self.publish(u),
            Intent::Rollback => self.rollback(u),
            Intent::ListSkills => self.list_skills(u),
            Intent::DescribeSkill => self.describe_skill(u),
            Intent::AddSkill => self.add_skill(u),
            Intent::EnableSkill(on) => self.change_skill(u, SkillChange::Enabled(on)),
            Intent::SkillConfirmation(on) => self.change_skill(u, SkillChange::Confirmation(on)),
            Intent::SkillDescription => self.change_skill(u, SkillChange::Description),
            Intent::RemoveSkill => self.remove_skill(u),
            Intent::ListKnowledge => self.list_knowledge(u),
            Intent::AddKnowledge => self.add_knowledge(u),
            Intent::ListNumbers => self.list_numbers(),
            Intent::DescribeNumber => self.describe_number(u),
            Intent::AssignNumber => self.assign_number(u),
            Intent::UnassignNumber => self.unassign_number(u),
            Intent::ReleaseNumber => self.release_number(u),
            Intent::ListKeys => self.list_keys(),
            Intent::RevokeKey => self.revoke_key(u),
            Intent::Calls => self.calls(u),
            Intent::CallCauses => self.call_causes(u),
            Intent::Unsupported(resource) => self.unsupported(u, resource),
            Intent::Unknown => help(Some(&u.raw)),
        }
    }

    /// What the copilot can do with `resource`, for a request it has no action for.
    fn unsupported(&self, u: &Utterance, resource: Resource) -> String {
        let can = match resource {
            Resource::Agent => {
                let agent = self
                    .agent_named(u, 0..u.words.len())
                    .map(|id| self.account.agent_name(&id));
                let switching = u.has_any(super::lexicon::DISABLE);
                return agent_actions(agent.as_deref(), switching);
            }
            Resource::Key => {
                "list your publishable keys or revoke one (with your approval); creating or \
                 changing keys is for the dashboard"
            }
            Resource::Skill => {
                "add one, enable or disable it, make it ask the caller first (or stop), set its \
                 description, or remove it"
            }
            Resource::Knowledge => {
                "add a page by its address, or list an agent's sources; removing or re-indexing \
                 a source is for the dashboard"
            }
            Resource::Number => "list them, assign one to an agent, unassign it, or release it",
            Resource::Calls => {
                "read them: which failed, were transferred or abandoned, when, and why"
            }
        };
        let what = match resource {
            Resource::Key => "publishable keys",
            Resource::Skill => "skills",
            Resource::Knowledge => "knowledge",
            Resource::Number => "numbers",
            Resource::Calls => "calls",
            Resource::Agent => unreachable!("answered above"),
        };
        format!("I can't do that here. With {what} I can {can}. Which would you like?")
    }
}
