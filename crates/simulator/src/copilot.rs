//! The deterministic copilot: reads a plain-English request, calls the account's operations
//! (applying non-destructive changes at once, proposing destructive ones), and writes a
//! markdown reply. The recognised requests are listed in the crate's README and in
//! [`EXAMPLES`]; anything else gets a reply listing them.

use std::collections::BTreeSet;

use assist_protocol::{AppliedMutation, PendingConfirmation};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::account::{Account, Agent, Conversation, KnowledgeSource, Skill, rfc3339};
use crate::ops::{Call, Destructive, pretty_e164, touch_draft};

/// One request of each kind the copilot understands (the panel's empty state suggests some).
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "List my agents",
        "a table of agents with status, channels, number and skills",
    ),
    (
        "Describe Support Bot",
        "an agent's persona, skills, knowledge, numbers and keys",
    ),
    (
        "Create an agent called “Front Desk”",
        "a new draft agent (add “for chat” or “for voice”)",
    ),
    (
        "Rename After-hours Line to “Night Line”",
        "renames an agent",
    ),
    (
        "Set the greeting of Support Bot to “Hello from Northwind!”",
        "also: tone, persona",
    ),
    (
        "Add an order-lookup skill to Support Bot",
        "a skill, its type and parameters inferred",
    ),
    (
        "Disable the Send SMS receipt skill on Support Bot",
        "also: enable, require confirmation for",
    ),
    (
        "Remove the Track shipment skill from Support Bot",
        "held for approval",
    ),
    (
        "Add https://northwind-coffee.example/returns to Support Bot's knowledge",
        "a URL knowledge source",
    ),
    (
        "Assign the number ending 7730 to Wholesale Intake",
        "routes a number to an agent",
    ),
    ("Unassign the number ending 0188", "held for approval"),
    (
        "Release the number ending 4421",
        "held for approval; irreversible",
    ),
    ("List my numbers", "numbers, types, costs and agents"),
    (
        "Revoke the Staging widget key",
        "a publishable key; held for approval",
    ),
    ("Publish Support Bot", "held for approval"),
    (
        "Roll back Support Bot",
        "to the previous version, or “to version 1”; held for approval",
    ),
    ("Delete the Wholesale Intake agent", "held for approval"),
    (
        "Which calls failed yesterday?",
        "also: transferred, abandoned, today, this week, for one agent",
    ),
    (
        "Summarise recent calls for Sales Assistant",
        "the last 7 days, with outcomes and topics",
    ),
];

/// What a turn did: the operations it called, what it proposes, and its reply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Turn {
    pub steps: Vec<Step>,
    pub confirmations: Vec<PendingConfirmation>,
    pub reply: String,
}

impl Turn {
    pub fn mutations(&self) -> Vec<AppliedMutation> {
        self.steps
            .iter()
            .filter_map(|s| s.mutation.clone())
            .collect()
    }
}

/// One operation the copilot called, and how it went.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub call: Call,
    pub ok: bool,
    pub mutation: Option<AppliedMutation>,
}

/// A key's scopes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scopes(pub BTreeSet<String>);

impl Scopes {
    pub fn has(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }
}

/// Where a request came from.
pub struct Request<'a> {
    pub message: &'a str,
    /// The agent the request is about by default: the path's agent for
    /// `/agents/{id}/assist`, else `context.agentId` when it names an agent.
    pub agent_id: Option<&'a str>,
}

/// Works on one turn.
struct Copilot<'a> {
    account: &'a mut Account,
    scopes: &'a Scopes,
    now: OffsetDateTime,
    turn: Turn,
}

/// Carries out `request` on `account`.
pub fn respond(
    account: &mut Account,
    scopes: &Scopes,
    request: &Request<'_>,
    now: OffsetDateTime,
) -> Turn {
    let mut copilot = Copilot {
        account,
        scopes,
        now,
        turn: Turn::default(),
    };
    copilot.turn.reply = copilot.handle(request);
    copilot.turn
}

