//! What the copilot changed and what it wants to destroy, as a person reviews it (issue 7).
//!
//! - [`plan`]: applied mutations as a Terraform-style plan: one row per mutation (`+` create,
//!   `~` update, `-` destroy, other methods by name), grouped by resource type, each with its
//!   body as a field list; [`Totals`] for the "Applied: …" line.
//! - [`fields`]: a body or args object as `name = value` lines: values are text (never
//!   markdown), long ones truncated with the whole kept for "Show more", anything named like a
//!   secret masked.
//! - [`Card`]: one pending approval and its state machine. The first activation wins: it moves
//!   the card to `Submitting` before anything is awaited, so a double click sends one request.

use std::fmt;

use assist_protocol::{AppliedMutation, PendingConfirmation};
use serde_json::{Map, Value};

/// What a mutation did, from its HTTP method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Destroy,
    /// Any other method, shown by name.
    Other(String),
}

impl Action {
    pub fn from_method(method: &str) -> Self {
        match method.to_ascii_uppercase().as_str() {
            "POST" => Self::Create,
            "PUT" | "PATCH" => Self::Update,
            "DELETE" => Self::Destroy,
            other => Self::Other(other.to_owned()),
        }
    }

    /// `+`, `~`, `-`, or the method.
    pub fn symbol(&self) -> &str {
        match self {
            Self::Create => "+",
            Self::Update => "~",
            Self::Destroy => "-",
            Self::Other(method) => method,
        }
    }

    /// A word for the row's accessible description.
    pub fn word(&self) -> &str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Destroy => "destroy",
            Self::Other(method) => method,
        }
    }
}

/// Values longer than this many characters are cut, with "Show more" for the rest.
pub const MAX_VALUE_CHARS: usize = 80;

/// One `name = value` line of a body or args object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Dotted for nested objects: `parametersSchema.type`.
    pub name: String,
    /// The value as text: strings quoted, other JSON compact; masked for secrets; cut to
    /// [`MAX_VALUE_CHARS`] when long.
    pub value: String,
    /// The whole value when `value` was cut.
    pub full: Option<String>,
    pub masked: bool,
}

const MASK: &str = "••••••••";

/// Split `apiKey`, `api_key`, `X-Api-Key` into lower-case words.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Named like a secret: a word `key`, `token`, `secret`, `password` (or `passwd`, `apikey`,
/// `credential(s)`, `authorization`), unless the name ends in a word that makes it a reference
/// rather than the thing (`keyId`, `tokenCount`, `secretName`).
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let secret = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "key"
                | "token"
                | "secret"
                | "password"
                | "passwd"
                | "apikey"
                | "credential"
                | "credentials"
                | "authorization"
        )
    });
    let reference = words
        .last()
        .is_some_and(|w| matches!(w.as_str(), "id" | "ids" | "count" | "name" | "names"));
    secret && !reference
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn push_fields(
    prefix: &str,
    object: &Map<String, Value>,
    masked_above: bool,
    out: &mut Vec<Field>,
) {
    for (key, value) in object {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let masked = masked_above || is_secret_name(key);
        match value {
            Value::Object(inner) if !inner.is_empty() => push_fields(&name, inner, masked, out),
            _ if masked => out.push(Field {
                name,
                value: MASK.to_owned(),
                full: None,
                masked: true,
            }),
            _ => {
                let text = text_of(value);
                let (value, full) = if text.chars().count() > MAX_VALUE_CHARS {
                    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
                    (format!("{cut}…"), Some(text))
                } else {
                    (text, None)
                };
                out.push(Field {
                    name,
                    value,
                    full,
                    masked: false,
                });
            }
        }
    }
}

/// A body or args object as fields, nested objects flattened with dotted names.
pub fn fields(object: Option<&Map<String, Value>>) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(object) = object {
        push_fields("", object, false, &mut out);
    }
    out
}

/// One applied mutation as a plan row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    pub action: Action,
    pub summary: String,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub fields: Vec<Field>,
}

/// Rows about one kind of resource, in the order they first appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// "Skills", "Numbers", "Knowledge sources", …
    pub resource: String,
    pub rows: Vec<PlanRow>,
}

