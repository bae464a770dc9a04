//! Which handler a message goes to. The checks run in order and the first that fits wins.

use super::text::{has_any, has_word};
use super::{Copilot, Request, help};

impl Copilot<'_> {
    pub(super) fn handle(&mut self, request: &Request<'_>) -> String {
        let message = request.message.trim();
        let lower = message.to_lowercase();
        let default_agent = request.agent_id.map(str::to_owned);

        if lower == "help" || has_any(&lower, &["what can you do", "what can i ask", "help me"]) {
            return help(None);
        }
        if has_any(&lower, &["publishable key", "widget key", " key"]) && !lower.contains("skill") {
            if has_any(&lower, &["revoke", "delete", "remove", "disable"]) {
                return self.revoke_key(&lower, default_agent);
            }
            if has_any(&lower, &["list", "show", "which", "what"]) {
                return self.list_keys();
            }
        }
        if lower.contains("skill") {
            return self.skill(message, &lower, default_agent);
        }
        if lower.contains("knowledge") || (lower.contains("http") && has_word(&lower, "add")) {
            return self.add_knowledge(message, &lower, default_agent);
        }
        if lower.contains("number") || lower.contains("ending") {
            return self.number(message, &lower);
        }
        if has_any(&lower, &["create", "make a new", "new agent", "set up a"])
            && has_any(&lower, &["agent", "bot", "assistant", "line"])
        {
            return self.create_agent(message, &lower);
        }
        if lower.starts_with("rename") || lower.contains(" rename ") {
            return self.rename_agent(message, &lower, default_agent);
        }
        if has_any(&lower, &["roll back", "rollback", "roll-back", "revert"]) {
            return self.rollback(&lower, default_agent);
        }
        if has_word(&lower, "publish") || lower.starts_with("publish") {
            return self.publish(message, &lower, default_agent);
        }
        if has_any(&lower, &["delete", "remove"]) {
            return self.delete_agent(&lower, default_agent);
        }
        if has_any(&lower, &["greeting", "tone", "persona"])
            && has_any(&lower, &["set", "change", "update", "make"])
        {
            return self.update_agent(message, &lower, default_agent);
        }
        if has_any(&lower, &["call", "conversation", "chats"]) {
            return self.calls(&lower, default_agent);
        }
        let mentioned = self.mentioned_agent(&lower);
        if (lower.contains("agents") || (lower.contains("agent") && mentioned.is_none()))
            && has_any(&lower, &["list", "show", "what", "which", "my", "all"])
        {
            return self.list_agents();
        }
        if let Some(agent_id) = mentioned.or(default_agent)
            && has_any(
                &lower,
                &[
                    "describe", "tell me", "show", "about", "detail", "what", "how is", "status",
                ],
            )
        {
            return self.describe_agent(&agent_id);
        }
        help(Some(message))
    }
}
