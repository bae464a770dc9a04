//! Publishable keys: list, revoke (held).

use super::Copilot;
use super::text::table;
use crate::ops::{Call, Destructive};

impl Copilot<'_> {
    pub(super) fn list_keys(&mut self) -> String {
        if !self.read(Call::new(
            "listPublishableKeys",
            "GET",
            "/publishable-keys",
            "pubkeys:read",
            "Listing publishable keys",
        )) {
            return self.last_failed_scope();
        }
        let out = table(
            &[
                ("Key", false),
                ("Agent", false),
                ("Allowed origins", false),
                ("Prefix", false),
            ],
            self.account.publishable_keys.iter().map(|k| {
                vec![
                    k.name.clone(),
                    self.account.agent_name(&k.agent_id),
                    k.allowed_origins.join(", "),
                    format!("`{}…`", &k.key_public[..20.min(k.key_public.len())]),
                ]
            }),
        );
        format!(
            "You have **{} publishable keys**:\n\n{out}",
            self.account.publishable_keys.len()
        )
    }

    pub(super) fn revoke_key(&mut self, lower: &str, default_agent: Option<String>) -> String {
        let mut keys = self.account.publishable_keys.clone();
        keys.sort_by_key(|k| std::cmp::Reverse(k.name.len()));
        let by_name = keys.iter().find(|k| {
            lower.contains(&k.name.to_lowercase()) || lower.contains(&k.key_public.to_lowercase())
        });
        let key = match by_name {
            Some(key) => key.clone(),
            None => {
                let agent = self.mentioned_agent(lower).or(default_agent);
                let of_agent: Vec<_> = keys
                    .iter()
                    .filter(|k| agent.as_deref().is_none_or(|a| k.agent_id == a))
                    .collect();
                match of_agent.as_slice() {
                    [one] => (*one).clone(),
                    _ => {
                        return format!(
                            "Which key? Name it: {}.",
                            of_agent
                                .iter()
                                .map(|k| format!(
                                    "**{}** ({})",
                                    k.name,
                                    self.account.agent_name(&k.agent_id)
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                }
            }
        };
        match self.propose(Destructive::RevokeKey {
            agent_id: key.agent_id.clone(),
            key_id: key.id.clone(),
        }) {
            Ok(()) => format!(
                "Revoking **{}** takes effect immediately: every widget using it ({}) stops \
                 working at once. Approve it below to revoke it.",
                key.name,
                key.allowed_origins.join(", ")
            ),
            Err(reply) => reply,
        }
    }
}
