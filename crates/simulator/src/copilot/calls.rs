//! Calls and chats: which ones failed, were transferred or abandoned, today, yesterday or
//! this week, for one agent or all.

use super::Copilot;
use super::text::{has_any, table};
use crate::account::{Conversation, rfc3339};
use crate::ops::Call;

impl Copilot<'_> {
    pub(super) fn calls(&mut self, lower: &str, default_agent: Option<String>) -> String {
        let outcome = if has_any(lower, &["fail", "error", "broke", "went wrong"]) {
            Some("error")
        } else if lower.contains("transfer") {
            Some("transferred")
        } else if has_any(lower, &["abandon", "hung up", "hang up", "dropped"]) {
            Some("abandoned")
        } else if has_any(lower, &["completed", "successful", "succeeded"]) {
            Some("completed")
        } else {
            None
        };
        let midnight = self.now.replace_time(time::Time::MIDNIGHT);
        let (from, to, period) = if lower.contains("yesterday") {
            (midnight - time::Duration::DAY, midnight, "yesterday")
        } else if lower.contains("today") {
            (midnight, self.now, "today")
        } else {
            (
                self.now - time::Duration::days(7),
                self.now,
                "in the last 7 days",
            )
        };
        let agent = self.mentioned_agent(lower).or_else(|| {
            // The page's agent narrows "recent calls" only when the person says "this agent".
            default_agent.filter(|_| has_any(lower, &["this agent", "its calls", "for it"]))
        });
        let mut query = format!("?from={}&to={}", rfc3339(from), rfc3339(to));
        if let Some(o) = outcome {
            query.push_str(&format!("&outcome={o}"));
        }
        if let Some(a) = &agent {
            query.push_str(&format!("&agentId={a}"));
        }
        if !self.read(Call::new(
            "listConversations",
            "GET",
            format!("/conversations{query}"),
            "calls:read",
            "Reading recent conversations",
        )) {
            return self.last_failed_scope();
        }
        let (from, to) = (from.unix_timestamp(), to.unix_timestamp());
        let in_period: Vec<&Conversation> = self
            .account
            .conversations
            .iter()
            .filter(|c| (from..to).contains(&c.started_unix()))
            .filter(|c| agent.as_deref().is_none_or(|a| c.agent_id == a))
            .collect();
        let rows: Vec<&Conversation> = in_period
            .iter()
            .copied()
            .filter(|c| outcome.is_none_or(|o| c.outcome == o))
            .collect();
        let what = match outcome {
            Some("error") => "failed",
            Some(o) => o,
            None => "",
        };
        let scope = agent
            .as_deref()
            .map(|a| format!(" for {}", self.account.agent_name(a)))
            .unwrap_or_default();
        let noun = if rows.len() == 1 {
            "conversation"
        } else {
            "conversations"
        };
        let mut out = format!(
            "**{} {what}{}{noun}{scope} {period}** (of {} in all).\n\n",
            rows.len(),
            if what.is_empty() { "" } else { " " },
            in_period.len()
        );
        if rows.is_empty() {
            out.push_str("Nothing to review.");
            return out;
        }
        out.push_str(&table(
            &[
                ("When (UTC)", false),
                ("Agent", false),
                ("Channel", false),
                ("Length", true),
                ("Outcome", false),
                ("Summary", false),
            ],
            rows.iter().take(10).map(|c| {
                vec![
                    format!("{} {}", &c.started_at[5..10], &c.started_at[11..16]),
                    self.account.agent_name(&c.agent_id),
                    c.channel.clone(),
                    format!("{}:{:02}", c.duration_s / 60, c.duration_s % 60),
                    c.outcome.clone(),
                    c.summary.clone(),
                ]
            }),
        ));
        if rows.len() > 10 {
            out.push_str(&format!("\n…and {} more.\n", rows.len() - 10));
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for c in &in_period {
            match counts.iter_mut().find(|(o, _)| *o == c.outcome) {
                Some((_, n)) => *n += 1,
                None => counts.push((c.outcome.clone(), 1)),
            }
        }
        let total: u32 = rows.iter().map(|c| c.duration_s).sum();
        let avg = total / rows.len() as u32;
        out.push_str(&format!(
            "\n- Outcomes {period}: {}\n- Average length of these: {}:{:02}\n",
            counts
                .iter()
                .map(|(o, n)| format!("{n} {o}"))
                .collect::<Vec<_>>()
                .join(", "),
            avg / 60,
            avg % 60
        ));
        if outcome == Some("error") {
            out.push_str(
                "\nMost failures came from the order lookup: check the **Track shipment** skill's \
                 endpoint, or ask me to *describe Support Bot*.",
            );
        }
        out
    }
}