/// Runs approved items (already matched against what was issued). An item whose target moved
/// on is reported, not run.
pub fn run_confirmed(
    account: &mut Account,
    scopes: &Scopes,
    items: &[(Destructive, PendingConfirmation)],
    now: OffsetDateTime,
) -> Turn {
    let mut copilot = Copilot {
        account,
        scopes,
        now,
        turn: Turn::default(),
    };
    let mut lines = Vec::new();
    for (action, item) in items {
        let call = action.call(item);
        if !copilot.allowed(&call) {
            lines.push(format!(
                "- Could not {}: this API key lacks the `{}` scope.",
                lower_first(item.summary().unwrap_or("run it")),
                call.scope
            ));
            continue;
        }
        match action.execute(copilot.account, item, now) {
            Ok(mutation) => {
                lines.push(format!(
                    "- {}.",
                    mutation.summary.as_deref().unwrap_or("Done")
                ));
                copilot.turn.steps.push(Step {
                    call,
                    ok: true,
                    mutation: Some(mutation),
                });
            }
            Err(stale) => {
                lines.push(format!(
                    "- Did not {}: {}",
                    lower_first(item.summary().unwrap_or("run it")),
                    stale.0
                ));
                copilot.turn.steps.push(Step {
                    call,
                    ok: false,
                    mutation: None,
                });
            }
        }
    }
    let done = copilot.turn.steps.iter().filter(|s| s.ok).count();
    copilot.turn.reply = format!(
        "Approved and carried out {done} of {} action{}:\n\n{}",
        items.len(),
        plural(items.len()),
        lines.join("\n")
    );
    copilot.turn
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// Text in double quotes (straight or curly), in order.
fn quoted(message: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for ch in message.chars() {
        match (&mut current, ch) {
            (None, '"' | '“') => current = Some(String::new()),
            (Some(text), '"' | '”') => {
                let text = text.trim().to_owned();
                if !text.is_empty() {
                    found.push(text);
                }
                current = None;
            }
            (Some(text), c) => text.push(c),
            (None, _) => {}
        }
    }
    found
}

/// The words after the first of `markers` (e.g. " called "), up to the end of the sentence.
fn after(message: &str, markers: &[&str]) -> Option<String> {
    let lower = message.to_lowercase();
    markers.iter().find_map(|marker| {
        let at = lower.find(marker)? + marker.len();
        let rest = message.get(at..)?;
        let text = rest
            .trim()
            .trim_end_matches(['.', '!', '?'])
            .trim_matches(['"', '“', '”'])
            .trim();
        (!text.is_empty()).then(|| text.to_owned())
    })
}

fn has_any(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| lower.contains(w))
}

/// Does `lower` contain `word` as a whole word?
fn has_word(lower: &str, word: &str) -> bool {
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|w| w == word)
}

