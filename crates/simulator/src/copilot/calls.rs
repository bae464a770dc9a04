//! Calls and chats: which ones failed, were transferred or abandoned, today, yesterday or
//! this week, for one agent or all; and why, grouped by the cause their summaries give.

use time::OffsetDateTime;

use super::Copilot;
use super::lexicon as lx;
use super::text::{lower_first, plural, table};
use super::utterance::Utterance;
use crate::account::{Conversation, rfc3339};
use crate::ops::Call;

/// What a summary says went wrong: the outcome, a phrase the summary uses for that cause,
/// the cause as the reply states it, and what to do about it. The seeded summaries say each
/// cause the same way (account/seed.rs).
const CAUSES: &[(&str, &str, &str, &str)] = &[
    (
        "error",
        "timed out",
        "The Track shipment skill timed out",
        "its endpoint answered too slowly; check it in the skill editor (ask me to *describe \
         Support Bot*), or disable the skill until it's fixed",
    ),
    (
        "error",
        "returned an error",
        "The Track shipment skill returned an error",
        "its endpoint refused the lookup; check the skill's URL and credentials in the skill \
         editor",
    ),
    (
        "error",
        "audio",
        "The caller's audio dropped",
        "a problem on the caller's line; nothing in the agent to change",
    ),
    (
        "transferred",
        "double charge",
        "A billing dispute (a double charge)",
        "only the shop team can refund; the transfer was right",
    ),
    (
        "transferred",
        "discount",
        "A discount above the agent's limit",
        "raise the limit in the persona if the agent should decide these itself",
    ),
    (
        "abandoned",
        "during the greeting",
        "The caller hung up during the greeting",
        "a shorter greeting may keep callers on the line",
    ),
    (
        "abandoned",
        "closed the chat",
        "The visitor left after the first answer",
        "read these chats: the first answer may not have been what they asked",
    ),
];

/// What a question about calls asks for.
struct CallQuery {
    /// `error`, `transferred`, `abandoned` or `completed`; `None` for all.
    outcome: Option<&'static str>,
    from: OffsetDateTime,
    to: OffsetDateTime,
    period: &'static str,
    agent: Option<String>,
}

/// The cause of one conversation (see [`CAUSES`]); an unknown summary is its own cause.
fn cause_of(c: &Conversation) -> (String, &'static str) {
    let summary = c.summary.to_lowercase();
    CAUSES
        .iter()
        .find(|(outcome, phrase, _, _)| *outcome == c.outcome && summary.contains(phrase))
        .map_or_else(
            || {
                let first = c.summary.split([';', '.']).next().unwrap_or(&c.summary);
                (first.trim().to_owned(), "")
            },
            |(_, _, cause, advice)| ((*cause).to_owned(), *advice),
        )
}

fn when(c: &Conversation) -> String {
    format!("{} {}", &c.started_at[5..10], &c.started_at[11..16])
}

