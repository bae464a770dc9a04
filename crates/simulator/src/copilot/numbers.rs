//! Phone numbers: list, assign to an agent, unassign (held), release (held, irreversible).

use serde_json::json;

use super::Copilot;
use super::text::{has_any, table};
use crate::ops::{Call, Destructive, pretty_e164};

impl Copilot<'_> {
    pub(super) fn number(&mut self, message: &str, lower: &str) -> String {
        let digits: Vec<String> = message
            .split(|c: char| !c.is_ascii_digit() && c != ' ' && c != '-' && c != '+')
            .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() >= 4)
            .collect();
        if digits.is_empty()
            || has_any(lower, &["list", "show my", "which numbers", "what numbers"])
        {
            return self.list_numbers();
        }
        let matches: Vec<_> = self
            .account
            .numbers
            .iter()
            .filter(|n| digits.iter().any(|d| n.e164.ends_with(d.as_str())))
            .cloned()
            .collect();
        let number = match matches.as_slice() {
            [one] => one.clone(),
            [] => {
                return format!(
                    "I couldn't find a number ending {} in this account.\n\n{}",
                    digits[0],
                    self.list_numbers()
                );
            }
            _ => {
                return format!(
                    "Several numbers match: {}. Give me more digits.",
                    matches
                        .iter()
                        .map(|n| pretty_e164(&n.e164))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        };
        let pretty = pretty_e164(&number.e164);
        if lower.contains("release") {
            let warning = match &number.default_agent_id {
                Some(agent) => format!(
                    " {} answers calls on it today; they will stop reaching it.",
                    self.account.agent_name(agent)
                ),
                None => String::new(),
            };
            return match self.propose(Destructive::ReleaseNumber {
                number_id: number.id.clone(),
            }) {
                Ok(()) => format!(
                    "Releasing **{pretty}** hands it back to the carrier: it can't be undone and \
                     you may not get the number back.{warning} Approve it below if you're sure."
                ),
                Err(reply) => reply,
            };
        }
        if has_any(lower, &["unassign", "detach", "disconnect", "remove"]) {
            let Some(agent_id) = number.default_agent_id.clone() else {
                return format!("**{pretty}** isn't assigned to any agent; nothing to do.");
            };
            return match self.propose(Destructive::UnassignNumber {
                number_id: number.id.clone(),
                agent_id: agent_id.clone(),
            }) {
                Ok(()) => format!(
                    "Unassigning **{pretty}** stops {} from answering it right away. Approve it \
                     below to go ahead; the number stays in your account.",
                    self.account.agent_name(&agent_id)
                ),
                Err(reply) => reply,
            };
        }
        if has_any(lower, &["assign", "route", "point", "connect", "move"]) {
            let target = lower
                .rsplit_once(" to ")
                .and_then(|(_, rest)| self.mentioned_agent(rest))
                .or_else(|| self.mentioned_agent(lower));
            let Some(agent_id) = target else {
                return self.which_agent();
            };
            let agent_name = self.account.agent_name(&agent_id);
            if number.default_agent_id.as_deref() == Some(agent_id.as_str()) {
                return format!("**{pretty}** already rings {agent_name}; nothing to do.");
            }
            let previous = number
                .default_agent_id
                .as_deref()
                .map(|a| self.account.agent_name(a));
            let id = number.id.clone();
            let to = agent_id.clone();
            let ok = self.write(
                Call::new(
                    "assignNumber",
                    "POST",
                    format!("/numbers/{}/assign", number.id),
                    "numbers:write",
                    format!("Assigning {pretty}"),
                ),
                format!("Assigned {pretty} to {agent_name}"),
                json!({ "agentId": agent_id }),
                move |account| {
                    if let Some(n) = account.numbers.iter_mut().find(|n| n.id == id) {
                        n.default_agent_id = Some(to);
                    }
                },
            );
            if !ok {
                return self.last_failed_scope();
            }
            let mut reply = format!("**{pretty}** now rings **{agent_name}**.");
            if let Some(previous) = previous {
                reply.push_str(&format!(" It was {previous}'s number before."));
            }
            if self
                .account
                .agent(&agent_id)
                .is_some_and(|a| a.published_version_id.is_none())
            {
                reply.push_str(&format!(
                    "\n\n{agent_name} isn't published yet, so callers will hear an error until \
                     you publish it."
                ));
            }
            return reply;
        }
        self.list_numbers()
    }

    pub(super) fn list_numbers(&mut self) -> String {
        if !self.read(Call::new(
            "listNumbers",
            "GET",
            "/numbers",
            "numbers:read",
            "Listing numbers",
        )) {
            return self.last_failed_scope();
        }
        let out = table(
            &[
                ("Number", false),
                ("Type", false),
                ("Agent", false),
                ("Monthly cost", true),
            ],
            self.account.numbers.iter().map(|n| {
                vec![
                    pretty_e164(&n.e164),
                    n.number_type.replace('_', "-"),
                    n.default_agent_id
                        .as_deref()
                        .map_or_else(|| "unassigned".to_owned(), |a| self.account.agent_name(a)),
                    format!("${:.2}", n.monthly_cost),
                ]
            }),
        );
        format!(
            "You have **{} numbers**:\n\n{out}",
            self.account.numbers.len()
        )
    }
}
