//! Publishable keys: which one a message means, list, revoke (held).

use super::Copilot;
use super::names::{Found, either, find};
use super::text::table;
use super::utterance::Utterance;
use crate::account::PublishableKey;
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

    /// The key the message means: by its name's words or its public prefix, else the only
    /// key of the agent named; a question naming the candidates otherwise.
    fn key_of(&self, u: &Utterance) -> Result<PublishableKey, String> {
        let raw = u.raw.to_lowercase();
        let keys = &self.account.publishable_keys;
        if let Some(key) = keys
            .iter()
            .find(|k| raw.contains(&k.key_public.to_lowercase()))
        {
            return Ok(key.clone());
        }
        let agent = self.agent_named(u, 0..u.words.len());
        let of_agent: Vec<&PublishableKey> = keys
            .iter()
            .filter(|k| agent.as_deref().is_none_or(|a| k.agent_id == a))
            .collect();
        let candidates = match find(u, 0..u.words.len(), of_agent.iter().copied(), |k| {
            (k.name.as_str(), k.id.as_str())
        }) {
            Found::One(key) => return Ok(key.clone()),
            Found::Several(several) => several,
            Found::Nothing if of_agent.len() == 1 && agent.is_some() => {
                return Ok(of_agent[0].clone());
            }
            Found::Nothing => of_agent,
        };
        if candidates.is_empty() {
            return Err(match agent {
                Some(a) => format!("{} has no publishable keys.", self.account.agent_name(&a)),
                None => "There are no publishable keys in this account.".to_owned(),
            });
        }
        let names: Vec<String> = candidates
            .iter()
            .map(|k| format!("**{}** ({})", k.name, self.account.agent_name(&k.agent_id)))
            .collect();
        Err(format!("Which key do you mean: {}?", either(&names)))
    }

    pub(super) fn revoke_key(&mut self, u: &Utterance) -> String {
        let key = match self.key_of(u) {
            Ok(key) => key,
            Err(question) => return question,
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
