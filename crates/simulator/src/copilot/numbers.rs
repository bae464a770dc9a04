//! Phone numbers: which one a message means (by its last digits, "toll-free", "the spare
//! one", or an agent's), list, describe, assign to an agent, unassign (held), release (held,
//! irreversible).

use std::ops::Range;

use serde_json::json;

use super::Copilot;
use super::lexicon as lx;
use super::names::either;
use super::text::table;
use super::utterance::Utterance;
use crate::account::PhoneNumber;
use crate::ops::{Call, Destructive, pretty_e164};

/// Words after which an agent is where a number goes ("… *to* Wholesale Intake").
const TOWARDS: &[&str] = &["to", "at", "for", "onto", "into", "towards"];

impl Copilot<'_> {
    /// The numbers the message means, or why none: by their last digits (at least four, or
    /// two after "ending"), else by "toll-free" or "spare"/"unassigned" within `range`, else
    /// (with `by_owner`) by the agent in `range` that answers them.
    fn numbers_in(
        &self,
        u: &Utterance,
        range: Range<usize>,
        by_owner: bool,
    ) -> Result<Vec<PhoneNumber>, String> {
        let numbers = &self.account.numbers;
        let ending = u.position_of(&["ending", "ends", "last"], 0);
        let runs: Vec<String> = u
            .digit_runs()
            .into_iter()
            // Digits never name an agent: they count wherever they are.
            .filter(|(at, d)| d.len() >= 4 || (d.len() >= 2 && ending.is_some_and(|e| e < *at)))
            .map(|(_, d)| d)
            .collect();
        if !runs.is_empty() {
            let found: Vec<PhoneNumber> = numbers
                .iter()
                .filter(|n| runs.iter().any(|d| n.e164.ends_with(d.as_str())))
                .cloned()
                .collect();
            if !found.is_empty() {
                return Ok(found);
            }
            // A slip in the digits: suggest, never act on, the near ones.
            let near: Vec<String> = numbers
                .iter()
                .filter(|n| {
                    runs.iter().any(|d| {
                        d.len() >= 4
                            && n.e164.len() >= d.len()
                            && strsim::osa_distance(&n.e164[n.e164.len() - d.len()..], d) == 1
                    })
                })
                .map(|n| format!("**{}**", pretty_e164(&n.e164)))
                .collect();
            return Err(if near.is_empty() {
                format!(
                    "I couldn't find a number ending {} in this account. Yours are {}.",
                    runs[0],
                    either(&self.number_labels(numbers.iter()))
                )
            } else {
                format!(
                    "I couldn't find a number ending {}. Did you mean {}?",
                    runs[0],
                    either(&near)
                )
            });
        }
        let inside = |phrases: &[&str]| {
            phrases
                .iter()
                .filter_map(|p| u.find(p))
                .any(|h| range.contains(&h.at))
        };
        let (found, none): (Vec<PhoneNumber>, String) = if inside(lx::TOLL_FREE) {
            (
                numbers
                    .iter()
                    .filter(|n| n.number_type == "toll_free")
                    .cloned()
                    .collect(),
                "You have no toll-free number.".to_owned(),
            )
        } else if inside(lx::UNASSIGNED) {
            (
                numbers
                    .iter()
                    .filter(|n| n.default_agent_id.is_none())
                    .cloned()
                    .collect(),
                "Every number is assigned to an agent; none is spare.".to_owned(),
            )
        } else if let Some(agent) = self.agent_named(u, range.clone()).filter(|_| by_owner) {
            (
                numbers
                    .iter()
                    .filter(|n| n.default_agent_id.as_deref() == Some(agent.as_str()))
                    .cloned()
                    .collect(),
                format!("{} has no number.", self.account.agent_name(&agent)),
            )
        } else {
            (Vec::new(), String::new())
        };
        if found.is_empty() && !none.is_empty() {
            return Err(none);
        }
        Ok(found)
    }

    /// Exactly one number, or the question to ask.
    fn number_of(
        &self,
        u: &Utterance,
        range: Range<usize>,
        by_owner: bool,
    ) -> Result<PhoneNumber, String> {
        let found = self.numbers_in(u, range, by_owner)?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(format!(
                "Which number do you mean: {}?",
                either(&self.number_labels(self.account.numbers.iter()))
            )),
            several => Err(format!(
                "Which number do you mean: {}?",
                either(&self.number_labels(several.iter()))
            )),
        }
    }

    fn number_labels<'n>(&self, numbers: impl Iterator<Item = &'n PhoneNumber>) -> Vec<String> {
        numbers
            .map(|n| {
                let agent = n
                    .default_agent_id
                    .as_deref()
                    .map_or_else(|| "unassigned".to_owned(), |a| self.account.agent_name(a));
                format!("**{}** ({agent})", pretty_e164(&n.e164))
            })
            .collect()
    }

    pub(super) fn release_number(&mut self, u: &Utterance) -> String {
        let number = match self.number_of(u, 0..u.words.len(), true) {
            Ok(number) => number,
            Err(question) => return question,
        };
        let pretty = pretty_e164(&number.e164);
        let warning = match &number.default_agent_id {
            Some(agent) => format!(
                " {} answers calls on it today; they will stop reaching it.",
                self.account.agent_name(agent)
            ),
            None => String::new(),
        };
        match self.propose(Destructive::ReleaseNumber {
            number_id: number.id.clone(),
        }) {
            Ok(()) => format!(
                "Releasing **{pretty}** hands it back to the carrier: it can't be undone and \
                 you may not get the number back.{warning} Approve it below if you're sure."
            ),
            Err(reply) => reply,
        }
    }

    pub(super) fn unassign_number(&mut self, u: &Utterance) -> String {
        let number = match self.number_of(u, 0..u.words.len(), true) {
            Ok(number) => number,
            Err(question) => return question,
        };
        let pretty = pretty_e164(&number.e164);
        let Some(agent_id) = number.default_agent_id.clone() else {
            return format!("**{pretty}** isn't assigned to any agent; nothing to do.");
        };
        match self.propose(Destructive::UnassignNumber {
            number_id: number.id.clone(),
            agent_id: agent_id.clone(),
        }) {
            Ok(()) => format!(
                "Unassigning **{pretty}** stops {} from answering it right away. Approve it \
                 below to go ahead; the number stays in your account.",
                self.account.agent_name(&agent_id)
            ),
            Err(reply) => reply,
        }
    }

    pub(super) fn assign_number(&mut self, u: &Utterance) -> String {
        let all = 0..u.words.len();
        let marker = u.words.iter().rposition(|w| TOWARDS.contains(&w.as_str()));
        let (from, to) = match marker {
            Some(m) => (0..m, m + 1..u.words.len()),
            None => (all.clone(), all.clone()),
        };
        let number = match self.number_of(u, from, marker.is_some()) {
            Ok(number) => number,
            Err(question) => return question,
        };
        let pretty = pretty_e164(&number.e164);
        let agent_id = match self.agent_in(u, to) {
            Ok(id) => id,
            Err(question) => return question,
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
        reply
    }

    /// One number (or the few the message means): who answers it and what it costs.
    pub(super) fn describe_number(&mut self, u: &Utterance) -> String {
        let found = match self.numbers_in(u, 0..u.words.len(), true) {
            Ok(found) if !found.is_empty() => found,
            Ok(_) => return self.list_numbers(),
            Err(reply) => return reply,
        };
        if !self.read_numbers() {
            return self.last_failed_scope();
        }
        let lines: Vec<String> = found
            .iter()
            .map(|n| {
                let who = n.default_agent_id.as_deref().map_or_else(
                    || "isn't assigned to any agent (calls to it aren't answered)".to_owned(),
                    |a| format!("rings **{}**", self.account.agent_name(a)),
                );
                format!(
                    "**{}** ({}, ${:.2} a month) {who}.",
                    pretty_e164(&n.e164),
                    n.number_type.replace('_', "-"),
                    n.monthly_cost
                )
            })
            .collect();
        lines.join("\n\n")
    }

    /// Reads the numbers; `false` when the key may not.
    fn read_numbers(&mut self) -> bool {
        self.read(Call::new(
            "listNumbers",
            "GET",
            "/numbers",
            "numbers:read",
            "Listing numbers",
        ))
    }

    pub(super) fn list_numbers(&mut self) -> String {
        if !self.read_numbers() {
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
