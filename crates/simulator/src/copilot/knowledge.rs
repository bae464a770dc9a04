//! Knowledge: list an agent's sources, add a page (a URL source, `pending` until indexed).

use serde_json::json;

use super::Copilot;
use super::text::{table, upper_first};
use super::utterance::Utterance;
use crate::account::KnowledgeSource;
use crate::ops::{Call, touch_draft};

impl Copilot<'_> {
    pub(super) fn add_knowledge(&mut self, u: &Utterance) -> String {
        let url = u.urls.first().cloned().or_else(|| {
            u.quoted
                .iter()
                .find(|q| q.starts_with("https://") || q.starts_with("http://"))
                .cloned()
        });
        let Some(url) = url else {
            return "Which page should I add? Give me its address, e.g. *Add \
                    https://northwind-coffee.example/returns to Support Bot's knowledge*."
                .to_owned();
        };
        let agent_id = match self.agent_of(u) {
            Ok(id) => id,
            Err(question) => return question,
        };
        if let Some(existing) = self
            .account
            .knowledge_sources
            .iter()
            .find(|k| k.agent_id == agent_id && k.url.as_deref() == Some(url.as_str()))
        {
            return format!(
                "{} already has <{url}> as “{}” ({}); nothing was changed.",
                self.account.agent_name(&agent_id),
                existing.label,
                existing.status
            );
        }
        let label = u
            .quoted
            .iter()
            .find(|q| **q != url)
            .cloned()
            .unwrap_or_else(|| {
                let path = url.split("://").nth(1).unwrap_or(&url);
                let last = path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(path);
                upper_first(&last.replace(['-', '_'], " "))
            });
        let agent_name = self.account.agent_name(&agent_id);
        let id = self.account.peek_id("kns");
        let source = KnowledgeSource {
            id: id.clone(),
            agent_id: agent_id.clone(),
            kind: "url".into(),
            label: label.clone(),
            url: Some(url.clone()),
            status: "pending".into(),
        };
        let now = self.now;
        let owner = agent_id.clone();
        let ok = self.write(
            Call::new(
                "createKnowledgeSource",
                "POST",
                format!("/agents/{agent_id}/knowledge/sources"),
                "knowledge:write",
                format!("Adding {url}"),
            ),
            format!("Added the knowledge source “{label}” to {agent_name}"),
            json!({ "kind": "url", "label": label, "url": url }),
            move |account| {
                account.next_id("kns");
                account.knowledge_sources.push(source);
                touch_draft(account, &owner, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Added <{url}> to {agent_name}'s knowledge as **{label}** (`{id}`). It's `pending` \
             while Flowyte fetches and indexes the page; {agent_name} starts answering from it once \
             it's `indexed`."
        )
    }

    /// The knowledge sources of the agent named (or the page's), or of every agent.
    pub(super) fn list_knowledge(&mut self, u: &Utterance) -> String {
        let (agent, agents) = self.agents_to_list(u);
        for id in &agents {
            let ok = self.read(Call::new(
                "listKnowledgeSources",
                "GET",
                format!("/agents/{id}/knowledge/sources"),
                "knowledge:read",
                format!("Listing the knowledge of {}", self.account.agent_name(id)),
            ));
            if !ok {
                return self.last_failed_scope();
            }
        }
        let sources: Vec<&KnowledgeSource> = self
            .account
            .knowledge_sources
            .iter()
            .filter(|k| agents.contains(&k.agent_id))
            .collect();
        let whose = agent.as_deref().map_or_else(
            || "Your agents know".to_owned(),
            |a| format!("{} knows", self.account.agent_name(a)),
        );
        if sources.is_empty() {
            return format!("{whose} nothing yet: add a page with its address.");
        }
        let pending = sources.iter().filter(|k| k.status == "pending").count();
        let rows = sources.iter().map(|k| {
            vec![
                k.label.clone(),
                self.account.agent_name(&k.agent_id),
                k.kind.clone(),
                k.status.clone(),
                k.url.clone().unwrap_or_else(|| "–".to_owned()),
            ]
        });
        let mut out = format!(
            "{whose} **{} source{}**:\n\n{}",
            sources.len(),
            super::text::plural(sources.len()),
            table(
                &[
                    ("Source", false),
                    ("Agent", false),
                    ("Kind", false),
                    ("Status", false),
                    ("Address", false),
                ],
                rows
            )
        );
        if pending > 0 {
            out.push_str("\n`pending` sources are still being fetched and indexed.");
        }
        out
    }
}
