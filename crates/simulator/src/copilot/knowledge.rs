//! Knowledge: add a page (a URL source, `pending` until indexed).

use serde_json::json;

use super::Copilot;
use super::text::{quoted, upper_first};
use crate::account::KnowledgeSource;
use crate::ops::{Call, touch_draft};

impl Copilot<'_> {
    pub(super) fn add_knowledge(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let url = message
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| {
                    matches!(
                        c,
                        '<' | '>' | '(' | ')' | '"' | '“' | '”' | ',' | '.' | '!' | '?' | '\''
                    )
                })
            })
            .find(|w| w.starts_with("https://") || w.starts_with("http://"))
            .map(|w| w.trim_end_matches("'s").to_owned());
        let Some(url) = url else {
            return "Which page should I add? Give me its address, e.g. *Add \
                    https://northwind-coffee.example/returns to Support Bot's knowledge*."
                .to_owned();
        };
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
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
        let label = quoted(message).into_iter().next().unwrap_or_else(|| {
            let path = url.split("://").nth(1).unwrap_or(&url);
            let last = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(path);
            upper_first(&last.replace(['-', '_'], " "))
        });
        let agent_name = self.account.agent_name(&agent_id);
        let id = self.account.next_id("kns");
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
}