impl Copilot<'_> {
    fn call_query(&self, u: &Utterance) -> CallQuery {
        let outcome = if u.has_any(lx::FAILED) {
            Some("error")
        } else if u.has_any(lx::TRANSFERRED) {
            Some("transferred")
        } else if u.has_any(lx::ABANDONED) {
            Some("abandoned")
        } else if u.has_any(lx::COMPLETED) {
            Some("completed")
        } else {
            None
        };
        let midnight = self.now.replace_time(time::Time::MIDNIGHT);
        let (from, to, period) = if u.has_any(lx::YESTERDAY) {
            (midnight - time::Duration::DAY, midnight, "yesterday")
        } else if u.has_any(lx::TODAY) {
            (midnight, self.now, "today")
        } else {
            (
                self.now - time::Duration::days(7),
                self.now,
                "in the last 7 days",
            )
        };
        // The page's agent narrows calls only when the person says "this agent".
        let agent = self.agent_named(u, 0..u.words.len());
        CallQuery {
            outcome,
            from,
            to,
            period,
            agent,
        }
    }

    /// Reads the period's conversations: all of them, and those with the outcome asked for.
    /// `None` when the key may not read calls.
    fn read_calls(&mut self, q: &CallQuery) -> Option<(Vec<Conversation>, Vec<Conversation>)> {
        let mut query = format!("?from={}&to={}", rfc3339(q.from), rfc3339(q.to));
        if let Some(o) = q.outcome {
            query.push_str(&format!("&outcome={o}"));
        }
        if let Some(a) = &q.agent {
            query.push_str(&format!("&agentId={a}"));
        }
        if !self.read(Call::new(
            "listConversations",
            "GET",
            format!("/conversations{query}"),
            "calls:read",
            "Reading recent conversations",
        )) {
            return None;
        }
        let (from, to) = (q.from.unix_timestamp(), q.to.unix_timestamp());
        let in_period: Vec<Conversation> = self
            .account
            .conversations
            .iter()
            .filter(|c| (from..to).contains(&c.started_unix()))
            .filter(|c| q.agent.as_deref().is_none_or(|a| c.agent_id == a))
            .cloned()
            .collect();
        let rows = in_period
            .iter()
            .filter(|c| q.outcome.is_none_or(|o| c.outcome == o))
            .cloned()
            .collect();
        Some((in_period, rows))
    }

    /// "**2 failed conversations for Support Bot yesterday**".
    fn headline(&self, q: &CallQuery, n: usize) -> String {
        let what = match q.outcome {
            Some("error") => "failed ",
            Some("transferred") => "transferred ",
            Some("abandoned") => "abandoned ",
            Some(_) => "completed ",
            None => "",
        };
        let scope = q
            .agent
            .as_deref()
            .map(|a| format!(" for {}", self.account.agent_name(a)))
            .unwrap_or_default();
        let noun = if n == 1 {
            "conversation"
        } else {
            "conversations"
        };
        format!("**{n} {what}{noun}{scope} {}**", q.period)
    }

    pub(super) fn calls(&mut self, u: &Utterance) -> String {
        let q = self.call_query(u);
        let Some((in_period, rows)) = self.read_calls(&q) else {
            return self.last_failed_scope();
        };
        let mut out = format!(
            "{} (of {} in all).\n\n",
            self.headline(&q, rows.len()),
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
                    when(c),
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
            "\n- Outcomes {}: {}\n- Average length of these: {}:{:02}\n",
            q.period,
            counts
                .iter()
                .map(|(o, n)| format!("{n} {o}"))
                .collect::<Vec<_>>()
                .join(", "),
            avg / 60,
            avg % 60
        ));
        if q.outcome.is_some_and(|o| o != "completed") {
            let causes: Vec<String> = group_by_cause(&rows)
                .iter()
                .map(|(cause, _, calls)| format!("{} × {}", calls.len(), lower_first(cause)))
                .collect();
            let why = match q.outcome {
                Some("error") => "why did calls fail",
                Some("transferred") => "why were calls transferred",
                _ => "why were calls abandoned",
            };
            out.push_str(&format!(
                "- Causes: {}. Ask *{why} {}?* for what to do about each.\n",
                causes.join(", "),
                q.period
            ));
        }
        out
    }

    /// "Why did calls fail yesterday?": the conversations of that outcome grouped by the cause
    /// their summaries give, most frequent first, with what to do about each.
    pub(super) fn call_causes(&mut self, u: &Utterance) -> String {
        let mut q = self.call_query(u);
        q.outcome = q.outcome.or(Some("error"));
        let Some((in_period, rows)) = self.read_calls(&q) else {
            return self.last_failed_scope();
        };
        let head = self.headline(&q, rows.len());
        if rows.is_empty() {
            return format!(
                "{head} (of {} in all), so there is nothing to explain.",
                in_period.len()
            );
        }
        let groups = group_by_cause(&rows);
        let mut out = format!(
            "{head} (of {} in all), for {} reason{}:\n\n",
            in_period.len(),
            groups.len(),
            plural(groups.len())
        );
        for (i, (cause, advice, calls)) in groups.iter().enumerate() {
            let list: Vec<String> = calls
                .iter()
                .take(5)
                .map(|c| format!("{} {}", when(c), self.account.agent_name(&c.agent_id)))
                .collect();
            let more = if calls.len() > 5 {
                format!(" and {} more", calls.len() - 5)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{}. **{cause}** — {} conversation{} ({}{more}).",
                i + 1,
                calls.len(),
                plural(calls.len()),
                list.join(", ")
            ));
            if !advice.is_empty() {
                out.push_str(&format!(" What to do: {advice}."));
            }
            out.push('\n');
        }
        out
    }
}