impl Copilot<'_> {
    fn allowed(&self, call: &Call) -> bool {
        self.scopes.has(call.scope)
    }

    /// Records a read. `false` (and a failed step) when the key lacks its scope.
    fn read(&mut self, call: Call) -> bool {
        let ok = self.allowed(&call);
        self.turn.steps.push(Step {
            call,
            ok,
            mutation: None,
        });
        ok
    }

    /// Applies a change through `apply`, recording the mutation. `false` when the key lacks
    /// the scope (nothing changes).
    fn write(
        &mut self,
        call: Call,
        summary: String,
        body: Value,
        apply: impl FnOnce(&mut Account),
    ) -> bool {
        if !self.allowed(&call) {
            self.turn.steps.push(Step {
                call,
                ok: false,
                mutation: None,
            });
            return false;
        }
        apply(self.account);
        let mutation = AppliedMutation {
            method: call.method.to_owned(),
            path: call.path.clone(),
            operation_id: Some(call.operation_id.to_owned()),
            summary: Some(summary),
            body: match body {
                Value::Object(map) => Some(map),
                _ => None,
            },
        };
        self.turn.steps.push(Step {
            call,
            ok: true,
            mutation: Some(mutation),
        });
        true
    }

    /// Proposes a destructive action. The key must hold its scope now too: the copilot
    /// never asks for an approval it could not act on.
    fn propose(&mut self, action: Destructive) -> Result<(), String> {
        if !self.scopes.has(action.scope()) {
            return Err(self.missing_scope(action.scope()));
        }
        let item = action.to_pending(self.account);
        self.turn.confirmations.push(item);
        Ok(())
    }

    fn missing_scope(&self, scope: &str) -> String {
        format!(
            "I can't do that with this API key: it lacks the `{scope}` scope. Ask an account \
             owner for a key that holds it (Dashboard → Developer)."
        )
    }

    fn last_failed_scope(&self) -> String {
        let scope = self
            .turn
            .steps
            .iter()
            .rev()
            .find(|s| !s.ok)
            .map_or("", |s| s.call.scope);
        self.missing_scope(scope)
    }

    fn handle(&mut self, request: &Request<'_>) -> String {
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

    /// The agent named in the message (longest name wins), by name or id.
    fn mentioned_agent(&self, lower: &str) -> Option<String> {
        let mut agents: Vec<&Agent> = self.account.agents.iter().collect();
        agents.sort_by_key(|a| std::cmp::Reverse(a.name.len()));
        agents
            .into_iter()
            .find(|a| lower.contains(&a.name.to_lowercase()) || lower.contains(&a.id))
            .map(|a| a.id.clone())
    }

    fn which_agent(&self) -> String {
        let names: Vec<String> = self
            .account
            .agents
            .iter()
            .map(|a| format!("**{}**", a.name))
            .collect();
        format!(
            "Which agent do you mean? Name one of yours in the request: {}.",
            names.join(", ")
        )
    }

    fn list_agents(&mut self) -> String {
        if !self.read(Call::new(
            "listAgents",
            "GET",
            "/agents",
            "agents:read",
            "Listing agents",
        )) {
            return self.last_failed_scope();
        }
        let rows: Vec<Vec<String>> = self
            .account
            .agents
            .iter()
            .map(|agent| {
                let numbers: Vec<String> = self
                    .account
                    .numbers
                    .iter()
                    .filter(|n| n.default_agent_id.as_deref() == Some(agent.id.as_str()))
                    .map(|n| pretty_e164(&n.e164))
                    .collect();
                vec![
                    agent.name.clone(),
                    match agent.published_version() {
                        Some(v) => format!("published (v{})", v.version),
                        None => "draft".to_owned(),
                    },
                    agent.enabled_channels.join(", "),
                    if numbers.is_empty() {
                        "–".to_owned()
                    } else {
                        numbers.join(", ")
                    },
                    self.account.skills_of(&agent.id).count().to_string(),
                ]
            })
            .collect();
        let mut out = format!(
            "You have **{} agents** in {}:\n\n{}",
            self.account.agents.len(),
            self.account.organization.name,
            table(
                &[
                    ("Agent", false),
                    ("Status", false),
                    ("Channels", false),
                    ("Number", false),
                    ("Skills", false)
                ],
                rows
            )
        );
        out.push_str("\nAsk me to *describe* one for its skills, knowledge and keys.");
        out
    }

    fn describe_agent(&mut self, agent_id: &str) -> String {
        let path = format!("/agents/{agent_id}");
        if !self.read(Call::new(
            "getAgent",
            "GET",
            path.clone(),
            "agents:read",
            "Reading the agent",
        )) {
            return self.last_failed_scope();
        }
        let _ = self.read(Call::new(
            "listSkills",
            "GET",
            format!("{path}/skills"),
            "skills:read",
            "Listing its skills",
        ));
        let Some(agent) = self.account.agent(agent_id) else {
            return format!("There is no agent `{agent_id}` in this account.");
        };
        let mut out = format!("### {}\n\n{}\n\n", agent.name, agent.persona);
        match agent.published_version() {
            Some(v) => out.push_str(&format!(
                "- **Status:** published — version {} (“{}”), live since {}\n",
                v.version,
                v.note,
                &v.published_at[..10]
            )),
            None => out.push_str(
                "- **Status:** draft, never published (calls and chats can't reach it yet)\n",
            ),
        }
        out.push_str(&format!(
            "- **Channels:** {}\n- **Tone:** {}\n- **Greeting:** “{}”\n",
            agent.enabled_channels.join(", "),
            agent.tone,
            agent.greeting
        ));
        let skills: Vec<&Skill> = self.account.skills_of(agent_id).collect();
        out.push_str(&format!("\n**Skills ({})**\n\n", skills.len()));
        if skills.is_empty() {
            out.push_str("None yet.\n");
        }
        for skill in skills {
            let mut flags = vec![format!("`{}`", skill.skill_type)];
            if skill.is_write {
                flags.push("writes".into());
            }
            if skill.requires_confirmation {
                flags.push("asks the caller first".into());
            }
            if !skill.is_enabled {
                flags.push("**disabled**".into());
            }
            out.push_str(&format!(
                "- {} — {} ({})\n",
                skill.name,
                skill.description,
                flags.join(", ")
            ));
        }
        let playbooks: Vec<_> = self
            .account
            .playbooks
            .iter()
            .filter(|p| p.agent_id == agent_id)
            .collect();
        if !playbooks.is_empty() {
            out.push_str("\n**Playbooks**\n\n");
            for p in playbooks {
                out.push_str(&format!(
                    "- {} — {} steps: {}\n",
                    p.name,
                    p.steps.len(),
                    p.steps.join(" → ")
                ));
            }
        }
        let sources: Vec<&KnowledgeSource> = self
            .account
            .knowledge_sources
            .iter()
            .filter(|k| k.agent_id == agent_id)
            .collect();
        out.push_str("\n**Knowledge**\n\n");
        if sources.is_empty() {
            out.push_str("None yet.\n");
        }
        for source in sources {
            let at = source
                .url
                .as_deref()
                .map(|u| format!(" <{u}>"))
                .unwrap_or_default();
            out.push_str(&format!(
                "- {} ({}, {}){at}\n",
                source.label, source.kind, source.status
            ));
        }
        let numbers: Vec<String> = self
            .account
            .numbers
            .iter()
            .filter(|n| n.default_agent_id.as_deref() == Some(agent_id))
            .map(|n| pretty_e164(&n.e164))
            .collect();
        out.push_str(&format!(
            "\n**Numbers:** {}\n",
            if numbers.is_empty() {
                "none".to_owned()
            } else {
                numbers.join(", ")
            }
        ));
        let keys: Vec<String> = self
            .account
            .publishable_keys
            .iter()
            .filter(|k| k.agent_id == agent_id)
            .map(|k| {
                format!(
                    "{} (`{}…`)",
                    k.name,
                    &k.key_public[..20.min(k.key_public.len())]
                )
            })
            .collect();
        out.push_str(&format!(
            "\n**Publishable keys:** {}\n",
            if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            }
        ));
        out
    }

    fn create_agent(&mut self, message: &str, lower: &str) -> String {
        let name = quoted(message)
            .into_iter()
            .next()
            .or_else(|| after(message, &[" called ", " named "]))
            .map(|n| cut_at(&n, &[" for ", " with ", " that ", ","]));
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "What should the new agent be called? For example: *Create an agent called \
                    “Front Desk”*."
                .to_owned();
        };
        if let Some(existing) = self
            .account
            .agents
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(&name))
        {
            return format!(
                "You already have an agent called **{}**, so I didn't create another. Pick a \
                 different name, or ask me to describe it.",
                existing.name
            );
        }
        let channels: Vec<&str> =
            match (has_word(lower, "chat"), has_any(lower, &["voice", "phone"])) {
                (true, false) => vec!["chat"],
                (false, true) => vec!["voice"],
                _ => vec!["voice", "chat"],
            };
        let id = self.account.next_id("agt");
        let greeting = format!("Hi, this is {name} at Northwind Coffee. How can I help?");
        let body = json!({
            "name": name,
            "persona": format!("{name}, created with the copilot. Describe what it should do."),
            "tone": "friendly",
            "greeting": greeting,
            "primaryLanguage": "en-US",
            "enabledChannels": channels,
        });
        let now = rfc3339(self.now);
        let agent = crate::account::Agent {
            id: id.clone(),
            name: name.clone(),
            persona: body["persona"].as_str().unwrap_or_default().to_owned(),
            tone: "friendly".into(),
            greeting,
            primary_language: "en-US".into(),
            enabled_channels: channels.iter().map(|c| (*c).to_owned()).collect(),
            version: 1,
            published_version_id: None,
            versions: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
        };
        let ok = self.write(
            Call::new(
                "createAgent",
                "POST",
                "/agents",
                "agents:write",
                format!("Creating {name}"),
            ),
            format!("Created the agent “{name}”"),
            body,
            |account| account.agents.push(agent),
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Created **{name}** (`{id}`) as a draft on {}.\n\nNext steps:\n\n1. Give it skills — \
             e.g. *Add an order-lookup skill to {name}*.\n2. Add knowledge it can answer from.\n3. \
             *Publish {name}* when it's ready; until then calls and chats can't reach it.",
            channels.join(" and ")
        )
    }

    fn rename_agent(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let new_name = quoted(message)
            .into_iter()
            .last()
            .or_else(|| after(message, &[" to ", " as "]))
            .filter(|n| {
                !self
                    .account
                    .agent(&agent_id)
                    .is_some_and(|a| a.name.eq_ignore_ascii_case(n))
            });
        let Some(new_name) = new_name else {
            return "What should the new name be? For example: *Rename After-hours Line to \
                    “Night Line”*."
                .to_owned();
        };
        if self
            .account
            .agents
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(&new_name))
        {
            return format!("Another agent is already called **{new_name}**; nothing was changed.");
        }
        let old = self.account.agent_name(&agent_id);
        let now = self.now;
        let id = agent_id.clone();
        let name = new_name.clone();
        let ok = self.write(
            Call::new(
                "updateAgent",
                "PATCH",
                format!("/agents/{agent_id}"),
                "agents:write",
                format!("Renaming {old}"),
            ),
            format!("Renamed “{old}” to “{new_name}”"),
            json!({ "name": new_name }),
            move |account| {
                if let Some(agent) = account.agent_mut(&id) {
                    agent.name = name;
                }
                touch_draft(account, &id, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Renamed **{old}** to **{new_name}**. The new name is in the draft; publish it when \
             callers should hear it."
        )
    }

    fn update_agent(
        &mut self,
        message: &str,
        lower: &str,
        default_agent: Option<String>,
    ) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let field = ["greeting", "tone", "persona"]
            .into_iter()
            .find(|f| lower.contains(f))
            .expect("checked by the caller");
        let value = quoted(message)
            .into_iter()
            .last()
            .or_else(|| after(message, &[" to be ", " to "]));
        let Some(value) = value else {
            return format!(
                "What should the {field} be? Put it in quotes, e.g. *Set the {field} of \
                 Support Bot to “…”*."
            );
        };
        let name = self.account.agent_name(&agent_id);
        let now = self.now;
        let id = agent_id.clone();
        let new = value.clone();
        let ok = self.write(
            Call::new(
                "updateAgent",
                "PATCH",
                format!("/agents/{agent_id}"),
                "agents:write",
                format!("Updating {name}"),
            ),
            format!("Changed the {field} of “{name}”"),
            json!({ field: value }),
            move |account| {
                if let Some(agent) = account.agent_mut(&id) {
                    match field {
                        "greeting" => agent.greeting = new,
                        "tone" => agent.tone = new,
                        _ => agent.persona = new,
                    }
                }
                touch_draft(account, &id, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        format!(
            "Updated the {field} of **{name}** to:\n\n> {value}\n\nIt's in the draft; *publish \
             {name}* to make it live."
        )
    }

    fn find_skill(&self, lower: &str, agent_id: Option<&str>) -> Option<Skill> {
        let mut skills: Vec<&Skill> = self
            .account
            .skills
            .iter()
            .filter(|s| agent_id.is_none_or(|a| s.agent_id == a))
            .collect();
        skills.sort_by_key(|s| std::cmp::Reverse(s.name.len()));
        skills
            .into_iter()
            .find(|s| lower.contains(&s.name.to_lowercase()))
            .cloned()
    }

    fn skill(&mut self, message: &str, lower: &str, default_agent: Option<String>) -> String {
        let agent = self.mentioned_agent(lower).or(default_agent);
        if has_any(lower, &["remove", "delete"]) {
            let Some(skill) = self.find_skill(lower, agent.as_deref()) else {
                return self.unknown_skill(agent.as_deref());
            };
            return match self.propose(Destructive::DeleteSkill {
                agent_id: skill.agent_id.clone(),
                skill_id: skill.id.clone(),
            }) {
                Ok(()) => format!(
                    "Removing **{}** from {} can't be undone, so it needs your approval. Approve \
                     it below to remove it from the draft.",
                    skill.name,
                    self.account.agent_name(&skill.agent_id)
                ),
                Err(reply) => reply,
            };
        }
        if has_any(
            lower,
            &[
                "disable", "enable", "require", "turn off", "turn on", "update", "change",
            ],
        ) && !has_word(lower, "add")
        {
            let Some(skill) = self.find_skill(lower, agent.as_deref()) else {
                return self.unknown_skill(agent.as_deref());
            };
            let (field, value, said): (&str, Value, &str) =
                if has_any(lower, &["disable", "turn off"]) {
                    ("isEnabled", json!(false), "disabled")
                } else if has_any(lower, &["enable", "turn on"]) {
                    ("isEnabled", json!(true), "enabled")
                } else if lower.contains("require") || lower.contains("confirm") {
                    (
                        "requiresConfirmation",
                        json!(!lower.contains("not require")),
                        "updated",
                    )
                } else if let Some(description) = quoted(message).into_iter().last() {
                    ("description", json!(description), "updated")
                } else {
                    return format!(
                        "What should change on **{}**? I can enable or disable it, make it ask the \
                     caller to confirm, or set its description (in quotes).",
                        skill.name
                    );
                };
            let path = format!("/agents/{}/skills/{}", skill.agent_id, skill.id);
            let now = self.now;
            let s = skill.clone();
            let v = value.clone();
            let ok = self.write(
                Call::new(
                    "updateSkill",
                    "PATCH",
                    path,
                    "skills:write",
                    format!("Updating {}", skill.name),
                ),
                format!("Updated the skill “{}”", skill.name),
                json!({ field: value }),
                move |account| {
                    if let Some(target) = account.skills.iter_mut().find(|x| x.id == s.id) {
                        match field {
                            "isEnabled" => target.is_enabled = v.as_bool().unwrap_or(true),
                            "requiresConfirmation" => {
                                target.requires_confirmation = v.as_bool().unwrap_or(true)
                            }
                            _ => target.description = v.as_str().unwrap_or_default().to_owned(),
                        }
                    }
                    touch_draft(account, &s.agent_id, now);
                },
            );
            if !ok {
                return self.last_failed_scope();
            }
            return format!(
                "**{}** on {} is {said} (`{field}` = `{}`). The change is in the draft until you \
                 publish.",
                skill.name,
                self.account.agent_name(&skill.agent_id),
                value
            );
        }
        if has_any(lower, &["add", "create", "give", "new"]) {
            let Some(agent_id) = agent else {
                return self.which_agent();
            };
            return self.add_skill(message, lower, &agent_id);
        }
        if has_any(lower, &["list", "show", "which", "what"])
            && let Some(agent_id) = agent
        {
            return self.describe_agent(&agent_id);
        }
        help(Some(message))
    }

    fn unknown_skill(&self, agent_id: Option<&str>) -> String {
        let names: Vec<String> = self
            .account
            .skills
            .iter()
            .filter(|s| agent_id.is_none_or(|a| s.agent_id == a))
            .map(|s| format!("**{}** ({})", s.name, self.account.agent_name(&s.agent_id)))
            .collect();
        format!(
            "I couldn't tell which skill you mean. Name it exactly; the skills are: {}.",
            names.join(", ")
        )
    }

    fn add_skill(&mut self, message: &str, lower: &str, agent_id: &str) -> String {
        // "Add an order-lookup skill to …", "add a skill called "Refunds" to …",
        // "add a skill that books tastings to …".
        let name = quoted(message).into_iter().next().or_else(|| {
            let before = lower.split(" skill").next()?;
            let words: Vec<&str> = before
                .split_whitespace()
                .skip_while(|w| !matches!(*w, "add" | "create" | "give" | "new"))
                .skip(1)
                .filter(|w| !matches!(*w, "a" | "an" | "the" | "new" | "another"))
                .collect();
            let from_type = words.join(" ").replace('-', " ");
            if !from_type.is_empty() && self.mentioned_agent(&from_type).is_none() {
                return Some(from_type);
            }
            let that = after(lower, &[" skill that ", " skill which ", " skill to "])?;
            Some(cut_at(&that, &[" to ", " for ", " on "]))
        });
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "What should the skill do? For example: *Add an order-lookup skill to Support \
                    Bot*."
                .to_owned();
        };
        let name = upper_first(&name);
        if self
            .account
            .skills_of(agent_id)
            .any(|s| s.name.eq_ignore_ascii_case(&name))
        {
            return format!(
                "{} already has a skill called **{name}**; nothing was changed.",
                self.account.agent_name(agent_id)
            );
        }
        let text = format!("{lower} {}", name.to_lowercase());
        let (skill_type, is_write, confirm) =
            if has_any(&text, &["transfer", "hand off", "handoff"]) {
                ("transfer", false, false)
            } else if has_any(&text, &["sms", "text message"]) {
                ("sms", true, true)
            } else if text.contains("email") {
                ("email", true, false)
            } else if has_any(
                &text,
                &["book", "calendar", "appointment", "schedule", "tasting"],
            ) {
                ("calendar", true, true)
            } else if has_any(
                &text,
                &["lookup", "look up", "track", "status", "find", "check"],
            ) {
                ("native_rest", false, false)
            } else if has_any(&text, &["refund", "cancel", "create", "update", "order"]) {
                ("http_webhook", true, true)
            } else {
                ("http_webhook", false, false)
            };
        let (param, description) = if text.contains("order") {
            (
                "orderNumber",
                "The order number the customer reads out, e.g. #10412",
            )
        } else if has_any(&text, &["book", "appointment", "tasting"]) {
            (
                "preferredTime",
                "When the caller would like to come, in their words",
            )
        } else if text.contains("transfer") {
            ("reason", "Why the caller needs a person")
        } else {
            ("query", "What the caller asked for")
        };
        let schema = json!({
            "type": "object",
            "properties": { param: { "type": "string", "description": description } },
            "required": [param],
        });
        let agent_name = self.account.agent_name(agent_id);
        let skill_description = format!("{name} for {agent_name}'s callers.");
        let id = self.account.next_id("skl");
        let body = json!({
            "name": name,
            "description": skill_description,
            "skillType": skill_type,
            "parametersSchema": schema,
            "isWrite": is_write,
            "requiresConfirmation": confirm,
            "isEnabled": true,
        });
        let skill = Skill {
            id: id.clone(),
            agent_id: agent_id.to_owned(),
            name: name.clone(),
            description: skill_description,
            skill_type: skill_type.to_owned(),
            is_write,
            requires_confirmation: confirm,
            is_enabled: true,
        };
        let now = self.now;
        let owner = agent_id.to_owned();
        let ok = self.write(
            Call::new(
                "createSkill",
                "POST",
                format!("/agents/{agent_id}/skills"),
                "skills:write",
                format!("Adding the skill {name}"),
            ),
            format!("Added the skill “{name}” to {agent_name}"),
            body,
            move |account| {
                account.skills.push(skill);
                touch_draft(account, &owner, now);
            },
        );
        if !ok {
            return self.last_failed_scope();
        }
        let schema_text = serde_json::to_string_pretty(&schema).expect("json value");
        format!(
            "Added **{name}** (`{id}`, type `{skill_type}`) to {agent_name}. It takes one \
             parameter:\n\n```json\n{schema_text}\n```\n\n{}Connect it to your system in the \
             skill editor, then publish {agent_name}.",
            if confirm {
                "Because it changes data, the agent will ask the caller to confirm first. "
            } else {
                ""
            }
        )
    }

    fn add_knowledge(
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

    fn number(&mut self, message: &str, lower: &str) -> String {
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

    fn list_numbers(&mut self) -> String {
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

    fn list_keys(&mut self) -> String {
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

    fn revoke_key(&mut self, lower: &str, default_agent: Option<String>) -> String {
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

    fn publish(&mut self, message: &str, lower: &str, default_agent: Option<String>) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let agent = self
            .account
            .agent(&agent_id)
            .expect("mentioned agents exist")
            .clone();
        let note = quoted(message)
            .into_iter()
            .next()
            .unwrap_or_else(|| "Published from the copilot".to_owned());
        let skills = self.account.skills_of(&agent_id).count();
        match self.propose(Destructive::Publish {
            agent_id,
            draft_revision: agent.version,
            note,
        }) {
            Ok(()) => format!(
                "Publishing makes the current draft of **{}** live on {} at once ({} skill{}). \
                 {} Approve it below to publish.",
                agent.name,
                agent.enabled_channels.join(" and "),
                skills,
                plural(skills),
                match agent.published_version() {
                    Some(v) => format!(
                        "It replaces version {} for every new call and chat.",
                        v.version
                    ),
                    None => "It's the first version callers will reach.".to_owned(),
                }
            ),
            Err(reply) => reply,
        }
    }

    fn rollback(&mut self, lower: &str, default_agent: Option<String>) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let agent = self
            .account
            .agent(&agent_id)
            .expect("mentioned agents exist")
            .clone();
        let Some(current) = agent.published_version().cloned() else {
            return format!(
                "**{}** has never been published, so there is nothing to roll back.",
                agent.name
            );
        };
        let wanted = lower.split("version").nth(1).and_then(|rest| {
            rest.trim()
                .trim_start_matches('v')
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u32>()
                .ok()
        });
        let target = match wanted {
            Some(n) => agent.versions.iter().find(|v| v.version == n),
            None => agent
                .versions
                .iter()
                .filter(|v| v.version < current.version)
                .max_by_key(|v| v.version),
        };
        let Some(target) = target.cloned() else {
            return format!(
                "**{}** has no version {} to roll back to. Its versions: {}.",
                agent.name,
                wanted.map_or_else(|| "before the live one".to_owned(), |n| n.to_string()),
                agent
                    .versions
                    .iter()
                    .map(|v| format!("v{}", v.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        if target.id == current.id {
            return format!(
                "**{}** is already serving version {}.",
                agent.name, target.version
            );
        }
        match self.propose(Destructive::Rollback {
            agent_id,
            version_id: target.id.clone(),
            from_version_id: current.id.clone(),
        }) {
            Ok(()) => format!(
                "Rolling **{}** back re-points every new call and chat from version {} to \
                 version {} (“{}”, published {}). Your draft stays as it is. Approve it below to \
                 roll back.",
                agent.name,
                current.version,
                target.version,
                target.note,
                &target.published_at[..10]
            ),
            Err(reply) => reply,
        }
    }

    fn delete_agent(&mut self, lower: &str, default_agent: Option<String>) -> String {
        let Some(agent_id) = self.mentioned_agent(lower).or(default_agent) else {
            return self.which_agent();
        };
        let name = self.account.agent_name(&agent_id);
        let skills = self.account.skills_of(&agent_id).count();
        match self.propose(Destructive::DeleteAgent { agent_id }) {
            Ok(()) => format!(
                "Deleting **{name}** stops its calls and chats and removes its {skills} skill{}, \
                 knowledge and keys; its numbers become unassigned. This can't be undone, so \
                 approve it below if you're sure.",
                plural(skills)
            ),
            Err(reply) => reply,
        }
    }

    fn calls(&mut self, lower: &str, default_agent: Option<String>) -> String {
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

/// A markdown table. `columns` are `(title, right-aligned)`. Every cell is escaped, so a `|`
/// or a line break in a name cannot break the table.
fn table(columns: &[(&str, bool)], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells
            .map(|c| c.replace('|', "\\|").replace(['\n', '\r'], " "))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(&mut columns.iter().map(|(title, _)| (*title).to_owned()));
    let rule: Vec<&str> = columns
        .iter()
        .map(|(_, right)| if *right { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in rows {
        out.push_str(&line(&mut row.into_iter()));
    }
    out
}

/// Cuts `text` at the first of `markers`.
fn cut_at(text: &str, markers: &[&str]) -> String {
    let lower = text.to_lowercase();
    let end = markers
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(text.len());
    text[..end]
        .trim()
        .trim_end_matches(['.', '!', '?'])
        .to_owned()
}

fn upper_first(s: &str) -> String {
    let mut chars = s.trim().chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The reply to a request the copilot does not understand (or to "help").
pub fn help(unrecognised: Option<&str>) -> String {
    let mut out = match unrecognised {
        Some(_) => "I'm not sure what you'd like me to do. I'm the local simulator's copilot and \
                    understand requests like these:\n\n"
            .to_owned(),
        None => "Here's what I can do in this account:\n\n".to_owned(),
    };
    for (example, what) in EXAMPLES {
        out.push_str(&format!("- *{example}* — {what}\n"));
    }
    out.push_str(
        "\nOne request per message works best. Destructive actions always wait for your approval.",
    );
    out
}

/// Makes `context.agentId` usable as the default agent when it names one.
pub fn context_agent<'a>(
    account: &Account,
    context: Option<&'a Map<String, Value>>,
) -> Option<&'a str> {
    let id = context?.get("agentId")?.as_str()?;
    account.agent(id).map(|_| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 15:00 UTC);

    fn all() -> Scopes {
        Scopes(
            crate::ops::ALL_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        )
    }

    fn ask(account: &mut Account, message: &str) -> Turn {
        respond(
            account,
            &all(),
            &Request {
                message,
                agent_id: None,
            },
            NOW,
        )
    }

    #[test]
    fn every_documented_example_is_understood() {
        for (example, _) in EXAMPLES {
            let mut account = Account::seeded(NOW);
            let turn = ask(&mut account, example);
            assert!(
                !turn.reply.starts_with("I'm not sure") && !turn.reply.starts_with("Which"),
                "{example}: {}",
                turn.reply
            );
            assert!(
                !turn.steps.is_empty() || !turn.confirmations.is_empty(),
                "{example} called nothing: {}",
                turn.reply
            );
        }
    }

    #[test]
    fn an_order_lookup_skill_is_a_read_with_an_order_number() {
        let mut account = Account::seeded(NOW);
        let turn = ask(&mut account, "add an order-lookup skill to Support Bot");
        let mutations = turn.mutations();
        assert_eq!(mutations.len(), 1);
        let body = mutations[0].body.as_ref().unwrap();
        assert_eq!(body["name"], "Order lookup");
        assert_eq!(body["skillType"], "native_rest");
        assert_eq!(body["parametersSchema"]["required"][0], "orderNumber");
        assert_eq!(mutations[0].path, "/agents/agt_0001/skills");
        assert!(turn.reply.contains("```json"));
        assert!(account.skills.iter().any(|s| s.name == "Order lookup"));
    }

    #[test]
    fn destructive_requests_change_nothing_until_confirmed() {
        for message in [
            "release the number ending 4421",
            "unassign the number ending 0188",
            "revoke the Staging widget key",
            "publish Support Bot",
            "roll back Support Bot",
            "delete the Wholesale Intake agent",
            "remove the Track shipment skill from Support Bot",
        ] {
            let mut account = Account::seeded(NOW);
            let before = account.clone();
            let turn = ask(&mut account, message);
            assert_eq!(account, before, "{message} changed the account");
            assert_eq!(turn.confirmations.len(), 1, "{message}: {}", turn.reply);
            assert!(turn.mutations().is_empty());
        }
    }

    #[test]
    fn yesterdays_failed_calls_are_a_table() {
        let mut account = Account::seeded(NOW);
        let turn = ask(&mut account, "which calls failed yesterday?");
        assert!(
            turn.reply
                .starts_with("**2 failed conversations yesterday** (of 8 in all)"),
            "{}",
            turn.reply
        );
        assert_eq!(turn.reply.matches("| error |").count(), 2);
        assert!(turn.steps[0].call.path.contains("outcome=error"));
    }

    #[test]
    fn a_key_without_the_scope_gets_an_explanation_and_no_change() {
        let mut account = Account::seeded(NOW);
        let before = account.clone();
        let mut scopes = all();
        scopes.0.remove("numbers:write");
        let assign = respond(
            &mut account,
            &scopes,
            &Request {
                message: "assign the number ending 7730 to Sales Assistant",
                agent_id: None,
            },
            NOW,
        );
        assert!(assign.reply.contains("`numbers:write`"), "{}", assign.reply);
        assert!(!assign.steps[0].ok);
        let release = respond(
            &mut account,
            &scopes,
            &Request {
                message: "release the number ending 4421",
                agent_id: None,
            },
            NOW,
        );
        assert!(release.confirmations.is_empty());
        assert_eq!(account, before);
    }

    #[test]
    fn a_pipe_in_a_name_does_not_break_a_table() {
        let mut account = Account::seeded(NOW);
        ask(&mut account, "create an agent called \"Front | Back\"");
        let reply = ask(&mut account, "list my agents").reply;
        let row = reply.lines().find(|l| l.contains("Front")).unwrap();
        assert_eq!(row, "| Front \\| Back | draft | voice, chat | – | 0 |");
        // Every row has as many cells as the header.
        let cells = |l: &str| l.replace("\\|", "").matches('|').count();
        let header = reply.lines().find(|l| l.starts_with("| Agent")).unwrap();
        for line in reply.lines().filter(|l| l.starts_with('|')) {
            assert_eq!(cells(line), cells(header), "{line}");
        }
    }

    #[test]
    fn unknown_requests_list_what_works() {
        let mut account = Account::seeded(NOW);
        let turn = ask(&mut account, "make me a sandwich");
        assert!(turn.reply.contains("List my agents"));
        assert!(turn.steps.is_empty());
    }

    #[test]
    fn the_page_agent_is_the_default() {
        let mut account = Account::seeded(NOW);
        let turn = respond(
            &mut account,
            &all(),
            &Request {
                message: "publish it",
                agent_id: Some("agt_0003"),
            },
            NOW,
        );
        assert_eq!(
            turn.confirmations[0].path(),
            Some("/agents/agt_0003/publish")
        );
    }

    #[test]
    fn names_and_values_come_from_quotes_or_the_sentence() {
        let mut account = Account::seeded(NOW);
        ask(
            &mut account,
            "Create a chat agent called Front Desk for the café",
        );
        let agent = account.agents.last().unwrap();
        assert_eq!(agent.name, "Front Desk");
        assert_eq!(agent.enabled_channels, ["chat"]);
        ask(&mut account, "rename Front Desk to “Counter”");
        assert_eq!(account.agents.last().unwrap().name, "Counter");
        ask(
            &mut account,
            "set the greeting of Counter to \"Welcome in!\"",
        );
        assert_eq!(account.agents.last().unwrap().greeting, "Welcome in!");
    }
}