/// A path segment that names one thing rather than a collection: it holds a digit
/// (`agt_0001`, `num_2`) or is a known action (`assign`, `publish`).
fn is_id_or_action(segment: &str) -> bool {
    segment.chars().any(|c| c.is_ascii_digit())
        || matches!(
            segment,
            "assign" | "publish" | "rollback" | "rotate" | "connect" | "discover" | "provision"
        )
}

/// The resource type a path is about: its last run of collection segments, in words.
/// `/agents/agt_1/skills` → "Skills"; `/agents/a_1/knowledge/sources` → "Knowledge sources";
/// `/numbers/num_1/assign` → "Numbers".
pub fn resource_of(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut runs: Vec<Vec<&str>> = vec![Vec::new()];
    for segment in segments {
        if is_id_or_action(segment) {
            runs.push(Vec::new());
        } else {
            runs.last_mut().expect("one run").push(segment);
        }
    }
    let run = runs
        .into_iter()
        .rev()
        .find(|r| !r.is_empty())
        .unwrap_or_default();
    let words = run.join(" ").replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Other".to_owned(),
    }
}

/// The plan: rows grouped by resource type, groups and rows in the order they happened.
pub fn plan(mutations: &[AppliedMutation]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for mutation in mutations {
        let row = PlanRow {
            action: Action::from_method(&mutation.method),
            summary: mutation
                .summary
                .clone()
                .unwrap_or_else(|| format!("{} {}", mutation.method, mutation.path)),
            method: mutation.method.to_ascii_uppercase(),
            path: mutation.path.clone(),
            operation_id: mutation.operation_id.clone(),
            fields: fields(mutation.body.as_ref()),
        };
        let resource = resource_of(&mutation.path);
        match groups.iter_mut().find(|g| g.resource == resource) {
            Some(group) => group.rows.push(row),
            None => groups.push(Group {
                resource,
                rows: vec![row],
            }),
        }
    }
    groups
}

/// Counts by action, for "Applied: 2 created, 1 updated, 0 destroyed".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub created: usize,
    pub updated: usize,
    pub destroyed: usize,
    pub other: usize,
}

impl Totals {
    pub fn of(mutations: &[AppliedMutation]) -> Self {
        let mut totals = Self::default();
        for mutation in mutations {
            match Action::from_method(&mutation.method) {
                Action::Create => totals.created += 1,
                Action::Update => totals.updated += 1,
                Action::Destroy => totals.destroyed += 1,
                Action::Other(_) => totals.other += 1,
            }
        }
        totals
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Applied: {} created, {} updated, {} destroyed",
            self.created, self.updated, self.destroyed
        )?;
        if self.other > 0 {
            write!(f, ", {} other", self.other)?;
        }
        Ok(())
    }
}

/// Reconciles what streamed with the final result: the final list, in its order, plus any
/// streamed item it lacks (matched as a multiset, so one change reported by both a frame and the
/// result appears once, and two identical changes stay two). No duplicates, nothing lost.
pub fn reconcile<T: Clone + PartialEq>(streamed: &[T], last: &[T]) -> Vec<T> {
    let mut out = last.to_vec();
    let mut unmatched: Vec<bool> = vec![true; last.len()];
    for item in streamed {
        match (0..last.len()).find(|&i| unmatched[i] && last[i] == *item) {
            Some(i) => unmatched[i] = false,
            None => out.push(item.clone()),
        }
    }
    out
}

/// Does this pending item destroy something (delete, release, revoke)? Shown with a
/// "destructive" badge.
pub fn is_destructive(item: &PendingConfirmation) -> bool {
    let method = item.method().unwrap_or("").eq_ignore_ascii_case("DELETE");
    let words = format!(
        "{} {}",
        item.name().unwrap_or(""),
        item.summary().unwrap_or("")
    )
    .to_lowercase();
    method
        || ["delete", "release", "revoke", "remove", "destroy"]
            .iter()
            .any(|w| words.contains(w))
}

/// Where an approval card is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardState {
    /// Waiting for the person (actionable once its turn ended).
    Pending,
    /// The approval request is on its way (buttons disabled).
    Submitting,
    /// The approval ran; its change is under applied changes.
    Approved,
    /// The approval request failed; the person may press Retry.
    Failed(String),
    /// The person rejected it; nothing was sent.
    Rejected,
    /// The server refused it as stale or unknown (409), or the thread moved on.
    Stale(String),
}