/// Conversations grouped by cause, most frequent first (then in the order first seen).
fn group_by_cause(rows: &[Conversation]) -> Vec<(String, &'static str, Vec<&Conversation>)> {
    let mut groups: Vec<(String, &'static str, Vec<&Conversation>)> = Vec::new();
    for c in rows {
        let (cause, advice) = cause_of(c);
        match groups.iter_mut().find(|(g, _, _)| *g == cause) {
            Some((_, _, calls)) => calls.push(c),
            None => groups.push((cause, advice, vec![c])),
        }
    }
    groups.sort_by_key(|(_, _, calls)| std::cmp::Reverse(calls.len()));
    groups
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::account::Account;
    use crate::copilot::{Request, Scopes, respond};

    const NOW: OffsetDateTime = datetime!(2026-11-28 15:00 UTC);

    fn ask(account: &mut Account, message: &str) -> String {
        let scopes = Scopes(
            crate::ops::ALL_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        );
        let request = Request {
            message,
            agent_id: None,
        };
        respond(account, &scopes, &request, NOW).reply
    }

    #[test]
    fn every_seeded_failure_has_a_known_cause_and_yesterday_has_two() {
        let account = Account::seeded(NOW);
        let failures: Vec<&Conversation> = account
            .conversations
            .iter()
            .filter(|c| c.outcome == "error")
            .collect();
        assert!(failures.len() >= 3);
        for c in &failures {
            assert!(!cause_of(c).1.is_empty(), "no known cause: {}", c.summary);
            assert_eq!(c.primary_topic, "order status");
        }
        let yesterday: Vec<String> = failures
            .iter()
            .filter(|c| c.started_at.starts_with("2026-11-27"))
            .map(|c| cause_of(c).0)
            .collect();
        assert_eq!(yesterday.len(), 2);
        assert_ne!(yesterday[0], yesterday[1], "two different causes yesterday");
    }

    /// Each cause the reply names, with its count, is what the summaries say: counted here
    /// from the data by the phrase each summary uses.
    #[test]
    fn why_calls_failed_groups_them_as_the_data_does() {
        for (message, from) in [
            ("why did calls fail yesterday?", "2026-11-27"),
            ("why did calls fail this week?", ""),
        ] {
            let mut account = Account::seeded(NOW);
            let reply = ask(&mut account, message);
            let week_start = (NOW - time::Duration::days(7)).unix_timestamp();
            let failed: Vec<&Conversation> = account
                .conversations
                .iter()
                .filter(|c| c.outcome == "error")
                .filter(|c| {
                    if from.is_empty() {
                        c.started_unix() >= week_start
                    } else {
                        c.started_at.starts_with(from)
                    }
                })
                .collect();
            assert!(
                reply.contains(&format!("**{} failed conversations", failed.len())),
                "{reply}"
            );
            let mut named = 0;
            for (outcome, phrase, cause, _) in CAUSES.iter().filter(|c| c.0 == "error") {
                let n = failed
                    .iter()
                    .filter(|c| c.outcome == *outcome && c.summary.to_lowercase().contains(phrase))
                    .count();
                let line = format!("**{cause}** — {n} conversation");
                assert_eq!(reply.contains(&line), n > 0, "{line} in {reply}");
                named += n;
            }
            assert_eq!(named, failed.len(), "every failure is in one group");
        }
    }

    #[test]
    fn the_failed_calls_table_states_the_causes() {
        let mut account = Account::seeded(NOW);
        let reply = ask(&mut account, "which calls failed yesterday?");
        assert!(
            reply.contains(
                "Causes: 1 × the Track shipment skill timed out, 1 × the caller's audio dropped"
            ),
            "{reply}"
        );
    }
}