/// One pending confirmation as the person sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub item: PendingConfirmation,
    pub state: CardState,
}

impl Card {
    pub fn new(item: PendingConfirmation) -> Self {
        Self {
            item,
            state: CardState::Pending,
        }
    }

    /// Approve (or Retry after a failure). Returns the item to send exactly once: `Some` only
    /// on the activation that moves the card to `Submitting`; every other activation (a double
    /// click, a second Enter, a click on a decided card) returns `None`.
    pub fn approve(&mut self) -> Option<PendingConfirmation> {
        match self.state {
            CardState::Pending | CardState::Failed(_) => {
                self.state = CardState::Submitting;
                Some(self.item.clone())
            }
            _ => None,
        }
    }

    /// Reject: local only, and only while nothing was sent.
    pub fn reject(&mut self) -> bool {
        if self.state == CardState::Pending {
            self.state = CardState::Rejected;
            true
        } else {
            false
        }
    }

    /// The approval request ended.
    pub fn settle(&mut self, outcome: CardState) {
        if self.state == CardState::Submitting {
            self.state = outcome;
        }
    }

    /// The thread moved on (a newer turn): a card still pending can no longer be approved.
    pub fn expire(&mut self, reason: &str) {
        if self.state == CardState::Pending {
            self.state = CardState::Stale(reason.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mutation(method: &str, path: &str, body: Value) -> AppliedMutation {
        AppliedMutation {
            method: method.into(),
            path: path.into(),
            operation_id: Some("op".into()),
            summary: Some(format!("{method} {path}")),
            body: body.as_object().cloned(),
        }
    }

    fn item(value: Value) -> PendingConfirmation {
        PendingConfirmation(value.as_object().unwrap().clone())
    }

    #[test]
    fn methods_become_plan_symbols() {
        let symbols: Vec<String> = ["POST", "put", "PATCH", "DELETE", "GET"]
            .iter()
            .map(|m| Action::from_method(m).symbol().to_owned())
            .collect();
        assert_eq!(symbols, ["+", "~", "~", "-", "GET"]);
    }

    #[test]
    fn rows_group_by_resource_in_order() {
        let groups = plan(&[
            mutation(
                "POST",
                "/agents/agt_0001/skills",
                json!({"name": "Order lookup"}),
            ),
            mutation(
                "POST",
                "/numbers/num_0004/assign",
                json!({"agentId": "agt_0004"}),
            ),
            mutation(
                "PATCH",
                "/agents/agt_0001/skills/skl_0002",
                json!({"isEnabled": false}),
            ),
            mutation(
                "POST",
                "/agents/agt_0001/knowledge/sources",
                json!({"url": "https://x"}),
            ),
            mutation("PATCH", "/agents/agt_0003", json!({"name": "Night Line"})),
        ]);
        let names: Vec<&str> = groups.iter().map(|g| g.resource.as_str()).collect();
        assert_eq!(names, ["Skills", "Numbers", "Knowledge sources", "Agents"]);
        assert_eq!(groups[0].rows.len(), 2);
        assert_eq!(groups[0].rows[1].action, Action::Update);
        assert_eq!(
            resource_of("/agents/agt_1/publishable-keys/pk_2"),
            "Publishable keys"
        );
        assert_eq!(resource_of("/agents/agt_1/publish"), "Agents");
    }

    #[test]
    fn totals_count_every_kind() {
        let totals = Totals::of(&[
            mutation("POST", "/agents", json!({})),
            mutation("POST", "/agents/a_1/skills", json!({})),
            mutation("PATCH", "/agents/a_1", json!({})),
        ]);
        assert_eq!(
            totals.to_string(),
            "Applied: 2 created, 1 updated, 0 destroyed"
        );
        let other = Totals::of(&[mutation("OPTIONS", "/x", json!({}))]);
        assert_eq!(
            other.to_string(),
            "Applied: 0 created, 0 updated, 0 destroyed, 1 other"
        );
    }

    #[test]
    fn fields_are_text_flattened_truncated_and_masked() {
        let body = json!({
            "name": "**Front** <b>Desk</b>",
            "parametersSchema": {"type": "object", "required": ["orderNumber"]},
            "apiKey": "flowyte_sk_live_abc",
            "webhook": {"url": "https://x", "signingSecret": "s3cr3t", "credentials": {"user": "u"}},
            "keyId": "pk_0002",
            "accessToken": null,
            "note": "x".repeat(200),
        });
        let list = fields(body.as_object());
        let get = |name: &str| {
            list.iter()
                .find(|f| f.name == name)
                .unwrap_or_else(|| panic!("{name} in {list:?}"))
        };
        assert_eq!(
            get("name").value,
            "\"**Front** <b>Desk</b>\"",
            "text, as it came"
        );
        assert_eq!(get("parametersSchema.type").value, "\"object\"");
        assert_eq!(get("parametersSchema.required").value, "[\"orderNumber\"]");
        for secret in [
            "apiKey",
            "webhook.signingSecret",
            "webhook.credentials.user",
            "accessToken",
        ] {
            assert!(get(secret).masked, "{secret}");
            assert!(
                !get(secret).value.contains("s3cr3t") && !get(secret).value.contains("flowyte_sk")
            );
        }
        assert!(!get("keyId").masked, "a reference to a key is not the key");
        assert_eq!(get("webhook.url").value, "\"https://x\"");
        let note = get("note");
        assert_eq!(note.value.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(note.full.as_ref().unwrap().len() > 200);
    }

    #[test]
    fn secret_names_follow_words_not_substrings() {
        for name in [
            "key",
            "apiKey",
            "api_key",
            "X-Api-Key",
            "token",
            "refreshToken",
            "password",
            "clientSecret",
            "publishableKey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "keyId",
            "monkey",
            "tokenCount",
            "secretName",
            "name",
            "keyboard",
            "turkey",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn reconciling_adds_nothing_twice_and_loses_nothing() {
        let a = mutation("POST", "/agents", json!({"name": "A"}));
        let b = mutation("PATCH", "/agents/agt_1", json!({"name": "B"}));
        // Streamed a; the result reports a and b.
        assert_eq!(
            reconcile(std::slice::from_ref(&a), &[a.clone(), b.clone()]),
            [a.clone(), b.clone()]
        );
        // The result left out something that streamed: kept.
        assert_eq!(
            reconcile(&[a.clone(), b.clone()], std::slice::from_ref(&a)),
            [a.clone(), b.clone()]
        );
        // Two identical changes stay two.
        assert_eq!(
            reconcile(&[a.clone(), a.clone()], &[a.clone(), a.clone()]).len(),
            2
        );
        assert_eq!(reconcile::<AppliedMutation>(&[], &[]), []);
    }

    #[test]
    fn deletes_releases_and_revokes_are_destructive() {
        let release = item(
            json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/n_1", "summary": "Release +1 415 555 4421"}),
        );
        let revoke = item(
            json!({"name": "revokePublishableKey", "method": "POST", "path": "/x", "summary": "Revoke the key"}),
        );
        let publish = item(
            json!({"name": "publishAgent", "method": "POST", "path": "/agents/a_1/publish", "summary": "Publish Support Bot"}),
        );
        assert!(is_destructive(&release) && is_destructive(&revoke));
        assert!(!is_destructive(&publish));
    }

    #[test]
    fn the_first_activation_wins_and_retry_is_the_persons() {
        let mut card = Card::new(item(
            json!({"name": "releaseNumber", "args": {"numberId": "num_1"}}),
        ));
        let sent = card.approve();
        assert_eq!(sent.as_ref(), Some(&card.item), "exactly as received");
        assert_eq!(card.state, CardState::Submitting);
        assert_eq!(card.approve(), None, "a double click sends nothing");
        assert!(!card.reject(), "no rejecting what was sent");
        card.settle(CardState::Failed("Bad gateway".into()));
        assert_eq!(card.state, CardState::Failed("Bad gateway".into()));
        assert!(card.approve().is_some(), "Retry, pressed by the person");
        card.settle(CardState::Approved);
        assert_eq!(card.approve(), None);
        card.settle(CardState::Failed("late".into()));
        assert_eq!(
            card.state,
            CardState::Approved,
            "only a submitting card settles"
        );

        let mut other = Card::new(item(json!({"name": "x"})));
        assert!(other.reject());
        assert_eq!(other.approve(), None);
        let mut old = Card::new(item(json!({"name": "y"})));
        old.expire("The conversation moved on.");
        assert!(matches!(old.state, CardState::Stale(_)));
        assert_eq!(old.approve(), None);
    }
}
